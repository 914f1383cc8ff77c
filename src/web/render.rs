//! Page rendering: the template registry and labels, the page frame (header, language,
//! message, CSRF token), redirects with a message, and refusals in the user's words.

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use handlebars::Handlebars;
use serde_json::{json, Map, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::error::{AppError, AppResult};
use crate::mail::Mail;
use crate::web::session::{param, Flash, Session};
use crate::web::state::AppState;

pub(crate) const LANG_COOKIE: &str = "staer_lang";
pub(crate) const FLASH_COOKIE: &str = "staer_flash";
pub(crate) const HOME: &str = "/dashboard/shared-orders";

/// The stylesheet, served from `/static/app.css` (a file, so the CSP can forbid inline styles).
pub(crate) const CSS: &str = include_str!("../../templates/pages/app.css");
pub(crate) const LABELS: &str = include_str!("../../templates/pages/labels.json");
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../templates/pages/layout.hbs")),
    ("pager", include_str!("../../templates/pages/pager.hbs")),
    ("login", include_str!("../../templates/pages/login.hbs")),
    ("dashboard", include_str!("../../templates/pages/dashboard.hbs")),
    ("order", include_str!("../../templates/pages/order.hbs")),
    ("order_form", include_str!("../../templates/pages/order_form.hbs")),
    ("candidates", include_str!("../../templates/pages/candidates.hbs")),
    ("matches", include_str!("../../templates/pages/matches.hbs")),
    ("error", include_str!("../../templates/pages/error.hbs")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }
}

/// The template registry and the labels in each language. Built once, held by `AppState`.
pub struct Pages {
    pub(crate) hb: Handlebars<'static>,
    pub(crate) da: Map<String, Value>,
    pub(crate) en: Map<String, Value>,
}

impl Pages {
    pub fn new() -> AppResult<Pages> {
        let mut hb = Handlebars::new();
        // Every `{{x}}` is HTML-escaped (the default). Two `{{{ }}}` only: the layout's `body`
        // (the page template's output) and a list's `rows_html` (`table_rows`, escaped there).
        hb.set_strict_mode(false);
        for (name, src) in TEMPLATES {
            hb.register_template_string(name, *src)
                .map_err(|e| AppError::Internal(format!("page template {name}: {e}")))?;
        }
        let mut labels: Map<String, Value> =
            serde_json::from_str(LABELS).map_err(|e| AppError::Internal(format!("labels.json: {e}")))?;
        let mut take = |lang: &str| match labels.remove(lang) {
            Some(Value::Object(m)) => Ok(m),
            _ => Err(AppError::Internal(format!("labels.json has no '{lang}' object"))),
        };
        Ok(Pages {
            da: take("da")?,
            en: take("en")?,
            hb,
        })
    }

    pub(crate) fn labels(&self, lang: Lang) -> &Map<String, Value> {
        match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        }
    }

    /// A label; a missing one shows its key rather than nothing.
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.labels(lang)
            .get(key)
            .and_then(Value::as_str)
            .map_or_else(|| key.to_string(), str::to_string)
    }

    /// The page's template, then the layout around it, on one context: the context is moved
    /// in, not copied (a dashboard's is ~600 values), and no partial block clones it.
    pub(crate) fn render(&self, name: &str, data: Value) -> AppResult<String> {
        let err = |e: handlebars::RenderError| AppError::Internal(format!("rendering page {name}: {e}"));
        let mut ctx = handlebars::Context::from(data);
        let body = self.hb.render_with_context(name, &ctx).map_err(err)?;
        if let Some(m) = ctx.data_mut().as_object_mut() {
            m.insert("body".into(), Value::String(body));
        }
        self.hb.render_with_context("layout", &ctx).map_err(err)
    }
}

// ---- rendering -------------------------------------------------------------------------

/// A link with a query string; empty values are left out.
pub(crate) fn link(path: &str, pairs: &[(&str, String)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.as_str()))
        .collect();
    if kept.is_empty() {
        return path.to_string();
    }
    format!("{path}?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
}

/// The current page in the other language.
pub(crate) fn lang_link(path: &str, query: &[(String, String)], lang: Lang) -> String {
    // A path of `//host` would be a link off the site.
    let path = if path.starts_with("//") { "/" } else { path };
    let mut pairs: Vec<(&str, String)> = query
        .iter()
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    pairs.push(("lang", lang.as_str().to_string()));
    link(path, &pairs)
}

pub(crate) fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// The header user: display name and centre name.
#[derive(serde::Serialize)]
pub(crate) struct Me {
    pub(crate) display_name: String,
    pub(crate) centre: String,
}

pub(crate) fn me(conn: &mut DbConn, user: &AuthUser) -> AppResult<Me> {
    let (display_name, centre) = crate::domain::users::header_names(conn, user)?;
    Ok(Me { display_name, centre })
}

pub(crate) fn base_context(
    state: &AppState,
    lang: Lang,
    path: &str,
    query: &[(String, String)],
    flash: Option<&Flash>,
    title: String,
) -> Value {
    json!({
        "t": state.pages.labels(lang),
        "lang": lang.as_str(),
        "lang_da": lang_link(path, query, Lang::Da),
        "lang_en": lang_link(path, query, Lang::En),
        "title": title,
        "flash": flash.map(Flash::json),
        "wide": param(query, "wide") == Some("1"),
    })
}

pub(crate) fn html(state: &AppState, status: StatusCode, template: &str, data: Value) -> HttpResponse {
    let body = match state.pages.render(template, data) {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page render failed");
            return HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("internal error");
        }
    };
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // Pages hold personal data: not cached, not framed, no foreign scripts or styles.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "same-origin"))
        .body(body)
}

pub(crate) fn cookie<'a>(state: &AppState, name: &'a str, value: String, age: CookieAge) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.public_url.starts_with("https://"))
        .max_age(age)
        .finish()
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
    let mut data = base_context(state, s.lang, &s.path, &s.query, flash, title);
    merge(
        &mut data,
        json!({ "me": me, "nav": nav, "csrf": s.csrf(state), "path": s.path }),
    );
    merge(&mut data, ctx);
    let mut res = html(state, status, template, data);
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

pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub(crate) fn redirect_flash(state: &AppState, location: &str, flash: Flash) -> HttpResponse {
    let mut res = see_other(location);
    let _ = res.add_cookie(&cookie(state, FLASH_COOKIE, flash.encode(), CookieAge::minutes(5)));
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
            format!("{} \"{label}\": {message}", t("err_invalid"))
        }
        AppError::Conflict(m) => format!("{}: {m}", t("err_conflict")),
        AppError::Forbidden(m) => format!("{}: {m}", t("err_forbidden")),
        AppError::BadRequest(m) => format!("{}: {m}", t("err_bad_request")),
        other => other.to_string(),
    }
}

/// An error that ends a page: 404 and 403 pages, login for a lost session, 500 otherwise.
pub(crate) fn fail(state: &AppState, s: &Session, e: AppError) -> HttpResponse {
    let t = |k: &str| state.pages.t(s.lang, k);
    let (status, heading, text) = match &e {
        AppError::Unauthorized(_) => return see_other("/login"),
        AppError::NotFound => (StatusCode::NOT_FOUND, t("not_found_title"), t("not_found_text")),
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, t("forbidden_title"), describe(state, s.lang, &e)),
        AppError::Validation { .. } | AppError::Conflict(_) | AppError::BadRequest(_) => {
            (e.status(), t("error_title"), describe(state, s.lang, &e))
        }
        AppError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, t("error_title"), t("too_large")),
        AppError::Unavailable(cause) | AppError::Internal(cause) => {
            tracing::error!(%cause, "page failed");
            (e.status(), t("error_title"), t("error_text"))
        }
    };
    let me = Me {
        display_name: s.user.username.clone(),
        centre: String::new(),
    };
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
pub(crate) fn outcome(state: &AppState, s: &Session, back: &str, result: AppResult<String>) -> HttpResponse {
    match result {
        Ok(text) => redirect_flash(state, back, Flash::ok(text)),
        Err(
            e
            @ (AppError::Forbidden(_) | AppError::Conflict(_) | AppError::Validation { .. } | AppError::BadRequest(_)),
        ) => redirect_flash(state, back, Flash::error(describe(state, s.lang, &e))),
        Err(e) => fail(state, s, e),
    }
}

/// Runs a change in one write transaction and goes back to `back` with its outcome.
pub(crate) async fn change<F>(state: &web::Data<AppState>, s: &Session, back: &str, f: F) -> HttpResponse
where
    F: FnOnce(&mut DbConn, &Mail, &AuthUser) -> AppResult<String> + Send + 'static,
{
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state.db.write(move |c| f(c, &mail, &user)).await;
    outcome(state, s, back, result)
}

/// A refusal the user can act on (shown as a message), not a failure of the page.
pub(crate) fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Conflict(_) | AppError::BadRequest(_) | AppError::Forbidden(_)
    )
}

pub(crate) fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dashboards::List;
    use crate::domain::referral::{Action, State};

    #[test]
    fn language_links_stay_on_site() {
        let q = vec![
            ("q".to_string(), "kok & co".to_string()),
            ("lang".to_string(), "da".to_string()),
        ];
        assert_eq!(
            lang_link("/dashboard/my-orders", &q, Lang::En),
            "/dashboard/my-orders?q=kok+%26+co&lang=en"
        );
        assert_eq!(lang_link("//evil.example/x", &[], Lang::Da), "/?lang=da");
    }

    #[test]
    fn labels_cover_both_languages_and_every_column() {
        let p = Pages::new().unwrap();
        let (da, en): (Vec<_>, Vec<_>) = (p.da.keys().collect(), p.en.keys().collect());
        assert_eq!(da, en, "da and en must have the same labels");
        for list in List::ALL {
            for col in list.columns() {
                assert!(p.da.contains_key(&format!("col_{col}")), "label for column {col}");
            }
        }
        for s in State::ALL {
            assert!(p.da.contains_key(&format!("state_{}", s.as_str())));
        }
        for a in [Action::Approve, Action::Reject, Action::Send, Action::Withdraw] {
            assert!(p.da.contains_key(&format!("ok_{}", a.as_str())));
        }
    }

    #[test]
    fn templates_never_unescape_user_data() {
        // The two raw insertions are HTML built by this module: the page template's output
        // and `table_rows` (which escapes each text). Nothing else may skip escaping.
        for (name, src) in TEMPLATES {
            let raw: Vec<&str> = src.match_indices("{{{").map(|(i, _)| &src[i..]).collect();
            let allowed = match *name {
                "layout" => &["{{{body}}}"][..],
                "dashboard" => &["{{{rows_html}}}"][..],
                _ => &[][..],
            };
            assert_eq!(raw.len(), allowed.len(), "{name} must not use triple braces");
            for (r, a) in raw.iter().zip(allowed) {
                assert!(r.starts_with(a), "{name}: {r:.30}");
            }
        }
    }
}
