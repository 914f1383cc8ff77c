//! The administrator's network pages: every network with its member centres, a new network,
//! adding a member, and removing one after a confirmation page that says what the centre
//! loses. Over the same domain functions as `/api/v1/networks`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::sharing;
use crate::error::AppError;
use crate::web::flash::Flash;
use crate::web::render::{
    admin_only, change, describe, fail, invalid_field, is_refusal, me, page, page_with_flash, Status,
};
use crate::web::session::{CsrfForm, Session};
use crate::web::state::AppState;

/// A network name as one path segment: everything but the unreserved characters escaped
/// (a name may hold spaces or a slash).
fn segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The networks page; a refused new network comes back with its name and the reason.
async fn networks_view(state: &web::Data<AppState>, s: &Session, name: &str, error: Option<AppError>) -> HttpResponse {
    if let Err(e) = admin_only(state, s) {
        return fail(state, s, e).await;
    }
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, sharing::list_networks(c)?, sharing::centres(c)?)))
        .await;
    let (me, networks, centres) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let networks: Vec<Value> = networks
        .iter()
        .map(|n| {
            let seg = segment(&n.name);
            let members: Vec<Value> = n
                .members
                .iter()
                .map(|m| {
                    json!({ "authority_number": m.authority_number, "name": m.name,
                            "remove": format!("/admin/networks/{seg}/members/{}/remove", segment(&m.authority_number)) })
                })
                .collect();
            // Only the centres not in the network yet can be added.
            let addable: Vec<Value> = centres
                .iter()
                .filter(|c| !n.members.iter().any(|m| m.id == c.id))
                .map(|c| json!({ "authority_number": c.authority_number, "name": c.name }))
                .collect();
            json!({ "id": n.id, "name": n.name, "members": members, "addable": addable,
                    "add": format!("/admin/networks/{seg}/members") })
        })
        .collect();
    let status = error.as_ref().map_or(StatusCode::OK, Status::status);
    let invalid = error.as_ref().map_or(Value::Null, |e| invalid_field(state, s, e));
    let flash = error.as_ref().map(|e| Flash::error(describe(state, s.lang, e)));
    let ctx = json!({
        "heading": state.pages.t(s.lang, "networks_title"),
        "admin_tab": "networks",
        "networks": networks,
        "new_name": name,
        // A name refused for being taken is marked too.
        "name_invalid": error.is_some(),
        "invalid": invalid,
        "error_text": flash.as_ref().map(|f| f.text.clone()),
    });
    let flash = flash.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "admin_networks", &me, "admin", ctx, flash)
}

pub async fn networks_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    networks_view(&state, &s, "", None).await
}

pub async fn create_network(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let name = f.0.get("name").to_string();
    let (user, n) = (s.user.clone(), name.clone());
    match state
        .db
        .write(move |c| sharing::create_network(c, Some(&user), &n))
        .await
    {
        Ok(_) => {
            let text = state.pages.t(s.lang, "ok_network_created");
            crate::web::respond::redirect_flash(&state, "/admin/networks", Flash::ok(text))
        }
        Err(e) if is_refusal(&e) => networks_view(&state, &s, &name, Some(e)).await,
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn add_member(state: web::Data<AppState>, s: Session, name: web::Path<String>, f: CsrfForm) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let (name, number) = (name.into_inner(), f.0.get("authority_number").to_string());
    let text = state.pages.t(s.lang, "ok_member_added");
    change(&state, &s, "/admin/networks", move |c, _, u| {
        sharing::add_member(c, Some(u), &name, &number).map(|()| text)
    })
    .await
}

/// The confirmation page of removing a member: what the centre loses, and the button.
pub async fn remove_confirm(state: web::Data<AppState>, s: Session, path: web::Path<(String, String)>) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let (network, number) = path.into_inner();
    let user = s.user.clone();
    let (net, num) = (network.clone(), number.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let centre = sharing::list_networks(c)?
                .into_iter()
                .find(|n| n.name == net)
                .and_then(|n| n.members.into_iter().find(|m| m.authority_number == num))
                .ok_or(AppError::NotFound)?;
            Ok((me, centre))
        })
        .await;
    let (me, centre) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let ctx = json!({
        "heading": t("remove_member_title"),
        "admin_tab": "networks",
        "action": format!("/admin/networks/{}/members/{}/remove", segment(&network), segment(&number)),
        "subject": format!("{} {} ({} {network})", centre.authority_number, centre.name, t("network")),
        "text": t("remove_member_text"),
        "confirm": t("remove_member_confirm"),
        "danger": true,
        "back": "/admin/networks",
    });
    page(&state, &s, StatusCode::OK, "admin_confirm", &me, "admin", ctx)
}

pub async fn remove_member(
    state: web::Data<AppState>,
    s: Session,
    path: web::Path<(String, String)>,
    _f: CsrfForm,
) -> HttpResponse {
    if let Err(e) = admin_only(&state, &s) {
        return fail(&state, &s, e).await;
    }
    let (network, number) = path.into_inner();
    let text = state.pages.t(s.lang, "ok_member_removed");
    change(&state, &s, "/admin/networks", move |c, _, u| {
        sharing::remove_member(c, Some(u), &network, &number).map(|()| text)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn a_network_name_is_one_path_segment() {
        assert_eq!(segment("HRS"), "HRS");
        assert_eq!(segment("Region Syd/Vest æ"), "Region%20Syd%2FVest%20%C3%A6");
        assert_eq!(segment("15.300"), "15.300");
    }
}
