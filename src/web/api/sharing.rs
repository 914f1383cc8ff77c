//! Sharing over JSON: shares of an order, notified centres, networks and their members.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::domain::actor::AuthUser;
use crate::domain::orders;
use crate::domain::sharing::{
    add_member, create_centre, create_network, list_networks, notified, remove_member, share_and_notify, shares_of,
    unshare, NOTIFIED_PER_PAGE,
};
use crate::error::AppResult;
use crate::ids::JobOrderId;
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -----------------------------------------------------------------

#[derive(Deserialize)]
pub struct ShareInput {
    pub network: String,
}

pub async fn share_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    body: Json<ShareInput>,
) -> AppResult<HttpResponse> {
    let (id, network) = (id.into_inner(), body.into_inner().network);
    let mail = state.mail.clone();
    let r = state
        .db
        .write(move |c| share_and_notify(c, &mail, &user, id, &network))
        .await?;
    Ok(HttpResponse::Created().json(r))
}

pub async fn unshare_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(JobOrderId, String)>,
) -> AppResult<HttpResponse> {
    let (id, network) = path.into_inner();
    state.db.write(move |c| unshare(c, &user, id, &network)).await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn shares_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let nets = state
        .db
        .read(move |c| {
            orders::load_visible(c, &user, id)?;
            shares_of(c, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "networks": nets })))
}

#[derive(Deserialize)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

pub async fn notified_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<JobOrderId>,
    q: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    // No page beyond what an i64 offset can express.
    let page = q.page.unwrap_or(1).clamp(1, i64::MAX / 200);
    let per_page = q.per_page.unwrap_or(NOTIFIED_PER_PAGE).clamp(1, 200);
    let p = state.db.read(move |c| notified(c, &user, id, page, per_page)).await?;
    Ok(HttpResponse::Ok().json(p))
}

pub async fn networks_handler(state: web::Data<AppState>, _user: AuthUser) -> AppResult<HttpResponse> {
    let nets = state.db.read(list_networks).await?;
    Ok(HttpResponse::Ok().json(json!({ "items": nets })))
}

#[derive(Deserialize)]
pub struct NameInput {
    pub name: String,
}

pub async fn create_network_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NameInput>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage networks and job centres")?;
    let name = body.into_inner().name;
    let id = state.db.write(move |c| create_network(c, Some(&user), &name)).await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}

#[derive(Deserialize)]
pub struct MemberInput {
    pub authority_number: String,
}

pub async fn add_member_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    name: web::Path<String>,
    body: Json<MemberInput>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage networks and job centres")?;
    let (name, number) = (name.into_inner(), body.into_inner().authority_number);
    state
        .db
        .write(move |c| add_member(c, Some(&user), &name, &number))
        .await?;
    Ok(HttpResponse::Created().json(json!({ "ok": true })))
}

pub async fn remove_member_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage networks and job centres")?;
    let (name, number) = path.into_inner();
    state
        .db
        .write(move |c| remove_member(c, Some(&user), &name, &number))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize)]
pub struct CentreInput {
    pub authority_number: String,
    pub name: String,
}

pub async fn create_centre_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<CentreInput>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage networks and job centres")?;
    let b = body.into_inner();
    let id = state
        .db
        .write(move |c| create_centre(c, Some(&user), &b.authority_number, &b.name))
        .await?;
    Ok(HttpResponse::Created().json(json!({ "id": id })))
}
