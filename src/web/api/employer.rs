//! The employer's link over JSON (no login: the token in the path is the key), and the order
//! owner's view and revocation of the order's employer links.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::{employer_link, employer_outcome};
use crate::error::AppResult;
use crate::ids::{JobOrderId, ReferralId};
use crate::web::json::Json;
use crate::web::state::AppState;

/// `GET /employer/{token}`: the order's title and company and every candidate sent through it.
pub async fn page_handler(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let page = state
        .db
        .read(move |c| employer_outcome::page(c, &token, Utc::now().naive_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
pub struct AnswerInput {
    pub outcome: String,
    pub comment: Option<String>,
}

/// `POST /employer/{token}/referrals/{id}` `{"outcome": "interview"|"hired"|"not_suitable", "comment"}`.
pub async fn answer_handler(
    state: web::Data<AppState>,
    path: web::Path<(String, ReferralId)>,
    body: Json<AnswerInput>,
) -> AppResult<HttpResponse> {
    let (token, id) = path.into_inner();
    let input = body.into_inner();
    let outcome = employer_outcome::Outcome::parse(&input.outcome)?;
    let mail = state.mail.clone();
    let row = state
        .db
        .write(move |c| employer_outcome::answer(c, &mail, &token, id, outcome, input.comment, Utc::now().naive_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// `GET /orders/{id}/employer-links`: the order's links (owner), never their tokens.
pub async fn links_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let links = state.db.read(move |c| employer_link::of_order(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": links })))
}

/// `POST /orders/{id}/employer-links/{link}/revoke` (owner): every token of it answers 410.
pub async fn revoke_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(JobOrderId, i64)>,
) -> AppResult<HttpResponse> {
    let (id, link) = path.into_inner();
    state
        .db
        .write(move |c| employer_link::revoke(c, &user, id, link, Utc::now().naive_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "id": link, "revoked": true })))
}
