//! Uploaded files waiting for the user's confirmation (the import page previews first):
//! kept in the database under a random token, for the user who uploaded them, for a day.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use rand::distributions::{Alphanumeric, DistString};

use crate::db::schema::import_uploads;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::import::Kind;
use crate::error::{AppError, AppResult};

pub struct Upload {
    pub kind: Kind,
    pub file_name: String,
    pub body: Vec<u8>,
}

/// Stores a file; returns its token. Files older than a day are dropped on the way.
pub fn keep(conn: &mut DbConn, user: &AuthUser, kind: Kind, file_name: &str, body: &[u8]) -> AppResult<String> {
    let now = Utc::now().naive_utc();
    diesel::delete(import_uploads::table.filter(import_uploads::created_at.lt(now - Duration::days(1))))
        .execute(conn)?;
    let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    diesel::insert_into(import_uploads::table)
        .values((
            import_uploads::token.eq(&token),
            import_uploads::user_id.eq(user.id),
            import_uploads::kind.eq(kind.as_str()),
            import_uploads::file_name.eq(file_name),
            import_uploads::body.eq(body),
            import_uploads::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The user's own upload (anyone else's token is unknown).
pub fn load(conn: &mut DbConn, user: &AuthUser, token: &str) -> AppResult<Upload> {
    let (kind, file_name, body): (String, String, Vec<u8>) = import_uploads::table
        .filter(import_uploads::token.eq(token))
        .filter(import_uploads::user_id.eq(user.id))
        .select((import_uploads::kind, import_uploads::file_name, import_uploads::body))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(Upload {
        kind: Kind::parse(&kind)?,
        file_name,
        body,
    })
}

pub fn forget(conn: &mut DbConn, token: &str) -> AppResult<()> {
    diesel::delete(import_uploads::table.filter(import_uploads::token.eq(token))).execute(conn)?;
    Ok(())
}
