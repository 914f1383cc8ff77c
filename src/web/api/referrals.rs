//! Referrals over JSON: refer, the state machine's actions, a referral and its history.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::actor::AuthUser;
use crate::domain::referral::Action;
use crate::domain::referrals::{
    apply_view, create, history, load_visible, of_order, view, view_of, HistoryEntry, ReferralView,
};
use crate::error::{AppResult, ErrorBody};
use crate::ids::{CandidateId, JobOrderId, ReferralId};
use crate::web::api::shapes::Items;
use crate::web::json::{Json, OptJson};
use crate::web::state::AppState;

/// The actions of `POST /referrals/{id}/{action}` (another is 404, as any path that names nothing).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralAction {
    Approve,
    Reject,
    Send,
    Withdraw,
}

// ---- HTTP handlers -----------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[schema(as = ReferralInput)]
pub struct CreateInput {
    pub candidate_id: CandidateId,
}

/// Refers a candidate of the user's centre to the order.
#[utoipa::path(post, path = "/orders/{id}/referrals", tag = "referrals", params(("id" = i64, Path, description = "The job order")),
    request_body = CreateInput, responses((status = 201, body = ReferralView),
        (status = 403, description = "Not allowed to refer to this order", body = ErrorBody),
        (status = 409, description = "No consent, already referred, or the order is closed", body = ErrorBody)))]
pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: Json<CreateInput>,
) -> AppResult<HttpResponse> {
    let (order_id, cand) = (id.into_inner(), body.into_inner().candidate_id);
    let mail = state.mail.clone();
    let v = state
        .db
        .write(move |c| {
            let r = create(c, &mail, &user, order_id, cand)?;
            view_of(c, r)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

#[derive(Deserialize, Default, ToSchema)]
pub struct ReasonInput {
    pub reason: Option<String>,
}

async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    id: ReferralId,
    action: Action,
    reason: Option<String>,
) -> AppResult<HttpResponse> {
    let mail = state.mail.clone();
    let v = state
        .db
        .write(move |c| apply_view(c, &mail, &user, id, action, reason))
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /referrals/{id}/{approve|reject|send|withdraw}`, with an optional `{"reason"}`.
#[utoipa::path(post, path = "/referrals/{id}/{action}", tag = "referrals",
    params(("id" = i64, Path, description = "The referral"), ("action" = ReferralAction, Path)),
    request_body = Option<ReasonInput>, responses((status = 200, body = ReferralView),
        (status = 403, description = "Not allowed to take this action", body = ErrorBody),
        (status = 409, description = "Not allowed in the referral's state", body = ErrorBody)))]
pub async fn action_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(ReferralId, ReferralAction)>,
    body: OptJson<ReasonInput>,
) -> AppResult<HttpResponse> {
    let (id, action) = path.into_inner();
    let action = match action {
        ReferralAction::Approve => Action::Approve,
        ReferralAction::Reject => Action::Reject,
        ReferralAction::Send => Action::Send,
        ReferralAction::Withdraw => Action::Withdraw,
    };
    act(state, user, id, action, body.0.and_then(|b| b.reason)).await
}

/// One referral, as the user may see it.
#[utoipa::path(get, path = "/referrals/{id}", tag = "referrals", params(("id" = i64, Path, description = "The referral")),
    responses((status = 200, body = ReferralView)))]
pub async fn get_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<ReferralId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state
        .db
        .read(move |c| {
            let (r, order) = load_visible(c, &user, id)?;
            view(c, r, order.title)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The referral's state changes, newest first.
#[utoipa::path(get, path = "/referrals/{id}/history", tag = "referrals", params(("id" = i64, Path, description = "The referral")),
    responses((status = 200, body = Items<HistoryEntry>)))]
pub async fn history_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<ReferralId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let items = state.db.read(move |c| history(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(Items::of(items)))
}

/// The order's referrals: the owner sees all, a notified centre its own.
#[utoipa::path(get, path = "/orders/{id}/referrals", tag = "referrals", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = Items<ReferralView>)))]
pub async fn of_order_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let items = state.db.read(move |c| of_order(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(Items::of(items)))
}
