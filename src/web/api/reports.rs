//! The reports as JSON (`GET /api/v1/reports?from=&to=`), each chart's numbers as CSV
//! (`GET /api/v1/reports/{chart}.csv`, `.xlsx`), and the coordinator's queue (`GET /api/v1/approvals`).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::actor::AuthUser;
use crate::domain::approvals::{self, Queue};
use crate::domain::report_period::Period;
use crate::domain::reports::{self, Reports};
use crate::error::AppResult;
use crate::web::export::{log_export, XLSX_TYPE};
use crate::web::report_tables::{chart, to_csv, to_xlsx};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// `from` and `to` as `YYYY-MM`, both included; missing means the last 12 months.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// `YYYY-MM`.
    pub from: Option<String>,
    /// `YYYY-MM`.
    pub to: Option<String>,
    /// `da` or `en` (the files' labels).
    pub lang: Option<String>,
}

impl PeriodQuery {
    pub fn period(&self) -> AppResult<Period> {
        Period::parse(self.from.as_deref(), self.to.as_deref(), Utc::now().date_naive())
    }
}

/// The user's centre's and networks' figures for the period (counts only).
#[utoipa::path(get, path = "/reports", tag = "reports", params(PeriodQuery), responses((status = 200, body = Reports)))]
pub async fn reports_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<PeriodQuery>,
) -> AppResult<HttpResponse> {
    let period = query.period()?;
    let r = state.db.read(move |c| reports::reports(c, &user, &period)).await?;
    Ok(HttpResponse::Ok().json(r))
}

/// One chart's table as CSV (field names, plain numbers) or XLSX (the page's labels, typed
/// numbers), in the user's language for the centre labels' "own" mark. Logged.
async fn chart_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    key: String,
    query: PeriodQuery,
    xlsx: bool,
) -> AppResult<HttpResponse> {
    let period = query.period()?;
    let lang = query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| Lang::parse(&user.language))
        .unwrap_or(Lang::Da);
    let u = user.clone();
    let r = state.db.read(move |c| reports::reports(c, &u, &period)).await?;
    let c = chart(&state, lang, &r, &key)?;
    let (ext, content_type, body) = if xlsx {
        ("xlsx", XLSX_TYPE, to_xlsx(&c, lang)?)
    } else {
        ("csv", "text/csv; charset=utf-8", to_csv(&c)?)
    };
    let list = format!("report/{key}");
    log_export(&state, &user, &list, ext, req.query_string(), c.raw.len() as i64).await?;
    let file = format!("staer-rapport-{key}-{}-{}.{ext}", r.period.from, r.period.to);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
        .body(body))
}

/// One chart's numbers as CSV.
#[utoipa::path(get, path = "/reports/{chart}.csv", tag = "reports", params(("chart" = String, Path, description = "The chart's key"), PeriodQuery),
    responses((status = 200, description = "The chart's table", content_type = "text/csv", body = String)))]
pub async fn csv_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> AppResult<HttpResponse> {
    chart_file(state, req, user, path.into_inner(), query.into_inner(), false).await
}

/// One chart's numbers as a workbook.
#[utoipa::path(get, path = "/reports/{chart}.xlsx", tag = "reports", params(("chart" = String, Path, description = "The chart's key"), PeriodQuery),
    responses((status = 200, description = "The chart's table", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn xlsx_handler(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PeriodQuery>,
) -> AppResult<HttpResponse> {
    chart_file(state, req, user, path.into_inner(), query.into_inner(), true).await
}

/// The referrals awaiting the user's approval, oldest first.
#[utoipa::path(get, path = "/approvals", tag = "reports", responses((status = 200, body = Queue)))]
pub async fn approvals_handler(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let q = state
        .db
        .read(move |c| approvals::awaiting_my_approval(c, &user))
        .await?;
    Ok(HttpResponse::Ok().json(q))
}
