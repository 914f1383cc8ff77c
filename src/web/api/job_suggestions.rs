//! Job suggestions over JSON: mail an order to candidates of my centre, and a candidate's
//! suggestions so far.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::actor::AuthUser;
use crate::domain::job_suggestions::{self, Outcome, Repeat, SentSuggestion, SuggestionEntry};
use crate::error::{AppResult, ErrorDetail};
use crate::ids::{CandidateId, JobOrderId};
use crate::web::api::shapes::Items;
use crate::web::json::Json;
use crate::web::state::AppState;

#[derive(Deserialize, ToSchema)]
pub struct SuggestInput {
    /// Candidates of my centre, each with consent and an email (1 to 100).
    #[schema(min_items = 1, max_items = 100)]
    pub candidate_ids: Vec<CandidateId>,
    /// Send also to candidates who already got this order.
    #[serde(default)]
    pub confirm_repeat: bool,
}

/// The mails written to the outbox, one per candidate.
#[derive(Serialize, ToSchema)]
pub struct SuggestAnswer {
    pub sent: usize,
    pub results: Vec<SentSuggestion>,
}

/// 409: nothing was sent. Either some candidates already got the order (`needs_confirmation`:
/// send again with `confirm_repeat: true`), or the order is closed.
#[derive(Serialize, ToSchema)]
pub struct SuggestConflict {
    pub error: String,
    pub detail: Option<ErrorDetail>,
    pub needs_confirmation: Option<Vec<Repeat>>,
}

/// Mails the order (shared fields only) with my contact details to each candidate, in one
/// transaction: one refused candidate sends nothing; a repeat needs `confirm_repeat`.
#[utoipa::path(post, path = "/orders/{id}/suggestions", tag = "job suggestions",
    params(("id" = i64, Path, description = "The job order (mine, or shared with my centre)")),
    request_body = SuggestInput,
    responses((status = 200, body = SuggestAnswer),
        (status = 409, description = "Already sent to some (confirm to send again), or the order is closed", body = SuggestConflict)))]
pub async fn send_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: Json<SuggestInput>,
) -> AppResult<HttpResponse> {
    let (id, input, mail) = (id.into_inner(), body.into_inner(), state.mail.clone());
    let outcome = state
        .db
        .write(move |c| job_suggestions::send(c, &mail, &user, id, &input.candidate_ids, input.confirm_repeat))
        .await?;
    Ok(answer(outcome))
}

/// The JSON answer of a send: 200 with what went out, or 409 with who needs a confirmation.
pub fn answer(outcome: Outcome) -> HttpResponse {
    match outcome {
        Outcome::Sent(results) => HttpResponse::Ok().json(SuggestAnswer {
            sent: results.len(),
            results,
        }),
        Outcome::NeedsConfirmation(repeats) => HttpResponse::build(StatusCode::CONFLICT).json(SuggestConflict {
            error: "some candidates already got this order; send again with confirm_repeat: true".into(),
            detail: None,
            needs_confirmation: Some(repeats),
        }),
    }
}

/// The job suggestions a candidate of my centre got, newest first.
#[utoipa::path(get, path = "/candidates/{id}/suggestions", tag = "job suggestions",
    params(("id" = i64, Path, description = "The candidate (of my centre)")),
    responses((status = 200, body = Items<SuggestionEntry>)))]
pub async fn of_candidate_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let items = state
        .db
        .read(move |c| job_suggestions::of_candidate(c, &user, id))
        .await?;
    Ok(HttpResponse::Ok().json(Items::of(items)))
}
