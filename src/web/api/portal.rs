//! The employer portal over JSON: an order's portal status and transfer protocol (owner), and
//! the portal's signed callback.

use actix_web::{web, HttpRequest, HttpResponse};

use crate::domain::actor::AuthUser;
use crate::domain::portal::{self, Mode, PortalView};
use crate::domain::portal_wire::{self, Callback, SIGNATURE_HEADER};
use crate::error::{AppResult, ErrorBody};
use crate::ids::JobOrderId;
use crate::web::state::AppState;

/// `GET /api/v1/orders/{id}/portal`: the status, the portal's id and message, and the
/// protocol, newest first.
#[utoipa::path(get, path = "/orders/{id}/portal", tag = "portal", params(("id" = i64, Path, description = "The job order")),
    responses((status = 200, body = PortalView)))]
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
#[utoipa::path(post, path = "/portal/callback", tag = "portal", security(()), request_body = Callback,
    params(("X-Staer-Signature" = String, Header, description = "`sha256=<hex HMAC-SHA256 of the body>`")),
    responses((status = 200, body = CallbackAnswer), (status = 401, description = "Bad signature", body = ErrorBody),
        (status = 400, description = "Malformed", body = ErrorBody), (status = 404, description = "Not an order of ours", body = ErrorBody)))]
pub async fn callback_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let signature = req.headers().get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    portal_wire::verify(&state.config.portal_secret, signature, &body)?;
    let cb = Callback::parse(&body)?;
    let s = state.db.write(move |c| portal::callback(c, &cb)).await?;
    Ok(HttpResponse::Ok().json(CallbackAnswer {
        order_id: s.order_id,
        status: s.status,
        portal_id: s.portal_id,
    }))
}

/// The order's portal status after a callback.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct CallbackAnswer {
    pub order_id: JobOrderId,
    pub status: String,
    pub portal_id: Option<String>,
}
