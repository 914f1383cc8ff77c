//! The employer's link over JSON (no login: the token in the path is the key), and the order
//! owner's view and revocation of the order's employer links.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::domain::actor::AuthUser;
use crate::domain::employer_link::LinkSummary;
use crate::domain::employer_outcome::{EmployerCandidate, EmployerPage};
use crate::domain::{employer_link, employer_outcome};
use crate::error::{AppResult, ErrorBody};
use crate::ids::{JobOrderId, ReferralId};
use crate::web::api::shapes::Items;
use crate::web::download::file_response;
use crate::web::json::Json;
use crate::web::state::AppState;

/// Where the API lives (its CV links point there).
const BASE: &str = "/api/v1";

/// `GET /employer/{token}`: the order's title and company and every candidate sent through it.
#[utoipa::path(get, path = "/employer/{token}", tag = "employer", security(()),
    params(("token" = String, Path, description = "The token from the candidate mail's link")),
    responses((status = 200, body = EmployerPage), (status = 410, description = "The link expired or was revoked", body = ErrorBody)))]
pub async fn page_handler(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let page = state
        .db
        .read(move |c| employer_outcome::page(c, &token, BASE, Utc::now().naive_utc()))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// `interview`, `hired` or `not_suitable`.
    pub outcome: String,
    pub comment: Option<String>,
}

/// `POST /employer/{token}/referrals/{id}` `{"outcome": "interview"|"hired"|"not_suitable", "comment"}`.
#[utoipa::path(post, path = "/employer/{token}/referrals/{id}", tag = "employer", security(()), request_body = AnswerInput,
    params(("token" = String, Path, description = "The token from the candidate mail's link"),
        ("id" = i64, Path, description = "A referral sent through this link")),
    responses((status = 200, body = EmployerCandidate),
        (status = 409, description = "The referral is not with the employer (withdrawn, or the same answer again)", body = ErrorBody),
        (status = 410, description = "The link expired or was revoked, or the candidate withdrew consent", body = ErrorBody)))]
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
        .write(move |c| {
            let now = Utc::now().naive_utc();
            employer_outcome::answer(c, &mail, &token, BASE, id, outcome, input.comment, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

/// `GET /employer/{token}/referrals/{id}/cv`: the candidate's CV while they consent to share it.
#[utoipa::path(get, path = "/employer/{token}/referrals/{id}/cv", tag = "employer", security(()),
    params(("token" = String, Path, description = "The token from the candidate mail's link"),
        ("id" = i64, Path, description = "A referral sent through this link")),
    responses((status = 200, description = "The CV as a download (`Content-Disposition: attachment`): the file's bytes, PDF or DOCX as its bytes told when it was uploaded",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
        (status = 410, description = "The link expired or was revoked, or the candidate withdrew consent to share the CV or was erased", body = ErrorBody)))]
pub async fn cv_handler(state: web::Data<AppState>, path: web::Path<(String, ReferralId)>) -> AppResult<HttpResponse> {
    let (token, id) = path.into_inner();
    // A write: the employer's download is audited.
    let f = state
        .db
        .write(move |c| employer_outcome::cv_download(c, &token, id, Utc::now().naive_utc()))
        .await?;
    Ok(file_response(f))
}

/// `GET /orders/{id}/employer-links`: the order's links (owner), never their tokens.
#[utoipa::path(get, path = "/orders/{id}/employer-links", tag = "employer", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = Items<LinkSummary>)))]
pub async fn links_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let links = state.db.read(move |c| employer_link::of_order(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(Items::of(links)))
}

/// `POST /orders/{id}/employer-links/{link}/revoke` (owner): every token of it answers 410.
#[utoipa::path(post, path = "/orders/{id}/employer-links/{link}/revoke", tag = "employer",
    params(("id" = i64, Path, description = "The job order"), ("link" = i64, Path, description = "The employer link")),
    responses((status = 200, body = Revoked), (status = 409, description = "Already revoked", body = ErrorBody)))]
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
    Ok(HttpResponse::Ok().json(Revoked {
        id: link,
        revoked: true,
    }))
}

/// The answer to a revocation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Revoked {
    pub id: i64,
    pub revoked: bool,
}
