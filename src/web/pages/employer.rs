//! The employer's page (`/employer/{token}`), from the link in a candidate mail: no login, the
//! pages' CSP and headers, built for a phone, Danish with English selectable. It shows the
//! order's title and company and each candidate sent through the link, with a form per
//! candidate: invite to interview, hired or not suitable, and a comment; and the candidate's
//! CV to download while they consent to share it (410 once they no longer do). Forms carry a CSRF
//! token bound to the link (an HMAC of the token's hash), since there is no session to bind
//! to. An unknown or forged link is a 404 page and an expired or revoked one a 410 page,
//! neither showing anything of the order.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::{json, Value};

use crate::domain::employer_link::token_hash;
use crate::domain::employer_outcome::{self, EmployerPage, Outcome};
use crate::error::AppError;
use crate::ids::ReferralId;
use crate::web::csrf;
use crate::web::download::file_response;
use crate::web::flash::Flash;
use crate::web::format::{fmt_size, fmt_time};
use crate::web::render::describe;
use crate::web::respond::{
    base_context, html, lang_of, link, link_notice, merge, not_indexed, query_pairs, redirect_flash, FLASH_COOKIE,
};
use crate::web::session::{parse_id, Form};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The forms' token: bound to this link, so a form of one link is refused by another.
fn form_token(state: &AppState, token: &str) -> String {
    csrf::token(
        &state.config.jwt_secret,
        &format!("employer-link:{}", token_hash(token)),
    )
}

fn candidates(state: &AppState, lang: Lang, page: &EmployerPage) -> Vec<Value> {
    let t = |k: &str| state.pages.t(lang, k);
    page.candidates
        .iter()
        .map(|c| {
            let choices: Vec<Value> = Outcome::ALL
                .iter()
                .map(|o| {
                    json!({
                        "value": o.as_str(),
                        "label": t(&format!("outcome_{}", o.as_str())),
                        "current": c.outcome == Some(*o),
                    })
                })
                .collect();
            json!({
                "id": c.referral_id,
                "name": c.candidate.name,
                "email": c.candidate.email,
                "phone": c.candidate.phone,
                "answer": c.outcome.map(|o| t(&format!("answer_{}", o.as_str()))),
                "answered_at": c.answered_at.map(|at| fmt_time(at, lang)),
                "comment": c.comment,
                "choices": choices,
                "cv": c.cv.as_ref().map(|cv| json!({
                    "name": cv.name, "url": cv.url, "size": fmt_size(cv.size, lang),
                })),
            })
        })
        .collect()
}

/// `GET /employer/{token}`.
pub async fn employer_page(state: web::Data<AppState>, req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let (lang, _) = lang_of(&req, None);
    let token = token.into_inner();
    let tk = token.clone();
    let page = match state
        .db
        .read(move |c| employer_outcome::page(c, &tk, "", Utc::now().naive_utc()))
        .await
    {
        Ok(p) => p,
        Err(e) => return refusal(&state, &req, lang, e),
    };
    let flash = req.cookie(FLASH_COOKIE).and_then(|c| Flash::decode(c.value()));
    let title = page.order.title.clone();
    let mut data = base_context(lang, req.path(), &query_pairs(&req), flash.as_ref(), title);
    merge(
        &mut data,
        json!({
            "heading": page.order.title,
            "order": page.order,
            "candidates": candidates(&state, lang, &page),
            "expires": fmt_time(page.expires_at, lang),
            "action": format!("/employer/{token}/referrals"),
            "lang_param": lang.as_str(),
            "csrf": form_token(&state, &token),
        }),
    );
    let mut res = not_indexed(html(&state, lang, StatusCode::OK, "employer", data));
    if flash.is_some() {
        let _ = res.add_removal_cookie(&crate::web::respond::cookie(
            &state,
            FLASH_COOKIE,
            String::new(),
            actix_web::cookie::time::Duration::ZERO,
        ));
    }
    res
}

/// `POST /employer/{token}/referrals/{id}`: the form's answer, then back to the page.
pub async fn answer(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (lang, _) = lang_of(&req, None);
    let (token, rid) = path.into_inner();
    let form = Form::parse(&body);
    let valid = form.as_ref().is_some_and(|f| {
        csrf::verify(
            &state.config.jwt_secret,
            &format!("employer-link:{}", token_hash(&token)),
            f.get(csrf::FIELD),
        )
    });
    let (Some(form), true) = (form, valid) else {
        return notice(&state, &req, lang, StatusCode::FORBIDDEN, "csrf_failed");
    };
    let Some(id) = parse_id(&rid).map(ReferralId) else {
        return notice(&state, &req, lang, StatusCode::NOT_FOUND, "employer_unknown");
    };
    let back = link(&format!("/employer/{token}"), &[("lang", lang.as_str().to_string())]) + &format!("#referral-{id}");
    let outcome = match Outcome::parse(form.get("outcome")) {
        Ok(o) => o,
        Err(e) => return redirect_flash(&state, &back, Flash::error(describe(&state, lang, &e))),
    };
    let comment = form.opt("comment");
    let mail = state.mail.clone();
    let r = state
        .db
        .write(move |c| {
            let now = Utc::now().naive_utc();
            employer_outcome::answer(c, &mail, &token, "", id, outcome, comment, now)
        })
        .await;
    match r {
        Ok(_) => redirect_flash(&state, &back, Flash::ok(state.pages.t(lang, "employer_saved"))),
        Err(e @ (AppError::NotFound | AppError::Gone(_) | AppError::Unavailable(_) | AppError::Internal(_))) => {
            refusal(&state, &req, lang, e)
        }
        Err(e) => redirect_flash(&state, &back, Flash::error(describe(&state, lang, &e))),
    }
}

/// `GET /employer/{token}/referrals/{id}/cv`: the candidate's CV as a download, or the page
/// that says why not (404 unknown, 410 no longer shared).
pub async fn cv_download(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (lang, _) = lang_of(&req, None);
    let (token, rid) = path.into_inner();
    let Some(id) = parse_id(&rid).map(ReferralId) else {
        return notice(&state, &req, lang, StatusCode::NOT_FOUND, "employer_unknown");
    };
    // A write: the employer's download is audited.
    let r = state
        .db
        .write(move |c| employer_outcome::cv_download(c, &token, id, Utc::now().naive_utc()))
        .await;
    match r {
        Ok(f) => not_indexed(file_response(f)),
        Err(AppError::Gone(_)) => notice(&state, &req, lang, StatusCode::GONE, "employer_cv_gone"),
        Err(e) => refusal(&state, &req, lang, e),
    }
}

/// The page for a link that opens nothing, or a failure: nothing of the order on it.
fn refusal(state: &AppState, req: &HttpRequest, lang: Lang, e: AppError) -> HttpResponse {
    match e {
        AppError::NotFound => notice(state, req, lang, StatusCode::NOT_FOUND, "employer_unknown"),
        AppError::Gone(_) => notice(state, req, lang, StatusCode::GONE, "employer_gone"),
        e => {
            tracing::error!(error = %e, "employer page failed");
            notice(state, req, lang, StatusCode::SERVICE_UNAVAILABLE, "error_text")
        }
    }
}

fn notice(state: &AppState, req: &HttpRequest, lang: Lang, status: StatusCode, key: &str) -> HttpResponse {
    link_notice(state, req, lang, status, "employer_title", key)
}
