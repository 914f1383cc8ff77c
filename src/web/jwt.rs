//! Session tokens: JWTs signed with HS256 that carry the user, their centre and role, and the
//! id of their session row (`domain::sessions`), which the server checks on every request.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::actor::{AuthUser, Role};
use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};

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
    /// The session id: a token without one (issued before sessions existed) is refused.
    pub sid: String,
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

    pub fn ttl_hours(&self) -> i64 {
        self.ttl_hours
    }

    /// A token for session `sid` (from `sessions::create`).
    pub fn issue(&self, user: &AuthUser, sid: &str) -> AppResult<String> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user.id.0,
            cen: user.job_centre_id.0,
            name: user.username.clone(),
            role: user.role,
            lang: user.language.clone(),
            iat: now,
            exp: now + self.ttl_hours * 3600,
            sid: sid.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.enc)
            .map_err(|e| AppError::Internal(format!("jwt encode: {e}")))
    }

    /// The user and session id of a well-signed, unexpired token; whether the session is
    /// still live is `sessions::check`'s question. Only HS256 is accepted: `none` and
    /// algorithm-confusion tokens fail here.
    pub fn verify(&self, token: &str) -> AppResult<(AuthUser, String)> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        let data = decode::<Claims>(token, &self.dec, &v)
            .map_err(|e| AppError::Unauthorized(format!("invalid token: {e}")))?;
        let c = data.claims;
        let user = AuthUser {
            id: UserId(c.sub),
            job_centre_id: JobCentreId(c.cen),
            username: c.name,
            role: c.role,
            language: c.lang,
        };
        Ok((user, c.sid))
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
        let t = keys.issue(&user(), "abc").unwrap();
        let (u, sid) = keys.verify(&t).unwrap();
        assert_eq!(sid, "abc");
        assert_eq!(u.id, UserId(7));
        assert_eq!(u.job_centre_id, JobCentreId(3));
    }

    #[test]
    fn forged_and_none_tokens_fail() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef", 1);
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 1);
        let t = other.issue(&user(), "abc").unwrap();
        assert!(keys.verify(&t).is_err());
        // alg: none with the same claims
        let parts: Vec<&str> = t.split('.').collect();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.", parts[1]);
        assert!(keys.verify(&none).is_err());
    }
}
