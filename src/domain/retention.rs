//! Retention: personal data is not kept for ever. Candidates with no change and no live
//! referral for `months` are erased (the owning consultant is warned by mail 30 days before,
//! once); closed orders that old lose their private texts and employer contact; sent mails
//! are purged after 90 days. Run daily inside `serve` on one instance (a `jobs` claim), and
//! on demand by `staer-hub retention [--dry-run]`.

use chrono::{Duration, Months, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{candidates, job_orders, outbox, referrals, users};
use crate::db::{Db, DbConn};
use crate::domain::candidates::{self as cands, Candidate};
use crate::domain::referral::State;
use crate::domain::{audit, erasure, jobs};
use crate::error::AppResult;
use crate::ids::{CandidateId, JobOrderId, OutboxId};
use crate::mail::{enqueue_about, Mail};

/// How long before the erasure the owning consultant is warned.
pub const WARN_DAYS: i64 = 30;
/// How long a sent (or cancelled) mail is kept.
pub const OUTBOX_DAYS: i64 = 90;
/// The `jobs` row of the daily pass.
pub const JOB: &str = "retention";

#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub months: u32,
}

impl Policy {
    /// Last activity before this: erased (after the warning).
    pub fn erase_before(&self, now: NaiveDateTime) -> NaiveDateTime {
        now.checked_sub_months(Months::new(self.months))
            .unwrap_or(NaiveDateTime::MIN)
    }

    /// Last activity before this: warned now (erased `WARN_DAYS` later at the earliest).
    pub fn warn_before(&self, now: NaiveDateTime) -> NaiveDateTime {
        self.erase_before(now) + Duration::days(WARN_DAYS)
    }

    pub fn purge_mail_before(&self, now: NaiveDateTime) -> NaiveDateTime {
        now - Duration::days(OUTBOX_DAYS)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Warn,
    Erase,
}

/// The rule for one candidate: `last` is its last activity (its own changes and its
/// referrals'), `live` whether a referral is still pending or available, `warned_at` when the
/// consultant was warned. A warning counts only for the current stretch of inactivity (it is
/// newer than `last`), and the erasure waits `WARN_DAYS` after it even if retention was late.
pub fn verdict(
    policy: Policy,
    now: NaiveDateTime,
    last: NaiveDateTime,
    live: bool,
    warned_at: Option<NaiveDateTime>,
) -> Verdict {
    if live || last >= policy.warn_before(now) {
        return Verdict::Keep;
    }
    match warned_at.filter(|w| *w >= last) {
        None => Verdict::Warn,
        Some(w) if last < policy.erase_before(now) && w + Duration::days(WARN_DAYS) <= now => Verdict::Erase,
        Some(_) => Verdict::Keep,
    }
}

/// What a pass does (or, dry, would do), by id.
#[derive(Debug, Default, Serialize)]
pub struct Plan {
    pub warn: Vec<CandidateId>,
    pub erase: Vec<CandidateId>,
    pub strip_orders: Vec<JobOrderId>,
    pub purge_mails: Vec<OutboxId>,
}

/// A candidate's last activity and whether a referral of theirs is live.
fn activity(conn: &mut DbConn, c: &Candidate) -> AppResult<(NaiveDateTime, bool)> {
    let refs: Vec<(String, NaiveDateTime)> = referrals::table
        .filter(referrals::candidate_id.eq(c.id))
        .select((referrals::state, referrals::updated_at))
        .load(conn)?;
    let live = refs.iter().any(|(s, _)| State::parse(s).is_ok_and(|s| !s.is_final()));
    let last = [
        Some(c.created_at),
        c.updated_at,
        c.consent_given_at,
        c.consent_revoked_at,
    ]
    .into_iter()
    .flatten()
    .chain(refs.iter().map(|(_, at)| *at))
    .max()
    .unwrap_or(c.created_at);
    Ok((last, live))
}

/// The candidate and its verdict now (read again inside the transaction that acts on it).
fn assess(conn: &mut DbConn, policy: Policy, now: NaiveDateTime, id: CandidateId) -> AppResult<(Candidate, Verdict)> {
    let c = cands::load(conn, id)?;
    if c.erased_at.is_some() {
        return Ok((c, Verdict::Keep));
    }
    let (last, live) = activity(conn, &c)?;
    let v = verdict(policy, now, last, live, c.retention_warned_at);
    Ok((c, v))
}

/// What a pass at `now` would do. Reads only.
pub fn plan(conn: &mut DbConn, policy: Policy, now: NaiveDateTime) -> AppResult<Plan> {
    let wb = policy.warn_before(now);
    // Only candidates whose own dates are all old enough can qualify; their referrals decide.
    let ids: Vec<CandidateId> = candidates::table
        .filter(candidates::erased_at.is_null())
        .filter(candidates::created_at.lt(wb))
        .filter(candidates::updated_at.is_null().or(candidates::updated_at.lt(wb)))
        .filter(
            candidates::consent_given_at
                .is_null()
                .or(candidates::consent_given_at.lt(wb)),
        )
        .filter(
            candidates::consent_revoked_at
                .is_null()
                .or(candidates::consent_revoked_at.lt(wb)),
        )
        .select(candidates::id)
        .order(candidates::id)
        .load(conn)?;
    let mut p = Plan::default();
    for id in ids {
        match assess(conn, policy, now, id)?.1 {
            Verdict::Warn => p.warn.push(id),
            Verdict::Erase => p.erase.push(id),
            Verdict::Keep => {}
        }
    }
    let eb = policy.erase_before(now);
    p.strip_orders = job_orders::table
        .filter(job_orders::status.eq("closed"))
        .filter(
            job_orders::closed_at
                .lt(eb)
                .or(job_orders::closed_at.is_null().and(job_orders::updated_at.lt(eb))),
        )
        .filter(
            job_orders::qualifications_and_pay
                .ne("")
                .or(job_orders::working_hours.ne(""))
                .or(job_orders::employer_email.is_not_null()),
        )
        .select(job_orders::id)
        .order(job_orders::id)
        .load(conn)?;
    let mb = policy.purge_mail_before(now);
    p.purge_mails = outbox::table
        .filter(
            (outbox::status.eq("sent").and(outbox::sent_at.lt(mb)))
                .or(outbox::status.eq("cancelled").and(outbox::created_at.lt(mb))),
        )
        .select(outbox::id)
        .order(outbox::id)
        .load(conn)?;
    Ok(p)
}

/// Warns the owning consultant (the one who created the candidate), once.
fn warn(conn: &mut DbConn, mail: &Mail, policy: Policy, now: NaiveDateTime, c: &Candidate) -> AppResult<()> {
    let created_by: i64 = candidates::table
        .find(c.id)
        .select(candidates::created_by)
        .first(conn)?;
    let (name, email, lang) = users::table
        .find(created_by)
        .select((users::display_name, users::email, users::language))
        .first::<(String, String, String)>(conn)?;
    let erase_on = (now + Duration::days(WARN_DAYS)).date().to_string();
    let data = json!({
        "recipient_name": name,
        "candidate_name": c.name,
        "months": policy.months,
        "erase_on": erase_on,
        "link": mail.link(&format!("/candidates#candidate-{}", c.id)),
    });
    enqueue_about(conn, mail, "retention_warning", &email, &lang, &data, Some(c.id))?;
    diesel::update(candidates::table.find(c.id))
        .set(candidates::retention_warned_at.eq(Some(now)))
        .execute(conn)?;
    audit::record(
        conn,
        None,
        "candidate",
        c.id.0,
        "retention_warning",
        json!({ "erase_on": erase_on }),
    )
}

/// A closed order past retention keeps its shared fields; the private texts and the employer
/// contact go, from the order and from its audit entries.
fn strip_order(conn: &mut DbConn, id: JobOrderId) -> AppResult<()> {
    diesel::update(job_orders::table.find(id))
        .set((
            job_orders::qualifications_and_pay.eq(""),
            job_orders::working_hours.eq(""),
            job_orders::employer_email.eq(None::<String>),
        ))
        .execute(conn)?;
    const PRIVATE: [&str; 3] = ["qualifications_and_pay", "working_hours", "employer_email"];
    // Values under a private key (its `from` and `to`) are erased; all else stays.
    erasure::scrub_audit(conn, "job_order", &[id.0], |k| !PRIVATE.contains(&k), &[])?;
    audit::record(conn, None, "job_order", id.0, "private_texts_erased", json!({}))
}

/// One pass: plans, then (unless `dry_run`) acts on each item in its own transaction, checking
/// it again there (a candidate may have changed since the plan was read).
pub fn run(db: &Db, mail: &Mail, policy: Policy, now: NaiveDateTime, dry_run: bool) -> AppResult<Plan> {
    let p = db.read_blocking(|c| plan(c, policy, now))?;
    if dry_run {
        return Ok(p);
    }
    for id in &p.warn {
        db.write_blocking(|c| match assess(c, policy, now, *id)? {
            (cand, Verdict::Warn) => warn(c, mail, policy, now, &cand),
            _ => Ok(()),
        })?;
    }
    for id in &p.erase {
        db.write_blocking(|c| match assess(c, policy, now, *id)? {
            (cand, Verdict::Erase) => erasure::erase(c, None, &cand, "retention").map(|_| ()),
            _ => Ok(()),
        })?;
    }
    for id in &p.strip_orders {
        db.write_blocking(|c| strip_order(c, *id))?;
    }
    for chunk in p.purge_mails.chunks(500) {
        db.write_blocking(|c| {
            diesel::delete(outbox::table.filter(outbox::id.eq_any(chunk))).execute(c)?;
            Ok(())
        })?;
    }
    Ok(p)
}

/// The daily pass inside `serve`: every `tick` it tries to claim the job (due once a day);
/// the instance that wins runs it, the others find it taken.
pub fn spawn_daily(db: Db, mail: std::sync::Arc<Mail>, policy: Policy, tick: std::time::Duration) {
    let holder = jobs::token();
    let _ = std::thread::Builder::new()
        .name("retention".into())
        .spawn(move || loop {
            if let Err(e) = run_if_due(&db, &mail, policy, &holder) {
                tracing::warn!(error = %e, "retention pass failed");
            }
            std::thread::sleep(tick);
        });
}

/// Claims the day's run and does it; false when another instance has it or it already ran.
pub fn run_if_due(db: &Db, mail: &Mail, policy: Policy, holder: &str) -> AppResult<bool> {
    let now = Utc::now().naive_utc();
    let lease = Duration::hours(6);
    let claimed = db.write_blocking(|c| jobs::claim(c, JOB, holder, now, lease, Some(Duration::hours(23))))?;
    if !claimed {
        return Ok(false);
    }
    let result = run(db, mail, policy, now, false);
    db.write_blocking(|c| jobs::release(c, JOB, holder, Utc::now().naive_utc(), result.is_ok()))?;
    let p = result?;
    tracing::info!(
        warned = p.warn.len(),
        erased = p.erase.len(),
        orders = p.strip_orders.len(),
        mails_purged = p.purge_mails.len(),
        "retention pass done"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{s} 12:00:00"), "%Y-%m-%d %H:%M:%S").unwrap()
    }

    const P: Policy = Policy { months: 48 };

    #[test]
    fn cutoffs() {
        let now = at("2030-06-15");
        assert_eq!(P.erase_before(now), at("2026-06-15"));
        assert_eq!(P.warn_before(now), at("2026-07-15"));
        assert_eq!(P.purge_mail_before(now), at("2030-03-17"));
    }

    #[test]
    fn recent_or_live_is_kept() {
        let now = at("2030-06-15");
        assert_eq!(verdict(P, now, at("2026-08-01"), false, None), Verdict::Keep);
        assert_eq!(verdict(P, now, at("2020-01-01"), true, None), Verdict::Keep);
    }

    #[test]
    fn warned_once_then_erased_after_thirty_days() {
        let now = at("2030-06-15");
        let last = at("2026-07-01");
        // Within 30 days of the limit: warn.
        assert_eq!(verdict(P, now, last, false, None), Verdict::Warn);
        // Warned: not again, and not erased before the limit.
        assert_eq!(verdict(P, now, last, false, Some(now)), Verdict::Keep);
        let later = at("2030-07-15");
        assert_eq!(verdict(P, later, last, false, Some(now)), Verdict::Erase);
    }

    #[test]
    fn erasure_waits_for_the_warning_even_when_long_overdue() {
        let now = at("2030-06-15");
        let last = at("2020-01-01");
        assert_eq!(verdict(P, now, last, false, None), Verdict::Warn);
        assert_eq!(
            verdict(P, now + Duration::days(29), last, false, Some(now)),
            Verdict::Keep
        );
        assert_eq!(
            verdict(P, now + Duration::days(30), last, false, Some(now)),
            Verdict::Erase
        );
    }

    #[test]
    fn a_warning_before_the_last_change_does_not_count() {
        let now = at("2034-06-15");
        let old_warning = at("2030-06-15");
        let last = at("2030-07-01");
        assert_eq!(verdict(P, now, last, false, Some(old_warning)), Verdict::Warn);
    }
}
