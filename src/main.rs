//! The `staer-hub` binary: parses the command line; `staer_hub::cli` does the rest.

use clap::Parser;
use staer_hub::cli;

fn main() -> std::process::ExitCode {
    cli::init_logging();
    match cli::run(cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
