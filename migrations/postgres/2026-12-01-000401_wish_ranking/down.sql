DROP INDEX candidate_wishes_rank_group;
DROP INDEX candidate_wishes_rank_code;
DROP TRIGGER candidate_wishes_follow ON candidates;
DROP FUNCTION candidate_wishes_follow();
DROP TRIGGER candidate_wishes_fill ON candidate_wishes;
DROP FUNCTION candidate_wishes_fill();
ALTER TABLE candidate_wishes
    DROP COLUMN driving_licence,
    DROP COLUMN consenting,
    DROP COLUMN lon,
    DROP COLUMN lat,
    DROP COLUMN name;
