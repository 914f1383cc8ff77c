//! Login, JWTs and the logged-in user as an extractor. Every handler that takes
//! `AuthUser` knows the user's job centre, which is what tenancy hangs on.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest, HttpResponse};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use diesel::prelude::*;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::db::schema::{job_centres, users};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};

pub const SESSION_COOKIE: &str = "staer_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Consultant,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Consultant
        }
    }
}

/// Claims of our JWTs. `cen` is the tenant; it is signed, so it can be trusted per request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: i64,
    pub cen: i64,
    pub name: String,
    pub role: Role,
    pub lang: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    ttl_hours: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_hours: i64) -> JwtKeys {
        JwtKeys {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
            ttl_hours,
        }
    }

    pub fn issue(&self, user: &AuthUser) -> AppResult<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.0,
            cen: user.job_centre_id.0,
            name: user.username.clone(),
            role: user.role,
            lang: user.language.clone(),
            iat: now,
            exp: now + self.ttl_hours * 3600,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.enc)
            .map_err(|e| AppError::Internal(format!("jwt encode: {e}")))
    }

    /// Only HS256 is accepted: `none` and algorithm-confusion tokens fail here.
    pub fn verify(&self, token: &str) -> AppResult<AuthUser> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        let data = decode::<Claims>(token, &self.dec, &v)
            .map_err(|e| AppError::Unauthorized(format!("invalid token: {e}")))?;
        let c = data.claims;
        Ok(AuthUser {
            id: UserId(c.sub),
            job_centre_id: JobCentreId(c.cen),
            username: c.name,
            role: c.role,
            language: c.lang,
        })
    }
}

/// The logged-in user, taken from `Authorization: Bearer` or the session cookie.
#[derive(Debug, Clone, Serialize)]
pub struct AuthUser {
    pub id: UserId,
    pub job_centre_id: JobCentreId,
    pub username: String,
    pub role: Role,
    pub language: String,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

pub fn token_from_request(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let h = h.to_str().ok()?;
        let (scheme, token) = h.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string());
    }
    // The session cookie rides along on any request a browser makes, even one another site
    // triggers. The pages' forms carry a CSRF token; the JSON API has none, so an API call
    // that changes something must present the token itself, in the header.
    if req.path().starts_with("/api/") && !req.method().is_safe() {
        return None;
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(AppError::Internal("app state missing".into())));
        };
        ready(match token_from_request(req) {
            Some(t) => state.jwt.verify(&t),
            None => Err(AppError::Unauthorized("authentication required".into())),
        })
    }
}

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
        Some(u) if ok => Ok(u),
        _ => Err(AppError::Unauthorized("wrong username or password".into())),
    }
}

/// Creates a user of the job centre with the given authority number (CLI and admin use).
pub fn create_user(
    db: &crate::db::Db,
    username: &str,
    password: &str,
    centre_number: &str,
    display_name: &str,
    email: &str,
    admin: bool,
) -> AppResult<UserId> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    {
        return Err(AppError::invalid("username", "use 1-64 of a-z, 0-9, '.', '-', '_'"));
    }
    if password.chars().count() < 8 {
        return Err(AppError::invalid("password", "must be at least 8 characters"));
    }
    crate::domain::orders::check_email("email", email)?;
    let hash = hash_password(password)?;
    db.write_blocking(|c| {
        let centre: JobCentreId = job_centres::table
            .filter(job_centres::authority_number.eq(centre_number.trim()))
            .select(job_centres::id)
            .first(c)
            .optional()?
            .ok_or_else(|| {
                AppError::invalid("centre", format!("no job centre with authority number {centre_number}"))
            })?;
        let taken: i64 = users::table
            .filter(users::username.eq(username))
            .count()
            .get_result(c)?;
        if taken > 0 {
            return Err(AppError::Conflict(format!("username {username} is taken")));
        }
        let id: UserId = diesel::insert_into(users::table)
            .values((
                users::username.eq(username),
                users::password_hash.eq(&hash),
                users::display_name.eq(display_name.trim()),
                users::email.eq(email.trim()),
                users::job_centre_id.eq(centre),
                users::role.eq(if admin { "admin" } else { "consultant" }),
                users::language.eq("da"),
                users::created_at.eq(Utc::now().naive_utc()),
            ))
            .returning(users::id)
            .get_result(c)?;
        crate::domain::audit::record(
            c,
            None,
            "user",
            id.0,
            "created",
            serde_json::json!({ "username": username, "admin": admin }),
        )?;
        Ok(id)
    })
}

#[derive(Deserialize)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

pub async fn login(state: web::Data<AppState>, body: crate::web::json::Json<LoginInput>) -> AppResult<HttpResponse> {
    let LoginInput { username, password } = body.into_inner();
    let user = state.db.read(move |c| authenticate(c, &username, &password)).await?;
    let token = state.jwt.issue(&user.auth())?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "token": token })))
}

#[derive(Serialize)]
pub struct JobCentreRef {
    pub id: JobCentreId,
    pub authority_type: String,
    pub authority_number: String,
    pub name: String,
}

pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let me = state
        .db
        .read(move |c| {
            let (u, jc) = users::table
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
                .first::<(User, (JobCentreId, String, String, String))>(c)
                .optional()?
                // A token for a deleted user is no longer a session.
                .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))?;
            Ok(serde_json::json!({
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "email": u.email,
                "role": u.role,
                "language": u.language,
                "job_centre": JobCentreRef { id: jc.0, authority_type: jc.1, authority_number: jc.2, name: jc.3 },
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize)]
pub struct PatchMe {
    pub language: Option<String>,
}

/// The user's own settings: the language of pages and mails (`da` or `en`).
pub async fn patch_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: crate::web::json::Json<PatchMe>,
) -> AppResult<HttpResponse> {
    let PatchMe { language } = body.into_inner();
    if let Some(lang) = language {
        if lang != "da" && lang != "en" {
            return Err(AppError::invalid("language", "must be da or en"));
        }
        state
            .db
            .write(move |c| {
                diesel::update(users::table.find(user.id))
                    .set(users::language.eq(&lang))
                    .execute(c)?;
                crate::domain::audit::record(
                    c,
                    Some(&user),
                    "user",
                    user.id.0,
                    "language",
                    serde_json::json!({ "language": lang }),
                )
            })
            .await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> AuthUser {
        AuthUser {
            id: UserId(7),
            job_centre_id: JobCentreId(3),
            username: "x".into(),
            role: Role::Consultant,
            language: "da".into(),
        }
    }

    #[test]
    fn token_round_trip() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let t = keys.issue(&user()).unwrap();
        let u = keys.verify(&t).unwrap();
        assert_eq!(u.id, UserId(7));
        assert_eq!(u.job_centre_id, JobCentreId(3));
    }

    #[test]
    fn forged_and_none_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 1);
        let t = other.issue(&user()).unwrap();
        assert!(keys.verify(&t).is_err());
        // alg: none with the same claims
        let parts: Vec<&str> = t.split('.').collect();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert!(keys.verify(&none).is_err());
    }

    #[test]
    fn passwords() {
        let h = hash_password("demo").unwrap();
        assert!(verify_password("demo", &h));
        assert!(!verify_password("Demo", &h));
        assert!(!verify_password("demo", "garbage"));
    }
}
