//! The employer portal over JSON: an order's portal status and transfer protocol (owner), and
//! the portal's signed callback.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::domain::actor::AuthUser;
use crate::domain::portal::{self, Mode};
use crate::domain::portal_wire::{self, Callback, SIGNATURE_HEADER};
use crate::error::AppResult;
use crate::ids::JobOrderId;
use crate::web::state::AppState;

/// `GET /api/v1/orders/{id}/portal`: the status, the portal's id and message, and the
/// protocol, newest first.
pub async fn status_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let mode = Mode::of(state.config.portal_url.as_deref());
    let v = state.db.read(move |c| portal::view(c, &user, id, mode)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// `POST /api/v1/portal/callback`: the portal confirms, rejects or archives an ad. The
/// signature is checked (constant time) before anything is read: forged 401, malformed
/// 400, an order the portal does not have from us 404.
pub async fn callback_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let signature = req.headers().get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    portal_wire::verify(&state.config.portal_secret, signature, &body)?;
    let cb = Callback::parse(&body)?;
    let s = state.db.write(move |c| portal::callback(c, &cb)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "order_id": s.order_id,
        "status": s.status,
        "portal_id": s.portal_id,
    })))
}
