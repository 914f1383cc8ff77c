//! Finding a centre's candidates a page at a time: the candidates list (search by name, email
//! or occupation wish) and the order page's referral picker (consenting, not already referred).
//!
//! Every query is bounded by the centre (index `candidates_centre_name` gives the order, so a
//! page is a LIMIT/OFFSET on an index range) and counted with the same filter, except the
//! picker's total without a needle, which starts from the centre's kept count.

use diesel::prelude::*;
use serde::Deserialize;

use crate::db::schema::{candidate_wishes, candidates, consenting_counts, referrals};
use crate::db::{coalesce, like_pattern, lower, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::candidates::Candidate;
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;
const MAX_Q: usize = 200;
/// The picker on the order page shows fewer rows: it is a part of a longer page.
pub const PICKER_PER_PAGE: i64 = 20;

/// A search as typed in a query string (`?q=&page=&per_page=`); checked by `parse`.
#[derive(Debug, Default, Deserialize, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Matches name, email or an occupation wish.
    pub q: Option<String>,
    /// From 1: a whole number (empty: the first page).
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub page: Option<String>,
    /// A whole number, at most 200 (empty: 50).
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub per_page: Option<String>,
}

/// A checked search: the needle (trimmed, maybe empty), the page (from 1) and its size.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub q: String,
    pub page: i64,
    pub per_page: i64,
}

fn number(field: &str, value: &Option<String>) -> AppResult<Option<i64>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::invalid(field, "must be a whole number")),
    }
}

impl SearchQuery {
    pub fn parse(&self, default_per_page: i64) -> AppResult<Search> {
        let q = self.q.as_deref().unwrap_or("").trim().to_string();
        if q.chars().count() > MAX_Q {
            return Err(AppError::invalid("q", format!("must be at most {MAX_Q} characters")));
        }
        let per_page = number("per_page", &self.per_page)?
            .unwrap_or(default_per_page)
            .clamp(1, MAX_PER_PAGE);
        // No page beyond what an i64 offset can express.
        let page = number("page", &self.page)?
            .unwrap_or(1)
            .clamp(1, i64::MAX / MAX_PER_PAGE);
        Ok(Search { q, page, per_page })
    }
}

impl Search {
    fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }
}

/// The occupation codes whose label, alias or code the needle names (for "kok", every cook).
fn wished_codes(q: &str) -> Vec<String> {
    if q.is_empty() {
        return Vec::new();
    }
    crate::occupations::search(q)
        .into_iter()
        .map(|o| o.code.clone())
        .collect()
}

type Boxed<'a> = candidates::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

/// The centre's live (not erased) candidates, narrowed by the needle: a substring of the name
/// or email, or an occupation wish the needle names.
fn matching<'a>(user: &AuthUser, s: &Search) -> Boxed<'a> {
    let centre = user.job_centre_id;
    let mut query = candidates::table
        .filter(candidates::job_centre_id.eq(centre))
        .filter(candidates::erased_at.is_null())
        .into_boxed();
    if !s.q.is_empty() {
        let pattern = like_pattern(&s.q);
        let codes = wished_codes(&s.q);
        let wishing = candidate_wishes::table
            .filter(candidate_wishes::job_centre_id.eq(centre))
            .filter(candidate_wishes::occupation_code.eq_any(codes))
            .select(candidate_wishes::candidate_id);
        query = query.filter(
            lower(candidates::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(coalesce(candidates::email, "")).like(pattern).escape('\\'))
                .or(candidates::id.eq_any(wishing)),
        );
    }
    query
}

/// The centre's live candidates with consent given and not revoked, narrowed by the needle.
fn consenting<'a>(user: &AuthUser, s: &Search) -> Boxed<'a> {
    matching(user, s)
        .filter(candidates::consent_given_at.is_not_null())
        .filter(candidates::consent_revoked_at.is_null())
}

fn page_of<'a>(conn: &mut DbConn, s: &Search, make: impl Fn() -> Boxed<'a>) -> AppResult<Page<Candidate>> {
    let total: i64 = make().count().get_result(conn)?;
    page_with(conn, s, total, make)
}

fn page_with<'a>(
    conn: &mut DbConn,
    s: &Search,
    total: i64,
    make: impl Fn() -> Boxed<'a>,
) -> AppResult<Page<Candidate>> {
    let items = make()
        .select(Candidate::as_select())
        .order((candidates::name, candidates::id))
        .limit(s.per_page)
        .offset(s.offset())
        .load(conn)?;
    Ok(Page::new(items, total, s.page, s.per_page))
}

/// One page of the centre's candidates by name, with the total that match.
pub fn search(conn: &mut DbConn, user: &AuthUser, s: &Search) -> AppResult<Page<Candidate>> {
    page_of(conn, s, || matching(user, s))
}

/// One page of the candidates the user can refer to an order: consenting, and not already
/// referred to it (a live referral: awaiting approval, or available to the company).
pub fn referable(conn: &mut DbConn, user: &AuthUser, order: JobOrderId, s: &Search) -> AppResult<Page<Candidate>> {
    // A subquery, not a list of ids: a statement with a list is never cached on SQLite.
    let referred =
        || crate::domain::referrals::live_candidates(order).filter(referrals::job_centre_id.eq(user.job_centre_id));
    let unreferred = || consenting(user, s).filter(candidates::id.ne_all(referred()));
    if !s.q.is_empty() {
        return page_of(conn, s, unreferred);
    }
    // Without a needle, the total is the centre's kept count (migration 2026-12-02-000101)
    // less those already referred, so a page view doesn't count the whole centre.
    let kept: i64 = consenting_counts::table
        .find(user.job_centre_id)
        .select(consenting_counts::n)
        .first(conn)
        .optional()?
        .unwrap_or(0);
    let taken: i64 = consenting(user, s)
        .filter(candidates::id.eq_any(referred()))
        .count()
        .get_result(conn)?;
    page_with(conn, s, kept - taken, unreferred)
}

/// One page of the candidates the user can mail a job suggestion: consenting, with an email.
pub fn suggestable(conn: &mut DbConn, user: &AuthUser, s: &Search) -> AppResult<Page<Candidate>> {
    page_of(conn, s, || consenting(user, s).filter(candidates::email.is_not_null()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> SearchQuery {
        let get = |k: &str| pairs.iter().find(|p| p.0 == k).map(|p| p.1.to_string());
        SearchQuery {
            q: get("q"),
            page: get("page"),
            per_page: get("per_page"),
        }
    }

    #[test]
    fn parse_bounds_and_defaults() {
        let s = q(&[]).parse(DEFAULT_PER_PAGE).unwrap();
        assert_eq!((s.q.as_str(), s.page, s.per_page), ("", 1, 50));
        let s = q(&[("q", "  kok "), ("page", "0"), ("per_page", "9999")])
            .parse(20)
            .unwrap();
        assert_eq!((s.q.as_str(), s.page, s.per_page), ("kok", 1, MAX_PER_PAGE));
        for (pairs, field) in [(&[("page", "x")][..], "page"), (&[("per_page", "1.5")][..], "per_page")] {
            match q(pairs).parse(20) {
                Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
        assert!(q(&[("q", &"x".repeat(201))]).parse(20).is_err());
    }

    #[test]
    fn a_needle_names_wished_occupations() {
        assert!(wished_codes("kok").contains(&"512010".to_string()));
        assert!(wished_codes("").is_empty());
    }
}
