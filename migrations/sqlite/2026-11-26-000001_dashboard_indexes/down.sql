DROP INDEX job_orders_centre_updated;
DROP INDEX job_orders_centre_title;
DROP INDEX job_orders_centre_start;
