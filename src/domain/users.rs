//! Users: accounts, passwords, login, profile and language, and colleagues of a centre.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{job_centres, users};
use crate::db::DbConn;
use crate::domain::actor::{AuthUser, Role};
use crate::domain::validate::check_email;
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub email: String,
    pub job_centre_id: JobCentreId,
    pub role: String,
    pub language: String,
    /// Set by an administrator: no login, no live session.
    pub disabled_at: Option<chrono::NaiveDateTime>,
}

impl User {
    pub fn auth(&self) -> AuthUser {
        AuthUser {
            id: self.id,
            job_centre_id: self.job_centre_id,
            username: self.username.clone(),
            role: Role::parse(&self.role),
            language: self.language.clone(),
        }
    }
}

/// Checks a username and password. Unknown users cost the same hash work as known ones,
/// so timing does not tell which usernames exist.
pub fn authenticate(conn: &mut crate::db::DbConn, username: &str, password: &str) -> AppResult<User> {
    let user = users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()?;
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let ok = verify_password(password, user.as_ref().map_or(dummy.as_str(), |u| &u.password_hash));
    match user {
        // A disabled account answers like a wrong password: nothing to learn from trying.
        Some(u) if ok && u.disabled_at.is_none() => Ok(u),
        _ => Err(AppError::Unauthorized("wrong username or password".into())),
    }
}

/// A new account as the operator or an administrator gives it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewUser {
    pub username: String,
    /// The job centre's authority number, e.g. 15.300.
    pub centre: String,
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub admin: bool,
}

/// The rules on a new account's fields, checked before the (slow) password hash is made.
pub fn check_new_user(u: &NewUser) -> AppResult<()> {
    let username = u.username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    {
        return Err(AppError::invalid("username", "use 1-64 of a-z, 0-9, '.', '-', '_'"));
    }
    if u.centre.trim().is_empty() {
        return Err(AppError::invalid("centre", "is required"));
    }
    if u.display_name.chars().count() > 200 || u.display_name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "display_name",
            "must be at most 200 characters, without control characters",
        ));
    }
    check_email("email", &u.email)
}

/// Inserts a checked account with a hash of its password, audited as `actor` (None: the
/// operator's CLI). A taken username is 409; an unknown centre is refused on its field.
pub fn insert_user(conn: &mut DbConn, actor: Option<&AuthUser>, u: &NewUser, hash: &str) -> AppResult<UserId> {
    let username = u.username.trim();
    let number = u.centre.trim();
    let centre: JobCentreId = job_centres::table
        .filter(job_centres::authority_number.eq(number))
        .select(job_centres::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::invalid("centre", format!("no job centre with authority number {number}")))?;
    let taken: i64 = users::table
        .filter(users::username.eq(username))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(AppError::Conflict(format!("username {username} is taken")));
    }
    let display_name = Some(u.display_name.trim())
        .filter(|n| !n.is_empty())
        .unwrap_or(username);
    let id: UserId = diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::password_hash.eq(hash),
            users::display_name.eq(display_name),
            users::email.eq(u.email.trim()),
            users::job_centre_id.eq(centre),
            users::role.eq(if u.admin { "admin" } else { "consultant" }),
            users::language.eq("da"),
            users::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(users::id)
        .get_result(conn)?;
    crate::domain::audit::record(
        conn,
        actor,
        "user",
        id.0,
        "created",
        serde_json::json!({ "username": username, "centre": number, "admin": u.admin }),
    )?;
    Ok(id)
}

/// Creates a user of the job centre with the given authority number (the operator's CLI).
pub fn create_user(
    db: &crate::db::Db,
    username: &str,
    password: &str,
    centre_number: &str,
    display_name: &str,
    email: &str,
    admin: bool,
) -> AppResult<UserId> {
    let new = NewUser {
        username: username.to_string(),
        centre: centre_number.to_string(),
        display_name: display_name.to_string(),
        email: email.to_string(),
        admin,
    };
    check_new_user(&new)?;
    if password.chars().count() < 8 {
        return Err(AppError::invalid("password", "must be at least 8 characters"));
    }
    let hash = hash_password(password)?;
    db.write_blocking(move |c| insert_user(c, None, &new, &hash))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct JobCentreRef {
    pub id: JobCentreId,
    pub authority_type: String,
    pub authority_number: String,
    pub name: String,
}

/// The user as `GET /auth/me` shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Profile {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub language: String,
    pub job_centre: JobCentreRef,
}

pub fn profile(conn: &mut DbConn, user: &AuthUser) -> AppResult<Profile> {
    let (u, (id, authority_type, authority_number, name)) = users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(user.id))
        .select((
            User::as_select(),
            (
                job_centres::id,
                job_centres::authority_type,
                job_centres::authority_number,
                job_centres::name,
            ),
        ))
        .first::<(User, (JobCentreId, String, String, String))>(conn)
        .optional()?
        // A token for a deleted user is no longer a session.
        .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))?;
    Ok(Profile {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        email: u.email,
        role: u.role,
        language: u.language,
        job_centre: JobCentreRef {
            id,
            authority_type,
            authority_number,
            name,
        },
    })
}

/// The user's display name and centre name, for the page header.
pub fn header_names(conn: &mut DbConn, user: &AuthUser) -> AppResult<(String, String)> {
    users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(user.id))
        .select((users::display_name, job_centres::name))
        .first::<(String, String)>(conn)
        .optional()?
        // A valid token of a deleted user is no session.
        .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))
}

/// The language of the user's pages and mails.
pub fn set_language(conn: &mut DbConn, user: &AuthUser, lang: &str) -> AppResult<()> {
    if lang != "da" && lang != "en" {
        return Err(AppError::invalid("language", "must be da or en"));
    }
    diesel::update(users::table.find(user.id))
        .set(users::language.eq(lang))
        .execute(conn)?;
    crate::domain::audit::record(
        conn,
        Some(user),
        "user",
        user.id.0,
        "language",
        serde_json::json!({ "language": lang }),
    )
}

/// The consultants of the user's centre, by name (the coordinator select).
pub fn colleagues(conn: &mut DbConn, user: &AuthUser) -> AppResult<Vec<(UserId, String)>> {
    Ok(users::table
        .filter(users::job_centre_id.eq(user.job_centre_id))
        .filter(users::role.eq("consultant"))
        .select((users::id, users::display_name))
        .order((users::display_name, users::id))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let h = hash_password("demo").unwrap();
        assert!(verify_password("demo", &h));
        assert!(!verify_password("Demo", &h));
        assert!(!verify_password("demo", "garbage"));
    }
}
