//! A candidate's CV on the candidate's page: upload (a multipart form: PDF or DOCX, at most
//! 5 MB, the type told by the bytes), download, and delete after a confirmation step. Only the
//! candidate's own centre; the same domain functions as the API's.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::{candidates, cv};
use crate::error::AppError;
use crate::ids::CandidateId;
use crate::web::api::import::read_body;
use crate::web::download::file_response;
use crate::web::flash::Flash;
use crate::web::pages::candidate_edit::stored_page;
use crate::web::render::{change, describe, fail, me, page, Status};
use crate::web::respond::redirect_flash;
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::{csrf, multipart};

/// Room for the form's other parts and headers around the file.
const FORM_OVERHEAD: usize = 64 * 1024;

/// Where the page's CV section is.
fn back(id: CandidateId) -> String {
    format!("/candidates/{id}/edit#cv")
}

/// `POST /candidates/{id}/cv` (multipart: `_csrf`, `file`): store the CV, back to the page.
/// A refusal (wrong type, too large, empty) shows the page again with the reason; the stored
/// CV and the candidate stay as they were.
pub async fn upload(
    state: web::Data<AppState>,
    s: Session,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    // The page again with the reason on top and beside the file field.
    let refuse = |e: AppError| {
        let text = match e {
            AppError::PayloadTooLarge => state.pages.t(s.lang, "cv_too_large"),
            ref e => describe(&state, s.lang, e),
        };
        let (state, s) = (state.clone(), &s);
        async move { stored_page(&state, s, id, e.status(), Some(Flash::error(text.clone())), Some(text)).await }
    };
    let body = match read_body(&req, payload, cv::MAX_BYTES + FORM_OVERHEAD).await {
        Ok(b) => b,
        Err(e) => return refuse(e).await,
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(parts) = multipart::boundary(content_type).and_then(|b| multipart::parse(&body, &b)) else {
        return refuse(AppError::BadRequest("not a file upload".into())).await;
    };
    let field = |n: &str| parts.iter().find(|p| p.name == n);
    let token = field(csrf::FIELD).map(|p| String::from_utf8_lossy(&p.body).to_string());
    if !token.is_some_and(|t| csrf::verify(&state.config.jwt_secret, &s.token, &t)) {
        return fail(&state, &s, AppError::Forbidden(state.pages.t(s.lang, "csrf_failed"))).await;
    }
    let Some(file) = field("file") else {
        return refuse(AppError::invalid("file", "the file is empty")).await;
    };
    let (name, bytes, user) = (
        file.file_name.clone().unwrap_or_default(),
        file.body.clone(),
        s.user.clone(),
    );
    let result = state.db.write(move |c| cv::upload(c, &user, id, &name, &bytes)).await;
    match result {
        Ok(_) => redirect_flash(&state, &back(id), Flash::ok(state.pages.t(s.lang, "ok_cv_uploaded"))),
        Err(e @ (AppError::Validation { .. } | AppError::PayloadTooLarge | AppError::Conflict(_))) => refuse(e).await,
        Err(e) => fail(&state, &s, e).await,
    }
}

/// `GET /candidates/{id}/cv`: the stored CV as a download (audited); anyone but the
/// candidate's centre gets the 404 page.
pub async fn download(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    match state.db.write(move |c| cv::for_consultant(c, &user, id)).await {
        Ok(f) => file_response(f),
        Err(e) => fail(&state, &s, e).await,
    }
}

/// `GET /candidates/{id}/cv/delete`: what deleting does, and the button that does it.
pub async fn delete_confirm(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let cand = candidates::load_own(c, &user, id)?;
            let info = cv::info(c, &user, id)?.ok_or(AppError::NotFound)?;
            Ok((me(c, &user)?, cand.name, info.file_name))
        })
        .await;
    match result {
        Ok((me, name, file)) => {
            let ctx = json!({
                "heading": format!("{}: {name}", state.pages.t(s.lang, "cv_delete")),
                "action": format!("/candidates/{id}/cv/delete"),
                "back": back(id),
                "file": file,
            });
            page(
                &state,
                &s,
                StatusCode::OK,
                "candidate_cv_delete",
                &me,
                "candidates",
                ctx,
            )
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

/// `POST /candidates/{id}/cv/delete` (CSRF-checked): the CV is gone, back to the page.
pub async fn delete(state: web::Data<AppState>, s: Session, id: web::Path<String>, _f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let text = state.pages.t(s.lang, "ok_cv_deleted");
    change(&state, &s, &back(id), move |c, _, u| cv::remove(c, u, id).map(|_| text)).await
}
