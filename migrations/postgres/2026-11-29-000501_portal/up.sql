-- The transfer to the employer portal (issue 13).
-- An order's state on the portal: one row per order once it was sent (or confirmed by hand).
CREATE TABLE portal_orders (
    order_id BIGINT PRIMARY KEY REFERENCES job_orders(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('manual', 'queued', 'sent', 'online', 'rejected', 'failed', 'archived')),
    -- The portal's id of the ad, from its answer to the create.
    portal_id TEXT,
    -- The portal's last reason (a rejection) or our last error (a failure).
    message TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX portal_orders_portal_id ON portal_orders(portal_id);

-- The queue of calls to the portal, claimed with a lease like the outbox. The body is the
-- JSON as signed and sent (shared fields only), fixed when queued so a retry sends the same.
CREATE TABLE portal_transfers (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('create', 'update', 'withdraw')),
    idempotency_key TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'rejected', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    locked_by TEXT,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    done_at TIMESTAMP
);
CREATE INDEX portal_transfers_due ON portal_transfers(status, next_attempt_at);
CREATE INDEX portal_transfers_order ON portal_transfers(order_id, id);

-- The transfer protocol: every exchange with the portal, per order.
CREATE TABLE portal_protocol (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES job_orders(id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
    kind TEXT NOT NULL CHECK (kind IN ('create', 'update', 'withdraw', 'callback', 'manual')),
    status TEXT NOT NULL,
    message TEXT,
    user_id BIGINT REFERENCES users(id)
);
CREATE INDEX portal_protocol_order ON portal_protocol(order_id, at);
