//! Who is told what, by mail: each event's recipients and the shared fields they may see.
//! Written to the outbox inside the caller's transaction.

use diesel::prelude::*;
use serde_json::json;

use crate::db::schema::{job_centres, users};
use crate::db::DbConn;
use crate::domain::candidates::{Candidate, SharedCandidate};
use crate::domain::order::{Access, JobOrder, SharedOrder};
use crate::domain::referral::Referral;
use crate::domain::{candidates, order};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};
use crate::mail::{enqueue, enqueue_about, enqueue_with, Headers, Mail, Outgoing};

/// The order as any other centre sees it: mails never carry the private texts.
fn shared_order(conn: &mut DbConn, order: &JobOrder) -> AppResult<SharedOrder> {
    let names = order::load_names(conn, order)?;
    Ok(order::project(order.clone(), names, Access::Notified).shared().clone())
}

struct Recipient {
    name: String,
    email: String,
    language: String,
    centre_name: String,
}

fn user_recipient(conn: &mut DbConn, id: UserId) -> AppResult<Recipient> {
    let (name, email, language, centre_name) = users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(id))
        .select((users::display_name, users::email, users::language, job_centres::name))
        .first::<(String, String, String, String)>(conn)?;
    Ok(Recipient {
        name,
        email,
        language,
        centre_name,
    })
}

/// "New order shared with your network": one mail to each consultant of each newly
/// notified centre (not the owner's own), in the consultant's language.
pub fn order_shared(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    network: &str,
    newly_notified: &[JobCentreId],
) -> AppResult<usize> {
    let centres: Vec<JobCentreId> = newly_notified
        .iter()
        .copied()
        .filter(|id| *id != order.job_centre_id)
        .collect();
    if centres.is_empty() {
        return Ok(0);
    }
    let so = shared_order(conn, order)?;
    let recipients: Vec<(String, String, String)> = users::table
        .filter(users::job_centre_id.eq_any(&centres))
        .filter(users::role.eq("consultant"))
        .select((users::display_name, users::email, users::language))
        .order(users::id)
        .load(conn)?;
    for (name, email, lang) in &recipients {
        let data = json!({
            "recipient_name": name,
            "order": so,
            "network": network,
            "link": mail.link(&format!("/orders/{}", order.id)),
        });
        enqueue(conn, mail, "order_shared", email, lang, &data)?;
    }
    Ok(recipients.len())
}

/// "Referral awaiting approval", to the order's coordinator.
pub fn awaiting_approval(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    r: &Referral,
    cand: &Candidate,
) -> AppResult<()> {
    let to = user_recipient(conn, order.coordinator_id)?;
    let by = user_recipient(conn, r.created_by)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "candidate_name": cand.name,
        "referred_by": by.name,
        "referring_centre": by.centre_name,
        "link": mail.link(&format!("/orders/{}#referral-{}", order.id, r.id)),
    });
    enqueue_about(
        conn,
        mail,
        "awaiting_approval",
        &to.email,
        &to.language,
        &data,
        Some(r.candidate_id),
    )?;
    Ok(())
}

/// "Your referral was approved / rejected", to the referring consultant.
pub fn referral_decided(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral) -> AppResult<()> {
    let to = user_recipient(conn, r.created_by)?;
    let cand = candidates::load(conn, r.candidate_id)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "candidate_name": cand.name,
        "approved": r.state == "available_to_company",
        "reason": r.reason,
        "link": mail.link(&format!("/orders/{}#referral-{}", order.id, r.id)),
    });
    enqueue_about(
        conn,
        mail,
        "referral_decided",
        &to.email,
        &to.language,
        &data,
        Some(r.candidate_id),
    )?;
    Ok(())
}

/// The candidate, with the details they consented to share, to the employer contact, with the
/// employer link (`employer_link`: where they see every candidate of the order and answer).
/// A written answer goes to the order's coordinator (Reply-To), not to the no-reply sender.
pub fn candidate_to_employer(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    r: &Referral,
    employer_link: &str,
) -> AppResult<()> {
    let Some(to) = order.employer_email.clone() else {
        return Err(AppError::Conflict("the order has no employer email".into()));
    };
    let cand = candidates::load(conn, r.candidate_id)?;
    let consultant = user_recipient(conn, r.created_by)?;
    let coordinator = user_recipient(conn, order.coordinator_id)?;
    let data = json!({
        "order": shared_order(conn, order)?,
        "candidate": SharedCandidate::from(&cand),
        "consultant_name": consultant.name,
        "consultant_email": consultant.email,
        "consultant_centre": consultant.centre_name,
        "employer_link": employer_link,
        "link_days": crate::domain::employer_link::LINK_DAYS,
    });
    let out = Outgoing {
        kind: "candidate_to_employer",
        to: &to,
        // Employers read Danish.
        lang: "da",
        data: &data,
        candidate: Some(r.candidate_id),
        headers: Headers {
            reply_to: Some(coordinator.email),
            list_unsubscribe: None,
        },
    };
    enqueue_with(conn, mail, &out)?;
    Ok(())
}

/// "Your candidate was sent to the company", to the referring consultant, unless they sent
/// it themselves (they know).
pub fn referral_sent(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral, sent_by: UserId) -> AppResult<()> {
    if sent_by == r.created_by {
        return Ok(());
    }
    let to = user_recipient(conn, r.created_by)?;
    let by = user_recipient(conn, sent_by)?;
    let cand = candidates::load(conn, r.candidate_id)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "candidate_name": cand.name,
        "sent_by": by.name,
        "link": mail.link(&format!("/orders/{}#referral-{}", order.id, r.id)),
    });
    enqueue_about(
        conn,
        mail,
        "referral_sent",
        &to.email,
        &to.language,
        &data,
        Some(r.candidate_id),
    )?;
    Ok(())
}

/// "The employer answered: interview / hired / not suitable", to the referring consultant and
/// the order's coordinator (once, when they are the same person), with the employer's comment.
pub fn referral_outcome(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral) -> AppResult<()> {
    let cand = candidates::load(conn, r.candidate_id)?;
    let so = shared_order(conn, order)?;
    let mut to = vec![r.created_by];
    if order.coordinator_id != r.created_by {
        to.push(order.coordinator_id);
    }
    for id in to {
        let rc = user_recipient(conn, id)?;
        let data = json!({
            "recipient_name": rc.name,
            "order": so,
            "candidate_name": cand.name,
            "outcome": r.state,
            "interview": r.state == "interview",
            "hired": r.state == "hired",
            "comment": r.reason,
            "link": mail.link(&format!("/orders/{}#referral-{}", order.id, r.id)),
        });
        enqueue_about(
            conn,
            mail,
            "referral_outcome",
            &rc.email,
            &rc.language,
            &data,
            Some(r.candidate_id),
        )?;
    }
    Ok(())
}

/// "Every place of the order is filled": to the order's responsible consultant, with the way to
/// close it. The order stays open until someone closes it.
pub fn order_filled(conn: &mut DbConn, mail: &Mail, order: &JobOrder) -> AppResult<()> {
    let to = user_recipient(conn, order.responsible_consultant_id)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "hired": order.hired,
        "vacancies": order.vacancies,
        "link": mail.link(&format!("/orders/{}/close", order.id)),
    });
    enqueue(conn, mail, "order_filled", &to.email, &to.language, &data)?;
    Ok(())
}

/// "A referral was withdrawn: the candidate revoked consent", to the order's coordinator.
/// It names no candidate: after a revocation their name goes to no one new.
pub fn referral_withdrawn(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral) -> AppResult<()> {
    let to = user_recipient(conn, order.coordinator_id)?;
    let by = user_recipient(conn, r.created_by)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "referred_by": by.name,
        "referring_centre": by.centre_name,
        "link": mail.link(&format!("/orders/{}#referrals", order.id)),
    });
    enqueue(conn, mail, "referral_withdrawn", &to.email, &to.language, &data)?;
    Ok(())
}

/// "The order was closed; your referrals to it are withdrawn", to a referring consultant:
/// one mail naming each of their candidates, with the owner's reason.
pub fn order_closed(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    consultant: UserId,
    candidate_names: &[String],
    reason: Option<&str>,
) -> AppResult<()> {
    let to = user_recipient(conn, consultant)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "candidates": candidate_names,
        "count": candidate_names.len(),
        "reason": reason,
        "link": mail.link(&format!("/orders/{}#referrals", order.id)),
    });
    enqueue(conn, mail, "order_closed", &to.email, &to.language, &data)?;
    Ok(())
}

/// "The order did not reach the portal": to the order's responsible consultant, when a
/// transfer has used up its retries. The shared fields only, like every mail.
pub fn portal_failed(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    kind: &str,
    attempts: i32,
    error: &str,
) -> AppResult<()> {
    let to = user_recipient(conn, order.responsible_consultant_id)?;
    let data = json!({
        "recipient_name": to.name,
        "order": shared_order(conn, order)?,
        "kind": kind,
        "attempts": attempts,
        "error": error,
        "link": mail.link(&format!("/orders/{}#portal", order.id)),
    });
    enqueue(conn, mail, "portal_failed", &to.email, &to.language, &data)?;
    Ok(())
}
