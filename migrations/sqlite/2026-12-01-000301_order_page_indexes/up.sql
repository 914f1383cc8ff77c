-- The order page's "refer a candidate" picker counts the centre's referable candidates (40k
-- for the biggest at bench scale) and shows the first by name. With only the consenting,
-- live ones in this index, the count reads index entries instead of every candidate's row.
CREATE INDEX candidates_referable ON candidates(job_centre_id, name, id)
    WHERE erased_at IS NULL AND consent_given_at IS NOT NULL AND consent_revoked_at IS NULL;
-- The suggestions read each wishing candidate's matching wishes: code and group from the
-- index alone, without a lookup of the wish's row.
CREATE INDEX candidate_wishes_candidate ON candidate_wishes(candidate_id, occupation_code, occupation_group);
