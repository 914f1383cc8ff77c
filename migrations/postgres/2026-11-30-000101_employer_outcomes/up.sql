-- The employer answers (issue 14): outcomes after sent_to_employer, the employer links, the
-- order's hired figure.

-- One link per order and employer address. The address is kept as a SHA-256 of its lower-case
-- form only: the row needs to match it, never to show it, and retention then has nothing here
-- to blank when it clears an old order's employer_email.
CREATE TABLE employer_links (
    id BIGSERIAL PRIMARY KEY,
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

ALTER TABLE referrals DROP CONSTRAINT referrals_state_check;
ALTER TABLE referrals ADD CONSTRAINT referrals_state_check CHECK (state IN ('pending_approval',
    'available_to_company', 'rejected', 'sent_to_employer', 'withdrawn', 'interview', 'hired', 'declined_by_employer'));
-- The link the candidate was sent through: the employer answers through that link only.
ALTER TABLE referrals ADD COLUMN employer_link_id BIGINT REFERENCES employer_links(id);
CREATE INDEX referrals_employer_link ON referrals(employer_link_id);

-- A state change made by the employer through a link names the link (actor_id stays NULL).
ALTER TABLE referral_events ADD COLUMN employer_link_id BIGINT REFERENCES employer_links(id);

-- Hired referrals, kept in step with the state changes like `referred`.
ALTER TABLE job_orders ADD COLUMN hired INTEGER NOT NULL DEFAULT 0;
