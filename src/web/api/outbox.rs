//! The administrator's view of the mail outbox: list and retry.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::outbox;
use crate::error::AppResult;
use crate::ids::OutboxId;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct OutboxQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
}

pub async fn outbox_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<OutboxQuery>,
) -> AppResult<HttpResponse> {
    let OutboxQuery { status, page } = q.into_inner();
    let page = state
        .db
        .read(move |c| outbox::list(c, &user, status.as_deref(), page.unwrap_or(1)))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn retry_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<OutboxId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| outbox::retry(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "id": id, "status": "pending" })))
}
