//! The reports' counter tables (`referral_counts`, `network_referral_counts`): triggers keep
//! them in step with every write to `referrals` and `order_shares` (migration
//! 2026-11-30-000301). A bulk load skips the per-row trigger and counts once afterwards
//! with the migration's own GROUP BY, which is what the triggers add up to.

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

/// Inserts referrals in bulk (`load`) without the per-row counting, then counts once, all in
/// the caller's transaction.
pub fn bulk_insert_referrals(c: &mut DbConn, load: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    match c {
        // PostgreSQL can switch one trigger off for the transaction's writes.
        DbConn::Pg(_) => {
            c.batch_execute(&format!("ALTER TABLE referrals DISABLE TRIGGER {INSERT_TRIGGER}"))?;
            load(c)?;
            c.batch_execute(&format!("ALTER TABLE referrals ENABLE TRIGGER {INSERT_TRIGGER}"))?;
        }
        // SQLite can't: the trigger is dropped and made again from its own definition.
        DbConn::Sqlite(s) => {
            let d = catalogue::sqlite_trigger(s, INSERT_TRIGGER)?;
            c.batch_execute(&format!("DROP TRIGGER {INSERT_TRIGGER}"))?;
            load(c)?;
            c.batch_execute(&d.sql)?;
        }
    }
    rebuild(c)
}
