DROP INDEX candidates_centre_name;
DROP INDEX candidate_wishes_centre_group;
DROP INDEX candidate_wishes_centre_code;
ALTER TABLE candidate_wishes DROP COLUMN job_centre_id;
