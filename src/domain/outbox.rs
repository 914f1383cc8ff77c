//! The administrator's view of the mail outbox: a page of rows with the count per status,
//! and putting a mail back in the queue.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::outbox;
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit;
use crate::error::{AppError, AppResult};
use crate::ids::OutboxId;
use crate::mail::OutboxRow;

const PER_PAGE: i64 = 50;

#[derive(Serialize, utoipa::ToSchema)]
pub struct OutboxPage {
    pub items: Vec<OutboxRow>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub counts: BTreeMap<String, i64>,
}

/// A page of the outbox, newest first: one status, `unsent` (pending and failed: what
/// still waits to go out), or every row.
pub fn list(conn: &mut DbConn, user: &AuthUser, status: Option<&str>, page: i64) -> AppResult<OutboxPage> {
    user.require_admin("see the outbox")?;
    let statuses: Vec<String> = match status {
        None => Vec::new(),
        Some("unsent") => vec!["pending".into(), "failed".into()],
        Some(s) if ["pending", "sent", "failed", "cancelled"].contains(&s) => vec![s.to_string()],
        Some(_) => {
            return Err(AppError::invalid(
                "status",
                "must be pending, failed, unsent, sent or cancelled",
            ))
        }
    };
    let page = page.clamp(1, i64::MAX / PER_PAGE);
    let mut query = outbox::table
        .select(OutboxRow::as_select())
        .order(outbox::id.desc())
        .into_boxed();
    let mut count = outbox::table.count().into_boxed();
    if !statuses.is_empty() {
        query = query.filter(outbox::status.eq_any(statuses.clone()));
        count = count.filter(outbox::status.eq_any(statuses));
    }
    let items = query.limit(PER_PAGE).offset((page - 1) * PER_PAGE).load(conn)?;
    let total: i64 = count.get_result(conn)?;
    let counts: Vec<(String, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(OutboxPage {
        items,
        total,
        page,
        per_page: PER_PAGE,
        counts: counts.into_iter().collect(),
    })
}

/// Puts a failed (or waiting) mail back at the head of the queue; a sent one is 409.
pub fn retry(conn: &mut DbConn, user: &AuthUser, id: OutboxId) -> AppResult<()> {
    user.require_admin("see the outbox")?;
    let status: String = outbox::table.find(id).select(outbox::status).first(conn)?;
    if status == "sent" {
        return Err(AppError::Conflict("the mail was already sent".into()));
    }
    if status == "cancelled" {
        // Cancelled by an erasure: its candidate's data is gone and must not be sent.
        return Err(AppError::Conflict("the mail was cancelled and can't be sent".into()));
    }
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq("pending"),
            outbox::next_attempt_at.eq(Utc::now().naive_utc()),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    audit::record(conn, Some(user), "outbox", id.0, "retry", json!({ "was": status }))
}
