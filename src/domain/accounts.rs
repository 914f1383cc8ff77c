//! What an administrator does to an account: disable it (its sessions end at once), enable it
//! again, and set a new password (which also ends its sessions). Each is audited.

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::users;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::{audit, sessions, users as accounts};
use crate::error::{AppError, AppResult};
use crate::ids::UserId;

fn user_id(conn: &mut DbConn, username: &str) -> AppResult<UserId> {
    users::table
        .filter(users::username.eq(username.trim()))
        .select(users::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Only an administrator (or the operator's CLI, `actor` None) manages accounts.
fn allowed(actor: Option<&AuthUser>) -> AppResult<()> {
    actor.map_or(Ok(()), |a| a.require_admin("manage user accounts"))
}

/// Disables an account and ends every session of it; returns how many ended.
pub fn disable(conn: &mut DbConn, actor: Option<&AuthUser>, username: &str) -> AppResult<usize> {
    allowed(actor)?;
    let id = user_id(conn, username)?;
    if actor.is_some_and(|a| a.id == id) {
        return Err(AppError::Conflict(
            "an administrator can't disable their own account".into(),
        ));
    }
    diesel::update(users::table.find(id).filter(users::disabled_at.is_null()))
        .set(users::disabled_at.eq(Some(Utc::now().naive_utc())))
        .execute(conn)?;
    let ended = sessions::revoke_all(conn, id)?;
    audit::record(
        conn,
        actor,
        "user",
        id.0,
        "disabled",
        json!({ "sessions_ended": ended }),
    )?;
    Ok(ended)
}

pub fn enable(conn: &mut DbConn, actor: Option<&AuthUser>, username: &str) -> AppResult<()> {
    allowed(actor)?;
    let id = user_id(conn, username)?;
    diesel::update(users::table.find(id))
        .set(users::disabled_at.eq(None::<chrono::NaiveDateTime>))
        .execute(conn)?;
    audit::record(conn, actor, "user", id.0, "enabled", json!({}))
}

/// The rule on new passwords, checked before the (slow) hash is made.
pub fn check_password(password: &str) -> AppResult<()> {
    if password.chars().count() < 8 {
        return Err(AppError::invalid("password", "must be at least 8 characters"));
    }
    Ok(())
}

/// Hashes a new password (outside any transaction: it takes a while).
pub fn hash_new_password(password: &str) -> AppResult<String> {
    check_password(password)?;
    accounts::hash_password(password)
}

/// Sets a password hash from `hash_new_password` and ends the account's sessions.
pub fn set_password(conn: &mut DbConn, actor: Option<&AuthUser>, username: &str, hash: &str) -> AppResult<usize> {
    allowed(actor)?;
    let id = user_id(conn, username)?;
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)?;
    let ended = sessions::revoke_all(conn, id)?;
    // The hash never goes into the log.
    audit::record(
        conn,
        actor,
        "user",
        id.0,
        "password_set",
        json!({ "sessions_ended": ended }),
    )?;
    Ok(ended)
}
