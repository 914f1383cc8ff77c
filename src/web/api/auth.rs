//! Login and the logged-in user over JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::actor::AuthUser;
use crate::domain::users::Profile;
use crate::domain::{sessions, users};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::web::api::shapes::OkBody;
use crate::web::auth::{change_own_password, log_in, session_of, token_from_request};
use crate::web::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

/// The session token to send as `Authorization: Bearer <token>`.
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    pub token: String,
}

/// Logs in: 401 for a wrong name or password, 429 (with `Retry-After`) after 5 failures.
#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()), request_body = LoginInput,
    responses((status = 200, body = TokenBody), (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed logins", body = ErrorBody)))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::web::json::Json<LoginInput>,
) -> AppResult<HttpResponse> {
    let LoginInput { username, password } = body.into_inner();
    let token = log_in(&state, &req, &username, password).await?;
    Ok(HttpResponse::Ok().json(TokenBody { token }))
}

/// Ends the session of the presented token on the server: the same token is 401 from now on,
/// on every instance.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204, description = "Logged out")))]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest, user: AuthUser) -> AppResult<HttpResponse> {
    let token = token_from_request(&req).ok_or_else(|| AppError::Unauthorized("authentication required".into()))?;
    let (_, sid) = state.jwt.verify(&token)?;
    state.db.write(move |c| sessions::revoke(c, &user, &sid)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user and their job centre.
#[utoipa::path(get, path = "/auth/me", tag = "auth", responses((status = 200, body = Profile)))]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let me = state.db.read(move |c| users::profile(c, &user)).await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize, ToSchema)]
pub struct PatchMe {
    /// `da` or `en`.
    pub language: Option<String>,
}

/// The user's own settings: the language of pages and mails (`da` or `en`).
#[utoipa::path(patch, path = "/auth/me", tag = "auth", request_body = PatchMe, responses((status = 200, body = OkBody)))]
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
        state.db.write(move |c| users::set_language(c, &user, &lang)).await?;
    }
    Ok(HttpResponse::Ok().json(OkBody { ok: true }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordInput {
    pub current: String,
    pub new: String,
}

/// The user's own new password. A wrong `current` is 422 and counts as a failed login;
/// every other session of the user ends, the token of this request stays valid.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordInput,
    responses((status = 200, body = SessionsEnded), (status = 429, description = "Too many failed attempts", body = ErrorBody)))]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: crate::web::json::Json<PasswordInput>,
) -> AppResult<HttpResponse> {
    let (_, sid) = session_of(&req)?;
    let PasswordInput { current, new } = body.into_inner();
    let ended = change_own_password(&state, &req, &user, sid, current, new).await?;
    Ok(HttpResponse::Ok().json(SessionsEnded { sessions_ended: ended }))
}

/// How many of the user's other sessions ended.
#[derive(Serialize, ToSchema)]
pub struct SessionsEnded {
    pub sessions_ended: usize,
}
