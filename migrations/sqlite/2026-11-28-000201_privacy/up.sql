-- Privacy (issue 19): retention, erasure on request, access export.
-- A candidate's last change (NULL: never changed since created), when it was erased, and
-- when its owning consultant was warned that retention will erase it.
ALTER TABLE candidates ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN retention_warned_at TIMESTAMP;

-- The outbox learns which candidate a mail is about (so an erasure finds and cancels it)
-- and a `cancelled` status. SQLite can't change a CHECK: the table is rebuilt.
CREATE TABLE outbox_new (
    id INTEGER PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    sent_at TIMESTAMP,
    candidate_id BIGINT
);
INSERT INTO outbox_new (id, created_at, kind, to_addr, subject, body_text, body_html, status, attempts,
                        next_attempt_at, locked_until, locked_by, last_error, sent_at)
    SELECT id, created_at, kind, to_addr, subject, body_text, body_html, status, attempts,
           next_attempt_at, locked_until, locked_by, last_error, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_candidate ON outbox(candidate_id);
CREATE INDEX outbox_sent ON outbox(status, sent_at);

-- Background jobs that must run on one instance at a time: a row per job, claimed with a lease.
CREATE TABLE jobs (
    name TEXT PRIMARY KEY,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_run_at TIMESTAMP
);
INSERT INTO jobs (name) VALUES ('retention');
