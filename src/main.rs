//! The `staer-hub` binary: parses the command line; `staer_hub::cli` does the rest.

use clap::Parser;
use staer_hub::cli;

fn main() -> std::process::ExitCode {
    cli::init_logging();
    match cli::run(cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The operator sees an internal error's cause (the HTTP answer hides it from clients).
            match e.downcast_ref::<staer_hub::error::AppError>() {
                Some(staer_hub::error::AppError::Internal(cause)) => eprintln!("error: internal error: {cause}"),
                _ => eprintln!("error: {e}"),
            }
            std::process::ExitCode::FAILURE
        }
    }
}
