DROP TRIGGER share_counts_update;
DROP TRIGGER share_counts_delete;
DROP TRIGGER share_counts_insert;
DROP TABLE share_counts;
