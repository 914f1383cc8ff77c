//! The coordinator's queue: referrals awaiting my approval (pending on orders where I am the
//! coordinator), oldest first, with their age; and its count for the navigation.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{job_centres, job_orders, referrals};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::referral::State;
use crate::error::AppResult;
use crate::ids::{JobOrderId, ReferralId};

/// The most rows the queue shows at once; the count says how many there are in all.
pub const QUEUE_LIMIT: i64 = 200;

/// The navigation's count (and the queue page's) stops here: "999+" tells a coordinator all
/// they need, and the count then reads at most this many index entries on every page, not a
/// backlog of any length.
pub const COUNT_CAP: i64 = 999;

#[derive(Debug, Clone, PartialEq, Serialize, Queryable, utoipa::ToSchema)]
pub struct Awaiting {
    pub referral_id: ReferralId,
    pub order_id: JobOrderId,
    pub order_title: String,
    pub request_id: String,
    pub referring_centre: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AwaitingRow {
    #[serde(flatten)]
    pub item: Awaiting,
    /// Whole seconds since the referral was made.
    pub age_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub total: i64,
    pub items: Vec<AwaitingRow>,
}

/// How many referrals wait for my decision, exactly (the API's total).
pub fn awaiting_count(conn: &mut DbConn, user: &AuthUser) -> AppResult<i64> {
    Ok(referrals::table
        .filter(referrals::coordinator_id.eq(user.id))
        .filter(referrals::state.eq(State::PendingApproval.as_str()))
        .count()
        .get_result(conn)?)
}

/// How many referrals wait for my decision, at most `COUNT_CAP + 1` (the pages' count).
pub fn awaiting_count_capped(conn: &mut DbConn, user: &AuthUser) -> AppResult<i64> {
    let ids: Vec<ReferralId> = referrals::table
        .filter(referrals::coordinator_id.eq(user.id))
        .filter(referrals::state.eq(State::PendingApproval.as_str()))
        .select(referrals::id)
        .limit(COUNT_CAP + 1)
        .load(conn)?;
    Ok(ids.len() as i64)
}

/// My queue, oldest first, with the exact total (the API).
pub fn awaiting_my_approval(conn: &mut DbConn, user: &AuthUser) -> AppResult<Queue> {
    let items = oldest_awaiting(conn, user)?;
    let total = if (items.len() as i64) < QUEUE_LIMIT {
        items.len() as i64
    } else {
        awaiting_count(conn, user)?
    };
    Ok(Queue { total, items })
}

/// The oldest `QUEUE_LIMIT` referrals awaiting my decision (the one waiting longest leads).
pub fn oldest_awaiting(conn: &mut DbConn, user: &AuthUser) -> AppResult<Vec<AwaitingRow>> {
    let items: Vec<Awaiting> = referrals::table
        .inner_join(job_orders::table)
        .inner_join(job_centres::table.on(job_centres::id.eq(referrals::job_centre_id)))
        .filter(referrals::coordinator_id.eq(user.id))
        .filter(referrals::state.eq(State::PendingApproval.as_str()))
        .order((referrals::created_at.asc(), referrals::id.asc()))
        .limit(QUEUE_LIMIT)
        .select((
            referrals::id,
            job_orders::id,
            job_orders::title,
            job_orders::request_id,
            job_centres::name,
            referrals::created_at,
        ))
        .load(conn)?;
    let now = Utc::now().naive_utc();
    Ok(items
        .into_iter()
        .map(|item| AwaitingRow {
            age_seconds: (now - item.created_at).num_seconds().max(0),
            item,
        })
        .collect())
}
