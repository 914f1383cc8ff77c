//! Erasure of a candidate's personal data (GDPR Art. 17), on request or by retention: the
//! row becomes a stub ("slettet borger") so referral counts and reports stay true; mails about
//! the candidate are cancelled or blanked; audit and history keep who and when, not the values.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::db::schema::{audit_log, candidate_wishes, candidates, job_agents, outbox, referral_events, referrals};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::candidates::Candidate;
use crate::domain::referral::Action;
use crate::domain::{audit, candidates as cands, referrals as refs};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;
use crate::mail::Mail;

/// The name an erased candidate keeps, so lists and reports still show a row.
pub const ERASED_NAME: &str = "slettet borger";
/// What replaces an erased value in audit details, histories and mails.
pub const ERASED: &str = "[erased]";

/// Audit detail keys whose values describe the record, not the person: kept as they are
/// (unless they contain one of the person's values).
const NEUTRAL_KEYS: [&str; 16] = [
    "from",
    "to",
    "state",
    "order_id",
    "candidate_id",
    "referrals_withdrawn",
    "share_email",
    "share_phone",
    "frequency",
    "was",
    "by",
    "mails_cancelled",
    "share_cv",
    "content_type",
    "size",
    "replaced",
];

#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Erasure {
    pub candidate_id: Option<CandidateId>,
    pub referrals_withdrawn: usize,
    pub mails_cancelled: usize,
    pub mails_blanked: usize,
    pub audit_entries_scrubbed: usize,
}

/// Erasure asked for by the candidate, done by the owning centre (anyone else: 404). Live
/// referrals are withdrawn first through the state machine, then the data goes.
pub fn erase_on_request(conn: &mut DbConn, mail: &Mail, user: &AuthUser, id: CandidateId) -> AppResult<Erasure> {
    let c = cands::load_own(conn, user, id)?;
    c.refuse_if_erased()?;
    let mut withdrawn = 0;
    for rid in refs::live_of_candidate(conn, id)? {
        refs::apply(conn, mail, user, rid, Action::ConsentRevoked, None)?;
        withdrawn += 1;
    }
    let mut e = erase(conn, Some(user), &c, "request")?;
    e.referrals_withdrawn = withdrawn;
    Ok(e)
}

/// Erases a candidate that has no live referral (`by`: "request" or "retention").
pub fn erase(conn: &mut DbConn, actor: Option<&AuthUser>, c: &Candidate, by: &str) -> AppResult<Erasure> {
    if !refs::live_of_candidate(conn, c.id)?.is_empty() {
        return Err(AppError::Conflict(
            "the candidate has live referrals; withdraw them first".into(),
        ));
    }
    let values = personal_values(c);
    let rids: Vec<i64> = referrals::table
        .filter(referrals::candidate_id.eq(c.id))
        .select(referrals::id)
        .load(conn)?;
    let agents: Vec<i64> = job_agents::table
        .filter(job_agents::candidate_id.eq(Some(c.id)))
        .select(job_agents::id)
        .load(conn)?;
    let (mails_cancelled, mails_blanked) = erase_mails(conn, c)?;
    let keep = |k: &str| NEUTRAL_KEYS.contains(&k);
    let mut scrubbed = scrub_audit(conn, "candidate", &[c.id.0], keep, &values)?;
    scrubbed += scrub_audit(conn, "referral", &rids, keep, &values)?;
    scrubbed += scrub_audit(conn, "job_agent", &agents, keep, &values)?;
    diesel::update(referral_events::table.filter(referral_events::referral_id.eq_any(&rids)))
        .filter(referral_events::reason.is_not_null())
        .set(referral_events::reason.eq(Some(ERASED)))
        .execute(conn)?;
    diesel::update(referrals::table.filter(referrals::id.eq_any(&rids)))
        .filter(referrals::reason.is_not_null())
        .set(referrals::reason.eq(Some(ERASED)))
        .execute(conn)?;
    diesel::delete(candidate_wishes::table.filter(candidate_wishes::candidate_id.eq(c.id))).execute(conn)?;
    crate::domain::cv::erase(conn, c.id)?;
    crate::domain::job_suggestions::erase(conn, c.id)?;
    diesel::delete(job_agents::table.filter(job_agents::candidate_id.eq(Some(c.id)))).execute(conn)?;
    let now = Utc::now().naive_utc();
    let none_time: Option<NaiveDateTime> = None;
    diesel::update(candidates::table.find(c.id))
        .set((
            candidates::name.eq(ERASED_NAME),
            candidates::email.eq(None::<String>),
            candidates::phone.eq(None::<String>),
            candidates::postcode.eq(None::<String>),
            candidates::lat.eq(None::<f64>),
            candidates::lon.eq(None::<f64>),
            candidates::consent_given_at.eq(none_time),
            candidates::consent_given_by.eq(None::<i64>),
            candidates::consent_revoked_at.eq(none_time),
            candidates::share_email.eq(false),
            candidates::share_phone.eq(false),
            candidates::share_cv.eq(false),
            candidates::retention_warned_at.eq(none_time),
            candidates::updated_at.eq(Some(now)),
            candidates::erased_at.eq(Some(now)),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        actor,
        "candidate",
        c.id.0,
        "erased",
        json!({ "by": by, "mails_cancelled": mails_cancelled }),
    )?;
    Ok(Erasure {
        candidate_id: Some(c.id),
        referrals_withdrawn: 0,
        mails_cancelled,
        mails_blanked,
        audit_entries_scrubbed: scrubbed,
    })
}

/// The texts that identify the person, to find in free text (a postcode alone does not).
fn personal_values(c: &Candidate) -> Vec<String> {
    [Some(&c.name), c.email.as_ref(), c.phone.as_ref()]
        .into_iter()
        .flatten()
        .map(|v| v.trim().to_lowercase())
        .filter(|v| v.chars().count() >= 3)
        .collect()
}

/// Mails about the candidate: still queued ones are cancelled, all are blanked (the subject
/// and bodies name the candidate). Mails addressed to the candidate lose the address too.
fn erase_mails(conn: &mut DbConn, c: &Candidate) -> AppResult<(usize, usize)> {
    let mut q = outbox::table
        .filter(outbox::candidate_id.eq(Some(c.id.0)))
        .select(outbox::id)
        .into_boxed();
    if let Some(email) = &c.email {
        q = q.or_filter(outbox::to_addr.eq(email.clone()));
    }
    let ids: Vec<i64> = q.load(conn)?;
    let cancelled = diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .filter(outbox::status.eq("pending"))
        .set((
            outbox::status.eq("cancelled"),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if let Some(email) = &c.email {
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .filter(outbox::to_addr.eq(email.clone()))
            .set(outbox::to_addr.eq(ERASED))
            .execute(conn)?;
    }
    let blanked = diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
        .set((
            outbox::subject.eq(ERASED),
            outbox::body_text.eq(ERASED),
            outbox::body_html.eq(ERASED),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok((cancelled, blanked))
}

/// Rewrites the audit details of these records: values under keys that `keep` refuses, and
/// any text holding one of `values`, become "[erased]". Who and when stay. Returns the count.
pub fn scrub_audit(
    conn: &mut DbConn,
    entity: &str,
    ids: &[i64],
    keep: impl Fn(&str) -> bool,
    values: &[String],
) -> AppResult<usize> {
    let rows: Vec<(i64, String)> = audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq_any(ids))
        .select((audit_log::id, audit_log::detail))
        .load(conn)?;
    let mut n = 0;
    for (id, detail) in rows {
        if let Some(new) = scrub_detail(&detail, &keep, values) {
            diesel::update(audit_log::table.find(id))
                .set(audit_log::detail.eq(new))
                .execute(conn)?;
            n += 1;
        }
    }
    Ok(n)
}

/// The detail with personal values replaced, or None when nothing changed.
pub fn scrub_detail(detail: &str, keep: &dyn Fn(&str) -> bool, values: &[String]) -> Option<String> {
    let mut v: Value = serde_json::from_str(detail).unwrap_or_else(|_| Value::String(detail.to_string()));
    scrub_value(&mut v, true, keep, values).then(|| v.to_string())
}

fn scrub_value(v: &mut Value, kept: bool, keep: &dyn Fn(&str) -> bool, values: &[String]) -> bool {
    match v {
        Value::String(s) => {
            let lower = s.to_lowercase();
            let personal = !kept || values.iter().any(|p| lower.contains(p.as_str()));
            if personal && s != ERASED {
                *s = ERASED.to_string();
                return true;
            }
            false
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |ch, i| scrub_value(i, kept, keep, values) | ch),
        Value::Object(map) => map
            .iter_mut()
            .fold(false, |ch, (k, i)| scrub_value(i, kept && keep(k), keep, values) | ch),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neutral(k: &str) -> bool {
        NEUTRAL_KEYS.contains(&k)
    }

    #[test]
    fn personal_values_go_and_record_keys_stay() {
        let values = vec!["anne canary".to_string(), "anne@x.dk".to_string()];
        let d = r#"{"from":"pending_approval","to":"withdrawn","reason":"Mangler kørekort","candidate_id":7,
            "occupations":[["532110","53"]],"note":{"to":"sent to Anne Canary"}}"#;
        let out: Value = serde_json::from_str(&scrub_detail(d, &neutral, &values).unwrap()).unwrap();
        assert_eq!(out["from"], "pending_approval");
        assert_eq!(out["to"], "withdrawn");
        assert_eq!(out["candidate_id"], 7);
        assert_eq!(out["reason"], ERASED);
        assert_eq!(out["occupations"][0][0], ERASED);
        // A neutral key under a personal one is not neutral any more; a value naming the person never is.
        assert_eq!(out["note"]["to"], ERASED);
        let named = r#"{"state":"Anne Canary"}"#;
        assert_eq!(
            scrub_detail(named, &neutral, &values).unwrap(),
            r#"{"state":"[erased]"}"#
        );
    }

    #[test]
    fn nothing_to_erase_is_no_change() {
        assert_eq!(
            scrub_detail(r#"{"from":"a","to":"b"}"#, &neutral, &["x@y.dk".into()]),
            None
        );
        assert_eq!(scrub_detail(r#"{}"#, &neutral, &[]), None);
    }
}
