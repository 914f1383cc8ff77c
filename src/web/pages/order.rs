//! The order page and what is done from it: portal, share, refer, referral actions (closing
//! and reopening: `order_close`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde_json::{json, Value};

use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::audit::AuditEntry;
use crate::domain::candidate_list::{self, Search, SearchQuery};
use crate::domain::order::{JobOrder, OrderView};
use crate::domain::portal::{self, Mode, ProtocolEntry};
use crate::domain::portal_state::{self, PortalOrder};
use crate::domain::referral::Action;
use crate::domain::referrals::{OrderReferralEvent, ReferralView};
use crate::domain::sharing::Page;
use crate::domain::{audit, employer_link, matching, order, orders, referrals, sharing};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobOrderId, ReferralId};
use crate::web::flash::Flash;
use crate::web::format::{fmt_date, fmt_time, match_reason, pager, range, yes_no};
use crate::web::render::{change, fail, me, outcome, page};
use crate::web::respond::{link, redirect_flash};
use crate::web::session::{parse_id, CsrfForm, Session};
use crate::web::state::AppState;
use crate::web::templates::Lang;

// ---- the order page ------------------------------------------------------------------

pub(crate) fn field(label: String, value: impl Into<String>) -> Value {
    json!({ "label": label, "value": value.into() })
}

/// The fields shown of an order: the shared ones from `SharedOrder`, and the private ones
/// only from the owner's projection. Built from `OrderView`, so nothing else can leak.
pub(crate) fn order_fields(state: &AppState, lang: Lang, view: &OrderView) -> (Value, Vec<Value>, Option<Vec<Value>>) {
    let t = |k: &str| state.pages.t(lang, k);
    let o = view.shared();
    let occupation = match &o.occupation_code {
        Some(code) => format!("{} ({code})", o.occupation),
        None => o.occupation.clone(),
    };
    let fields = vec![
        field(
            t("col_primary_authority"),
            format!(
                "{} {} {}",
                o.primary_authority.authority_type, o.primary_authority.authority_number, o.primary_authority.name
            ),
        ),
        field(t("col_responsible_consultant"), &o.responsible_consultant_name),
        field(t("col_coordinator"), &o.coordinator_name),
        field(
            t("col_coordinator_external"),
            o.coordinator_external.clone().unwrap_or_default(),
        ),
        field(t("coordinator_allowed"), yes_no(state, lang, o.coordinator_allowed)),
        field(t("col_occupation"), occupation),
        field(t("col_request_id"), &o.request_id),
        field(t("col_type"), &o.order_type),
        field(t("col_company_name"), &o.company_name),
        field(t("col_start_date"), fmt_date(o.start_date, lang)),
        field(
            t("col_end_date"),
            o.end_date.map(|d| fmt_date(d, lang)).unwrap_or_default(),
        ),
        field(t("col_vacancies"), o.vacancies.to_string()),
        field(t("col_referred"), o.referred.to_string()),
        field(t("filled_places"), format!("{} / {}", o.hired, o.vacancies)),
        field(t("col_status"), t(&format!("status_{}", o.status))),
        field(t("col_created_at"), fmt_time(o.created_at, lang)),
        field(t("col_updated_at"), fmt_time(o.updated_at, lang)),
        field(
            t("sent_to_portal_at"),
            o.sent_to_portal_at
                .map_or_else(|| t("not_sent"), |at| fmt_time(at, lang)),
        ),
    ];
    let private = match view {
        OrderView::Owner(owner) => Some(vec![
            field(t("employer_email"), owner.employer_email.clone().unwrap_or_default()),
            field(t("qualifications_and_pay"), &owner.qualifications_and_pay),
            field(t("working_hours"), &owner.working_hours),
            field(t("cvr"), owner.cvr.clone().unwrap_or_default()),
            field(
                t("workplace_postcode"),
                owner.workplace_postcode.clone().unwrap_or_default(),
            ),
        ]),
        OrderView::Shared(_) => None,
    };
    let head = json!({
        "id": o.id,
        "title": o.title,
        "status": o.status,
        "status_label": t(&format!("status_{}", o.status)),
        "task_description": o.task_description,
        // Every place filled: the owner is offered to close the order (never done for them).
        "filled": o.hired >= o.vacancies,
    });
    (head, fields, private)
}

/// The order's referrals as the page lists them, with the actions this user may take.
fn referral_rows(state: &AppState, lang: Lang, user: &AuthUser, order: &JobOrder, refs: &[ReferralView]) -> Vec<Value> {
    let t = |k: &str| state.pages.t(lang, k);
    refs.iter()
        .map(|r| {
            let actions = referrals::available_actions(user, order, r);
            let has = |a: Action| actions.contains(&a);
            json!({
                "id": r.id,
                "candidate": r.candidate.name,
                "state": r.state.as_str(),
                "state_label": t(&format!("state_{}", r.state.as_str())),
                "created": fmt_time(r.created_at, lang),
                "created_by": r.created_by_name,
                "reason": r.reason,
                "actions": {
                    "approve": has(Action::Approve),
                    "reject": has(Action::Reject),
                    "send": has(Action::Send),
                    "withdraw": has(Action::Withdraw),
                },
            })
        })
        .collect()
}

/// The order's history, newest first: its audit entries and its referrals' state changes,
/// each written as a sentence in the page's language.
fn history_rows(state: &AppState, lang: Lang, audit: Vec<AuditEntry>, events: Vec<OrderReferralEvent>) -> Vec<Value> {
    let t = |k: &str| state.pages.t(lang, k);
    let mut rows: Vec<(NaiveDateTime, Value)> = audit
        .into_iter()
        .map(|h| {
            let key = format!("audit_{}", h.action);
            let action = if state.pages.labels(lang).contains_key(&key) {
                t(&key)
            } else {
                h.action.clone()
            };
            let detail = serde_json::from_str(&h.detail).unwrap_or(Value::Null);
            let row = json!({
                "at": fmt_time(h.at, lang),
                "action": action,
                "actor": h.actor.unwrap_or_default(),
                "detail": audit_sentence(state, lang, &h.action, &detail),
            });
            (h.at, row)
        })
        .collect();
    rows.extend(events.into_iter().map(|e| {
        let state_label = |s: &str| t(&format!("state_{s}"));
        let change = match &e.from {
            Some(from) => format!("{} → {}", state_label(from), state_label(&e.to)),
            None => state_label(&e.to),
        };
        let reason = e.reason.map(|r| format!(": {r}")).unwrap_or_default();
        let actor = if e.by_employer {
            t("actor_employer_link")
        } else {
            e.actor.unwrap_or_default()
        };
        let row = json!({
            "at": fmt_time(e.at, lang),
            "action": format!("{} ({})", t("audit_referral"), e.candidate),
            "actor": actor,
            "detail": format!("{change}{reason}"),
        });
        (e.at, row)
    }));
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// What an audit entry of an order says, as a sentence: the changed fields with their old and
/// new values, the network shared with and how many centres were told.
fn audit_sentence(state: &AppState, lang: Lang, action: &str, detail: &Value) -> String {
    let t = |k: &str| state.pages.t(lang, k);
    let value = |v: &Value| match v {
        Value::Null => "–".to_string(),
        Value::String(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => fmt_date(d, lang),
            Err(_) => format!("«{s}»"),
        },
        Value::Bool(b) => yes_no(state, lang, *b),
        other => other.to_string(),
    };
    let field = |k: &str| {
        let k = if k == "order_type" { "type" } else { k };
        [format!("col_{k}"), k.to_string()]
            .into_iter()
            .find(|l| state.pages.labels(lang).contains_key(l))
            .map_or_else(|| k.to_string(), |l| t(&l))
    };
    match (action, detail.as_object()) {
        ("updated", Some(changes)) => changes
            .iter()
            .map(|(k, c)| format!("{}: {} → {}", field(k), value(&c["from"]), value(&c["to"])))
            .collect::<Vec<_>>()
            .join("; "),
        ("shared", Some(d)) => format!(
            "{}: {} {}",
            d.get("network").and_then(Value::as_str).unwrap_or_default(),
            d.get("newly_notified").and_then(Value::as_i64).unwrap_or(0),
            t("hist_notified")
        ),
        ("unshared", Some(d)) => d.get("network").and_then(Value::as_str).unwrap_or_default().to_string(),
        ("closed" | "reopened", Some(d)) => d.get("reason").and_then(Value::as_str).unwrap_or_default().to_string(),
        _ => String::new(),
    }
}

/// The portal card: the order's status there and its transfer protocol, newest first.
fn portal_card(
    state: &AppState,
    lang: Lang,
    mode: Mode,
    st: Option<PortalOrder>,
    protocol: Vec<ProtocolEntry>,
) -> Value {
    let t = |k: &str| state.pages.t(lang, k);
    let rows: Vec<Value> = protocol
        .into_iter()
        .map(|p| {
            json!({
                "at": fmt_time(p.at, lang),
                "direction": t(&format!("portal_dir_{}", p.direction)),
                "kind": t(&format!("portal_kind_{}", p.kind)),
                "status": t(&format!("portal_status_{}", p.status)),
                "message": p.message.unwrap_or_default(),
                "user": p.user.unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "manual": mode == Mode::Manual,
        "status": st.as_ref().map(|s| s.status.clone()),
        "status_label": st.as_ref().map(|s| t(&format!("portal_status_{}", s.status))),
        "portal_id": st.as_ref().and_then(|s| s.portal_id.clone()),
        "message": st.and_then(|s| s.message),
        "protocol": rows,
    })
}

/// The order's employer links with their revoke buttons (the owner's; nobody else's card).
fn employer_links_card(
    c: &mut DbConn,
    st: &AppState,
    lang: Lang,
    user: &AuthUser,
    id: JobOrderId,
    owner: bool,
) -> AppResult<Value> {
    if !owner {
        return Ok(Value::Null);
    }
    let t = |k: &str| st.pages.t(lang, k);
    let rows: Vec<Value> = employer_link::of_order(c, user, id)?
        .into_iter()
        .map(|l| {
            json!({
                "id": l.id,
                "address": t(if l.current_address { "link_current_address" } else { "link_earlier_address" }),
                "created": fmt_time(l.created_at, lang),
                "expires": l.expires_at.map(|at| fmt_time(at, lang)).unwrap_or_default(),
                "candidates": l.candidates,
                "revoked": l.revoked_at.is_some(),
                "status": t(if l.revoked_at.is_some() { "link_revoked" } else { "link_active" }),
            })
        })
        .collect();
    Ok(if rows.is_empty() { Value::Null } else { json!(rows) })
}

/// The picker's search and page (`cq`, `cp`): a bad one is the first page.
fn picker_search(s: &Session) -> Search {
    SearchQuery {
        q: s.param("cq").map(str::to_string),
        page: s.param("cp").map(str::to_string),
        per_page: None,
    }
    .parse(candidate_list::PICKER_PER_PAGE)
    .unwrap_or(Search {
        q: String::new(),
        page: 1,
        per_page: candidate_list::PICKER_PER_PAGE,
    })
}

/// My centre's best-fitting consenting candidates, each with its reason in the page's language.
fn suggestions(c: &mut DbConn, st: &AppState, lang: Lang, user: &AuthUser, order: &JobOrder) -> AppResult<Vec<Value>> {
    Ok(
        matching::candidates_for(c, user, order, 20, matching::DEFAULT_RADIUS_KM)?
            .into_iter()
            .map(|m| {
                let reason = match_reason(st, lang, &m.why);
                let mut v = json!(m);
                v["reason"] = json!(reason);
                v
            })
            .collect(),
    )
}

pub async fn order_page(state: web::Data<AppState>, s: Session, id: web::Path<String>) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    // Bounded, so the offset can't overflow; a page past the end is simply empty.
    let np = s
        .param("np")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let picker = picker_search(&s);
    let (user, lang) = (s.user.clone(), s.lang);
    let mode = Mode::of(state.config.portal_url.as_deref());
    let st = state.clone();
    let result = state
        .db
        .read(move |c| {
            let me = me(c, &user)?;
            // The full record decides which buttons work; only `view` reaches the page.
            let (order, access) = orders::load_visible(c, &user, id)?;
            let view = orders::view_of(c, order.clone(), access)?;
            let owner = access == order::Access::Owner;
            let notified = sharing::notified(c, &user, id, np, sharing::NOTIFIED_PER_PAGE)?;
            let shares = sharing::shares_of(c, id)?;
            let refs = referrals::of_order(c, &user, id)?;
            let can_refer = order.is_open() && !shares.is_empty();
            let candidates = if can_refer {
                candidate_list::referable(c, &user, id, &picker)?
            } else {
                Page::new(Vec::new(), 0, 1, picker.per_page)
            };
            // Suggestions: my centre's best-fitting consenting candidates, to refer in one go.
            let matches = if can_refer {
                suggestions(c, &st, lang, &user, &order)?
            } else {
                Vec::new()
            };
            let networks: Vec<String> = if owner && order.is_open() {
                sharing::list_networks(c)?
                    .into_iter()
                    .map(|n| n.name)
                    .filter(|n| !shares.contains(n))
                    .collect()
            } else {
                Vec::new()
            };
            // The portal's status and protocol are the owner's (its messages may name anything).
            let (portal, can_send) = if owner {
                let p = portal_state::state_of(c, id)?;
                let can_send = portal_state::can_send(&order, p.as_ref());
                (
                    Some(portal_card(&st, lang, mode, p, portal::protocol(c, id, 200)?)),
                    can_send,
                )
            } else {
                (None, false)
            };
            let (history, events) = if owner {
                (
                    audit::history(c, "job_order", id.0, 200)?,
                    referrals::events_of_order(c, &user, id, 200)?,
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let referrals = referral_rows(&st, lang, &user, &order, &refs);
            let history = history_rows(&st, lang, history, events);
            let (head, fields, private) = order_fields(&st, lang, &view);
            let open = order.is_open();
            let np_link = |n: i64| link(&format!("/orders/{}", id), &[("np", n.to_string())]) + "#notified";
            let cp_link = |n: i64| {
                let page = if n > 1 { n.to_string() } else { String::new() };
                link(&format!("/orders/{}", id), &[("cq", picker.q.clone()), ("cp", page)]) + "#refer"
            };
            Ok((
                me,
                json!({
                    "order": head,
                    "fields": fields,
                    "private": private,
                    "owner": owner,
                    "open": open,
                    "can_edit": owner && open,
                    "can_close": owner && open,
                    "can_reopen": owner && !open,
                    "can_send_to_portal": can_send,
                    "portal": portal,
                    "sent_to_portal": view.shared().sent_to_portal_at.is_some(),
                    "share_networks": networks,
                    "shares": shares,
                    "notified": {
                        "items": notified.items,
                        "range": range(&notified, lang),
                        "pages": pager(&notified, lang, np_link)["pages"],
                    },
                    "referrals": referrals,
                    "can_refer": can_refer,
                    "picker": {
                        "q": picker.q,
                        "items": candidates.items.iter().map(|c| json!({ "id": c.id, "name": c.name })).collect::<Vec<_>>(),
                        "pager": pager(&candidates, lang, cp_link),
                        "more_pages": candidates.total > candidates.per_page,
                    },
                    "matches": matches,
                    "history": history,
                    "employer_links": employer_links_card(c, &st, lang, &user, id, owner)?,
                }),
            ))
        })
        .await;
    match result {
        Ok((me, ctx)) => page(&state, &s, StatusCode::OK, "order", &me, "", ctx),
        Err(e) => fail(&state, &s, e).await,
    }
}

pub async fn send_to_portal(
    state: web::Data<AppState>,
    s: Session,
    id: web::Path<String>,
    _f: CsrfForm,
) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let mode = Mode::of(state.config.portal_url.as_deref());
    let key = match mode {
        Mode::Manual => "ok_sent_to_portal",
        Mode::Remote => "ok_portal_queued",
    };
    let text = state.pages.t(s.lang, key);
    change(&state, &s, &format!("/orders/{id}#portal"), move |c, _, u| {
        portal::send(c, u, id, mode).map(|_| text)
    })
    .await
}

pub async fn share(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let network = f.0.get("network").to_string();
    let text = state.pages.t(s.lang, "ok_shared");
    change(&state, &s, &format!("/orders/{id}#shares"), move |c, mail, u| {
        let r = sharing::share_and_notify(c, mail, u, id, &network)?;
        let names: Vec<&str> = r.newly_notified.iter().map(|c| c.name.as_str()).collect();
        Ok(format!(
            "{text} {}",
            if names.is_empty() { "-".into() } else { names.join(", ") }
        ))
    })
    .await
}

pub async fn refer(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let back = format!("/orders/{id}#referrals");
    let Some(candidate) = parse_id(f.0.get("candidate_id").trim()).map(CandidateId) else {
        let e = AppError::invalid("candidate_id", "choose a candidate");
        return outcome(&state, &s, &back, Err(e)).await;
    };
    let text = state.pages.t(s.lang, "ok_referred");
    change(&state, &s, &back, move |c, mail, u| {
        referrals::create(c, mail, u, id, candidate).map(|_| text)
    })
    .await
}

/// Refers the ticked candidates of the suggestion list, each through the same rules.
pub async fn bulk_refer(state: web::Data<AppState>, s: Session, id: web::Path<String>, f: CsrfForm) -> HttpResponse {
    let Some(id) = parse_id(&id).map(JobOrderId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let back = format!("/orders/{id}#referrals");
    let ids: Vec<CandidateId> = f.0.ticked("c_").into_iter().map(CandidateId).collect();
    let results = match matching::bulk_refer(&state.db, &state.mail, &s.user, id, ids).await {
        Ok(r) => r,
        Err(e) => return outcome(&state, &s, &back, Err(e)).await,
    };
    let created = results.iter().filter(|r| r.status == 201).count();
    let refused: Vec<String> = results
        .iter()
        .filter_map(|r| r.error.as_deref())
        .map(|e| state.pages.message(s.lang, e))
        .collect();
    let mut text = format!("{} {created}.", state.pages.t(s.lang, "ok_bulk_referred"));
    if !refused.is_empty() {
        text = format!(
            "{text} {} {}",
            state.pages.t(s.lang, "bulk_refused"),
            refused.join("; ")
        );
    }
    let flash = if created > 0 {
        Flash::ok(text)
    } else {
        Flash::error(text)
    };
    redirect_flash(&state, &back, flash)
}

pub async fn referral_action(
    state: web::Data<AppState>,
    s: Session,
    path: web::Path<(String, String)>,
    f: CsrfForm,
) -> HttpResponse {
    let (rid, action) = path.into_inner();
    let action = match action.as_str() {
        "approve" => Action::Approve,
        "reject" => Action::Reject,
        "send" => Action::Send,
        "withdraw" => Action::Withdraw,
        _ => return fail(&state, &s, AppError::NotFound).await,
    };
    let Some(rid) = parse_id(&rid).map(ReferralId) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let back = match parse_id(f.0.get("order")) {
        Some(order) => format!("/orders/{order}#referral-{rid}"),
        None => "/dashboard/my-referrals".to_string(),
    };
    let reason = f.0.opt("reason");
    let text = state.pages.t(s.lang, &format!("ok_{}", action.as_str()));
    change(&state, &s, &back, move |c, mail, u| {
        referrals::apply(c, mail, u, rid, action, reason).map(|_| text)
    })
    .await
}

/// Revokes one of the order's employer links (owner): its mailed links answer 410 from now.
pub async fn revoke_employer_link(
    state: web::Data<AppState>,
    s: Session,
    path: web::Path<(String, String)>,
    _f: CsrfForm,
) -> HttpResponse {
    let (id, link) = path.into_inner();
    let (Some(id), Some(link)) = (parse_id(&id).map(JobOrderId), parse_id(&link)) else {
        return fail(&state, &s, AppError::NotFound).await;
    };
    let text = state.pages.t(s.lang, "ok_link_revoked");
    change(&state, &s, &format!("/orders/{id}#employer-links"), move |c, _, u| {
        employer_link::revoke(c, u, id, link, chrono::Utc::now().naive_utc()).map(|()| text)
    })
    .await
}
