//! Queue rows claimed with a lease (the mail outbox, the portal transfers): which rows are
//! due, the compare-and-set claim, and the retry delay. Shared so both queues stay safe
//! with several workers on one database.

use std::time::Duration;

use chrono::{NaiveDateTime, Utc};

/// A queue worker's loop until `stop` is set: the next pass at once while passes find work,
/// after `poll` when idle or after an error (logged; the next pass retries it).
pub fn poll_until(
    stop: &std::sync::atomic::AtomicBool,
    poll: Duration,
    worker: &str,
    mut pass: impl FnMut() -> crate::error::AppResult<usize>,
) {
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        match pass() {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, worker, "queue worker pass failed"),
        }
        std::thread::sleep(poll);
    }
}

/// A worker's claim: its token marks the rows it holds until `duration` has passed.
#[derive(Clone, Debug)]
pub struct Lease {
    pub token: String,
    pub duration: Duration,
}

impl Lease {
    /// A token unique to this worker (process, start time, random).
    pub fn new(duration: Duration) -> Lease {
        Lease {
            token: format!(
                "{}-{}-{:x}",
                std::process::id(),
                Utc::now().timestamp_micros(),
                rand::random::<u32>()
            ),
            duration,
        }
    }

    pub fn until(&self, now: NaiveDateTime) -> NaiveDateTime {
        now + chrono::Duration::from_std(self.duration).unwrap_or_default()
    }
}

/// Delay before the next try after `attempts` failures: `first * 2^(attempts-1)`, at most `max`.
pub fn backoff(first: Duration, max: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow((attempts.max(1) - 1) as u32);
    first.saturating_mul(factor).min(max)
}

/// The filter of a queue table's rows that are due at `$now`: pending, their time has come,
/// and no live lease on them. The table needs `status`, `next_attempt_at`, `locked_until`.
#[macro_export]
macro_rules! lease_due {
    ($table:ident, $now:expr) => {
        $table::status
            .eq("pending")
            .and($table::next_attempt_at.le($now))
            .and($table::locked_until.is_null().or($table::locked_until.lt($now)))
    };
}

/// Claims the rows `$ids` of a queue table for `$lease` (a `Lease`) inside the caller's
/// write transaction: a conditional update per row (compare-and-set on the lease), so of two
/// workers, on one database or two instances on PostgreSQL, exactly one wins a row.
/// Evaluates to `Vec` of the ids won; `?` propagates database errors.
#[macro_export]
macro_rules! lease_claim {
    ($conn:expr, $table:ident, $ids:expr, $lease:expr, $now:expr) => {{
        let (now, lease) = ($now, $lease);
        let until = lease.until(now);
        let mut won = Vec::new();
        for id in $ids {
            let n = diesel::update(
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::status.eq("pending"))
                    .filter($table::locked_until.is_null().or($table::locked_until.lt(now))),
            )
            .set((
                $table::locked_until.eq(Some(until)),
                $table::locked_by.eq(Some(&lease.token)),
            ))
            .execute($conn)?;
            if n == 1 {
                won.push(id);
            }
        }
        won
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let (first, max) = (Duration::from_secs(2), Duration::from_secs(60));
        assert_eq!(backoff(first, max, 1), Duration::from_secs(2));
        assert_eq!(backoff(first, max, 3), Duration::from_secs(8));
        assert_eq!(backoff(first, max, 30), Duration::from_secs(60));
    }
}
