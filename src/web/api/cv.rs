//! A candidate's CV over HTTP, for the candidate's own centre: `PUT` the file as the body
//! (PDF or DOCX, at most 5 MB, `?file_name=`), `GET` it back, `DELETE` it.

use actix_web::http::header::ContentDisposition;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::cv::{self, CvFile};
use crate::error::AppResult;
use crate::ids::CandidateId;
use crate::web::api::import::read_body;
use crate::web::state::AppState;

#[derive(Deserialize)]
pub struct UploadQuery {
    pub file_name: Option<String>,
}

pub async fn upload_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    id: web::Path<CandidateId>,
    q: web::Query<UploadQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let bytes = read_body(&req, payload, cv::MAX_BYTES).await?;
    let name = q.into_inner().file_name.unwrap_or_default();
    let info = state.db.write(move |c| cv::upload(c, &user, id, &name, &bytes)).await?;
    Ok(HttpResponse::Created().json(info))
}

/// The file as a download, whoever asks (the candidate's centre, or later the employer link).
pub fn file_response(f: CvFile) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type(f.content_type.as_str())
        .insert_header(ContentDisposition::attachment(f.file_name))
        .body(f.body))
}

pub async fn download_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // A write: the download is audited.
    let f = state.db.write(move |c| cv::for_consultant(c, &user, id)).await?;
    file_response(f)
}

pub async fn delete_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| cv::remove(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(json!({ "candidate_id": id, "cv": null })))
}
