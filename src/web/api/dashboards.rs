//! The three dashboard lists as JSON, CSV or XLSX: the page (`format=csv|xlsx`), or every
//! row matching the filter (`all=1`; CSV streamed, at most `export::MAX_EXPORT_ROWS`). CSV
//! is plain (field names, `,`) or for a spreadsheet in a language (`lang=da|en`: labels,
//! `;`); XLSX is always labelled, in `lang` or the user's language. Every file is logged.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::actor::AuthUser;
use crate::domain::csv_export::to_csv;
use crate::domain::dashboards::{
    my_orders_window, my_referrals_window, page_of, shared_orders_window, List, ListQuery, Loader, MyOrderRow,
    MyReferralRow, Params, SharedOrderRow, Window,
};
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::web::export::{
    self, log_export, to_xlsx, ExportBody, Flavour, Localized, CHUNK, MAX_EXPORT_ROWS, XLSX_TYPE,
};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The export's options beside the list's own query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `1`: every matching row (at most 100,000), with `format=csv` or `xlsx` only.
    pub all: Option<String>,
    /// `da` or `en`: the file's labels (CSV: labels and `;`).
    pub lang: Option<String>,
}

/// What a list request answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Out {
    Json,
    Csv(Flavour),
    Xlsx(Lang),
}

impl Out {
    fn ext(self) -> &'static str {
        match self {
            Out::Xlsx(_) => "xlsx",
            _ => "csv",
        }
    }

    /// The file name's words ("side"/"page", "alle"/"all") follow the file's language.
    fn english(self) -> bool {
        matches!(self, Out::Csv(Flavour::Sheet(Lang::En)) | Out::Xlsx(Lang::En))
    }
}

fn file_name(list: List, part: &str, ext: &str) -> String {
    format!("staer-{}-{}-{part}.{ext}", list.slug(), Utc::now().format("%Y-%m-%d"))
}

fn file_response(file: &str, out: Out) -> actix_web::HttpResponseBuilder {
    let mut res = HttpResponse::Ok();
    let content_type = match out {
        Out::Xlsx(_) => XLSX_TYPE,
        _ => "text/csv; charset=utf-8",
    };
    res.content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")));
    res
}

/// The list's name in the user's language: the workbook's sheet.
fn sheet_label(state: &AppState, lang: Lang, list: List) -> String {
    let key = match list {
        List::SharedOrders => "nav_shared",
        List::MyOrders => "nav_my_orders",
        List::MyReferrals => "nav_my_referrals",
    };
    state.pages.t(lang, key)
}

/// One page as JSON, or as a file (logged with the page's row count).
async fn respond<R: Localized + Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    user: &AuthUser,
    list: List,
    page: Page<R>,
    out: Out,
) -> AppResult<HttpResponse> {
    let body = match out {
        Out::Json => return Ok(HttpResponse::Ok().json(page)),
        Out::Csv(Flavour::Plain) => to_csv(&page.items)?,
        Out::Csv(flavour) => {
            let mut b = export::header::<R>(&state.pages, flavour)?;
            b.extend(export::lines(&state.pages, flavour, &page.items)?);
            b
        }
        Out::Xlsx(lang) => to_xlsx(&state.pages, lang, &sheet_label(state, lang, list), &page.items)?,
    };
    let part = if out.english() { "page" } else { "side" };
    let file = file_name(list, &format!("{part}-{}", page.page), out.ext());
    let rows = page.items.len() as i64;
    log_export(state, user, list.slug(), out.ext(), req.query_string(), rows).await?;
    Ok(file_response(&file, out).body(body))
}

/// JSON, CSV (plain, or in `lang`) or XLSX (in `lang`, else the user's language).
fn wants(q: &ListQuery, e: &ExportQuery, user: &AuthUser) -> AppResult<Out> {
    let lang = match e.lang.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(l) => Some(Lang::parse(l).ok_or_else(|| AppError::invalid("lang", "must be da or en"))?),
    };
    Ok(match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Out::Json,
        Some("csv") => Out::Csv(lang.map_or(Flavour::Plain, Flavour::Sheet)),
        Some("xlsx") => Out::Xlsx(lang.or_else(|| Lang::parse(&user.language)).unwrap_or(Lang::Da)),
        Some(_) => return Err(AppError::invalid("format", "must be json, csv or xlsx")),
    })
}

fn wants_all(e: &ExportQuery, file: bool) -> AppResult<bool> {
    let all = match e.all.as_deref().map(str::trim) {
        None | Some("") | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(_) => return Err(AppError::invalid("all", "must be 1 or 0")),
    };
    if all && !file {
        return Err(AppError::invalid("all", "applies to format=csv or xlsx only"));
    }
    Ok(all)
}

// ---- HTTP handlers -----------------------------------------------------------------

/// Every row matching `p` (at most `MAX_EXPORT_ROWS`), a window at a time on one
/// connection, and the count of all matching rows.
fn every_row<R>(load: Loader<R>, c: &mut crate::db::DbConn, user: &AuthUser, p: &Params) -> AppResult<(i64, Vec<R>)> {
    let mut rows = Vec::new();
    let mut total = 0;
    loop {
        let offset = rows.len() as i64;
        let w = Window {
            offset,
            limit: CHUNK.min(MAX_EXPORT_ROWS - offset),
            count: offset == 0,
        };
        let (n, mut more) = load(c, user, p, w)?;
        if w.count {
            total = n;
        }
        let short = (more.len() as i64) < w.limit;
        rows.append(&mut more);
        if short || rows.len() as i64 >= MAX_EXPORT_ROWS {
            return Ok((total.max(rows.len() as i64), rows));
        }
    }
}

/// The headers of an export of every row: how many matched, were written, were left out.
fn counted(mut res: actix_web::HttpResponseBuilder, total: i64, rows: i64) -> actix_web::HttpResponseBuilder {
    res.insert_header(("X-Total-Count", total.to_string()))
        .insert_header(("X-Export-Rows", rows.to_string()))
        .insert_header(("X-Export-Truncated", (total > rows).to_string()));
    res
}

/// One list as JSON, CSV or XLSX: check the query, read the page (or every row), answer.
async fn list_handler<R: Localized + Send + 'static>(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
    list: List,
    load: Loader<R>,
) -> AppResult<HttpResponse> {
    let (p, out) = (Params::parse(list, &query)?, wants(&query, &ex, &user)?);
    let all = wants_all(&ex, out != Out::Json)?;
    if !all {
        let (u, q) = (user.clone(), p.clone());
        let page = state.db.read(move |c| page_of(load, c, &u, &q)).await?;
        return respond(&state, &req, &user, list, page, out).await;
    }
    let file = file_name(list, if out.english() { "all" } else { "alle" }, out.ext());
    let flavour = match out {
        Out::Csv(flavour) => flavour,
        Out::Json => return Err(AppError::Internal("json export".into())),
        Out::Xlsx(lang) => {
            let (u, q) = (user.clone(), p.clone());
            let (total, rows) = state.db.read(move |c| every_row(load, c, &u, &q)).await?;
            let (st, sheet) = (state.clone(), sheet_label(&state, lang, list));
            let body = web::block(move || to_xlsx(&st.pages, lang, &sheet, &rows).map(|b| (b, rows.len() as i64)));
            let (body, n) = body.await??;
            log_export(&state, &user, list.slug(), "xlsx", req.query_string(), n).await?;
            return Ok(counted(file_response(&file, out), total, n).body(body));
        }
    };
    let first = Window {
        offset: 0,
        limit: CHUNK.min(MAX_EXPORT_ROWS),
        count: true,
    };
    let (u, q) = (user.clone(), p.clone());
    let (total, rows) = state.db.read(move |c| load(c, &u, &q, first)).await?;
    // A short first window is the whole list, whatever the count said.
    let rows_out = if (rows.len() as i64) < first.limit {
        rows.len() as i64
    } else {
        total.min(MAX_EXPORT_ROWS)
    };
    log_export(&state, &user, list.slug(), "csv", req.query_string(), rows_out).await?;
    let body = ExportBody::new(state.clone(), user, p, load, flavour, total, rows)?;
    Ok(counted(file_response(&file, out), total, rows_out).body(body))
}

/// Open orders shared with the user's centre (other centres' only).
#[utoipa::path(get, path = "/dashboard/shared-orders", tag = "dashboards", params(ListQuery, ExportQuery),
    responses((status = 200, description = "A page of the list, or the file",
        content((Page<SharedOrderRow> = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn shared_orders_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, req, user, query, ex, List::SharedOrders, shared_orders_window).await
}

/// The orders of the user's centre.
#[utoipa::path(get, path = "/dashboard/my-orders", tag = "dashboards", params(ListQuery, ExportQuery),
    responses((status = 200, description = "A page of the list, or the file",
        content((Page<MyOrderRow> = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn my_orders_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, req, user, query, ex, List::MyOrders, my_orders_window).await
}

/// The referrals the user's centre made.
#[utoipa::path(get, path = "/dashboard/my-referrals", tag = "dashboards", params(ListQuery, ExportQuery),
    responses((status = 200, description = "A page of the list, or the file",
        content((Page<MyReferralRow> = "application/json"), (String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn my_referrals_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    query: web::Query<ListQuery>,
    ex: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, req, user, query, ex, List::MyReferrals, my_referrals_window).await
}
