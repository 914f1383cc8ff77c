-- The reports' decision times (issue 17): one row per coordinator decision (approve or reject
-- of a pending referral), keyed by its event, with the referral's month and the seconds from
-- referral to decision, kept by triggers in the same transaction as the event. A report reads
-- one index range of integers (centre, month, seconds) instead of joining every decided
-- referral of the period to its order and its events; the medians stay exact. A referral's
-- events go before the referral itself (foreign key), so deleting them is enough.
CREATE TABLE decision_times (
    event_id INTEGER PRIMARY KEY NOT NULL,
    order_centre_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    seconds BIGINT NOT NULL
);
CREATE INDEX decision_times_report ON decision_times(order_centre_id, month, seconds);

-- Every decision's row as it should be: the one definition the triggers, this migration and
-- a bulk load (`report_counts::rebuild_decision_times`) all read. The seconds are whole,
-- truncated as chrono's num_seconds() does, never below 0: strftime('%s') drops the fractions,
-- so one second comes off when the decision's fraction is the smaller (a timestamp is stored
-- as `YYYY-MM-DD HH:MM:SS[.ffffff]`; its fraction starts at character 20).
CREATE VIEW decision_rows AS
SELECT e.id AS event_id, e.referral_id AS referral_id, o.job_centre_id AS order_centre_id,
       substr(r.created_at, 1, 7) AS month,
       max(0, (strftime('%s', e.at) - strftime('%s', r.created_at))
              - (CAST(substr(e.at, 20) AS REAL) < CAST(substr(r.created_at, 20) AS REAL))) AS seconds
FROM referral_events e
JOIN referrals r ON r.id = e.referral_id
JOIN job_orders o ON o.id = r.order_id
WHERE e.from_state = 'pending_approval' AND e.to_state IN ('available_to_company', 'rejected');

INSERT INTO decision_times (event_id, order_centre_id, month, seconds)
SELECT event_id, order_centre_id, month, seconds FROM decision_rows;

CREATE TRIGGER decision_times_insert AFTER INSERT ON referral_events
WHEN NEW.from_state = 'pending_approval' AND NEW.to_state IN ('available_to_company', 'rejected') BEGIN
    INSERT INTO decision_times (event_id, order_centre_id, month, seconds)
    SELECT event_id, order_centre_id, month, seconds FROM decision_rows WHERE event_id = NEW.id;
END;

CREATE TRIGGER decision_times_event_delete AFTER DELETE ON referral_events BEGIN
    DELETE FROM decision_times WHERE event_id = OLD.id;
END;

-- Only repairs and tests change an event, move a referral in time or to another order: the
-- decision time follows.
CREATE TRIGGER decision_times_event_update AFTER UPDATE OF referral_id, at, from_state, to_state ON referral_events BEGIN
    DELETE FROM decision_times WHERE event_id = OLD.id;
    INSERT INTO decision_times (event_id, order_centre_id, month, seconds)
    SELECT event_id, order_centre_id, month, seconds FROM decision_rows WHERE event_id = NEW.id;
END;
CREATE TRIGGER decision_times_referral_update AFTER UPDATE OF created_at, order_id ON referrals
WHEN OLD.created_at IS NOT NEW.created_at OR OLD.order_id IS NOT NEW.order_id BEGIN
    DELETE FROM decision_times WHERE event_id IN (SELECT id FROM referral_events WHERE referral_id = NEW.id);
    INSERT INTO decision_times (event_id, order_centre_id, month, seconds)
    SELECT event_id, order_centre_id, month, seconds FROM decision_rows WHERE referral_id = NEW.id;
END;

-- The partial index the reports read the decisions by is no longer read.
DROP INDEX referral_events_decision;
