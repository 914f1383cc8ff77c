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
) WITHOUT ROWID;
CREATE TABLE network_referral_counts (
    network_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    referring_centre_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (network_id, month, referring_centre_id, state)
) WITHOUT ROWID;

INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
SELECT o.job_centre_id, substr(r.created_at, 1, 7), r.job_centre_id, r.state, count(*)
FROM referrals r JOIN job_orders o ON o.id = r.order_id
GROUP BY 1, 2, 3, 4;
INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
SELECT s.network_id, substr(r.created_at, 1, 7), r.job_centre_id, r.state, count(*)
FROM referrals r JOIN order_shares s ON s.order_id = r.order_id
GROUP BY 1, 2, 3, 4;

-- A timestamp is stored as text `YYYY-MM-DD HH:MM:SS`: its month is the first 7 characters.

CREATE TRIGGER referral_counts_insert AFTER INSERT ON referrals BEGIN
    INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
    SELECT o.job_centre_id, substr(NEW.created_at, 1, 7), NEW.job_centre_id, NEW.state, 1
    FROM job_orders o WHERE o.id = NEW.order_id
    ON CONFLICT (order_centre_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
    INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
    SELECT s.network_id, substr(NEW.created_at, 1, 7), NEW.job_centre_id, NEW.state, 1
    FROM order_shares s WHERE s.order_id = NEW.order_id
    ON CONFLICT (network_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER referral_counts_delete AFTER DELETE ON referrals BEGIN
    UPDATE referral_counts SET n = n - 1
    WHERE order_centre_id = (SELECT job_centre_id FROM job_orders WHERE id = OLD.order_id)
      AND month = substr(OLD.created_at, 1, 7) AND referring_centre_id = OLD.job_centre_id
      AND state = OLD.state;
    UPDATE network_referral_counts SET n = n - 1
    WHERE network_id IN (SELECT network_id FROM order_shares WHERE order_id = OLD.order_id)
      AND month = substr(OLD.created_at, 1, 7) AND referring_centre_id = OLD.job_centre_id
      AND state = OLD.state;
END;

-- A state change moves one count from the old state's row to the new one's (so does a
-- change of any other key column, which only repairs and tests make).
CREATE TRIGGER referral_counts_state AFTER UPDATE OF state, created_at, order_id, job_centre_id ON referrals
WHEN OLD.state IS NOT NEW.state OR substr(OLD.created_at, 1, 7) IS NOT substr(NEW.created_at, 1, 7)
    OR OLD.order_id IS NOT NEW.order_id OR OLD.job_centre_id IS NOT NEW.job_centre_id BEGIN
    UPDATE referral_counts SET n = n - 1
    WHERE order_centre_id = (SELECT job_centre_id FROM job_orders WHERE id = OLD.order_id)
      AND month = substr(OLD.created_at, 1, 7) AND referring_centre_id = OLD.job_centre_id
      AND state = OLD.state;
    INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
    SELECT o.job_centre_id, substr(NEW.created_at, 1, 7), NEW.job_centre_id, NEW.state, 1
    FROM job_orders o WHERE o.id = NEW.order_id
    ON CONFLICT (order_centre_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
    UPDATE network_referral_counts SET n = n - 1
    WHERE network_id IN (SELECT network_id FROM order_shares WHERE order_id = OLD.order_id)
      AND month = substr(OLD.created_at, 1, 7) AND referring_centre_id = OLD.job_centre_id
      AND state = OLD.state;
    INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
    SELECT s.network_id, substr(NEW.created_at, 1, 7), NEW.job_centre_id, NEW.state, 1
    FROM order_shares s WHERE s.order_id = NEW.order_id
    ON CONFLICT (network_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
END;

-- Sharing an order with a network (or taking it back) moves the order's existing referrals
-- into (or out of) that network's counts.
CREATE TRIGGER network_referral_counts_share AFTER INSERT ON order_shares BEGIN
    INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
    SELECT NEW.network_id, substr(r.created_at, 1, 7), r.job_centre_id, r.state, count(*)
    FROM referrals r WHERE r.order_id = NEW.order_id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (network_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
END;
CREATE TRIGGER network_referral_counts_unshare AFTER DELETE ON order_shares BEGIN
    INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
    SELECT OLD.network_id, substr(r.created_at, 1, 7), r.job_centre_id, r.state, -count(*)
    FROM referrals r WHERE r.order_id = OLD.order_id
    GROUP BY 1, 2, 3, 4
    ON CONFLICT (network_id, month, referring_centre_id, state) DO UPDATE SET n = n + excluded.n;
END;
