//! Server-side sessions: each token names a row here, and a request is served only while
//! that row is live and its user enabled, so logout, disabling and deletion end it at once.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use ring::digest::{digest, SHA256};
use serde_json::json;

use crate::db::schema::{sessions, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;
use crate::on_inner;

/// The row key: a SHA-256 of the token's session id, so a copy of the table can't be
/// replayed as tokens.
fn key(sid: &str) -> String {
    digest(&SHA256, sid.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Opens a session for a user who just logged in; returns the id the token carries
/// (128 random bits). The user's expired sessions go in the same step.
pub fn create(conn: &mut DbConn, user: &AuthUser, ttl_hours: i64) -> AppResult<String> {
    let sid = format!("{:032x}", rand::random::<u128>());
    let now = Utc::now().naive_utc();
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user.id))
            .filter(sessions::expires_at.lt(now)),
    )
    .execute(conn)?;
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(key(&sid)),
            sessions::user_id.eq(user.id),
            sessions::created_at.eq(now),
            sessions::expires_at.eq(now + Duration::hours(ttl_hours)),
        ))
        .execute(conn)?;
    audit::record(conn, Some(user), "user", user.id.0, "login", json!({}))?;
    Ok(sid)
}

/// The per-request check, one primary-key lookup: the session exists, belongs to the
/// token's user, is neither revoked nor expired, and the user is still there and enabled.
pub fn check(conn: &mut DbConn, sid: &str, user: UserId) -> AppResult<()> {
    // Every signed-in request runs this: on the inner connection (`on_inner!`, db/direct.rs).
    let query = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(key(sid)))
        .filter(sessions::user_id.eq(user))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now().naive_utc()))
        .filter(users::disabled_at.is_null())
        .select(sessions::user_id);
    let live = on_inner!(conn, c => query.first::<UserId>(c)).optional()?;
    match live {
        Some(_) => Ok(()),
        None => Err(AppError::Unauthorized("the session has ended".into())),
    }
}

/// Logout: ends this one session.
pub fn revoke(conn: &mut DbConn, user: &AuthUser, sid: &str) -> AppResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(key(sid)))
            .filter(sessions::user_id.eq(user.id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)?;
    audit::record(conn, Some(user), "user", user.id.0, "logout", json!({}))
}

/// Ends every live session of a user (disabled, password reset); returns how many.
pub fn revoke_all(conn: &mut DbConn, user: UserId) -> AppResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)?)
}

/// Ends every live session of a user but the one `keep` names (a password change from
/// that session: the other devices log in again, this one carries on).
pub fn revoke_others(conn: &mut DbConn, user: UserId, keep: &str) -> AppResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user))
            .filter(sessions::id.ne(key(keep)))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(Utc::now().naive_utc()))
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_key_is_a_hash_not_the_id() {
        let k = key("00112233445566778899aabbccddeeff");
        assert_eq!(k.len(), 64);
        assert!(!k.contains("00112233445566778899aabbccddeeff"));
        assert_eq!(k, key("00112233445566778899aabbccddeeff"));
    }
}
