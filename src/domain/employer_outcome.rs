//! What the employer sees through their link, and their answer per candidate (invite to
//! interview, hired, not suitable), applied through the referral state machine as the
//! `employer` actor. The page shows the order's title and company and, per candidate sent
//! through this link, the name and the contact details the candidate consented to share:
//! each column read by name, so no private text of the order is ever loaded here. The
//! candidate's CV is offered for download while the candidate's consent with `share_cv` holds.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::db::schema::{job_orders, referrals};
use crate::db::DbConn;
use crate::domain::candidates::{self, SharedCandidate};
use crate::domain::employer_link::{self, Scope};
use crate::domain::order::JobOrder;
use crate::domain::referral::{transition, Action, Actor, Referral, State};
use crate::domain::referrals::{move_state, Mover};
use crate::domain::{audit, cv, notify};
use crate::error::{AppError, AppResult};
use crate::ids::ReferralId;
use crate::mail::attachments::{self, CvFile};
use crate::mail::Mail;

/// Longest comment kept, as for a reason.
pub const MAX_COMMENT: usize = 2000;

/// The employer's answer, as the API and the form name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Interview,
    Hired,
    NotSuitable,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Interview, Outcome::Hired, Outcome::NotSuitable];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Interview => "interview",
            Outcome::Hired => "hired",
            Outcome::NotSuitable => "not_suitable",
        }
    }

    pub fn parse(s: &str) -> AppResult<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == s.trim())
            .ok_or_else(|| AppError::invalid("outcome", "must be interview, hired or not_suitable"))
    }

    fn action(self) -> Action {
        match self {
            Outcome::Interview => Action::Interview,
            Outcome::Hired => Action::Hire,
            Outcome::NotSuitable => Action::Decline,
        }
    }

    /// The answer a referral in `state` carries, if any.
    pub fn of(state: State) -> Option<Outcome> {
        match state {
            State::Interview => Some(Outcome::Interview),
            State::Hired => Some(Outcome::Hired),
            State::DeclinedByEmployer => Some(Outcome::NotSuitable),
            _ => None,
        }
    }
}

/// The order as the employer sees it: three shared columns.
#[derive(Debug, Clone, Serialize, Queryable, utoipa::ToSchema)]
pub struct EmployerOrder {
    pub title: String,
    pub company_name: String,
    pub request_id: String,
}

/// One candidate sent through the link, with the employer's answer so far.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmployerCandidate {
    pub referral_id: ReferralId,
    pub candidate: SharedCandidate,
    pub outcome: Option<Outcome>,
    /// The employer's own comment with the answer (nothing of the job centre's).
    pub comment: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    /// The candidate's CV, while they consent to share it; null otherwise.
    pub cv: Option<EmployerCv>,
}

/// A CV the employer may download, and where.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmployerCv {
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// The download (no login: the link's token is in it).
    pub url: String,
}

/// Where a referral's CV downloads: the page's path, or the API's under `prefix`.
pub fn cv_path(prefix: &str, token: &str, id: ReferralId) -> String {
    format!("{prefix}/employer/{token}/referrals/{id}/cv")
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EmployerPage {
    pub order: EmployerOrder,
    pub candidates: Vec<EmployerCandidate>,
    pub expires_at: NaiveDateTime,
}

/// The row of one referral; `cv_url` says where its CV downloads.
fn candidate_row(
    conn: &mut DbConn,
    r: &Referral,
    cv_url: &dyn Fn(ReferralId) -> String,
) -> AppResult<Option<EmployerCandidate>> {
    let c = candidates::load(conn, r.candidate_id)?;
    // Consent revoked or data erased: the candidate is no longer the employer's to see.
    if !c.has_consent() || c.erased_at.is_some() {
        return Ok(None);
    }
    let outcome = Outcome::of(r.state()?);
    let cv = attachments::shared_cv(conn, r.id)?.map(|s| EmployerCv {
        name: s.file_name,
        size: s.size,
        url: cv_url(r.id),
    });
    Ok(Some(EmployerCandidate {
        referral_id: r.id,
        candidate: SharedCandidate::from(&c),
        outcome,
        // `reason` holds the employer's comment only once the employer has answered.
        comment: outcome.and(r.reason.clone()),
        answered_at: outcome.map(|_| r.updated_at),
        cv,
    }))
}

/// The page a link opens: its order's title and company, and every candidate sent through it.
/// The CV downloads are under `prefix` (`""` for the page, the API's prefix for the JSON).
pub fn page(conn: &mut DbConn, token: &str, prefix: &str, now: NaiveDateTime) -> AppResult<EmployerPage> {
    let scope = employer_link::open(conn, token, now)?;
    let order: EmployerOrder = job_orders::table
        .find(scope.order_id)
        .select((job_orders::title, job_orders::company_name, job_orders::request_id))
        .first(conn)?;
    let sent: Vec<Referral> = referrals::table
        .filter(referrals::employer_link_id.eq(scope.link_id))
        .order(referrals::id)
        .select(Referral::as_select())
        .load(conn)?;
    let mut candidates = Vec::with_capacity(sent.len());
    let cv_url = |id| cv_path(prefix, token, id);
    for r in &sent {
        candidates.extend(candidate_row(conn, r, &cv_url)?);
    }
    Ok(EmployerPage {
        order,
        candidates,
        expires_at: scope.expires_at,
    })
}

/// A referral the link may act on: of the link's order, and if it was sent at all, sent
/// through this link. Anything else is unknown here (404), whatever it is.
fn in_scope(conn: &mut DbConn, scope: &Scope, id: ReferralId) -> AppResult<Referral> {
    let r: Referral = referrals::table.find(id).select(Referral::as_select()).first(conn)?;
    if r.order_id != scope.order_id || r.employer_link_id.is_some_and(|l| l != scope.link_id) {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// The CV of a candidate sent through this link, for the employer. The link must open (404
/// unknown, 410 expired or revoked) and the referral must have been sent through it (404:
/// another order's, another address's, or not sent yet); the candidate's consent with
/// `share_cv` must hold (410 once revoked, or the candidate erased). Audited on the
/// candidate as the employer's (no user; the link named), like the employer's answers.
pub fn cv_download(conn: &mut DbConn, token: &str, id: ReferralId, now: NaiveDateTime) -> AppResult<CvFile> {
    let scope = employer_link::open(conn, token, now)?;
    let r = in_scope(conn, &scope, id)?;
    if r.employer_link_id != Some(scope.link_id) {
        return Err(AppError::NotFound);
    }
    let file = cv::for_employer(conn, id)?;
    let detail = json!({ "via": "employer_link", "employer_link_id": scope.link_id, "referral_id": id });
    audit::record(conn, None, "candidate", r.candidate_id.0, "cv_downloaded", detail)?;
    Ok(file)
}

fn clean_comment(comment: Option<String>) -> AppResult<Option<String>> {
    let Some(text) = comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_COMMENT {
        return Err(AppError::invalid(
            "comment",
            format!("must be at most {MAX_COMMENT} characters"),
        ));
    }
    Ok(Some(text))
}

/// Records the employer's answer on a referral through `transition` (employer actor), with the
/// comment; audited, and mailed to the referring consultant and the coordinator. The hire that
/// fills the last place tells the order's owner (who may then close the order).
#[allow(clippy::too_many_arguments)]
pub fn answer(
    conn: &mut DbConn,
    mail: &Mail,
    token: &str,
    prefix: &str,
    id: ReferralId,
    outcome: Outcome,
    comment: Option<String>,
    now: NaiveDateTime,
) -> AppResult<EmployerCandidate> {
    let cv_url = |id| cv_path(prefix, token, id);
    let scope = employer_link::open(conn, token, now)?;
    let r = in_scope(conn, &scope, id)?;
    let comment = clean_comment(comment)?;
    let from = r.state()?;
    let action = outcome.action();
    let order: JobOrder = job_orders::table
        .find(r.order_id)
        .select(JobOrder::as_select())
        .first(conn)?;
    let employer = Actor {
        employer: true,
        ..Actor::default()
    };
    let to = transition(from, action, employer, order.is_open()).map_err(|e| e.into_error(action))?;
    if r.employer_link_id == Some(scope.link_id) && candidate_row(conn, &r, &cv_url)?.is_none() {
        return Err(AppError::Gone("the candidate is no longer shared with you".into()));
    }
    let by = Mover::EmployerLink(scope.link_id);
    move_state(
        conn,
        id,
        order.id,
        action,
        (from, to),
        by,
        comment.as_deref(),
        |_, _| Ok(()),
    )?;
    audit::record(
        conn,
        None,
        "referral",
        id.0,
        action.as_str(),
        json!({ "from": from, "to": to, "reason": comment, "via": "employer_link",
                "employer_link_id": scope.link_id }),
    )?;
    let r: Referral = referrals::table.find(id).select(Referral::as_select()).first(conn)?;
    notify::referral_outcome(conn, mail, &order, &r)?;
    let filled_now = |o: &JobOrder| o.hired >= o.vacancies;
    let after: JobOrder = job_orders::table
        .find(order.id)
        .select(JobOrder::as_select())
        .first(conn)?;
    if filled_now(&after) && !filled_now(&order) && after.is_open() {
        notify::order_filled(conn, mail, &after)?;
    }
    candidate_row(conn, &r, &cv_url)?.ok_or(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_name_the_states_they_lead_to() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()).unwrap(), o);
            let employer = Actor {
                employer: true,
                ..Actor::default()
            };
            let to = transition(State::SentToEmployer, o.action(), employer, true).unwrap();
            assert_eq!(Outcome::of(to), Some(o));
        }
        assert!(Outcome::parse("declined_by_employer").is_err());
        assert_eq!(Outcome::of(State::SentToEmployer), None);
    }

    #[test]
    fn comments_are_trimmed_optional_and_bounded() {
        assert_eq!(clean_comment(None).unwrap(), None);
        assert_eq!(clean_comment(Some(" ".into())).unwrap(), None);
        assert_eq!(
            clean_comment(Some(" Mandag ".into())).unwrap().as_deref(),
            Some("Mandag")
        );
        assert!(clean_comment(Some("x".repeat(MAX_COMMENT + 1))).is_err());
    }
}
