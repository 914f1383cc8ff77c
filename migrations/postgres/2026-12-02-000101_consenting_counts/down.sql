DROP TRIGGER consenting_counts_update ON candidates;
DROP TRIGGER consenting_counts_delete ON candidates;
DROP TRIGGER consenting_counts_insert ON candidates;
DROP FUNCTION consenting_counts_change();
DROP TABLE consenting_counts;
