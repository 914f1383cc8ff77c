//! Who is acting: the logged-in user with their job centre (the tenant) and role. Every
//! domain function takes one; the web layer builds it from the session token.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};
use crate::ids::{JobCentreId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Consultant,
    Admin,
}
impl Role {
    pub fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Consultant
        }
    }
}
/// The logged-in user, taken from `Authorization: Bearer` or the session cookie.
#[derive(Debug, Clone, Serialize)]
pub struct AuthUser {
    pub id: UserId,
    pub job_centre_id: JobCentreId,
    pub username: String,
    pub role: Role,
    pub language: String,
}
impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
impl AuthUser {
    /// Administrators manage centres, networks, users and the outbox; nobody else may.
    pub fn require_admin(&self, what: &str) -> AppResult<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("only an administrator may {what}")))
        }
    }
}
