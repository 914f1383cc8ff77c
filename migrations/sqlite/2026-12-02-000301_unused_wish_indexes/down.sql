CREATE INDEX candidate_wishes_code ON candidate_wishes(occupation_code);
CREATE INDEX candidate_wishes_group ON candidate_wishes(occupation_group);
CREATE INDEX candidate_wishes_centre_group ON candidate_wishes(job_centre_id, occupation_group, candidate_id);
