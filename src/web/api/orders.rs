//! Job orders over JSON: create, read (owner or shared view), change, portal, close and
//! reopen (each with an optional reason), audit.

use actix_web::{web, HttpResponse};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit::{self, AuditEntry};
use crate::domain::order::{JobOrder, OrderView};
use crate::domain::order_close::{close, reopen};
use crate::domain::order_fields::{reject_unknown, CreateOrder, OrderFields, PatchOrder};
use crate::domain::orders::{create_confirmed, load_owned, owner_view, update, view};
use crate::domain::portal;
use crate::error::{AppResult, ErrorBody};
use crate::ids::JobOrderId;
use crate::web::api::shapes::Items;
use crate::web::json::OptJson;
use crate::web::state::AppState;

/// The optional body of close and reopen.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: Option<String>,
}

// ---- HTTP handlers -------------------------------------------------------------

/// Creates an order of the user's centre; the answer is the owner's view.
#[utoipa::path(post, path = "/orders", tag = "orders", request_body = CreateOrder,
    responses((status = 201, body = OrderView)))]
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

/// The order as the user may see it: the owner's view, or the shared fields only.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = OrderView)))]
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

/// Changes fields of the order (owner); `null` clears a nullable field.
#[utoipa::path(patch, path = "/orders/{id}", tag = "orders", params(("id" = i64, Path, description = "The job order")), request_body = PatchOrder,
    responses((status = 200, body = OrderView), (status = 409, description = "Not in a state to change", body = ErrorBody)))]
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
#[utoipa::path(post, path = "/orders/{id}/send-to-portal", tag = "orders", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = OrderView), (status = 409, description = "Closed, or already on the portal", body = ErrorBody)))]
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
#[utoipa::path(post, path = "/orders/{id}/close", tag = "orders", params(("id" = i64, Path, description = "The job order")), request_body = Option<ReasonBody>,
    responses((status = 200, body = ClosedOrder), (status = 409, description = "Already closed", body = ErrorBody)))]
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
            Ok(ClosedOrder {
                order: owner_view(c, closed.order)?,
                referrals_withdrawn: closed.withdrawn,
                consultants_notified: closed.notified,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The owner's view of a closed order, and what the close did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ClosedOrder {
    #[serde(flatten)]
    pub order: OrderView,
    pub referrals_withdrawn: usize,
    pub consultants_notified: usize,
}

/// Reopens a closed order (owner only); withdrawn referrals stay withdrawn.
#[utoipa::path(post, path = "/orders/{id}/reopen", tag = "orders", params(("id" = i64, Path, description = "The job order")), request_body = Option<ReasonBody>,
    responses((status = 200, body = OrderView), (status = 409, description = "Not closed", body = ErrorBody)))]
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
#[utoipa::path(get, path = "/orders/{id}/audit", tag = "orders", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = Items<AuditEntry>)))]
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
    Ok(HttpResponse::Ok().json(Items::of(entries)))
}
