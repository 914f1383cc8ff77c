//! The audit log: who did what to which record, and when. Written in the same
//! transaction as the change it describes.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use serde::Serialize;

use crate::db::schema::{audit_log, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::error::AppResult;
use crate::ids::{JobCentreId, UserId};
use crate::on_inner;

pub fn record(
    conn: &mut DbConn,
    actor: Option<&AuthUser>,
    entity: &str,
    entity_id: i64,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    // Every change writes one: on the inner connection (`on_inner!`, db/direct.rs).
    let insert = diesel::insert_into(audit_log::table).values((
        audit_log::at.eq(Utc::now().naive_utc()),
        // Bound NULLs rather than defaults: one statement text, prepared once (see
        // referrals::record_event).
        audit_log::actor_id.eq(actor.map(|a| a.id).into_sql::<Nullable<BigInt>>()),
        audit_log::job_centre_id.eq(actor.map(|a| a.job_centre_id).into_sql::<Nullable<BigInt>>()),
        audit_log::entity.eq(entity),
        audit_log::entity_id.eq(entity_id),
        audit_log::action.eq(action),
        audit_log::detail.eq(detail.to_string()),
    ));
    on_inner!(conn, c => insert.execute(c))?;
    Ok(())
}

#[derive(Debug, Serialize, Queryable, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor: Option<String>,
    pub job_centre_id: Option<JobCentreId>,
    pub action: String,
    #[serde(serialize_with = "as_json")]
    #[schema(value_type = Object)]
    pub detail: String,
}

fn as_json<S: serde::Serializer>(s: &str, ser: S) -> Result<S::Ok, S::Error> {
    let v: serde_json::Value = serde_json::from_str(s).unwrap_or(serde_json::Value::Null);
    v.serialize(ser)
}

/// The history of one record, newest first.
pub fn history(conn: &mut DbConn, entity: &str, entity_id: i64, limit: i64) -> AppResult<Vec<AuditEntry>> {
    Ok(audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(audit_log::actor_id)))
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::id.desc())
        .limit(limit)
        .select((
            audit_log::id,
            audit_log::at,
            audit_log::actor_id,
            users::display_name.nullable(),
            audit_log::job_centre_id,
            audit_log::action,
            audit_log::detail,
        ))
        .load(conn)?)
}
