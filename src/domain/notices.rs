//! In-app notices: one row per user and event, written by `notify` in the event's own
//! transaction (like the outbox); the header's unread count, my list, marking read.
//!
//! A notice stores no personal text: the order's title and the candidate's name are joined
//! in when it is read, so an erasure ("slettet borger") reaches old notices at once.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;
use serde_json::Value;

use crate::db::schema::{candidates, job_orders, notices, referrals};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::error::{AppError, AppResult};
use crate::ids::{JobOrderId, NoticeId, ReferralId, UserId};
use crate::on_inner;

/// The header shows at most this many unread; more is "99+". Counting stops here, so the
/// count reads a bounded number of index entries however many notices a user has.
pub const UNREAD_CAP: i64 = 99;
pub const PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 200;

/// Writes one notice for `to`, inside the caller's transaction.
pub fn add(
    conn: &mut DbConn,
    to: UserId,
    kind: &str,
    order: Option<JobOrderId>,
    referral: Option<ReferralId>,
    params: &Value,
) -> AppResult<NoticeId> {
    let insert = diesel::insert_into(notices::table)
        .values((
            notices::user_id.eq(to),
            notices::kind.eq(kind),
            // Bound NULLs: one statement text, prepared once (see referrals::record_event).
            notices::order_id.eq(order.into_sql::<Nullable<BigInt>>()),
            notices::referral_id.eq(referral.into_sql::<Nullable<BigInt>>()),
            notices::params.eq(params.to_string()),
            notices::created_at.eq(Utc::now().naive_utc()),
        ))
        .returning(notices::id);
    // Every decision and every share writes notices: on the inner connection (`on_inner!`, db/direct.rs).
    Ok(on_inner!(conn, c => insert.get_result(c))?)
}

/// How many notices I have not read, at most `UNREAD_CAP + 1` (the partial index
/// `notices_unread` holds only unread rows; the limit bounds the scan).
pub fn unread_count(conn: &mut DbConn, user: &AuthUser) -> AppResult<i64> {
    let ids: Vec<NoticeId> = notices::table
        .filter(notices::user_id.eq(user.id))
        .filter(notices::read_at.is_null())
        .select(notices::id)
        .limit(UNREAD_CAP + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Notice {
    pub id: NoticeId,
    pub kind: String,
    pub order_id: Option<JobOrderId>,
    pub order_title: Option<String>,
    pub referral_id: Option<ReferralId>,
    /// Only for the kinds whose mail names the candidate too.
    pub candidate_name: Option<String>,
    /// A rejection's reason, as the referral holds it (an erasure blanks it there).
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub params: Value,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    /// Where the notice leads in the pages (a path).
    pub link: String,
}

type Row = (
    NoticeId,
    String,
    Option<JobOrderId>,
    Option<String>,
    Option<ReferralId>,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

/// Where a notice leads: the referral on its order's page, the order, or the kind's page.
fn link(kind: &str, order: Option<JobOrderId>, referral: Option<ReferralId>) -> String {
    match (kind, order, referral) {
        ("import_finished", _, _) => "/import".into(),
        ("portal_failed", Some(o), _) => format!("/orders/{o}#portal"),
        ("order_closed", Some(o), _) => format!("/orders/{o}#referrals"),
        (_, Some(o), Some(r)) => format!("/orders/{o}#referral-{r}"),
        (_, Some(o), None) => format!("/orders/{o}"),
        _ => "/notices".into(),
    }
}

impl Notice {
    fn from_row(row: Row) -> Notice {
        let (id, kind, order_id, order_title, referral_id, candidate_name, reason, params, created_at, read_at) = row;
        Notice {
            link: link(&kind, order_id, referral_id),
            reason: reason.filter(|_| kind == "referral_rejected"),
            params: serde_json::from_str(&params).unwrap_or(Value::Null),
            id,
            kind,
            order_id,
            order_title,
            referral_id,
            candidate_name,
            created_at,
            read_at,
        }
    }
}

/// Which of my notices to read.
#[derive(Default)]
struct Which {
    id: Option<NoticeId>,
    unread_only: bool,
    limit: i64,
    offset: i64,
}

/// My notices, newest first, with the order's title and the candidate's name joined in.
fn load(conn: &mut DbConn, user: &AuthUser, which: Which) -> AppResult<Vec<Notice>> {
    let mut q = notices::table
        .left_join(job_orders::table.on(job_orders::id.nullable().eq(notices::order_id)))
        .left_join(referrals::table.on(referrals::id.nullable().eq(notices::referral_id)))
        .left_join(candidates::table.on(candidates::id.eq(referrals::candidate_id)))
        .filter(notices::user_id.eq(user.id))
        .order(notices::id.desc())
        .limit(which.limit)
        .offset(which.offset)
        .select((
            notices::id,
            notices::kind,
            notices::order_id,
            job_orders::title.nullable(),
            notices::referral_id,
            candidates::name.nullable(),
            referrals::reason.nullable(),
            notices::params,
            notices::created_at,
            notices::read_at,
        ))
        .into_boxed();
    if let Some(id) = which.id {
        q = q.filter(notices::id.eq(id));
    }
    if which.unread_only {
        q = q.filter(notices::read_at.is_null());
    }
    let rows: Vec<Row> = q.load(conn)?;
    Ok(rows
        .into_iter()
        .map(Notice::from_row)
        .map(|mut n| {
            // After a consent revocation the candidate's name goes to no one new (as its mail).
            if n.kind == "referral_withdrawn" {
                n.candidate_name = None;
            }
            n
        })
        .collect())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NoticePage {
    pub items: Vec<Notice>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// My unread notices, bounded as in the header.
    pub unread: i64,
}

/// My notices, newest first, a page at a time; only the unread ones when `unread_only`.
pub fn list(
    conn: &mut DbConn,
    user: &AuthUser,
    unread_only: bool,
    page: i64,
    per_page: Option<i64>,
) -> AppResult<NoticePage> {
    let per_page = per_page.unwrap_or(PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(AppError::invalid("per_page", "must be between 1 and 200"));
    }
    let page = page.clamp(1, i64::MAX / MAX_PER_PAGE);
    let which = Which {
        unread_only,
        limit: per_page,
        offset: (page - 1) * per_page,
        ..Which::default()
    };
    let items = load(conn, user, which)?;
    let mut count = notices::table.filter(notices::user_id.eq(user.id)).count().into_boxed();
    if unread_only {
        count = count.filter(notices::read_at.is_null());
    }
    let total = count.get_result(conn)?;
    Ok(NoticePage {
        items,
        total,
        page,
        per_page,
        unread: unread_count(conn, user)?,
    })
}

/// One of my notices; another user's is 404, as if it did not exist.
pub fn get(conn: &mut DbConn, user: &AuthUser, id: NoticeId) -> AppResult<Notice> {
    let which = Which {
        id: Some(id),
        limit: 1,
        ..Which::default()
    };
    load(conn, user, which)?.pop().ok_or(AppError::NotFound)
}

/// Marks one of my notices read (again: no change).
pub fn mark_read(conn: &mut DbConn, user: &AuthUser, id: NoticeId) -> AppResult<Notice> {
    diesel::update(
        notices::table
            .filter(notices::id.eq(id))
            .filter(notices::user_id.eq(user.id))
            .filter(notices::read_at.is_null()),
    )
    .set(notices::read_at.eq(Some(Utc::now().naive_utc())))
    .execute(conn)?;
    get(conn, user, id)
}

/// Marks every notice of mine read; how many were unread.
pub fn mark_all_read(conn: &mut DbConn, user: &AuthUser) -> AppResult<usize> {
    Ok(diesel::update(
        notices::table
            .filter(notices::user_id.eq(user.id))
            .filter(notices::read_at.is_null()),
    )
    .set(notices::read_at.eq(Some(Utc::now().naive_utc())))
    .execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_to_the_referral_the_order_or_the_page() {
        let (o, r) = (Some(JobOrderId(7)), Some(ReferralId(9)));
        assert_eq!(link("referral_approved", o, r), "/orders/7#referral-9");
        assert_eq!(link("order_shared", o, None), "/orders/7");
        assert_eq!(link("portal_failed", o, None), "/orders/7#portal");
        assert_eq!(link("import_finished", None, None), "/import");
    }
}
