//! The consultants' web pages: server-rendered HTML over the same domain functions as the
//! JSON API (orders, sharing, referrals, candidates, dashboards), so a page can never allow
//! what the API refuses. Templates are embedded and registered once, at start-up.
//!
//! A session is the JWT of the API in an HttpOnly cookie. Every form POST carries a CSRF
//! token (see `csrf`). Refusals come back to the page they came from as a message; an id
//! the user may not see is a 404 page, like the API's 404.

use std::collections::HashMap;
use std::future::{ready, Future, Ready};
use std::pin::Pin;

use actix_web::cookie::{time::Duration as CookieAge, Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{dev::Payload, error::InternalError, web, FromRequest, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Weekday};
use diesel::prelude::*;
use handlebars::Handlebars;
use serde_json::{json, Map, Value};

use crate::app::AppState;
use crate::db::schema::{companies, job_centres, users};
use crate::db::DbConn;
use crate::domain::audit;
use crate::domain::candidates::{self, CreateCandidate};
use crate::domain::dashboards::{self, List, ListQuery, Params};
use crate::domain::matching;
use crate::domain::orders::{self, OrderFields, OrderView, PatchOrder};
use crate::domain::referrals::{self, Action};
use crate::domain::sharing::{self, Page};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, ReferralId, UserId};
use crate::mail::Mail;
use crate::web::auth::{self, AuthUser, SESSION_COOKIE};
use crate::web::csrf;

const LANG_COOKIE: &str = "staer_lang";
const FLASH_COOKIE: &str = "staer_flash";
const HOME: &str = "/dashboard/shared-orders";

/// The stylesheet, served from `/static/app.css` (a file, so the CSP can forbid inline styles).
const CSS: &str = include_str!("../../../templates/pages/app.css");
const LABELS: &str = include_str!("../../../templates/pages/labels.json");
const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../../templates/pages/layout.hbs")),
    ("pager", include_str!("../../../templates/pages/pager.hbs")),
    ("login", include_str!("../../../templates/pages/login.hbs")),
    ("dashboard", include_str!("../../../templates/pages/dashboard.hbs")),
    ("order", include_str!("../../../templates/pages/order.hbs")),
    ("order_form", include_str!("../../../templates/pages/order_form.hbs")),
    ("candidates", include_str!("../../../templates/pages/candidates.hbs")),
    ("matches", include_str!("../../../templates/pages/matches.hbs")),
    ("error", include_str!("../../../templates/pages/error.hbs")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    fn parse(s: &str) -> Option<Lang> {
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
    hb: Handlebars<'static>,
    da: Map<String, Value>,
    en: Map<String, Value>,
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

    fn labels(&self, lang: Lang) -> &Map<String, Value> {
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
    fn render(&self, name: &str, data: Value) -> AppResult<String> {
        let err = |e: handlebars::RenderError| AppError::Internal(format!("rendering page {name}: {e}"));
        let mut ctx = handlebars::Context::from(data);
        let body = self.hb.render_with_context(name, &ctx).map_err(err)?;
        if let Some(m) = ctx.data_mut().as_object_mut() {
            m.insert("body".into(), Value::String(body));
        }
        self.hb.render_with_context("layout", &ctx).map_err(err)
    }
}

// ---- request context -----------------------------------------------------------------

/// A message shown once on the next page (after a redirect), kept in a short-lived cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flash {
    ok: bool,
    text: String,
}

impl Flash {
    fn ok(text: impl Into<String>) -> Flash {
        Flash {
            ok: true,
            text: text.into(),
        }
    }

    fn error(text: impl Into<String>) -> Flash {
        Flash {
            ok: false,
            text: text.into(),
        }
    }

    /// Cookie-safe: a kind letter and the text's UTF-8 bytes in hex.
    fn encode(&self) -> String {
        let hex: String = self.text.bytes().take(1500).map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", if self.ok { 'o' } else { 'e' })
    }

    fn decode(s: &str) -> Option<Flash> {
        let ok = match s.get(..1)? {
            "o" => true,
            "e" => false,
            _ => return None,
        };
        let hex = &s[1..];
        if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect();
        Some(Flash {
            ok,
            text: String::from_utf8(bytes?).ok()?,
        })
    }

    fn json(&self) -> Value {
        json!({ "kind": if self.ok { "ok" } else { "error" }, "text": self.text })
    }
}

fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The page's language: `?lang=` (remembered in a cookie), the cookie, the user's own, Danish.
fn lang_of(req: &HttpRequest, user_lang: Option<&str>) -> (Lang, bool) {
    let pairs = query_pairs(req);
    if let Some(l) = param(&pairs, "lang").and_then(Lang::parse) {
        return (l, true);
    }
    let l = req
        .cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .or_else(|| user_lang.and_then(Lang::parse))
        .unwrap_or(Lang::Da);
    (l, false)
}

/// What every page needs of the request: the user, the language, the pending message.
pub struct Session {
    pub user: AuthUser,
    token: String,
    pub lang: Lang,
    lang_from_query: bool,
    flash: Option<Flash>,
    path: String,
    query: Vec<(String, String)>,
}

impl Session {
    fn param(&self, name: &str) -> Option<&str> {
        param(&self.query, name)
    }

    fn csrf(&self, state: &AppState) -> String {
        csrf::token(&state.config.jwt_secret, &self.token)
    }
}

fn login_redirect(req: &HttpRequest) -> HttpResponse {
    // Back to the page asked for after login; a form POST goes home instead.
    let next = if req.method() == actix_web::http::Method::GET {
        req.uri().path_and_query().map_or(HOME, |p| p.as_str()).to_string()
    } else {
        HOME.to_string()
    };
    see_other(&link("/login", &[("next", next)]))
}

impl FromRequest for Session {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Err(actix_web::error::ErrorInternalServerError("app state missing")));
        };
        let verified = auth::token_from_request(req).and_then(|t| state.jwt.verify(&t).ok().map(|u| (t, u)));
        let Some((token, user)) = verified else {
            return ready(Err(
                InternalError::from_response("login required", login_redirect(req)).into()
            ));
        };
        let (lang, lang_from_query) = lang_of(req, Some(&user.language));
        ready(Ok(Session {
            flash: req.cookie(FLASH_COOKIE).and_then(|c| Flash::decode(c.value())),
            user,
            token,
            lang,
            lang_from_query,
            path: req.path().to_string(),
            query: query_pairs(req),
        }))
    }
}

/// A url-encoded form body.
pub struct Form(HashMap<String, String>);

impl Form {
    fn parse(body: &[u8]) -> Option<Form> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        let mut map = HashMap::new();
        for (k, v) in pairs {
            map.entry(k).or_insert(v);
        }
        Some(Form(map))
    }

    fn get(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// A one-line field, trimmed; empty is `None`.
    fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|s| !s.is_empty())
    }

    /// A multi-line field as typed, with the browser's CRLF made LF.
    fn text(&self, name: &str) -> String {
        self.get(name).replace("\r\n", "\n")
    }

    fn checked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    fn values(&self) -> Value {
        json!(self.0)
    }

    /// The ids of the ticked checkboxes named `{prefix}{id}`.
    fn ticked(&self, prefix: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(prefix))
            .filter_map(parse_id)
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// An error page from outside a handler (extractors), without the user's header.
fn bare_error(req: &HttpRequest, status: StatusCode, title_key: &str, text_key: &str) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return HttpResponse::build(status).finish();
    };
    let (lang, _) = lang_of(req, None);
    let p = &state.pages;
    let ctx = json!({
        "heading": p.t(lang, title_key),
        "text": p.t(lang, text_key),
    });
    let mut data = base_context(state, lang, req.path(), &query_pairs(req), None, p.t(lang, title_key));
    merge(&mut data, ctx);
    html(state, status, "error", data)
}

/// A form POST of a logged-in session whose CSRF token checks out; otherwise a 403 page.
pub struct CsrfForm(pub Form);

impl FromRequest for CsrfForm {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let fail = |status, title, text| -> actix_web::Error {
                InternalError::from_response("form refused", bare_error(&req, status, title, text)).into()
            };
            let body = body
                .await
                .map_err(|_| fail(StatusCode::PAYLOAD_TOO_LARGE, "error_title", "too_large"))?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| actix_web::error::ErrorInternalServerError("app state missing"))?;
            let form = Form::parse(&body).ok_or_else(|| fail(StatusCode::BAD_REQUEST, "error_title", "csrf_failed"))?;
            let valid = auth::token_from_request(&req)
                .is_some_and(|session| csrf::verify(&state.config.jwt_secret, &session, form.get(csrf::FIELD)));
            if !valid {
                return Err(fail(StatusCode::FORBIDDEN, "forbidden_title", "csrf_failed"));
            }
            Ok(CsrfForm(form))
        })
    }
}

// ---- rendering -------------------------------------------------------------------------

/// A link with a query string; empty values are left out.
fn link(path: &str, pairs: &[(&str, String)]) -> String {
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
fn lang_link(path: &str, query: &[(String, String)], lang: Lang) -> String {
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

fn merge(into: &mut Value, from: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// The header user: display name and centre name.
#[derive(serde::Serialize)]
struct Me {
    display_name: String,
    centre: String,
}

fn me(conn: &mut DbConn, user: &AuthUser) -> AppResult<Me> {
    let (display_name, centre) = users::table
        .inner_join(job_centres::table)
        .filter(users::id.eq(user.id))
        .select((users::display_name, job_centres::name))
        .first::<(String, String)>(conn)
        .optional()?
        // A valid token of a deleted user is no session.
        .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))?;
    Ok(Me { display_name, centre })
}

fn base_context(
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

fn html(state: &AppState, status: StatusCode, template: &str, data: Value) -> HttpResponse {
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

fn cookie<'a>(state: &AppState, name: &'a str, value: String, age: CookieAge) -> Cookie<'a> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.public_url.starts_with("https://"))
        .max_age(age)
        .finish()
}

/// A full page for the session: header, language, pending message, CSRF token.
fn page(
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
fn page_with_flash(
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

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

fn redirect_flash(state: &AppState, location: &str, flash: Flash) -> HttpResponse {
    let mut res = see_other(location);
    let _ = res.add_cookie(&cookie(state, FLASH_COOKIE, flash.encode(), CookieAge::minutes(5)));
    res
}

/// A refusal in the user's words: what kind, and the domain's reason.
fn describe(state: &AppState, lang: Lang, e: &AppError) -> String {
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
fn fail(state: &AppState, s: &Session, e: AppError) -> HttpResponse {
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

trait Status {
    fn status(&self) -> StatusCode;
}

impl Status for AppError {
    fn status(&self) -> StatusCode {
        actix_web::ResponseError::status_code(self)
    }
}

/// After a POST: back to `back` with the outcome as a message. Refusals are messages too;
/// a record the user can't see is a 404 page.
fn outcome(state: &AppState, s: &Session, back: &str, result: AppResult<String>) -> HttpResponse {
    match result {
        Ok(text) => redirect_flash(state, back, Flash::ok(text)),
        Err(
            e
            @ (AppError::Forbidden(_) | AppError::Conflict(_) | AppError::Validation { .. } | AppError::BadRequest(_)),
        ) => redirect_flash(state, back, Flash::error(describe(state, s.lang, &e))),
        Err(e) => fail(state, s, e),
    }
}

fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

// ---- formatting ------------------------------------------------------------------------

/// Danish wall-clock time of a UTC timestamp: CET, or CEST from the last Sunday of March
/// to the last Sunday of October at 01:00 UTC (the EU rule).
pub fn copenhagen(utc: NaiveDateTime) -> NaiveDateTime {
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap_or_default();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or_default();
        }
        d.and_hms_opt(1, 0, 0).unwrap_or_default()
    };
    let summer = utc >= last_sunday(3) && utc < last_sunday(10);
    utc + chrono::Duration::hours(if summer { 2 } else { 1 })
}

fn fmt_date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Da => d.format("%d-%m-%Y").to_string(),
        Lang::En => d.format("%Y-%m-%d").to_string(),
    }
}

fn fmt_time(t: NaiveDateTime, lang: Lang) -> String {
    let local = copenhagen(t);
    match lang {
        Lang::Da => local.format("%d-%m-%Y %H:%M").to_string(),
        Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn yes_no(state: &AppState, lang: Lang, b: bool) -> String {
    state.pages.t(lang, if b { "yes" } else { "no" })
}

/// Page links: first, last, and two either side of the current one, gaps between.
fn pager<T>(p: &Page<T>, href: impl Fn(i64) -> String) -> Value {
    let last = ((p.total + p.per_page - 1) / p.per_page).max(1);
    let mut pages = Vec::new();
    let mut prev = 0;
    for n in 1..=last {
        if n == 1 || n == last || (n - p.page).abs() <= 2 {
            if n > prev + 1 {
                pages.push(json!({ "gap": true }));
            }
            pages.push(json!({ "n": n, "current": n == p.page, "href": href(n) }));
            prev = n;
        }
    }
    json!({ "range": p.range, "pages": pages })
}

// ---- login -----------------------------------------------------------------------------

/// Only a path on this site: never `//host` or a scheme, so login can't redirect away.
fn safe_next(next: &str) -> String {
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

fn login_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    username: &str,
    next: &str,
    error: bool,
) -> HttpResponse {
    let (lang, from_query) = lang_of(req, None);
    let token = req
        .cookie(csrf::LOGIN_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 64)
        .unwrap_or_else(csrf::random);
    let flash = error.then(|| Flash::error(state.pages.t(lang, "login_failed")));
    let mut data = base_context(
        state,
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
    let mut res = html(state, status, "login", data);
    let _ = res.add_cookie(&cookie(state, csrf::LOGIN_COOKIE, token, CookieAge::hours(2)));
    if from_query {
        let _ = res.add_cookie(&cookie(state, LANG_COOKIE, lang.as_str().into(), CookieAge::days(365)));
    }
    res
}

pub async fn login_form(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let next = param(&query_pairs(&req), "next").unwrap_or(HOME).to_string();
    login_page(&state, &req, StatusCode::OK, "", &next, false)
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
    let name = username.clone();
    match state.db.read(move |c| auth::authenticate(c, &name, &password)).await {
        Ok(user) => match state.jwt.issue(&user.auth()) {
            Ok(token) => {
                let mut res = see_other(&next);
                let age = CookieAge::hours(state.config.token_ttl_hours);
                let _ = res.add_cookie(&cookie(&state, SESSION_COOKIE, token, age));
                let _ = res.add_removal_cookie(&cookie(&state, csrf::LOGIN_COOKIE, String::new(), CookieAge::ZERO));
                res
            }
            Err(e) => {
                tracing::error!(error = %e, "issuing a session failed");
                bare_error(&req, StatusCode::INTERNAL_SERVER_ERROR, "error_title", "error_text")
            }
        },
        Err(AppError::Unauthorized(_)) => login_page(&state, &req, StatusCode::UNAUTHORIZED, &username, &next, true),
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            bare_error(&req, StatusCode::SERVICE_UNAVAILABLE, "error_title", "error_text")
        }
    }
}

pub async fn logout(state: web::Data<AppState>, _s: Session, _form: CsrfForm) -> HttpResponse {
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

// ---- dashboards ------------------------------------------------------------------------

struct Cell {
    text: String,
    href: Option<String>,
    num: bool,
}

/// The `<tr>`s of a list page. The one table body built in Rust, not in the template:
/// handlebars' `#each` clones every row and cell into its block context, which made a
/// 50-row page cost ~3 ms to render, ten times its SQL (`scripts/bench`). Every text
/// goes through the same HTML escaping as `{{x}}` does.
fn table_rows(rows: &[Vec<Cell>], labels: &[String]) -> String {
    let esc = handlebars::html_escape;
    let labels: Vec<String> = labels.iter().map(|l| esc(l)).collect();
    let mut out = String::with_capacity(rows.len() * 1024);
    for cells in rows {
        out.push_str("<tr>");
        for (c, label) in cells.iter().zip(&labels) {
            out.push_str("<td data-label=\"");
            out.push_str(label);
            out.push_str(if c.num { "\" class=\"num\">" } else { "\">" });
            match &c.href {
                Some(href) => {
                    out.push_str("<a href=\"");
                    out.push_str(&esc(href));
                    out.push_str("\">");
                    out.push_str(&esc(&c.text));
                    out.push_str("</a>");
                }
                None => out.push_str(&esc(&c.text)),
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: None,
        num: false,
    }
}

fn num(n: i32) -> Cell {
    Cell {
        text: n.to_string(),
        href: None,
        num: true,
    }
}

fn linked(text: impl Into<String>, href: String) -> Cell {
    Cell {
        text: text.into(),
        href: Some(href),
        num: false,
    }
}

fn shared_cells(lang: Lang, r: &dashboards::SharedOrderRow) -> Vec<Cell> {
    vec![
        cell(format!("{} {}", r.primary_authority_number, r.primary_authority_name)),
        cell(&r.responsible_consultant),
        cell(&r.coordinator),
        cell(r.coordinator_external.clone().unwrap_or_default()),
        cell(&r.occupation),
        // Linked too: on a narrow screen the title column is off to the right.
        linked(&r.request_id, format!("/orders/{}", r.id)),
        cell(&r.order_type),
        linked(&r.title, format!("/orders/{}", r.id)),
        cell(&r.company_name),
        cell(fmt_date(r.start_date, lang)),
        num(r.vacancies),
        num(r.referred),
    ]
}

fn my_order_cells(state: &AppState, lang: Lang, r: &dashboards::MyOrderRow) -> Vec<Cell> {
    vec![
        linked(&r.title, format!("/orders/{}", r.id)),
        cell(&r.occupation),
        cell(&r.request_id),
        cell(&r.company_name),
        cell(fmt_date(r.start_date, lang)),
        cell(r.end_date.map(|d| fmt_date(d, lang)).unwrap_or_default()),
        num(r.vacancies),
        num(r.referred),
        cell(fmt_time(r.created_at, lang)),
        cell(fmt_time(r.updated_at, lang)),
        cell(state.pages.t(lang, &format!("status_{}", r.status))),
    ]
}

fn my_referral_cells(state: &AppState, lang: Lang, r: &dashboards::MyReferralRow) -> Vec<Cell> {
    vec![
        linked(&r.order_title, format!("/orders/{}#referral-{}", r.order_id, r.id)),
        cell(&r.company_name),
        cell(&r.candidate_name),
        cell(state.pages.t(lang, &format!("state_{}", r.state))),
        cell(fmt_time(r.created_at, lang)),
        cell(&r.created_by_name),
    ]
}

/// One list page: the same query function as the API, and its rows as cells.
fn list_rows(
    state: &AppState,
    conn: &mut DbConn,
    user: &AuthUser,
    lang: Lang,
    list: List,
    p: &Params,
) -> AppResult<Page<Vec<Cell>>> {
    fn cells<R>(page: Page<R>, f: impl Fn(&R) -> Vec<Cell>) -> Page<Vec<Cell>> {
        let items = page.items.iter().map(f).collect();
        Page {
            items,
            total: page.total,
            page: page.page,
            per_page: page.per_page,
            range: page.range,
        }
    }
    Ok(match list {
        List::SharedOrders => cells(dashboards::shared_orders(conn, user, p)?, |r| shared_cells(lang, r)),
        List::MyOrders => cells(dashboards::my_orders(conn, user, p)?, |r| {
            my_order_cells(state, lang, r)
        }),
        List::MyReferrals => cells(dashboards::my_referrals(conn, user, p)?, |r| {
            my_referral_cells(state, lang, r)
        }),
    })
}

async fn dashboard(state: web::Data<AppState>, s: Session, list: List) -> HttpResponse {
    let lq: ListQuery =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&s.query).unwrap_or_default()).unwrap_or_default();
    // A bad sort or page in a hand-edited link shows the default list and says why.
    let (params, refusal) = match Params::parse(list, &lq) {
        Ok(p) => (p, None),
        Err(e) => match Params::parse(list, &ListQuery::default()) {
            Ok(p) => (p, Some(Flash::error(describe(&state, s.lang, &e)))),
            Err(e) => return fail(&state, &s, e),
        },
    };
    let wide = s.param("wide") == Some("1");
    let (user, lang, p) = (s.user.clone(), s.lang, params.clone());
    let st = state.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, list_rows(&st, c, &user, lang, list, &p)?)))
        .await;
    let (me, rows) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e),
    };
    let path = format!("/dashboard/{}", list.slug());
    let dir = |desc: bool| if desc { "desc" } else { "asc" }.to_string();
    let wide_s = if wide { "1".to_string() } else { String::new() };
    // Every link keeps the search, the sort, the page size and the width.
    let href = |sort: &str, desc: bool, page: i64, wide: &str| {
        link(
            &path,
            &[
                ("q", params.q.clone()),
                ("sort", sort.to_string()),
                ("dir", dir(desc)),
                ("page", if page > 1 { page.to_string() } else { String::new() }),
                (
                    "per_page",
                    if params.per_page != dashboards::DEFAULT_PER_PAGE {
                        params.per_page.to_string()
                    } else {
                        String::new()
                    },
                ),
                ("wide", wide.to_string()),
            ],
        )
    };
    let t = |k: &str| state.pages.t(lang, k);
    let columns: Vec<Value> = list
        .columns()
        .iter()
        .map(|col| {
            let active = *col == params.sort;
            // A click sorts by the column; a click on the sorted column turns it around.
            let next_desc = active && !params.desc;
            json!({
                "label": t(&format!("col_{col}")),
                "href": href(col, next_desc, 1, &wide_s),
                "active": active,
                "arrow": if params.desc { "▼" } else { "▲" },
                "aria": if params.desc { "descending" } else { "ascending" },
            })
        })
        .collect();
    let labels: Vec<String> = list.columns().iter().map(|c| t(&format!("col_{c}"))).collect();
    let rows_html = table_rows(&rows.items, &labels);
    let csv_href = link(
        &format!("/api/v1/dashboard/{}", list.slug()),
        &[
            ("format", "csv".to_string()),
            ("q", params.q.clone()),
            ("sort", params.sort.to_string()),
            ("dir", dir(params.desc)),
            ("page", params.page.to_string()),
            ("per_page", params.per_page.to_string()),
        ],
    );
    let mut keep = vec![
        json!({ "name": "sort", "value": params.sort }),
        json!({ "name": "dir", "value": dir(params.desc) }),
    ];
    if params.per_page != dashboards::DEFAULT_PER_PAGE {
        keep.push(json!({ "name": "per_page", "value": params.per_page }));
    }
    if wide {
        keep.push(json!({ "name": "wide", "value": "1" }));
    }
    let heading = t(match list {
        List::SharedOrders => "nav_shared",
        List::MyOrders => "nav_my_orders",
        List::MyReferrals => "nav_my_referrals",
    });
    let ctx = json!({
        "heading": heading,
        "action": path,
        "q": params.q,
        "keep": keep,
        "columns": columns,
        "ncols": labels.len(),
        "rows_html": rows_html,
        "pager": pager(&rows, |n| href(params.sort, params.desc, n, &wide_s)),
        "csv_href": csv_href,
        "wide_href": href(params.sort, params.desc, params.page, if wide { "" } else { "1" }),
    });
    let flash = refusal.as_ref().or(s.flash.as_ref());
    page_with_flash(&state, &s, StatusCode::OK, "dashboard", &me, list.slug(), ctx, flash)
}

pub async fn shared_orders(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::SharedOrders).await
}

pub async fn my_orders(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::MyOrders).await
}

pub async fn my_referrals(state: web::Data<AppState>, s: Session) -> HttpResponse {
    dashboard(state, s, List::MyReferrals).await
}

// ---- the order page ------------------------------------------------------------------

fn field(label: String, value: impl Into<String>) -> Value {
    json!({ "label": label, "value": value.into() })
}

/// The fields shown of an order: the shared ones from `SharedOrder`, and the private ones
/// only from the owner's projection. Built from `OrderView`, so nothing else can leak.
fn order_fields(state: &AppState, lang: Lang, view: &OrderView) -> (Value, Vec<Value>, Option<Vec<Value>>) {
    let t = |k: &str| state.pages.t(lang, k);
    let o = view.shared();
    let occupation = match &o.occupation_code {
        Some(code) => format!("{} ({code})", o.occupation),
        None => o.occupation.clone(),
    };
    let fields = vec![
        field(
            t("col_primary_authority"),
            format!(
                "{} {} {}",
                o.primary_authority.authority_type, o.primary_authority.authority_number, o.primary_authority.name
            ),
        ),
        field(t("col_responsible_consultant"), &o.responsible_consultant_name),
        field(t("col_coordinator"), &o.coordinator_name),
        field(
            t("col_coordinator_external"),
            o.coordinator_external.clone().unwrap_or_default(),
        ),
        field(t("coordinator_allowed"), yes_no(state, lang, o.coordinator_allowed)),
        field(t("col_occupation"), occupation),
        field(t("col_request_id"), &o.request_id),
        field(t("col_type"), &o.order_type),
        field(t("col_company_name"), &o.company_name),
        field(t("col_start_date"), fmt_date(o.start_date, lang)),
        field(
            t("col_end_date"),
            o.end_date.map(|d| fmt_date(d, lang)).unwrap_or_default(),
        ),
        field(t("col_vacancies"), o.vacancies.to_string()),
        field(t("col_referred"), o.referred.to_string()),
        field(t("col_status"), t(&format!("status_{}", o.status))),
        field(t("col_created_at"), fmt_time(o.created_at, lang)),
        field(t("col_updated_at"), fmt_time(o.updated_at, lang)),
        field(
            t("sent_to_portal_at"),
            o.sent_to_portal_at
                .map_or_else(|| t("not_sent"), |at| fmt_time(at, lang)),
        ),
    ];
    let private = match view {
        OrderView::Owner(owner) => Some(vec![
            field(t("employer_email"), owner.employer_email.clone().unwrap_or_default()),
            field(t("qualifications_and_pay"), &owner.qualifications_and_pay),
            field(t("working_hours"), &owner.working_hours),
        ]),
        OrderView::Shared(_) => None,
    };
    let head = json!({
        "id": o.id,
        "title": o.title,
        "status": o.status,
        "status_label": t(&format!("status_{}", o.status)),
        "task_description": o.task_description,
    });
    (head, fields, private)
}

pub async fn order_page(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    // Bounded, so the offset can't overflow; a page past the end is simply empty.
    let np = s
        .param("np")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let (user, lang) = (s.user.clone(), s.lang);
    let st = state.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let view = orders::view(c, &user, id)?;
            // The full record decides which buttons work; only `view` reaches the page.
            let (order, access) = orders::load_visible(c, &user, id)?;
            let owner = access == orders::Access::Owner;
            let notified = sharing::notified(c, &user, id, np, sharing::NOTIFIED_PER_PAGE)?;
            let shares = sharing::shares_of(c, id)?;
            let refs = referrals::of_order(c, &user, id)?;
            let can_refer = order.is_open() && !shares.is_empty();
            let candidates = if can_refer {
                candidates::list(c, &user, "", true)?
            } else {
                Vec::new()
            };
            // Suggestions: my centre's best-fitting consenting candidates, to refer in one go.
            let matches = if can_refer {
                matching::candidates_for_order(c, &user, id, 20, matching::DEFAULT_RADIUS_KM)?
            } else {
                Vec::new()
            };
            let networks: Vec<String> = if owner && order.is_open() {
                sharing::list_networks(c)?
                    .into_iter()
                    .map(|n| n.name)
                    .filter(|n| !shares.contains(n))
                    .collect()
            } else {
                Vec::new()
            };
            let history = if owner {
                audit::history(c, "job_order", id.0, 200)?
            } else {
                Vec::new()
            };
            let t = |k: &str| st.pages.t(lang, k);
            let referrals: Vec<Value> = refs
                .iter()
                .map(|r| {
                    let actions = referrals::available_actions(&user, &order, r);
                    let has = |a: Action| actions.contains(&a);
                    json!({
                        "id": r.id,
                        "candidate": r.candidate.name,
                        "state": r.state.as_str(),
                        "state_label": t(&format!("state_{}", r.state.as_str())),
                        "created": fmt_time(r.created_at, lang),
                        "created_by": r.created_by_name,
                        "reason": r.reason,
                        "actions": {
                            "approve": has(Action::Approve),
                            "reject": has(Action::Reject),
                            "send": has(Action::Send),
                            "withdraw": has(Action::Withdraw),
                        },
                    })
                })
                .collect();
            let history: Vec<Value> = history
                .into_iter()
                .map(|h| {
                    let key = format!("audit_{}", h.action);
                    let action = if st.pages.labels(lang).contains_key(&key) {
                        t(&key)
                    } else {
                        h.action.clone()
                    };
                    json!({
                        "at": fmt_time(h.at, lang),
                        "action": action,
                        "actor": h.actor.unwrap_or_default(),
                        "detail": if h.detail == "{}" { String::new() } else { h.detail },
                    })
                })
                .collect();
            let (head, fields, private) = order_fields(&st, lang, &view);
            let open = order.is_open();
            let np_link = |n: i64| link(&format!("/orders/{}", id), &[("np", n.to_string())]) + "#notified";
            Ok((
                me,
                json!({
                    "order": head,
                    "fields": fields,
                    "private": private,
                    "owner": owner,
                    "open": open,
                    "can_edit": owner && open,
                    "can_close": owner && open,
                    "can_send_to_portal": owner && open && view.shared().sent_to_portal_at.is_none(),
                    "sent_to_portal": view.shared().sent_to_portal_at.is_some(),
                    "share_networks": networks,
                    "shares": shares,
                    "notified": {
                        "items": notified.items,
                        "range": notified.range,
                        "pages": pager(&notified, np_link)["pages"],
                    },
                    "referrals": referrals,
                    "can_refer": can_refer,
                    "candidates": candidates.iter().map(|c| json!({ "id": c.id, "name": c.name })).collect::<Vec<_>>(),
                    "matches": matches,
                    "history": history,
                }),
            ))
        })
        .await;
    match result {
        Ok((me, ctx)) => page(&state, &s, StatusCode::OK, "order", &me, "", ctx),
        Err(e) => fail(&state, &s, e),
    }
}

/// Runs a change in one write transaction and goes back to `back` with its outcome.
async fn change<F>(state: &web::Data<AppState>, s: &Session, back: &str, f: F) -> HttpResponse
where
    F: FnOnce(&mut DbConn, &Mail, &AuthUser) -> AppResult<String> + Send + 'static,
{
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state.db.write(move |c| f(c, &mail, &user)).await;
    outcome(state, s, back, result)
}

pub async fn send_to_portal(
    state: web::Data<AppState>,
    s: Session,
    id: web::Path<String>,
    _f: CsrfForm,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let text = state.pages.t(s.lang, "ok_sent_to_portal");
    change(&state, &s, &format!("/orders/{id}"), move |c, _, u| {
        orders::send_to_portal(c, u, id).map(|_| text)
    })
    .await
}

pub async fn close_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, _f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let text = state.pages.t(s.lang, "ok_closed");
    change(&state, &s, &format!("/orders/{id}"), move |c, _, u| {
        orders::close(c, u, id).map(|_| text)
    })
    .await
}

pub async fn share(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let network = f.0.get("network").to_string();
    let text = state.pages.t(s.lang, "ok_shared");
    change(&state, &s, &format!("/orders/{id}#shares"), move |c, mail, u| {
        let r = sharing::share_and_notify(c, mail, u, id, &network)?;
        let names: Vec<&str> = r.newly_notified.iter().map(|c| c.name.as_str()).collect();
        Ok(format!(
            "{text} {}",
            if names.is_empty() { "-".into() } else { names.join(", ") }
        ))
    })
    .await
}

pub async fn refer(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let back = format!("/orders/{id}#referrals");
    let Some(candidate) = parse_id(f.0.get("candidate_id").trim()).map(CandidateId) else {
        let e = AppError::invalid("candidate_id", "choose a candidate");
        return outcome(&state, &s, &back, Err(e));
    };
    let text = state.pages.t(s.lang, "ok_referred");
    change(&state, &s, &back, move |c, mail, u| {
        referrals::create(c, mail, u, id, candidate).map(|_| text)
    })
    .await
}

/// Refers the ticked candidates of the suggestion list, each through the same rules.
pub async fn bulk_refer(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let back = format!("/orders/{id}#referrals");
    let ids: Vec<CandidateId> = f.0.ticked("c_").into_iter().map(CandidateId).collect();
    let results = match matching::bulk_refer(&state, &s.user, id, ids).await {
        Ok(r) => r,
        Err(e) => return outcome(&state, &s, &back, Err(e)),
    };
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused: Vec<String> = results.iter().filter_map(|r| r.error.clone()).collect();
    let mut text = format!("{} {created}.", state.pages.t(s.lang, "ok_bulk_referred"));
    if !refused.is_empty() {
        text = format!(
            "{text} {} {}",
            state.pages.t(s.lang, "bulk_refused"),
            refused.join("; ")
        );
    }
    let flash = if created > 0 {
        Flash::ok(text)
    } else {
        Flash::error(text)
    };
    redirect_flash(&state, &back, flash)
}

/// The shared orders that fit one of my candidates, best first.
pub async fn candidate_matches(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let cand = candidates::load_own(c, &user, id)?;
            let items = matching::orders_for_candidate(c, &user, id, 50, matching::DEFAULT_RADIUS_KM)?;
            Ok((
                me,
                json!({ "candidate": { "id": cand.id, "name": cand.name }, "matches": items }),
            ))
        })
        .await;
    match result {
        Ok((me, ctx)) => page(&state, &s, StatusCode::OK, "matches", &me, "candidates", ctx),
        Err(e) => fail(&state, &s, e),
    }
}

pub async fn referral_action(
    state: web::Data<AppState>,
    s: Session,
    path: web::Path<(String, String)>,
    f: CsrfForm,
) -> HttpResponse {
    let (rid, action) = path.into_inner();
    let action = match action.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "send" => Action::Send,
        "withdraw" => Action::Withdraw,
        _ => return fail(&state, &s, AppError::NotFound),
    };
    let Some(rid) = parse_id(&rid).map(ReferralId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let back = match parse_id(f.0.get("order")) {
        Some(order) => format!("/orders/{order}#referral-{rid}"),
        None => "/dashboard/my-referrals".to_string(),
    };
    let reason = f.0.opt("reason");
    let text = state.pages.t(s.lang, &format!("ok_{}", action.as_str()));
    change(&state, &s, &back, move |c, mail, u| {
        referrals::apply(c, mail, u, rid, action, reason).map(|_| text)
    })
    .await
}

// ---- order forms -----------------------------------------------------------------------

fn date(f: &Form, name: &str) -> AppResult<Option<NaiveDate>> {
    f.opt(name)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| AppError::invalid(name, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
}

/// The order form as `OrderFields`; the domain validates the rest.
fn fields_from_form(f: &Form) -> AppResult<OrderFields> {
    let vacancies = f
        .get("vacancies")
        .trim()
        .parse::<i32>()
        .map_err(|_| AppError::invalid("vacancies", "must be a whole number"))?;
    let coordinator_id = f
        .opt("coordinator_id")
        .map(|v| {
            v.parse::<i64>()
                .map(UserId)
                .map_err(|_| AppError::invalid("coordinator_id", "must be a user"))
        })
        .transpose()?;
    Ok(OrderFields {
        title: f.get("title").trim().to_string(),
        occupation: f.get("occupation").trim().to_string(),
        occupation_code: f.opt("occupation_code"),
        request_id: f.opt("request_id"),
        company_name: f.get("company_name").trim().to_string(),
        cvr: f.opt("cvr"),
        employer_email: f.opt("employer_email"),
        start_date: date(f, "start_date")?.ok_or_else(|| AppError::invalid("start_date", "is required"))?,
        end_date: date(f, "end_date")?,
        vacancies,
        order_type: f.opt("type").unwrap_or_else(|| "Jobordre".into()),
        responsible_consultant_id: None,
        coordinator_id,
        coordinator_external: f.opt("coordinator_external"),
        coordinator_allowed: f.checked("coordinator_allowed"),
        task_description: f.text("task_description"),
        qualifications_and_pay: f.text("qualifications_and_pay"),
        working_hours: f.text("working_hours"),
        workplace_postcode: f.opt("workplace_postcode"),
    })
}

/// Every field of the form set: what the form shows is what the order becomes.
fn patch_from_fields(o: OrderFields) -> PatchOrder {
    PatchOrder {
        title: Some(o.title),
        occupation: Some(o.occupation),
        occupation_code: Some(o.occupation_code),
        request_id: o.request_id,
        company_name: Some(o.company_name),
        cvr: Some(o.cvr),
        employer_email: Some(o.employer_email),
        start_date: Some(o.start_date),
        end_date: Some(o.end_date),
        vacancies: Some(o.vacancies),
        order_type: Some(o.order_type),
        responsible_consultant_id: None,
        coordinator_id: o.coordinator_id,
        coordinator_external: Some(o.coordinator_external),
        coordinator_allowed: Some(o.coordinator_allowed),
        task_description: Some(o.task_description),
        qualifications_and_pay: Some(o.qualifications_and_pay),
        working_hours: Some(o.working_hours),
        workplace_postcode: Some(o.workplace_postcode),
        other: Default::default(),
    }
}

/// The consultants of the user's centre, for the coordinator select.
fn colleagues(conn: &mut DbConn, user: &AuthUser) -> AppResult<Vec<(UserId, String)>> {
    Ok(users::table
        .filter(users::job_centre_id.eq(user.job_centre_id))
        .filter(users::role.eq("consultant"))
        .select((users::id, users::display_name))
        .order((users::display_name, users::id))
        .load(conn)?)
}

#[allow(clippy::too_many_arguments)]
fn order_form(
    state: &AppState,
    s: &Session,
    status: StatusCode,
    me: &Me,
    heading_key: &str,
    action: String,
    cancel: String,
    values: Value,
    consultants: &[(UserId, String)],
    error: Option<Flash>,
) -> HttpResponse {
    let selected = values
        .get("coordinator_id")
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
        .unwrap_or_else(|| s.user.id.to_string());
    let consultants: Vec<Value> = consultants
        .iter()
        .map(|(id, name)| json!({ "id": id, "name": name, "selected": id.to_string() == selected }))
        .collect();
    let t = |k: &str| state.pages.t(s.lang, k);
    let ctx = json!({
        "heading": t(heading_key),
        "action": action,
        "cancel": cancel,
        "v": values,
        "consultants": consultants,
        "submit": t(if heading_key == "new_order" { "create" } else { "save" }),
    });
    let nav = if heading_key == "new_order" { "new-order" } else { "" };
    let flash = error.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "order_form", me, nav, ctx, flash)
}

pub async fn new_order_form(state: web::Data<AppState>, s: Session) -> HttpResponse {
    let user = s.user.clone();
    match state.db.read(move |c| Ok((me(c, &user)?, colleagues(c, &user)?))).await {
        Ok((me, consultants)) => {
            let v = json!({ "type": "Jobordre", "vacancies": "1", "coordinator_allowed": true });
            order_form(
                &state,
                &s,
                StatusCode::OK,
                &me,
                "new_order",
                "/orders/new".into(),
                HOME.into(),
                v,
                &consultants,
                None,
            )
        }
        Err(e) => fail(&state, &s, e),
    }
}

/// A refused form comes back filled in as typed, with the reason on top.
async fn refused_form(
    state: &web::Data<AppState>,
    s: &Session,
    e: AppError,
    form: &Form,
    edit: Option<JobOrderId>,
) -> HttpResponse {
    let user = s.user.clone();
    let status = e.status();
    let flash = Flash::error(describe(state, s.lang, &e));
    match state.db.read(move |c| Ok((me(c, &user)?, colleagues(c, &user)?))).await {
        Ok((me, consultants)) => {
            let (heading, action, cancel) = match edit {
                Some(id) => ("edit_order", format!("/orders/{id}/edit"), format!("/orders/{id}")),
                None => ("new_order", "/orders/new".into(), HOME.into()),
            };
            let mut values = form.values();
            merge(
                &mut values,
                json!({ "coordinator_allowed": form.checked("coordinator_allowed") }),
            );
            order_form(
                state,
                s,
                status,
                &me,
                heading,
                action,
                cancel,
                values,
                &consultants,
                Some(flash),
            )
        }
        Err(e) => fail(state, s, e),
    }
}

fn is_refusal(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Validation { .. } | AppError::Conflict(_) | AppError::BadRequest(_) | AppError::Forbidden(_)
    )
}

pub async fn create_order(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let result = match fields_from_form(&form) {
        Ok(fields) => {
            let user = s.user.clone();
            state.db.write(move |c| orders::create(c, &user, fields)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(order) => redirect_flash(
            &state,
            &format!("/orders/{}", order.id),
            Flash::ok(state.pages.t(s.lang, "ok_order_created")),
        ),
        Err(e) if is_refusal(&e) => refused_form(&state, &s, e, &form, None).await,
        Err(e) => fail(&state, &s, e),
    }
}

pub async fn edit_order_form(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let o = orders::load_owned(c, &user, id)?;
            let cvr: Option<String> = companies::table.find(o.company_id).select(companies::cvr).first(c)?;
            Ok((me(c, &user)?, colleagues(c, &user)?, o, cvr))
        })
        .await;
    match result {
        Ok((me, consultants, o, cvr)) => {
            let v = json!({
                "title": o.title, "occupation": o.occupation, "occupation_code": o.occupation_code,
                "request_id": o.request_id, "company_name": o.company_name, "cvr": cvr,
                "employer_email": o.employer_email, "type": o.order_type,
                "start_date": o.start_date.to_string(), "end_date": o.end_date.map(|d| d.to_string()),
                "vacancies": o.vacancies.to_string(), "coordinator_id": o.coordinator_id.to_string(),
                "coordinator_external": o.coordinator_external, "coordinator_allowed": o.coordinator_allowed,
                "task_description": o.task_description, "qualifications_and_pay": o.qualifications_and_pay,
                "working_hours": o.working_hours,
            });
            order_form(
                &state,
                &s,
                StatusCode::OK,
                &me,
                "edit_order",
                format!("/orders/{id}/edit"),
                format!("/orders/{id}"),
                v,
                &consultants,
                None,
            )
        }
        Err(e) => fail(&state, &s, e),
    }
}

pub async fn update_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let form = f.0;
    let result = match fields_from_form(&form) {
        Ok(fields) => {
            let user = s.user.clone();
            let patch = patch_from_fields(fields);
            state.db.write(move |c| orders::update(c, &user, id, patch)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_flash(
            &state,
            &format!("/orders/{id}"),
            Flash::ok(state.pages.t(s.lang, "ok_order_saved")),
        ),
        Err(e) if is_refusal(&e) => refused_form(&state, &s, e, &form, Some(id)).await,
        Err(e) => fail(&state, &s, e),
    }
}

// ---- candidates ------------------------------------------------------------------------

async fn candidates_view(
    state: &web::Data<AppState>,
    s: &Session,
    status: StatusCode,
    values: Value,
    error: Option<Flash>,
) -> HttpResponse {
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, candidates::list(c, &user, "", false)?)))
        .await;
    let (me, list) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e),
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let rows: Vec<Value> = list
        .iter()
        .map(|c| {
            let consent = match (c.consent_given_at, c.consent_revoked_at) {
                (_, Some(at)) => format!("{} {}", t("consent_revoked"), fmt_time(at, s.lang)),
                (Some(at), None) => format!("{} {}", t("consent_given"), fmt_time(at, s.lang)),
                (None, None) => t("consent_none"),
            };
            json!({
                "id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "postcode": c.postcode,
                "consent": consent, "has_consent": c.has_consent(),
            })
        })
        .collect();
    let ctx = json!({ "heading": t("candidates"), "candidates": rows, "v": values });
    let flash = error.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "candidates", &me, "candidates", ctx, flash)
}

pub async fn candidates_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    candidates_view(&state, &s, StatusCode::OK, json!({}), None).await
}

pub async fn create_candidate(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let input = CreateCandidate {
        name: form.get("name").trim().to_string(),
        email: form.opt("email"),
        phone: form.opt("phone"),
        postcode: form.opt("postcode"),
        latitude: None,
        longitude: None,
        occupations: form
            .opt("occupations")
            .map(|o| {
                o.split(',')
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    };
    let user = s.user.clone();
    match state.db.write(move |c| candidates::create(c, &user, input)).await {
        Ok(_) => redirect_flash(
            &state,
            "/candidates",
            Flash::ok(state.pages.t(s.lang, "ok_candidate_created")),
        ),
        Err(e) if is_refusal(&e) => {
            let flash = Flash::error(describe(&state, s.lang, &e));
            candidates_view(&state, &s, e.status(), form.values(), Some(flash)).await
        }
        Err(e) => fail(&state, &s, e),
    }
}

pub async fn give_consent(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let input = candidates::ConsentInput {
        share_email: f.0.checked("share_email"),
        share_phone: f.0.checked("share_phone"),
    };
    let text = state.pages.t(s.lang, "ok_consent");
    change(&state, &s, &format!("/candidates#candidate-{id}"), move |c, _, u| {
        candidates::give_consent(c, u, id, input).map(|_| text)
    })
    .await
}

pub async fn revoke_consent(
    state: web::Data<AppState>,
    s: Session,
    id: web::Path<String>,
    _f: CsrfForm,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound);
    };
    let text = state.pages.t(s.lang, "ok_revoke");
    change(&state, &s, &format!("/candidates#candidate-{id}"), move |c, mail, u| {
        candidates::revoke_consent(c, mail, u, id).map(|(_, n)| format!("{text} {n}"))
    })
    .await
}

/// The page routes (no `/api` prefix).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/static/app.css", web::get().to(stylesheet))
        .route("/login", web::get().to(login_form))
        .route("/login", web::post().to(login_submit))
        .route("/logout", web::post().to(logout))
        .route("/dashboard/shared-orders", web::get().to(shared_orders))
        .route("/dashboard/my-orders", web::get().to(my_orders))
        .route("/dashboard/my-referrals", web::get().to(my_referrals))
        .route("/orders/new", web::get().to(new_order_form))
        .route("/orders/new", web::post().to(create_order))
        .route("/orders/{id}", web::get().to(order_page))
        .route("/orders/{id}/edit", web::get().to(edit_order_form))
        .route("/orders/{id}/edit", web::post().to(update_order))
        .route("/orders/{id}/send-to-portal", web::post().to(send_to_portal))
        .route("/orders/{id}/close", web::post().to(close_order))
        .route("/orders/{id}/share", web::post().to(share))
        .route("/orders/{id}/referrals", web::post().to(refer))
        .route("/orders/{id}/referrals/bulk", web::post().to(bulk_refer))
        .route("/candidates/{id}/matches", web::get().to(candidate_matches))
        .route("/referrals/{id}/{action}", web::post().to(referral_action))
        .route("/candidates", web::get().to(candidates_page))
        .route("/candidates", web::post().to(create_candidate))
        .route("/candidates/{id}/consent", web::post().to(give_consent))
        .route("/candidates/{id}/revoke", web::post().to(revoke_consent));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn copenhagen_follows_eu_summer_time() {
        // 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(copenhagen(utc("2026-01-15 12:00")), utc("2026-01-15 13:00"));
        assert_eq!(copenhagen(utc("2026-03-29 00:59")), utc("2026-03-29 01:59"));
        assert_eq!(copenhagen(utc("2026-03-29 01:00")), utc("2026-03-29 03:00"));
        assert_eq!(copenhagen(utc("2026-10-25 00:59")), utc("2026-10-25 02:59"));
        assert_eq!(copenhagen(utc("2026-10-25 01:00")), utc("2026-10-25 02:00"));
    }

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
    fn flash_round_trip() {
        let f = Flash::error("Kan ikke udføres: \"x\" ; <b>");
        assert_eq!(Flash::decode(&f.encode()), Some(f.clone()));
        assert!(f.encode().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(Flash::decode("xzz"), None);
        assert_eq!(Flash::decode("o1"), None);
    }

    #[test]
    fn table_rows_escape_every_text_like_the_templates() {
        let rows = vec![vec![
            Cell {
                text: "<b>\"Kok\" & co</b>".into(),
                href: Some("/orders/1?a=1&b=\"x\"".into()),
                num: false,
            },
            Cell {
                text: "3".into(),
                href: None,
                num: true,
            },
        ]];
        let labels = ["Titel <i>".to_string(), "Antal".to_string()];
        assert_eq!(
            table_rows(&rows, &labels),
            "<tr><td data-label=\"Titel &lt;i&gt;\"><a href=\"/orders/1?a&#x3D;1&amp;b&#x3D;&quot;x&quot;\">\
             &lt;b&gt;&quot;Kok&quot; &amp; co&lt;/b&gt;</a></td><td data-label=\"Antal\" class=\"num\">3</td></tr>\n"
        );
        assert_eq!(table_rows(&[], &labels), "");
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
        for s in referrals::State::ALL {
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

    #[test]
    fn pager_shows_ends_and_neighbours() {
        let p: Page<i32> = Page::new(vec![1; 50], 1000, 10, 50);
        let v = pager(&p, |n| n.to_string());
        let shown: Vec<String> = v["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["n"].as_i64().map_or("…".into(), |n| n.to_string()))
            .collect();
        assert_eq!(shown, ["1", "…", "8", "9", "10", "11", "12", "…", "20"]);
        assert_eq!(v["range"], "451 - 500 af 1.000");
    }
}
