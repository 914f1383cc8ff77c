//! My centre's candidates over JSON: list (search, pages), create, read, change, wishes, consent.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::candidate_edit::{self, PatchCandidate};
use crate::domain::candidate_list::{self, SearchQuery};
use crate::domain::candidates::{
    create, give_consent, load_own, set_wishes, wishes, wishes_of, Candidate, ConsentInput, CreateCandidate, Wish,
};
use crate::domain::erasure::Erasure;
use crate::domain::export_log;
use crate::domain::sharing::Page;
use crate::error::{AppResult, ErrorBody};
use crate::ids::CandidateId;
use crate::web::json::{Json, OptJson};
use crate::web::state::AppState;

// ---- HTTP handlers -----------------------------------------------------------------

/// A new candidate of the user's centre; 409 for a likely duplicate unless `allow_duplicate`.
#[utoipa::path(post, path = "/candidates", tag = "candidates", request_body = CreateCandidate,
    responses((status = 201, body = CandidateView), (status = 409, description = "A likely duplicate", body = ErrorBody)))]
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

/// A candidate of the user's centre (others 404).
#[utoipa::path(get, path = "/candidates/{id}", tag = "candidates", params(("id" = i64, Path, description = "The candidate")), responses((status = 200, body = CandidateView)))]
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

/// A candidate with their occupation wishes, as the API shows one.
#[derive(Serialize, ToSchema)]
pub struct CandidateView {
    #[serde(flatten)]
    pub candidate: Candidate,
    pub occupation_wishes: Vec<Wish>,
}

fn with_wishes(conn: &mut DbConn, cand: Candidate) -> AppResult<CandidateView> {
    let occupation_wishes = wishes_of(conn, cand.id)?;
    Ok(CandidateView {
        candidate: cand,
        occupation_wishes,
    })
}

#[derive(Deserialize, ToSchema)]
pub struct WishesInput {
    /// Occupation codes, labels or aliases (`fiskekok`); replaces the list.
    pub occupations: Vec<String>,
}

/// Replaces the candidate's occupation wishes.
#[utoipa::path(put, path = "/candidates/{id}/wishes", tag = "candidates", params(("id" = i64, Path, description = "The candidate")), request_body = WishesInput,
    responses((status = 200, body = CandidateView), (status = 409, description = "The candidate was erased", body = ErrorBody)))]
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

/// Records the candidate's consent and what employers may see (no body: both shared).
#[utoipa::path(post, path = "/candidates/{id}/consent", tag = "candidates", params(("id" = i64, Path, description = "The candidate")), request_body = Option<ConsentInput>,
    responses((status = 200, body = Candidate), (status = 409, description = "The candidate was erased", body = ErrorBody)))]
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

/// Withdraws the consent and every live referral of the candidate.
#[utoipa::path(delete, path = "/candidates/{id}/consent", tag = "candidates", params(("id" = i64, Path, description = "The candidate")),
    responses((status = 200, body = ConsentRevoked), (status = 409, description = "No consent to revoke", body = ErrorBody)))]
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
    Ok(HttpResponse::Ok().json(ConsentRevoked {
        candidate: c,
        referrals_withdrawn: n,
    }))
}

/// The candidate after the consent was revoked, and how many referrals that withdrew.
#[derive(Serialize, ToSchema)]
pub struct ConsentRevoked {
    pub candidate: Candidate,
    pub referrals_withdrawn: usize,
}

/// The centre's candidates by name, a page at a time: `?q=` (name, email or occupation wish),
/// `page` (from 1), `per_page` (default 50, at most 200); with the total that match.
#[utoipa::path(get, path = "/candidates", tag = "candidates", params(SearchQuery), responses((status = 200, body = Page<Candidate>)))]
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
    Ok(HttpResponse::Ok().json(p))
}

/// Changes a candidate of the user's centre (404 for anyone else's); `null` clears a
/// nullable field, a missing key leaves it. Answers with the candidate as `GET` shows it.
#[utoipa::path(patch, path = "/candidates/{id}", tag = "candidates", params(("id" = i64, Path, description = "The candidate")), request_body = PatchCandidate,
    responses((status = 200, body = CandidateView), (status = 409, description = "The candidate was erased", body = ErrorBody)))]
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
#[utoipa::path(delete, path = "/candidates/{id}", tag = "candidates", params(("id" = i64, Path, description = "The candidate")),
    responses((status = 200, body = Erasure),
        (status = 409, description = "The candidate's data was erased already", body = ErrorBody)))]
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
#[utoipa::path(get, path = "/candidates/{id}/export", tag = "candidates", params(("id" = i64, Path, description = "The candidate")),
    responses((status = 200, description = "Profile, consent, wishes, referrals, mails, job agents", body = Object)))]
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
