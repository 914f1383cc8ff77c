-- The employer answers (issue 14): outcomes after sent_to_employer, the employer links, the
-- order's hired figure. SQLite can't change a CHECK, so referrals is rebuilt the documented
-- way (foreign keys off, one transaction, foreign_key_check before the commit); every index
-- is made again.
PRAGMA foreign_keys = OFF;
BEGIN;

-- One link per order and employer address. The address is kept as a SHA-256 of its lower-case
-- form only: the row needs to match it, never to show it, and retention then has nothing here
-- to blank when it clears an old order's employer_email.
CREATE TABLE employer_links (
    id INTEGER PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id),
    email_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_by BIGINT REFERENCES users(id),
    UNIQUE (order_id, email_hash)
);

-- The tokens mailed for a link, one per candidate mail, stored as SHA-256 hashes only.
CREATE TABLE employer_link_tokens (
    token_hash TEXT PRIMARY KEY,
    link_id BIGINT NOT NULL REFERENCES employer_links(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX employer_link_tokens_link ON employer_link_tokens(link_id);

CREATE TABLE referrals_new (
    id INTEGER PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    state TEXT NOT NULL CHECK (state IN ('pending_approval', 'available_to_company', 'rejected', 'sent_to_employer',
        'withdrawn', 'interview', 'hired', 'declined_by_employer')),
    reason TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    coordinator_id BIGINT REFERENCES users(id),
    -- The link the candidate was sent through: the employer answers through that link only.
    employer_link_id BIGINT REFERENCES employer_links(id)
);
INSERT INTO referrals_new (id, order_id, candidate_id, job_centre_id, state, reason, created_by, created_at,
                           updated_at, coordinator_id)
    SELECT id, order_id, candidate_id, job_centre_id, state, reason, created_by, created_at, updated_at,
           coordinator_id FROM referrals;
DROP TABLE referrals;
ALTER TABLE referrals_new RENAME TO referrals;
CREATE UNIQUE INDEX referrals_live ON referrals(order_id, candidate_id)
    WHERE state IN ('pending_approval', 'available_to_company');
CREATE INDEX referrals_order ON referrals(order_id, state);
CREATE INDEX referrals_centre_created ON referrals(job_centre_id, created_at DESC, id DESC);
CREATE INDEX referrals_candidate ON referrals(candidate_id);
CREATE INDEX referrals_order_created ON referrals(order_id, created_at, state, job_centre_id);
CREATE INDEX referrals_centre_created_state ON referrals(job_centre_id, created_at, state, order_id);
CREATE INDEX referrals_coordinator_state ON referrals(coordinator_id, state, created_at, id);
CREATE INDEX referrals_employer_link ON referrals(employer_link_id);

-- A state change made by the employer through a link names the link (actor_id stays NULL).
ALTER TABLE referral_events ADD COLUMN employer_link_id BIGINT REFERENCES employer_links(id);

-- Hired referrals, kept in step with the state changes like `referred`.
ALTER TABLE job_orders ADD COLUMN hired INTEGER NOT NULL DEFAULT 0;

COMMIT;
PRAGMA foreign_keys = ON;
