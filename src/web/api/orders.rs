//! Job orders over JSON: create, read (owner or shared view), change, portal, close, audit.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::domain::order::JobOrder;
use crate::domain::order_fields::{reject_unknown, CreateOrder, OrderFields, PatchOrder};
use crate::domain::orders::{close, create, load_owned, owner_view, send_to_portal, update, view};
use crate::error::AppResult;
use crate::ids::JobOrderId;
use crate::web::state::AppState;

// ---- HTTP handlers -------------------------------------------------------------

pub async fn create_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: crate::web::json::Json<CreateOrder>,
) -> AppResult<HttpResponse> {
    reject_unknown(&body.0.other)?;
    let fields = OrderFields::from(body.into_inner());
    let v = state
        .db
        .write(move |c| {
            let o = create(c, &user, fields)?;
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

pub async fn send_to_portal_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    change(state, user, move |c, u| send_to_portal(c, u, id)).await
}

pub async fn close_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    change(state, user, move |c, u| close(c, u, id)).await
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
