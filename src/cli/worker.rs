//! `mail-worker` and `job-agents`: the service's background work, run from the command line.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use super::CliResult;
use crate::config::Config;
use crate::domain::job_agents;
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
