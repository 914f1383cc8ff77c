//! My centre's candidates over JSON: list (search, pages), create, read, change, wishes, consent.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::candidate_edit::{self, PatchCandidate};
use crate::domain::candidate_list::{self, SearchQuery};
use crate::domain::candidates::{
    create, give_consent, load_own, set_wishes, wishes, wishes_of, Candidate, ConsentInput, CreateCandidate,
};
use crate::domain::export_log;
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
        share_cv: false,
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

/// The centre's candidates by name, a page at a time: `?q=` (name, email or occupation wish),
/// `page` (from 1), `per_page` (default 50, at most 200); with the total that match.
pub async fn list_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let search = q.into_inner().parse(candidate_list::DEFAULT_PER_PAGE)?;
    let p = state
        .db
        .read(move |c| candidate_list::search(c, &user, &search))
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "items": p.items, "total": p.total, "page": p.page, "per_page": p.per_page, "range": p.range,
    })))
}

/// Changes a candidate of the user's centre (404 for anyone else's); `null` clears a
/// nullable field, a missing key leaves it. Answers with the candidate as `GET` shows it.
pub async fn patch_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
    body: Json<PatchCandidate>,
) -> AppResult<HttpResponse> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    let v = state
        .db
        .write(move |c| {
            let cand = candidate_edit::update(c, &user, id, patch)?;
            with_wishes(c, cand)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
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
