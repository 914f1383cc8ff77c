//! What a page request carries: the logged-in session, the one-time message, the form body
//! and its CSRF check.

use std::collections::HashMap;
use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{dev::Payload, error::InternalError, web, FromRequest, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::actor::AuthUser;
use crate::web::auth;
use crate::web::csrf;
use crate::web::render::{base_context, html, link, merge, parse_id, see_other, Lang, FLASH_COOKIE, HOME, LANG_COOKIE};
use crate::web::state::AppState;

// ---- request context -----------------------------------------------------------------

/// A message shown once on the next page (after a redirect), kept in a short-lived cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flash {
    pub(crate) ok: bool,
    pub(crate) text: String,
}

impl Flash {
    pub(crate) fn ok(text: impl Into<String>) -> Flash {
        Flash {
            ok: true,
            text: text.into(),
        }
    }

    pub(crate) fn error(text: impl Into<String>) -> Flash {
        Flash {
            ok: false,
            text: text.into(),
        }
    }

    /// Cookie-safe: a kind letter and the text's UTF-8 bytes in hex.
    pub(crate) fn encode(&self) -> String {
        let hex: String = self.text.bytes().take(1500).map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", if self.ok { 'o' } else { 'e' })
    }

    pub(crate) fn decode(s: &str) -> Option<Flash> {
        let ok = match s.get(..1)? {
            "o" => true,
            "e" => false,
            _ => return None,
        };
        let hex = &s[1..];
        if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect();
        Some(Flash {
            ok,
            text: String::from_utf8(bytes?).ok()?,
        })
    }

    pub(crate) fn json(&self) -> Value {
        json!({ "kind": if self.ok { "ok" } else { "error" }, "text": self.text })
    }
}

pub(crate) fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The page's language: `?lang=` (remembered in a cookie), the cookie, the user's own, Danish.
pub(crate) fn lang_of(req: &HttpRequest, user_lang: Option<&str>) -> (Lang, bool) {
    let pairs = query_pairs(req);
    if let Some(l) = param(&pairs, "lang").and_then(Lang::parse) {
        return (l, true);
    }
    let l = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| user_lang.and_then(Lang::parse))
        .unwrap_or(Lang::Da);
    (l, false)
}

/// What every page needs of the request: the user, the language, the pending message.
pub struct Session {
    pub user: AuthUser,
    pub(crate) token: String,
    pub lang: Lang,
    pub(crate) lang_from_query: bool,
    pub(crate) flash: Option<Flash>,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
}

impl Session {
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        param(&self.query, name)
    }

    pub(crate) fn csrf(&self, state: &AppState) -> String {
        csrf::token(&state.config.jwt_secret, &self.token)
    }
}

pub(crate) fn login_redirect(req: &HttpRequest) -> HttpResponse {
    // Back to the page asked for after login; a form POST goes home instead.
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri().path_and_query().map_or(HOME, |p| p.as_str()).to_string()
    } else {
        HOME.to_string()
    };
    see_other(&link("/login", &[("next", next)]))
}

impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(actix_web::error::ErrorInternalServerError("app state missing")));
        };
        let verified = auth::token_from_request(req).and_then(|t| state.jwt.verify(&t).ok().map(|u| (t, u)));
        let Some((token, user)) = verified else {
            return ready(Err(
                InternalError::from_response("login required", login_redirect(req)).into()
            ));
        };
        let (lang, lang_from_query) = lang_of(req, Some(&user.language));
        ready(Ok(Session {
            flash: req.cookie(FLASH_COOKIE).and_then(|c| Flash::decode(c.value())),
            user,
            token,
            lang,
            lang_from_query,
            path: req.path().to_string(),
            query: query_pairs(req),
        }))
    }
}

/// A url-encoded form body.
pub struct Form(HashMap<String, String>);

impl Form {
    pub(crate) fn parse(body: &[u8]) -> Option<Form> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Some(Form(map))
    }

    pub(crate) fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// A one-line field, trimmed; empty is `None`.
    pub(crate) fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|s| !s.is_empty())
    }

    /// A multi-line field as typed, with the browser's CRLF made LF.
    pub(crate) fn text(&self, name: &str) -> String {
        self.get(name).replace("\r\n", "\n")
    }

    pub(crate) fn checked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub(crate) fn values(&self) -> Value {
        json!(self.0)
    }

    /// The ids of the ticked checkboxes named `{prefix}{id}`.
    pub(crate) fn ticked(&self, prefix: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .filter_map(parse_id)
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// An error page from outside a handler (extractors), without the user's header.
pub(crate) fn bare_error(req: &HttpRequest, status: StatusCode, title_key: &str, text_key: &str) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return HttpResponse::build(status).finish();
    };
    let (lang, _) = lang_of(req, None);
    let p = &state.pages;
    let ctx = json!({
        "heading": p.t(lang, title_key),
        "text": p.t(lang, text_key),
    });
    let mut data = base_context(state, lang, req.path(), &query_pairs(req), None, p.t(lang, title_key));
    merge(&mut data, ctx);
    html(state, status, "error", data)
}

/// A form POST of a logged-in session whose CSRF token checks out; otherwise a 403 page.
pub struct CsrfForm(pub Form);

impl FromRequest for CsrfForm {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let fail = |status, title, text| -> actix_web::Error {
                InternalError::from_response("form refused", bare_error(&req, status, title, text)).into()
            };
            let body = body
                .await
                .map_err(|_| fail(StatusCode::PAYLOAD_TOO_LARGE, "error_title", "too_large"))?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("app state missing"))?;
            let form = Form::parse(&body).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "error_title", "csrf_failed"))?;
            let valid = auth::token_from_request(&req)
                .is_some_and(|session| csrf::verify(&state.config.jwt_secret, &session, form.get(csrf::FIELD)));
            if !valid {
                return Err(fail(StatusCode::FORBIDDEN, "forbidden_title", "csrf_failed"));
            }
            Ok(CsrfForm(form))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_round_trip() {
        let f = Flash::error("Kan ikke udføres: \"x\" ; <b>");
        assert_eq!(Flash::decode(&f.encode()), Some(f.clone()));
        assert!(f.encode().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(Flash::decode("xzz"), None);
        assert_eq!(Flash::decode("o1"), None);
    }
}
