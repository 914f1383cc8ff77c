//! Job orders over JSON: create, read (owner or shared view), change, portal, close and
//! reopen (each with an optional reason), audit.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::order::JobOrder;
use crate::domain::order_close::{close, reopen};
use crate::domain::order_fields::{reject_unknown, CreateOrder, OrderFields, PatchOrder};
use crate::domain::orders::{create_confirmed, load_owned, owner_view, update, view};
use crate::domain::portal;
use crate::error::AppResult;
use crate::ids::JobOrderId;
use crate::web::json::OptJson;
use crate::web::state::AppState;

/// The optional body of close and reopen.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: Option<String>,
}

// ---- HTTP handlers -------------------------------------------------------------

pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: crate::web::json::Json<CreateOrder>,
) -> AppResult<HttpResponse> {
    reject_unknown(&body.0.other)?;
    let confirm = body.0.confirm_past_start;
    let fields = OrderFields::from(body.into_inner());
    let v = state
        .db
        .write(move |c| {
            let o = create_confirmed(c, &user, fields, confirm)?;
            owner_view(c, o)
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

pub async fn get_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let v = state.db.read(move |c| view(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Runs one change of the owner's in a write transaction and answers with the owner's view.
async fn change(
    state: web::Data<AppState>,
    user: AuthUser,
    f: impl FnOnce(&mut DbConn, &AuthUser) -> AppResult<JobOrder> + Send + 'static,
) -> AppResult<HttpResponse> {
    let v = state
        .db
        .write(move |c| {
            let o = f(c, &user)?;
            owner_view(c, o)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

pub async fn patch_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: crate::web::json::Json<PatchOrder>,
) -> AppResult<HttpResponse> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    reject_unknown(&patch.other)?;
    change(state, user, move |c, u| update(c, u, id, patch)).await
}

/// With a portal configured, queues the transfer (see `GET …/portal`); without one, records
/// the consultant's confirmation that the order was sent.
pub async fn send_to_portal_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let mode = portal::Mode::of(state.config.portal_url.as_deref());
    change(state, user, move |c, u| portal::send(c, u, id, mode)).await
}

/// Closes the order with an optional `{"reason"}` (no body works too); the answer is the
/// owner's view plus how many live referrals were withdrawn and consultants told.
pub async fn close_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: OptJson<ReasonBody>,
) -> AppResult<HttpResponse> {
    let (id, reason) = (id.into_inner(), body.0.unwrap_or_default().reason);
    let mail = state.mail.clone();
    let v = state
        .db
        .write(move |c| {
            let closed = close(c, &mail, &user, id, reason)?;
            let mut v = serde_json::to_value(owner_view(c, closed.order)?)
                .map_err(|e| crate::error::AppError::Internal(format!("order view: {e}")))?;
            v["referrals_withdrawn"] = json!(closed.withdrawn);
            v["consultants_notified"] = json!(closed.notified);
            Ok(v)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Reopens a closed order (owner only); withdrawn referrals stay withdrawn.
pub async fn reopen_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: OptJson<ReasonBody>,
) -> AppResult<HttpResponse> {
    let (id, reason) = (id.into_inner(), body.0.unwrap_or_default().reason);
    change(state, user, move |c, u| reopen(c, u, id, reason)).await
}

/// The order's audit history, newest first; owner only (it names private fields).
pub async fn audit_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let entries = state
        .db
        .read(move |c| {
            load_owned(c, &user, id)?;
            audit::history(c, "job_order", id.0, 500)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": entries })))
}
