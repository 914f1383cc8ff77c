-- Mail headers beyond From/To/Subject (issue 15): the employer's mail answers to the order's
-- coordinator (Reply-To), and a digest carries its one-click unsubscribe URL (RFC 8058).
ALTER TABLE outbox ADD COLUMN reply_to TEXT;
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
