CREATE INDEX referral_events_decision ON referral_events(referral_id, at)
    WHERE from_state = 'pending_approval' AND to_state IN ('available_to_company', 'rejected');
DROP TRIGGER decision_times_referral_update;
DROP TRIGGER decision_times_event_update;
DROP TRIGGER decision_times_event_delete;
DROP TRIGGER decision_times_insert;
DROP VIEW decision_rows;
DROP TABLE decision_times;
