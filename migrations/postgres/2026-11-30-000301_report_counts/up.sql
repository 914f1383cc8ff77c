-- The reports' counts (issue 16), kept in step by triggers in the same transaction as every
-- write to referrals and order_shares, whichever code path makes it (referral, approval,
-- employer outcome, order close, erasure, network removal, import, seed). The reports read a
-- few hundred counter rows instead of grouping every referral of the period.
-- referral_counts: referrals to a centre's orders, by month of referral, referring centre and
-- state. network_referral_counts: the same for the orders shared with a network.
CREATE TABLE referral_counts (
    order_centre_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    referring_centre_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (order_centre_id, month, referring_centre_id, state)
);
CREATE TABLE network_referral_counts (
    network_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    referring_centre_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (network_id, month, referring_centre_id, state)
);

INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
SELECT o.job_centre_id, to_char(r.created_at, 'YYYY-MM'), r.job_centre_id, r.state, count(*)
FROM referrals r JOIN job_orders o ON o.id = r.order_id
GROUP BY 1, 2, 3, 4;
INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
SELECT s.network_id, to_char(r.created_at, 'YYYY-MM'), r.job_centre_id, r.state, count(*)
FROM referrals r JOIN order_shares s ON s.order_id = r.order_id
GROUP BY 1, 2, 3, 4;

-- One row's change as (old: -1, new: +1), added to both tables. The rows are upserted in key
-- order, so two transactions moving counts between the same rows lock them in the same order
-- and can't deadlock.
CREATE FUNCTION referral_counts_change() RETURNS trigger AS $$
BEGIN
    WITH d(order_id, created_at, centre, state, n) AS (
        SELECT OLD.order_id, OLD.created_at, OLD.job_centre_id, OLD.state, -1 WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.order_id, NEW.created_at, NEW.job_centre_id, NEW.state, 1 WHERE TG_OP <> 'DELETE'
    )
    INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
    SELECT o.job_centre_id, to_char(d.created_at, 'YYYY-MM'), d.centre, d.state, sum(d.n)
    FROM d JOIN job_orders o ON o.id = d.order_id
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (order_centre_id, month, referring_centre_id, state)
    DO UPDATE SET n = referral_counts.n + excluded.n;

    WITH d(order_id, created_at, centre, state, n) AS (
        SELECT OLD.order_id, OLD.created_at, OLD.job_centre_id, OLD.state, -1 WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.order_id, NEW.created_at, NEW.job_centre_id, NEW.state, 1 WHERE TG_OP <> 'DELETE'
    )
    INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
    SELECT s.network_id, to_char(d.created_at, 'YYYY-MM'), d.centre, d.state, sum(d.n)
    FROM d JOIN order_shares s ON s.order_id = d.order_id
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT (network_id, month, referring_centre_id, state)
    DO UPDATE SET n = network_referral_counts.n + excluded.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER referral_counts_insert AFTER INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION referral_counts_change();
CREATE TRIGGER referral_counts_delete AFTER DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION referral_counts_change();
-- A change of any key column (the state; the others only in repairs and tests).
CREATE TRIGGER referral_counts_state AFTER UPDATE OF state, created_at, order_id, job_centre_id ON referrals
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state
        OR to_char(OLD.created_at, 'YYYY-MM') IS DISTINCT FROM to_char(NEW.created_at, 'YYYY-MM')
        OR OLD.order_id IS DISTINCT FROM NEW.order_id OR OLD.job_centre_id IS DISTINCT FROM NEW.job_centre_id)
    EXECUTE FUNCTION referral_counts_change();

-- Sharing an order with a network (or taking it back) moves the order's existing referrals
-- into (or out of) that network's counts.
CREATE FUNCTION network_referral_counts_shares() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
        SELECT NEW.network_id, to_char(r.created_at, 'YYYY-MM'), r.job_centre_id, r.state, count(*)
        FROM referrals r WHERE r.order_id = NEW.order_id
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (network_id, month, referring_centre_id, state)
        DO UPDATE SET n = network_referral_counts.n + excluded.n;
    ELSE
        INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
        SELECT OLD.network_id, to_char(r.created_at, 'YYYY-MM'), r.job_centre_id, r.state, -count(*)
        FROM referrals r WHERE r.order_id = OLD.order_id
        GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (network_id, month, referring_centre_id, state)
        DO UPDATE SET n = network_referral_counts.n + excluded.n;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER network_referral_counts_share AFTER INSERT ON order_shares
    FOR EACH ROW EXECUTE FUNCTION network_referral_counts_shares();
CREATE TRIGGER network_referral_counts_unshare AFTER DELETE ON order_shares
    FOR EACH ROW EXECUTE FUNCTION network_referral_counts_shares();
