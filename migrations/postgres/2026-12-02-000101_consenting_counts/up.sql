-- The order page's referral picker (issue 17): how many live candidates of each centre have
-- consent, kept by triggers in the same transaction as every write to a candidate (consent,
-- revocation, erasure, import, seed). The picker's pager reads this one row instead of
-- counting every consenting candidate of the centre on each page view, a count that grew with
-- the centre (35,620 index entries for the biggest centre at 1x).
CREATE TABLE consenting_counts (
    job_centre_id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);

INSERT INTO consenting_counts (job_centre_id, n)
SELECT job_centre_id, count(*) FROM candidates
WHERE consent_given_at IS NOT NULL AND consent_revoked_at IS NULL AND erased_at IS NULL
GROUP BY job_centre_id;

-- One row's change as (old: -1, new: +1). The rows are upserted in key order, so two
-- transactions moving candidates between the same centres can't deadlock.
CREATE FUNCTION consenting_counts_change() RETURNS trigger AS $$
BEGIN
    WITH d(centre, n) AS (
        SELECT OLD.job_centre_id, -1 WHERE TG_OP <> 'INSERT'
            AND OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL
        UNION ALL
        SELECT NEW.job_centre_id, 1 WHERE TG_OP <> 'DELETE'
            AND NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL
    )
    INSERT INTO consenting_counts (job_centre_id, n)
    SELECT centre, sum(n) FROM d GROUP BY centre ORDER BY centre
    ON CONFLICT (job_centre_id) DO UPDATE SET n = consenting_counts.n + excluded.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER consenting_counts_insert AFTER INSERT ON candidates
    FOR EACH ROW
    WHEN (NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL)
    EXECUTE FUNCTION consenting_counts_change();
CREATE TRIGGER consenting_counts_delete AFTER DELETE ON candidates
    FOR EACH ROW
    WHEN (OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL)
    EXECUTE FUNCTION consenting_counts_change();
-- Fires only when the candidate enters or leaves the count, or moves between centres.
CREATE TRIGGER consenting_counts_update
    AFTER UPDATE OF job_centre_id, consent_given_at, consent_revoked_at, erased_at ON candidates
    FOR EACH ROW
    WHEN ((OLD.consent_given_at IS NOT NULL AND OLD.consent_revoked_at IS NULL AND OLD.erased_at IS NULL)
          IS DISTINCT FROM
          (NEW.consent_given_at IS NOT NULL AND NEW.consent_revoked_at IS NULL AND NEW.erased_at IS NULL)
          OR OLD.job_centre_id IS DISTINCT FROM NEW.job_centre_id)
    EXECUTE FUNCTION consenting_counts_change();
