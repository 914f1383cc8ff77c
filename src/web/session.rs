//! What a page request carries: the logged-in session, the form body and its CSRF check.

use std::collections::HashMap;
use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::actor::AuthUser;
use crate::error::AppError;
use crate::web::auth::{session_of, token_from_request};
use crate::web::csrf;
use crate::web::flash::Flash;
use crate::web::respond::{bare_error, lang_of, link, param, query_pairs, see_other, FLASH_COOKIE, HOME};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// What every page needs of the request: the user, the language, the pending message.
pub struct Session {
    pub user: AuthUser,
    pub(crate) token: String,
    /// The session row's id (logout ends it).
    pub(crate) sid: String,
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
        let (user, sid) = match session_of(req) {
            Ok(v) => v,
            Err(AppError::Unavailable(_)) => {
                let page = bare_error(req, StatusCode::SERVICE_UNAVAILABLE, "error_title", "error_text");
                return ready(Err(InternalError::from_response("session check failed", page).into()));
            }
            Err(_) => {
                return ready(Err(
                    InternalError::from_response("login required", login_redirect(req)).into()
                ))
            }
        };
        let Some(token) = token_from_request(req) else {
            return ready(Err(
                InternalError::from_response("login required", login_redirect(req)).into()
            ));
        };
        let (lang, lang_from_query) = lang_of(req, Some(&user.language));
        ready(Ok(Session {
            flash: req.cookie(FLASH_COOKIE).and_then(|c| Flash::decode(c.value())),
            user,
            token,
            sid,
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
            let valid = token_from_request(&req)
                .is_some_and(|session| csrf::verify(&state.config.jwt_secret, &session, form.get(csrf::FIELD)));
            if !valid {
                return Err(fail(StatusCode::FORBIDDEN, "forbidden_title", "csrf_failed"));
            }
            Ok(CsrfForm(form))
        })
    }
}

/// A positive id from a path or form value; anything else names nothing.
pub(crate) fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}
