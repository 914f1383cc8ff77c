//! The consultants' three lists: orders shared with my centre ("STÆR Samarbejde"), my
//! centre's orders, and my centre's referrals. Each page is one SQL query (filtered,
//! sorted, LIMIT/OFFSET in the database) plus one COUNT; the pages and the CSV export
//! reuse these functions, so all three show exactly the same rows. An export reads the
//! same query a window at a time, without the COUNT (`Window`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{candidates, job_centres, job_orders, order_notifications, referrals, users};
use crate::db::{like_pattern, lower, DbConn};
use crate::domain::actor::AuthUser;
use crate::domain::sharing::Page;
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, ReferralId, UserId};

pub const DEFAULT_PER_PAGE: i64 = 50;
pub const MAX_PER_PAGE: i64 = 200;
/// Longest search text accepted; a search box needs no more.
const MAX_Q: usize = 200;

diesel::define_sql_function! {
    /// NULLs sort as '' on both backends (SQLite puts NULL first, PostgreSQL last).
    #[sql_name = "coalesce"]
    fn coalesce_text(x: diesel::sql_types::Nullable<diesel::sql_types::Text>, y: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// An open-ended order sorts as if it ended last.
    #[sql_name = "coalesce"]
    fn coalesce_date(x: diesel::sql_types::Nullable<diesel::sql_types::Date>, y: diesel::sql_types::Date) -> diesel::sql_types::Date;
}

fn far_future() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum List {
    SharedOrders,
    MyOrders,
    MyReferrals,
}

impl List {
    pub const ALL: [List; 3] = [List::SharedOrders, List::MyOrders, List::MyReferrals];

    /// The list's name in URLs (`/api/v1/dashboard/<slug>`, `/dashboard/<slug>`).
    pub fn slug(self) -> &'static str {
        match self {
            List::SharedOrders => "shared-orders",
            List::MyOrders => "my-orders",
            List::MyReferrals => "my-referrals",
        }
    }

    /// The shown columns, in display order; each is also a `sort` key (its JSON field name).
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            List::SharedOrders => SharedOrderRow::COLUMNS,
            List::MyOrders => MyOrderRow::COLUMNS,
            List::MyReferrals => MyReferralRow::COLUMNS,
        }
    }

    /// The values of the `status` filter: an order's status, or a referral's state (as
    /// `referral::State` names them). The shared list holds open orders only.
    pub fn statuses(self) -> &'static [&'static str] {
        match self {
            List::SharedOrders => &["open"],
            List::MyOrders => &["open", "closed"],
            List::MyReferrals => &[
                "pending_approval",
                "available_to_company",
                "rejected",
                "sent_to_employer",
                "withdrawn",
                "interview",
                "hired",
                "declined_by_employer",
            ],
        }
    }

    /// Without `sort`: soonest start first for orders to refer to; newest first for my own.
    pub fn default_sort(self) -> (&'static str, bool) {
        match self {
            List::SharedOrders => ("start_date", false),
            List::MyOrders | List::MyReferrals => ("created_at", true),
        }
    }
}

/// The query string of a list, as typed: everything is checked in `Params::parse`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Search text.
    pub q: Option<String>,
    /// A shown column's field name (another is 422 naming `sort`).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// From 1: a whole number (empty: the first page).
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub page: Option<String>,
    /// A whole number, at most 200 (empty: 50).
    #[param(pattern = r"^\s*[+-]?[0-9]*\s*$")]
    pub per_page: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    /// Only rows in this status (the list's own statuses; another is 422).
    pub status: Option<String>,
}

/// A checked list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub q: String,
    pub sort: &'static str,
    pub desc: bool,
    pub page: i64,
    pub per_page: i64,
    /// Only rows in this status (one of `List::statuses`).
    pub status: Option<&'static str>,
}

/// A slice of a list: `limit` rows from `offset`, and the COUNT only when asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
    pub count: bool,
}

/// A list's query: the total (when the window asks for it, else 0) and the window's rows.
pub type Loader<R> = fn(&mut DbConn, &AuthUser, &Params, Window) -> AppResult<(i64, Vec<R>)>;

/// The page `p` asks for, through a list's loader.
pub fn page_of<R>(load: Loader<R>, conn: &mut DbConn, user: &AuthUser, p: &Params) -> AppResult<Page<R>> {
    let w = Window {
        offset: p.offset(),
        limit: p.per_page,
        count: true,
    };
    let (total, items) = load(conn, user, p, w)?;
    Ok(Page::new(items, total, p.page, p.per_page))
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

impl Params {
    pub fn parse(list: List, query: &ListQuery) -> AppResult<Params> {
        let q = query.q.as_deref().unwrap_or("").trim().to_string();
        if q.chars().count() > MAX_Q {
            return Err(AppError::invalid("q", format!("must be at most {MAX_Q} characters")));
        }
        let (default_sort, default_desc) = list.default_sort();
        // Only whitelisted columns reach ORDER BY; the &'static str is the proof.
        let sort =
            match query.sort.as_deref().map(str::trim) {
                None | Some("") => default_sort,
                Some(s) => list.columns().iter().copied().find(|c| *c == s).ok_or_else(|| {
                    AppError::invalid("sort", format!("must be one of: {}", list.columns().join(", ")))
                })?,
            };
        let desc = match query.dir.as_deref().map(str::trim) {
            None | Some("") => sort == default_sort && default_desc,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(_) => return Err(AppError::invalid("dir", "must be asc or desc")),
        };
        let page = number("page", &query.page)?.unwrap_or(1).max(1);
        let per_page = number("per_page", &query.per_page)?
            .unwrap_or(DEFAULT_PER_PAGE)
            .clamp(1, MAX_PER_PAGE);
        // No page beyond what an i64 offset can express.
        let page = page.min(i64::MAX / MAX_PER_PAGE);
        let status = match query.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(list.statuses().iter().copied().find(|st| *st == s).ok_or_else(|| {
                AppError::invalid("status", format!("must be one of: {}", list.statuses().join(", ")))
            })?),
        };
        Ok(Params {
            q,
            sort,
            desc,
            page,
            per_page,
            status,
        })
    }

    fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    fn pattern(&self) -> Option<String> {
        (!self.q.is_empty()).then(|| like_pattern(&self.q))
    }
}

/// A row type of a list: its columns, in the order CSV writes them.
pub trait Row: Serialize {
    /// Every serialized field, in CSV order.
    const FIELDS: &'static [&'static str];
    /// The shown (and sortable) ones.
    const COLUMNS: &'static [&'static str];
}

/// An order shared with the user's centre. Built from shared columns only: there is
/// no field here that could carry a private text.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct SharedOrderRow {
    pub id: JobOrderId,
    pub primary_authority_number: String,
    pub primary_authority_name: String,
    pub responsible_consultant: String,
    pub coordinator: String,
    pub coordinator_external: Option<String>,
    pub occupation: String,
    pub request_id: String,
    #[serde(rename = "type")]
    pub order_type: String,
    pub title: String,
    pub company_name: String,
    pub start_date: NaiveDate,
    pub vacancies: i32,
    pub referred: i32,
}

impl Row for SharedOrderRow {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "primary_authority_number",
        "primary_authority_name",
        "responsible_consultant",
        "coordinator",
        "coordinator_external",
        "occupation",
        "request_id",
        "type",
        "title",
        "company_name",
        "start_date",
        "vacancies",
        "referred",
    ];
    const COLUMNS: &'static [&'static str] = &[
        "primary_authority",
        "responsible_consultant",
        "coordinator",
        "coordinator_external",
        "occupation",
        "request_id",
        "type",
        "title",
        "company_name",
        "start_date",
        "vacancies",
        "referred",
    ];
}

#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct MyOrderRow {
    pub id: JobOrderId,
    pub title: String,
    pub occupation: String,
    pub request_id: String,
    pub company_name: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    pub referred: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub status: String,
}

impl Row for MyOrderRow {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "title",
        "occupation",
        "request_id",
        "company_name",
        "start_date",
        "end_date",
        "vacancies",
        "referred",
        "created_at",
        "updated_at",
        "status",
    ];
    const COLUMNS: &'static [&'static str] = &[
        "title",
        "occupation",
        "request_id",
        "company_name",
        "start_date",
        "end_date",
        "vacancies",
        "referred",
        "created_at",
        "updated_at",
        "status",
    ];
}

#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct MyReferralRow {
    pub id: ReferralId,
    pub order_id: JobOrderId,
    pub order_title: String,
    pub company_name: String,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    pub state: String,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub created_by_name: String,
}

impl Row for MyReferralRow {
    const FIELDS: &'static [&'static str] = &[
        "id",
        "order_id",
        "order_title",
        "company_name",
        "candidate_id",
        "candidate_name",
        "state",
        "created_at",
        "created_by",
        "created_by_name",
    ];
    const COLUMNS: &'static [&'static str] = &[
        "order_title",
        "company_name",
        "candidate_name",
        "state",
        "created_at",
        "created_by_name",
    ];
}

/// ORDER BY the column, then by id in the same direction, so pages never overlap.
macro_rules! sorted {
    ($q:expr, $desc:expr, $col:expr, $id:expr) => {
        if $desc {
            $q.order_by($col.desc()).then_order_by($id.desc())
        } else {
            $q.order_by($col.asc()).then_order_by($id.asc())
        }
    };
}

/// Open orders the user's centre was notified of, other centres' only. The notification
/// row carries that condition (`listed`) and the default sort key, so the count and the
/// default page are index ranges of `order_notifications_list`.
/// A listed row is an open order: the only `status` it takes ("open") filters nothing.
pub fn shared_orders_window(
    conn: &mut DbConn,
    user: &AuthUser,
    p: &Params,
    w: Window,
) -> AppResult<(i64, Vec<SharedOrderRow>)> {
    let (resp, coord) = diesel::alias!(users as resp, users as coord);
    let centre = user.job_centre_id;
    let pattern = p.pattern();
    let listed = || {
        order_notifications::table
            .filter(order_notifications::job_centre_id.eq(centre))
            .filter(order_notifications::listed.eq(true))
    };
    let base = || {
        let mut q = listed()
            .inner_join(job_orders::table.on(job_orders::id.eq(order_notifications::order_id)))
            .inner_join(job_centres::table.on(job_centres::id.eq(job_orders::job_centre_id)))
            .inner_join(resp.on(resp.field(users::id).eq(job_orders::responsible_consultant_id)))
            .inner_join(coord.on(coord.field(users::id).eq(job_orders::coordinator_id)))
            .into_boxed();
        if let Some(pat) = &pattern {
            q = q.filter(
                job_orders::search_text
                    .like(pat.clone())
                    .escape('\\')
                    .or(lower(job_centres::name).like(pat.clone()).escape('\\'))
                    .or(job_centres::authority_number.like(pat.clone()).escape('\\')),
            );
        }
        q
    };
    // Without a search the joins (NOT NULL foreign keys) can't change the count: skip them.
    let total: i64 = match (w.count, &pattern) {
        (false, _) => 0,
        (true, None) => listed().count().get_result(conn)?,
        (true, Some(_)) => base().count().get_result(conn)?,
    };
    let q = base()
        .select((
            job_orders::id,
            job_centres::authority_number,
            job_centres::name,
            resp.field(users::display_name),
            coord.field(users::display_name),
            job_orders::coordinator_external,
            job_orders::occupation,
            job_orders::request_id,
            job_orders::order_type,
            job_orders::title,
            job_orders::company_name,
            job_orders::start_date,
            job_orders::vacancies,
            job_orders::referred,
        ))
        .limit(w.limit)
        .offset(w.offset);
    let id = job_orders::id;
    let q = match p.sort {
        "primary_authority" => sorted!(q, p.desc, job_centres::name, id),
        "responsible_consultant" => sorted!(q, p.desc, resp.field(users::display_name), id),
        "coordinator" => sorted!(q, p.desc, coord.field(users::display_name), id),
        "coordinator_external" => sorted!(q, p.desc, coalesce_text(job_orders::coordinator_external, ""), id),
        "occupation" => sorted!(q, p.desc, job_orders::occupation, id),
        "request_id" => sorted!(q, p.desc, job_orders::request_id, id),
        "type" => sorted!(q, p.desc, job_orders::order_type, id),
        "title" => sorted!(q, p.desc, job_orders::title, id),
        "company_name" => sorted!(q, p.desc, job_orders::company_name, id),
        // The listing's copy of the key: the page is read in index order.
        "start_date" => sorted!(
            q,
            p.desc,
            order_notifications::start_date,
            order_notifications::order_id
        ),
        "vacancies" => sorted!(q, p.desc, job_orders::vacancies, id),
        "referred" => sorted!(q, p.desc, job_orders::referred, id),
        other => return Err(AppError::Internal(format!("unhandled sort column {other}"))),
    };
    Ok((total, q.load::<SharedOrderRow>(conn)?))
}

/// The orders of the user's own centre, open and closed.
pub fn my_orders_window(
    conn: &mut DbConn,
    user: &AuthUser,
    p: &Params,
    w: Window,
) -> AppResult<(i64, Vec<MyOrderRow>)> {
    let centre = user.job_centre_id;
    let pattern = p.pattern();
    let base = || {
        let mut q = job_orders::table
            .filter(job_orders::job_centre_id.eq(centre))
            .into_boxed();
        if let Some(pat) = &pattern {
            q = q.filter(job_orders::search_text.like(pat.clone()).escape('\\'));
        }
        if let Some(status) = p.status {
            q = q.filter(job_orders::status.eq(status));
        }
        q
    };
    let total: i64 = if w.count { base().count().get_result(conn)? } else { 0 };
    let q = base()
        .select((
            job_orders::id,
            job_orders::title,
            job_orders::occupation,
            job_orders::request_id,
            job_orders::company_name,
            job_orders::start_date,
            job_orders::end_date,
            job_orders::vacancies,
            job_orders::referred,
            job_orders::created_at,
            job_orders::updated_at,
            job_orders::status,
        ))
        .limit(w.limit)
        .offset(w.offset);
    let id = job_orders::id;
    let q = match p.sort {
        "title" => sorted!(q, p.desc, job_orders::title, id),
        "occupation" => sorted!(q, p.desc, job_orders::occupation, id),
        "request_id" => sorted!(q, p.desc, job_orders::request_id, id),
        "company_name" => sorted!(q, p.desc, job_orders::company_name, id),
        "start_date" => sorted!(q, p.desc, job_orders::start_date, id),
        "end_date" => sorted!(q, p.desc, coalesce_date(job_orders::end_date, far_future()), id),
        "vacancies" => sorted!(q, p.desc, job_orders::vacancies, id),
        "referred" => sorted!(q, p.desc, job_orders::referred, id),
        "created_at" => sorted!(q, p.desc, job_orders::created_at, id),
        "updated_at" => sorted!(q, p.desc, job_orders::updated_at, id),
        "status" => sorted!(q, p.desc, job_orders::status, id),
        other => return Err(AppError::Internal(format!("unhandled sort column {other}"))),
    };
    Ok((total, q.load::<MyOrderRow>(conn)?))
}

/// The referrals made by the user's centre, to any order.
pub fn my_referrals_window(
    conn: &mut DbConn,
    user: &AuthUser,
    p: &Params,
    w: Window,
) -> AppResult<(i64, Vec<MyReferralRow>)> {
    let centre = user.job_centre_id;
    let pattern = p.pattern();
    let base = || {
        let mut q = referrals::table
            .inner_join(job_orders::table.on(job_orders::id.eq(referrals::order_id)))
            .inner_join(candidates::table.on(candidates::id.eq(referrals::candidate_id)))
            .inner_join(users::table.on(users::id.eq(referrals::created_by)))
            .filter(referrals::job_centre_id.eq(centre))
            .into_boxed();
        if let Some(pat) = &pattern {
            q = q.filter(
                job_orders::search_text
                    .like(pat.clone())
                    .escape('\\')
                    .or(lower(candidates::name).like(pat.clone()).escape('\\')),
            );
        }
        if let Some(state) = p.status {
            q = q.filter(referrals::state.eq(state));
        }
        q
    };
    // Every referral has its order, candidate and creator: without a search, count referrals alone.
    let total: i64 = match (w.count, &pattern) {
        (false, _) => 0,
        (true, None) => {
            let mut q = referrals::table
                .filter(referrals::job_centre_id.eq(centre))
                .into_boxed();
            if let Some(state) = p.status {
                q = q.filter(referrals::state.eq(state));
            }
            q.count().get_result(conn)?
        }
        (true, Some(_)) => base().count().get_result(conn)?,
    };
    let q = base()
        .select((
            referrals::id,
            referrals::order_id,
            job_orders::title,
            job_orders::company_name,
            referrals::candidate_id,
            candidates::name,
            referrals::state,
            referrals::created_at,
            referrals::created_by,
            users::display_name,
        ))
        .limit(w.limit)
        .offset(w.offset);
    let id = referrals::id;
    let q = match p.sort {
        "order_title" => sorted!(q, p.desc, job_orders::title, id),
        "company_name" => sorted!(q, p.desc, job_orders::company_name, id),
        "candidate_name" => sorted!(q, p.desc, candidates::name, id),
        "state" => sorted!(q, p.desc, referrals::state, id),
        "created_at" => sorted!(q, p.desc, referrals::created_at, id),
        "created_by_name" => sorted!(q, p.desc, users::display_name, id),
        other => return Err(AppError::Internal(format!("unhandled sort column {other}"))),
    };
    Ok((total, q.load::<MyReferralRow>(conn)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> ListQuery {
        let s = serde_urlencoded::to_string(pairs).unwrap();
        serde_urlencoded::from_str(&s).unwrap()
    }

    #[test]
    fn params_defaults_and_limits() {
        let p = Params::parse(List::MyOrders, &ListQuery::default()).unwrap();
        assert_eq!((p.sort, p.desc, p.page, p.per_page), ("created_at", true, 1, 50));
        let p = Params::parse(List::SharedOrders, &ListQuery::default()).unwrap();
        assert_eq!((p.sort, p.desc), ("start_date", false));
        let p = Params::parse(List::MyOrders, &query(&[("per_page", "5000"), ("page", "0")])).unwrap();
        assert_eq!((p.page, p.per_page), (1, MAX_PER_PAGE));
        let p = Params::parse(List::MyOrders, &query(&[("sort", "title"), ("dir", "DESC")])).unwrap();
        assert_eq!((p.sort, p.desc), ("title", true));
        // Another column than the default sorts ascending unless told.
        let p = Params::parse(List::MyOrders, &query(&[("sort", "title")])).unwrap();
        assert!(!p.desc);
    }

    #[test]
    fn bad_params_name_their_field() {
        for (pairs, field) in [
            (&[("sort", "qualifications_and_pay")][..], "sort"),
            (&[("sort", "title; DROP TABLE job_orders")][..], "sort"),
            (&[("dir", "up")][..], "dir"),
            (&[("page", "two")][..], "page"),
            (&[("per_page", "1e3")][..], "per_page"),
        ] {
            match Params::parse(List::SharedOrders, &query(pairs)) {
                Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        assert!(Params::parse(List::MyOrders, &query(&[("status", "withdrawn")])).is_err());
        let long = "x".repeat(MAX_Q + 1);
        assert!(Params::parse(List::MyOrders, &query(&[("q", &long)])).is_err());
    }

    #[test]
    fn status_filters_are_the_lists_own_values() {
        let states: Vec<&str> = crate::domain::referral::State::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(List::MyReferrals.statuses(), states);
        for list in List::ALL {
            for st in list.statuses() {
                assert_eq!(
                    Params::parse(list, &query(&[("status", st)])).unwrap().status,
                    Some(*st)
                );
            }
        }
    }

    #[test]
    fn every_column_of_every_list_is_a_sortable_field() {
        for list in List::ALL {
            for col in list.columns() {
                let p = Params::parse(list, &query(&[("sort", col)])).unwrap();
                assert_eq!(p.sort, *col);
            }
        }
    }

    fn fields_of<R: Row>(row: &R) {
        let v = serde_json::to_value(row).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = R::FIELDS.to_vec();
        keys.sort();
        fields.sort();
        assert_eq!(keys, fields, "FIELDS must name every serialized field");
    }

    #[test]
    fn row_fields_are_complete() {
        use crate::domain::fixtures::{sample_order, sample_referral, sample_shared};
        fields_of(&sample_order());
        fields_of(&sample_shared());
        fields_of(&sample_referral());
    }
}
