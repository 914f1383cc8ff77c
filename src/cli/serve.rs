//! `serve` and `migrate`: the web service with its background work, and the schema alone.

use std::net::TcpListener;
use std::sync::atomic::Ordering;

use super::{demo, CliResult};
use crate::config::Config;
use crate::domain::{job_agents, portal_worker, retention};
use crate::{app, mail};

/// Opening the state runs the pending migrations; nothing else to do.
pub fn migrate(config: Config) -> CliResult {
    app::state(config)?;
    tracing::info!("migrations are up to date");
    Ok(())
}

/// Runs the service until it is stopped, with the mail worker and the portal worker (if
/// configured), the job agent scheduler and the daily retention pass beside it.
pub fn serve(config: Config, bind: &str, seed_demo: bool, workers: Option<usize>) -> CliResult {
    // The port first: a taken port must end the process before the database pools and the
    // workers exist (on PostgreSQL, exiting with them alive aborted in a mutex assertion).
    let listener = TcpListener::bind(bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let state = app::state(config)?;
    if seed_demo && demo::seed(&state.db, &state.mail)? {
        tracing::info!("seeded demo data (users <centre>.konsulent / {})", demo::PASSWORD);
    }
    let worker = if state.config.mail_worker {
        let settings = mail::WorkerSettings::from_config(&state.config);
        tracing::info!(host = %settings.smtp.host, port = settings.smtp.port, "mail worker started");
        Some(mail::spawn_worker(state.db.clone(), settings)?)
    } else {
        None
    };
    let portal = match portal_worker::PortalSettings::from_config(&state.config) {
        Some(settings) => {
            tracing::info!(url = %settings.url, "portal worker started");
            Some(portal_worker::spawn(state.db.clone(), state.mail.clone(), settings)?)
        }
        None => {
            tracing::info!("no STAER_PORTAL_URL: orders are confirmed as sent to the portal by hand");
            None
        }
    };
    job_agents::spawn_scheduler(
        state.db.clone(),
        state.mail.clone(),
        std::time::Duration::from_secs(300),
    );
    if state.config.retention_worker {
        // Wakes every 10 minutes; the `jobs` claim lets one instance a day do the pass.
        let policy = retention::Policy {
            months: state.config.retention_months,
        };
        retention::spawn_daily(
            state.db.clone(),
            state.mail.clone(),
            policy,
            std::time::Duration::from_secs(600),
        );
    }
    tracing::info!("listening on http://{}", listener.local_addr()?);
    actix_web::rt::System::new().block_on(app::server(state, listener, workers)?)?;
    for stop in worker.iter().chain(portal.iter()) {
        stop.store(true, Ordering::Relaxed);
    }
    Ok(())
}
