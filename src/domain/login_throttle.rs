//! Login throttling: failed logins counted per username and per client address in the
//! database (so every instance sees them). After `FREE_FAILURES` a key is locked for a
//! delay that doubles with each further failure, up to `MAX_DELAY`; a success resets it.

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::login_failures as lf;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Failures allowed before the first delay.
pub const FREE_FAILURES: i32 = 5;
/// The longest delay (15 minutes).
pub const MAX_DELAY_MS: i64 = 15 * 60 * 1000;

/// The keys a login attempt counts against: the username (case-folded) and, when known, the
/// client address.
pub fn keys(username: &str, addr: Option<&str>) -> Vec<(&'static str, String)> {
    let user: String = username.trim().to_lowercase().chars().take(64).collect();
    let mut keys = vec![("user", user)];
    if let Some(a) = addr {
        keys.push(("addr", a.chars().take(64).collect()));
    }
    keys
}

/// The lock after `failures` failures: none up to `FREE_FAILURES`, then base, 2 x base,
/// 4 x base, ... capped at `MAX_DELAY_MS`.
pub fn delay(failures: i32, base_ms: u64) -> Option<Duration> {
    if failures < FREE_FAILURES {
        return None;
    }
    let doublings = (failures - FREE_FAILURES).min(30) as u32;
    let ms = (base_ms as i64).saturating_mul(1i64 << doublings).min(MAX_DELAY_MS);
    Some(Duration::milliseconds(ms))
}

/// Whole seconds to wait, rounded up, at least one (the `Retry-After` value).
fn seconds_until(until: NaiveDateTime, now: NaiveDateTime) -> u64 {
    let ms = (until - now).num_milliseconds().max(0);
    ((ms + 999) / 1000).max(1) as u64
}

/// Refuses with 429 (and the seconds to wait) while any of the keys is locked.
pub fn check(conn: &mut DbConn, keys: &[(&'static str, String)]) -> AppResult<()> {
    let now = Utc::now().naive_utc();
    let mut wait = 0;
    for (kind, key) in keys {
        let until: Option<Option<NaiveDateTime>> = lf::table
            .find((*kind, key.as_str()))
            .select(lf::locked_until)
            .first(conn)
            .optional()?;
        if let Some(Some(until)) = until {
            if until > now {
                wait = wait.max(seconds_until(until, now));
            }
        }
    }
    if wait > 0 {
        return Err(AppError::TooManyRequests(wait));
    }
    Ok(())
}

/// Counts a failed login against every key, and locks the keys that passed the limit.
pub fn record_failure(conn: &mut DbConn, keys: &[(&'static str, String)], base_ms: u64) -> AppResult<()> {
    let now = Utc::now().naive_utc();
    for (kind, key) in keys {
        let failures = bump(conn, kind, key, now)?;
        if let Some(d) = delay(failures, base_ms) {
            diesel::update(lf::table.find((*kind, key.as_str())))
                .set(lf::locked_until.eq(Some(now + d)))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Adds one failure to a key (an increment in SQL, so two instances never lose one);
/// returns the new count.
fn bump(conn: &mut DbConn, kind: &'static str, key: &str, now: NaiveDateTime) -> AppResult<i32> {
    let increment = |conn: &mut DbConn| {
        diesel::update(lf::table.find((kind, key)))
            .set((lf::failures.eq(lf::failures + 1), lf::last_failure_at.eq(now)))
            .returning(lf::failures)
            .get_result::<i32>(conn)
            .optional()
    };
    if let Some(n) = increment(conn)? {
        return Ok(n);
    }
    // A savepoint: another instance may insert the same key first (PostgreSQL).
    let inserted = conn.transaction(|c| {
        diesel::insert_into(lf::table)
            .values((
                lf::kind.eq(kind),
                lf::key.eq(key),
                lf::failures.eq(1),
                lf::last_failure_at.eq(now),
            ))
            .execute(c)
    });
    match inserted {
        Ok(_) => Ok(1),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(increment(conn)?.unwrap_or(1)),
        Err(e) => Err(e.into()),
    }
}

/// A successful login clears the keys' failures.
pub fn reset(conn: &mut DbConn, keys: &[(&'static str, String)]) -> AppResult<()> {
    for (kind, key) in keys {
        diesel::delete(lf::table.find((*kind, key.as_str()))).execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_starts_after_five_failures_doubles_and_is_capped() {
        for n in 0..FREE_FAILURES {
            assert_eq!(delay(n, 1000), None, "{n}");
        }
        assert_eq!(delay(5, 1000), Some(Duration::seconds(1)));
        assert_eq!(delay(6, 1000), Some(Duration::seconds(2)));
        assert_eq!(delay(9, 1000), Some(Duration::seconds(16)));
        assert_eq!(delay(15, 1000), Some(Duration::minutes(15)));
        assert_eq!(delay(1000, 1000), Some(Duration::minutes(15)));
    }

    #[test]
    fn retry_after_rounds_up() {
        let now = Utc::now().naive_utc();
        assert_eq!(seconds_until(now + Duration::milliseconds(1001), now), 2);
        assert_eq!(seconds_until(now, now), 1);
    }

    #[test]
    fn keys_fold_the_username() {
        let k = keys(" Brondby.Konsulent ", Some("10.0.0.1"));
        assert_eq!(
            k,
            vec![
                ("user", "brondby.konsulent".to_string()),
                ("addr", "10.0.0.1".to_string())
            ]
        );
    }
}
