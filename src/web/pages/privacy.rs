//! The privacy notice: who is the data controller, what is kept, for how long, and who may
//! see what. Reachable without logging in (JobIMPULS's rule), with the pages' CSP.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::web::respond::{base_context, html, lang_of, merge, query_pairs};
use crate::web::state::AppState;

pub async fn privacy_page(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let (lang, _) = lang_of(&req, None);
    let heading = state.pages.t(lang, "privacy_title");
    let mut data = base_context(lang, req.path(), &query_pairs(&req), None, heading.clone());
    merge(
        &mut data,
        json!({
            "heading": heading,
            "controller": state.config.data_controller,
            "retention_months": state.config.retention_months,
        }),
    );
    html(&state, lang, StatusCode::OK, "privacy", data)
}
