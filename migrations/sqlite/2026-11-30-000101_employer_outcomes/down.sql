PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE job_orders DROP COLUMN hired;
-- A column under a foreign key can't be dropped: referral_events is rebuilt too.
DELETE FROM referral_events WHERE to_state IN ('interview', 'hired', 'declined_by_employer');
CREATE TABLE referral_events_old (
    id INTEGER PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referrals(id),
    actor_id BIGINT REFERENCES users(id),
    at TIMESTAMP NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT
);
INSERT INTO referral_events_old SELECT id, referral_id, actor_id, at, from_state, to_state, reason FROM referral_events;
DROP TABLE referral_events;
ALTER TABLE referral_events_old RENAME TO referral_events;
CREATE INDEX referral_events_referral ON referral_events(referral_id, id DESC);
CREATE INDEX referral_events_decision ON referral_events(referral_id, at)
    WHERE from_state = 'pending_approval' AND to_state IN ('available_to_company', 'rejected');
-- The employer's answers go back to what they were answers to.
CREATE TABLE referrals_old (
    id INTEGER PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    state TEXT NOT NULL CHECK (state IN ('pending_approval', 'available_to_company', 'rejected', 'sent_to_employer', 'withdrawn')),
    reason TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    coordinator_id BIGINT REFERENCES users(id)
);
INSERT INTO referrals_old (id, order_id, candidate_id, job_centre_id, state, reason, created_by, created_at,
                           updated_at, coordinator_id)
    SELECT id, order_id, candidate_id, job_centre_id,
           CASE WHEN state IN ('interview', 'hired', 'declined_by_employer') THEN 'sent_to_employer' ELSE state END,
           reason, created_by, created_at, updated_at, coordinator_id FROM referrals;
DROP TABLE referrals;
ALTER TABLE referrals_old RENAME TO referrals;
CREATE UNIQUE INDEX referrals_live ON referrals(order_id, candidate_id)
    WHERE state IN ('pending_approval', 'available_to_company');
CREATE INDEX referrals_order ON referrals(order_id, state);
CREATE INDEX referrals_centre_created ON referrals(job_centre_id, created_at DESC, id DESC);
CREATE INDEX referrals_candidate ON referrals(candidate_id);
CREATE INDEX referrals_order_created ON referrals(order_id, created_at, state, job_centre_id);
CREATE INDEX referrals_centre_created_state ON referrals(job_centre_id, created_at, state, order_id);
CREATE INDEX referrals_coordinator_state ON referrals(coordinator_id, state, created_at, id);
DROP TABLE employer_link_tokens;
DROP TABLE employer_links;
COMMIT;
PRAGMA foreign_keys = ON;
