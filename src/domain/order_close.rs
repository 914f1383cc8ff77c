//! Closing an order (with a reason: its live referrals are withdrawn through the state
//! machine and their consultants told) and reopening it. Both owner-only and audited.

use std::collections::BTreeMap;

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::{candidates, job_orders, referrals as referrals_t};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::order::{JobOrder, STATUS_CLOSED, STATUS_OPEN};
use crate::domain::referral::Action;
use crate::domain::{audit, notify, orders, portal_state, referrals};
use crate::error::{AppError, AppResult};
use crate::ids::{JobOrderId, ReferralId, UserId};
use crate::mail::Mail;

/// Longest reason kept, as for a rejection.
pub const MAX_REASON: usize = 2000;

/// What a close did.
#[derive(Debug)]
pub struct Closed {
    pub order: JobOrder,
    /// Referrals withdrawn because the order closed.
    pub withdrawn: usize,
    /// Consultants told by mail (one mail each, listing their candidates).
    pub notified: usize,
}

/// A reason as given: trimmed, empty is none, too long is refused.
pub fn clean_reason(reason: Option<String>) -> AppResult<Option<String>> {
    let Some(text) = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_REASON {
        return Err(AppError::invalid(
            "reason",
            format!("must be at most {MAX_REASON} characters"),
        ));
    }
    Ok(Some(text))
}

/// An order of the user's centre and how many live referrals closing it would withdraw
/// (what the confirmation page says).
pub fn preview(conn: &mut DbConn, user: &AuthUser, id: JobOrderId) -> AppResult<(JobOrder, i64)> {
    let order = orders::load_owned(conn, user, id)?;
    let live = referrals::live_of_order(id).count().get_result(conn)?;
    Ok((order, live))
}

/// Closes an order the user's centre owns. Every pending or available referral is withdrawn
/// through `transition` (`OrderClosed`, with the reason), and each referring consultant
/// other than the user gets one mail, in this transaction.
pub fn close(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    id: JobOrderId,
    reason: Option<String>,
) -> AppResult<Closed> {
    let order = orders::load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict("the order is already closed".into()));
    }
    let reason = clean_reason(reason)?;
    let now = Utc::now().naive_utc();
    diesel::update(job_orders::table.find(id))
        .set((
            job_orders::status.eq(STATUS_CLOSED),
            job_orders::closed_at.eq(now),
            job_orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    let live: Vec<(ReferralId, UserId, String)> = referrals::live_of_order(id)
        .inner_join(candidates::table.on(candidates::id.eq(referrals_t::candidate_id)))
        .order(referrals_t::id)
        .select((referrals_t::id, referrals_t::created_by, candidates::name))
        .load(conn)?;
    let mut by_consultant: BTreeMap<UserId, Vec<String>> = BTreeMap::new();
    for (rid, created_by, candidate) in &live {
        referrals::apply(conn, mail, user, *rid, Action::OrderClosed, reason.clone())?;
        if *created_by != user.id {
            by_consultant.entry(*created_by).or_default().push(candidate.clone());
        }
    }
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    for (consultant, names) in &by_consultant {
        notify::order_closed(conn, mail, &order, *consultant, names, reason.as_deref())?;
    }
    audit::record(
        conn,
        Some(user),
        "job_order",
        id.0,
        "closed",
        json!({ "reason": reason, "referrals_withdrawn": live.len() }),
    )?;
    orders::refresh_listing(conn, &order)?;
    portal_state::after_close(conn, user, &order)?;
    Ok(Closed {
        order,
        withdrawn: live.len(),
        notified: by_consultant.len(),
    })
}

/// Reopens a closed order of the user's centre. Withdrawn referrals stay withdrawn: a
/// consultant who still wants the candidate there refers them again.
pub fn reopen(conn: &mut DbConn, user: &AuthUser, id: JobOrderId, reason: Option<String>) -> AppResult<JobOrder> {
    let order = orders::load_owned(conn, user, id)?;
    if order.is_open() {
        return Err(AppError::Conflict("the order is open".into()));
    }
    let reason = clean_reason(reason)?;
    diesel::update(job_orders::table.find(id))
        .set((
            job_orders::status.eq(STATUS_OPEN),
            job_orders::closed_at.eq(None::<chrono::NaiveDateTime>),
            job_orders::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Some(user),
        "job_order",
        id.0,
        "reopened",
        json!({ "reason": reason }),
    )?;
    let order = job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?;
    orders::refresh_listing(conn, &order)?;
    portal_state::after_reopen(conn, &order)?;
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_trimmed_optional_and_bounded() {
        assert_eq!(clean_reason(None).unwrap(), None);
        assert_eq!(clean_reason(Some("  ".into())).unwrap(), None);
        assert_eq!(clean_reason(Some(" Besat ".into())).unwrap().as_deref(), Some("Besat"));
        let long = "x".repeat(MAX_REASON + 1);
        assert!(matches!(clean_reason(Some(long)), Err(AppError::Validation { .. })));
    }
}
