//! The reports page (`/reports`: charts with their tables for my centre and my networks) and
//! the coordinator's queue (`/approvals`: awaiting my approval, oldest first).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::domain::approvals::{self, AwaitingRow};
use crate::domain::reports;
use crate::web::api::reports::PeriodQuery;
use crate::web::flash::Flash;
use crate::web::format::fmt_time;
use crate::web::render::{describe, fail, me, page, page_with_flash};
use crate::web::report_tables::charts;
use crate::web::respond::link;
use crate::web::session::Session;
use crate::web::state::AppState;
use crate::web::templates::Lang;

pub async fn reports_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let q = PeriodQuery {
        from: s.param("from").map(str::to_string),
        to: s.param("to").map(str::to_string),
        lang: None,
    };
    // A bad month in a hand-edited link shows the default period and says why.
    let (period, refusal) = match q.period() {
        Ok(p) => (p, None),
        Err(e) => match PeriodQuery::default().period() {
            Ok(p) => (p, Some(Flash::error(describe(&state, s.lang, &e)))),
            Err(e) => return fail(&state, &s, e).await,
        },
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, reports::reports(c, &user, &period)?)))
        .await;
    let (me, r) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let lang = s.lang.as_str().to_string();
    let file = |key: &str, ext: &str| {
        link(
            &format!("/api/v1/reports/{key}.{ext}"),
            &[
                ("from", r.period.from.clone()),
                ("to", r.period.to.clone()),
                ("lang", lang.clone()),
            ],
        )
    };
    let charts: Vec<serde_json::Value> = charts(&state, s.lang, &r)
        .into_iter()
        .map(|c| {
            let (csv, xlsx) = (file(&c.key, "csv"), file(&c.key, "xlsx"));
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["csv_href"] = json!(csv);
            v["xlsx_href"] = json!(xlsx);
            v
        })
        .collect();
    let ctx = json!({
        "heading": t("nav_reports"),
        "from": r.period.from,
        "to": r.period.to,
        "json_href": link("/api/v1/reports", &[("from", r.period.from.clone()), ("to", r.period.to.clone())]),
        "centre_charts": &charts[..charts.len() - r.networks.len()],
        "network_charts": &charts[charts.len() - r.networks.len()..],
        "no_networks": r.networks.is_empty(),
    });
    let flash = refusal.as_ref().or(s.flash.as_ref());
    page_with_flash(&state, &s, StatusCode::OK, "reports", &me, "reports", ctx, flash)
}

/// "3 d 4 t": whole days and hours.
fn age(state: &AppState, lang: Lang, seconds: i64) -> String {
    let (d, h) = (seconds / 86_400, seconds % 86_400 / 3_600);
    let (dl, hl) = (state.pages.t(lang, "age_days"), state.pages.t(lang, "age_hours"));
    if d > 0 {
        format!("{d} {dl} {h} {hl}")
    } else {
        format!("{h} {hl}")
    }
}

pub async fn approvals_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, approvals::oldest_awaiting(c, &user)?)))
        .await;
    // The total is the header's count (capped), not a second count of the whole backlog.
    let (me, items) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let rows: Vec<serde_json::Value> = items
        .iter()
        .map(|AwaitingRow { item, age_seconds }| {
            json!({
                "href": format!("/orders/{}#referral-{}", item.order_id, item.referral_id),
                "title": item.order_title,
                "request_id": item.request_id,
                "centre": item.referring_centre,
                "created": fmt_time(item.created_at, s.lang),
                "age": age(&state, s.lang, *age_seconds),
            })
        })
        .collect();
    let ctx = json!({
        "heading": state.pages.t(s.lang, "nav_approvals"),
        "total": me.awaiting,
        "shown": rows.len(),
        "more": me.awaiting_n > rows.len() as i64,
        "rows": rows,
    });
    page(&state, &s, StatusCode::OK, "approvals", &me, "approvals", ctx)
}
