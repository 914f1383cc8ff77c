//! An order's state on the employer portal, its protocol lines and its queue of transfers,
//! and what an edit, a close and a reopen do there. The rules that use them: `portal`.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;

use crate::db::schema::{job_orders, portal_orders, portal_protocol, portal_transfers};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::order::{self, Access, JobOrder};
use crate::domain::portal_wire;
use crate::error::AppResult;
use crate::ids::{JobOrderId, UserId};

pub const MANUAL: &str = "manual";
pub const QUEUED: &str = "queued";
pub const SENT: &str = "sent";
pub const ONLINE: &str = "online";
pub const REJECTED: &str = "rejected";
pub const FAILED: &str = "failed";
pub const ARCHIVED: &str = "archived";

/// Statuses with an ad on the portal, or one on its way: edits and a close follow it there.
const LIVE: [&str; 3] = [QUEUED, SENT, ONLINE];
/// Statuses from which an open order may be sent again.
const RESENDABLE: [&str; 3] = [REJECTED, FAILED, ARCHIVED];

pub const KIND_CREATE: &str = "create";
pub const KIND_UPDATE: &str = "update";
pub const KIND_WITHDRAW: &str = "withdraw";

#[derive(Queryable, Selectable, Debug, Clone, Serialize)]
#[diesel(table_name = portal_orders)]
pub struct PortalOrder {
    pub order_id: JobOrderId,
    pub status: String,
    pub portal_id: Option<String>,
    pub message: Option<String>,
    pub updated_at: NaiveDateTime,
}

pub fn state_of(conn: &mut DbConn, id: JobOrderId) -> AppResult<Option<PortalOrder>> {
    Ok(portal_orders::table
        .find(id)
        .select(PortalOrder::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the order may be sent (again): open, and neither on the portal nor on its way.
pub fn can_send(order: &JobOrder, state: Option<&PortalOrder>) -> bool {
    order.is_open()
        && match state {
            None => order.sent_to_portal_at.is_none(),
            Some(s) => RESENDABLE.contains(&s.status.as_str()),
        }
}

/// Writes one protocol line, in the caller's transaction.
pub fn record(
    conn: &mut DbConn,
    id: JobOrderId,
    direction: &str,
    kind: &str,
    status: &str,
    message: Option<&str>,
    user: Option<UserId>,
) -> AppResult<()> {
    diesel::insert_into(portal_protocol::table)
        .values((
            portal_protocol::order_id.eq(id),
            portal_protocol::at.eq(Utc::now().naive_utc()),
            portal_protocol::direction.eq(direction),
            portal_protocol::kind.eq(kind),
            portal_protocol::status.eq(status),
            portal_protocol::message.eq(message),
            portal_protocol::user_id.eq(user.into_sql::<Nullable<BigInt>>()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Sets the order's portal status and message (creating its row on first use).
pub fn set_state(conn: &mut DbConn, id: JobOrderId, status: &str, message: Option<&str>) -> AppResult<()> {
    let now = Utc::now().naive_utc();
    let n = diesel::update(portal_orders::table.find(id))
        .set((
            portal_orders::status.eq(status),
            portal_orders::message.eq(message),
            portal_orders::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(portal_orders::table)
            .values((
                portal_orders::order_id.eq(id),
                portal_orders::status.eq(status),
                portal_orders::message.eq(message),
                portal_orders::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn set_portal_id(conn: &mut DbConn, id: JobOrderId, portal_id: Option<&str>) -> AppResult<()> {
    diesel::update(portal_orders::table.find(id))
        .set(portal_orders::portal_id.eq(portal_id))
        .execute(conn)?;
    Ok(())
}

/// Marks the order as on the portal (what sharing waits for), once.
pub fn mark_sent(conn: &mut DbConn, id: JobOrderId) -> AppResult<()> {
    diesel::update(
        job_orders::table
            .find(id)
            .filter(job_orders::sent_to_portal_at.is_null()),
    )
    .set(job_orders::sent_to_portal_at.eq(Utc::now().naive_utc()))
    .execute(conn)?;
    Ok(())
}

/// The ad's body: the order as another centre sees it, never the private texts.
pub fn ad_body(conn: &mut DbConn, order: &JobOrder) -> AppResult<String> {
    let names = order::load_names(conn, order)?;
    Ok(portal_wire::ad_body(
        order::project(order.clone(), names, Access::Notified).shared(),
    ))
}

/// Queues one call to the portal. Its idempotency key is fixed here, so every retry of this
/// row is recognisable as the same call and never makes a second ad.
pub fn queue(conn: &mut DbConn, id: JobOrderId, kind: &str, body: &str) -> AppResult<()> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(portal_transfers::table)
        .values((
            portal_transfers::order_id.eq(id),
            portal_transfers::kind.eq(kind),
            portal_transfers::idempotency_key.eq(format!("staer-{id}-{kind}-{:016x}", rand::random::<u64>())),
            portal_transfers::body.eq(body),
            portal_transfers::status.eq("pending"),
            portal_transfers::attempts.eq(0),
            portal_transfers::next_attempt_at.eq(now),
            portal_transfers::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// After an edit: an order on the portal (or on its way) gets an update queued when what the
/// portal shows changed. A change of the private texts alone sends nothing.
pub fn after_edit(conn: &mut DbConn, user: &AuthUser, order: &JobOrder) -> AppResult<()> {
    let Some(state) = state_of(conn, order.id)? else {
        return Ok(());
    };
    if !order.is_open() || !LIVE.contains(&state.status.as_str()) {
        return Ok(());
    }
    let body = ad_body(conn, order)?;
    let last: Option<String> = portal_transfers::table
        .filter(portal_transfers::order_id.eq(order.id))
        .filter(portal_transfers::kind.eq_any([KIND_CREATE, KIND_UPDATE]))
        .order(portal_transfers::id.desc())
        .select(portal_transfers::body)
        .first(conn)
        .optional()?;
    if last.as_deref() == Some(body.as_str()) {
        return Ok(());
    }
    queue(conn, order.id, KIND_UPDATE, &body)?;
    record(conn, order.id, "out", KIND_UPDATE, QUEUED, None, Some(user.id))
}

/// After a close: the ad is withdrawn from the portal; once it is, the status is `archived`.
pub fn after_close(conn: &mut DbConn, user: &AuthUser, order: &JobOrder) -> AppResult<()> {
    let Some(state) = state_of(conn, order.id)? else {
        return Ok(());
    };
    if !LIVE.contains(&state.status.as_str()) {
        return Ok(());
    }
    queue(
        conn,
        order.id,
        KIND_WITHDRAW,
        &portal_wire::withdraw_body(order.id, &order.request_id),
    )?;
    record(conn, order.id, "out", KIND_WITHDRAW, QUEUED, None, Some(user.id))
}

/// After a reopen: an order whose ad was archived must be sent again before it is shared again.
pub fn after_reopen(conn: &mut DbConn, order: &JobOrder) -> AppResult<()> {
    if state_of(conn, order.id)?.is_some_and(|s| s.status == ARCHIVED) {
        diesel::update(job_orders::table.find(order.id))
            .set(job_orders::sent_to_portal_at.eq(None::<NaiveDateTime>))
            .execute(conn)?;
    }
    Ok(())
}
