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
);
CREATE INDEX share_counts_centre ON share_counts(order_centre_id, month, network_id);

INSERT INTO share_counts (network_id, month, order_centre_id, n)
SELECT s.network_id, to_char(s.shared_at, 'YYYY-MM'), o.job_centre_id, count(*)
FROM order_shares s JOIN job_orders o ON o.id = s.order_id
GROUP BY 1, 2, 3;

CREATE FUNCTION share_counts_change() RETURNS trigger AS $$
BEGIN
    WITH d(network_id, shared_at, order_id, n) AS (
        SELECT OLD.network_id, OLD.shared_at, OLD.order_id, -1 WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT NEW.network_id, NEW.shared_at, NEW.order_id, 1 WHERE TG_OP <> 'DELETE'
    )
    INSERT INTO share_counts (network_id, month, order_centre_id, n)
    SELECT d.network_id, to_char(d.shared_at, 'YYYY-MM'), o.job_centre_id, sum(d.n)
    FROM d JOIN job_orders o ON o.id = d.order_id
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (network_id, month, order_centre_id) DO UPDATE SET n = share_counts.n + excluded.n;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER share_counts_insert AFTER INSERT ON order_shares
    FOR EACH ROW EXECUTE FUNCTION share_counts_change();
CREATE TRIGGER share_counts_delete AFTER DELETE ON order_shares
    FOR EACH ROW EXECUTE FUNCTION share_counts_change();
-- Only repairs and tests move a share in time or between networks.
CREATE TRIGGER share_counts_update AFTER UPDATE OF network_id, shared_at, order_id ON order_shares
    FOR EACH ROW EXECUTE FUNCTION share_counts_change();
