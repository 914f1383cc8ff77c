//! Job agents over JSON (the unsubscribe link of their digests is a page: `pages::unsubscribe`).

use actix_web::{web, HttpResponse};

use crate::domain::actor::AuthUser;
use crate::domain::job_agents;
use crate::domain::job_agents::{create, CreateAgent, JobAgent};
use crate::error::{AppResult, ErrorBody};
use crate::web::api::shapes::Items;
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -------------------------------------------------------------------

/// A job agent for the user, or for a consenting candidate of their centre with an email.
#[utoipa::path(post, path = "/job-agents", tag = "job agents", request_body = CreateAgent,
    responses((status = 201, body = JobAgent), (status = 404, description = "No such candidate of the centre", body = ErrorBody),
        (status = 409, description = "The candidate gave no consent or has no email", body = ErrorBody)))]
pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateAgent>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let a = state.db.write(move |c| create(c, &user, input)).await?;
    Ok(HttpResponse::Created().json(a))
}

/// The user's job agents.
#[utoipa::path(get, path = "/job-agents", tag = "job agents", responses((status = 200, body = Items<JobAgent>)))]
pub async fn list_handler(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let items = state.db.read(move |c| job_agents::list(c, &user)).await?;
    Ok(HttpResponse::Ok().json(Items::of(items)))
}

/// Deletes one of the user's job agents.
#[utoipa::path(delete, path = "/job-agents/{id}", tag = "job agents", params(("id" = i64, Path, description = "The job agent")),
    responses((status = 204, description = "Deleted")))]
pub async fn delete_handler(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| job_agents::delete(c, &user, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
