DROP INDEX candidate_wishes_ring;
