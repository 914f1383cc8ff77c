//! Referrals (formidlinger): a candidate put forward for a shared order, moved through
//! one state machine. `transition` is the only place that decides what may happen.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::candidates as candidates_t;
use crate::db::schema::{companies, job_centres, job_orders, order_shares, referral_events, referrals, users};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::candidates::{Candidate, SharedCandidate};
use crate::domain::order::{Access, JobOrder};
use crate::domain::referral::{transition, Action, Actor, Referral, Refusal, State};
use crate::domain::state_update::SetState;
use crate::domain::{audit, candidates, employer_link, notify, order, orders};
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobCentreId, JobOrderId, ReferralId, UserId};
use crate::mail::Mail;
use crate::on_inner;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReferralView {
    pub id: ReferralId,
    pub order_id: JobOrderId,
    pub order_title: String,
    pub candidate_id: CandidateId,
    pub candidate: SharedCandidate,
    pub state: State,
    pub state_label: &'static str,
    pub reason: Option<String>,
    pub job_centre_id: JobCentreId,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub created_by_name: String,
    pub updated_at: NaiveDateTime,
}

/// `state = 'pending_approval' OR state = 'available_to_company'`.
pub type IsLive =
    diesel::dsl::Or<diesel::dsl::Eq<referrals::state, &'static str>, diesel::dsl::Eq<referrals::state, &'static str>>;

/// A live referral: awaiting approval, or available to the company (a candidate can't be
/// referred to the order again meanwhile). Two equalities rather than `eq_any`: diesel writes a
/// list `IN` on SQLite as a statement it never caches, so every run was parsed and planned
/// again (4% of the server's samples under the order page were in `sqlite3_prepare`, `perf`).
/// SQLite plans the two equalities as that `IN`.
pub fn is_live() -> IsLive {
    referrals::state
        .eq(State::PendingApproval.as_str())
        .or(referrals::state.eq(State::AvailableToCompany.as_str()))
}

/// An order's live referrals: what a close withdraws, and what keeps a candidate from being
/// referred to it again.
pub type LiveOfOrder = diesel::dsl::Filter<
    diesel::dsl::Filter<referrals::table, diesel::dsl::Eq<referrals::order_id, JobOrderId>>,
    IsLive,
>;

pub fn live_of_order(order: JobOrderId) -> LiveOfOrder {
    referrals::table.filter(referrals::order_id.eq(order)).filter(is_live())
}

/// The candidates of an order's live referrals, as a subquery: they are neither suggested nor
/// offered in the picker again while their referral lives.
pub type LiveCandidates = diesel::dsl::Select<LiveOfOrder, referrals::candidate_id>;

pub fn live_candidates(order: JobOrderId) -> LiveCandidates {
    live_of_order(order).select(referrals::candidate_id)
}

fn load(conn: &mut DbConn, id: ReferralId) -> AppResult<Referral> {
    Ok(referrals::table.find(id).select(Referral::as_select()).first(conn)?)
}

/// A referral is visible to the order's centre and to the referring centre.
pub fn load_visible(conn: &mut DbConn, user: &AuthUser, id: ReferralId) -> AppResult<(Referral, JobOrder)> {
    // Every action on a referral starts here: on the inner connection (`on_inner!`, db/direct.rs).
    let (r, order): (Referral, JobOrder) = on_inner!(conn, c => referrals::table
        .inner_join(job_orders::table)
        .filter(referrals::id.eq(id))
        .select((Referral::as_select(), JobOrder::as_select()))
        .first(c))?;
    visible_to(user, r, order)
}

/// `load_visible`, with all that an action reads besides, in the same statement: the
/// candidate and the referring consultant (for the view it answers with), and the order's
/// names (for its mail, `notify::Referrer`). So an action reads nothing after this, and
/// an approval is one round trip less on PostgreSQL (bench/results.md).
fn load_for_action(
    conn: &mut DbConn,
    user: &AuthUser,
    id: ReferralId,
) -> AppResult<(Referral, JobOrder, Candidate, notify::Referrer)> {
    let joined = referrals::table
        .inner_join(job_orders::table)
        .inner_join(candidates_t::table)
        .inner_join(users::table.on(users::id.eq(referrals::created_by)))
        .inner_join(job_centres::table.on(job_centres::id.eq(users::job_centre_id)))
        .inner_join(order::owner.on(order::owner.field(job_centres::id).eq(job_orders::job_centre_id)))
        .inner_join(companies::table.on(companies::id.eq(job_orders::company_id)))
        .filter(referrals::id.eq(id));
    let (r, order, cand, referrer): (Referral, JobOrder, Candidate, notify::ReferrerRow) = on_inner!(conn, c => joined
        .select((
            Referral::as_select(),
            JobOrder::as_select(),
            Candidate::as_select(),
            notify::referrer_columns(),
        ))
        .first(c))?;
    let (r, order) = visible_to(user, r, order)?;
    let referrer = notify::Referrer::new(referrer, &cand.name);
    Ok((r, order, cand, referrer))
}

fn visible_to(user: &AuthUser, r: Referral, order: JobOrder) -> AppResult<(Referral, JobOrder)> {
    if user.job_centre_id != order.job_centre_id && user.job_centre_id != r.job_centre_id {
        return Err(AppError::NotFound);
    }
    Ok((r, order))
}

/// The referral's view with its order's title (after a create or an action).
pub fn view_of(conn: &mut DbConn, r: Referral) -> AppResult<ReferralView> {
    let title = job_orders::table
        .find(r.order_id)
        .select(job_orders::title)
        .first(conn)?;
    view(conn, r, title)
}

pub fn view(conn: &mut DbConn, r: Referral, order_title: String) -> AppResult<ReferralView> {
    // The candidate and the referrer's name in one statement (a new referral answers with
    // this view inside its write transaction; an action reads them with the referral, in
    // `load_visible_for_view`).
    let created_by_name = users::table
        .filter(users::id.eq(r.created_by))
        .select(users::display_name)
        .single_value();
    let (cand, created_by_name): (Candidate, Option<String>) = on_inner!(conn, c => candidates_t::table
        .find(r.candidate_id)
        .select((Candidate::as_select(), created_by_name))
        .first(c))?;
    view_of_parts(r, &cand, created_by_name.unwrap_or_default(), order_title)
}

/// The view from the rows it is made of (loaded one by one, or joined for a whole order).
fn view_of_parts(
    r: Referral,
    cand: &Candidate,
    created_by_name: String,
    order_title: String,
) -> AppResult<ReferralView> {
    Ok(ReferralView {
        id: r.id,
        order_id: r.order_id,
        order_title,
        candidate_id: r.candidate_id,
        candidate: SharedCandidate::from(cand),
        state: r.state()?,
        state_label: r.state()?.label_da(),
        reason: r.reason,
        job_centre_id: r.job_centre_id,
        created_at: r.created_at,
        created_by: r.created_by,
        created_by_name,
        updated_at: r.updated_at,
    })
}

/// Who moved a referral, for its history: a consultant, or the employer through a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    User(UserId),
    EmployerLink(i64),
}

fn record_event(
    conn: &mut DbConn,
    id: ReferralId,
    by: Mover,
    from: Option<State>,
    to: State,
    reason: Option<&str>,
) -> AppResult<()> {
    let (actor, link) = match by {
        Mover::User(u) => (Some(u), None),
        Mover::EmployerLink(l) => (None, Some(l)),
    };
    use diesel::sql_types::{BigInt, Nullable, Text};
    // NULLs bound as values (`into_sql`), not left out as column defaults: the statement's
    // text is then the same every time, and SQLite's prepared statement is reused.
    let insert = diesel::insert_into(referral_events::table).values((
        referral_events::referral_id.eq(id),
        referral_events::actor_id.eq(actor.into_sql::<Nullable<BigInt>>()),
        referral_events::at.eq(Utc::now().naive_utc()),
        referral_events::from_state.eq(from.map(State::as_str).into_sql::<Nullable<Text>>()),
        referral_events::to_state.eq(to.as_str()),
        referral_events::reason.eq(reason.into_sql::<Nullable<Text>>()),
        referral_events::employer_link_id.eq(link.into_sql::<Nullable<BigInt>>()),
    ));
    on_inner!(conn, c => insert.execute(c))?;
    Ok(())
}

/// Moves the order's referred and hired figures; increments under the row lock, so
/// concurrent changes to one order never lose a count.
fn bump_counts(conn: &mut DbConn, order_id: JobOrderId, from: Option<State>, to: State) -> AppResult<()> {
    let d = |f: fn(State) -> bool| f(to) as i32 - from.is_some_and(f) as i32;
    let (referred, hired) = (d(State::counts), d(|s| s == State::Hired));
    if referred != 0 || hired != 0 {
        diesel::update(job_orders::table.find(order_id))
            .set((
                job_orders::referred.eq(job_orders::referred + referred),
                job_orders::hired.eq(job_orders::hired + hired),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Moves a referral from `from` to `to`, as `transition` decided for `action`: the history
/// entry, then what `then` writes (the caller's audit and notices, given the time of the
/// change), then the conditional update on the state it was read in, then the order's
/// figures. A race is a 409, never a lost change: the update finds the state moved, and the
/// transaction undoes everything written before it.
/// The update goes last because its trigger (the report counts) locks counter rows that the
/// decisions on a centre's orders share, until commit. So they are held from the update to the
/// commit, not over the caller's audit, notice and mail as well (PostgreSQL approvals,
/// bench/results.md).
#[allow(clippy::too_many_arguments)]
pub fn move_state<T>(
    conn: &mut DbConn,
    id: ReferralId,
    order_id: JobOrderId,
    action: Action,
    (from, to): (State, State),
    by: Mover,
    reason: Option<&str>,
    then: impl FnOnce(&mut DbConn, NaiveDateTime) -> AppResult<T>,
) -> AppResult<T> {
    let at = Utc::now().naive_utc();
    record_event(conn, id, by, Some(from), to, reason)?;
    let done = then(conn, at)?;
    let updated = SetState {
        id,
        from: from.as_str(),
        to: to.as_str(),
        reason,
        at,
    }
    .execute(conn)?;
    if updated == 0 {
        // Someone else moved it first.
        let now = load(conn, id)?.state()?;
        return Err(Refusal::WrongState(now).into_error(action));
    }
    bump_counts(conn, order_id, Some(from), to)?;
    Ok(done)
}

/// Refers a candidate of the user's centre to an order the user can see.
pub fn create(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    order_id: JobOrderId,
    candidate_id: CandidateId,
) -> AppResult<Referral> {
    let (order, _access) = orders::load_visible(conn, user, order_id)?;
    let cand = candidates::load(conn, candidate_id)
        .ok()
        .filter(|c| c.job_centre_id == user.job_centre_id)
        .ok_or_else(|| AppError::invalid("candidate_id", "no such candidate in your job centre"))?;
    if !order.is_open() {
        return Err(AppError::Conflict(
            "the order is closed and takes no new referrals".into(),
        ));
    }
    let shares: i64 = order_shares::table
        .filter(order_shares::order_id.eq(order_id))
        .count()
        .get_result(conn)?;
    if shares == 0 {
        return Err(AppError::Conflict(
            "the order is not shared with any network yet".into(),
        ));
    }
    if !cand.has_consent() {
        return Err(AppError::Conflict(format!(
            "{} has not given consent to be referred; record the consent first",
            cand.name
        )));
    }
    let live: i64 = live_of_order(order_id)
        .filter(referrals::candidate_id.eq(candidate_id))
        .count()
        .get_result(conn)?;
    if live > 0 {
        return Err(AppError::Conflict(format!(
            "{} is already referred to this order",
            cand.name
        )));
    }
    let state = State::initial(order.coordinator_allowed);
    let now = Utc::now().naive_utc();
    let id: ReferralId = diesel::insert_into(referrals::table)
        .values((
            referrals::order_id.eq(order_id),
            referrals::candidate_id.eq(candidate_id),
            referrals::job_centre_id.eq(user.job_centre_id),
            referrals::state.eq(state.as_str()),
            referrals::created_by.eq(user.id),
            referrals::created_at.eq(now),
            referrals::updated_at.eq(now),
            referrals::coordinator_id.eq(order.coordinator_id),
        ))
        .returning(referrals::id)
        .get_result(conn)?;
    record_event(conn, id, Mover::User(user.id), None, state, None)?;
    bump_counts(conn, order_id, None, state)?;
    audit::record(
        conn,
        Some(user),
        "referral",
        id.0,
        "created",
        json!({ "order_id": order_id, "candidate_id": candidate_id, "state": state }),
    )?;
    let r = load(conn, id)?;
    if state == State::PendingApproval {
        notify::awaiting_approval(conn, mail, &order, &r, &cand)?;
    }
    Ok(r)
}

/// What `action` by `user` would move a referral (in state `from`, made by `created_by` of
/// centre `referral_centre`) to: the state machine plus the order's own rules. `apply`
/// enforces it and the pages show a button only where it passes, so the two always agree.
pub fn check(
    user: &AuthUser,
    order: &JobOrder,
    from: State,
    created_by: UserId,
    referral_centre: JobCentreId,
    action: Action,
) -> AppResult<State> {
    let actor = Actor {
        coordinator: user.id == order.coordinator_id,
        referrer: user.id == created_by,
        candidate_centre: action == Action::ConsentRevoked && user.job_centre_id == referral_centre,
        order_owner: action == Action::OrderClosed && user.job_centre_id == order.job_centre_id,
        // A consultant is never the employer: the employer answers through the link alone.
        employer: false,
    };
    let to = transition(from, action, actor, order.is_open()).map_err(|e| e.into_error(action))?;
    if action == Action::Send && order.employer_email.is_none() {
        return Err(AppError::Conflict(
            "the order has no employer email to send the candidate to".into(),
        ));
    }
    Ok(to)
}

/// The actions a consultant may take on a referral now (the system's `ConsentRevoked` aside).
pub fn available_actions(user: &AuthUser, order: &JobOrder, r: &ReferralView) -> Vec<Action> {
    [Action::Approve, Action::Reject, Action::Send, Action::Withdraw]
        .into_iter()
        .filter(|a| check(user, order, r.state, r.created_by, r.job_centre_id, *a).is_ok())
        .collect()
}

/// Applies an action to a referral through `transition`, guarded against races by a
/// conditional update on the state it was read in.
pub fn apply(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    id: ReferralId,
    action: Action,
    reason: Option<String>,
) -> AppResult<Referral> {
    let (r, order, _, referrer) = load_for_action(conn, user, id)?;
    act_on(conn, mail, user, (r, order, referrer), action, reason).map(|(r, _)| r)
}

/// `apply`, answered with the referral's view (the API's answer). The candidate and the
/// referrer's name are read with the referral: no action changes them.
pub fn apply_view(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    id: ReferralId,
    action: Action,
    reason: Option<String>,
) -> AppResult<ReferralView> {
    let (r, order, cand, referrer) = load_for_action(conn, user, id)?;
    let referrer_name = referrer.name().to_string();
    let (r, order) = act_on(conn, mail, user, (r, order, referrer), action, reason)?;
    view_of_parts(r, &cand, referrer_name, order.title)
}

fn act_on(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    (r, order, referrer): (Referral, JobOrder, notify::Referrer),
    action: Action,
    reason: Option<String>,
) -> AppResult<(Referral, JobOrder)> {
    let id = r.id;
    let from = r.state()?;
    let to = check(user, &order, from, r.created_by, r.job_centre_id, action)?;
    let reason = match action {
        Action::Reject => {
            let text = reason.unwrap_or_default();
            let text = text.trim();
            if text.is_empty() {
                return Err(AppError::invalid("reason", "a rejection needs a reason"));
            }
            if text.chars().count() > 2000 {
                return Err(AppError::invalid("reason", "must be at most 2000 characters"));
            }
            Some(text.to_string())
        }
        Action::ConsentRevoked => Some("consent revoked".to_string()),
        _ => reason
            .map(|s| s.trim().chars().take(2000).collect())
            .filter(|s: &String| !s.is_empty()),
    };
    let by = Mover::User(user.id);
    let written = move_state(
        conn,
        id,
        order.id,
        action,
        (from, to),
        by,
        reason.as_deref(),
        |conn, at| {
            audit::record(
                conn,
                Some(user),
                "referral",
                id.0,
                action.as_str(),
                json!({ "from": from, "to": to, "reason": reason }),
            )?;
            // The row as the update will leave it, without reading it back.
            let r = Referral {
                state: to.as_str().to_string(),
                reason: reason.clone(),
                updated_at: at,
                ..r
            };
            match action {
                Action::Approve | Action::Reject => notify::referral_decided(conn, mail, &order, &r, referrer)?,
                Action::Send => {
                    let r = send_to_employer(conn, mail, &order, r)?;
                    notify::referral_sent(conn, mail, &order, &r, user.id, referrer)?;
                    return Ok(r);
                }
                // A pending or available referral was the coordinator's to act on: they are told.
                Action::ConsentRevoked => notify::referral_withdrawn(conn, mail, &order, &r)?,
                // Closing tells each referring consultant once, for all their candidates (order_close).
                Action::Withdraw | Action::OrderClosed => {}
                // The employer answers through `employer_outcome`, never as a user.
                Action::Interview | Action::Hire | Action::Decline => {
                    return Err(AppError::Internal("an employer's answer applied as a user".into()))
                }
            }
            Ok(r)
        },
    )?;
    Ok((written, order))
}

/// The candidate mail to the employer, with a new token of the order's employer link for that
/// address; the referral remembers the link, through which alone the employer may answer.
fn send_to_employer(conn: &mut DbConn, mail: &Mail, order: &JobOrder, r: Referral) -> AppResult<Referral> {
    let Some(to) = order.employer_email.as_deref() else {
        return Err(AppError::Conflict("the order has no employer email".into()));
    };
    let link = employer_link::issue(conn, order.id, to, Utc::now().naive_utc())?;
    diesel::update(referrals::table.find(r.id))
        .set(referrals::employer_link_id.eq(Some(link.link_id)))
        .execute(conn)?;
    notify::candidate_to_employer(conn, mail, order, &r, &mail.link(&format!("/employer/{}", link.token)))?;
    // Not read back: the state's update comes after this (`move_state`).
    Ok(Referral {
        employer_link_id: Some(link.link_id),
        ..r
    })
}

/// Live referrals of a candidate (for consent revocation).
pub fn live_of_candidate(conn: &mut DbConn, candidate_id: CandidateId) -> AppResult<Vec<ReferralId>> {
    Ok(referrals::table
        .filter(referrals::candidate_id.eq(candidate_id))
        .filter(is_live())
        .select(referrals::id)
        .load(conn)?)
}

#[derive(Debug, Serialize, Queryable, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor: Option<String>,
    /// The employer made this change, through the order's employer link (`actor` is null).
    pub by_employer: bool,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

pub fn history(conn: &mut DbConn, user: &AuthUser, id: ReferralId) -> AppResult<Vec<HistoryEntry>> {
    load_visible(conn, user, id)?;
    Ok(referral_events::table
        .left_join(users::table.on(users::id.nullable().eq(referral_events::actor_id)))
        .filter(referral_events::referral_id.eq(id))
        .order(referral_events::id.desc())
        .select((
            referral_events::id,
            referral_events::at,
            referral_events::actor_id,
            users::display_name.nullable(),
            referral_events::employer_link_id.is_not_null(),
            referral_events::from_state,
            referral_events::to_state,
            referral_events::reason,
        ))
        .load(conn)?)
}

/// One state change of one of an order's referrals, for the order's history.
#[derive(Debug, Serialize, Queryable)]
pub struct OrderReferralEvent {
    pub at: NaiveDateTime,
    pub actor: Option<String>,
    pub by_employer: bool,
    pub candidate: String,
    pub from: Option<String>,
    pub to: String,
    pub reason: Option<String>,
}

/// The state changes of every referral to an order, newest first; the owner's to see.
pub fn events_of_order(
    conn: &mut DbConn,
    user: &AuthUser,
    order_id: JobOrderId,
    limit: i64,
) -> AppResult<Vec<OrderReferralEvent>> {
    orders::load_owned(conn, user, order_id)?;
    Ok(referral_events::table
        .inner_join(referrals::table.inner_join(candidates_t::table))
        .left_join(users::table.on(users::id.nullable().eq(referral_events::actor_id)))
        .filter(referrals::order_id.eq(order_id))
        .order(referral_events::id.desc())
        .limit(limit)
        .select((
            referral_events::at,
            users::display_name.nullable(),
            referral_events::employer_link_id.is_not_null(),
            candidates_t::name,
            referral_events::from_state,
            referral_events::to_state,
            referral_events::reason,
        ))
        .load(conn)?)
}

/// The referrals of an order the user may see: the owner sees all, a notified
/// centre only its own.
pub fn of_order(conn: &mut DbConn, user: &AuthUser, order_id: JobOrderId) -> AppResult<Vec<ReferralView>> {
    let (order, access) = orders::load_visible(conn, user, order_id)?;
    // One joined query, not two lookups per referral (an order can have dozens).
    let mut q = referrals::table
        .inner_join(candidates_t::table)
        .inner_join(users::table.on(users::id.eq(referrals::created_by)))
        .filter(referrals::order_id.eq(order_id))
        .select((Referral::as_select(), Candidate::as_select(), users::display_name))
        .order(referrals::id.desc())
        .into_boxed();
    if access == Access::Notified {
        q = q.filter(referrals::job_centre_id.eq(user.job_centre_id));
    }
    q.load::<(Referral, Candidate, String)>(conn)?
        .into_iter()
        .map(|(r, c, by)| view_of_parts(r, &c, by, order.title.clone()))
        .collect()
}

/// Revokes consent and withdraws every live referral of the candidate, atomically.
pub fn revoke_consent(
    conn: &mut DbConn,
    mail: &Mail,
    user: &AuthUser,
    id: CandidateId,
) -> AppResult<(Candidate, usize)> {
    let c = candidates::load_own(conn, user, id)?;
    if !c.has_consent() {
        return Err(AppError::Conflict("the candidate has no consent to revoke".into()));
    }
    diesel::update(candidates_t::table.find(id))
        .set((
            candidates_t::consent_revoked_at.eq(Some(Utc::now().naive_utc())),
            candidates_t::updated_at.eq(Some(Utc::now().naive_utc())),
        ))
        .execute(conn)?;
    let mut withdrawn = 0;
    for rid in live_of_candidate(conn, id)? {
        apply(conn, mail, user, rid, Action::ConsentRevoked, None)?;
        withdrawn += 1;
    }
    audit::record(
        conn,
        Some(user),
        "candidate",
        id.0,
        "consent_revoked",
        json!({ "referrals_withdrawn": withdrawn }),
    )?;
    Ok((candidates::load(conn, id)?, withdrawn))
}
