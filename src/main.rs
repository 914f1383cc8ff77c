use std::net::TcpListener;

use clap::{Parser, Subcommand};
use staer_hub::{app, config::Config, demo};

#[derive(Parser)]
#[command(
    name = "staer-hub",
    version,
    about = "Job-order sharing between job centres"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_web=info".into()),
        )
        .init();
    match run(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env();
    match cli.command {
        Command::Migrate => {
            app::state(config)?;
            tracing::info!("migrations are up to date");
        }
        Command::Serve {
            bind,
            demo,
            workers,
        } => {
            let state = app::state(config)?;
            if demo && demo::seed(&state.db)? {
                tracing::info!(
                    "seeded demo data (users <centre>.konsulent / {})",
                    demo::PASSWORD
                );
            }
            let listener = TcpListener::bind(&bind)?;
            tracing::info!("listening on http://{}", listener.local_addr()?);
            actix_web::rt::System::new().block_on(app::server(state, listener, workers)?)?;
        }
    }
    Ok(())
}
