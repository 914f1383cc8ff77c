//! Referrals over JSON: refer, the state machine's actions, a referral and its history.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::referral::Action;
use crate::domain::referrals::{apply, create, history, load_visible, of_order, view, view_of};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, ReferralId};
use crate::web::json::{Json, OptJson};
use crate::web::state::AppState;

// ---- HTTP handlers -----------------------------------------------------------------

#[derive(Deserialize)]
pub struct CreateInput {
    pub candidate_id: CandidateId,
}

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

#[derive(Deserialize, Default)]
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
        .write(move |c| {
            let r = apply(c, &mail, &user, id, action, reason)?;
            view_of(c, r)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /referrals/{id}/{approve|reject|send|withdraw}`, with an optional `{"reason"}`.
pub async fn action_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(ReferralId, String)>,
    body: OptJson<ReasonInput>,
) -> AppResult<HttpResponse> {
    let (id, name) = path.into_inner();
    let action = match name.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "send" => Action::Send,
        "withdraw" => Action::Withdraw,
        _ => return Err(AppError::NotFound),
    };
    act(state, user, id, action, body.0.and_then(|b| b.reason)).await
}

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

pub async fn history_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<ReferralId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let items = state.db.read(move |c| history(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

pub async fn of_order_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let items = state.db.read(move |c| of_order(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}
