//! The employer portal (JobAG): an order's status there, its transfer protocol, and the rules
//! that queue a transfer (send, edit, close) or record a manual confirmation or the portal's
//! callback. Delivery: `portal_worker`; the wire format and the signatures: `portal_wire`.
//!
//! Status per order: `queued` -> `sent` (the portal took it) -> `online` (it confirmed) |
//! `rejected` (4xx, with its reason) | `failed` (retries used up) | `archived` (withdrawn
//! after a close). Without a configured portal the status is `manual`.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{job_orders, portal_orders, portal_protocol, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::order::JobOrder;
use crate::domain::portal_state::{
    ad_body, can_send, mark_sent, queue, record, set_portal_id, set_state, state_of, PortalOrder, ARCHIVED,
    KIND_CREATE, MANUAL, ONLINE, QUEUED,
};
use crate::domain::portal_wire::{self, Callback};
use crate::domain::{audit, orders};
use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;

/// How orders reach the portal: by the worker (`STAER_PORTAL_URL` set), or by hand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Manual,
    Remote,
}

impl Mode {
    pub fn of(portal_url: Option<&str>) -> Mode {
        if portal_url.is_some() {
            Mode::Remote
        } else {
            Mode::Manual
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Manual => "manual",
            Mode::Remote => "remote",
        }
    }
}

/// One exchange with the portal (or a manual confirmation).
#[derive(Queryable, Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProtocolEntry {
    pub at: NaiveDateTime,
    /// `out` (to the portal) or `in` (from it).
    pub direction: String,
    /// `create`, `update`, `withdraw`, `callback` or `manual`.
    pub kind: String,
    pub status: String,
    pub message: Option<String>,
    /// Who did it, when a consultant did.
    pub user: Option<String>,
}

/// The order's portal status and protocol, as the owner sees them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PortalView {
    pub mode: &'static str,
    pub status: Option<String>,
    pub portal_id: Option<String>,
    pub message: Option<String>,
    pub can_send: bool,
    pub protocol: Vec<ProtocolEntry>,
}

/// The status and the protocol (newest first) of an order of the user's centre.
pub fn view(conn: &mut DbConn, user: &AuthUser, id: JobOrderId, mode: Mode) -> AppResult<PortalView> {
    let order = orders::load_owned(conn, user, id)?;
    let state = state_of(conn, id)?;
    Ok(PortalView {
        mode: mode.as_str(),
        can_send: can_send(&order, state.as_ref()),
        status: state.as_ref().map(|s| s.status.clone()),
        portal_id: state.as_ref().and_then(|s| s.portal_id.clone()),
        message: state.and_then(|s| s.message),
        protocol: protocol(conn, id, 200)?,
    })
}

/// The transfer protocol of an order, newest first (no owner check: callers have made it).
pub fn protocol(conn: &mut DbConn, id: JobOrderId, limit: i64) -> AppResult<Vec<ProtocolEntry>> {
    Ok(portal_protocol::table
        .left_join(users::table)
        .filter(portal_protocol::order_id.eq(id))
        .order((portal_protocol::at.desc(), portal_protocol::id.desc()))
        .limit(limit)
        .select((
            portal_protocol::at,
            portal_protocol::direction,
            portal_protocol::kind,
            portal_protocol::status,
            portal_protocol::message,
            users::display_name.nullable(),
        ))
        .load(conn)?)
}

/// "Send to portal". With a portal, a create is queued in this transaction and the worker
/// delivers it; without one, the consultant confirms that it was sent and the protocol says so.
pub fn send(conn: &mut DbConn, user: &AuthUser, id: JobOrderId, mode: Mode) -> AppResult<JobOrder> {
    let order = orders::load_owned(conn, user, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict("the order is closed".into()));
    }
    let state = state_of(conn, id)?;
    if !can_send(&order, state.as_ref()) {
        return Err(
            match (state.as_ref().map(|s| s.status.as_str()), order.sent_to_portal_at) {
                (Some(QUEUED), _) => AppError::Conflict("the order is already queued for the employer portal".into()),
                (_, Some(at)) => {
                    AppError::Conflict(format!("the order was already sent to the employer portal at {at}"))
                }
                _ => AppError::Conflict("the order is already on the employer portal".into()),
            },
        );
    }
    match mode {
        Mode::Manual => {
            let now = Utc::now().naive_utc();
            diesel::update(job_orders::table.find(id))
                .set((job_orders::sent_to_portal_at.eq(now), job_orders::updated_at.eq(now)))
                .execute(conn)?;
            set_state(conn, id, MANUAL, None)?;
            record(conn, id, "out", "manual", MANUAL, None, Some(user.id))?;
        }
        Mode::Remote => {
            let body = ad_body(conn, &order)?;
            set_state(conn, id, QUEUED, None)?;
            set_portal_id(conn, id, None)?;
            queue(conn, id, KIND_CREATE, &body)?;
            record(conn, id, "out", KIND_CREATE, QUEUED, None, Some(user.id))?;
        }
    }
    audit::record(
        conn,
        Some(user),
        "job_order",
        id.0,
        "sent_to_portal",
        json!({ "mode": mode.as_str() }),
    )?;
    Ok(job_orders::table.find(id).select(JobOrder::as_select()).first(conn)?)
}

/// The order a callback is about: by the portal's id, or by ours where the portal's id is not
/// known yet (its confirmation overtook its answer). Manual orders are not the portal's.
fn callback_target(conn: &mut DbConn, cb: &Callback) -> AppResult<PortalOrder> {
    let by_portal_id = match &cb.portal_id {
        Some(pid) => portal_orders::table
            .filter(portal_orders::portal_id.eq(pid))
            .select(PortalOrder::as_select())
            .first(conn)
            .optional()?,
        None => None,
    };
    let found = match (by_portal_id, cb.order_id) {
        (Some(s), Some(id)) if s.order_id != id => None,
        (Some(s), _) => Some(s),
        (None, Some(id)) => state_of(conn, id)?.filter(|s| s.portal_id.is_none() || cb.portal_id.is_none()),
        (None, None) => None,
    };
    found.filter(|s| s.status != MANUAL).ok_or(AppError::NotFound)
}

/// A verified callback from the portal: the ad is online, rejected or archived there.
pub fn callback(conn: &mut DbConn, cb: &Callback) -> AppResult<PortalOrder> {
    let state = callback_target(conn, cb)?;
    let id = state.order_id;
    if cb.status == ONLINE && state.status == ARCHIVED {
        return Err(AppError::Conflict(
            "the order is archived on the employer portal".into(),
        ));
    }
    if state.portal_id.is_none() {
        if let Some(pid) = cb.portal_id.as_deref().filter(|p| portal_wire::valid_portal_id(p)) {
            set_portal_id(conn, id, Some(pid))?;
        }
    }
    set_state(conn, id, &cb.status, cb.message.as_deref())?;
    if cb.status == ONLINE {
        mark_sent(conn, id)?;
    }
    record(conn, id, "in", "callback", &cb.status, cb.message.as_deref(), None)?;
    state_of(conn, id)?.ok_or(AppError::NotFound)
}
