//! The import page: upload a file, see the preview (counts, every error with its line and
//! column, likely duplicates), and only then confirm. The file waits server-side under a
//! random token (`domain::import::uploads`) between the two steps.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::import::{self, uploads, Kind, Options, Report};
use crate::error::AppError;
use crate::web::api::import::{claims_xlsx, read_body};
use crate::web::flash::Flash;
use crate::web::render::{describe, fail, me, page_with_flash, Status};
use crate::web::session::{CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::{csrf, multipart};

/// The page with `ctx` (a preview or a result) below the upload form.
async fn show(
    state: &web::Data<AppState>,
    s: &Session,
    status: StatusCode,
    ctx: Value,
    flash: Option<Flash>,
) -> HttpResponse {
    let user = s.user.clone();
    let me = match state.db.read(move |c| me(c, &user)).await {
        Ok(me) => me,
        Err(e) => return fail(state, s, e).await,
    };
    let mut ctx = ctx;
    ctx["heading"] = json!(state.pages.t(s.lang, "import_title"));
    let flash = flash.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "import", &me, "import", ctx, flash)
}

pub async fn import_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    show(&state, &s, StatusCode::OK, json!({}), None).await
}

/// The report as the page shows it.
fn report_ctx(kind: Kind, file_name: &str, r: &Report) -> Value {
    json!({
        "kind": kind.as_str(), "file_name": file_name, "report": r,
        "has_errors": !r.errors.is_empty(), "error_count": r.errors.len(), "has_duplicates": !r.duplicates.is_empty(),
    })
}

/// Upload (multipart form: `_csrf`, `kind`, `file`): keep the file, run a dry run, show it.
pub async fn upload(state: web::Data<AppState>, s: Session, req: HttpRequest, payload: web::Payload) -> HttpResponse {
    let refuse = |e: AppError| {
        let flash = Flash::error(describe(&state, s.lang, &e));
        (e.status(), flash)
    };
    let body = match read_body(&req, payload, state.config.import_max_bytes + 64 * 1024).await {
        Ok(b) => b,
        Err(e) => {
            let (status, flash) = refuse(e);
            return show(&state, &s, status, json!({}), Some(flash)).await;
        }
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parts = multipart::boundary(content_type).and_then(|b| multipart::parse(&body, &b));
    let Some(parts) = parts else {
        let (status, flash) = refuse(AppError::BadRequest("not a file upload".into()));
        return show(&state, &s, status, json!({}), Some(flash)).await;
    };
    let field = |n: &str| parts.iter().find(|p| p.name == n);
    let token = field(csrf::FIELD).map(|p| String::from_utf8_lossy(&p.body).to_string());
    if !token.is_some_and(|t| csrf::verify(&state.config.jwt_secret, &s.token, &t)) {
        return fail(&state, &s, AppError::Forbidden(state.pages.t(s.lang, "csrf_failed"))).await;
    }
    let kind = field("kind").map(|p| String::from_utf8_lossy(&p.body).to_string());
    let kind = match Kind::parse(kind.as_deref().unwrap_or("")) {
        Ok(k) => k,
        Err(_) => {
            let (status, flash) = refuse(AppError::invalid("kind", "choose orders or candidates"));
            return show(&state, &s, status, json!({}), Some(flash)).await;
        }
    };
    let Some(file) = field("file") else {
        let (status, flash) = refuse(AppError::invalid("file", "the file is empty"));
        return show(&state, &s, status, json!({}), Some(flash)).await;
    };
    let file_name = file.file_name.clone().unwrap_or_default();
    let xlsx = file_name.to_lowercase().ends_with(".xlsx") || claims_xlsx(&req);
    let (bytes, user, name) = (file.body.clone(), s.user.clone(), file_name.clone());
    let dry = Options {
        dry_run: true,
        skip_invalid: false,
    };
    let result = state
        .db
        .write(move |c| {
            let report = import::run(c, &user, kind, &bytes, xlsx, dry, &mut |_, _| {})?;
            let token = uploads::keep(c, &user, kind, &name, &bytes)?;
            Ok((report, token))
        })
        .await;
    match result {
        Ok((report, token)) => {
            let mut ctx = report_ctx(kind, &file_name, &report);
            ctx["token"] = json!(token);
            ctx["preview"] = json!(true);
            show(&state, &s, StatusCode::OK, ctx, None).await
        }
        Err(e @ (AppError::Validation { .. } | AppError::PayloadTooLarge)) => {
            let (status, flash) = refuse(e);
            show(&state, &s, status, json!({}), Some(flash)).await
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

/// Confirm: import the kept file for real (all rows, or the valid ones when asked).
pub async fn confirm(state: web::Data<AppState>, s: Session, token: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let token = token.into_inner();
    let opts = Options {
        dry_run: false,
        skip_invalid: f.0.checked("skip_invalid"),
    };
    let user = s.user.clone();
    let t = token.clone();
    let result = state
        .db
        .write(move |c| {
            let up = uploads::load(c, &user, &t)?;
            let xlsx = up.file_name.to_lowercase().ends_with(".xlsx");
            let report = import::run(c, &user, up.kind, &up.body, xlsx, opts, &mut |_, _| {})?;
            if report.written {
                uploads::forget(c, &t)?;
            }
            Ok((up.kind, up.file_name, report))
        })
        .await;
    match result {
        Ok((kind, name, report)) => {
            let mut ctx = report_ctx(kind, &name, &report);
            if report.written {
                let text = state.pages.t(s.lang, "import_done");
                ctx["done"] = json!(true);
                show(&state, &s, StatusCode::OK, ctx, Some(Flash::ok(text))).await
            } else {
                // Errors and no "import the valid rows": the preview again, nothing written.
                ctx["token"] = json!(token);
                ctx["preview"] = json!(true);
                let text = state.pages.t(s.lang, "import_not_written");
                show(
                    &state,
                    &s,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ctx,
                    Some(Flash::error(text)),
                )
                .await
            }
        }
        Err(e) => fail(&state, &s, e).await,
    }
}
