//! My centre's candidates: list (search, pages), create, consent, and a candidate's matching
//! orders (editing: `candidate_edit`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

use crate::domain::candidate_list::{self, Search, SearchQuery};
use crate::domain::candidates::{Candidate, CreateCandidate};
use crate::domain::{candidates, matching};
use crate::error::AppError;
use crate::ids::CandidateId;
use crate::web::flash::Flash;
use crate::web::format::{fmt_date, fmt_time, match_reason, pager};
use crate::web::render::{change, describe, fail, is_refusal, me, page, page_with_flash, Status};
use crate::web::respond::{link, redirect_flash};
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

/// The shared orders that fit one of my candidates, best first.
pub async fn candidate_matches(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let (user, lang) = (s.user.clone(), s.lang);
    let st = state.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            let cand = candidates::load_own(c, &user, id)?;
            let items = matching::orders_for_candidate(c, &user, id, 50, matching::DEFAULT_RADIUS_KM)?;
            // The page's date format, not the JSON's.
            let items: Vec<serde_json::Value> = items
                .into_iter()
                .map(|m| {
                    let start = fmt_date(m.start_date, lang);
                    let reason = match_reason(&st, lang, &m.why);
                    let mut v = json!(m);
                    v["start_date"] = json!(start);
                    v["reason"] = json!(reason);
                    v
                })
                .collect();
            let sent = crate::domain::job_suggestions::of_candidate(c, &user, id)?;
            let suggestions = super::job_suggestions::history_rows(&st, lang, &sent);
            Ok((
                me,
                json!({ "candidate": { "id": cand.id, "name": cand.name }, "matches": items,
                    "suggestions": suggestions }),
            ))
        })
        .await;
    match result {
        Ok((me, ctx)) => page(&state, &s, StatusCode::OK, "matches", &me, "candidates", ctx),
        Err(e) => fail(&state, &s, e).await,
    }
}

// ---- candidates ------------------------------------------------------------------------

/// What the candidate consented to share, and when: "Samtykke givet 26-11-2026 14:00 · deler
/// e-mail, telefon".
pub(crate) fn consent_text(state: &AppState, lang: Lang, c: &Candidate) -> String {
    let t = |k: &str| state.pages.t(lang, k);
    match (c.consent_given_at, c.consent_revoked_at) {
        (_, Some(at)) => format!("{} {}", t("consent_revoked"), fmt_time(at, lang)),
        (Some(at), None) => {
            let shared: Vec<String> = [
                (c.share_email, "share_email_short"),
                (c.share_phone, "share_phone_short"),
                (c.share_cv, "share_cv_short"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, k)| t(k))
            .collect();
            let what = if shared.is_empty() {
                t("consent_shares_none")
            } else {
                format!("{} {}", t("consent_shares"), shared.join(", "))
            };
            format!("{} {} · {what}", t("consent_given"), fmt_time(at, lang))
        }
        (None, None) => t("consent_none"),
    }
}

/// The search and page of the candidates list from the query string; a bad one shows the
/// first page and says why.
fn search_of(state: &AppState, s: &Session) -> (Search, Option<Flash>) {
    let q = SearchQuery {
        q: s.param("q").map(str::to_string),
        page: s.param("page").map(str::to_string),
        per_page: s.param("per_page").map(str::to_string),
    };
    match q.parse(candidate_list::DEFAULT_PER_PAGE) {
        Ok(search) => (search, None),
        Err(e) => {
            let first = Search {
                q: String::new(),
                page: 1,
                per_page: candidate_list::DEFAULT_PER_PAGE,
            };
            (first, Some(Flash::error(describe(state, s.lang, &e))))
        }
    }
}

pub(crate) async fn candidates_view(
    state: &web::Data<AppState>,
    s: &Session,
    status: StatusCode,
    values: Value,
    error: Option<Flash>,
) -> HttpResponse {
    let (search, refusal) = search_of(state, s);
    let (user, sq) = (s.user.clone(), search.clone());
    let result = state
        .db
        .read(move |c| Ok((me(c, &user)?, candidate_list::search(c, &user, &sq)?)))
        .await;
    let (me, list) = match result {
        Ok(v) => v,
        Err(e) => return fail(state, s, e).await,
    };
    let t = |k: &str| state.pages.t(s.lang, k);
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|c| {
            // What consultants asked to stop re-typing: licence, car, certificates, languages.
            let mut profile: Vec<String> = [(c.driving_licence, "driving_licence"), (c.own_car, "own_car")]
                .into_iter()
                .filter(|(has, _)| *has)
                .map(|(_, k)| t(k))
                .collect();
            profile.extend(candidates::parse_list(&c.certificates));
            profile.extend(candidates::parse_list(&c.languages));
            json!({
                "id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "postcode": c.postcode,
                "profile": profile.join(", "), "consent": consent_text(state, s.lang, c), "has_consent": c.has_consent(),
            })
        })
        .collect();
    let per_page = if search.per_page != candidate_list::DEFAULT_PER_PAGE {
        search.per_page.to_string()
    } else {
        String::new()
    };
    let href = |n: i64| {
        link(
            "/candidates",
            &[
                ("q", search.q.clone()),
                ("page", if n > 1 { n.to_string() } else { String::new() }),
                ("per_page", per_page.clone()),
            ],
        )
    };
    let ctx = json!({
        "heading": t("candidates"),
        "candidates": rows,
        "q": search.q,
        "per_page": per_page,
        "pager": pager(&list, s.lang, href),
        "v": values,
    });
    let flash = error.as_ref().or(refusal.as_ref()).or(s.flash.as_ref());
    page_with_flash(state, s, status, "candidates", &me, "candidates", ctx, flash)
}

pub async fn candidates_page(state: web::Data<AppState>, s: Session) -> HttpResponse {
    candidates_view(&state, &s, StatusCode::OK, json!({}), None).await
}

pub async fn create_candidate(state: web::Data<AppState>, s: Session, f: CsrfForm) -> HttpResponse {
    let form = f.0;
    let input = CreateCandidate {
        name: form.get("name").trim().to_string(),
        email: form.opt("email"),
        phone: form.opt("phone"),
        postcode: form.opt("postcode"),
        latitude: None,
        longitude: None,
        occupations: form
            .opt("occupations")
            .map(|o| {
                o.split(',')
                    .map(|w| w.trim().to_string())
                    .filter(|w| !w.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        allow_duplicate: form.checked("allow_duplicate"),
        ..Default::default()
    };
    let user = s.user.clone();
    match state.db.write(move |c| candidates::create(c, &user, input)).await {
        Ok(_) => redirect_flash(
            &state,
            "/candidates",
            Flash::ok(state.pages.t(s.lang, "ok_candidate_created")),
        ),
        Err(AppError::Duplicate {
            duplicate_of,
            matched_on,
        }) => {
            // A likely duplicate: say which candidate, and offer to create anyway.
            let t = |k: &str| state.pages.t(s.lang, k);
            let text = format!(
                "{} ({}: {}). {}",
                t("warn_duplicate"),
                t(&format!("dup_{matched_on}")),
                duplicate_of,
                t("warn_duplicate_hint")
            );
            let mut values = form.values();
            values["duplicate_of"] = json!(duplicate_of);
            candidates_view(&state, &s, StatusCode::CONFLICT, values, Some(Flash::error(text))).await
        }
        Err(e) if is_refusal(&e) => {
            let flash = Flash::error(describe(&state, s.lang, &e));
            candidates_view(&state, &s, e.status(), form.values(), Some(flash)).await
        }
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn give_consent(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let input = candidates::ConsentInput {
        share_email: f.0.checked("share_email"),
        share_phone: f.0.checked("share_phone"),
        share_cv: f.0.checked("share_cv"),
    };
    let text = state.pages.t(s.lang, "ok_consent");
    change(&state, &s, &format!("/candidates#candidate-{id}"), move |c, _, u| {
        candidates::give_consent(c, u, id, input).map(|_| text)
    })
    .await
}

pub async fn revoke_consent(
    state: web::Data<AppState>,
    s: Session,
    id: web::Path<String>,
    _f: CsrfForm,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(CandidateId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let text = state.pages.t(s.lang, "ok_revoke");
    change(&state, &s, &format!("/candidates#candidate-{id}"), move |c, mail, u| {
        crate::domain::referrals::revoke_consent(c, mail, u, id).map(|(_, n)| format!("{text} {n}"))
    })
    .await
}
