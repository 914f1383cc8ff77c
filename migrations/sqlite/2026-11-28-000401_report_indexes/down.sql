DROP INDEX referral_events_decision;
DROP INDEX referrals_centre_created_state;
DROP INDEX referrals_order_created;
