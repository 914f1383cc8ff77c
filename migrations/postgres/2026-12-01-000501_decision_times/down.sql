CREATE INDEX referral_events_decision ON referral_events(referral_id, at)
    WHERE from_state = 'pending_approval' AND to_state IN ('available_to_company', 'rejected');
DROP TRIGGER decision_times_referral_update ON referrals;
DROP TRIGGER decision_times_event_update ON referral_events;
DROP TRIGGER decision_times_event_delete ON referral_events;
DROP TRIGGER decision_times_insert ON referral_events;
DROP FUNCTION decision_times_change();
DROP VIEW decision_rows;
DROP TABLE decision_times;
