//! My centre's candidates over JSON: create, read, wishes, consent.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::candidates::{
    create, give_consent, list, load_own, set_wishes, wishes, wishes_of, Candidate, ConsentInput, CreateCandidate,
};
use crate::domain::{audit, export_log};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;
use crate::web::json::{Json, OptJson};
use crate::web::state::AppState;

// ---- HTTP handlers -----------------------------------------------------------------

pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CreateCandidate>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let v = state
        .db
        .write(move |c| {
            let cand = create(c, &user, input)?;
            with_wishes(c, cand)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

pub async fn get_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .db
        .read(move |c| {
            let cand = load_own(c, &user, id)?;
            with_wishes(c, cand)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The candidate with their occupation wishes, as the API shows it.
fn with_wishes(conn: &mut DbConn, cand: Candidate) -> AppResult<serde_json::Value> {
    let mut v = serde_json::to_value(&cand).map_err(|e| AppError::Internal(e.to_string()))?;
    v["occupation_wishes"] = serde_json::to_value(wishes_of(conn, cand.id)?).unwrap_or_default();
    Ok(v)
}

#[derive(Deserialize)]
pub struct WishesInput {
    pub occupations: Vec<String>,
}

pub async fn wishes_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
    body: Json<WishesInput>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let list = wishes(&body.into_inner().occupations)?;
    let v = state
        .db
        .write(move |c| {
            let cand = load_own(c, &user, id)?;
            cand.refuse_if_erased()?;
            set_wishes(c, id, &list)?;
            audit::record(
                c,
                Some(&user),
                "candidate",
                id.0,
                "wishes",
                json!({ "occupations": list }),
            )?;
            with_wishes(c, cand)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

pub async fn consent_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
    body: OptJson<ConsentInput>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let input = body.0.unwrap_or(ConsentInput {
        share_email: true,
        share_phone: true,
    });
    let c = state.db.write(move |c| give_consent(c, &user, id, input)).await?;
    Ok(HttpResponse::Ok().json(c))
}

pub async fn revoke_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let mail = state.mail.clone();
    let (c, n) = state
        .db
        .write(move |c| crate::domain::referrals::revoke_consent(c, &mail, &user, id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "candidate": c, "referrals_withdrawn": n })))
}

#[derive(Deserialize)]
pub struct ListQuery {
    pub q: Option<String>,
}

/// The centre's candidates, by name (at most 500; the dashboards page through more).
pub async fn list_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let needle = q.into_inner().q.unwrap_or_default();
    let items = state.db.read(move |c| list(c, &user, &needle, false)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

/// Erasure on request (GDPR Art. 17), by the owning centre; anyone else gets 404.
pub async fn erase_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let mail = state.mail.clone();
    let e = state
        .db
        .write(move |c| crate::domain::erasure::erase_on_request(c, &mail, &user, id))
        .await?;
    Ok(HttpResponse::Ok().json(e))
}

/// Access export (GDPR Art. 15): everything stored about the candidate. The export is
/// audited, so it runs in a write transaction.
pub async fn export_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .db
        .write(move |c| {
            let v = crate::domain::export::export(c, &user, id)?;
            // One candidate: the export log's row count is 1.
            export_log::record(c, &user, "candidate", "json", &format!("candidate_id={id}"), 1)?;
            Ok(v)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(v))
}
