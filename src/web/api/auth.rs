//! Login and the logged-in user over JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use crate::domain::actor::AuthUser;
use crate::domain::{sessions, users};
use crate::error::{AppError, AppResult};
use crate::web::auth::{change_own_password, log_in, session_of, token_from_request};
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::web::json::Json<LoginInput>,
) -> AppResult<HttpResponse> {
    let LoginInput { username, password } = body.into_inner();
    let token = log_in(&state, &req, &username, password).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "token": token })))
}

/// Ends the session of the presented token on the server: the same token is 401 from now on,
/// on every instance.
pub async fn logout(state: web::Data<AppState>, req: HttpRequest, user: AuthUser) -> AppResult<HttpResponse> {
    let token = token_from_request(&req).ok_or_else(|| AppError::Unauthorized("authentication required".into()))?;
    let (_, sid) = state.jwt.verify(&token)?;
    state.db.write(move |c| sessions::revoke(c, &user, &sid)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let me = state.db.read(move |c| users::profile(c, &user)).await?;
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
        state.db.write(move |c| users::set_language(c, &user, &lang)).await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}

#[derive(Deserialize)]
pub struct PasswordInput {
    pub current: String,
    pub new: String,
}

/// The user's own new password. A wrong `current` is 422 and counts as a failed login;
/// every other session of the user ends, the token of this request stays valid.
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: crate::web::json::Json<PasswordInput>,
) -> AppResult<HttpResponse> {
    let (_, sid) = session_of(&req)?;
    let PasswordInput { current, new } = body.into_inner();
    let ended = change_own_password(&state, &req, &user, sid, current, new).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "sessions_ended": ended })))
}
