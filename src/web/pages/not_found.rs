//! The answer to a URL that names nothing: JSON under `/api/`, the 404 page elsewhere.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::AppError;
use crate::web::render::fail;
use crate::web::respond::bare_error;
use crate::web::session::Session;
use crate::web::state::AppState;

pub async fn not_found(state: web::Data<AppState>, req: HttpRequest, s: Option<Session>) -> HttpResponse {
    if req.path().starts_with("/api/") {
        return AppError::NotFound.error_response();
    }
    match s {
        Some(s) => fail(&state, &s, AppError::NotFound).await,
        None => bare_error(&req, StatusCode::NOT_FOUND, "not_found_title", "not_found_text"),
    }
}
