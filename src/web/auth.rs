//! The logged-in user as an extractor, from `Authorization: Bearer` or the session cookie.
//! Every handler that takes `AuthUser` knows the user's job centre: tenancy hangs on it.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::domain::actor::AuthUser;
use crate::error::AppError;
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

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(AppError::Internal("app state missing".into())));
        };
        ready(match token_from_request(req) {
            Some(t) => state.jwt.verify(&t),
            None => Err(AppError::Unauthorized("authentication required".into())),
        })
    }
}
