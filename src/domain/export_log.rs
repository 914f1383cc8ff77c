//! The export log: every export (a list or report as CSV or XLSX, a candidate's access export)
//! writes who, which list, which query string, how many rows and when (Talent Catalog #484).
//! Only administrators read it.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{export_log, job_centres, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::ids::UserId;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;
/// The query string as logged: longer ones (hand-made URLs) are cut, not refused.
const MAX_QUERY: usize = 2_000;

/// One export: what an administrator reads.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct ExportEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub authority_number: String,
    pub centre: String,
    /// `my-orders`, `report/states`, `candidate`, …
    pub list: String,
    /// `csv`, `xlsx`, `json`, `html`.
    pub format: String,
    /// The request's query string, as sent (the filters and options).
    pub query: String,
    pub rows: i64,
}

fn cut(query: &str) -> &str {
    match query.char_indices().nth(MAX_QUERY) {
        Some((i, _)) => &query[..i],
        None => query,
    }
}

/// Logs one export by `user`. Callers log before the file leaves: no export without its row.
pub fn record(conn: &mut DbConn, user: &AuthUser, list: &str, format: &str, query: &str, rows: i64) -> AppResult<()> {
    diesel::insert_into(export_log::table)
        .values((
            export_log::at.eq(Utc::now().naive_utc()),
            export_log::user_id.eq(user.id.0),
            export_log::job_centre_id.eq(user.job_centre_id.0),
            export_log::list.eq(list),
            export_log::format.eq(format),
            export_log::query.eq(cut(query)),
            export_log::row_count.eq(rows),
        ))
        .execute(conn)?;
    Ok(())
}

/// The log's filter and page, as checked by the caller's parser.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    /// Only this user's exports (a username).
    pub user: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// The exports, newest first, a page at a time (administrators only). An unknown user
/// filters to nothing rather than failing: the page says "no exports".
pub fn list(conn: &mut DbConn, actor: &AuthUser, q: &LogQuery) -> AppResult<Page<ExportEntry>> {
    actor.require_admin("read the export log")?;
    let page = q.page.clamp(1, i64::MAX / MAX_PER_PAGE);
    let per_page = q.per_page.clamp(1, MAX_PER_PAGE);
    let user_id: Option<i64> = match q.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        None => None,
        Some(name) => Some(
            users::table
                .filter(users::username.eq(name))
                .select(users::id)
                .first::<UserId>(conn)
                .optional()?
                .map_or(-1, |u| u.0),
        ),
    };
    let base = || {
        let mut b = export_log::table
            .inner_join(users::table.on(users::id.eq(export_log::user_id)))
            .inner_join(job_centres::table.on(job_centres::id.eq(export_log::job_centre_id)))
            .into_boxed();
        if let Some(u) = user_id {
            b = b.filter(export_log::user_id.eq(u));
        }
        b
    };
    let total: i64 = match user_id {
        None => export_log::table.count().get_result(conn)?,
        Some(u) => export_log::table
            .filter(export_log::user_id.eq(u))
            .count()
            .get_result(conn)?,
    };
    let items = base()
        .order(export_log::id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
        .select((
            export_log::id,
            export_log::at,
            users::id,
            users::username,
            users::display_name,
            job_centres::authority_number,
            job_centres::name,
            export_log::list,
            export_log::format,
            export_log::query,
            export_log::row_count,
        ))
        .load::<ExportEntry>(conn)?;
    Ok(Page::new(items, total, page, per_page))
}

/// `page` and `per_page` as typed: a number, else a 422 naming the field.
pub fn parse_number(field: &str, value: Option<&str>, default: i64) -> AppResult<i64> {
    match value.map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| AppError::invalid(field, "must be a whole number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_queries_are_cut_on_a_character() {
        let q = "æ".repeat(MAX_QUERY + 5);
        assert_eq!(cut(&q).chars().count(), MAX_QUERY);
        assert_eq!(cut("q=kok"), "q=kok");
    }

    #[test]
    fn page_numbers_name_their_field() {
        assert_eq!(parse_number("page", None, 1).unwrap(), 1);
        assert_eq!(parse_number("page", Some(" 3 "), 1).unwrap(), 3);
        match parse_number("per_page", Some("x"), 50) {
            Err(AppError::Validation { field, .. }) => assert_eq!(field, "per_page"),
            other => panic!("{other:?}"),
        }
    }
}
