//! Writing the planned rows, one transaction and one progress bar per phase; then the
//! planner statistics and the report's busiest coordinators.

use std::time::Instant;

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::bulk::{load_table, without_indexes};
use super::rows::{write_rows, Tables};
use super::{PhaseTime, SeedOptions, SeedReport};
use crate::db::schema::{
    audit_log, candidate_wishes, candidates, companies, decision_times, job_centres, job_orders, network_members,
    network_referral_counts, networks, order_notifications, order_shares, referral_counts, referral_events, referrals,
    users,
};
use crate::db::{Db, DbConn};
use crate::domain::referral::State;
use crate::domain::report_counts;
use crate::error::AppResult;

/// Runs each phase in its own write transaction, timing it into the report.
struct Phases<'a> {
    db: &'a Db,
    progress: bool,
    style: ProgressStyle,
    report: &'a mut SeedReport,
}

impl Phases<'_> {
    fn run(
        &mut self,
        name: &'static str,
        rows: u64,
        f: &dyn Fn(&mut DbConn, &ProgressBar) -> AppResult<()>,
    ) -> AppResult<()> {
        let target = if self.progress {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(rows), target)
            .with_style(self.style.clone())
            .with_message(name);
        let t = Instant::now();
        self.db.write_blocking(|c| {
            if let DbConn::Sqlite(s) = c {
                // A phase's pages stay in the page cache (4 GiB holds the biggest table of a
                // 10x seed; SQLite takes the memory only as pages are used), and no memory
                // map: with one, SQLite looks every page up in the WAL's index before its
                // cache (walFindFrame), and a phase's WAL grows to millions of frames. A 10x
                // seed spent most of its time there.
                s.batch_execute("PRAGMA mmap_size = 0; PRAGMA cache_size = -4194304")?;
            }
            f(c, &bar)
        })?;
        bar.finish_and_clear();
        let seconds = t.elapsed().as_secs_f64();
        if self.progress {
            eprintln!("{name:<16} {rows:>10} rows {seconds:>8.2} s");
        }
        self.report.phases.push(PhaseTime { name, rows, seconds });
        Ok(())
    }
}

/// Writes the tables in dependency order, freeing each once written (a million-referral plan
/// is gigabytes).
pub(super) fn write(
    db: &Db,
    opts: &SeedOptions,
    t: Tables,
    now: NaiveDateTime,
    report: &mut SeedReport,
) -> AppResult<()> {
    let style = ProgressStyle::with_template("{msg:<14} [{bar:40}] {human_pos}/{human_len} {per_sec} eta {eta}")
        .expect("template")
        .progress_chars("=> ");
    let mut phases = Phases {
        db,
        progress: opts.progress,
        style,
        report,
    };
    let small = (t.centres.len() + t.networks.len() + t.members.len() + t.users.len() + t.companies.len()) as u64;
    phases.run("centres, users", small, &|c, bar| {
        write_rows!(c, job_centres::table, t.centres, 4, bar);
        write_rows!(c, networks::table, t.networks, 2, bar);
        write_rows!(c, network_members::table, t.members, 2, bar);
        write_rows!(c, users::table, t.users, 9, bar);
        write_rows!(c, companies::table, t.companies, 5, bar);
        Ok(())
    })?;
    phases.run("orders", t.orders.len() as u64, &|c, bar| {
        load_table!(c, job_orders, t.orders, 32, bar)
    })?;
    drop(t.orders);
    let n = (t.shares.len() + t.notifications.len()) as u64;
    phases.run("shares", n, &|c, bar| {
        report_counts::bulk_insert_shares(c, |c| load_table!(c, order_shares, t.shares, 5, bar))?;
        load_table!(c, order_notifications, t.notifications, 5, bar)
    })?;
    drop(t.notifications);
    phases.run("candidates", t.candidates.len() as u64, &|c, bar| {
        report_counts::bulk_insert_candidates(c, |c| load_table!(c, candidates, t.candidates, 15, bar))?;
        // The wishes carry their candidate's fields already: no per-row fill (an UPDATE each).
        report_counts::without_trigger(c, "candidate_wishes", "candidate_wishes_fill", |c| {
            load_table!(c, candidate_wishes, t.wishes, 8, bar)
        })
    })?;
    drop(t.candidates);
    drop(t.wishes);
    phases.run("referrals", t.referrals.len() as u64, &|c, bar| {
        // The counts come from memory, as the triggers would have made them.
        report_counts::without_referral_counting(c, |c| {
            load_table!(c, referrals, t.referrals, 10, bar)?;
            let quiet = ProgressBar::hidden();
            write_rows!(c, referral_counts::table, t.counts.referrals, 5, quiet);
            write_rows!(c, network_referral_counts::table, t.counts.networks, 5, quiet);
            Ok(())
        })
    })?;
    let n_referrals = t.referrals.len();
    drop(t.referrals);
    phases.run("referral events", t.events.len() as u64, &|c, bar| {
        // The decision times too, their index built after them.
        without_indexes(c, "decision_times", |c| {
            report_counts::without_decision_timing(c, |c| {
                load_table!(c, referral_events, t.events, 7, bar)?;
                write_rows!(c, decision_times::table, t.counts.decisions, 4, ProgressBar::hidden());
                Ok(())
            })
        })?;
        finish(c, opts, n_referrals, now)
    })?;
    Ok(())
}

/// One audit row for the whole data set (the per-row history is in referral_events), and on
/// PostgreSQL the sequences moved past the ids given explicitly.
fn finish(c: &mut DbConn, opts: &SeedOptions, n_referrals: usize, now: NaiveDateTime) -> AppResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::at.eq(now),
            audit_log::actor_id.eq(None::<i64>),
            audit_log::job_centre_id.eq(None::<i64>),
            audit_log::entity.eq("seed"),
            audit_log::entity_id.eq(0i64),
            audit_log::action.eq("seeded"),
            audit_log::detail.eq(serde_json::json!({
                "centres": opts.centres, "orders": opts.orders, "referrals": n_referrals, "seed": opts.rng_seed,
            })
            .to_string()),
        ))
        .execute(c)?;
    if let DbConn::Pg(pg) = c {
        for t in [
            "job_centres",
            "networks",
            "users",
            "companies",
            "job_orders",
            "order_shares",
            "candidates",
            "referrals",
            "referral_events",
            "audit_log",
        ] {
            pg.batch_execute(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
            ))?;
        }
    }
    Ok(())
}

/// Planner statistics, as a maintained database has them (autovacuum on PostgreSQL does
/// this by itself later; SQLite only with ANALYZE). Outside a transaction: VACUUM needs that.
pub(super) fn analyze(db: &Db, report: &mut SeedReport) -> AppResult<()> {
    let t = Instant::now();
    {
        let mut c = db.reader()?;
        match &mut **c {
            DbConn::Pg(pg) => pg.batch_execute("VACUUM ANALYZE")?,
            // The bundled SQLite has STAT4: with per-value samples in sqlite_stat4, every
            // execution of a cached statement whose bound values could change the plan is
            // re-prepared (sqlite3Reprepare inside sqlite3_step). Keep the table-level stat1 only.
            DbConn::Sqlite(s) => {
                s.batch_execute("ANALYZE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?;
                crate::db::checkpoint::truncate(&mut c)?;
            }
        }
    }
    report.phases.push(PhaseTime {
        name: "analyze",
        rows: 0,
        seconds: t.elapsed().as_secs_f64(),
    });
    Ok(())
}

/// Pending referrals on open orders per coordinator, the top 3.
pub(super) fn busiest_coordinators(db: &Db) -> AppResult<Vec<(String, i64)>> {
    db.read_blocking(|c| {
        Ok(job_orders::table
            .inner_join(referrals::table.on(referrals::order_id.eq(job_orders::id)))
            .inner_join(users::table.on(users::id.eq(job_orders::coordinator_id)))
            .filter(job_orders::status.eq("open"))
            .filter(referrals::state.eq(State::PendingApproval.as_str()))
            .group_by(users::username)
            .select((users::username, diesel::dsl::count_star()))
            .order(diesel::dsl::count_star().desc())
            .limit(3)
            .load::<(String, i64)>(c)?)
    })
}
