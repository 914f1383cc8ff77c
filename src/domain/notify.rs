//! Who is told what, by mail and in the app: each event's recipients and the shared fields
//! they may see. Written to the outbox and to `notices` inside the caller's transaction: a
//! user who gets a mail about an event also gets a notice of it (one `notice(...)` line per
//! event), and some events that mail no one tell a user in the app only.

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::schema::{job_centres, users};
use crate::db::DbConn;
use crate::domain::candidates::{Candidate, SharedCandidate};
use crate::domain::order::{Access, JobOrder, OrderNames, SharedOrder};
use crate::domain::referral::Referral;
use crate::domain::{candidates, notices, order};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};
use crate::mail::{enqueue, enqueue_about, enqueue_with, Headers, Mail, Outgoing};

/// The order as any other centre sees it: mails never carry the private texts.
fn shared_order(conn: &mut DbConn, order: &JobOrder) -> AppResult<SharedOrder> {
    Ok(shared_with(order, order::load_names(conn, order)?))
}

fn shared_with(order: &JobOrder, names: OrderNames) -> SharedOrder {
    order::project(order.clone(), names, Access::Notified).shared().clone()
}

/// The in-app notice of an event for one user, about an order and perhaps one referral.
/// `params` holds no personal text (notices.rs joins the names in when read).
fn notice(
    conn: &mut DbConn,
    to: UserId,
    kind: &str,
    order: &JobOrder,
    r: Option<&Referral>,
    params: Value,
) -> AppResult<()> {
    notices::add(conn, to, kind, Some(order.id), r.map(|r| r.id), &params)?;
    Ok(())
}

/// A mail's recipient: a user, with their centre's name.
#[derive(Queryable)]
pub struct Recipient {
    name: String,
    email: String,
    language: String,
    centre_name: String,
}

type RecipientColumns = (users::display_name, users::email, users::language, job_centres::name);

/// The columns of a `Recipient`, from users joined with their centre.
const RECIPIENT: RecipientColumns = (users::display_name, users::email, users::language, job_centres::name);

fn user_recipient(conn: &mut DbConn, id: UserId) -> AppResult<Recipient> {
    Ok(users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(id))
        .select(RECIPIENT)
        .first(conn)?)
}

/// The referring consultant as the mails about their referral address them, the candidate's
/// name, and the order's names. An action reads them with the referral
/// (`referrals::load_for_action`), so its mails read nothing more inside its transaction: each
/// statement there is a round trip on PostgreSQL (an approval's: bench/results.md). The order
/// as the mail shows it is made only by a mail that is sent.
pub struct Referrer {
    to: Recipient,
    candidate_name: String,
    names: order::NamesRow,
}

/// A `Referrer` as a statement selects it beside the referral.
pub type ReferrerRow = (Recipient, order::NamesRow);

/// The columns of a `ReferrerRow`, for a statement that joins the referral's order, `users` and
/// `job_centres` as the referring consultant and their centre, and the order's centre and
/// company as `order::joined_names_columns` names them.
pub fn referrer_columns() -> (RecipientColumns, order::JoinedNamesColumns) {
    (RECIPIENT, order::joined_names_columns())
}

impl Referrer {
    pub fn new((to, names): ReferrerRow, candidate_name: &str) -> Self {
        Referrer {
            to,
            candidate_name: candidate_name.to_string(),
            names,
        }
    }

    pub fn name(&self) -> &str {
        &self.to.name
    }

    /// A mail to the referring consultant about their referral `r`: their name, the order as
    /// shared, the candidate's name and the link to the referral, with the mail's own `fields`.
    fn mail(
        self,
        conn: &mut DbConn,
        mail: &Mail,
        kind: &str,
        (order, r): (&JobOrder, &Referral),
        fields: Value,
    ) -> AppResult<()> {
        let mut data = json!({
            "recipient_name": self.to.name,
            "order": shared_with(order, self.names.into()),
            "candidate_name": self.candidate_name,
            "link": mail.link(&format!("/orders/{}#referral-{}", order.id, r.id)),
        });
        if let (Value::Object(data), Value::Object(fields)) = (&mut data, fields) {
            data.extend(fields);
        }
        enqueue_about(
            conn,
            mail,
            kind,
            &self.to.email,
            &self.to.language,
            &data,
            Some(r.candidate_id),
        )?;
        Ok(())
    }
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
    let recipients: Vec<(UserId, String, String, String)> = users::table
        .filter(users::job_centre_id.eq_any(&centres))
        .filter(users::role.eq("consultant"))
        .select((users::id, users::display_name, users::email, users::language))
        .order(users::id)
        .load(conn)?;
    for (id, name, email, lang) in &recipients {
        notice(conn, *id, "order_shared", order, None, json!({ "network": network }))?;
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
    notice(
        conn,
        order.coordinator_id,
        "awaiting_approval",
        order,
        Some(r),
        json!({}),
    )?;
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
pub fn referral_decided(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    r: &Referral,
    referrer: Referrer,
) -> AppResult<()> {
    let approved = r.state == "available_to_company";
    let kind = if approved {
        "referral_approved"
    } else {
        "referral_rejected"
    };
    notice(conn, r.created_by, kind, order, Some(r), json!({}))?;
    let fields = json!({ "approved": approved, "reason": r.reason });
    referrer.mail(conn, mail, "referral_decided", (order, r), fields)
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
    // Decided now by the rule delivery applies again: the text says "attached" only then.
    let cv = crate::mail::attachments::shared_cv(conn, r.id)?;
    let data = json!({
        "order": shared_order(conn, order)?,
        "candidate": SharedCandidate::from(&cand),
        "cv_attached": cv.is_some(),
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
        // The CV goes along only if it is shared now and still at delivery (the worker).
        cv_of: cv.map(|_| r.id),
    };
    enqueue_with(conn, mail, &out)?;
    Ok(())
}

/// "Your candidate was sent to the company", to the referring consultant, unless they sent
/// it themselves (they know).
pub fn referral_sent(
    conn: &mut DbConn,
    mail: &Mail,
    order: &JobOrder,
    r: &Referral,
    sent_by: UserId,
    referrer: Referrer,
) -> AppResult<()> {
    if sent_by == r.created_by {
        return Ok(());
    }
    notice(conn, r.created_by, "referral_sent", order, Some(r), json!({}))?;
    let by = user_recipient(conn, sent_by)?;
    referrer.mail(conn, mail, "referral_sent", (order, r), json!({ "sent_by": by.name }))
}

/// "The employer answered: interview / hired / not suitable", to the referring consultant and
/// the order's coordinator (once, when they are the same person), with the employer's comment.
pub fn referral_outcome(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral) -> AppResult<()> {
    let candidate_name = candidates::name(conn, r.candidate_id)?;
    let so = shared_order(conn, order)?;
    let mut to = vec![r.created_by];
    if order.coordinator_id != r.created_by {
        to.push(order.coordinator_id);
    }
    for id in to {
        // `referral_interview`, `referral_hired`, `referral_declined_by_employer`.
        notice(conn, id, &format!("referral_{}", r.state), order, Some(r), json!({}))?;
        let rc = user_recipient(conn, id)?;
        let data = json!({
            "recipient_name": rc.name,
            "order": so,
            "candidate_name": candidate_name,
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
    notice(
        conn,
        order.responsible_consultant_id,
        "order_filled",
        order,
        None,
        json!({ "hired": order.hired, "vacancies": order.vacancies }),
    )?;
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
    // No referral on the notice either: it would name the candidate.
    notice(conn, order.coordinator_id, "referral_withdrawn", order, None, json!({}))?;
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
    let params = json!({ "count": candidate_names.len(), "reason": reason });
    notice(conn, consultant, "order_closed", order, None, params)?;
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
    let params = json!({ "kind": kind, "attempts": attempts });
    notice(
        conn,
        order.responsible_consultant_id,
        "portal_failed",
        order,
        None,
        params,
    )?;
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

/// "Your import is done", in the app only (the importer is at the screen or the CLI): what
/// it created, updated and left unchanged, and how many rows were refused.
pub fn import_finished(conn: &mut DbConn, user: UserId, kind: &str, counts: Value) -> AppResult<()> {
    let mut params = counts;
    params["kind"] = json!(kind);
    notices::add(conn, user, "import_finished", None, None, &params)?;
    Ok(())
}
