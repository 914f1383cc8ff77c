-- A candidate's CV (PDF or DOCX, at most 5 MB), in its own table so candidate rows stay small
-- and list queries never read a file. One per candidate; an erasure deletes it.
CREATE TABLE candidate_cvs (
    candidate_id BIGINT PRIMARY KEY REFERENCES candidates(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    body BLOB NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    uploaded_at TIMESTAMP NOT NULL
);
-- Consent to send the CV to employers, recorded with the rest of the consent.
ALTER TABLE candidates ADD COLUMN share_cv BOOLEAN NOT NULL DEFAULT 0;
-- The referral whose candidate's CV goes with this mail, if consent still holds when it is sent.
ALTER TABLE outbox ADD COLUMN cv_referral_id BIGINT;
