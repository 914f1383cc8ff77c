//! The public view of an order from a citizen's digest (`/o/{token}`): no login, the pages' CSP
//! and headers, Danish with English selectable. A forged or unknown link is a 404 and an
//! expired link or a closed order a 410, each a page that shows nothing of the order.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::json;

use crate::domain::public_order;
use crate::error::AppError;
use crate::mail::links::LinkError;
use crate::web::format::fmt_date;
use crate::web::respond::{base_context, html, lang_of, link_notice, merge, not_indexed, query_pairs};
use crate::web::state::AppState;
use crate::web::templates::Lang;

pub async fn public_order(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let (lang, _) = lang_of(&req, None);
    let link = match state.mail.verify_order_link(&token, Utc::now().naive_utc()) {
        Ok(l) => l,
        Err(LinkError::Forged) => return notice(&state, &req, lang, StatusCode::NOT_FOUND, "public_order_unknown"),
        Err(LinkError::Expired) => return notice(&state, &req, lang, StatusCode::GONE, "public_order_expired"),
    };
    let order = match state
        .db
        .read(move |c| public_order::open(c, link.order, link.agent))
        .await
    {
        Ok(Some(o)) => o,
        Ok(None) => return notice(&state, &req, lang, StatusCode::GONE, "public_order_closed"),
        Err(AppError::NotFound) => return notice(&state, &req, lang, StatusCode::NOT_FOUND, "public_order_unknown"),
        Err(e) => {
            tracing::error!(error = %e, "public order failed");
            return notice(&state, &req, lang, StatusCode::SERVICE_UNAVAILABLE, "error_text");
        }
    };
    let mut data = base_context(lang, req.path(), &query_pairs(&req), None, order.title.clone());
    merge(
        &mut data,
        json!({
            "heading": order.title,
            "order": order,
            "start_date": fmt_date(order.start_date, lang),
            "end_date": order.end_date.map(|d| fmt_date(d, lang)),
        }),
    );
    not_indexed(html(&state, lang, StatusCode::OK, "public_order", data))
}

fn notice(state: &AppState, req: &HttpRequest, lang: Lang, status: StatusCode, key: &str) -> HttpResponse {
    link_notice(state, req, lang, status, "public_order_title", key)
}
