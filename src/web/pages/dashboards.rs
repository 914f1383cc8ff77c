//! The three dashboards as pages: shared orders, my orders, my referrals.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::dashboards;
use crate::domain::dashboards::{page_of, List, ListQuery, Params};
use crate::domain::sharing::{thousands, Page};
use crate::error::AppResult;
use crate::web::export::MAX_EXPORT_ROWS;
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
        List::SharedOrders => cells(page_of(dashboards::shared_orders_window, conn, user, p)?, |r| {
            shared_cells(lang, r)
        }),
        List::MyOrders => cells(page_of(dashboards::my_orders_window, conn, user, p)?, |r| {
            my_order_cells(state, lang, r)
        }),
        List::MyReferrals => cells(page_of(dashboards::my_referrals_window, conn, user, p)?, |r| {
            my_referral_cells(state, lang, r)
        }),
    })
}

/// The page sizes offered; another one typed into the URL is offered too.
const PAGE_SIZES: [i64; 4] = [25, 50, 100, 200];

/// The status filter's options (none on the shared list: it holds open orders only) and
/// the page-size options, each marked when chosen.
fn filter_controls(state: &AppState, lang: Lang, list: List, p: &Params) -> (Vec<Value>, Vec<Value>) {
    let statuses = if list.statuses().len() > 1 {
        let prefix = if list == List::MyReferrals { "state_" } else { "status_" };
        std::iter::once(
            json!({ "value": "", "label": state.pages.t(lang, "filter_all"), "selected": p.status.is_none() }),
        )
        .chain(list.statuses().iter().map(|st| {
            json!({
                "value": st,
                "label": state.pages.t(lang, &format!("{prefix}{st}")),
                "selected": p.status == Some(*st),
            })
        }))
        .collect()
    } else {
        Vec::new()
    };
    let mut sizes: Vec<i64> = PAGE_SIZES.to_vec();
    if !sizes.contains(&p.per_page) {
        sizes.push(p.per_page);
        sizes.sort_unstable();
    }
    let sizes = sizes
        .into_iter()
        .map(|n| json!({ "value": n, "selected": n == p.per_page }))
        .collect();
    (statuses, sizes)
}

/// The export links (CSV and XLSX), for a spreadsheet in the page's language: the rows
/// shown, and every row matching the search and filter (at most `MAX_EXPORT_ROWS`).
fn csv_links(list: List, p: &Params, lang: Lang, total: i64) -> Value {
    let dir = if p.desc { "desc" } else { "asc" };
    let api = format!("/api/v1/dashboard/{}", list.slug());
    let links = |format: &str| {
        let mut pairs = vec![
            ("format", format.to_string()),
            ("lang", lang.as_str().to_string()),
            ("q", p.q.clone()),
            ("status", p.status.unwrap_or("").to_string()),
            ("sort", p.sort.to_string()),
            ("dir", dir.to_string()),
        ];
        let all = link(&api, &[pairs.clone(), vec![("all", "1".to_string())]].concat());
        pairs.push(("page", p.page.to_string()));
        pairs.push(("per_page", p.per_page.to_string()));
        (link(&api, &pairs), all)
    };
    let ((shown, all), (xlsx_shown, xlsx_all)) = (links("csv"), links("xlsx"));
    json!({
        "shown": shown,
        "all": all,
        "xlsx_shown": xlsx_shown,
        "xlsx_all": xlsx_all,
        "total": thousands(total),
        "capped": total > MAX_EXPORT_ROWS,
        "cap": thousands(MAX_EXPORT_ROWS),
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
                ("status", params.status.unwrap_or("").to_string()),
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
    let (statuses, page_sizes) = filter_controls(&state, lang, list, &params);
    let labels: Vec<String> = list.columns().iter().map(|c| t(&format!("col_{c}"))).collect();
    let rows_html = table_rows(&rows.items, &labels);
    let mut keep = vec![
        json!({ "name": "sort", "value": params.sort }),
        json!({ "name": "dir", "value": dir(params.desc) }),
    ];
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
        "csv": csv_links(list, &params, lang, rows.total),
        "statuses": statuses,
        "page_sizes": page_sizes,
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
