-- Import from the case software (issue 12): the id a row has there, and the profile fields
-- consultants asked to stop re-typing. A row is found again by (centre, external_id).
ALTER TABLE candidates ADD COLUMN external_id TEXT;
ALTER TABLE candidates ADD COLUMN driving_licence BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE candidates ADD COLUMN own_car BOOLEAN NOT NULL DEFAULT 0;
-- JSON lists of text, e.g. ["truckcertifikat"], ["dansk","engelsk"].
ALTER TABLE candidates ADD COLUMN certificates TEXT NOT NULL DEFAULT '[]';
ALTER TABLE candidates ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
CREATE UNIQUE INDEX candidates_external ON candidates(job_centre_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE job_orders ADD COLUMN external_id TEXT;
ALTER TABLE job_orders ADD COLUMN requires_driving_licence BOOLEAN NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX job_orders_external ON job_orders(job_centre_id, external_id) WHERE external_id IS NOT NULL;
-- An uploaded file waiting for the user's confirmation on the import page (preview first).
CREATE TABLE import_uploads (
    token TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('orders', 'candidates')),
    file_name TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
