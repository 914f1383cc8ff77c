-- "Mine jobordrer" sorted by start date, title or last change: with these the database
-- reads one page of the centre's orders in index order instead of sorting all of them.
-- (Created time and request id are covered by the init migration's indexes.)
CREATE INDEX job_orders_centre_start ON job_orders(job_centre_id, start_date, id);
CREATE INDEX job_orders_centre_title ON job_orders(job_centre_id, title, id);
CREATE INDEX job_orders_centre_updated ON job_orders(job_centre_id, updated_at, id);
