//! The unsubscribe link of a job agent's digest: a page without login, rendered like every
//! other page (same templates, same CSP and headers, no inline style). Opening the link only
//! asks; a POST to it unsubscribes. That POST is also the mail's one-click unsubscribe
//! (RFC 8058, `List-Unsubscribe-Post`): no login, no CSRF token, the URL's token is the key.
//! A GET never unsubscribes, because mail scanners open links.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::job_agents;
use crate::error::{AppError, AppResult};
use crate::web::respond::{base_context, html, lang_of, merge, query_pairs};
use crate::web::state::AppState;

/// "Unsubscribe from this job agent?" with the button, or that it is done already.
pub async fn unsubscribe_form(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    let t = token.clone();
    let r = state.db.read(move |c| job_agents::subscribed(c, &t)).await;
    let ask = matches!(r, Ok(true));
    answer(
        &state,
        &req,
        r.map(|active| if active { "unsubscribe_ask" } else { "unsubscribe_done" }),
        ask.then_some(token),
    )
}

/// Unsubscribes; a second click says the same.
pub async fn unsubscribe(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    let r = state.db.write(move |c| job_agents::unsubscribe(c, &token)).await;
    answer(&state, &req, r.map(|()| "unsubscribe_done"), None)
}

fn answer(state: &AppState, req: &HttpRequest, r: AppResult<&str>, token: Option<String>) -> HttpResponse {
    let (status, key) = match r {
        Ok(key) => (StatusCode::OK, key),
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "unsubscribe_unknown"),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unsubscribe_later")
        }
    };
    let (lang, _) = lang_of(req, None);
    let p = &state.pages;
    let mut data = base_context(
        lang,
        req.path(),
        &query_pairs(req),
        None,
        p.t(lang, "unsubscribe_title"),
    );
    merge(
        &mut data,
        json!({ "heading": p.t(lang, "unsubscribe_title"), "text": p.t(lang, key), "token": token }),
    );
    html(state, lang, status, "unsubscribe", data)
}
