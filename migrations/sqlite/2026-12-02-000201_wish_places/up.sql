-- Tier 1 of the suggestions for an order with a workplace counts the code's wishers per
-- place, then reads the first few by name at each place near enough (matching.rs,
-- `nearest_of_code`). In this order both are one range of the index, read in order: the
-- places grouped, and at a place the names sorted. It replaces the index by candidate, which
-- served the whole range read in the candidates' order (an order without a place still
-- reads it so, sorting the rows).
DROP INDEX candidate_wishes_rank_code;
CREATE INDEX candidate_wishes_rank_place ON candidate_wishes(
    job_centre_id, occupation_code, lat, lon, name, candidate_id, driving_licence, consenting
) WHERE consenting;
