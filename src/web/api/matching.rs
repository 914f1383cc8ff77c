//! Matching over JSON: candidates for an order, orders for a candidate, bulk referral, occupations.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::matching::{bulk_refer, candidates_for_order, orders_for_candidate, MatchQuery};
use crate::error::AppResult;
use crate::ids::{CandidateId, JobOrderId};
use crate::occupations;
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -------------------------------------------------------------------

pub async fn order_matches_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    q: web::Query<MatchQuery>,
) -> AppResult<HttpResponse> {
    let (limit, radius) = q.limits()?;
    let id = id.into_inner();
    let items = state
        .db
        .read(move |c| candidates_for_order(c, &user, id, limit, radius))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items, "radius_km": radius })))
}

pub async fn candidate_matches_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
    q: web::Query<MatchQuery>,
) -> AppResult<HttpResponse> {
    let (limit, radius) = q.limits()?;
    let id = id.into_inner();
    let items = state
        .db
        .read(move |c| orders_for_candidate(c, &user, id, limit, radius))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items, "radius_km": radius })))
}

#[derive(Deserialize)]
pub struct BulkInput {
    pub candidate_ids: Vec<CandidateId>,
}

pub async fn bulk_refer_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: Json<BulkInput>,
) -> AppResult<HttpResponse> {
    let results = bulk_refer(
        &state.db,
        &state.mail,
        &user,
        id.into_inner(),
        body.into_inner().candidate_ids,
    )
    .await?;
    let created = results.iter().filter(|r| r.status == 201).count();
    Ok(HttpResponse::Ok().json(json!({ "created": created, "results": results })))
}

#[derive(Deserialize)]
pub struct OccupationQuery {
    pub q: Option<String>,
}

pub async fn occupations_handler(q: web::Query<OccupationQuery>) -> HttpResponse {
    HttpResponse::Ok().json(json!({ "items": occupations::search(q.q.as_deref().unwrap_or("")) }))
}
