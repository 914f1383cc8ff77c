//! The administrator's user pages: the list with search and pages, a new account, disabling
//! and enabling (each confirmed on a page of its own), and setting a new password. Everyone
//! else gets the 403 page. Over the same domain functions as `/api/v1/admin/users`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::users::NewUser;
use crate::domain::{accounts, sharing};
use crate::error::AppError;
use crate::web::flash::Flash;
use crate::web::format::pager;
use crate::web::render::{
    admin_only, describe, fail, invalid_field, is_refusal, me, outcome, page, page_with_flash, Status,
};
use crate::web::respond::{link, redirect_flash};
use crate::web::session::{CsrfForm, Form, Session};
use crate::web::state::AppState;

/// The list and the new-user form; `values`, `invalid` and `error` bring a refused form back.
async fn users_view(
    state: &web::Data<AppState>,
    s: &Session,
    status: StatusCode,
    values: Value,
    invalid: Value,
    error: Option<Flash>,
) -> HttpResponse {
    if let Err(e) = admin_only(state, s) {
        return fail(state, s, e).await;
    }
    let q = s.param("q").unwrap_or("").to_string();
    let page_no = s.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let (user, needle) = (s.user.clone(), q.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let list = accounts::list(c, &user, &needle, page_no)?;
            Ok((me, list, sharing::centres(c)?))
        })
        .await;
    let (me, list, centres) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let chosen = values.get("centre").and_then(Value::as_str).unwrap_or("").to_string();
    let centres: Vec<Value> = centres
        .iter()
        .map(|c| {
            json!({ "authority_number": c.authority_number, "name": c.name,
                    "selected": c.authority_number == chosen })
        })
        .collect();
    let own = s.user.username.clone();
    let users: Vec<Value> = list
        .items
        .iter()
        .map(|u| {
            let mut v = json!(u);
            v["self"] = json!(u.username == own);
            v
        })
        .collect();
    let pager = pager(&list, s.lang, |n| {
        link("/admin/users", &[("q", q.clone()), ("page", n.to_string())])
    });
    let ctx = json!({
        "heading": state.pages.t(s.lang, "admin_users"),
        "admin_tab": "users",
        "q": q,
        "users": users,
        "pager": pager,
        "centres": centres,
        "v": values,
        "invalid": invalid,
    });
    let flash = error.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "admin_users", &me, "admin", ctx, flash)
}

pub async fn users_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    users_view(&state, &s, StatusCode::OK, json!({}), Value::Null, None).await
}

/// A refused form comes back as typed (but for the password), the reason on top and beside
/// its field.
async fn refused(state: &web::Data<AppState>, s: &Session, form: &Form, e: AppError) -> HttpResponse {
    if !is_refusal(&e) {
        return fail(state, s, e).await;
    }
    let mut values = form.values();
    values["password"] = Value::Null;
    values["admin"] = json!(form.checked("admin"));
    let invalid = invalid_field(state, s, &e);
    let flash = Flash::error(describe(state, s.lang, &e));
    users_view(state, s, e.status(), values, invalid, Some(flash)).await
}

pub async fn create_user(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let form = f.0;
    let new = NewUser {
        username: form.get("username").trim().to_string(),
        centre: form.get("centre").trim().to_string(),
        display_name: form.get("display_name").trim().to_string(),
        email: form.get("email").trim().to_string(),
        admin: form.checked("admin"),
    };
    let (n, password) = (new.clone(), form.get("password").to_string());
    let hash = match web::block(move || accounts::check_and_hash(&n, &password)).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(e)) => return refused(&state, &s, &form, e).await,
        Err(e) => return fail(&state, &s, e.into()).await,
    };
    let (user, name) = (s.user.clone(), new.username.clone());
    match state.db.write(move |c| accounts::create(c, &user, &new, &hash)).await {
        Ok(_) => {
            let text = format!("{} {name}", state.pages.t(s.lang, "ok_user_created"));
            redirect_flash(&state, &link("/admin/users", &[("q", name)]), Flash::ok(text))
        }
        Err(e) => refused(&state, &s, &form, e).await,
    }
}

/// The confirmation page of disabling or enabling an account.
pub async fn confirm_page(state: web::Data<AppState>, s: Session, path: web::Path<(String, String)>) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let (username, action) = path.into_inner();
    if action != "disable" && action != "enable" {
        return fail(&state, &s, AppError::NotFound).await;
    }
    let (user, name) = (s.user.clone(), username.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            Ok((me, accounts::find(c, &user, &name)?))
        })
        .await;
    let (me, account) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let ctx = json!({
        "heading": t(&format!("{action}_title")),
        "admin_tab": "users",
        "action": format!("/admin/users/{}/{action}", account.username),
        "subject": format!("{} ({}, {} {})", account.display_name, account.username,
                           account.centre_number, account.centre_name),
        "text": t(&format!("{action}_text")),
        "confirm": t(&format!("{action}_confirm")),
        "danger": action == "disable",
        "back": link("/admin/users", &[("q", account.username.clone())]),
    });
    page(&state, &s, StatusCode::OK, "admin_confirm", &me, "admin", ctx)
}

pub async fn disable(
    state: web::Data<AppState>,
    s: Session,
    username: web::Path<String>,
    _f: CsrfForm,
) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let name = username.into_inner();
    let back = link("/admin/users", &[("q", name.clone())]);
    let text = state.pages.t(s.lang, "ok_user_disabled");
    let user = s.user.clone();
    let result = state.db.write(move |c| accounts::disable(c, Some(&user), &name)).await;
    outcome(&state, &s, &back, result.map(|n| format!("{text} {n}"))).await
}

pub async fn enable(state: web::Data<AppState>, s: Session, username: web::Path<String>, _f: CsrfForm) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let name = username.into_inner();
    let back = link("/admin/users", &[("q", name.clone())]);
    let text = state.pages.t(s.lang, "ok_user_enabled");
    let user = s.user.clone();
    let result = state.db.write(move |c| accounts::enable(c, Some(&user), &name)).await;
    outcome(&state, &s, &back, result.map(|()| text)).await
}

/// The form for a new password, with a refusal beside its field when there is one.
async fn password_view(
    state: &web::Data<AppState>,
    s: &Session,
    username: String,
    error: Option<AppError>,
) -> HttpResponse {
    if let Err(e) = admin_only(state, s) {
        return fail(state, s, e).await;
    }
    let (user, name) = (s.user.clone(), username.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            Ok((me, accounts::find(c, &user, &name)?))
        })
        .await;
    let (me, account) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let status = error.as_ref().map_or(StatusCode::OK, Status::status);
    let invalid = error.as_ref().map_or(Value::Null, |e| invalid_field(state, s, e));
    let flash = error.as_ref().map(|e| Flash::error(describe(state, s.lang, e)));
    let ctx = json!({
        "heading": state.pages.t(s.lang, "reset_title"),
        "admin_tab": "users",
        "username": account.username,
        "subject": format!("{} ({}, {} {})", account.display_name, account.username,
                           account.centre_number, account.centre_name),
        "invalid": invalid,
    });
    page_with_flash(state, s, status, "admin_password", &me, "admin", ctx, flash.as_ref())
}

pub async fn password_page(state: web::Data<AppState>, s: Session, username: web::Path<String>) -> HttpResponse {
    password_view(&state, &s, username.into_inner(), None).await
}

/// Sets the password the administrator typed twice; the user's sessions end.
pub async fn set_password(
    state: web::Data<AppState>,
    s: Session,
    username: web::Path<String>,
    f: CsrfForm,
) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let name = username.into_inner();
    let (password, again) = (f.0.get("password").to_string(), f.0.get("password2").to_string());
    if password != again {
        let e = AppError::invalid("password2", state.pages.t(s.lang, "passwords_differ"));
        return password_view(&state, &s, name, Some(e)).await;
    }
    let hash = match web::block(move || accounts::hash_new_password(&password)).await {
        Ok(Ok(hash)) => hash,
        Ok(Err(e)) if is_refusal(&e) => return password_view(&state, &s, name, Some(e)).await,
        Ok(Err(e)) => return fail(&state, &s, e).await,
        Err(e) => return fail(&state, &s, e.into()).await,
    };
    let back = link("/admin/users", &[("q", name.clone())]);
    let text = state.pages.t(s.lang, "ok_password_set");
    let (user, n) = (s.user.clone(), name.clone());
    let result = state
        .db
        .write(move |c| accounts::set_password(c, Some(&user), &n, &hash))
        .await;
    outcome(&state, &s, &back, result.map(|ended| format!("{text} {ended}"))).await
}
