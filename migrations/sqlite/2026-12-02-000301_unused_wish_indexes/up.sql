-- Three indexes of candidate_wishes that no query reads: every read of the wishes names the
-- centre and the code (candidate_wishes_centre_code; the rank_* indexes for consenting
-- wishers) or the candidate (candidate_wishes_candidate). Each insert and each candidate's
-- change paid for them, and a 10x seed built them again over five million rows.
DROP INDEX candidate_wishes_code;
DROP INDEX candidate_wishes_group;
DROP INDEX candidate_wishes_centre_group;
