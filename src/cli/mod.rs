//! The command line: the clap definition of every subcommand, and the dispatch to the file
//! of its group (serve, worker, admin, seed, demo).

mod admin;
pub mod demo;
mod import;
pub mod seed;
mod serve;
mod worker;

use clap::{Parser, Subcommand};

use crate::config::Config;

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
    /// Apply the retention rules now (STAER_RETENTION_MONTHS): warn, erase, strip, purge.
    Retention {
        /// Only print what would be done (counts and ids); change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Fill a fresh database with a benchmark data set (users `cNNN.konsulentK` / demo).
    Seed {
        #[arg(long, default_value_t = 100)]
        centres: usize,
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
        #[arg(long, default_value_t = 1_000_000)]
        referrals: usize,
        /// Multiply orders and referrals (and candidates) by N: 1, 3, 10 give 100k / 300k / 1M
        /// orders and 1M / 3M / 10M referrals. The centres stay as they are.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
        scale: u32,
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
    /// Import orders or candidates from a CSV or XLSX file (the case software's export).
    Import {
        /// `orders` or `candidates`.
        kind: String,
        file: std::path::PathBuf,
        /// Authority number of the importing job centre, e.g. 15.300
        #[arg(long)]
        centre: String,
        /// The user the import is recorded as (default: the centre's first user).
        #[arg(long)]
        user: Option<String>,
        /// Check and count; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows of a file with errors.
        #[arg(long)]
        skip_invalid: bool,
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
    /// Disable a user: login is refused and every session of theirs ends at once.
    UserDisable { username: String },
    /// Enable a disabled user again.
    UserEnable { username: String },
    /// Set a user's password (from STAER_NEW_PASSWORD or one stdin line); their sessions end.
    UserPassword { username: String },
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

/// What every subcommand returns; `main` prints the error and exits with failure.
pub type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Runs one subcommand. The configuration comes from the environment (`Config::from_env`).
pub fn run(cli: Cli) -> CliResult {
    let config = Config::from_env();
    match cli.command {
        Command::Migrate => serve::migrate(config),
        Command::Serve { bind, demo, workers } => serve::serve(config, &bind, demo, workers),
        Command::MailWorker { once } => worker::mail_worker(config, once),
        Command::JobAgents => worker::job_agents(config),
        Command::Retention { dry_run } => worker::retention(config, dry_run),
        Command::Seed {
            centres,
            orders,
            referrals,
            scale,
            seed,
        } => seed::command(
            config,
            &seed::SeedOptions {
                centres,
                orders: orders * scale as usize,
                referrals: referrals * scale as usize,
                rng_seed: seed,
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            },
        ),
        Command::Centre { number, name } => admin::centre(config, &number, &name),
        Command::Import {
            kind,
            file,
            centre,
            user,
            dry_run,
            skip_invalid,
        } => import::run(
            config,
            import::ImportArgs {
                kind,
                file,
                centre,
                user,
                options: crate::domain::import::Options { dry_run, skip_invalid },
            },
        ),
        Command::Network { action } => admin::network(config, action),
        Command::User {
            username,
            centre,
            display_name,
            email,
            admin,
        } => admin::user(config, &username, &centre, &display_name, &email, admin),
        Command::UserDisable { username } => admin::user_disable(config, &username),
        Command::UserEnable { username } => admin::user_enable(config, &username),
        Command::UserPassword { username } => admin::user_password(config, &username),
    }
}
