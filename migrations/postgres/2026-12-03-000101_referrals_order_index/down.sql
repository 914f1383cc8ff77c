CREATE INDEX referrals_order ON referrals(order_id, state);
