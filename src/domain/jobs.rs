//! Background jobs that must run on one instance at a time (several `serve` processes share
//! one PostgreSQL): a row per job in `jobs`, claimed with a lease by a conditional UPDATE.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::jobs;
use crate::db::DbConn;
use crate::error::AppResult;

/// A unique mark for this process's claims.
pub fn token() -> String {
    format!(
        "{}-{}-{:x}",
        std::process::id(),
        chrono::Utc::now().timestamp_micros(),
        rand::random::<u32>()
    )
}

/// Claims job `name` until `now + lease` unless another holder's lease is still running, or
/// (with `every`) it last ran less than `every` ago. The UPDATE is the compare-and-set: of
/// two instances racing, one changes the row and the other finds it taken (0 rows).
pub fn claim(
    conn: &mut DbConn,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    lease: Duration,
    every: Option<Duration>,
) -> AppResult<bool> {
    let free = jobs::locked_until.is_null().or(jobs::locked_until.lt(now));
    let mut q = diesel::update(jobs::table)
        .filter(jobs::name.eq(name))
        .filter(free)
        .into_boxed();
    if let Some(every) = every {
        q = q.filter(jobs::last_run_at.is_null().or(jobs::last_run_at.le(now - every)));
    }
    let n = q
        .set((
            jobs::locked_until.eq(Some(now + lease)),
            jobs::locked_by.eq(Some(holder)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Releases the claim; `ran` records the run (a failed run is tried again at the next tick).
pub fn release(conn: &mut DbConn, name: &str, holder: &str, now: NaiveDateTime, ran: bool) -> AppResult<()> {
    let mine = jobs::table
        .filter(jobs::name.eq(name))
        .filter(jobs::locked_by.eq(holder));
    if ran {
        diesel::update(mine)
            .set((
                jobs::locked_until.eq(None::<NaiveDateTime>),
                jobs::last_run_at.eq(Some(now)),
            ))
            .execute(conn)?;
    } else {
        diesel::update(mine)
            .set(jobs::locked_until.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(())
}

/// When the job last ran to the end.
pub fn last_run(conn: &mut DbConn, name: &str) -> AppResult<Option<NaiveDateTime>> {
    Ok(jobs::table
        .filter(jobs::name.eq(name))
        .select(jobs::last_run_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}
