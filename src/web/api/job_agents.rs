//! Job agents over JSON, and the unsubscribe link of their digests.

use crate::db::schema::job_agents;
use crate::domain::audit;
use crate::domain::job_agents::{create, CreateAgent, JobAgent};
use crate::domain::users::AuthUser;
use crate::error::{AppError, AppResult};
use crate::web::json::Json;
use crate::web::state::AppState;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde_json::json;

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
    let items = state
        .db
        .read(move |c| {
            Ok(job_agents::table
                .filter(job_agents::owner_id.eq(user.id))
                .filter(job_agents::active.eq(true))
                .select(JobAgent::as_select())
                .order(job_agents::id.desc())
                .load::<JobAgent>(c)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

pub async fn delete_handler(state: web::Data<AppState>, user: AuthUser, id: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            let n = diesel::update(
                job_agents::table
                    .filter(job_agents::id.eq(id))
                    .filter(job_agents::owner_id.eq(user.id)),
            )
            .set(job_agents::active.eq(false))
            .execute(c)?;
            if n == 0 {
                return Err(AppError::NotFound);
            }
            audit::record(c, Some(&user), "job_agent", id, "deleted", json!({}))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The link in every digest: no login needed, idempotent.
pub async fn unsubscribe_handler(state: web::Data<AppState>, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    let r = state
        .db
        .write(move |c| {
            let id: i64 = job_agents::table
                .filter(job_agents::unsubscribe_token.eq(&token))
                .select(job_agents::id)
                .first(c)?;
            diesel::update(job_agents::table.find(id))
                .set(job_agents::active.eq(false))
                .execute(c)?;
            audit::record(c, None, "job_agent", id, "unsubscribed", json!({}))
        })
        .await;
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
