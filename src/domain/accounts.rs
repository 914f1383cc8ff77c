//! What an administrator does to accounts: list and search them, create one, disable one (its
//! sessions end at once), enable it again, and set a new password (which also ends its
//! sessions); and a user changing their own password. Each change is audited.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{job_centres, users};
use crate::db::{like_pattern, lower, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::sharing::Page;
use crate::domain::users::NewUser;
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

/// Users on one page of the administrator's list.
pub const USERS_PER_PAGE: i64 = 50;

/// One account as the administrator's list shows it (never the hash).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub centre_number: String,
    pub centre_name: String,
    pub admin: bool,
    pub disabled: bool,
    pub disabled_at: Option<NaiveDateTime>,
}

type AccountTuple = (String, String, String, String, String, String, Option<NaiveDateTime>);

const ACCOUNT_COLUMNS: (
    users::username,
    users::display_name,
    users::email,
    job_centres::authority_number,
    job_centres::name,
    users::role,
    users::disabled_at,
) = (
    users::username,
    users::display_name,
    users::email,
    job_centres::authority_number,
    job_centres::name,
    users::role,
    users::disabled_at,
);

fn account(row: AccountTuple) -> Account {
    let (username, display_name, email, centre_number, centre_name, role, disabled_at) = row;
    Account {
        username,
        display_name,
        email,
        centre_number,
        centre_name,
        admin: role == "admin",
        disabled: disabled_at.is_some(),
        disabled_at,
    }
}

/// One account by its username; 404 when there is none.
pub fn find(conn: &mut DbConn, actor: &AuthUser, username: &str) -> AppResult<Account> {
    actor.require_admin("manage user accounts")?;
    users::table
        .inner_join(job_centres::table)
        .filter(users::username.eq(username.trim()))
        .select(ACCOUNT_COLUMNS)
        .first::<AccountTuple>(conn)
        .optional()?
        .map(account)
        .ok_or(AppError::NotFound)
}

/// A page of accounts by username; `q` finds a part of the username, name or email, in any case.
pub fn list(conn: &mut DbConn, actor: &AuthUser, q: &str, page: i64) -> AppResult<Page<Account>> {
    actor.require_admin("manage user accounts")?;
    let page = page.clamp(1, i64::MAX / USERS_PER_PAGE);
    let pattern = Some(q.trim()).filter(|q| !q.is_empty()).map(like_pattern);
    let query = || {
        let mut query = users::table.inner_join(job_centres::table).into_boxed();
        if let Some(p) = &pattern {
            query = query.filter(
                lower(users::username)
                    .like(p.clone())
                    .escape('\\')
                    .or(lower(users::display_name).like(p.clone()).escape('\\'))
                    .or(lower(users::email).like(p.clone()).escape('\\')),
            );
        }
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<AccountTuple> = query()
        .select(ACCOUNT_COLUMNS)
        .order(users::username)
        .limit(USERS_PER_PAGE)
        .offset((page - 1) * USERS_PER_PAGE)
        .load(conn)?;
    let items = rows.into_iter().map(account).collect();
    Ok(Page::new(items, total, page, USERS_PER_PAGE))
}

/// Checks a new account's fields and hashes its password (slow: run it off the async threads).
pub fn check_and_hash(new: &NewUser, password: &str) -> AppResult<String> {
    accounts::check_new_user(new)?;
    hash_new_password(password)
}

/// An administrator creates an account, its fields checked by `users::check_new_user` and its
/// password hashed by `hash_new_password` beforehand.
pub fn create(conn: &mut DbConn, actor: &AuthUser, new: &NewUser, hash: &str) -> AppResult<crate::ids::UserId> {
    actor.require_admin("manage user accounts")?;
    accounts::insert_user(conn, Some(actor), new, hash)
}

/// The stored hash of the user's own password, when `current` is that password; otherwise
/// a refusal on the `current` field. (Slow: it checks a hash.)
pub fn verify_own(conn: &mut DbConn, user: &AuthUser, current: &str) -> AppResult<String> {
    let hash: String = users::table
        .find(user.id)
        .select(users::password_hash)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))?;
    if !accounts::verify_password(current, &hash) {
        return Err(AppError::invalid("current", "is not your current password"));
    }
    Ok(hash)
}

/// The user's own new password, in place of the one `verify_own` checked (`old`, which must
/// still be stored: two changes at once don't both win). Every other session of the user
/// ends; the one `keep_sid` names carries on. Returns how many ended.
pub fn change_own(conn: &mut DbConn, user: &AuthUser, keep_sid: &str, old: &str, new: &str) -> AppResult<usize> {
    let changed = diesel::update(users::table.find(user.id).filter(users::password_hash.eq(old)))
        .set(users::password_hash.eq(new))
        .execute(conn)?;
    if changed == 0 {
        return Err(AppError::Conflict(
            "the password was changed meanwhile; try again".into(),
        ));
    }
    let ended = sessions::revoke_others(conn, user.id, keep_sid)?;
    audit::record(
        conn,
        Some(user),
        "user",
        user.id.0,
        "password_changed",
        json!({ "sessions_ended": ended }),
    )?;
    Ok(ended)
}
