//! Access export (GDPR Art. 15): everything stored about one candidate, for the owning centre,
//! as one JSON document (the API answers it, the printable page shows it). Audited.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::db::schema::{job_agents, job_centres, job_orders, outbox, referrals, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::referral::Referral;
use crate::domain::{audit, candidates, referrals as refs};
use crate::error::{AppError, AppResult};
use crate::ids::CandidateId;

/// A mail about (or to) the candidate, with its text.
#[derive(Debug, Serialize, Queryable)]
pub struct MailAbout {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub kind: String,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub sent_at: Option<NaiveDateTime>,
}

/// A job agent that mails the candidate.
#[derive(Debug, Serialize, Queryable, Selectable)]
#[diesel(table_name = job_agents)]
pub struct AgentOf {
    pub id: i64,
    pub email: String,
    pub occupation_code: Option<String>,
    pub postcode: Option<String>,
    pub frequency: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

fn to_value<T: Serialize>(v: T) -> AppResult<Value> {
    serde_json::to_value(v).map_err(|e| AppError::Internal(e.to_string()))
}

/// Records who exported, then gathers the candidate's data (the export lists itself).
pub fn export(conn: &mut DbConn, user: &AuthUser, id: CandidateId) -> AppResult<Value> {
    let c = candidates::load_own(conn, user, id)?;
    audit::record(conn, Some(user), "candidate", id.0, "exported", json!({}))?;
    let centre: String = job_centres::table
        .find(c.job_centre_id)
        .select(job_centres::name)
        .first(conn)?;
    let consent_by: Option<String> = match c.consent_given_by {
        Some(u) => Some(users::table.find(u).select(users::display_name).first(conn)?),
        None => None,
    };
    let history = audit::history(conn, "candidate", id.0, 10_000)?;
    let consent_history: Vec<&audit::AuditEntry> = history
        .iter()
        .filter(|e| e.action.starts_with("consent_") || e.action == "erased")
        .collect();
    let mut referral_items = Vec::new();
    let rows: Vec<(Referral, String, String)> = referrals::table
        .inner_join(job_orders::table.inner_join(job_centres::table))
        .filter(referrals::candidate_id.eq(id))
        .order(referrals::id)
        .select((Referral::as_select(), job_orders::title, job_centres::name))
        .load(conn)?;
    for (r, title, order_centre) in rows {
        let events = refs::history(conn, user, r.id)?;
        referral_items.push(json!({
            "id": r.id, "order_id": r.order_id, "order_title": title, "order_centre": order_centre,
            "state": r.state, "reason": r.reason, "created_at": r.created_at, "updated_at": r.updated_at,
            "history": events,
        }));
    }
    let mut mails = outbox::table.filter(outbox::candidate_id.eq(Some(id.0))).into_boxed();
    if let Some(email) = &c.email {
        mails = mails.or_filter(outbox::to_addr.eq(email.clone()));
    }
    let mails: Vec<MailAbout> = mails
        .order(outbox::id)
        .select((
            outbox::id,
            outbox::created_at,
            outbox::kind,
            outbox::to_addr,
            outbox::subject,
            outbox::body_text,
            outbox::status,
            outbox::sent_at,
        ))
        .load(conn)?;
    let agents: Vec<AgentOf> = job_agents::table
        .filter(job_agents::candidate_id.eq(Some(id)))
        .select(AgentOf::as_select())
        .load(conn)?;
    Ok(json!({
        "exported_at": Utc::now().naive_utc(),
        "exported_by": user.username,
        "candidate": {
            "id": c.id, "job_centre": centre, "name": c.name, "email": c.email, "phone": c.phone,
            "postcode": c.postcode, "latitude": c.lat, "longitude": c.lon, "created_at": c.created_at,
            "updated_at": c.updated_at, "erased_at": c.erased_at,
        },
        "consent": {
            "given_at": c.consent_given_at, "given_by": consent_by, "revoked_at": c.consent_revoked_at,
            "share_email": c.share_email, "share_phone": c.share_phone, "share_cv": c.share_cv,
        },
        // The CV's details; its bytes are downloaded on their own (GET …/cv).
        "cv": to_value(crate::domain::cv::info(conn, user, id)?)?,
        "occupation_wishes": to_value(candidates::wishes_of(conn, id)?)?,
        "consent_history": to_value(consent_history)?,
        "history": to_value(&history)?,
        "referrals": referral_items,
        "mails": to_value(mails)?,
        "job_agents": to_value(agents)?,
        // The orders mailed to the candidate as job suggestions, newest first.
        "job_suggestions": to_value(crate::domain::job_suggestions::of_candidate(conn, user, id)?)?,
        // Notices to the consultants about the candidate travel by mail (in `mails`); the
        // retention warning is the only one so far.
        "notices": { "retention_warned_at": c.retention_warned_at },
    }))
}
