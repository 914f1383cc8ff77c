DROP INDEX candidate_wishes_rank_place;
CREATE INDEX candidate_wishes_rank_code ON candidate_wishes(
    job_centre_id, occupation_code, candidate_id, occupation_group, driving_licence, lat, lon, name, consenting
) WHERE consenting;
