-- The navigation's "awaiting my approval" count runs on every page. Joining through the
-- coordinator's orders probes one index entry per order (thousands for a busy coordinator);
-- a copy of the order's coordinator on each referral makes it one short index range.
-- Kept in step by the referral insert and by the order update that changes the coordinator.
ALTER TABLE referrals ADD COLUMN coordinator_id BIGINT REFERENCES users(id);
UPDATE referrals SET coordinator_id = job_orders.coordinator_id FROM job_orders WHERE job_orders.id = referrals.order_id;
CREATE INDEX referrals_coordinator_state ON referrals(coordinator_id, state, created_at, id);
