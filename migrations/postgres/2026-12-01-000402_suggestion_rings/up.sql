-- The suggestions' tier 3 (jobs needing no qualifications) reads the consenting candidates
-- nearest the workplace in growing boxes, up to 1,000 a box. With their ranking's fields in
-- this index (the consent columns too, or SQLite reads the row to check them), a box is read
-- from the index alone.
CREATE INDEX candidates_suggestable ON candidates(
    job_centre_id, lat, lon, id, driving_licence, name, consent_given_at, consent_revoked_at
) WHERE consent_given_at IS NOT NULL AND consent_revoked_at IS NULL;
