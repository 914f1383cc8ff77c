//! The administrator's account actions over JSON: list, create, disable, enable, set a password.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::accounts;
use crate::domain::actor::AuthUser;
use crate::domain::users::NewUser;
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

#[derive(Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// `GET /admin/users?q=&page=`: a page of accounts by username.
pub async fn list_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let ListQuery { q, page } = q.into_inner();
    let page = state
        .db
        .read(move |c| accounts::list(c, &user, q.as_deref().unwrap_or(""), page.unwrap_or(1)))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
pub struct CreateInput {
    pub username: String,
    /// The job centre's authority number.
    pub centre: String,
    #[serde(default)]
    pub display_name: String,
    pub email: String,
    #[serde(default)]
    pub admin: bool,
    pub password: String,
}

/// `POST /admin/users`: a new account with its first password.
pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateInput>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage user accounts")?;
    let b = body.into_inner();
    let new = NewUser {
        username: b.username,
        centre: b.centre,
        display_name: b.display_name,
        email: b.email,
        admin: b.admin,
    };
    let (n, password) = (new.clone(), b.password);
    let hash = web::block(move || accounts::check_and_hash(&n, &password)).await??;
    let username = new.username.trim().to_string();
    let id = state.db.write(move |c| accounts::create(c, &user, &new, &hash)).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id, "username": username })))
}
