//! Job suggestions from the pages: the order's picker (`/orders/{id}/suggest`, also the target
//! of the order page's suggestion list), orders ticked on a candidate's match list, and the
//! confirmation page when someone already got the order.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::candidate_list::{self, Search, SearchQuery};
use crate::domain::job_suggestions::{self, Outcome, Repeat, SentSuggestion, SuggestionEntry};
use crate::domain::orders;
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId};
use crate::web::flash::Flash;
use crate::web::format::{fmt_time, pager};
use crate::web::render::{fail, me, outcome, page};
use crate::web::respond::{link, redirect_flash};
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The picker: my centre's consenting candidates with an email, searchable, a page at a time,
/// each marked with when it last got this order.
pub async fn picker_page(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let search = SearchQuery {
        q: s.param("q").map(str::to_string),
        page: s.param("page").map(str::to_string),
        per_page: None,
    }
    .parse(candidate_list::DEFAULT_PER_PAGE)
    .unwrap_or(Search {
        q: String::new(),
        page: 1,
        per_page: candidate_list::DEFAULT_PER_PAGE,
    });
    let (user, lang, st) = (s.user.clone(), s.lang, state.clone());
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let (order, _) = orders::load_visible(c, &user, id)?;
            let found = candidate_list::suggestable(c, &user, &search)?;
            let ids: Vec<CandidateId> = found.items.iter().map(|c| c.id).collect();
            let sent = job_suggestions::last_sent(c, id, &ids)?;
            let items: Vec<Value> = found
                .items
                .iter()
                .map(|c| {
                    json!({ "id": c.id, "name": c.name, "email": c.email,
                        "sent": sent.get(&c.id).map(|at| fmt_time(*at, lang)) })
                })
                .collect();
            let q = search.q.clone();
            let href = |n: i64| {
                link(
                    &format!("/orders/{id}/suggest"),
                    &[("q", q.clone()), ("page", n.to_string())],
                )
            };
            let ctx = json!({
                "heading": format!("{}: {}", st.pages.t(lang, "suggest_heading"), order.title),
                "order": { "id": order.id, "title": order.title, "open": order.is_open() },
                "q": search.q,
                "items": items,
                "pager": pager(&found, lang, href),
            });
            Ok((me, ctx))
        })
        .await;
    match result {
        Ok((me, ctx)) => page(&state, &s, StatusCode::OK, "suggest", &me, "", ctx),
        Err(e) => fail(&state, &s, e).await,
    }
}

/// Sends the order to the ticked candidates (`c_<id>`), from the picker or the order page.
pub async fn send_order(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let ids: Vec<CandidateId> = f.0.ticked("c_").into_iter().map(CandidateId).collect();
    let confirm = f.0.checked("confirm_repeat");
    let fields: Vec<String> = ids.iter().map(|c| format!("c_{c}")).collect();
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state
        .db
        .write(move |c| job_suggestions::send(c, &mail, &user, id, &ids, confirm))
        .await;
    let go = Going {
        action: format!("/orders/{id}/suggest"),
        done: format!("/orders/{id}"),
        back: format!("/orders/{id}/suggest"),
        fields,
    };
    finish(&state, &s, result, go).await
}

/// Sends the ticked orders (`o_<id>`) of a candidate's match list to the candidate.
pub async fn send_to_candidate(
    state: web::Data<AppState>,
    s: Session,
    id: web::Path<String>,
    f: CsrfForm,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let ids: Vec<JobOrderId> = f.0.ticked("o_").into_iter().map(JobOrderId).collect();
    let confirm = f.0.checked("confirm_repeat");
    let fields: Vec<String> = ids.iter().map(|o| format!("o_{o}")).collect();
    let (mail, user) = (state.mail.clone(), s.user.clone());
    let result = state
        .db
        .write(move |c| job_suggestions::send_orders(c, &mail, &user, id, &ids, confirm))
        .await;
    let back = format!("/candidates/{id}/matches");
    let go = Going {
        action: format!("/candidates/{id}/suggest"),
        done: back.clone(),
        back,
        fields,
    };
    finish(&state, &s, result, go).await
}

/// Where a send goes next: the form to repeat it with a confirmation, the page after it went
/// out, the page to go back to after a refusal, and the ticked fields to carry over.
struct Going {
    action: String,
    done: String,
    back: String,
    fields: Vec<String>,
}

async fn finish(state: &AppState, s: &Session, result: AppResult<Outcome>, go: Going) -> HttpResponse {
    match result {
        Ok(Outcome::Sent(sent)) => redirect_flash(state, &go.done, Flash::ok(sent_text(state, s.lang, &sent))),
        Ok(Outcome::NeedsConfirmation(repeats)) => confirm_page(state, s, &repeats, go).await,
        Err(e) => outcome(state, s, &go.back, Err(e)).await,
    }
}

/// "Job suggestion sent: Ane Hansen (Kok), …".
fn sent_text(state: &AppState, lang: Lang, sent: &[SentSuggestion]) -> String {
    let list: Vec<String> = sent
        .iter()
        .map(|x| format!("{} ({})", x.candidate_name, x.order_title))
        .collect();
    format!("{} {}", state.pages.t(lang, "ok_suggested"), list.join(", "))
}

/// Nothing was sent: who already got what, and a button that sends again (CSRF-protected).
async fn confirm_page(state: &AppState, s: &Session, repeats: &[Repeat], go: Going) -> HttpResponse {
    let lang = s.lang;
    let rows: Vec<Value> = repeats
        .iter()
        .map(|r| {
            json!({ "candidate": r.candidate_name, "order": r.order_title,
                "last_sent": fmt_time(r.last_sent_at, lang) })
        })
        .collect();
    let user = s.user.clone();
    let me = match state.db.read(move |c| me(c, &user)).await {
        Ok(me) => me,
        Err(e) => return fail(state, s, e).await,
    };
    let ctx = json!({
        "heading": state.pages.t(lang, "suggest_confirm_heading"),
        "repeats": rows,
        "action": go.action,
        "fields": go.fields,
        "back": go.back,
    });
    page(state, s, StatusCode::OK, "suggest_confirm", &me, "", ctx)
}

/// A candidate's job suggestions as the pages list them: "Job suggestion: Kok, by Ane, 01-12-2026 10:00".
pub(crate) fn history_rows(state: &AppState, lang: Lang, entries: &[SuggestionEntry]) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            let text = state
                .pages
                .t(lang, "suggestion_entry")
                .replace("{order}", &e.order_title)
                .replace("{by}", &e.sent_by_name)
                .replace("{at}", &fmt_time(e.sent_at, lang));
            json!({ "order_id": e.order_id, "text": text })
        })
        .collect()
}
