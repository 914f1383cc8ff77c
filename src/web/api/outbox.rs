//! The administrator's view of the mail outbox: list and retry.

use crate::db::schema::outbox;
use crate::domain::users::AuthUser;
use crate::error::{AppError, AppResult};
use crate::ids::OutboxId;
use crate::mail::OutboxRow;
use crate::web::state::AppState;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

// ---- admin view of the outbox ------------------------------------------------------------

#[derive(Deserialize)]
pub struct OutboxQuery {
    pub status: Option<String>,
    pub page: Option<i64>,
}

pub async fn outbox_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<OutboxQuery>,
) -> AppResult<HttpResponse> {
    user.require_admin("see the outbox")?;
    let q = q.into_inner();
    if let Some(s) = &q.status {
        if !["pending", "sent", "failed"].contains(&s.as_str()) {
            return Err(AppError::invalid("status", "must be pending, sent or failed"));
        }
    }
    let page = q.page.unwrap_or(1).clamp(1, i64::MAX / 50);
    let per_page = 50;
    let (items, total, counts) = state
        .db
        .read(move |c| {
            let mut query = outbox::table
                .select(OutboxRow::as_select())
                .order(outbox::id.desc())
                .into_boxed();
            let mut count = outbox::table.count().into_boxed();
            if let Some(s) = &q.status {
                query = query.filter(outbox::status.eq(s.clone()));
                count = count.filter(outbox::status.eq(s.clone()));
            }
            let items = query.limit(per_page).offset((page - 1) * per_page).load(c)?;
            let total: i64 = count.get_result(c)?;
            let counts: Vec<(String, i64)> = outbox::table
                .group_by(outbox::status)
                .select((outbox::status, diesel::dsl::count_star()))
                .load(c)?;
            Ok((items, total, counts))
        })
        .await?;
    let counts: serde_json::Map<String, Value> = counts.into_iter().map(|(k, v)| (k, json!(v))).collect();
    Ok(HttpResponse::Ok().json(json!({ "items": items, "total": total, "page": page, "counts": counts })))
}

/// Puts a failed (or waiting) mail back at the head of the queue.
pub async fn retry_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<OutboxId>,
) -> AppResult<HttpResponse> {
    user.require_admin("see the outbox")?;
    let id = id.into_inner();
    state
        .db
        .write(move |c| {
            let status: String = outbox::table.find(id).select(outbox::status).first(c)?;
            if status == "sent" {
                return Err(AppError::Conflict("the mail was already sent".into()));
            }
            diesel::update(outbox::table.find(id))
                .set((
                    outbox::status.eq("pending"),
                    outbox::next_attempt_at.eq(Utc::now().naive_utc()),
                    outbox::locked_until.eq(None::<NaiveDateTime>),
                ))
                .execute(c)?;
            crate::domain::audit::record(c, Some(&user), "outbox", id.0, "retry", json!({ "was": status }))?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "id": id, "status": "pending" })))
}
