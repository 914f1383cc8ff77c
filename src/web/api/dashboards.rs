//! The three dashboard lists as JSON or CSV: the page (`format=csv`), or every row matching
//! the filter (`format=csv&all=1`, streamed, at most `export::MAX_EXPORT_ROWS`); plain
//! (field names, `,`) or for a spreadsheet in a language (`lang=da|en`: labels, `;`).

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;

use crate::domain::actor::AuthUser;
use crate::domain::csv_export::to_csv;
use crate::domain::dashboards::{
    my_orders_window, my_referrals_window, page_of, shared_orders_window, List, ListQuery, Loader, Params, Window,
};
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::web::export::{self, ExportBody, Flavour, Localized, CHUNK, MAX_EXPORT_ROWS};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The export's options beside the list's own query.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    pub all: Option<String>,
    pub lang: Option<String>,
}

fn file_name(list: List, part: &str) -> String {
    format!("staer-{}-{}-{part}.csv", list.slug(), Utc::now().format("%Y-%m-%d"))
}

fn csv_response(file: &str) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    res.content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")));
    res
}

fn respond<R: Localized>(state: &AppState, list: List, page: Page<R>, csv: Option<Flavour>) -> AppResult<HttpResponse> {
    let Some(flavour) = csv else {
        return Ok(HttpResponse::Ok().json(page));
    };
    let body = match flavour {
        Flavour::Plain => to_csv(&page.items)?,
        Flavour::Sheet(_) => {
            let mut b = export::header::<R>(&state.pages, flavour)?;
            b.extend(export::lines(&state.pages, flavour, &page.items)?);
            b
        }
    };
    let part = if flavour == Flavour::Sheet(Lang::En) {
        "page"
    } else {
        "side"
    };
    let file = file_name(list, &format!("{part}-{}", page.page));
    Ok(csv_response(&file).body(body))
}

/// `None` for JSON, else the CSV's flavour.
fn wants_csv(q: &ListQuery, e: &ExportQuery) -> AppResult<Option<Flavour>> {
    match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => return Ok(None),
        Some("csv") => {}
        Some(_) => return Err(AppError::invalid("format", "must be json or csv")),
    }
    Ok(Some(match e.lang.as_deref().map(str::trim) {
        None | Some("") => Flavour::Plain,
        Some(l) => Flavour::Sheet(Lang::parse(l).ok_or_else(|| AppError::invalid("lang", "must be da or en"))?),
    }))
}

fn wants_all(e: &ExportQuery, csv: bool) -> AppResult<bool> {
    let all = match e.all.as_deref().map(str::trim) {
        None | Some("") | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(_) => return Err(AppError::invalid("all", "must be 1 or 0")),
    };
    if all && !csv {
        return Err(AppError::invalid("all", "applies to format=csv only"));
    }
    Ok(all)
}

// ---- HTTP handlers -----------------------------------------------------------------

/// One list as JSON or CSV: check the query, read the page (or stream every row), answer.
async fn list_handler<R: Localized + Send + 'static>(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
    list: List,
    load: Loader<R>,
) -> AppResult<HttpResponse> {
    let (p, csv) = (Params::parse(list, &query)?, wants_csv(&query, &ex)?);
    let all = wants_all(&ex, csv.is_some())?;
    let Some(flavour) = csv.filter(|_| all) else {
        let page = state.db.read(move |c| page_of(load, c, &user, &p)).await?;
        return respond(&state, list, page, csv);
    };
    let first = Window {
        offset: 0,
        limit: CHUNK.min(MAX_EXPORT_ROWS),
        count: true,
    };
    let (u, q) = (user.clone(), p.clone());
    let (total, rows) = state.db.read(move |c| load(c, &u, &q, first)).await?;
    let rows_out = total.min(MAX_EXPORT_ROWS);
    let file = file_name(
        list,
        if flavour == Flavour::Sheet(Lang::En) {
            "all"
        } else {
            "alle"
        },
    );
    let body = ExportBody::new(state.clone(), user, p, load, flavour, total, rows)?;
    Ok(csv_response(&file)
        .insert_header(("X-Total-Count", total.to_string()))
        .insert_header(("X-Export-Rows", rows_out.to_string()))
        .insert_header(("X-Export-Truncated", (total > rows_out).to_string()))
        .body(body))
}

pub async fn shared_orders_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, ex, List::SharedOrders, shared_orders_window).await
}

pub async fn my_orders_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, ex, List::MyOrders, my_orders_window).await
}

pub async fn my_referrals_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, ex, List::MyReferrals, my_referrals_window).await
}
