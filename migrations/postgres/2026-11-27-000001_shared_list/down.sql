DROP INDEX order_notifications_list;
ALTER TABLE order_notifications DROP COLUMN start_date;
ALTER TABLE order_notifications DROP COLUMN listed;
