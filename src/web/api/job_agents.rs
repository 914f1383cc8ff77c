//! Job agents over JSON, and the unsubscribe link of their digests.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::job_agents;
use crate::domain::job_agents::{create, CreateAgent};
use crate::error::{AppError, AppResult};
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

/// The link in every digest: no login needed, idempotent.
pub async fn unsubscribe_handler(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    let r = state.db.write(move |c| job_agents::unsubscribe(c, &token)).await;
    let (status, text) = match r {
        Ok(()) => (
            actix_web::http::StatusCode::OK,
            "Du er nu afmeldt jobagenten. / You are unsubscribed from the job agent.",
        ),
        Err(AppError::NotFound) => (
            actix_web::http::StatusCode::NOT_FOUND,
            "Ukendt afmeldingslink. / Unknown unsubscribe link.",
        ),
        Err(_) => (
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            "Prøv igen senere. / Please try again later.",
        ),
    };
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"da\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Jobagent</title></head><body style=\"font-family: sans-serif; margin: 2rem\"><p>{text}</p></body></html>"
    ))
}
