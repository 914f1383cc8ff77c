//! `mail-worker`, `job-agents` and `retention`: the service's background work, run from the
//! command line.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::CliResult;
use crate::config::Config;
use crate::domain::{job_agents, jobs, retention};
use crate::{app, mail};

/// Delivers the outbox: what is due once (`--once`), or until the process is killed.
pub fn mail_worker(config: Config, once: bool) -> CliResult {
    let state = app::state(config)?;
    let worker = mail::Worker::new(state.db.clone(), mail::WorkerSettings::from_config(&state.config))?;
    if once {
        let n = worker.run_once()?;
        println!("sent {n}");
    } else {
        // Nothing sets it: the foreground worker runs until the process is killed.
        let stop = Arc::new(AtomicBool::new(false));
        tracing::info!("mail worker running");
        worker.run(&stop);
    }
    Ok(())
}

/// Queues the job agent digests due now.
pub fn job_agents(config: Config) -> CliResult {
    let state = app::state(config)?;
    let n = job_agents::run_due(&state.db, &state.mail, chrono::Utc::now().naive_utc())?;
    println!("queued {n} digests");
    Ok(())
}

/// One retention pass now, claimed like the daily one (so it never runs beside it), or with
/// `--dry-run` only the plan. Prints counts and ids.
pub fn retention(config: Config, dry_run: bool) -> CliResult {
    let state = app::state(config)?;
    let policy = retention::Policy {
        months: state.config.retention_months,
    };
    let now = chrono::Utc::now().naive_utc();
    let plan = if dry_run {
        retention::run(&state.db, &state.mail, policy, now, true)?
    } else {
        let holder = jobs::token();
        let lease = chrono::Duration::hours(6);
        if !state
            .db
            .write_blocking(|c| jobs::claim(c, retention::JOB, &holder, now, lease, None))?
        {
            return Err("another instance is running the retention pass now; try again later".into());
        }
        let result = retention::run(&state.db, &state.mail, policy, now, false);
        state.db.write_blocking(|c| {
            jobs::release(
                c,
                retention::JOB,
                &holder,
                chrono::Utc::now().naive_utc(),
                result.is_ok(),
            )
        })?;
        result?
    };
    let verb = if dry_run { "would" } else { "did" };
    let ids = |v: Vec<i64>| v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    println!(
        "retention ({} months){}",
        policy.months,
        if dry_run { ", dry run" } else { "" }
    );
    println!(
        "{verb} warn {} candidates: {}",
        plan.warn.len(),
        ids(plan.warn.iter().map(|i| i.0).collect())
    );
    println!(
        "{verb} erase {} candidates: {}",
        plan.erase.len(),
        ids(plan.erase.iter().map(|i| i.0).collect())
    );
    println!(
        "{verb} strip {} closed orders: {}",
        plan.strip_orders.len(),
        ids(plan.strip_orders.iter().map(|i| i.0).collect())
    );
    println!(
        "{verb} purge {} mails: {}",
        plan.purge_mails.len(),
        ids(plan.purge_mails.iter().map(|i| i.0).collect())
    );
    Ok(())
}
