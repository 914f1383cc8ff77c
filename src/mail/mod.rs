//! Email: rendered from handlebars templates (templates/mail/<kind>/<lang>.{subject,text,html}.hbs)
//! into an outbox row in the same transaction as the change that causes it, and delivered
//! by a worker over SMTP with retries. A rolled-back change sends nothing; a committed one
//! is sent until the server accepts it, once per row.

pub mod attachments;
pub mod links;
pub mod outbox;
pub mod worker;

pub use outbox::{enqueue, enqueue_about, enqueue_with, Headers, OutboxRow, Outgoing};
pub use worker::{spawn_worker, Worker, WorkerSettings};

use handlebars::Handlebars;
use serde_json::Value;

use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;

pub const KINDS: [&str; 13] = [
    "order_shared",
    "awaiting_approval",
    "referral_decided",
    "candidate_to_employer",
    "job_agent_digest",
    "order_closed",
    "retention_warning",
    "portal_failed",
    "referral_sent",
    "referral_withdrawn",
    "referral_outcome",
    "order_filled",
    "job_suggestion",
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
    "job_agent_digest",
    "order_closed",
    "retention_warning",
    "portal_failed",
    "referral_sent",
    "referral_withdrawn",
    "referral_outcome",
    "order_filled",
    "job_suggestion"
);

/// Renders mails. Registered once at start-up: two registries, because the HTML parts
/// escape every interpolated value and the plain-text parts must not.
pub struct Mail {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
    public_url: String,
    links: links::LinkKey,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

// The pages' formats, in mails too: Danish dates as dd-mm-yyyy, distances in whole km.
// A missing value renders as nothing, like a plain `{{x}}` would.
handlebars::handlebars_helper!(dk_date: |d: Json| {
    let d = d.as_str().unwrap_or_default();
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_or_else(|_| d.to_string(), |d| d.format("%d-%m-%Y").to_string())
});
handlebars::handlebars_helper!(km: |d: Json| d.as_f64().map(|d| format!("{d:.0}")).unwrap_or_default());

impl Mail {
    pub fn new(public_url: &str) -> AppResult<Mail> {
        let mut html = Handlebars::new();
        let mut text = Handlebars::new();
        html.set_strict_mode(true);
        text.set_strict_mode(false);
        text.register_escape_fn(handlebars::no_escape);
        for reg in [&mut html, &mut text] {
            reg.register_helper("dk_date", Box::new(dk_date));
            reg.register_helper("km", Box::new(km));
        }
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
            links: links::LinkKey::random(),
        })
    }

    /// Signs public order links with the server's secret, so every instance and every
    /// restart accepts them (without it, a key for this process only).
    pub fn with_link_secret(mut self, secret: &[u8]) -> Mail {
        self.links = links::LinkKey::new(secret);
        self
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.public_url, path)
    }

    /// The public view of an order for a citizen's job agent, valid for `ORDER_LINK_DAYS`.
    pub fn public_order_link(&self, order: JobOrderId, agent: i64, now: chrono::NaiveDateTime) -> String {
        let expires = (now + chrono::Duration::days(links::ORDER_LINK_DAYS))
            .and_utc()
            .timestamp();
        self.link(&format!(
            "/o/{}",
            self.links.sign(links::OrderLink { order, agent, expires })
        ))
    }

    /// What a public order link's token names, if this server signed it and it is not expired.
    pub fn verify_order_link(
        &self,
        token: &str,
        now: chrono::NaiveDateTime,
    ) -> Result<links::OrderLink, links::LinkError> {
        self.links.verify(token, now.and_utc().timestamp())
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PARTS: [&str; 3] = ["subject", "text", "html"];

    #[test]
    fn danish_mails_write_dates_and_distances_as_the_pages_do() {
        let m = Mail::new("http://x").unwrap();
        let order = json!({"title": "Kok", "start_date": "2026-12-01", "end_date": "2027-01-31"});
        let r = m
            .render(
                "order_shared",
                "da",
                &json!({"order": order, "network": "HRS", "link": "l"}),
            )
            .unwrap();
        assert!(r.text.contains("Start: 01-12-2026, slut: 31-01-2027"), "{}", r.text);
        let digest =
            json!({"orders": [{"title": "Kok", "start_date": "2026-12-01", "distance_km": 8.04}], "link": "l"});
        let r = m.render("job_agent_digest", "da", &digest).unwrap();
        assert!(
            r.text.contains("start 01-12-2026") && r.text.contains(", 8 km"),
            "{}",
            r.text
        );
        let r = m.render("job_agent_digest", "en", &digest).unwrap();
        assert!(
            r.text.contains("start 2026-12-01") && r.text.contains(", 8 km"),
            "{}",
            r.text
        );
    }

    #[test]
    fn every_template_renders_in_both_languages() {
        let m = Mail::new("http://x").unwrap();
        let order = json!({"title": "Kok", "occupation": "Kok", "company_name": "A/S", "request_id": "R1",
            "start_date": "2026-12-01", "vacancies": 1, "coordinator_name": "K", "task_description": "T",
            "primary_authority": {"name": "Brøndby"}});
        let data = json!({"recipient_name": "R", "order": order, "network": "HRS", "link": "http://x/o/1",
            "candidate_name": "C", "referred_by": "B", "referring_centre": "F", "approved": true,
            "candidate": {"name": "C", "email": "c@x.dk"}, "consultant_name": "K", "consultant_email": "k@x.dk",
            "consultant_centre": "Brøndby", "consultant": {"name": "K", "email": "k@x.dk", "centre": "Brøndby"}, "candidates": ["C", "D"], "count": 2, "reason": "Besat", "erase_on": "2030-01-01",
            "kind": "create", "attempts": 8, "error": "HTTP 503", "employer_link": "http://x/employer/t",
            "link_days": 60, "outcome": "hired", "hired": 2, "vacancies": 2, "comment": "Starter mandag"});
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
}
