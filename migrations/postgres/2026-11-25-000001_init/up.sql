-- Job centres (tenants), networks and their members.
CREATE TABLE job_centres (
    id BIGSERIAL PRIMARY KEY,
    authority_type TEXT NOT NULL DEFAULT 'JobCenter',
    authority_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE networks (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE network_members (
    network_id BIGINT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id) ON DELETE CASCADE,
    PRIMARY KEY (network_id, job_centre_id)
);
CREATE INDEX network_members_centre ON network_members(job_centre_id);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    role TEXT NOT NULL DEFAULT 'consultant' CHECK (role IN ('consultant', 'admin')),
    language TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX users_centre ON users(job_centre_id);

CREATE TABLE companies (
    id BIGSERIAL PRIMARY KEY,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    name TEXT NOT NULL,
    cvr TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX companies_centre_name ON companies(job_centre_id, name);

CREATE TABLE job_orders (
    id BIGSERIAL PRIMARY KEY,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    title TEXT NOT NULL,
    occupation TEXT NOT NULL,
    occupation_code TEXT,
    request_id TEXT NOT NULL,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    company_name TEXT NOT NULL,
    employer_email TEXT,
    start_date DATE NOT NULL,
    end_date DATE,
    vacancies INTEGER NOT NULL CHECK (vacancies >= 1),
    referred INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    order_type TEXT NOT NULL,
    responsible_consultant_id BIGINT NOT NULL REFERENCES users(id),
    coordinator_id BIGINT NOT NULL REFERENCES users(id),
    coordinator_external TEXT,
    coordinator_allowed BOOLEAN NOT NULL DEFAULT TRUE,
    task_description TEXT NOT NULL,
    qualifications_and_pay TEXT NOT NULL,
    working_hours TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_to_portal_at TIMESTAMP,
    closed_at TIMESTAMP,
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE UNIQUE INDEX job_orders_request_id ON job_orders(job_centre_id, request_id);
CREATE INDEX job_orders_centre_created ON job_orders(job_centre_id, created_at DESC, id DESC);
CREATE INDEX job_orders_coordinator ON job_orders(coordinator_id);

CREATE TABLE order_shares (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id) ON DELETE CASCADE,
    network_id BIGINT NOT NULL REFERENCES networks(id),
    shared_by BIGINT NOT NULL REFERENCES users(id),
    shared_at TIMESTAMP NOT NULL,
    UNIQUE (order_id, network_id)
);
CREATE INDEX order_shares_network ON order_shares(network_id);

-- The centres notified of an order: the union over its shared networks, one row each.
CREATE TABLE order_notifications (
    order_id BIGINT NOT NULL REFERENCES job_orders(id) ON DELETE CASCADE,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    notified_at TIMESTAMP NOT NULL,
    PRIMARY KEY (order_id, job_centre_id)
);
CREATE INDEX order_notifications_centre ON order_notifications(job_centre_id, order_id);

CREATE TABLE candidates (
    id BIGSERIAL PRIMARY KEY,
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    postcode TEXT,
    consent_given_at TIMESTAMP,
    consent_given_by BIGINT REFERENCES users(id),
    consent_revoked_at TIMESTAMP,
    share_email BOOLEAN NOT NULL DEFAULT FALSE,
    share_phone BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX candidates_centre ON candidates(job_centre_id);

CREATE TABLE referrals (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id),
    candidate_id BIGINT NOT NULL REFERENCES candidates(id),
    job_centre_id BIGINT NOT NULL REFERENCES job_centres(id),
    state TEXT NOT NULL CHECK (state IN ('pending_approval', 'available_to_company', 'rejected', 'sent_to_employer', 'withdrawn')),
    reason TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One live referral per candidate and order: the database guards the rule too.
CREATE UNIQUE INDEX referrals_live ON referrals(order_id, candidate_id)
    WHERE state IN ('pending_approval', 'available_to_company');
CREATE INDEX referrals_order ON referrals(order_id, state);
CREATE INDEX referrals_centre_created ON referrals(job_centre_id, created_at DESC, id DESC);
CREATE INDEX referrals_candidate ON referrals(candidate_id);

CREATE TABLE referral_events (
    id BIGSERIAL PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referrals(id),
    actor_id BIGINT REFERENCES users(id),
    at TIMESTAMP NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX referral_events_referral ON referral_events(referral_id, id DESC);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    job_centre_id BIGINT REFERENCES job_centres(id),
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id, id DESC);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
