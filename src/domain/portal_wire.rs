//! The portal's wire format: the ad we send (shared fields only), the signature on every
//! body in both directions, what the portal answers, and what its callback says.

use chrono::NaiveDate;
use ring::hmac;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::order::SharedOrder;
use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;

/// The header that carries `sha256=<hex HMAC-SHA256 of the body>`.
pub const SIGNATURE_HEADER: &str = "X-Staer-Signature";
/// Longest portal message kept (a reason, an error).
pub const MAX_MESSAGE: usize = 500;
/// Longest portal id accepted; it goes into a URL path, so only `[A-Za-z0-9._-]`.
const MAX_PORTAL_ID: usize = 100;

/// The ad as the portal receives it. Built from `SharedOrder`, the projection every other
/// centre gets: it has no private texts (qualifications and pay, working hours, the
/// employer's e-mail) to leak.
#[derive(Debug, Serialize)]
pub struct PortalAd<'a> {
    pub order_id: JobOrderId,
    pub request_id: &'a str,
    pub title: &'a str,
    pub occupation: &'a str,
    pub occupation_code: Option<&'a str>,
    pub company_name: &'a str,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub vacancies: i32,
    #[serde(rename = "type")]
    pub order_type: &'a str,
    pub task_description: &'a str,
    pub requires_driving_licence: bool,
    pub job_centre: &'a str,
    pub job_centre_number: &'a str,
}

/// The body of a create or an update.
pub fn ad_body(o: &SharedOrder) -> String {
    let ad = PortalAd {
        order_id: o.id,
        request_id: &o.request_id,
        title: &o.title,
        occupation: &o.occupation,
        occupation_code: o.occupation_code.as_deref(),
        company_name: &o.company_name,
        start_date: o.start_date,
        end_date: o.end_date,
        vacancies: o.vacancies,
        order_type: &o.order_type,
        task_description: &o.task_description,
        requires_driving_licence: o.requires_driving_licence,
        job_centre: &o.primary_authority.name,
        job_centre_number: &o.primary_authority.authority_number,
    };
    serde_json::to_string(&ad).unwrap_or_default()
}

/// The body of a withdrawal: which order, nothing else.
pub fn withdraw_body(id: JobOrderId, request_id: &str) -> String {
    serde_json::json!({ "order_id": id, "request_id": request_id, "reason": "closed" }).to_string()
}

fn key(secret: &[u8]) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret)
}

/// The signature header's value for `body`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let tag = hmac::sign(&key(secret), body);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Checks a signature header against `body` in constant time (`ring::hmac::verify`).
/// Missing, malformed, wrong, or no secret configured: 401.
pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8]) -> AppResult<()> {
    let refused = || AppError::Unauthorized("invalid portal signature".into());
    if secret.is_empty() {
        return Err(refused());
    }
    let tag = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .and_then(unhex)
        .ok_or_else(refused)?;
    hmac::verify(&key(secret), body, &tag).map_err(|_| refused())
}

/// A portal message as kept: trimmed, one line, bounded.
pub fn clean_message(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(MAX_MESSAGE).collect()
}

/// A portal id we can put into a URL path, or none.
pub fn valid_portal_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_PORTAL_ID
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// What a call to the portal came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 2xx: the portal's id of the ad (a create must carry one), whether it is online now,
    /// and its message.
    Accepted {
        portal_id: Option<String>,
        online: bool,
        message: Option<String>,
    },
    /// 4xx: the portal refuses this transfer; its reason.
    Rejected(String),
    /// No answer, 5xx, 408 or 429: try again later.
    Retry(String),
}

fn text_field(v: &Value, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| v.get(*n).and_then(Value::as_str))
        .map(clean_message)
        .filter(|s| !s.is_empty())
}

/// Reads the portal's answer to a call: its HTTP status and body.
pub fn read_answer(status: u16, body: &str) -> Answer {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let message = text_field(&json, &["message", "reason", "error"]);
    match status {
        200..=299 => {
            let portal_id = match json.get("portal_id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            if portal_id.as_deref().is_some_and(|p| !valid_portal_id(p)) {
                return Answer::Retry("the portal answered with an unusable portal_id".into());
            }
            let online = json.get("status").and_then(Value::as_str) == Some("online");
            Answer::Accepted {
                portal_id,
                online,
                message,
            }
        }
        408 | 429 => Answer::Retry(format!("HTTP {status}")),
        400..=499 => {
            let reason = message
                .or_else(|| Some(clean_message(body)).filter(|s| !s.is_empty()))
                .unwrap_or_else(|| format!("HTTP {status}"));
            Answer::Rejected(reason)
        }
        _ => Answer::Retry(message.map_or_else(|| format!("HTTP {status}"), |m| format!("HTTP {status}: {m}"))),
    }
}

/// What the portal tells us on `POST /api/v1/portal/callback`. It names the ad by the
/// portal's id or the order by ours (the `order_id` of the ad we sent).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Callback {
    pub portal_id: Option<String>,
    pub order_id: Option<JobOrderId>,
    /// `online`, `rejected` or `archived` (`withdrawn` and `deleted` mean archived).
    pub status: String,
    pub message: Option<String>,
}

impl Callback {
    /// Parses and checks a callback body: 400 when it is not one.
    pub fn parse(body: &[u8]) -> AppResult<Callback> {
        let mut c: Callback = serde_json::from_slice(body)
            .map_err(|e| AppError::BadRequest(format!("malformed portal callback: {e}")))?;
        if c.portal_id.is_none() && c.order_id.is_none() {
            return Err(AppError::BadRequest(
                "a portal callback must name portal_id or order_id".into(),
            ));
        }
        c.status = match c.status.as_str() {
            "online" | "rejected" | "archived" => c.status,
            "withdrawn" | "deleted" => "archived".into(),
            other => {
                return Err(AppError::BadRequest(format!(
                    "unknown portal status '{other}': expected online, rejected or archived"
                )))
            }
        };
        c.message = c.message.as_deref().map(clean_message).filter(|m| !m.is_empty());
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_forgeries_do_not() {
        let body = br#"{"portal_id":"P-1","status":"online"}"#;
        let sig = sign(b"s3cret", body);
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        assert!(verify(b"s3cret", Some(&sig), body).is_ok());
        assert!(verify(b"other", Some(&sig), body).is_err());
        assert!(verify(b"s3cret", Some(&sig), b"{}").is_err());
        assert!(verify(b"s3cret", None, body).is_err());
        assert!(verify(b"s3cret", Some("sha256=zz"), body).is_err());
        assert!(
            verify(b"", Some(&sign(b"", body)), body).is_err(),
            "no secret, no trust"
        );
    }

    #[test]
    fn answers_are_read_by_status() {
        assert_eq!(
            read_answer(201, r#"{"portal_id":"P-7","status":"online"}"#),
            Answer::Accepted {
                portal_id: Some("P-7".into()),
                online: true,
                message: None
            }
        );
        assert_eq!(
            read_answer(422, r#"{"reason":"Titlen er  ikke\n tilladt"}"#),
            Answer::Rejected("Titlen er ikke tilladt".into())
        );
        assert_eq!(read_answer(400, ""), Answer::Rejected("HTTP 400".into()));
        assert!(matches!(read_answer(503, "down"), Answer::Retry(_)));
        assert!(matches!(read_answer(429, ""), Answer::Retry(_)));
        assert!(matches!(read_answer(200, r#"{"portal_id":"../x"}"#), Answer::Retry(_)));
    }

    #[test]
    fn callbacks_are_checked() {
        let c = Callback::parse(br#"{"portal_id":"P-1","status":"withdrawn","extra":1}"#).unwrap();
        assert_eq!(c.status, "archived");
        assert!(Callback::parse(br#"{"status":"online"}"#).is_err());
        assert!(Callback::parse(br#"{"portal_id":"P-1","status":"sold"}"#).is_err());
        assert!(Callback::parse(b"not json").is_err());
    }
}
