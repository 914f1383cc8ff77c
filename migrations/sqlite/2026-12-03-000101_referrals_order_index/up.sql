-- referrals_order (order_id, state) repeats the head of referrals_order_created (order_id,
-- created_at, state, job_centre_id): every read by order finds its rows there, or in
-- referrals_live for the live ones (EXPLAIN QUERY PLAN). It was one more index holding the
-- state, so every decision rewrote an entry in it, and every referral added one. Approvals
-- over HTTP on SQLite moved by +2% over 10 A/B rounds, within the noise; the order pages'
-- reads did not move (bench/results.md, 2026-11-28 21:30 UTC).
DROP INDEX referrals_order;
