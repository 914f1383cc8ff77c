//! Every user's own account page: who they are, a new password (the current one first, the
//! new one twice) and the language of their pages and mails.

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::domain::users;
use crate::error::AppError;
use crate::web::auth::change_own_password;
use crate::web::flash::Flash;
use crate::web::render::{change, describe, fail, is_refusal, me, page_with_flash, Status};
use crate::web::respond::{cookie, redirect_flash, LANG_COOKIE};
use crate::web::session::{CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The page; a refused password change comes back with the reason on top and beside its field.
async fn account_view(state: &web::Data<AppState>, s: &Session, error: Option<AppError>) -> HttpResponse {
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, users::profile(c, &user)?)))
        .await;
    let (me, profile) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let status = error.as_ref().map_or(StatusCode::OK, Status::status);
    let invalid = match &error {
        // The domain's rule on a new password names it `password`; this form calls it `new`.
        Some(AppError::Validation { field, message }) => {
            let field = if field == "password" { "new" } else { field.as_str() };
            json!({ field: state.pages.message(s.lang, message) })
        }
        _ => Value::Null,
    };
    let flash = error.as_ref().map(|e| {
        let text = match e {
            // Too many wrong current passwords: the login's words, on this page.
            AppError::TooManyRequests(_) => state.pages.t(s.lang, "login_throttled"),
            e => describe(state, s.lang, e),
        };
        Flash::error(text)
    });
    let ctx = json!({
        "heading": state.pages.t(s.lang, "account_title"),
        "profile": profile,
        "invalid": invalid,
    });
    let flash = flash.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "account", &me, "account", ctx, flash)
}

pub async fn account_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    account_view(&state, &s, None).await
}

/// A new password: this session stays logged in, the user's other sessions end.
pub async fn change_password(state: web::Data<AppState>, req: HttpRequest, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let (current, new) = (form.get("current").to_string(), form.get("new").to_string());
    if new != form.get("new2") {
        let e = AppError::invalid("new2", state.pages.t(s.lang, "passwords_differ"));
        return account_view(&state, &s, Some(e)).await;
    }
    match change_own_password(&state, &req, &s.user, s.sid.clone(), current, new).await {
        Ok(ended) => {
            let text = format!("{} {ended}", state.pages.t(s.lang, "ok_password_changed"));
            redirect_flash(&state, "/account", Flash::ok(text))
        }
        Err(e) if is_refusal(&e) || matches!(e, AppError::TooManyRequests(_)) => {
            account_view(&state, &s, Some(e)).await
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

/// The language of the user's pages and mails. The language cookie follows, since it
/// outranks the user's own choice (it remembers the header's DA/EN links).
pub async fn set_language(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let lang = f.0.get("language").to_string();
    let Some(chosen) = Lang::parse(&lang) else {
        let e = AppError::invalid("language", "must be da or en");
        return account_view(&state, &s, Some(e)).await;
    };
    let text = state.pages.t(chosen, "ok_language");
    let mut res = change(&state, &s, "/account", move |c, _, u| {
        users::set_language(c, u, &lang).map(|()| text)
    })
    .await;
    if res.status() == StatusCode::SEE_OTHER {
        let _ = res.add_cookie(&cookie(
            &state,
            LANG_COOKIE,
            chosen.as_str().into(),
            CookieAge::days(365),
        ));
    }
    res
}
