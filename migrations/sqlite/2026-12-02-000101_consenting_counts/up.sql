-- The order page's referral picker (issue 17): how many live candidates of each centre have
-- consent, kept by triggers in the same transaction as every write to a candidate (consent,
-- revocation, erasure, import, seed). The picker's pager reads this one row instead of
-- counting every consenting candidate of the centre on each page view, a count that grew with
-- the centre (35,620 index entries for the biggest centre at 1x).
CREATE TABLE consenting_counts (
    job_centre_id BIGINT PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);

INSERT INTO consenting_counts (job_centre_id, n)
SELECT job_centre_id, count(*) FROM candidates
WHERE consent_given_at IS NOT NULL AND consent_revoked_at IS NULL AND erased_at IS NULL
GROUP BY job_centre_id;

CREATE TRIGGER consenting_counts_insert AFTER INSERT ON candidates
WHEN NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL
BEGIN
    INSERT INTO consenting_counts (job_centre_id, n) VALUES (NEW.job_centre_id, 1)
    ON CONFLICT (job_centre_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER consenting_counts_delete AFTER DELETE ON candidates
WHEN OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL
BEGIN
    UPDATE consenting_counts SET n = n - 1 WHERE job_centre_id = OLD.job_centre_id;
END;

-- Fires only when the candidate enters or leaves the count, or moves between centres.
CREATE TRIGGER consenting_counts_update
AFTER UPDATE OF job_centre_id, consent_given_at, consent_revoked_at, erased_at ON candidates
WHEN (OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL)
  IS NOT (NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL)
  OR OLD.job_centre_id IS NOT NEW.job_centre_id
BEGIN
    UPDATE consenting_counts SET n = n - 1
    WHERE job_centre_id = OLD.job_centre_id
      AND OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL;
    INSERT INTO consenting_counts (job_centre_id, n)
    SELECT NEW.job_centre_id, 1
    WHERE NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL
    ON CONFLICT (job_centre_id) DO UPDATE SET n = n + 1;
END;
