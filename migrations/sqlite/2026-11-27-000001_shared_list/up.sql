-- "STÆR Samarbejde" (orders shared with my centre): the list key lives on the notification
-- row, so a page is one index range in list order instead of joining and sorting every
-- order ever notified to the centre (22k open ones for the biggest centre at bench scale).
-- `listed`: the order is open and belongs to another centre; `start_date`: the default sort.
-- Kept in step by sharing::refresh_listing in the same transaction as the order change.
ALTER TABLE order_notifications ADD COLUMN listed BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE order_notifications ADD COLUMN start_date DATE NOT NULL DEFAULT '1970-01-01';
UPDATE order_notifications SET
    listed = (SELECT o.status = 'open' AND o.job_centre_id <> order_notifications.job_centre_id
              FROM job_orders o WHERE o.id = order_notifications.order_id),
    start_date = (SELECT o.start_date FROM job_orders o WHERE o.id = order_notifications.order_id);
CREATE INDEX order_notifications_list ON order_notifications(job_centre_id, listed, start_date, order_id);
