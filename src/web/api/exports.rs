//! The administrator's view of the export log: `GET /api/v1/admin/exports?user=&page=&per_page=`,
//! newest first.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::actor::AuthUser;
use crate::domain::export_log::{self, parse_number, LogQuery, DEFAULT_PER_PAGE};
use crate::error::AppResult;
use crate::web::state::AppState;

/// The log's query string, as typed: checked by `log_query`.
#[derive(Debug, Default, Deserialize)]
pub struct ExportsQuery {
    pub user: Option<String>,
    pub page: Option<String>,
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

pub async fn exports_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ExportsQuery>,
) -> AppResult<HttpResponse> {
    let q = q.log_query()?;
    let page = state.db.read(move |c| export_log::list(c, &user, &q)).await?;
    Ok(HttpResponse::Ok().json(page))
}
