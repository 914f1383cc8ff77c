//! Job agents over JSON (the unsubscribe link of their digests is a page: `pages::unsubscribe`).

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::job_agents;
use crate::domain::job_agents::{create, CreateAgent};
use crate::error::AppResult;
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -------------------------------------------------------------------

pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateAgent>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let a = state.db.write(move |c| create(c, &user, input)).await?;
    Ok(HttpResponse::Created().json(a))
}

pub async fn list_handler(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let items = state.db.read(move |c| job_agents::list(c, &user)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

pub async fn delete_handler(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| job_agents::delete(c, &user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
