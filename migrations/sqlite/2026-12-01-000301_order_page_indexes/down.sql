DROP INDEX candidate_wishes_candidate;
DROP INDEX candidates_referable;
