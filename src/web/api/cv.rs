//! A candidate's CV over HTTP, for the candidate's own centre: `PUT` the file as the body
//! (PDF or DOCX, at most 5 MB, `?file_name=`), `GET` it back, `DELETE` it.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::domain::actor::AuthUser;
use crate::domain::cv::{self, CvInfo};
use crate::error::{AppResult, ErrorBody};
use crate::ids::CandidateId;
use crate::web::api::import::read_body;
use crate::web::download::file_response;
use crate::web::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the consultant knows it (the stored one gets the true extension).
    pub file_name: Option<String>,
}

#[utoipa::path(put, path = "/candidates/{id}/cv", tag = "candidates",
    params(("id" = i64, Path, description = "A candidate of my centre"), UploadQuery),
    // Any content type: the file's own bytes say what it is.
    request_body(content((Vec<u8> = "application/octet-stream"), (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
    responses((status = 201, body = CvInfo)))]
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

#[utoipa::path(get, path = "/candidates/{id}/cv", tag = "candidates", params(("id" = i64, Path, description = "A candidate of my centre")),
    responses((status = 200, description = "The CV", content((Vec<u8> = "application/pdf"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
        (status = 410, description = "The candidate was erased", body = ErrorBody)))]
pub async fn download_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // A write: the download is audited.
    let f = state.db.write(move |c| cv::for_consultant(c, &user, id)).await?;
    Ok(file_response(f))
}

#[utoipa::path(delete, path = "/candidates/{id}/cv", tag = "candidates", params(("id" = i64, Path, description = "A candidate of my centre")),
    responses((status = 200, body = CvRemoved)))]
pub async fn delete_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<CandidateId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    state.db.write(move |c| cv::remove(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(CvRemoved {
        candidate_id: id.0,
        cv: None,
    }))
}

/// The candidate has no CV now.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CvRemoved {
    pub candidate_id: i64,
    pub cv: Option<CvInfo>,
}
