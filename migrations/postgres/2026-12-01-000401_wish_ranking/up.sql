-- The order page's suggestions rank the candidates who wish the order's occupation or its
-- group (~2,450 of the biggest centre at bench scale). Looking each one up in candidates
-- cost most of the page, so what the ranking reads of a candidate is kept on its wish rows
-- and tiers 1-2 read two index ranges alone: the name (ties), the place (distance), the
-- consent and the driving licence (filters). Only the few shown are then read in full.
ALTER TABLE candidate_wishes
    ADD COLUMN name TEXT NOT NULL DEFAULT '',
    ADD COLUMN lat DOUBLE PRECISION,
    ADD COLUMN lon DOUBLE PRECISION,
    -- Consent given and not revoked.
    ADD COLUMN consenting BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN driving_licence BOOLEAN NOT NULL DEFAULT FALSE;

UPDATE candidate_wishes w
SET job_centre_id = c.job_centre_id, name = c.name, lat = c.lat, lon = c.lon,
    consenting = c.consent_given_at IS NOT NULL AND c.consent_revoked_at IS NULL,
    driving_licence = c.driving_licence
FROM candidates c WHERE c.id = w.candidate_id;

-- Kept in step by triggers, whichever path writes (edit, import, consent, erasure, retention,
-- seed, COPY included): a wish takes its candidate's fields when written; a change of those
-- fields is copied to the candidate's wishes. A candidate has no wishes when inserted (they
-- reference it).
CREATE FUNCTION candidate_wishes_fill() RETURNS trigger AS $$
BEGIN
    SELECT c.job_centre_id, c.name, c.lat, c.lon,
           c.consent_given_at IS NOT NULL AND c.consent_revoked_at IS NULL, c.driving_licence
    INTO NEW.job_centre_id, NEW.name, NEW.lat, NEW.lon, NEW.consenting, NEW.driving_licence
    FROM candidates c WHERE c.id = NEW.candidate_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER candidate_wishes_fill BEFORE INSERT ON candidate_wishes
FOR EACH ROW EXECUTE FUNCTION candidate_wishes_fill();

CREATE FUNCTION candidate_wishes_follow() RETURNS trigger AS $$
BEGIN
    UPDATE candidate_wishes SET job_centre_id = NEW.job_centre_id, name = NEW.name, lat = NEW.lat,
        lon = NEW.lon, consenting = NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL,
        driving_licence = NEW.driving_licence
    WHERE candidate_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER candidate_wishes_follow
AFTER UPDATE OF job_centre_id, name, lat, lon, consent_given_at, consent_revoked_at, driving_licence ON candidates
FOR EACH ROW
WHEN (OLD.job_centre_id IS DISTINCT FROM NEW.job_centre_id OR OLD.name IS DISTINCT FROM NEW.name
  OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon
  OR OLD.consent_given_at IS DISTINCT FROM NEW.consent_given_at
  OR OLD.consent_revoked_at IS DISTINCT FROM NEW.consent_revoked_at
  OR OLD.driving_licence IS DISTINCT FROM NEW.driving_licence)
EXECUTE FUNCTION candidate_wishes_follow();

-- Tier 1 (the order's code) and tier 2 (its group), consenting candidates only, in the order
-- of the candidates' ids: every column the ranking reads is in the index (consenting too, or
-- SQLite reads the row to check it).
CREATE INDEX candidate_wishes_rank_code ON candidate_wishes(
    job_centre_id, occupation_code, candidate_id, occupation_group, driving_licence, lat, lon, name, consenting
) WHERE consenting;
CREATE INDEX candidate_wishes_rank_group ON candidate_wishes(
    job_centre_id, occupation_group, candidate_id, occupation_code, driving_licence, lat, lon, name, consenting
) WHERE consenting;
