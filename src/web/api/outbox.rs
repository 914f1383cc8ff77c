//! The administrator's view of the mail outbox: list and retry.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::actor::AuthUser;
use crate::domain::outbox::{self, OutboxPage};
use crate::error::{AppResult, ErrorBody};
use crate::ids::OutboxId;
use crate::web::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// `pending`, `failed`, `unsent` (pending and failed), `sent` or `cancelled`.
    pub status: Option<String>,
    pub page: Option<i64>,
}

/// A page of the mail outbox, newest first, with the count per status (admin).
#[utoipa::path(get, path = "/admin/outbox", tag = "admin", params(OutboxQuery),
    responses((status = 200, body = OutboxPage), (status = 403, description = "Not an administrator", body = ErrorBody)))]
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

/// Puts a failed mail back in the queue (admin); a cancelled one is 409.
#[utoipa::path(post, path = "/admin/outbox/{id}/retry", tag = "admin", params(("id" = i64, Path, description = "The mail")),
    responses((status = 200, body = Retried), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "Not a failed mail", body = ErrorBody)))]
pub async fn retry_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<OutboxId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| outbox::retry(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(Retried {
        id,
        status: "pending".into(),
    }))
}

/// The mail, queued again.
#[derive(Serialize, ToSchema)]
pub struct Retried {
    pub id: OutboxId,
    /// `pending`.
    pub status: String,
}
