-- The reports' orders shared (issue 17): per network, month of sharing and owning centre, kept
-- by triggers in the same transaction as every share and unshare. A report reads a few
-- counter rows instead of probing every order its centres ever made (orders are never
-- deleted, and never change centre, so the order's centre is always there to read).
CREATE TABLE share_counts (
    network_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    order_centre_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (network_id, month, order_centre_id)
) WITHOUT ROWID;
CREATE INDEX share_counts_centre ON share_counts(order_centre_id, month, network_id);

INSERT INTO share_counts (network_id, month, order_centre_id, n)
SELECT s.network_id, substr(s.shared_at, 1, 7), o.job_centre_id, count(*)
FROM order_shares s JOIN job_orders o ON o.id = s.order_id
GROUP BY 1, 2, 3;

CREATE TRIGGER share_counts_insert AFTER INSERT ON order_shares BEGIN
    INSERT INTO share_counts (network_id, month, order_centre_id, n)
    SELECT NEW.network_id, substr(NEW.shared_at, 1, 7), o.job_centre_id, 1
    FROM job_orders o WHERE o.id = NEW.order_id
    ON CONFLICT (network_id, month, order_centre_id) DO UPDATE SET n = n + excluded.n;
END;

CREATE TRIGGER share_counts_delete AFTER DELETE ON order_shares BEGIN
    UPDATE share_counts SET n = n - 1
    WHERE network_id = OLD.network_id AND month = substr(OLD.shared_at, 1, 7)
      AND order_centre_id = (SELECT job_centre_id FROM job_orders WHERE id = OLD.order_id);
END;

-- Only repairs and tests move a share in time or between networks.
CREATE TRIGGER share_counts_update AFTER UPDATE OF network_id, shared_at, order_id ON order_shares BEGIN
    UPDATE share_counts SET n = n - 1
    WHERE network_id = OLD.network_id AND month = substr(OLD.shared_at, 1, 7)
      AND order_centre_id = (SELECT job_centre_id FROM job_orders WHERE id = OLD.order_id);
    INSERT INTO share_counts (network_id, month, order_centre_id, n)
    SELECT NEW.network_id, substr(NEW.shared_at, 1, 7), o.job_centre_id, 1
    FROM job_orders o WHERE o.id = NEW.order_id
    ON CONFLICT (network_id, month, order_centre_id) DO UPDATE SET n = n + excluded.n;
END;
