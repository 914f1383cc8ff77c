//! Delivery: claims due outbox rows, sends them over SMTP, retries with backoff.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{Config, SmtpConfig};
use crate::db::lease::{self, Lease};
use crate::db::schema::outbox;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::ids::OutboxId;
use crate::mail::attachments::{self, CvFile};
use crate::mail::OutboxRow;

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
        lease::backoff(self.backoff, self.max_backoff, attempts)
    }
}

pub struct Worker {
    db: Db,
    settings: WorkerSettings,
    transport: SmtpTransport,
    from: Mailbox,
    domain: String,
    /// Marks this worker's claims; a row is only finished by the worker that holds it.
    lease: Lease,
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

/// Why a candidate mail that promises the CV was not sent.
pub const CV_WITHDRAWN: &str =
    "the CV this mail says is attached is no longer shared (consent revoked, CV deleted or candidate erased): not sent";

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
            lease: Lease::new(settings.lease),
            db,
            settings,
            from,
            domain,
        })
    }

    /// Claims due rows (`lease_claim!`: of two workers exactly one wins a row).
    fn claim(&self) -> AppResult<Vec<OutboxRow>> {
        let now = Utc::now().naive_utc();
        let batch = self.settings.batch;
        let ids = self.db.read_blocking(|c| {
            Ok(outbox::table
                .filter(crate::lease_due!(outbox, now))
                .order(outbox::id)
                .limit(batch)
                .select(outbox::id)
                .load::<OutboxId>(c)?)
        })?;
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.db.write_blocking(|c| {
            let won = crate::lease_claim!(c, outbox, ids, &self.lease, now);
            Ok(outbox::table
                .filter(outbox::id.eq_any(won))
                .order(outbox::id)
                .select(OutboxRow::as_select())
                .load(c)?)
        })
    }

    fn message(&self, row: &OutboxRow, cv: Option<CvFile>) -> Result<Message, String> {
        let to: Mailbox = row
            .to_addr
            .parse()
            .map_err(|e| format!("bad recipient '{}': {e}", row.to_addr))?;
        let mut b = Message::builder().from(self.from.clone()).to(to);
        if let Some(r) = &row.reply_to {
            b = b.reply_to(r.parse().map_err(|e| format!("bad reply-to '{r}': {e}"))?);
        }
        if let Some(url) = &row.list_unsubscribe {
            // RFC 8058: the URL, and that a POST to it unsubscribes in one click.
            b = b
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let text = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(row.body_text.clone()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(row.body_html.clone()),
            );
        let body = match cv {
            None => text,
            Some(cv) => {
                let ct = ContentType::parse(&cv.content_type).map_err(|e| format!("CV type: {e}"))?;
                MultiPart::mixed()
                    .multipart(text)
                    .singlepart(Attachment::new(cv.file_name).body(cv.body, ct))
            }
        };
        b.subject(row.subject.clone())
            // Stable per row: a resend after a crash is recognisable as the same mail.
            .message_id(Some(format!("<outbox-{}@{}>", row.id, self.domain)))
            .multipart(body)
            .map_err(|e| format!("building message: {e}"))
    }

    fn deliver(&self, row: &OutboxRow) -> Outcome {
        // Read now, not when the mail was written: a consent revoked meanwhile keeps the CV back.
        // The row names a referral only when its text says the CV is attached (decided when it
        // was written, by the same rule), so a CV no longer shared stops the mail rather than
        // letting it say something untrue; an administrator may retry it once consent is back.
        let cv = match row.cv_referral_id {
            None => None,
            Some(r) => match self.db.read_blocking(|c| attachments::cv_for_referral(c, r)) {
                Ok(Some(cv)) => Some(cv),
                Ok(None) => return Outcome::Fail(CV_WITHDRAWN.into()),
                Err(e) => return Outcome::Retry(format!("reading the CV: {e}")),
            },
        };
        let msg = match self.message(row, cv) {
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
            .filter(outbox::locked_by.eq(&self.lease.token));
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
        lease::poll_until(stop, self.settings.poll, "mail", || self.run_once());
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
