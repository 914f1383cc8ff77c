-- The order page's suggestions rank the candidates who wish the order's occupation or its
-- group (~2,450 of the biggest centre at bench scale). Looking each one up in candidates
-- cost most of the page, so what the ranking reads of a candidate is kept on its wish rows
-- and tiers 1-2 read two index ranges alone: the name (ties), the place (distance), the
-- consent and the driving licence (filters). Only the few shown are then read in full.
ALTER TABLE candidate_wishes ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE candidate_wishes ADD COLUMN lat REAL;
ALTER TABLE candidate_wishes ADD COLUMN lon REAL;
-- Consent given and not revoked.
ALTER TABLE candidate_wishes ADD COLUMN consenting BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE candidate_wishes ADD COLUMN driving_licence BOOLEAN NOT NULL DEFAULT 0;

UPDATE candidate_wishes SET (job_centre_id, name, lat, lon, consenting, driving_licence) = (
    SELECT c.job_centre_id, c.name, c.lat, c.lon,
           c.consent_given_at IS NOT NULL AND c.consent_revoked_at IS NULL, c.driving_licence
    FROM candidates c WHERE c.id = candidate_wishes.candidate_id);

-- Kept in step by triggers, whichever path writes (edit, import, consent, erasure, retention,
-- seed): a wish takes its candidate's fields when written; a change of those fields is copied
-- to the candidate's wishes. A candidate has no wishes when inserted (they reference it).
CREATE TRIGGER candidate_wishes_fill AFTER INSERT ON candidate_wishes BEGIN
    UPDATE candidate_wishes SET (job_centre_id, name, lat, lon, consenting, driving_licence) = (
        SELECT c.job_centre_id, c.name, c.lat, c.lon,
               c.consent_given_at IS NOT NULL AND c.consent_revoked_at IS NULL, c.driving_licence
        FROM candidates c WHERE c.id = NEW.candidate_id)
    WHERE candidate_id = NEW.candidate_id AND occupation_code = NEW.occupation_code;
END;

CREATE TRIGGER candidate_wishes_follow
AFTER UPDATE OF job_centre_id, name, lat, lon, consent_given_at, consent_revoked_at, driving_licence ON candidates
WHEN OLD.job_centre_id IS NOT NEW.job_centre_id OR OLD.name IS NOT NEW.name
  OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon
  OR OLD.consent_given_at IS NOT NEW.consent_given_at OR OLD.consent_revoked_at IS NOT NEW.consent_revoked_at
  OR OLD.driving_licence IS NOT NEW.driving_licence
BEGIN
    UPDATE candidate_wishes SET job_centre_id = NEW.job_centre_id, name = NEW.name, lat = NEW.lat,
        lon = NEW.lon, consenting = NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL,
        driving_licence = NEW.driving_licence
    WHERE candidate_id = NEW.id;
END;

-- Tier 1 (the order's code) and tier 2 (its group), consenting candidates only, in the order
-- of the candidates' ids: every column the ranking reads is in the index (consenting too, or
-- SQLite reads the row to check it).
CREATE INDEX candidate_wishes_rank_code ON candidate_wishes(
    job_centre_id, occupation_code, candidate_id, occupation_group, driving_licence, lat, lon, name, consenting
) WHERE consenting;
CREATE INDEX candidate_wishes_rank_group ON candidate_wishes(
    job_centre_id, occupation_group, candidate_id, occupation_code, driving_licence, lat, lon, name, consenting
) WHERE consenting;
