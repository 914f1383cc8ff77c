//! The outbox: one row per mail, written in the caller's transaction.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::db::schema::outbox;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::ids::{CandidateId, OutboxId, ReferralId};
use crate::mail::Mail;
use crate::on_inner;

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
    let out = Outgoing {
        kind,
        to,
        lang,
        data,
        candidate,
        headers: Headers::default(),
        cv_of: None,
    };
    enqueue_with(conn, mail, &out)
}

/// Headers beyond From, To and Subject, kept on the row so the worker sets them.
#[derive(Debug, Clone, Default)]
pub struct Headers {
    /// Where the recipient's answer goes (the employer answers the order's coordinator).
    pub reply_to: Option<String>,
    /// The one-click unsubscribe URL (RFC 8058): `List-Unsubscribe` and `List-Unsubscribe-Post`.
    pub list_unsubscribe: Option<String>,
}

/// One mail to write: what to render, for whom, and its extra headers.
pub struct Outgoing<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    pub lang: &'a str,
    pub data: &'a Value,
    pub candidate: Option<CandidateId>,
    pub headers: Headers,
    /// Attach the CV of this referral's candidate, if their consent to share it still holds
    /// when the mail is delivered (`attachments::cv_for_referral`).
    pub cv_of: Option<ReferralId>,
}

/// Writes one mail with its headers to the outbox, inside the caller's transaction.
pub fn enqueue_with(conn: &mut DbConn, mail: &Mail, out: &Outgoing) -> AppResult<OutboxId> {
    use diesel::sql_types::{BigInt, Nullable, Text};
    let r = mail.render(out.kind, out.lang, out.data)?;
    let now = Utc::now().naive_utc();
    // A header value is one line: nothing from data may add another header.
    let one_line = |v: &Option<String>| v.as_ref().map(|v| v.replace(['\r', '\n'], " ").trim().to_string());
    let insert = diesel::insert_into(outbox::table)
        .values((
            outbox::created_at.eq(now),
            outbox::kind.eq(out.kind),
            outbox::to_addr.eq(out.to),
            outbox::subject.eq(&r.subject),
            outbox::body_text.eq(&r.text),
            outbox::body_html.eq(&r.html),
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            // Bound, not defaulted: one statement text either way (prepared once).
            outbox::candidate_id.eq(out.candidate.into_sql::<Nullable<BigInt>>()),
            outbox::reply_to.eq(one_line(&out.headers.reply_to).into_sql::<Nullable<Text>>()),
            outbox::list_unsubscribe.eq(one_line(&out.headers.list_unsubscribe).into_sql::<Nullable<Text>>()),
            outbox::cv_referral_id.eq(out.cv_of.into_sql::<Nullable<BigInt>>()),
        ))
        .returning(outbox::id);
    // Every mail is written here, inside the change it tells about: on the inner connection.
    Ok(on_inner!(conn, c => insert.get_result(c))?)
}

// ---- delivery ------------------------------------------------------------------------

#[derive(Queryable, Selectable, Debug, Clone, Serialize, utoipa::ToSchema)]
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
    pub reply_to: Option<String>,
    #[serde(skip)]
    pub list_unsubscribe: Option<String>,
    #[serde(skip)]
    pub cv_referral_id: Option<ReferralId>,
}
