DROP INDEX candidate_wishes_rank_group;
DROP INDEX candidate_wishes_rank_code;
DROP TRIGGER candidate_wishes_follow;
DROP TRIGGER candidate_wishes_fill;
ALTER TABLE candidate_wishes DROP COLUMN driving_licence;
ALTER TABLE candidate_wishes DROP COLUMN consenting;
ALTER TABLE candidate_wishes DROP COLUMN lon;
ALTER TABLE candidate_wishes DROP COLUMN lat;
ALTER TABLE candidate_wishes DROP COLUMN name;
