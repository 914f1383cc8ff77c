//! The one statement that moves a referral from one state to another, written out as its own
//! query type so that it is prepared once per connection.
//!
//! Why not `diesel::update`: diesel prepares every UPDATE anew (it can't know that a changeset
//! has a fixed shape), and on SQLite preparing `UPDATE referrals SET state …` compiles the
//! report counters' triggers into the statement: 9% of the writer's time under approvals in
//! `scripts/bench`. This type's SQL never varies, so the statement cache keys it by type.

use chrono::NaiveDateTime;
use diesel::connection::Connection;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

use crate::db::DbConn;
use crate::ids::ReferralId;

type Backend = <DbConn as Connection>::Backend;

/// `UPDATE referrals SET state = to, reason, updated_at = at WHERE id AND state = from`:
/// the conditional update that makes a race a refusal, never a lost change.
pub struct SetState<'a> {
    pub id: ReferralId,
    pub from: &'a str,
    pub to: &'a str,
    pub reason: Option<&'a str>,
    pub at: NaiveDateTime,
}

impl QueryFragment<Backend> for SetState<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Backend>) -> QueryResult<()> {
        out.push_sql("UPDATE referrals SET state = ");
        out.push_bind_param::<Text, _>(&self.to)?;
        out.push_sql(", reason = ");
        out.push_bind_param::<Nullable<Text>, _>(&self.reason)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<BigInt, _>(&self.id.0)?;
        out.push_sql(" AND state = ");
        out.push_bind_param::<Text, _>(&self.from)?;
        Ok(())
    }
}

impl QueryId for SetState<'_> {
    type QueryId = SetState<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<DbConn> for SetState<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::{Instrumentation, InstrumentationEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Counts the statements prepared for the statement cache.
    struct Prepares(Arc<AtomicUsize>);

    impl Instrumentation for Prepares {
        fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
            if let InstrumentationEvent::CacheQuery { .. } = event {
                self.0.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Three state changes prepare the statement once (diesel's own UPDATE: never cached).
    #[test]
    fn the_state_update_is_prepared_once() {
        let (dir, db) = crate::db::test_db("set-state");
        let n = Arc::new(AtomicUsize::new(0));
        db.write_blocking(|c| {
            c.set_instrumentation(Prepares(n.clone()));
            for id in 1..=3 {
                let set = SetState {
                    id: ReferralId(id),
                    from: "pending_approval",
                    to: "available_to_company",
                    reason: None,
                    at: chrono::Utc::now().naive_utc(),
                };
                assert_eq!(set.execute(c)?, 0, "no such referral");
            }
            c.set_instrumentation(None::<Prepares>);
            Ok(())
        })
        .unwrap();
        assert_eq!(n.load(Ordering::Relaxed), 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
