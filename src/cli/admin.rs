//! `centre`, `network` and `user`: the administration an operator does before anyone can log in;
//! `user-disable`, `user-enable` and `user-password`: what they do when an account must change.

use super::{CliResult, NetworkAction};
use crate::app;
use crate::config::Config;
use crate::domain::{accounts, sharing};

pub fn centre(config: Config, number: &str, name: &str) -> CliResult {
    let state = app::state(config)?;
    let id = state
        .db
        .write_blocking(|c| sharing::create_centre(c, None, number, name))?;
    println!("job centre {number} {name}: id {id}");
    Ok(())
}

pub fn network(config: Config, action: NetworkAction) -> CliResult {
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
    Ok(())
}

/// The password comes from STAER_NEW_PASSWORD, else one line of stdin, so that it is never
/// an argument (visible in `ps` and shell history). An empty display name is the username.
fn new_password() -> std::io::Result<String> {
    Ok(match std::env::var("STAER_NEW_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    })
}

pub fn user(config: Config, username: &str, centre: &str, display_name: &str, email: &str, admin: bool) -> CliResult {
    let password = new_password()?;
    let state = app::state(config)?;
    let display_name = if display_name.is_empty() {
        username
    } else {
        display_name
    };
    let id = crate::domain::users::create_user(&state.db, username, &password, centre, display_name, email, admin)?;
    println!("user {username}: id {id}");
    Ok(())
}

/// Disables an account; its sessions end at once.
pub fn user_disable(config: Config, username: &str) -> CliResult {
    let state = app::state(config)?;
    let ended = state.db.write_blocking(|c| accounts::disable(c, None, username))?;
    println!("user {username} disabled; {ended} session(s) ended");
    Ok(())
}

pub fn user_enable(config: Config, username: &str) -> CliResult {
    let state = app::state(config)?;
    state.db.write_blocking(|c| accounts::enable(c, None, username))?;
    println!("user {username} enabled");
    Ok(())
}

/// Sets a new password (same input as `user`); the account's sessions end.
pub fn user_password(config: Config, username: &str) -> CliResult {
    let hash = accounts::hash_new_password(&new_password()?)?;
    let state = app::state(config)?;
    let ended = state
        .db
        .write_blocking(|c| accounts::set_password(c, None, username, &hash))?;
    println!("password of {username} set; {ended} session(s) ended");
    Ok(())
}
