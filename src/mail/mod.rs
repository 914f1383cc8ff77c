//! Email: rendered from handlebars templates (templates/mail/<kind>/<lang>.{subject,text,html}.hbs)
//! into an outbox row in the same transaction as the change that causes it, and delivered
//! by a worker over SMTP with retries. A rolled-back change sends nothing; a committed one
//! is sent until the server accepts it, once per row.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use handlebars::Handlebars;
use lettre::message::{header::ContentType, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};
use serde::Serialize;
use serde_json::{json, Value};

use crate::config::{Config, SmtpConfig};
use crate::db::schema::{job_centres, outbox, users};
use crate::db::{Db, DbConn};
use crate::domain::candidates::{self, Candidate, SharedCandidate};
use crate::domain::orders::{self, Access, JobOrder, SharedOrder};
use crate::domain::referrals::Referral;
use crate::domain::sharing::ShareResult;
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, OutboxId, UserId};

pub const KINDS: [&str; 5] = [
    "order_shared",
    "awaiting_approval",
    "referral_decided",
    "candidate_to_employer",
    "job_agent_digest",
];
const LANGS: [&str; 2] = ["da", "en"];

macro_rules! templates {
    ($($kind:literal),*) => {
        &[$(
            ($kind, "da", "subject", include_str!(concat!("../../templates/mail/", $kind, "/da.subject.hbs"))),
            ($kind, "da", "text", include_str!(concat!("../../templates/mail/", $kind, "/da.text.hbs"))),
            ($kind, "da", "html", include_str!(concat!("../../templates/mail/", $kind, "/da.html.hbs"))),
            ($kind, "en", "subject", include_str!(concat!("../../templates/mail/", $kind, "/en.subject.hbs"))),
            ($kind, "en", "text", include_str!(concat!("../../templates/mail/", $kind, "/en.text.hbs"))),
            ($kind, "en", "html", include_str!(concat!("../../templates/mail/", $kind, "/en.html.hbs"))),
        )*]
    };
}

/// Embedded at build time, so the binary runs from any directory.
const TEMPLATES: &[(&str, &str, &str, &str)] = templates!(
    "order_shared",
    "awaiting_approval",
    "referral_decided",
    "candidate_to_employer",
    "job_agent_digest"
);

/// Renders mails. Registered once at start-up: two registries, because the HTML parts
/// escape every interpolated value and the plain-text parts must not.
pub struct Mail {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    public_url: String,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Mail {
    pub fn new(public_url: &str) -> AppResult<Mail> {
        let mut html = Handlebars::new();
        let mut text = Handlebars::new();
        html.set_strict_mode(true);
        text.set_strict_mode(false);
        text.register_escape_fn(handlebars::no_escape);
        for (kind, lang, part, src) in TEMPLATES {
            let name = format!("{kind}/{lang}.{part}");
            let reg = if *part == "html" { &mut html } else { &mut text };
            reg.register_template_string(&name, *src)
                .map_err(|e| AppError::Internal(format!("mail template {name}: {e}")))?;
        }
        // strict mode is for catching typos in HTML; optional fields use #if.
        html.set_strict_mode(false);
        Ok(Mail {
            html,
            text,
            public_url: public_url.trim_end_matches('/').to_string(),
        })
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }

    pub fn render(&self, kind: &str, lang: &str, data: &Value) -> AppResult<Rendered> {
        let lang = if LANGS.contains(&lang) { lang } else { "da" };
        let r = |reg: &Handlebars, part: &str| {
            reg.render(&format!("{kind}/{lang}.{part}"), data)
                .map_err(|e| AppError::Internal(format!("rendering {kind}/{lang}.{part}: {e}")))
        };
        // A subject is one header line: no line breaks from data may reach it.
        let subject = r(&self.text, "subject")?.replace(['\r', '\n'], " ").trim().to_string();
        let html_body = r(&self.html, "html")?;
        Ok(Rendered {
            subject,
            text: r(&self.text, "text")?,
            html: format!(
                "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.4\">\n{html_body}</body></html>\n"
            ),
        })
    }
}

/// Writes one mail to the outbox, inside the caller's transaction.
pub fn enqueue(conn: &mut DbConn, mail: &Mail, kind: &str, to: &str, lang: &str, data: &Value) -> AppResult<OutboxId> {
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
        ))
        .returning(outbox::id)
        .get_result(conn)?)
}

/// The order as any other centre sees it: mails never carry the private texts.
fn shared_order(conn: &mut DbConn, order: &JobOrder) -> AppResult<SharedOrder> {
    let names = orders::load_names(conn, order)?;
    Ok(orders::project(order.clone(), names, Access::Notified).shared().clone())
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
pub fn order_shared(conn: &mut DbConn, mail: &Mail, order: &JobOrder, share: &ShareResult) -> AppResult<usize> {
    let centres: Vec<JobCentreId> = share
        .newly_notified
        .iter()
        .map(|c| c.id)
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
            "network": share.network,
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
    enqueue(conn, mail, "awaiting_approval", &to.email, &to.language, &data)?;
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
    enqueue(conn, mail, "referral_decided", &to.email, &to.language, &data)?;
    Ok(())
}

/// The candidate, with the details they consented to share, to the employer contact.
pub fn candidate_to_employer(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: &Referral) -> AppResult<()> {
    let Some(to) = order.employer_email.clone() else {
        return Err(AppError::Conflict("the order has no employer email".into()));
    };
    let cand = candidates::load(conn, r.candidate_id)?;
    let consultant = user_recipient(conn, r.created_by)?;
    let data = json!({
        "order": shared_order(conn, order)?,
        "candidate": SharedCandidate::from(&cand),
        "consultant_name": consultant.name,
        "consultant_email": consultant.email,
        "consultant_centre": consultant.centre_name,
    });
    enqueue(conn, mail, "candidate_to_employer", &to, "da", &data)?;
    Ok(())
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

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    pub smtp: SmtpConfig,
    pub poll: Duration,
    /// First retry delay; doubles per attempt up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    pub max_attempts: i32,
    /// How long a claimed row stays with its worker before another may take it.
    pub lease: Duration,
    pub batch: i64,
}

impl WorkerSettings {
    pub fn from_config(c: &Config) -> WorkerSettings {
        WorkerSettings {
            smtp: c.smtp.clone(),
            poll: Duration::from_millis(c.mail_poll_ms),
            backoff: Duration::from_millis(c.mail_backoff_ms),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 10,
            lease: Duration::from_secs(300),
            batch: 20,
        }
    }

    /// Delay before the next try after `attempts` failures: backoff * 2^(attempts-1), capped.
    pub fn delay(&self, attempts: i32) -> Duration {
        let factor = 2u32.saturating_pow((attempts.max(1) - 1) as u32);
        self.backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

pub struct Worker {
    db: Db,
    settings: WorkerSettings,
    transport: SmtpTransport,
    from: Mailbox,
    domain: String,
    /// Marks this worker's claims; a row is only finished by the worker that holds it.
    token: String,
}

fn transport(s: &SmtpConfig) -> AppResult<SmtpTransport> {
    let err = |e: lettre::transport::smtp::Error| AppError::Internal(format!("smtp config: {e}"));
    let mut b = match s.tls.as_str() {
        "tls" => SmtpTransport::relay(&s.host).map_err(err)?,
        "starttls" => SmtpTransport::starttls_relay(&s.host).map_err(err)?,
        // Plain SMTP: for a relay on loopback or inside a trusted network.
        _ => SmtpTransport::builder_dangerous(&s.host),
    };
    b = b.port(s.port).timeout(Some(Duration::from_secs(20)));
    if let (Some(u), Some(p)) = (&s.username, &s.password) {
        b = b.credentials(Credentials::new(u.clone(), p.clone()));
    }
    Ok(b.build())
}

enum Outcome {
    Sent,
    Retry(String),
    Fail(String),
}

impl Worker {
    pub fn new(db: Db, settings: WorkerSettings) -> AppResult<Worker> {
        let from: Mailbox = settings
            .smtp
            .from
            .parse()
            .map_err(|e| AppError::Internal(format!("SMTP_FROM '{}': {e}", settings.smtp.from)))?;
        let domain = from.email.domain().to_string();
        Ok(Worker {
            transport: transport(&settings.smtp)?,
            db,
            settings,
            from,
            domain,
            token: format!(
                "{}-{}-{:x}",
                std::process::id(),
                Utc::now().timestamp_micros(),
                rand::random::<u32>()
            ),
        })
    }

    /// Claims due rows with a conditional update (compare-and-set on the lease): of two
    /// workers, on one database or two instances on PostgreSQL, exactly one wins a row.
    fn claim(&self) -> AppResult<Vec<OutboxRow>> {
        let now = Utc::now().naive_utc();
        let until = now + chrono::Duration::from_std(self.settings.lease).unwrap_or_default();
        let batch = self.settings.batch;
        let token = self.token.clone();
        let ids = self.db.read_blocking(|c| {
            Ok(outbox::table
                .filter(outbox::status.eq("pending"))
                .filter(outbox::next_attempt_at.le(now))
                .filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(now)))
                .order(outbox::id)
                .limit(batch)
                .select(outbox::id)
                .load::<OutboxId>(c)?)
        })?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.db.write_blocking(|c| {
            let mut claimed = Vec::new();
            for id in ids {
                let n = diesel::update(
                    outbox::table
                        .filter(outbox::id.eq(id))
                        .filter(outbox::status.eq("pending"))
                        .filter(outbox::locked_until.is_null().or(outbox::locked_until.lt(now))),
                )
                .set((outbox::locked_until.eq(Some(until)), outbox::locked_by.eq(Some(&token))))
                .execute(c)?;
                if n == 1 {
                    claimed.push(outbox::table.find(id).select(OutboxRow::as_select()).first(c)?);
                }
            }
            Ok(claimed)
        })
    }

    fn message(&self, row: &OutboxRow) -> Result<Message, String> {
        let to: Mailbox = row
            .to_addr
            .parse()
            .map_err(|e| format!("bad recipient '{}': {e}", row.to_addr))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            // Stable per row: a resend after a crash is recognisable as the same mail.
            .message_id(Some(format!("<outbox-{}@{}>", row.id, self.domain)))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(row.body_text.clone()),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(row.body_html.clone()),
                    ),
            )
            .map_err(|e| format!("building message: {e}"))
    }

    fn deliver(&self, row: &OutboxRow) -> Outcome {
        let msg = match self.message(row) {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(e),
        };
        match self.transport.send(&msg) {
            Ok(_) => Outcome::Sent,
            Err(e) if e.is_permanent() => Outcome::Fail(e.to_string()),
            Err(e) => Outcome::Retry(e.to_string()),
        }
    }

    fn finish(&self, row: &OutboxRow, outcome: Outcome) -> AppResult<()> {
        let now = Utc::now().naive_utc();
        let attempts = row.attempts + 1;
        let mine = outbox::table
            .filter(outbox::id.eq(row.id))
            .filter(outbox::locked_by.eq(&self.token));
        let none: Option<NaiveDateTime> = None;
        self.db.write_blocking(|c| {
            match outcome {
                Outcome::Sent => diesel::update(mine)
                    .set((
                        outbox::status.eq("sent"),
                        outbox::sent_at.eq(Some(now)),
                        outbox::attempts.eq(attempts),
                        outbox::locked_until.eq(none),
                        outbox::last_error.eq(None::<String>),
                    ))
                    .execute(c)?,
                Outcome::Retry(e) if attempts < self.settings.max_attempts => {
                    let next = now + chrono::Duration::from_std(self.settings.delay(attempts)).unwrap_or_default();
                    tracing::warn!(id = %row.id, attempts, error = %e, "mail delivery failed; will retry");
                    diesel::update(mine)
                        .set((
                            outbox::attempts.eq(attempts),
                            outbox::next_attempt_at.eq(next),
                            outbox::locked_until.eq(none),
                            outbox::last_error.eq(Some(e)),
                        ))
                        .execute(c)?
                }
                Outcome::Retry(e) | Outcome::Fail(e) => {
                    tracing::error!(id = %row.id, attempts, error = %e, "mail delivery failed for good");
                    diesel::update(mine)
                        .set((
                            outbox::status.eq("failed"),
                            outbox::attempts.eq(attempts),
                            outbox::locked_until.eq(none),
                            outbox::last_error.eq(Some(e)),
                        ))
                        .execute(c)?
                }
            };
            Ok(())
        })
    }

    /// One pass: claim what is due, send it, record the outcome. Returns how many were sent.
    pub fn run_once(&self) -> AppResult<usize> {
        let mut sent = 0;
        for row in self.claim()? {
            let outcome = self.deliver(&row);
            if matches!(outcome, Outcome::Sent) {
                sent += 1;
            }
            self.finish(&row, outcome)?;
        }
        Ok(sent)
    }

    /// Polls until `stop` is set. Database errors are logged and retried on the next poll.
    pub fn run(&self, stop: &AtomicBool) {
        while !stop.load(Ordering::Relaxed) {
            match self.run_once() {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail worker pass failed"),
            }
            std::thread::sleep(self.settings.poll);
        }
    }
}

/// Starts the worker on its own thread (diesel and lettre block). Set the flag to stop it.
pub fn spawn_worker(db: Db, settings: WorkerSettings) -> AppResult<Arc<AtomicBool>> {
    let worker = Worker::new(db, settings)?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::Builder::new()
        .name("mail-worker".into())
        .spawn(move || worker.run(&flag))
        .map_err(|e| AppError::Internal(format!("mail worker thread: {e}")))?;
    Ok(stop)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARTS: [&str; 3] = ["subject", "text", "html"];

    #[test]
    fn every_template_renders_in_both_languages() {
        let m = Mail::new("http://x").unwrap();
        let order = json!({"title": "Kok", "occupation": "Kok", "company_name": "A/S", "request_id": "R1",
            "start_date": "2026-12-01", "vacancies": 1, "coordinator_name": "K", "task_description": "T",
            "primary_authority": {"name": "Brøndby"}});
        let data = json!({"recipient_name": "R", "order": order, "network": "HRS", "link": "http://x/o/1",
            "candidate_name": "C", "referred_by": "B", "referring_centre": "F", "approved": true,
            "candidate": {"name": "C", "email": "c@x.dk"}, "consultant_name": "K", "consultant_email": "k@x.dk",
            "consultant_centre": "Brøndby"});
        for kind in KINDS {
            for lang in LANGS {
                let r = m.render(kind, lang, &data).unwrap();
                assert!(
                    !r.subject.is_empty() && !r.text.is_empty() && r.html.contains("<body"),
                    "{kind}/{lang}"
                );
            }
        }
        assert_eq!(PARTS.len() * LANGS.len() * KINDS.len(), TEMPLATES.len());
    }

    #[test]
    fn html_is_escaped_text_is_not_and_subject_is_one_line() {
        let m = Mail::new("http://x").unwrap();
        let data = json!({"recipient_name": "<script>alert(1)</script>", "network": "HRS", "link": "l",
            "order": {"title": "A & B\r\nBcc: evil@x", "occupation": "o", "company_name": "c", "request_id": "r",
            "start_date": "d", "vacancies": 1, "coordinator_name": "k", "task_description": "t",
            "primary_authority": {"name": "n"}}});
        let r = m.render("order_shared", "da", &data).unwrap();
        assert!(r.html.contains("&lt;script&gt;") && !r.html.contains("<script>"));
        assert!(r.text.contains("<script>alert(1)</script>"));
        assert!(!r.subject.contains('\n') && !r.subject.contains('\r'));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let s = WorkerSettings {
            smtp: Config::from_env_with("x.db").smtp,
            poll: Duration::from_millis(1),
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            max_attempts: 5,
            lease: Duration::from_secs(1),
            batch: 1,
        };
        assert_eq!(s.delay(1), Duration::from_secs(2));
        assert_eq!(s.delay(3), Duration::from_secs(8));
        assert_eq!(s.delay(30), Duration::from_secs(60));
    }
}
