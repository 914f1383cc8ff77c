-- Every export (CSV, XLSX, the candidate access export): who, which list, which query,
-- how many rows, when (Talent Catalog #484). Read by administrators, newest first.
CREATE TABLE export_log (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    list TEXT NOT NULL,
    format TEXT NOT NULL,
    query TEXT NOT NULL,
    row_count BIGINT NOT NULL
);
CREATE INDEX export_log_user ON export_log(user_id, id DESC);
