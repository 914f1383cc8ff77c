//! Job agents as pages: my agents, a new one (for me or a consenting candidate of my centre),
//! deleting one after a confirmation, and a preview of the next digest that sends nothing.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use serde_json::{json, Value};

use crate::domain::candidate_list;
use crate::domain::job_agents::{self, CreateAgent};
use crate::error::AppError;
use crate::ids::CandidateId;
use crate::web::flash::Flash;
use crate::web::format::{fmt_date, fmt_time};
use crate::web::render::{change, describe, fail, is_refusal, me, page, page_with_flash, Status};
use crate::web::respond::redirect_flash;
use crate::web::session::{parse_id, CsrfForm, Form, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

fn frequency(state: &AppState, lang: Lang, f: &str) -> String {
    state.pages.t(lang, &format!("agent_{f}"))
}

/// The list and the form; `values` and `error` when a submitted form comes back.
async fn agents_view(
    state: &web::Data<AppState>,
    s: &Session,
    status: StatusCode,
    values: Value,
    error: Option<AppError>,
) -> HttpResponse {
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let agents = job_agents::views(c, &user)?;
            // Only a candidate who consented and has an email can get a digest.
            // The first 500 by name, as the picker always offered (a search field would scale).
            let first = candidate_list::Search {
                q: String::new(),
                page: 1,
                per_page: 500,
            };
            let cands: Vec<_> = candidate_list::search(c, &user, &first)?
                .items
                .into_iter()
                .filter(|c| c.has_consent() && c.email.is_some())
                .map(|c| (c.id, c.name))
                .collect();
            Ok((me, agents, cands))
        })
        .await;
    let (me, agents, cands) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let lang = s.lang;
    let rows: Vec<Value> = agents
        .iter()
        .map(|a| {
            json!({
                "id": a.agent.id,
                "label": a.label,
                "recipient": a.candidate_name.clone().unwrap_or_else(|| state.pages.t(lang, "agent_me")),
                "email": a.agent.email,
                "frequency": frequency(state, lang, &a.agent.frequency),
                "due_at": fmt_time(a.due_at, lang),
            })
        })
        .collect();
    let chosen = values
        .get("candidate_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let options: Vec<Value> = cands
        .iter()
        .map(|(id, name)| json!({ "id": id, "name": name, "selected": id.to_string() == chosen }))
        .collect();
    let field = match &error {
        Some(AppError::Validation { field, .. }) => field.clone(),
        _ => String::new(),
    };
    let flash = error.as_ref().map(|e| Flash::error(describe(state, lang, e)));
    let ctx = json!({
        "heading": state.pages.t(lang, "agents_title"),
        "agents": rows,
        "candidates": options,
        "v": values,
        "weekly": values.get("frequency").and_then(Value::as_str) == Some("weekly"),
        "invalid_field": field,
        "error_text": flash.as_ref().map(|f| f.text.clone()),
    });
    let flash = flash.as_ref().or(s.flash.as_ref());
    page_with_flash(state, s, status, "job_agents", &me, "job-agents", ctx, flash)
}

pub async fn agents_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    agents_view(&state, &s, StatusCode::OK, json!({ "radius_km": "70" }), None).await
}

fn parse_form(form: &Form) -> Result<CreateAgent, AppError> {
    let radius = match form.opt("radius_km") {
        Some(r) => Some(
            r.parse::<i32>()
                .map_err(|_| AppError::invalid("radius_km", "must be between 1 and 1000"))?,
        ),
        None => None,
    };
    let candidate_id = match form.opt("candidate_id") {
        Some(c) => Some(parse_id(&c).map(CandidateId).ok_or(AppError::NotFound)?),
        None => None,
    };
    Ok(CreateAgent {
        occupation: form.opt("occupation"),
        postcode: form.opt("postcode"),
        radius_km: radius,
        keywords: form.opt("keywords"),
        frequency: form.opt("frequency"),
        candidate_id,
    })
}

pub async fn create_agent(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let result = match parse_form(&form) {
        Ok(input) => {
            let user = s.user.clone();
            state.db.write(move |c| job_agents::create(c, &user, input)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => redirect_flash(
            &state,
            "/job-agents",
            Flash::ok(state.pages.t(s.lang, "ok_agent_created")),
        ),
        Err(e) if is_refusal(&e) => agents_view(&state, &s, e.status(), form.values(), Some(e)).await,
        Err(e) => fail(&state, &s, e).await,
    }
}

/// "Delete this job agent?": what it searches and who gets it, then the button.
pub async fn delete_confirm(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let user = s.user.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let agent = job_agents::views(c, &user)?.into_iter().find(|a| a.agent.id == id);
            Ok((me, agent.ok_or(AppError::NotFound)?))
        })
        .await;
    let (me, agent) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let ctx = json!({
        "heading": state.pages.t(s.lang, "agent_delete_title"),
        "agent": { "id": id, "label": agent.label, "email": agent.agent.email },
        "recipient": agent.candidate_name.unwrap_or_else(|| state.pages.t(s.lang, "agent_me")),
    });
    page(&state, &s, StatusCode::OK, "job_agent_delete", &me, "job-agents", ctx)
}

pub async fn delete_agent(state: web::Data<AppState>, s: Session, id: web::Path<String>, _f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let text = state.pages.t(s.lang, "ok_agent_deleted");
    change(&state, &s, "/job-agents", move |c, _, u| {
        job_agents::delete(c, u, id).map(|_| text)
    })
    .await
}

/// The next digest as it would go out now: its orders and its mail. Nothing is sent and the
/// agent's cursor stays, so the real digest still holds the same orders.
pub async fn preview(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let (user, mail) = (s.user.clone(), state.mail.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            Ok((me, job_agents::preview(c, &mail, &user, id, Utc::now().naive_utc())?))
        })
        .await;
    let (me, p) = match result {
        Ok(v) => v,
        Err(e) => return fail(&state, &s, e).await,
    };
    let lang = s.lang;
    let orders: Vec<Value> = p
        .orders
        .iter()
        .map(|o| {
            json!({
                "id": o.id, "title": o.title, "occupation": o.occupation, "company_name": o.company_name,
                "start_date": fmt_date(o.start_date, lang), "primary_authority": o.primary_authority,
                "distance": o.distance_km.map(|d| format!("{d:.0} km")),
            })
        })
        .collect();
    let ctx = json!({
        "heading": format!("{}: {}", state.pages.t(lang, "agent_preview_title"), p.agent.label),
        "agent": {
            "id": id, "label": p.agent.label, "email": p.agent.agent.email,
            "recipient": p.agent.candidate_name.clone().unwrap_or_else(|| state.pages.t(lang, "agent_me")),
            "frequency": frequency(&state, lang, &p.agent.agent.frequency),
            "since": fmt_time(p.agent.agent.last_run_at, lang),
            "due_at": fmt_time(p.agent.due_at, lang),
        },
        "orders": orders,
        "mail": p.mail.map(|m| json!({ "subject": m.subject, "text": m.text })),
    });
    page(&state, &s, StatusCode::OK, "job_agent_preview", &me, "job-agents", ctx)
}
