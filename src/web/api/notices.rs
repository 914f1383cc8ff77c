//! My notices: the list (all or unread, paged), marking one or all as read. Another user's
//! notice is 404.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use crate::domain::actor::AuthUser;
use crate::domain::notices::{self, Notice, NoticePage};
use crate::error::AppResult;
use crate::ids::NoticeId;
use crate::web::state::AppState;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticesQuery {
    /// Only the unread ones.
    #[serde(default)]
    pub unread: bool,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[utoipa::path(get, path = "/notices", tag = "notices", params(NoticesQuery),
    responses((status = 200, body = NoticePage)))]
pub async fn list_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<NoticesQuery>,
) -> AppResult<HttpResponse> {
    let NoticesQuery { unread, page, per_page } = q.into_inner();
    let page = state
        .db
        .read(move |c| notices::list(c, &user, unread, page.unwrap_or(1), per_page))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(post, path = "/notices/{id}/read", tag = "notices", params(("id" = i64, Path, description = "My notice")),
    responses((status = 200, body = Notice)))]
pub async fn read_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<NoticeId>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let notice = state.db.write(move |c| notices::mark_read(c, &user, id)).await?;
    Ok(HttpResponse::Ok().json(notice))
}

#[utoipa::path(post, path = "/notices/read-all", tag = "notices", responses((status = 200, body = AllRead)))]
pub async fn read_all_handler(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let marked = state.db.write(move |c| notices::mark_all_read(c, &user)).await?;
    Ok(HttpResponse::Ok().json(AllRead { marked, unread: 0 }))
}

/// How many were marked read, and what is left unread (none).
#[derive(Serialize, utoipa::ToSchema)]
pub struct AllRead {
    pub marked: usize,
    pub unread: i64,
}
