//! Job suggestions ("Jobforslag fra dit jobcenter"): a consultant mails consenting candidates
//! of their own centre an order their centre may see, with the order's shared fields and the
//! consultant's contact details. One transaction per send: every candidate and order is
//! checked first, and one refusal sends nothing. The `job_suggestions` rows are the record
//! (and the candidate's history); the same order to the same candidate again needs a
//! confirmation.

use std::collections::HashMap;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{job_centres, job_orders, job_suggestions, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::candidates::{self, Candidate};
use crate::domain::order::{self, Access, JobOrder, SharedOrder};
use crate::domain::{audit, orders};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, UserId};
use crate::mail::{self, Headers, Mail, Outgoing};

/// The most candidates (or orders) one send may name.
pub const MAX_PER_SEND: usize = 100;
/// The mail's kind (templates/mail/job_suggestion).
pub const KIND: &str = "job_suggestion";

/// One mail that went to the outbox.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SentSuggestion {
    pub order_id: JobOrderId,
    pub order_title: String,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    /// The candidate had this order before (sent again after a confirmation).
    pub repeat: bool,
    pub sent_at: NaiveDateTime,
}

/// A candidate who already got the order: sending it again needs `confirm_repeat`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Repeat {
    pub order_id: JobOrderId,
    pub order_title: String,
    pub candidate_id: CandidateId,
    pub candidate_name: String,
    /// When the order last went to the candidate.
    pub last_sent_at: NaiveDateTime,
}

/// What a send did: everything went out, or nothing did because some need a confirmation.
#[derive(Debug)]
pub enum Outcome {
    Sent(Vec<SentSuggestion>),
    NeedsConfirmation(Vec<Repeat>),
}

/// One entry of a candidate's history: "Job suggestion: <order>, by <consultant>, <date>".
#[derive(Debug, Clone, Serialize, serde::Deserialize, Queryable, utoipa::ToSchema)]
pub struct SuggestionEntry {
    pub id: i64,
    pub order_id: JobOrderId,
    pub order_title: String,
    pub sent_by: UserId,
    pub sent_by_name: String,
    pub sent_at: NaiveDateTime,
}

/// Sends one order to candidates of the actor's centre (the order page's picker, the API).
pub fn send(
    conn: &mut DbConn,
    mail: &Mail,
    actor: &AuthUser,
    order_id: JobOrderId,
    candidate_ids: &[CandidateId],
    confirm_repeat: bool,
) -> AppResult<Outcome> {
    let ids = distinct("candidate_ids", candidate_ids)?;
    let order = sendable_order(conn, actor, order_id)?;
    let cands = ids
        .iter()
        .map(|id| candidates::load_own(conn, actor, *id))
        .collect::<AppResult<Vec<_>>>()?;
    refuse_unreachable(&cands)?;
    let pairs: Vec<(&JobOrder, &Candidate)> = cands.iter().map(|c| (&order, c)).collect();
    deliver(conn, mail, actor, &pairs, confirm_repeat)
}

/// Sends orders to one candidate of the actor's centre (the candidate's match list).
pub fn send_orders(
    conn: &mut DbConn,
    mail: &Mail,
    actor: &AuthUser,
    candidate_id: CandidateId,
    order_ids: &[JobOrderId],
    confirm_repeat: bool,
) -> AppResult<Outcome> {
    let ids = distinct("order_ids", order_ids)?;
    let cand = candidates::load_own(conn, actor, candidate_id)?;
    let orders = ids
        .iter()
        .map(|id| sendable_order(conn, actor, *id))
        .collect::<AppResult<Vec<_>>>()?;
    refuse_unreachable(std::slice::from_ref(&cand))?;
    let pairs: Vec<(&JobOrder, &Candidate)> = orders.iter().map(|o| (o, &cand)).collect();
    deliver(conn, mail, actor, &pairs, confirm_repeat)
}

/// The ids without repeats, 1 to `MAX_PER_SEND` of them.
fn distinct<T: Copy + Eq + std::hash::Hash>(field: &str, ids: &[T]) -> AppResult<Vec<T>> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<T> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() || ids.len() > MAX_PER_SEND {
        return Err(AppError::invalid(field, "give 1 to 100 candidates or orders"));
    }
    Ok(ids)
}

/// An order the actor's centre may see (owner or notified: the order page's rule), still open.
fn sendable_order(conn: &mut DbConn, actor: &AuthUser, id: JobOrderId) -> AppResult<JobOrder> {
    let (order, _) = orders::load_visible(conn, actor, id)?;
    if !order.is_open() {
        return Err(AppError::Conflict(format!(
            "the order {} is closed; no job suggestions are sent for it",
            order.title
        )));
    }
    Ok(order)
}

/// Every candidate needs a live consent and an email; otherwise the send is refused, naming
/// each one that can't be reached and why.
fn refuse_unreachable(cands: &[Candidate]) -> AppResult<()> {
    let names = |f: &dyn Fn(&Candidate) -> bool| {
        cands
            .iter()
            .filter(|c| f(c))
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let no_consent = names(&|c: &Candidate| !c.has_consent());
    let no_email = names(&|c: &Candidate| c.has_consent() && c.email.as_deref().is_none_or(|e| e.trim().is_empty()));
    match (no_consent.is_empty(), no_email.is_empty()) {
        (true, true) => Ok(()),
        (false, true) => Err(AppError::invalid(
            "candidate_ids",
            format!("{no_consent}: no consent to be contacted about jobs"),
        )),
        (true, false) => Err(AppError::invalid(
            "candidate_ids",
            format!("{no_email}: no email address"),
        )),
        (false, false) => Err(AppError::invalid(
            "candidate_ids",
            format!("{no_consent}: no consent to be contacted about jobs; {no_email}: no email address"),
        )),
    }
}

/// When each of these candidates last got this order.
pub fn last_sent(
    conn: &mut DbConn,
    order_id: JobOrderId,
    candidate_ids: &[CandidateId],
) -> AppResult<HashMap<CandidateId, NaiveDateTime>> {
    let rows: Vec<(CandidateId, NaiveDateTime)> = job_suggestions::table
        .filter(job_suggestions::order_id.eq(order_id))
        .filter(job_suggestions::candidate_id.eq_any(candidate_ids.to_vec()))
        .select((job_suggestions::candidate_id, job_suggestions::sent_at))
        .load(conn)?;
    let mut out = HashMap::new();
    for (c, at) in rows {
        let e = out.entry(c).or_insert(at);
        *e = (*e).max(at);
    }
    Ok(out)
}

/// Checks the repeats, then writes each mail, its record and its audit entry.
fn deliver(
    conn: &mut DbConn,
    mail: &Mail,
    actor: &AuthUser,
    pairs: &[(&JobOrder, &Candidate)],
    confirm_repeat: bool,
) -> AppResult<Outcome> {
    let mut repeats = Vec::new();
    for (o, c) in pairs {
        if let Some(at) = last_sent(conn, o.id, &[c.id])?.get(&c.id) {
            repeats.push(Repeat {
                order_id: o.id,
                order_title: o.title.clone(),
                candidate_id: c.id,
                candidate_name: c.name.clone(),
                last_sent_at: *at,
            });
        }
    }
    if !repeats.is_empty() && !confirm_repeat {
        return Ok(Outcome::NeedsConfirmation(repeats));
    }
    let consultant = consultant(conn, actor)?;
    let now = Utc::now().naive_utc();
    let mut sent = Vec::with_capacity(pairs.len());
    for (o, c) in pairs {
        let shared = shared_fields(conn, o)?;
        let repeat = repeats.iter().any(|r| r.order_id == o.id && r.candidate_id == c.id);
        let to = c.email.as_deref().unwrap_or_default();
        let data = json!({
            "recipient_name": c.name,
            // The shared fields a citizen may read; never the private texts.
            "order": {
                "title": shared.title, "occupation": shared.occupation, "company_name": shared.company_name,
                "task_description": shared.task_description, "start_date": shared.start_date,
                "end_date": shared.end_date,
            },
            "consultant": consultant,
        });
        mail::enqueue_with(
            conn,
            mail,
            &Outgoing {
                kind: KIND,
                to,
                // Citizens' mails are Danish: a candidate has no stored language.
                lang: "da",
                data: &data,
                candidate: Some(c.id),
                headers: Headers {
                    reply_to: consultant["email"].as_str().map(str::to_string),
                    list_unsubscribe: None,
                },
                cv_of: None,
            },
        )?;
        diesel::insert_into(job_suggestions::table)
            .values((
                job_suggestions::order_id.eq(o.id),
                job_suggestions::candidate_id.eq(c.id),
                job_suggestions::sent_by.eq(actor.id),
                job_suggestions::sent_at.eq(now),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(actor),
            "candidate",
            c.id.0,
            "job_suggested",
            json!({ "order_id": o.id, "repeat": repeat }),
        )?;
        sent.push(SentSuggestion {
            order_id: o.id,
            order_title: o.title.clone(),
            candidate_id: c.id,
            candidate_name: c.name.clone(),
            repeat,
            sent_at: now,
        });
    }
    Ok(Outcome::Sent(sent))
}

/// The order as another centre sees it: the projection that has no private fields.
fn shared_fields(conn: &mut DbConn, o: &JobOrder) -> AppResult<SharedOrder> {
    let names = order::load_names(conn, o)?;
    Ok(match order::project(o.clone(), names, Access::Notified) {
        order::OrderView::Shared(s) => s,
        order::OrderView::Owner(owner) => owner.shared,
    })
}

/// The sending consultant's contact details for the mail (users keep no phone number).
fn consultant(conn: &mut DbConn, actor: &AuthUser) -> AppResult<serde_json::Value> {
    let (name, email, centre): (String, String, String) = users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(actor.id))
        .select((users::display_name, users::email, job_centres::name))
        .first(conn)?;
    Ok(json!({ "name": name, "email": email, "centre": centre }))
}

/// The job suggestions a candidate of the actor's centre got, newest first.
pub fn of_candidate(conn: &mut DbConn, actor: &AuthUser, id: CandidateId) -> AppResult<Vec<SuggestionEntry>> {
    candidates::load_own(conn, actor, id)?;
    Ok(job_suggestions::table
        .inner_join(job_orders::table)
        .inner_join(users::table)
        .filter(job_suggestions::candidate_id.eq(id))
        .order(job_suggestions::id.desc())
        .limit(1000)
        .select((
            job_suggestions::id,
            job_suggestions::order_id,
            job_orders::title,
            job_suggestions::sent_by,
            users::display_name,
            job_suggestions::sent_at,
        ))
        .load(conn)?)
}

/// An erasure deletes the candidate's suggestions (the mails go with the outbox's erasure).
pub fn erase(conn: &mut DbConn, id: CandidateId) -> AppResult<usize> {
    Ok(diesel::delete(job_suggestions::table.filter(job_suggestions::candidate_id.eq(id))).execute(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_bounds_and_dedups() {
        assert_eq!(distinct("x", &[1, 2, 1]).unwrap(), vec![1, 2]);
        assert!(distinct::<i64>("x", &[]).is_err());
        let many: Vec<i64> = (0..101).collect();
        assert!(distinct("x", &many).is_err());
    }
}
