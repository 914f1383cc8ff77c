DROP TRIGGER consenting_counts_update;
DROP TRIGGER consenting_counts_delete;
DROP TRIGGER consenting_counts_insert;
DROP TABLE consenting_counts;
