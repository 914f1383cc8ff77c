//! Building a page response: the base context, headers, cookies, links and redirects, and an
//! error page for requests that have no session yet.

use actix_web::cookie::time::Duration as CookieAge;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::web::flash::Flash;
use crate::web::state::AppState;
use crate::web::templates::Lang;

pub(crate) const LANG_COOKIE: &str = "staer_lang";

pub(crate) const FLASH_COOKIE: &str = "staer_flash";

pub(crate) const HOME: &str = "/dashboard/shared-orders";

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

pub(crate) fn base_context(
    lang: Lang,
    path: &str,
    query: &[(String, String)],
    flash: Option<&Flash>,
    title: String,
) -> Value {
    json!({
        "lang": lang.as_str(),
        "lang_da": lang_link(path, query, Lang::Da),
        "lang_en": lang_link(path, query, Lang::En),
        "title": title,
        "flash": flash.map(Flash::json),
        "wide": param(query, "wide") == Some("1"),
    })
}

pub(crate) fn html(state: &AppState, lang: Lang, status: StatusCode, template: &str, data: Value) -> HttpResponse {
    let body = match state.pages.render(lang, template, data) {
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

pub(crate) fn query_pairs(req: &HttpRequest) -> Vec<(String, String)> {
    serde_urlencoded::from_str(req.query_string()).unwrap_or_default()
}

pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The page's language: `?lang=` (remembered in a cookie), the cookie, the user's own, Danish.
pub(crate) fn lang_of(req: &HttpRequest, user_lang: Option<&str>) -> (Lang, bool) {
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

/// An error page from outside a handler (extractors), without the user's header.
pub(crate) fn bare_error(req: &HttpRequest, status: StatusCode, title_key: &str, text_key: &str) -> HttpResponse {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return HttpResponse::build(status).finish();
    };
    let (lang, _) = lang_of(req, None);
    let p = &state.pages;
    let ctx = json!({
        "heading": p.t(lang, title_key),
        "text": p.t(lang, text_key),
    });
    let mut data = base_context(lang, req.path(), &query_pairs(req), None, p.t(lang, title_key));
    merge(&mut data, ctx);
    html(state, lang, status, "error", data)
}

/// A page of a no-login link (the employer's, a citizen's order) that says why the link opens
/// nothing, and nothing else.
pub(crate) fn link_notice(
    state: &AppState,
    req: &HttpRequest,
    lang: Lang,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
) -> HttpResponse {
    let p = &state.pages;
    let heading = p.t(lang, title_key);
    let mut data = base_context(lang, req.path(), &query_pairs(req), None, heading.clone());
    merge(&mut data, json!({ "heading": heading, "text": p.t(lang, text_key) }));
    not_indexed(html(state, lang, status, "notice", data))
}

/// A no-login link is a bearer token: its pages are not for search engines.
pub(crate) fn not_indexed(mut res: HttpResponse) -> HttpResponse {
    res.headers_mut().insert(
        header::HeaderName::from_static("x-robots-tag"),
        header::HeaderValue::from_static("noindex, nofollow"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
