//! The administrator's account actions over JSON: list, create, disable, enable, set a password.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::accounts::{self, Account};
use crate::domain::actor::AuthUser;
use crate::domain::sharing::Page;
use crate::domain::users::NewUser;
use crate::error::{AppResult, ErrorBody};
use crate::ids::UserId;
use crate::web::json::Json;
use crate::web::state::AppState;

/// Disables an account (admin); its sessions end.
#[utoipa::path(post, path = "/admin/users/{username}/disable", tag = "admin", params(("username" = String, Path)),
    responses((status = 200, body = AccountState), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The administrator's own account", body = ErrorBody)))]
pub async fn disable_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    username: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = username.into_inner();
    let n = name.clone();
    let ended = state.db.write(move |c| accounts::disable(c, Some(&user), &n)).await?;
    Ok(HttpResponse::Ok().json(AccountState {
        username: name,
        disabled: Some(true),
        sessions_ended: Some(ended),
    }))
}

/// Enables an account again (admin).
#[utoipa::path(post, path = "/admin/users/{username}/enable", tag = "admin", params(("username" = String, Path)),
    responses((status = 200, body = AccountState), (status = 403, description = "Not an administrator", body = ErrorBody)))]
pub async fn enable_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    username: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = username.into_inner();
    let n = name.clone();
    state.db.write(move |c| accounts::enable(c, Some(&user), &n)).await?;
    Ok(HttpResponse::Ok().json(AccountState {
        username: name,
        disabled: Some(false),
        sessions_ended: None,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// Sets a new password for an account (admin); its sessions end.
#[utoipa::path(post, path = "/admin/users/{username}/password", tag = "admin", params(("username" = String, Path)),
    request_body = NewPassword, responses((status = 200, body = AccountState), (status = 403, description = "Not an administrator", body = ErrorBody)))]
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
    Ok(HttpResponse::Ok().json(AccountState {
        username: name,
        disabled: None,
        sessions_ended: Some(ended),
    }))
}

/// An account after an administrator's action.
#[derive(Serialize, ToSchema)]
pub struct AccountState {
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// How many of the account's sessions ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions_ended: Option<usize>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A part of the username, name or email.
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// `GET /admin/users?q=&page=`: a page of accounts by username.
#[utoipa::path(get, path = "/admin/users", tag = "admin", params(ListQuery),
    responses((status = 200, body = Page<Account>), (status = 403, description = "Not an administrator", body = ErrorBody)))]
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

#[derive(Deserialize, ToSchema)]
#[schema(as = NewAccount)]
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
#[utoipa::path(post, path = "/admin/users", tag = "admin", request_body = CreateInput,
    responses((status = 201, body = CreatedAccount), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody)))]
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
    Ok(HttpResponse::Created().json(CreatedAccount { id, username }))
}

/// The new account's id and username.
#[derive(Serialize, ToSchema)]
pub struct CreatedAccount {
    pub id: UserId,
    pub username: String,
}
