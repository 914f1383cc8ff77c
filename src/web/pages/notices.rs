//! My notices (`/notices`): newest first, a page at a time, all or only the unread ones,
//! each linking to its order or referral; mark one or all as read.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::notices::{self, Notice};
use crate::domain::sharing::Page;
use crate::error::AppError;
use crate::ids::NoticeId;
use crate::web::format::{fmt_time, pager};
use crate::web::render::{change, fail, me, page};
use crate::web::respond::link;
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The notice in the user's words: its kind's label with the order, the candidate and the
/// event's own values put in. A kind with no label yet says "news about the order".
pub(crate) fn text(state: &AppState, lang: Lang, n: &Notice) -> String {
    let key = format!("notice_{}", n.kind);
    let mut s = if state.pages.labels(lang).contains_key(&key) {
        state.pages.t(lang, &key)
    } else {
        state.pages.t(lang, "notice_other")
    };
    let mut put = |k: &str, v: &str| s = s.replace(&format!("{{{k}}}"), v);
    put("order", n.order_title.as_deref().unwrap_or_default());
    put("candidate", n.candidate_name.as_deref().unwrap_or_default());
    put("reason", n.reason.as_deref().unwrap_or_default());
    if let Some(params) = n.params.as_object() {
        for (k, v) in params {
            match v {
                Value::String(v) => put(k, v),
                Value::Null => put(k, ""),
                other => put(k, &other.to_string()),
            }
        }
    }
    s
}

/// The list's own query (unread only, page), kept by its forms and its pager.
fn back(unread_only: bool, page_no: i64) -> String {
    let unread = if unread_only { "1".into() } else { String::new() };
    let page_no = if page_no > 1 {
        page_no.to_string()
    } else {
        String::new()
    };
    link("/notices", &[("unread", unread), ("page", page_no)])
}

pub async fn notices_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let unread_only = s.param("unread") == Some("1");
    let page_no = s.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, notices::list(c, &user, unread_only, page_no, None)?)))
        .await;
    let (me, list) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let items: Vec<Value> = list
        .items
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "text": text(&state, s.lang, n),
                "link": n.link,
                "when": fmt_time(n.created_at, s.lang),
                "iso": n.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "unread": n.read_at.is_none(),
            })
        })
        .collect();
    let rows = Page::new(items, list.total, list.page, list.per_page);
    let pager = pager(&rows, s.lang, |n| back(unread_only, n));
    let ctx = json!({
        "heading": state.pages.t(s.lang, "notices_title"),
        "items": rows.items,
        "pager": pager,
        "unread_only": unread_only,
        "any_unread": list.unread > 0,
        "page_no": list.page,
    });
    page(&state, &s, StatusCode::OK, "notices", &me, "notices", ctx)
}

/// Marks one of my notices read, back to the list as it was.
pub async fn mark_read(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(NoticeId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let to = back(f.0.get("unread") == "1", f.0.get("page").parse().unwrap_or(1));
    let text = state.pages.t(s.lang, "ok_marked_read");
    change(&state, &s, &to, move |c, _, u| {
        notices::mark_read(c, u, id).map(|_| text)
    })
    .await
}

/// Marks every notice of mine read.
pub async fn mark_all_read(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let to = back(f.0.get("unread") == "1", 1);
    let text = state.pages.t(s.lang, "ok_all_read");
    change(&state, &s, &to, move |c, _, u| {
        notices::mark_all_read(c, u).map(|_| text)
    })
    .await
}
