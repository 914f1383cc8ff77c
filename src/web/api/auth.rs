//! Login and the logged-in user over JSON.

use crate::db::schema::{job_centres, users};
use crate::domain::users::{authenticate, AuthUser, User};
use crate::error::{AppError, AppResult};
use crate::ids::JobCentreId;
use crate::web::state::AppState;
use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

pub async fn login(state: web::Data<AppState>, body: crate::web::json::Json<LoginInput>) -> AppResult<HttpResponse> {
    let LoginInput { username, password } = body.into_inner();
    let user = state.db.read(move |c| authenticate(c, &username, &password)).await?;
    let token = state.jwt.issue(&user.auth())?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "token": token })))
}

#[derive(Serialize)]
pub struct JobCentreRef {
    pub id: JobCentreId,
    pub authority_type: String,
    pub authority_number: String,
    pub name: String,
}

pub async fn me(state: web::Data<AppState>, user: AuthUser) -> AppResult<HttpResponse> {
    let me = state
        .db
        .read(move |c| {
            let (u, jc) = users::table
                .inner_join(job_centres::table)
                .filter(users::id.eq(user.id))
                .select((
                    User::as_select(),
                    (
                        job_centres::id,
                        job_centres::authority_type,
                        job_centres::authority_number,
                        job_centres::name,
                    ),
                ))
                .first::<(User, (JobCentreId, String, String, String))>(c)
                .optional()?
                // A token for a deleted user is no longer a session.
                .ok_or_else(|| AppError::Unauthorized("user no longer exists".into()))?;
            Ok(serde_json::json!({
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "email": u.email,
                "role": u.role,
                "language": u.language,
                "job_centre": JobCentreRef { id: jc.0, authority_type: jc.1, authority_number: jc.2, name: jc.3 },
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize)]
pub struct PatchMe {
    pub language: Option<String>,
}

/// The user's own settings: the language of pages and mails (`da` or `en`).
pub async fn patch_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: crate::web::json::Json<PatchMe>,
) -> AppResult<HttpResponse> {
    let PatchMe { language } = body.into_inner();
    if let Some(lang) = language {
        if lang != "da" && lang != "en" {
            return Err(AppError::invalid("language", "must be da or en"));
        }
        state
            .db
            .write(move |c| {
                diesel::update(users::table.find(user.id))
                    .set(users::language.eq(&lang))
                    .execute(c)?;
                crate::domain::audit::record(
                    c,
                    Some(&user),
                    "user",
                    user.id.0,
                    "language",
                    serde_json::json!({ "language": lang }),
                )
            })
            .await?;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}
