//! The reports' tables that triggers keep: the counters (`referral_counts`,
//! `network_referral_counts`, in step with every write to `referrals` and `order_shares`,
//! migration 2026-11-30-000301), `decision_times` (2026-12-01-000501) and `share_counts`
//! (2026-12-01-000502); and, for the order page's picker, `consenting_counts`
//! (2026-12-02-000101). A bulk load skips the per-row trigger and fills the table once
//! afterwards with the migration's own SELECT, which is what the triggers add up to; or,
//! where the loader has every row in memory (the seed's referrals and events), it writes the
//! same rows itself and its test compares them with the SELECT (`rebuild*`).

use crate::db::{catalogue, DbConn};
use crate::error::AppResult;
use diesel::connection::SimpleConnection;

/// The trigger that adds each inserted referral to the counts.
const INSERT_TRIGGER: &str = "referral_counts_insert";

/// Counts every referral again from scratch: the counter tables as the triggers would have
/// left them.
pub fn rebuild(c: &mut DbConn) -> AppResult<()> {
    let month = match c {
        DbConn::Sqlite(_) => "substr(r.created_at, 1, 7)",
        DbConn::Pg(_) => "to_char(r.created_at, 'YYYY-MM')",
    };
    c.batch_execute(&format!(
        "DELETE FROM referral_counts; DELETE FROM network_referral_counts;
         INSERT INTO referral_counts (order_centre_id, month, referring_centre_id, state, n)
         SELECT o.job_centre_id, {month}, r.job_centre_id, r.state, count(*)
         FROM referrals r JOIN job_orders o ON o.id = r.order_id
         GROUP BY 1, 2, 3, 4;
         INSERT INTO network_referral_counts (network_id, month, referring_centre_id, state, n)
         SELECT s.network_id, {month}, r.job_centre_id, r.state, count(*)
         FROM referrals r JOIN order_shares s ON s.order_id = r.order_id
         GROUP BY 1, 2, 3, 4;"
    ))?;
    Ok(())
}

/// Runs a bulk load of referrals (`load`) without the per-row counting, in the caller's
/// transaction. `load` writes the counter rows itself: what `rebuild` would make (the seed
/// counts in memory, and its test compares the two).
pub fn without_referral_counting(c: &mut DbConn, load: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    without_trigger(c, "referrals", INSERT_TRIGGER, load)
}

/// The trigger that counts each share (migration 2026-12-01-000502).
const SHARE_TRIGGER: &str = "share_counts_insert";

/// The orders shared, counted again from scratch (the migration's GROUP BY).
pub fn rebuild_share_counts(c: &mut DbConn) -> AppResult<()> {
    let month = match c {
        DbConn::Sqlite(_) => "substr(s.shared_at, 1, 7)",
        DbConn::Pg(_) => "to_char(s.shared_at, 'YYYY-MM')",
    };
    c.batch_execute(&format!(
        "DELETE FROM share_counts;
         INSERT INTO share_counts (network_id, month, order_centre_id, n)
         SELECT s.network_id, {month}, o.job_centre_id, count(*)
         FROM order_shares s JOIN job_orders o ON o.id = s.order_id
         GROUP BY 1, 2, 3;"
    ))?;
    Ok(())
}

/// Inserts order shares in bulk without the per-row count, then counts once.
pub fn bulk_insert_shares(c: &mut DbConn, load: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    without_trigger(c, "order_shares", SHARE_TRIGGER, load)?;
    rebuild_share_counts(c)
}

/// The trigger that writes each decision event's time (migration 2026-12-01-000501).
const DECISION_TRIGGER: &str = "decision_times_insert";

/// Every decision's time again from scratch, from the migration's view `decision_rows`: what
/// the trigger would have written.
pub fn rebuild_decision_times(c: &mut DbConn) -> AppResult<()> {
    c.batch_execute(
        "DELETE FROM decision_times;
         INSERT INTO decision_times (event_id, order_centre_id, month, seconds)
         SELECT event_id, order_centre_id, month, seconds FROM decision_rows;",
    )?;
    Ok(())
}

/// Runs a bulk load of referral events (`load`) without the per-row decision times, in the
/// caller's transaction. `load` writes the decision times itself: what
/// `rebuild_decision_times` would make.
pub fn without_decision_timing(c: &mut DbConn, load: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    without_trigger(c, "referral_events", DECISION_TRIGGER, load)
}

/// The trigger that counts each inserted candidate with consent (migration 2026-12-02-000101).
const CONSENTING_TRIGGER: &str = "consenting_counts_insert";

/// Each centre's live candidates with consent, counted again from scratch.
pub fn rebuild_consenting_counts(c: &mut DbConn) -> AppResult<()> {
    c.batch_execute(
        "DELETE FROM consenting_counts;
         INSERT INTO consenting_counts (job_centre_id, n)
         SELECT job_centre_id, count(*) FROM candidates
         WHERE consent_given_at IS NOT NULL AND consent_revoked_at IS NULL AND erased_at IS NULL
         GROUP BY job_centre_id;",
    )?;
    Ok(())
}

/// Inserts candidates in bulk without the per-row count, then counts once.
pub fn bulk_insert_candidates(c: &mut DbConn, load: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    without_trigger(c, "candidates", CONSENTING_TRIGGER, load)?;
    rebuild_consenting_counts(c)
}

/// Runs `load` with one trigger of `table` off, in the caller's transaction.
pub(crate) fn without_trigger(
    c: &mut DbConn,
    table: &str,
    trigger: &str,
    load: impl FnOnce(&mut DbConn) -> AppResult<()>,
) -> AppResult<()> {
    match c {
        // PostgreSQL can switch one trigger off for the transaction's writes.
        DbConn::Pg(_) => {
            c.batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))?;
            load(c)?;
            c.batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))?;
        }
        // SQLite can't: the trigger is dropped and made again from its own definition.
        DbConn::Sqlite(s) => {
            let d = catalogue::sqlite_trigger(s, trigger)?;
            c.batch_execute(&format!("DROP TRIGGER {trigger}"))?;
            load(c)?;
            c.batch_execute(&d.sql)?;
        }
    }
    Ok(())
}
