//! Session tokens (JWT) and the logged-in user as an extractor. Every handler that takes
//! `AuthUser` knows the user's job centre, which is what tenancy hangs on.

use std::future::{ready, Ready};

use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::actor::{AuthUser, Role};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};
use crate::web::state::AppState;

pub const SESSION_COOKIE: &str = "staer_session";

/// Claims of our JWTs. `cen` is the tenant; it is signed, so it can be trusted per request.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: i64,
    pub cen: i64,
    pub name: String,
    pub role: Role,
    pub lang: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    enc: EncodingKey,
    dec: DecodingKey,
    ttl_hours: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_hours: i64) -> JwtKeys {
        JwtKeys {
            enc: EncodingKey::from_secret(secret),
            dec: DecodingKey::from_secret(secret),
            ttl_hours,
        }
    }

    pub fn issue(&self, user: &AuthUser) -> AppResult<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.0,
            cen: user.job_centre_id.0,
            name: user.username.clone(),
            role: user.role,
            lang: user.language.clone(),
            iat: now,
            exp: now + self.ttl_hours * 3600,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.enc)
            .map_err(|e| AppError::Internal(format!("jwt encode: {e}")))
    }

    /// Only HS256 is accepted: `none` and algorithm-confusion tokens fail here.
    pub fn verify(&self, token: &str) -> AppResult<AuthUser> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        let data = decode::<Claims>(token, &self.dec, &v)
            .map_err(|e| AppError::Unauthorized(format!("invalid token: {e}")))?;
        let c = data.claims;
        Ok(AuthUser {
            id: UserId(c.sub),
            job_centre_id: JobCentreId(c.cen),
            username: c.name,
            role: c.role,
            language: c.lang,
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> AuthUser {
        AuthUser {
            id: UserId(7),
            job_centre_id: JobCentreId(3),
            username: "x".into(),
            role: Role::Consultant,
            language: "da".into(),
        }
    }

    #[test]
    fn token_round_trip() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let t = keys.issue(&user()).unwrap();
        let u = keys.verify(&t).unwrap();
        assert_eq!(u.id, UserId(7));
        assert_eq!(u.job_centre_id, JobCentreId(3));
    }

    #[test]
    fn forged_and_none_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 1);
        let t = other.issue(&user()).unwrap();
        assert!(keys.verify(&t).is_err());
        // alg: none with the same claims
        let parts: Vec<&str> = t.split('.').collect();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert!(keys.verify(&none).is_err());
    }
}
