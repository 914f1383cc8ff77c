DROP TABLE jobs;
DELETE FROM outbox WHERE status = 'cancelled';
CREATE TABLE outbox_old (
    id INTEGER PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    sent_at TIMESTAMP
);
INSERT INTO outbox_old SELECT id, created_at, kind, to_addr, subject, body_text, body_html, status, attempts,
    next_attempt_at, locked_until, locked_by, last_error, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
ALTER TABLE candidates DROP COLUMN retention_warned_at;
ALTER TABLE candidates DROP COLUMN erased_at;
ALTER TABLE candidates DROP COLUMN updated_at;
