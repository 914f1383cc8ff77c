//! The command line: the clap definition of every subcommand and its dispatch.
//! The work bigger than a call into the domain lives beside it: demo and benchmark data.

pub mod demo;
pub mod seed;

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::domain::{job_agents, sharing};
use crate::{app, config::Config, mail};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "staer-hub", version, about = "Job-order sharing between job centres")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the web service (database from DATABASE_URL; default: SQLite file staer-hub.db).
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed the demo data (once; a second run leaves it as it is).
        #[arg(long)]
        demo: bool,
        /// HTTP worker threads (default: one per core).
        #[arg(long)]
        workers: Option<usize>,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Deliver the outbox over SMTP (the same worker `serve` runs inside).
    MailWorker {
        /// Deliver what is due once and exit.
        #[arg(long)]
        once: bool,
    },
    /// Queue the job agent digests that are due now, and exit.
    JobAgents,
    /// Fill a fresh database with a benchmark data set (users `cNNN.konsulentK` / demo).
    Seed {
        #[arg(long, default_value_t = 100)]
        centres: usize,
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
        #[arg(long, default_value_t = 1_000_000)]
        referrals: usize,
        /// Random seed: the same seed gives the same data set.
        #[arg(long, default_value_t = 7412)]
        seed: u64,
    },
    /// Create a job centre.
    Centre {
        /// Authority number, e.g. 15.300
        number: String,
        /// Name, e.g. Brøndby
        name: String,
    },
    /// Manage networks of job centres.
    Network {
        #[command(subcommand)]
        action: NetworkAction,
    },
    /// Create a user of a job centre (password from STAER_NEW_PASSWORD or prompt-less stdin line).
    User {
        username: String,
        /// Authority number of the user's job centre.
        centre: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
pub enum NetworkAction {
    /// Create a network.
    Create { name: String },
    /// Add a job centre (by authority number) to a network.
    Add { name: String, number: String },
    /// Remove a job centre from a network.
    Remove { name: String, number: String },
    /// List networks and their members.
    List,
}

/// Logs go to stderr; stdout carries the subcommands' answers.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,actix_web=info".into()),
        )
        .init();
}

pub fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env();
    match cli.command {
        Command::Migrate => {
            app::state(config)?;
            tracing::info!("migrations are up to date");
        }
        Command::Serve { bind, demo, workers } => {
            let state = app::state(config)?;
            if demo && demo::seed(&state.db, &state.mail)? {
                tracing::info!("seeded demo data (users <centre>.konsulent / {})", demo::PASSWORD);
            }
            let worker = if state.config.mail_worker {
                let settings = mail::WorkerSettings::from_config(&state.config);
                tracing::info!(host = %settings.smtp.host, port = settings.smtp.port, "mail worker started");
                Some(mail::spawn_worker(state.db.clone(), settings)?)
            } else {
                None
            };
            job_agents::spawn_scheduler(
                state.db.clone(),
                state.mail.clone(),
                std::time::Duration::from_secs(300),
            );
            let listener = TcpListener::bind(&bind)?;
            tracing::info!("listening on http://{}", listener.local_addr()?);
            actix_web::rt::System::new().block_on(app::server(state, listener, workers)?)?;
            if let Some(stop) = worker {
                stop.store(true, Ordering::Relaxed);
            }
        }
        Command::MailWorker { once } => {
            let state = app::state(config)?;
            let worker = mail::Worker::new(state.db.clone(), mail::WorkerSettings::from_config(&state.config))?;
            if once {
                let n = worker.run_once()?;
                println!("sent {n}");
            } else {
                let stop = Arc::new(AtomicBool::new(false));
                tracing::info!("mail worker running");
                worker.run(&stop);
            }
        }
        Command::JobAgents => {
            let state = app::state(config)?;
            let n = job_agents::run_due(&state.db, &state.mail, chrono::Utc::now().naive_utc())?;
            println!("queued {n} digests");
        }
        Command::Seed {
            centres,
            orders,
            referrals,
            seed,
        } => {
            let state = app::state(config)?;
            let opts = crate::cli::seed::SeedOptions {
                centres,
                orders,
                referrals,
                rng_seed: seed,
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            };
            print!("{}", crate::cli::seed::run(&state.db, &opts)?);
        }
        Command::Centre { number, name } => {
            let state = app::state(config)?;
            let id = state
                .db
                .write_blocking(|c| sharing::create_centre(c, None, &number, &name))?;
            println!("job centre {number} {name}: id {id}");
        }
        Command::Network { action } => {
            let state = app::state(config)?;
            match action {
                NetworkAction::Create { name } => {
                    state.db.write_blocking(|c| sharing::create_network(c, None, &name))?;
                    println!("network {name} created");
                }
                NetworkAction::Add { name, number } => {
                    state
                        .db
                        .write_blocking(|c| sharing::add_member(c, None, &name, &number))?;
                    println!("{number} added to {name}");
                }
                NetworkAction::Remove { name, number } => {
                    state
                        .db
                        .write_blocking(|c| sharing::remove_member(c, None, &name, &number))?;
                    println!("{number} removed from {name}");
                }
                NetworkAction::List => {
                    for n in state.db.read_blocking(sharing::list_networks)? {
                        let members: Vec<String> = n
                            .members
                            .iter()
                            .map(|m| format!("{} {}", m.authority_number, m.name))
                            .collect();
                        println!("{}: {}", n.name, members.join(", "));
                    }
                }
            }
        }
        Command::User {
            username,
            centre,
            display_name,
            email,
            admin,
        } => {
            let password = match std::env::var("STAER_NEW_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let state = app::state(config)?;
            let id = crate::web::auth::create_user(
                &state.db,
                &username,
                &password,
                &centre,
                if display_name.is_empty() {
                    &username
                } else {
                    &display_name
                },
                &email,
                admin,
            )?;
            println!("user {username}: id {id}");
        }
    }
    Ok(())
}
