//! Login, logout, the start page and the stylesheet.

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::sessions;
use crate::error::AppError;
use crate::web::auth::{log_in, SESSION_COOKIE};
use crate::web::csrf;
use crate::web::flash::Flash;
use crate::web::respond::{
    bare_error, base_context, cookie, html, lang_of, merge, param, query_pairs, see_other, HOME, LANG_COOKIE,
};
use crate::web::session::{CsrfForm, Form, Session};
use crate::web::state::AppState;
use crate::web::templates::CSS;

// ---- login -----------------------------------------------------------------------------

/// Only a path on this site: never `//host` or a scheme, so login can't redirect away.
pub(crate) fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(char::is_control);
    if ok {
        next.to_string()
    } else {
        HOME.to_string()
    }
}

pub(crate) fn login_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    username: &str,
    next: &str,
    error: Option<&str>,
) -> HttpResponse {
    let (lang, from_query) = lang_of(req, None);
    let token = req
        .cookie(csrf::LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(csrf::random);
    let flash = error.map(|key| Flash::error(state.pages.t(lang, key)));
    let mut data = base_context(
        lang,
        req.path(),
        &query_pairs(req),
        flash.as_ref(),
        state.pages.t(lang, "login_title"),
    );
    merge(
        &mut data,
        json!({ "login_csrf": token, "next": safe_next(next), "username": username }),
    );
    let mut res = html(state, lang, status, "login", data);
    let _ = res.add_cookie(&cookie(state, csrf::LOGIN_COOKIE, token, CookieAge::hours(2)));
    if from_query {
        let _ = res.add_cookie(&cookie(state, LANG_COOKIE, lang.as_str().into(), CookieAge::days(365)));
    }
    res
}

pub async fn login_form(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let next = param(&query_pairs(&req), "next").unwrap_or(HOME).to_string();
    login_page(&state, &req, StatusCode::OK, "", &next, None)
}

pub async fn login_submit(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let Some(form) = Form::parse(&body) else {
        return bare_error(&req, StatusCode::BAD_REQUEST, "error_title", "csrf_failed");
    };
    // Login CSRF: the form must come from our own login page (double-submit cookie).
    let cookie_token = req.cookie(csrf::LOGIN_COOKIE).map(|c| c.value().to_string());
    if !csrf::same(cookie_token.as_deref(), Some(form.get(csrf::FIELD))) {
        return bare_error(&req, StatusCode::FORBIDDEN, "forbidden_title", "csrf_failed");
    }
    let (username, password) = (
        form.get("username").trim().to_string(),
        form.get("password").to_string(),
    );
    let next = safe_next(form.get("next"));
    match log_in(&state, &req, &username, password).await {
        Ok(token) => {
            let mut res = see_other(&next);
            let age = CookieAge::hours(state.config.token_ttl_hours);
            let _ = res.add_cookie(&cookie(&state, SESSION_COOKIE, token, age));
            let _ = res.add_removal_cookie(&cookie(&state, csrf::LOGIN_COOKIE, String::new(), CookieAge::ZERO));
            res
        }
        Err(AppError::Unauthorized(_)) => login_page(
            &state,
            &req,
            StatusCode::UNAUTHORIZED,
            &username,
            &next,
            Some("login_failed"),
        ),
        Err(AppError::TooManyRequests(secs)) => {
            let mut res = login_page(
                &state,
                &req,
                StatusCode::TOO_MANY_REQUESTS,
                &username,
                &next,
                Some("login_throttled"),
            );
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            bare_error(&req, StatusCode::SERVICE_UNAVAILABLE, "error_title", "error_text")
        }
    }
}

/// Ends the session on the server, then drops the cookie.
pub async fn logout(state: web::Data<AppState>, req: HttpRequest, s: Session, _form: CsrfForm) -> HttpResponse {
    let (user, sid) = (s.user.clone(), s.sid.clone());
    if let Err(e) = state.db.write(move |c| sessions::revoke(c, &user, &sid)).await {
        tracing::error!(error = %e, "logout failed");
        return bare_error(&req, StatusCode::SERVICE_UNAVAILABLE, "error_title", "error_text");
    }
    let mut res = see_other("/login");
    let _ = res.add_removal_cookie(&cookie(&state, SESSION_COOKIE, String::new(), CookieAge::ZERO));
    res
}

pub async fn home(user: Option<AuthUser>) -> HttpResponse {
    see_other(if user.is_some() { HOME } else { "/login" })
}

pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(CSS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next("/orders/5?np=2"), "/orders/5?np=2");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "",
            "orders",
            "/a\r\nSet-Cookie: x",
        ] {
            assert_eq!(safe_next(bad), HOME, "{bad:?}");
        }
    }
}
