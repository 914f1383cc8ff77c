//! Matching over JSON: candidates for an order, orders for a candidate, bulk referral, occupations.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::actor::AuthUser;
use crate::domain::matching::{
    bulk_refer, candidates_for_order, orders_for_candidate, BulkResult, CandidateMatch, MatchQuery, OrderMatch,
};
use crate::error::AppResult;
use crate::ids::{CandidateId, JobOrderId};
use crate::occupations::{self, Occupation};
use crate::web::api::shapes::Items;
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -------------------------------------------------------------------

/// The user's centre's consenting candidates that fit the order, best first, each with why.
#[utoipa::path(get, path = "/orders/{id}/matches", tag = "matching", params(("id" = i64, Path, description = "The job order"), MatchQuery),
    responses((status = 200, body = Matches<CandidateMatch>)))]
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
    Ok(HttpResponse::Ok().json(Matches {
        items,
        radius_km: radius,
    }))
}

/// Shared orders that fit the candidate, best first, each with why.
#[utoipa::path(get, path = "/candidates/{id}/matches", tag = "matching", params(("id" = i64, Path, description = "The candidate"), MatchQuery),
    responses((status = 200, body = Matches<OrderMatch>)))]
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
    Ok(HttpResponse::Ok().json(Matches {
        items,
        radius_km: radius,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct BulkInput {
    pub candidate_ids: Vec<CandidateId>,
}

/// Refers several candidates, each through the same rules as one referral; each has its own status.
#[utoipa::path(post, path = "/orders/{id}/referrals/bulk", tag = "matching", params(("id" = i64, Path, description = "The job order")),
    request_body = BulkInput, responses((status = 200, body = BulkAnswer)))]
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
    Ok(HttpResponse::Ok().json(BulkAnswer { created, results }))
}

/// Matches within `radius_km`, best first.
#[derive(Serialize, ToSchema)]
pub struct Matches<T> {
    pub items: Vec<T>,
    pub radius_km: f64,
}

/// How many referrals were made, and each candidate's outcome.
#[derive(Serialize, ToSchema)]
pub struct BulkAnswer {
    pub created: usize,
    pub results: Vec<BulkResult>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccupationQuery {
    /// A part of a label or alias, or the start of a code.
    pub q: Option<String>,
}

/// The occupation list, searched.
#[utoipa::path(get, path = "/occupations", tag = "matching", security(()), params(OccupationQuery),
    responses((status = 200, body = Items<Occupation>)))]
pub async fn occupations_handler(q: web::Query<OccupationQuery>) -> HttpResponse {
    HttpResponse::Ok().json(Items::of(occupations::search(q.q.as_deref().unwrap_or(""))))
}
