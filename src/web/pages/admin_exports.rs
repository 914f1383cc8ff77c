//! The export log as a page for administrators (`/admin/exports`): who exported which list
//! with which query, how many rows, when; newest first, a page at a time, by user.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::export_log;
use crate::domain::sharing::thousands;
use crate::web::api::exports::ExportsQuery;
use crate::web::format::{fmt_time, pager};
use crate::web::render::{fail, me, page};
use crate::web::respond::link;
use crate::web::session::Session;
use crate::web::state::AppState;

pub async fn exports_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    // Refused before anything is read.
    if let Err(e) = s.user.require_admin("read the export log") {
        return fail(&state, &s, e).await;
    }
    let q = ExportsQuery {
        user: s.param("user").map(str::to_string),
        page: s.param("page").map(str::to_string),
        per_page: s.param("per_page").map(str::to_string),
    };
    let lq = match q.log_query() {
        Ok(lq) => lq,
        Err(e) => return fail(&state, &s, e).await,
    };
    let (user, filter) = (s.user.clone(), lq.clone());
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, export_log::list(c, &user, &filter)?)))
        .await;
    let (me, log) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let rows: Vec<serde_json::Value> = log
        .items
        .iter()
        .map(|e| {
            json!({
                "at": fmt_time(e.at, s.lang),
                "user": e.display_name,
                "username": e.username,
                "centre": format!("{} {}", e.authority_number, e.centre),
                "list": e.list,
                "format": e.format,
                "query": e.query,
                "rows": thousands(e.rows),
            })
        })
        .collect();
    let who = lq.user.clone().unwrap_or_default().trim().to_string();
    let per_page = if lq.per_page == export_log::DEFAULT_PER_PAGE {
        String::new()
    } else {
        lq.per_page.to_string()
    };
    let href = |n: i64| {
        link(
            "/admin/exports",
            &[
                ("user", who.clone()),
                ("page", if n > 1 { n.to_string() } else { String::new() }),
                ("per_page", per_page.clone()),
            ],
        )
    };
    let ctx = json!({
        "admin_tab": "exports",
        "heading": state.pages.t(s.lang, "nav_exports"),
        "user": who,
        "rows": rows,
        "pager": pager(&log, s.lang, href),
    });
    page(&state, &s, StatusCode::OK, "admin_exports", &me, "exports", ctx)
}
