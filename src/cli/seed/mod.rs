//! `staer-hub seed`: a benchmark-sized data set (by default 100 centres, 100,000 orders,
//! 1,000,000 referrals) with realistic skew, on SQLite or PostgreSQL.
//!
//! Everything is planned in memory first (ids are assigned here, so rows can refer to each
//! other without reading back), then written table by table in one transaction per phase.
//! The `DbConn` enum can't batch-insert a `Vec`, so the writer matches on the inner
//! connection: multi-row INSERTs on SQLite, binary `COPY` on PostgreSQL.
//!
//! Phase by phase: `centres` (and networks, users), `orders` (and companies, shares),
//! `candidates` (and wishes), `referrals` (and their history), `counts` (the reports' kept
//! tables); `write` writes them. The draws come from one RNG in a fixed order, so a seed
//! gives the same data on every run (apart from "now", which the whole history is relative
//! to, and the password hash's salt).

mod bulk;
mod candidates;
mod centres;
mod counts;
mod orders;
mod referrals;
mod rows;
#[cfg(test)]
mod tests;
mod words;
mod write;

use std::time::Instant;

use chrono::{Duration, NaiveDateTime, Timelike, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::db::schema::job_centres;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use rows::Tables;

/// The password of every seeded user.
pub const PASSWORD: &str = "demo";

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub centres: usize,
    pub orders: usize,
    pub referrals: usize,
    /// The same seed gives the same data (apart from "now").
    pub rng_seed: u64,
    /// Draw progress bars (on a terminal).
    pub progress: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            centres: 100,
            orders: 100_000,
            referrals: 1_000_000,
            rng_seed: 7412,
            progress: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PhaseTime {
    pub name: &'static str,
    pub rows: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub phases: Vec<PhaseTime>,
    /// Pending referrals on open orders, per coordinator's username, most first (top 3).
    pub busiest_coordinators: Vec<(String, i64)>,
}

impl SeedReport {
    pub fn total_seconds(&self) -> f64 {
        self.phases.iter().map(|p| p.seconds).sum()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:<16} {:>10} {:>9} {:>11}", "phase", "rows", "seconds", "rows/s")?;
        for p in &self.phases {
            let rate = if p.seconds > 0.0 {
                p.rows as f64 / p.seconds
            } else {
                0.0
            };
            writeln!(f, "{:<16} {:>10} {:>9.2} {:>11.0}", p.name, p.rows, p.seconds, rate)?;
        }
        let rows: u64 = self.phases.iter().map(|p| p.rows).sum();
        writeln!(f, "{:<16} {:>10} {:>9.2}", "total", rows, self.total_seconds())?;
        for (u, n) in &self.busiest_coordinators {
            writeln!(f, "coordinator {u}: {n} pending referrals on open orders")?;
        }
        Ok(())
    }
}

/// The seed's clock: the history is the two years up to `now` (whole seconds).
struct Timeline {
    now: NaiveDateTime,
    t0: NaiveDateTime,
    /// `now - t0` in seconds.
    span: i64,
}

impl Timeline {
    fn ending_now() -> Self {
        let now = Utc::now().naive_utc().with_nanosecond(0).expect("0 ns is valid");
        let span = 730 * 24 * 3600;
        Timeline {
            now,
            t0: now - Duration::seconds(span),
            span,
        }
    }
}

/// Runs the whole seed; needs a database without job centres.
pub fn run(db: &Db, opts: &SeedOptions) -> AppResult<SeedReport> {
    if opts.centres == 0 || opts.orders == 0 {
        return Err(AppError::invalid(
            "centres",
            "seed needs at least one centre and one order",
        ));
    }
    let existing: i64 = db.read_blocking(|c| Ok(job_centres::table.count().get_result(c)?))?;
    if existing > 0 {
        return Err(AppError::Conflict(
            "the database already has job centres: seed needs a fresh database \
             (a new SQLite file or a new PostgreSQL database)"
                .into(),
        ));
    }
    let mut report = SeedReport::default();
    let started = Instant::now();
    let hash = crate::domain::users::hash_password(PASSWORD)?;
    let mut rng = StdRng::seed_from_u64(opts.rng_seed);
    let time = Timeline::ending_now();
    let tables = plan(&mut rng, opts, &time, &hash)?;
    report.phases.push(PhaseTime {
        name: "plan (memory)",
        rows: 0,
        seconds: started.elapsed().as_secs_f64(),
    });
    write::write(db, opts, tables, time.now, &mut report)?;
    write::analyze(db, &mut report)?;
    report.busiest_coordinators = write::busiest_coordinators(db)?;
    Ok(report)
}

/// Plans every row in memory. The order of the calls is the order of the RNG's draws: a
/// change here changes every seeded data set after it.
fn plan(rng: &mut StdRng, opts: &SeedOptions, time: &Timeline, hash: &str) -> AppResult<Tables> {
    let centres = centres::plan(rng, opts.centres)?;
    let mut orders = orders::plan(rng, opts.orders, &centres, time);
    let companies = orders::companies(rng, &mut orders, &centres, time.t0);
    let (mut cands, consenting) = candidates::plan(rng, opts.referrals, &centres);
    let (mut referrals, mut events) = referrals::plan(
        rng,
        opts.referrals,
        &mut orders,
        &mut cands,
        &consenting,
        &centres,
        time.now,
    )?;
    referrals::renumber(&mut referrals, &mut events);
    let users = centres::user_rows(rng, &centres, hash, time.t0);
    let places = crate::geo::all();
    let ctx = orders::RowContext {
        centres: &centres,
        companies: &companies,
        places: &places,
    };
    let order_rows = orders::rows(rng, &orders, &ctx);
    drop(orders);
    let candidates = candidates::rows(rng, &cands, &centres, &places, time, &mut referrals);
    drop(cands);
    let wishes = candidates::wishes(rng, &candidates);
    let counts = counts::plan(&order_rows.orders, &order_rows.shares, &referrals, &events);
    Ok(Tables {
        centres: centres::centre_rows(&centres),
        networks: centres::network_rows(&centres),
        members: centres::member_rows(&centres),
        users,
        companies,
        orders: order_rows.orders,
        shares: order_rows.shares,
        notifications: order_rows.notifications,
        candidates,
        wishes,
        referrals,
        events,
        counts,
    })
}

/// `staer-hub seed`: runs the seed on the configured database and prints its report.
pub fn command(config: crate::config::Config, opts: &SeedOptions) -> crate::cli::CliResult {
    let state = crate::app::state(config)?;
    print!("{}", run(&state.db, opts)?);
    Ok(())
}
