-- Reports (/reports): referrals to a centre's orders in a period, by state and by referring
-- centre, read from the index alone (order, then time) instead of every centre's referrals.
CREATE INDEX referrals_order_created ON referrals(order_id, created_at, state, job_centre_id);
-- A network's referrals per member centre in a period, from the index alone.
CREATE INDEX referrals_centre_created_state ON referrals(job_centre_id, created_at, state, order_id);
-- The coordinator's decisions only (approve, reject): the reports' decision times. The
-- query repeats this WHERE literally, so both databases may use the partial index.
CREATE INDEX referral_events_decision ON referral_events(referral_id, at)
    WHERE from_state = 'pending_approval' AND to_state IN ('available_to_company', 'rejected');
