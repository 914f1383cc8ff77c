//! The administrator's view of the export log: `GET /api/v1/admin/exports?user=&page=&per_page=`,
//! newest first.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::domain::actor::AuthUser;
use crate::domain::export_log::{self, parse_number, ExportEntry, LogQuery, DEFAULT_PER_PAGE};
use crate::domain::sharing::Page;
use crate::error::{AppResult, ErrorBody};
use crate::web::state::AppState;

/// The log's query string, as typed: checked by `log_query`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportsQuery {
    /// Only this user's exports (username).
    pub user: Option<String>,
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub page: Option<String>,
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub per_page: Option<String>,
}

impl ExportsQuery {
    pub fn log_query(&self) -> AppResult<LogQuery> {
        Ok(LogQuery {
            user: self.user.clone(),
            page: parse_number("page", self.page.as_deref(), 1)?,
            per_page: parse_number("per_page", self.per_page.as_deref(), DEFAULT_PER_PAGE)?,
        })
    }
}

/// The export log, newest first (admin).
#[utoipa::path(get, path = "/admin/exports", tag = "admin", params(ExportsQuery),
    responses((status = 200, body = Page<ExportEntry>), (status = 403, description = "Not an administrator", body = ErrorBody)))]
pub async fn exports_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ExportsQuery>,
) -> AppResult<HttpResponse> {
    let q = q.log_query()?;
    let page = state.db.read(move |c| export_log::list(c, &user, &q)).await?;
    Ok(HttpResponse::Ok().json(page))
}
