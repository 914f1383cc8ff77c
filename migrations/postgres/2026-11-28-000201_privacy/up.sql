-- Privacy (issue 19): retention, erasure on request, access export.
-- A candidate's last change (NULL: never changed since created), when it was erased, and
-- when its owning consultant was warned that retention will erase it.
ALTER TABLE candidates ADD COLUMN updated_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN erased_at TIMESTAMP;
ALTER TABLE candidates ADD COLUMN retention_warned_at TIMESTAMP;

-- The outbox learns which candidate a mail is about (so an erasure finds and cancels it)
-- and a `cancelled` status.
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'));
ALTER TABLE outbox ADD COLUMN candidate_id BIGINT;
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
