//! One error type for the whole service, mapped to HTTP in one place.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    /// It existed, and is no more for this caller: an expired or revoked link, or a CV whose
    /// sharing consent was revoked.
    #[error("{0}")]
    Gone(String),
    #[error("invalid value for field '{field}': {message}")]
    Validation { field: String, message: String },
    #[error("a candidate of the job centre has the same {matched_on} (candidate {duplicate_of}); send allow_duplicate: true to create anyway")]
    Duplicate { duplicate_of: i64, matched_on: String },
    #[error("request body too large")]
    PayloadTooLarge,
    /// Too many failed logins: the client may try again after this many seconds.
    #[error("too many failed logins; try again in {0} s")]
    TooManyRequests(u64),
    #[error("service temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The HTTP status this error answers with, for callers that report errors per item.
    pub fn http_status(&self) -> u16 {
        self.status_code().as_u16()
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// What the error body's `detail` says beyond the message: the field, or the duplicate.
    pub fn detail(&self) -> Option<ErrorDetail> {
        match self {
            AppError::Validation { field, message } => Some(ErrorDetail::Field {
                field: field.clone(),
                message: message.clone(),
            }),
            AppError::Duplicate {
                duplicate_of,
                matched_on,
            } => Some(ErrorDetail::Duplicate {
                duplicate_of: *duplicate_of,
                matched_on: matched_on.clone(),
            }),
            _ => None,
        }
    }
}

/// The JSON body of every error answer of the API: `error` says what went wrong.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    pub detail: Option<ErrorDetail>,
    /// On 409 for a duplicate candidate: the candidate it duplicates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<i64>,
}

/// The part of an error that a client can act on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ErrorDetail {
    /// 422: the field that was refused, and why.
    Field { field: String, message: String },
    /// 409: a candidate of the centre with the same email, phone or name and postcode.
    Duplicate { duplicate_of: i64, matched_on: String },
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::Duplicate { .. } => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            // The cause goes to the log, never to the client.
            tracing::error!(%cause, "internal error");
        }
        let mut res = HttpResponse::build(self.status_code());
        if matches!(self, AppError::Unauthorized(_)) {
            res.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::TooManyRequests(secs) = self {
            res.insert_header(("Retry-After", secs.to_string()));
        }
        let duplicate_of = match self {
            AppError::Duplicate { duplicate_of, .. } => Some(*duplicate_of),
            _ => None,
        };
        res.json(ErrorBody {
            error: self.to_string(),
            detail: self.detail(),
            duplicate_of,
        })
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(K::UniqueViolation, info) => {
                AppError::Conflict(format!("already exists ({})", info.message()))
            }
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, info) => {
                AppError::Unavailable(info.message().to_string())
            }
            E::DatabaseError(_, ref info) if is_busy(info.message()) => {
                AppError::Unavailable(info.message().to_string())
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// SQLite reports lock timeouts as plain errors; they are load, not bugs.
fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Unavailable(format!("database: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(AppError::NotFound.status_code(), 404);
        assert_eq!(AppError::invalid("vacancies", "x").status_code(), 422);
        assert_eq!(AppError::from(diesel::result::Error::NotFound).status_code(), 404);
        assert_eq!(AppError::Conflict("x".into()).status_code(), 409);
        assert_eq!(AppError::TooManyRequests(3).status_code(), 429);
    }

    #[test]
    fn too_many_requests_says_when_to_retry() {
        let res = AppError::TooManyRequests(7).error_response();
        assert_eq!(res.headers().get("Retry-After").unwrap(), "7");
    }

    #[test]
    fn validation_detail_names_the_field() {
        let e = AppError::invalid("end_date", "must not be before start_date");
        assert!(matches!(e.detail(), Some(ErrorDetail::Field { field, .. }) if field == "end_date"));
    }
}
