//! Import over HTTP: `POST /api/v1/import/{orders|candidates}?dry_run=&skip_invalid=` with
//! the file as the body (CSV or XLSX), and the templates.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::domain::actor::AuthUser;
use crate::domain::import::{self, template, Kind, Options, Report};
use crate::error::{AppError, AppResult};
use crate::web::state::AppState;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Whether the request says the body is a spreadsheet (its content decides in the end).
pub fn claims_xlsx(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("spreadsheetml") || ct.contains("ms-excel"))
}

/// The body, up to `limit` bytes; a longer one is 413 (announced or not).
pub async fn read_body(req: &HttpRequest, mut payload: web::Payload, limit: usize) -> AppResult<Vec<u8>> {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(limit));
    let mut too_large = announced.is_some_and(|n| n > limit);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("could not read body: {e}")))?;
        if body.len() + chunk.len() > limit {
            too_large = true;
        }
        if too_large {
            // Read on (and drop) what the client sends, so it gets the 413 rather than a reset.
            continue;
        }
        body.extend_from_slice(&chunk);
    }
    if too_large {
        return Err(AppError::PayloadTooLarge);
    }
    Ok(body)
}

/// The report as the API answers it: 200, or 422 when errors kept a real run from writing.
pub fn report_response(report: &Report) -> HttpResponse {
    if report.written || report.dry_run {
        return HttpResponse::Ok().json(report);
    }
    HttpResponse::UnprocessableEntity().json(RowsRefused {
        report: report.clone(),
        error: format!(
            "{} rows have errors: nothing was imported (import the valid rows with skip_invalid=true)",
            report.errors.len()
        ),
    })
}

/// Imports a CSV or XLSX file of orders or candidates for the user's centre (the body is the file).
#[utoipa::path(post, path = "/import/{kind}", tag = "import", params(("kind" = ImportKind, Path), Options),
    request_body(content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = Report), (status = 422, description = "Rows have errors, or the file can't be read: nothing was imported", body = ImportRefused)))]
pub async fn import_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    kind: web::Path<String>,
    opts: web::Query<Options>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let kind = Kind::parse(&kind)?;
    let xlsx = claims_xlsx(&req);
    let bytes = read_body(&req, payload, state.config.import_max_bytes).await?;
    let opts = opts.into_inner();
    let report = state
        .db
        .write(move |c| import::run(c, &user, kind, &bytes, xlsx, opts, &mut |_, _| {}))
        .await?;
    Ok(report_response(&report))
}

/// `template.csv` or `template.xlsx`: the headers and one example row.
#[utoipa::path(get, path = "/import/{kind}/{file}", tag = "import", params(("kind" = ImportKind, Path), ("file" = TemplateFile, Path)),
    responses((status = 200, description = "The template", content((String = "text/csv"), (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))))]
pub async fn template_handler(_user: AuthUser, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (kind, file) = path.into_inner();
    let kind = Kind::parse(&kind)?;
    let (body, content_type, ext) = match file.as_str() {
        "template.csv" => (template::csv(kind), "text/csv; charset=utf-8", "csv"),
        "template.xlsx" => (template::xlsx(kind)?, XLSX_TYPE, "xlsx"),
        _ => return Err(AppError::NotFound),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"staer-{}-skabelon.{ext}\"", kind.as_str()),
        ))
        .body(body))
}

/// A refused import: the report (with `error`) when rows have errors, else the error body.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)] // Named by the OpenAPI document: `report_response` and `AppError` write the two shapes.
pub enum ImportRefused {
    Rows(RowsRefused),
    Error(crate::error::ErrorBody),
}

/// The report of an import that wrote nothing because rows have errors.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RowsRefused {
    #[serde(flatten)]
    pub report: Report,
    pub error: String,
}

/// What `/import/{kind}` imports (another is 404).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Named by the OpenAPI document; `Kind::parse` reads the path.
pub enum ImportKind {
    #[schema(rename = "orders")]
    Orders,
    #[schema(rename = "candidates")]
    Candidates,
}

/// The templates of an import (another is 404).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Named by the OpenAPI document; `template_handler` reads the path.
pub enum TemplateFile {
    #[schema(rename = "template.csv")]
    Csv,
    #[schema(rename = "template.xlsx")]
    Xlsx,
}
