//! The administrator's account actions over JSON: disable, enable, set a password.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::accounts;
use crate::domain::actor::AuthUser;
use crate::error::AppResult;
use crate::web::json::Json;
use crate::web::state::AppState;

pub async fn disable_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    username: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = username.into_inner();
    let n = name.clone();
    let ended = state.db.write(move |c| accounts::disable(c, Some(&user), &n)).await?;
    Ok(HttpResponse::Ok().json(json!({ "username": name, "disabled": true, "sessions_ended": ended })))
}

pub async fn enable_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    username: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = username.into_inner();
    let n = name.clone();
    state.db.write(move |c| accounts::enable(c, Some(&user), &n)).await?;
    Ok(HttpResponse::Ok().json(json!({ "username": name, "disabled": false })))
}

#[derive(Deserialize)]
pub struct NewPassword {
    pub password: String,
}

pub async fn password_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    username: web::Path<String>,
    body: Json<NewPassword>,
) -> AppResult<HttpResponse> {
    // Refuse a non-administrator before spending a hash on their request.
    user.require_admin("manage user accounts")?;
    let password = body.into_inner().password;
    let hash = web::block(move || accounts::hash_new_password(&password)).await??;
    let name = username.into_inner();
    let n = name.clone();
    let ended = state
        .db
        .write(move |c| accounts::set_password(c, Some(&user), &n, &hash))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "username": name, "sessions_ended": ended })))
}
