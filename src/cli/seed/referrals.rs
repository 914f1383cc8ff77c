//! The referrals and their history: who refers whom to which shared order, and the states
//! each referral has passed through since (`referrals::transition`'s rules).

use chrono::{Duration, NaiveDateTime};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::Rng;

use super::candidates::Candidate;
use super::centres::Centres;
use super::orders::Order;
use super::rows::{NewEvent, NewReferral};
use super::words::{pick, soon_after, CONSENT_REVOKED, REJECT_REASONS, WITHDRAW_REASONS};
use crate::domain::referral::State;
use crate::error::{AppError, AppResult};

/// One referral drawn: the order (index), the referring centre (index) and candidate, and
/// when it was made.
struct Draw {
    order: usize,
    centre: usize,
    candidate: u32,
    at: NaiveDateTime,
    /// When its history ends: the order's closing, or now.
    end: NaiveDateTime,
}

/// Referrals to shared orders, by a consultant of a notified centre (or the owner), until
/// `n` are drawn or too many draws were duplicates. Updates the orders' and candidates' plans.
pub(super) fn plan(
    rng: &mut StdRng,
    n: usize,
    orders: &mut [Order],
    cands: &mut [Candidate],
    consenting: &[Vec<u32>],
    centres: &Centres,
    now: NaiveDateTime,
) -> AppResult<(Vec<NewReferral>, Vec<NewEvent>)> {
    let shared: Vec<usize> = (0..orders.len()).filter(|&i| orders[i].shared_at.is_some()).collect();
    let mut referral_rows: Vec<NewReferral> = Vec::with_capacity(n);
    let mut event_rows: Vec<NewEvent> = Vec::with_capacity(n * 5 / 2);
    if shared.is_empty() {
        return Ok((referral_rows, event_rows));
    }
    let order_weights: Vec<f64> = shared.iter().map(|&i| (orders[i].vacancies as f64).sqrt()).collect();
    let by_order = WeightedIndex::new(&order_weights).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut attempts = 0usize;
    while referral_rows.len() < n && attempts < n * 20 {
        attempts += 1;
        let oi = shared[by_order.sample(rng)];
        let Some(d) = draw(rng, oi, &orders[oi], consenting, now) else {
            continue;
        };
        let id = referral_rows.len() as i64 + 1;
        let referrer = centres.list[d.centre].consultants[rng.gen_range(0..3)];
        let o = &orders[d.order];
        let steps = plan_referral(rng, o, d.at, now, cands[d.candidate as usize].revoked);
        let (state, reason, t) = history(rng, &steps, id, &d, referrer, o.coordinator, &mut event_rows);
        let c = &mut cands[d.candidate as usize];
        c.first_referral = Some(c.first_referral.map_or(d.at, |f| f.min(d.at)));
        c.last_event = Some(c.last_event.map_or(t, |l| l.max(t)));
        let coordinator_id = Some(o.coordinator);
        let o = &mut orders[d.order];
        o.referred_candidates.push(d.candidate);
        if state.counts() {
            o.referred += 1;
        }
        referral_rows.push(NewReferral {
            id,
            order_id: d.order as i64 + 1,
            candidate_id: d.candidate as i64 + 1,
            job_centre_id: centres.list[d.centre].id,
            state: state.as_str(),
            reason,
            created_by: referrer,
            created_at: d.at,
            updated_at: t,
            coordinator_id,
        });
    }
    Ok((referral_rows, event_rows))
}

/// Who refers whom to order `oi`, and when; None if the draw is unusable (no consenting
/// candidate, already referred, or no time left before the order closed).
fn draw(rng: &mut StdRng, oi: usize, o: &Order, consenting: &[Vec<u32>], now: NaiveDateTime) -> Option<Draw> {
    let (centre, from) = if rng.gen_bool(0.3) {
        (o.centre, o.shared_at.expect("shared"))
    } else {
        o.notified[rng.gen_range(0..o.notified.len())]
    };
    let pool = &consenting[centre];
    if pool.is_empty() {
        return None;
    }
    let candidate = pool[rng.gen_range(0..pool.len())];
    if o.referred_candidates.contains(&candidate) {
        return None;
    }
    let end = o.closed_at.unwrap_or(now);
    if end <= from {
        return None;
    }
    let at = soon_after(rng, from, end, 20.0 * 86400.0);
    Some(Draw {
        order: oi,
        centre,
        candidate,
        at,
        end,
    })
}

/// Writes the events of referral `id` along `steps`, hours to days apart (squeezed before the
/// end); returns its final state, that step's reason and the time of its last event.
fn history(
    rng: &mut StdRng,
    steps: &[(State, Option<&'static str>)],
    id: i64,
    d: &Draw,
    referrer: i64,
    coordinator: i64,
    events: &mut Vec<NewEvent>,
) -> (State, Option<&'static str>, NaiveDateTime) {
    let mut t = d.at;
    let mut prev: Option<State> = None;
    let mut reason = None;
    for (k, (to, why)) in steps.iter().enumerate() {
        if k > 0 {
            let step = Duration::seconds(rng.gen_range(3600..5 * 86400));
            t = if t + step < d.end {
                t + step
            } else {
                t + (d.end - t) / 2
            };
        }
        // Who may take each step (`referrals::transition`): the coordinator approves
        // and rejects, either may send, the referrer withdraws.
        let actor = match (prev, to) {
            (None, _) | (Some(_), State::PendingApproval | State::Withdrawn) => referrer,
            (Some(_), State::AvailableToCompany | State::Rejected) => coordinator,
            (Some(_), State::SentToEmployer) if rng.gen_bool(0.5) => coordinator,
            (Some(_), State::SentToEmployer) => referrer,
            // Never planned: the seed makes no employer answers (they have no user to name).
            (Some(_), State::Interview | State::Hired | State::DeclinedByEmployer) => referrer,
        };
        events.push(NewEvent {
            id: events.len() as i64 + 1,
            referral_id: id,
            actor_id: Some(actor),
            at: t,
            from_state: prev.map(State::as_str),
            to_state: to.as_str(),
            reason: *why,
        });
        prev = Some(*to);
        reason = *why;
    }
    (prev.expect("a plan has at least one state"), reason, t)
}

/// The states a referral passes through (the first is its initial state), each with the
/// reason stored on that step. Old referrals and closed orders are mostly final; recent
/// ones on open orders still wait; some coordinators keep a backlog.
fn plan_referral(
    rng: &mut StdRng,
    o: &Order,
    at: NaiveDateTime,
    now: NaiveDateTime,
    consent_revoked: bool,
) -> Vec<(State, Option<&'static str>)> {
    use State as S;
    let initial = S::initial(o.coordinator_allowed);
    let open = o.closed_at.is_none();
    let recent = (now - at).num_days() <= 30;
    // Percent per target state, in `State::ALL` order: pending, available, rejected, sent, withdrawn.
    let weights: [u32; 5] = match (open, recent) {
        (true, true) => [45, 30, 5, 15, 5],
        (true, false) => [12, 10, 20, 45, 13],
        (false, _) => [3, 3, 24, 55, 15],
    };
    let target = S::ALL[WeightedIndex::new(weights).expect("weights").sample(rng)];
    let mut path = vec![(initial, None)];
    let approve = |path: &mut Vec<(State, Option<&'static str>)>| {
        if initial == S::PendingApproval {
            path.push((S::AvailableToCompany, None));
        }
    };
    match target {
        S::PendingApproval => {}
        S::AvailableToCompany => approve(&mut path),
        // The weights pick none of the employer's answers: the seed sends and stops there.
        S::SentToEmployer | S::Interview | S::Hired | S::DeclinedByEmployer => {
            approve(&mut path);
            path.push((S::SentToEmployer, None));
        }
        S::Rejected if initial == S::PendingApproval => {
            path.push((S::Rejected, Some(pick(rng, REJECT_REASONS))));
        }
        S::Rejected | S::Withdrawn => {
            if rng.gen_bool(0.4) {
                approve(&mut path);
            }
            path.push((S::Withdrawn, rng.gen_bool(0.6).then(|| pick(rng, WITHDRAW_REASONS))));
        }
    }
    // A revoked consent withdrew whatever was still live.
    let last = path.last().expect("non-empty").0;
    if consent_revoked && !last.is_final() {
        path.push((S::Withdrawn, Some(CONSENT_REVOKED)));
    }
    path
}

/// Ids in time order, as an autoincrement hands them out: renumbers the referrals by creation
/// time and the events by their time (a referral's own events keep their order).
pub(super) fn renumber(referral_rows: &mut [NewReferral], event_rows: &mut [NewEvent]) {
    // The keys sorted are the (time, index) pairs themselves, unique, so any sort gives this
    // order. Sorting indexes by a key looked up in the rows missed the cache at every
    // comparison: 7 s at 10x.
    let mut by_time: Vec<(NaiveDateTime, usize)> = referral_rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.created_at, i))
        .collect();
    by_time.sort_unstable();
    let mut new_id = vec![0i64; referral_rows.len()];
    for (k, &(_, i)) in by_time.iter().enumerate() {
        new_id[i] = k as i64 + 1;
    }
    drop(by_time);
    for r in referral_rows.iter_mut() {
        r.id = new_id[r.id as usize - 1];
    }
    referral_rows.sort_unstable_by_key(|r| r.id);
    for e in event_rows.iter_mut() {
        e.referral_id = new_id[e.referral_id as usize - 1];
    }
    drop(new_id);
    event_rows.sort_unstable_by_key(|e| (e.at, e.id));
    for (k, e) in event_rows.iter_mut().enumerate() {
        e.id = k as i64 + 1;
    }
}
