DROP INDEX referrals_coordinator_state;
ALTER TABLE referrals DROP COLUMN coordinator_id;
