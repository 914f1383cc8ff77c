//! Closing an order from its page: a confirmation page that asks for the reason and says
//! what will happen to the live referrals, then the close; and reopening. No JavaScript.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::order_close;
use crate::error::AppError;
use crate::ids::JobOrderId;
use crate::web::flash::Flash;
use crate::web::render::{change, describe, fail, is_refusal, me, outcome, page_with_flash, Status};
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;

/// The confirmation page, with a refusal beside the reason field when there is one.
async fn form(
    state: &web::Data<AppState>,
    s: &Session,
    id: JobOrderId,
    reason: &str,
    error: Option<AppError>,
) -> HttpResponse {
    let (user, lang) = (s.user.clone(), s.lang);
    let st = state.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let (order, live) = order_close::preview(c, &user, id)?;
            Ok((me, order, live))
        })
        .await;
    let (me, order, live) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    if !order.is_open() {
        let text = st.pages.t(lang, "close_already_closed");
        return outcome(state, s, &format!("/orders/{id}"), Err(AppError::Conflict(text))).await;
    }
    let t = |k: &str| st.pages.t(lang, k);
    let status = error.as_ref().map_or(StatusCode::OK, Status::status);
    let flash = error.as_ref().map(|e| Flash::error(describe(&st, lang, e)));
    let ctx = json!({
        "heading": format!("{}: {}", t("close_order"), order.title),
        "order": { "id": id, "title": order.title, "request_id": order.request_id },
        "live": live,
        "reason": reason,
        "invalid": error.is_some(),
        "error_text": flash.as_ref().map(|f| f.text.clone()),
    });
    page_with_flash(state, s, status, "order_close", &me, "", ctx, flash.as_ref())
}

pub async fn close_form(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    form(&state, &s, id, "", None).await
}

/// Closes with the reason the form requires (the API's reason is optional).
pub async fn close_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let reason = f.0.text("reason");
    if reason.trim().is_empty() {
        let e = AppError::invalid("reason", state.pages.t(s.lang, "close_reason_required"));
        return form(&state, &s, id, &reason, Some(e)).await;
    }
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state
        .db
        .write({
            let reason = reason.clone();
            move |c| order_close::close(c, &mail, &user, id, Some(reason))
        })
        .await;
    match result {
        Ok(closed) => {
            let text = format!(
                "{} {} {}",
                state.pages.t(s.lang, "ok_closed"),
                state.pages.t(s.lang, "ok_closed_withdrawn"),
                closed.withdrawn
            );
            outcome(&state, &s, &format!("/orders/{id}"), Ok(text)).await
        }
        // A too-long reason comes back to the form, beside its field.
        Err(e @ AppError::Validation { .. }) => form(&state, &s, id, &reason, Some(e)).await,
        Err(e) if is_refusal(&e) => outcome(&state, &s, &format!("/orders/{id}"), Err(e)).await,
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn reopen_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let reason = f.0.opt("reason");
    let text = state.pages.t(s.lang, "ok_reopened");
    change(&state, &s, &format!("/orders/{id}"), move |c, _, u| {
        order_close::reopen(c, u, id, reason).map(|_| text)
    })
    .await
}
