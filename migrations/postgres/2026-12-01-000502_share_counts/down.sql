DROP TRIGGER share_counts_update ON order_shares;
DROP TRIGGER share_counts_delete ON order_shares;
DROP TRIGGER share_counts_insert ON order_shares;
DROP FUNCTION share_counts_change();
DROP TABLE share_counts;
