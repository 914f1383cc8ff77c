//! The three dashboards as pages: shared orders, my orders, my referrals.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::dashboards;
use crate::domain::dashboards::{List, ListQuery, Params};
use crate::domain::sharing::Page;
use crate::error::AppResult;
use crate::web::flash::Flash;
use crate::web::format::{fmt_date, fmt_time, pager};
use crate::web::render::{describe, fail, me, page_with_flash};
use crate::web::respond::link;
use crate::web::session::Session;
use crate::web::state::AppState;
use crate::web::table::{cell, linked, num, table_rows, Cell};
use crate::web::templates::Lang;

pub(crate) fn shared_cells(lang: Lang, r: &dashboards::SharedOrderRow) -> Vec<Cell> {
    vec![
        cell(format!("{} {}", r.primary_authority_number, r.primary_authority_name)),
        cell(&r.responsible_consultant),
        cell(&r.coordinator),
        cell(r.coordinator_external.clone().unwrap_or_default()),
        cell(&r.occupation),
        // Linked too: on a narrow screen the title column is off to the right.
        linked(&r.request_id, format!("/orders/{}", r.id)),
        cell(&r.order_type),
        linked(&r.title, format!("/orders/{}", r.id)),
        cell(&r.company_name),
        cell(fmt_date(r.start_date, lang)),
        num(r.vacancies),
        num(r.referred),
    ]
}

pub(crate) fn my_order_cells(state: &AppState, lang: Lang, r: &dashboards::MyOrderRow) -> Vec<Cell> {
    vec![
        linked(&r.title, format!("/orders/{}", r.id)),
        cell(&r.occupation),
        cell(&r.request_id),
        cell(&r.company_name),
        cell(fmt_date(r.start_date, lang)),
        cell(r.end_date.map(|d| fmt_date(d, lang)).unwrap_or_default()),
        num(r.vacancies),
        num(r.referred),
        cell(fmt_time(r.created_at, lang)),
        cell(fmt_time(r.updated_at, lang)),
        cell(state.pages.t(lang, &format!("status_{}", r.status))),
    ]
}

pub(crate) fn my_referral_cells(state: &AppState, lang: Lang, r: &dashboards::MyReferralRow) -> Vec<Cell> {
    vec![
        linked(&r.order_title, format!("/orders/{}#referral-{}", r.order_id, r.id)),
        cell(&r.company_name),
        cell(&r.candidate_name),
        cell(state.pages.t(lang, &format!("state_{}", r.state))),
        cell(fmt_time(r.created_at, lang)),
        cell(&r.created_by_name),
    ]
}

/// One list page: the same query function as the API, and its rows as cells.
pub(crate) fn list_rows(
    state: &AppState,
    conn: &mut DbConn,
    user: &AuthUser,
    lang: Lang,
    list: List,
    p: &Params,
) -> AppResult<Page<Vec<Cell>>> {
    fn cells<R>(page: Page<R>, f: impl Fn(&R) -> Vec<Cell>) -> Page<Vec<Cell>> {
        let items = page.items.iter().map(f).collect();
        Page {
            items,
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            range: page.range,
        }
    }
    Ok(match list {
        List::SharedOrders => cells(dashboards::shared_orders(conn, user, p)?, |r| shared_cells(lang, r)),
        List::MyOrders => cells(dashboards::my_orders(conn, user, p)?, |r| {
            my_order_cells(state, lang, r)
        }),
        List::MyReferrals => cells(dashboards::my_referrals(conn, user, p)?, |r| {
            my_referral_cells(state, lang, r)
        }),
    })
}

pub(crate) async fn dashboard(state: web::Data<AppState>, s: Session, list: List) -> HttpResponse {
    let lq: ListQuery =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&s.query).unwrap_or_default()).unwrap_or_default();
    // A bad sort or page in a hand-edited link shows the default list and says why.
    let (params, refusal) = match Params::parse(list, &lq) {
        Ok(p) => (p, None),
        Err(e) => match Params::parse(list, &ListQuery::default()) {
            Ok(p) => (p, Some(Flash::error(describe(&state, s.lang, &e)))),
            Err(e) => return fail(&state, &s, e).await,
        },
    };
    let wide = s.param("wide") == Some("1");
    let (user, lang, p) = (s.user.clone(), s.lang, params.clone());
    let st = state.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, list_rows(&st, c, &user, lang, list, &p)?)))
        .await;
    let (me, rows) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let path = format!("/dashboard/{}", list.slug());
    let dir = |desc: bool| if desc { "desc" } else { "asc" }.to_string();
    let wide_s = if wide { "1".to_string() } else { String::new() };
    // Every link keeps the search, the sort, the page size and the width.
    let href = |sort: &str, desc: bool, page: i64, wide: &str| {
        link(
            &path,
            &[
                ("q", params.q.clone()),
                ("sort", sort.to_string()),
                ("dir", dir(desc)),
                ("page", if page > 1 { page.to_string() } else { String::new() }),
                (
                    "per_page",
                    if params.per_page != dashboards::DEFAULT_PER_PAGE {
                        params.per_page.to_string()
                    } else {
                        String::new()
                    },
                ),
                ("wide", wide.to_string()),
            ],
        )
    };
    let t = |k: &str| state.pages.t(lang, k);
    let columns: Vec<Value> = list
        .columns()
        .iter()
        .map(|col| {
            let active = *col == params.sort;
            // A click sorts by the column; a click on the sorted column turns it around.
            let next_desc = active && !params.desc;
            json!({
                "label": t(&format!("col_{col}")),
                "href": href(col, next_desc, 1, &wide_s),
                "active": active,
                "arrow": if params.desc { "▼" } else { "▲" },
                "aria": if params.desc { "descending" } else { "ascending" },
            })
        })
        .collect();
    let labels: Vec<String> = list.columns().iter().map(|c| t(&format!("col_{c}"))).collect();
    let rows_html = table_rows(&rows.items, &labels);
    let csv_href = link(
        &format!("/api/v1/dashboard/{}", list.slug()),
        &[
            ("format", "csv".to_string()),
            ("q", params.q.clone()),
            ("sort", params.sort.to_string()),
            ("dir", dir(params.desc)),
            ("page", params.page.to_string()),
            ("per_page", params.per_page.to_string()),
        ],
    );
    let mut keep = vec![
        json!({ "name": "sort", "value": params.sort }),
        json!({ "name": "dir", "value": dir(params.desc) }),
    ];
    if params.per_page != dashboards::DEFAULT_PER_PAGE {
        keep.push(json!({ "name": "per_page", "value": params.per_page }));
    }
    if wide {
        keep.push(json!({ "name": "wide", "value": "1" }));
    }
    let heading = t(match list {
        List::SharedOrders => "nav_shared",
        List::MyOrders => "nav_my_orders",
        List::MyReferrals => "nav_my_referrals",
    });
    let ctx = json!({
        "heading": heading,
        "action": path,
        "q": params.q,
        "keep": keep,
        "columns": columns,
        "ncols": labels.len(),
        "rows_html": rows_html,
        "pager": pager(&rows, lang, |n| href(params.sort, params.desc, n, &wide_s)),
        "csv_href": csv_href,
        "wide_href": href(params.sort, params.desc, params.page, if wide { "" } else { "1" }),
    });
    let flash = refusal.as_ref().or(s.flash.as_ref());
    page_with_flash(&state, &s, StatusCode::OK, "dashboard", &me, list.slug(), ctx, flash)
}

pub async fn shared_orders(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::SharedOrders).await
}

pub async fn my_orders(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::MyOrders).await
}

pub async fn my_referrals(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::MyReferrals).await
}
