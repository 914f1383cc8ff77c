//! The outbox: one row per mail, written in the caller's transaction.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::db::schema::outbox;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{CandidateId, OutboxId};
use crate::mail::Mail;

/// Writes one mail to the outbox, inside the caller's transaction.
pub fn enqueue(conn: &mut DbConn, mail: &Mail, kind: &str, to: &str, lang: &str, data: &Value) -> AppResult<OutboxId> {
    enqueue_about(conn, mail, kind, to, lang, data, None)
}

/// Writes one mail about a candidate: an erasure finds it by `candidate_id` (cancels it while
/// queued, blanks it once sent) and an access export lists it.
pub fn enqueue_about(
    conn: &mut DbConn,
    mail: &Mail,
    kind: &str,
    to: &str,
    lang: &str,
    data: &Value,
    candidate: Option<CandidateId>,
) -> AppResult<OutboxId> {
    use diesel::sql_types::{BigInt, Nullable};
    let r = mail.render(kind, lang, data)?;
    let now = Utc::now().naive_utc();
    Ok(diesel::insert_into(outbox::table)
        .values((
            outbox::created_at.eq(now),
            outbox::kind.eq(kind),
            outbox::to_addr.eq(to),
            outbox::subject.eq(&r.subject),
            outbox::body_text.eq(&r.text),
            outbox::body_html.eq(&r.html),
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            // Bound, not defaulted: one statement text either way (prepared once).
            outbox::candidate_id.eq(candidate.into_sql::<Nullable<BigInt>>()),
        ))
        .returning(outbox::id)
        .get_result(conn)?)
}

// ---- delivery ------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: OutboxId,
    pub created_at: NaiveDateTime,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    #[serde(skip)]
    pub body_text: String,
    #[serde(skip)]
    pub body_html: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub sent_at: Option<NaiveDateTime>,
}
