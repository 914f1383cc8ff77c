//! The three dashboard lists as JSON or CSV.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::Utc;

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::dashboards::{my_orders, my_referrals, shared_orders, to_csv, List, ListQuery, Params, Row};
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::web::state::AppState;

fn respond<R: Row>(list: List, page: Page<R>, csv: bool) -> AppResult<HttpResponse> {
    if !csv {
        return Ok(HttpResponse::Ok().json(page));
    }
    let file = format!(
        "staer-{}-{}-side-{}.csv",
        list.slug(),
        Utc::now().format("%Y-%m-%d"),
        page.page
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
        .body(to_csv(&page.items)?))
}

fn wants_csv(q: &ListQuery) -> AppResult<bool> {
    match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(AppError::invalid("format", "must be json or csv")),
    }
}

// ---- HTTP handlers -----------------------------------------------------------------

/// One list as JSON or CSV: check the query, read the page, answer.
async fn list_handler<R: Row + Send + 'static>(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
    list: List,
    load: fn(&mut DbConn, &AuthUser, &Params) -> AppResult<Page<R>>,
) -> AppResult<HttpResponse> {
    let (p, csv) = (Params::parse(list, &query)?, wants_csv(&query)?);
    let page = state.db.read(move |c| load(c, &user, &p)).await?;
    respond(list, page, csv)
}

pub async fn shared_orders_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, List::SharedOrders, shared_orders).await
}

pub async fn my_orders_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, List::MyOrders, my_orders).await
}

pub async fn my_referrals_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    list_handler(state, user, query, List::MyReferrals, my_referrals).await
}
