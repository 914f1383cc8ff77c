//! The logged-in user as an extractor, from `Authorization: Bearer` or the session cookie.
//! Every handler that takes `AuthUser` knows the user's job centre: tenancy hangs on it.
//! A token counts only while its session row is live: `check_session` looks it up once per
//! request (one primary-key lookup).

use std::future::{ready, Ready};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use crate::domain::actor::AuthUser;
use crate::domain::{accounts, login_throttle, sessions, users};
use crate::error::{AppError, AppResult};
use crate::web::state::AppState;

pub const SESSION_COOKIE: &str = "staer_session";

pub fn token_from_request(req: &HttpRequest) -> Option<String> {
    if let Some(h) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let h = h.to_str().ok()?;
        let (scheme, token) = h.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string());
    }
    // The session cookie rides along on any request a browser makes, even one another site
    // triggers. The pages' forms carry a CSRF token; the JSON API has none, so an API call
    // that changes something must present the token itself, in the header.
    if req.path().starts_with("/api/") && !req.method().is_safe() {
        return None;
    }
    req.cookie(SESSION_COOKIE).map(|c| c.value().to_string())
}

/// The user and session id of a token whose signature, expiry and session row all check out.
/// A revoked or expired session, or a disabled or deleted user, is 401.
pub async fn authenticate(state: &AppState, token: &str) -> AppResult<(AuthUser, String)> {
    let (user, sid) = state.jwt.verify(token)?;
    let (id, s) = (user.id, sid.clone());
    state.db.read(move |c| sessions::check(c, &s, id)).await?;
    Ok((user, sid))
}

/// What `check_session` found out about the request's token, for the extractors.
#[derive(Clone)]
pub(crate) enum SessionCheck {
    Live(AuthUser, String),
    Refused(String),
    Unavailable(String),
}

/// Middleware: checks the request's token and its session row once, before any extractor
/// runs, so that a request with an ended session is 401 whatever else is wrong with it (the
/// extractors of a handler run side by side; an async check inside one would race the body's).
pub async fn check_session(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    // The stylesheet needs no session; every other request with a token gets one lookup.
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let token = token_from_request(req.request()).filter(|_| !req.path().starts_with("/static/"));
    if let (Some(state), Some(token)) = (state, token) {
        let check = match authenticate(&state, &token).await {
            Ok((user, sid)) => SessionCheck::Live(user, sid),
            Err(AppError::Unauthorized(m)) => SessionCheck::Refused(m),
            Err(e) => SessionCheck::Unavailable(e.to_string()),
        };
        req.extensions_mut().insert(check);
    }
    next.call(req).await
}

/// The user and session id that `check_session` found live for this request.
pub(crate) fn session_of(req: &HttpRequest) -> AppResult<(AuthUser, String)> {
    match req.extensions().get::<SessionCheck>() {
        Some(SessionCheck::Live(user, sid)) => Ok((user.clone(), sid.clone())),
        Some(SessionCheck::Refused(m)) => Err(AppError::Unauthorized(m.clone())),
        Some(SessionCheck::Unavailable(m)) => Err(AppError::Unavailable(m.clone())),
        None => Err(AppError::Unauthorized("authentication required".into())),
    }
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(session_of(req).map(|(user, _)| user))
    }
}

/// The client's address for throttling: the TCP peer, or the proxy's `Forwarded` /
/// `X-Forwarded-For` value only when the operator says a proxy sets it.
pub fn client_addr(req: &HttpRequest, trust_forwarded: bool) -> Option<String> {
    if trust_forwarded {
        if let Some(a) = req.connection_info().realip_remote_addr() {
            return Some(a.to_string());
        }
    }
    req.peer_addr().map(|a| a.ip().to_string())
}

/// Login for the API and the login page: refused with 429 while the username or the client
/// address is locked; a failure counts against both, a success clears both and opens a
/// session. Returns the token.
pub async fn log_in(state: &AppState, req: &HttpRequest, username: &str, password: String) -> AppResult<String> {
    let keys = login_throttle::keys(username, client_addr(req, state.config.trust_forwarded).as_deref());
    let k = keys.clone();
    state.db.read(move |c| login_throttle::check(c, &k)).await?;
    let name = username.to_string();
    match state.db.read(move |c| users::authenticate(c, &name, &password)).await {
        Ok(user) => {
            let (user, ttl) = (user.auth(), state.jwt.ttl_hours());
            let u = user.clone();
            let sid = state
                .db
                .write(move |c| {
                    login_throttle::reset(c, &keys)?;
                    sessions::create(c, &u, ttl)
                })
                .await?;
            state.jwt.issue(&user, &sid)
        }
        Err(AppError::Unauthorized(m)) => {
            let base = state.config.login_base_delay_ms;
            state
                .db
                .write(move |c| login_throttle::record_failure(c, &keys, base))
                .await?;
            Err(AppError::Unauthorized(m))
        }
        Err(e) => Err(e),
    }
}

/// A user changes their own password, from the API and the account page. The current
/// password is checked like a login (a wrong one counts against the account's and the
/// address's throttle, so a borrowed session can't guess it); the new one is hashed off the
/// async threads; every other session of the user ends and `sid`'s carries on: the person
/// at this screen just proved who they are, another device may not be theirs. Returns how
/// many sessions ended.
pub async fn change_own_password(
    state: &AppState,
    req: &HttpRequest,
    user: &AuthUser,
    sid: String,
    current: String,
    new: String,
) -> AppResult<usize> {
    accounts::check_password(&new)?;
    let keys = login_throttle::keys(
        &user.username,
        client_addr(req, state.config.trust_forwarded).as_deref(),
    );
    let k = keys.clone();
    state.db.read(move |c| login_throttle::check(c, &k)).await?;
    let u = user.clone();
    let old = match state.db.read(move |c| accounts::verify_own(c, &u, &current)).await {
        Ok(hash) => hash,
        Err(e @ AppError::Validation { .. }) => {
            let base = state.config.login_base_delay_ms;
            state
                .db
                .write(move |c| login_throttle::record_failure(c, &keys, base))
                .await?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let hash = web::block(move || accounts::hash_new_password(&new)).await??;
    let u = user.clone();
    state
        .db
        .write(move |c| {
            login_throttle::reset(c, &keys)?;
            accounts::change_own(c, &u, &sid, &old, &hash)
        })
        .await
}
