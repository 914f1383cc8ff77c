-- In-app notices: what a user is told (as by mail, and for events that send none), written
-- in the event's transaction. No personal text is stored here: the page joins the order's
-- title and the referral's candidate at read time, so an erasure needs no second pass.
CREATE TABLE notices (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    order_id BIGINT REFERENCES job_orders(id),
    referral_id BIGINT REFERENCES referrals(id),
    params TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
-- The list, newest first.
CREATE INDEX notices_user ON notices(user_id, id DESC);
-- The header's unread count on every page: only unread rows are in it, so the count reads
-- at most the bound's worth of entries whatever the user's history.
CREATE INDEX notices_unread ON notices(user_id, id) WHERE read_at IS NULL;
