-- The suggestions' tier 1 (candidates wishing the order's own occupation) read nearest first:
-- the wishes of one code at a centre in growing boxes around the workplace, in the index's
-- order, from the index alone. Enough of them close by settle the list without reading the
-- whole occupation (thousands of wishes at the biggest centre).
CREATE INDEX candidate_wishes_ring ON candidate_wishes(
    job_centre_id, occupation_code, lat, lon, candidate_id, occupation_group, driving_licence, name, consenting
) WHERE consenting;
