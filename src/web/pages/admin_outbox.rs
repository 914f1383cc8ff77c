//! The administrator's mail outbox page: what waits to go out and what failed (or any one
//! status), newest first, with the attempts, the last error and when the next try is due,
//! and a button that puts a failed mail back in the queue.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::outbox;
use crate::domain::sharing::Page;
use crate::error::AppError;
use crate::ids::OutboxId;
use crate::web::format::{fmt_time, pager};
use crate::web::render::{admin_only, change, fail, me, page};
use crate::web::respond::link;
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;

/// The filter's choices; the first is the default.
const STATUSES: [&str; 5] = ["unsent", "failed", "pending", "sent", "cancelled"];

pub async fn outbox_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let status = s.param("status").unwrap_or(STATUSES[0]).to_string();
    if !STATUSES.contains(&status.as_str()) {
        let e = AppError::invalid("status", "must be pending, failed, unsent, sent or cancelled");
        return fail(&state, &s, e).await;
    }
    let page_no = s.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let (user, st) = (s.user.clone(), status.clone());
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, outbox::list(c, &user, Some(&st), page_no)?)))
        .await;
    let (me, list) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let count = |st: &str| list.counts.get(st).copied().unwrap_or(0);
    let statuses: Vec<Value> = STATUSES
        .iter()
        .map(|st| {
            let (label, n) = match *st {
                "unsent" => (t("outbox_waiting"), count("pending") + count("failed")),
                other => (t(&format!("outbox_status_{other}")), count(other)),
            };
            json!({ "value": st, "label": format!("{label} ({n})"), "selected": *st == status })
        })
        .collect();
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|m| {
            json!({
                "id": m.id, "to": m.to_addr, "subject": m.subject,
                "status": t(&format!("outbox_status_{}", m.status)),
                "attempts": m.attempts, "last_error": m.last_error,
                // When it goes out next; a sent or cancelled mail is due no more.
                "due": (m.status == "pending" || m.status == "failed").then(|| fmt_time(m.next_attempt_at, s.lang)),
                "retry": m.status == "failed",
            })
        })
        .collect();
    let rows = Page::new(rows, list.total, list.page, list.per_page);
    let pager = pager(&rows, s.lang, |n| {
        link("/admin/outbox", &[("status", status.clone()), ("page", n.to_string())])
    });
    let ctx = json!({
        "heading": t("outbox_title"),
        "admin_tab": "outbox",
        "statuses": statuses,
        "status": status,
        "mails": rows.items,
        "pager": pager,
    });
    page(&state, &s, StatusCode::OK, "admin_outbox", &me, "admin", ctx)
}

/// Puts a mail back at the head of the queue, then back to the list it came from.
pub async fn retry(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let Some(id) = parse_id(&id).map(OutboxId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let status = f.0.get("status");
    let status = if STATUSES.contains(&status) {
        status
    } else {
        STATUSES[0]
    };
    let back = link("/admin/outbox", &[("status", status.to_string())]);
    let text = state.pages.t(s.lang, "ok_retry");
    change(&state, &s, &back, move |c, _, u| outbox::retry(c, u, id).map(|()| text)).await
}
