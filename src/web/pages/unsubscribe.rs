//! The unsubscribe link of a job agent's digest: a page without login, rendered like every
//! other page (same templates, same CSP and headers, no inline style).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::job_agents;
use crate::error::AppError;
use crate::web::respond::{base_context, html, lang_of, merge, query_pairs};
use crate::web::state::AppState;

/// Idempotent: a second click says the same.
pub async fn unsubscribe(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let token = token.into_inner();
    let r = state.db.write(move |c| job_agents::unsubscribe(c, &token)).await;
    let (status, key) = match r {
        Ok(()) => (StatusCode::OK, "unsubscribe_done"),
        Err(AppError::NotFound) => (StatusCode::NOT_FOUND, "unsubscribe_unknown"),
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe failed");
            (StatusCode::SERVICE_UNAVAILABLE, "unsubscribe_later")
        }
    };
    let (lang, _) = lang_of(&req, None);
    let p = &state.pages;
    let mut data = base_context(
        &state,
        lang,
        req.path(),
        &query_pairs(&req),
        None,
        p.t(lang, "unsubscribe_title"),
    );
    merge(
        &mut data,
        json!({ "heading": p.t(lang, "unsubscribe_title"), "text": p.t(lang, key) }),
    );
    html(&state, status, "notice", data)
}
