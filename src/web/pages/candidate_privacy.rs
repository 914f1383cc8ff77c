//! A candidate's rights as pages: erasure on request (with a confirmation step) and the
//! printable access export. The same domain functions as the API's.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::job_suggestions::SuggestionEntry;
use crate::domain::{candidates, erasure, export, export_log, referrals};
use crate::error::AppError;
use crate::ids::CandidateId;
use crate::web::format::fmt_time;
use crate::web::render::{change, fail, me, page};
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The confirmation step: what erasing this candidate does, and the button that does it.
pub async fn erase_confirm(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let cand = candidates::load_own(c, &user, id)?;
            cand.refuse_if_erased()?;
            let live = referrals::live_of_candidate(c, id)?.len();
            Ok((me(c, &user)?, cand, live))
        })
        .await;
    match result {
        Ok((me, cand, live)) => {
            let ctx = json!({
                "heading": state.pages.t(s.lang, "erase_title"),
                "candidate": { "id": cand.id, "name": cand.name },
                "live_referrals": live,
            });
            page(&state, &s, StatusCode::OK, "candidate_erase", &me, "candidates", ctx)
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn erase(state: web::Data<AppState>, s: Session, id: web::Path<String>, _f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let text = state.pages.t(s.lang, "ok_erased");
    change(&state, &s, "/candidates", move |c, mail, u| {
        erasure::erase_on_request(c, mail, u, id).map(|_| text)
    })
    .await
}

/// The access export as a page to print or save (audited like the API's).
pub async fn export_page(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    let result = state
        .db
        .write(move |c| {
            let x = export::export(c, &user, id)?;
            export_log::record(c, &user, "candidate", "html", &format!("candidate_id={id}"), 1)?;
            Ok((me(c, &user)?, x))
        })
        .await;
    match result {
        Ok((me, mut x)) => {
            let json_text = serde_json::to_string_pretty(&x).unwrap_or_default();
            let sent: Vec<SuggestionEntry> = serde_json::from_value(x["job_suggestions"].clone()).unwrap_or_default();
            let suggestions = super::job_suggestions::history_rows(&state, s.lang, &sent);
            local_times(&mut x, s.lang);
            let ctx = json!({
                "heading": state.pages.t(s.lang, "export_title"),
                "x": x,
                "json": json_text,
                "suggestions": suggestions,
            });
            page(&state, &s, StatusCode::OK, "candidate_export", &me, "candidates", ctx)
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

/// The page shows times as the rest of the pages do (Danish wall clock); the JSON keeps UTC.
fn local_times(v: &mut Value, lang: Lang) {
    match v {
        Value::String(t) => {
            if let Ok(at) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
                *t = fmt_time(at, lang);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| local_times(i, lang)),
        Value::Object(m) => m.values_mut().for_each(|i| local_times(i, lang)),
        _ => {}
    }
}
