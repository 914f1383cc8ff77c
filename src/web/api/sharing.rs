//! Sharing over JSON: shares of an order, notified centres, networks and their members.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::actor::AuthUser;
use crate::domain::order::CentreRef;
use crate::domain::orders;
use crate::domain::sharing::{
    add_member, create_centre, create_network, list_networks, notified, remove_member, share_and_notify, shares_of,
    unshare, NetworkView, Page, ShareResult, NOTIFIED_PER_PAGE,
};
use crate::error::{AppResult, ErrorBody};
use crate::ids::JobOrderId;
use crate::web::api::shapes::{Created, Items, OkBody};
use crate::web::json::Json;
use crate::web::state::AppState;

// ---- HTTP handlers -----------------------------------------------------------------

#[derive(Deserialize, ToSchema)]
pub struct ShareInput {
    pub network: String,
}

/// Shares the order with one network and notifies its centres (owner; the order must be on the portal).
#[utoipa::path(post, path = "/orders/{id}/shares", tag = "sharing", params(("id" = i64, Path, description = "The job order")), request_body = ShareInput,
    responses((status = 201, body = ShareResult), (status = 403, description = "Not the owner", body = ErrorBody),
        (status = 409, description = "Not on the portal, or already shared", body = ErrorBody)))]
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

/// Stops sharing the order with a network (owner).
#[utoipa::path(delete, path = "/orders/{id}/shares/{network}", tag = "sharing",
    params(("id" = i64, Path, description = "The job order"), ("network" = String, Path, description = "The network's name")),
    responses((status = 204, description = "No longer shared"), (status = 403, description = "Not the owner", body = ErrorBody)))]
pub async fn unshare_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(JobOrderId, String)>,
) -> AppResult<HttpResponse> {
    let (id, network) = path.into_inner();
    state.db.write(move |c| unshare(c, &user, id, &network)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The networks the order is shared with.
#[utoipa::path(get, path = "/orders/{id}/shares", tag = "sharing", params(("id" = i64, Path, description = "The job order")), responses((status = 200, body = SharesBody)))]
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
    Ok(HttpResponse::Ok().json(SharesBody { networks: nets }))
}

/// The names of the networks an order is shared with.
#[derive(Serialize, ToSchema)]
pub struct SharesBody {
    pub networks: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The centres notified of the order, a page at a time.
#[utoipa::path(get, path = "/orders/{id}/notified", tag = "sharing", params(("id" = i64, Path, description = "The job order"), PageQuery),
    responses((status = 200, body = Page<CentreRef>)))]
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

/// Every network and its member centres.
#[utoipa::path(get, path = "/networks", tag = "sharing", responses((status = 200, body = Items<NetworkView>)))]
pub async fn networks_handler(state: web::Data<AppState>, _user: AuthUser) -> AppResult<HttpResponse> {
    let nets = state.db.read(list_networks).await?;
    Ok(HttpResponse::Ok().json(Items::of(nets)))
}

#[derive(Deserialize, ToSchema)]
pub struct NameInput {
    pub name: String,
}

/// A new network (admin).
#[utoipa::path(post, path = "/networks", tag = "sharing", request_body = NameInput,
    responses((status = 201, body = Created), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody)))]
pub async fn create_network_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Json<NameInput>,
) -> AppResult<HttpResponse> {
    user.require_admin("manage networks and job centres")?;
    let name = body.into_inner().name;
    let id = state.db.write(move |c| create_network(c, Some(&user), &name)).await?;
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}

#[derive(Deserialize, ToSchema)]
pub struct MemberInput {
    pub authority_number: String,
}

/// Adds a job centre to a network (admin).
#[utoipa::path(post, path = "/networks/{name}/members", tag = "sharing", params(("name" = String, Path, description = "The network")),
    request_body = MemberInput, responses((status = 201, body = OkBody), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "Already a member", body = ErrorBody)))]
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
    Ok(HttpResponse::Created().json(OkBody { ok: true }))
}

/// Removes a job centre from a network (admin).
#[utoipa::path(delete, path = "/networks/{name}/members/{number}", tag = "sharing",
    params(("name" = String, Path, description = "The network"), ("number" = String, Path, description = "The centre's authority number")),
    responses((status = 204, description = "Removed"), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 422, description = "No job centre has this number", body = ErrorBody)))]
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

#[derive(Deserialize, ToSchema)]
pub struct CentreInput {
    pub authority_number: String,
    pub name: String,
}

/// A new job centre (admin).
#[utoipa::path(post, path = "/job-centres", tag = "sharing", request_body = CentreInput,
    responses((status = 201, body = Created), (status = 403, description = "Not an administrator", body = ErrorBody),
        (status = 409, description = "The number is taken", body = ErrorBody)))]
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
    Ok(HttpResponse::Created().json(Created { id: id.0 }))
}
