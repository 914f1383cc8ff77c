//! A full page for a session (header, language, message, CSRF token), refusals in the
//! user's words, and running a change and going back with its outcome.

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::web::flash::Flash;
use crate::web::respond::{base_context, cookie, html, merge, redirect_flash, see_other, FLASH_COOKIE, LANG_COOKIE};
use crate::web::session::Session;
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The header user: display name and centre name, how many referrals await their
/// approval (the navigation's count), and whether the navigation offers administration.
#[derive(serde::Serialize)]
pub(crate) struct Me {
    pub(crate) display_name: String,
    pub(crate) centre: String,
    /// Referrals awaiting my approval, as shown ("999+" past the cap), and the capped number.
    pub(crate) awaiting: String,
    #[serde(skip)]
    pub(crate) awaiting_n: i64,
    /// The bell: my unread notices, as shown ("99+" past the cap), and whether there are any.
    pub(crate) unread: String,
    pub(crate) has_unread: bool,
    /// Administrators see the admin pages in the navigation.
    pub(crate) admin: bool,
}

/// A count read up to `cap + 1`, as the header shows it: "99+" past the cap.
fn shown_count(n: i64, cap: i64) -> String {
    if n > cap {
        format!("{cap}+")
    } else {
        n.to_string()
    }
}

pub(crate) fn me(conn: &mut DbConn, user: &AuthUser) -> AppResult<Me> {
    let (display_name, centre) = crate::domain::users::header_names(conn, user)?;
    let awaiting_n = crate::domain::approvals::awaiting_count_capped(conn, user)?;
    let unread = crate::domain::notices::unread_count(conn, user)?;
    Ok(Me {
        display_name,
        centre,
        awaiting: shown_count(awaiting_n, crate::domain::approvals::COUNT_CAP),
        awaiting_n,
        unread: shown_count(unread, crate::domain::notices::UNREAD_CAP),
        has_unread: unread > 0,
        admin: user.is_admin(),
    })
}

/// A full page for the session: header, language, pending message, CSRF token.
pub(crate) fn page(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    template: &str,
    me: &Me,
    nav: &str,
    ctx: Value,
) -> HttpResponse {
    page_with_flash(state, s, status, template, me, nav, ctx, s.flash.as_ref())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn page_with_flash(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    template: &str,
    me: &Me,
    nav: &str,
    ctx: Value,
    flash: Option<&Flash>,
) -> HttpResponse {
    let title = ctx
        .get("heading")
        .or_else(|| ctx.pointer("/order/title"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut data = base_context(s.lang, &s.path, &s.query, flash, title);
    merge(
        &mut data,
        json!({ "me": me, "nav": nav, "csrf": s.csrf(state), "path": s.path }),
    );
    merge(&mut data, ctx);
    let mut res = html(state, s.lang, status, template, data);
    if s.lang_from_query {
        let _ = res.add_cookie(&cookie(
            state,
            LANG_COOKIE,
            s.lang.as_str().into(),
            CookieAge::days(365),
        ));
    }
    if s.flash.is_some() {
        let _ = res.add_removal_cookie(&cookie(state, FLASH_COOKIE, String::new(), CookieAge::ZERO));
    }
    res
}

/// A refusal in the user's words: what kind, and the domain's reason.
pub(crate) fn describe(state: &AppState, lang: Lang, e: &AppError) -> String {
    let t = |k: &str| state.pages.t(lang, k);
    match e {
        AppError::Validation { field, message } => {
            let label = ["col_", ""]
                .iter()
                .map(|p| format!("{p}{field}"))
                .find(|k| state.pages.labels(lang).contains_key(k))
                .map_or_else(|| field.clone(), |k| t(&k));
            format!(
                "{} \"{label}\": {}",
                t("err_invalid"),
                state.pages.message(lang, message)
            )
        }
        AppError::Conflict(m) => format!("{}: {}", t("err_conflict"), state.pages.message(lang, m)),
        AppError::Forbidden(m) => format!("{}: {}", t("err_forbidden"), state.pages.message(lang, m)),
        AppError::BadRequest(m) => format!("{}: {}", t("err_bad_request"), state.pages.message(lang, m)),
        AppError::Gone(m) => state.pages.message(lang, m),
        other => other.to_string(),
    }
}

/// An error that ends a page: 404 and 403 pages, login for a lost session, 500 otherwise.
pub(crate) async fn fail(state: &AppState, s: &Session, e: AppError) -> HttpResponse {
    let t = |k: &str| state.pages.t(s.lang, k);
    let (status, heading, text) = match &e {
        AppError::Unauthorized(_) => return see_other("/login"),
        AppError::NotFound => (StatusCode::NOT_FOUND, t("not_found_title"), t("not_found_text")),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, t("forbidden_title"), describe(state, s.lang, &e)),
        AppError::Validation { .. } | AppError::Conflict(_) | AppError::Duplicate { .. } | AppError::BadRequest(_) => {
            (e.status(), t("error_title"), describe(state, s.lang, &e))
        }
        AppError::Gone(_) => (StatusCode::GONE, t("error_title"), describe(state, s.lang, &e)),
        AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, t("error_title"), t("too_large")),
        AppError::TooManyRequests(_) => (e.status(), t("error_title"), t("login_throttled")),
        AppError::Unavailable(cause) | AppError::Internal(cause) => {
            tracing::error!(%cause, "page failed");
            (e.status(), t("error_title"), t("error_text"))
        }
    };
    // The header as on every page; a failing database still gets an error page.
    let user = s.user.clone();
    let me = state.db.read(move |c| me(c, &user)).await.unwrap_or_else(|_| Me {
        display_name: s.user.username.clone(),
        centre: String::new(),
        awaiting: "0".into(),
        awaiting_n: 0,
        unread: "0".into(),
        has_unread: false,
        admin: s.user.is_admin(),
    });
    let ctx = json!({ "heading": heading, "text": text });
    page(state, s, status, "error", &me, "", ctx)
}

pub(crate) trait Status {
    fn status(&self) -> StatusCode;
}

impl Status for AppError {
    fn status(&self) -> StatusCode {
        actix_web::ResponseError::status_code(self)
    }
}

/// After a POST: back to `back` with the outcome as a message. Refusals are messages too;
/// a record the user can't see is a 404 page.
pub(crate) async fn outcome(state: &AppState, s: &Session, back: &str, result: AppResult<String>) -> HttpResponse {
    match result {
        Ok(text) => redirect_flash(state, back, Flash::ok(text)),
        Err(
            e
            @ (AppError::Forbidden(_) | AppError::Conflict(_) | AppError::Validation { .. } | AppError::BadRequest(_)),
        ) => redirect_flash(state, back, Flash::error(describe(state, s.lang, &e))),
        Err(e) => fail(state, s, e).await,
    }
}

/// Runs a change in one write transaction and goes back to `back` with its outcome.
pub(crate) async fn change<F>(state: &web::Data<AppState>, s: &Session, back: &str, f: F) -> HttpResponse
where
    F: FnOnce(&mut DbConn, &Mail, &AuthUser) -> AppResult<String> + Send + 'static,
{
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state.db.write(move |c| f(c, &mail, &user)).await;
    outcome(state, s, back, result).await
}

/// A refusal the user can act on (shown as a message), not a failure of the page.
pub(crate) fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Conflict(_) | AppError::BadRequest(_) | AppError::Forbidden(_)
    )
}

/// The refusal for anyone but an administrator, in the page's language.
pub(crate) fn admin_only(state: &AppState, s: &Session) -> AppResult<()> {
    if s.user.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(state.pages.t(s.lang, "admin_only")))
    }
}

/// A refused field's message for the field itself (`invalid.<field>` in the templates).
pub(crate) fn invalid_field(state: &AppState, s: &Session, e: &AppError) -> Value {
    match e {
        AppError::Validation { field, message } => json!({ field: state.pages.message(s.lang, message) }),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::approvals::COUNT_CAP;
    use crate::domain::notices::UNREAD_CAP;

    #[test]
    fn the_header_caps_the_counts() {
        assert_eq!(shown_count(3, UNREAD_CAP), "3");
        assert_eq!(shown_count(UNREAD_CAP, UNREAD_CAP), "99");
        assert_eq!(shown_count(UNREAD_CAP + 1, UNREAD_CAP), "99+");
        assert_eq!(shown_count(0, COUNT_CAP), "0");
        assert_eq!(shown_count(COUNT_CAP, COUNT_CAP), "999");
        assert_eq!(shown_count(COUNT_CAP + 1, COUNT_CAP), "999+");
    }
}
