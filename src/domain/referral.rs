//! A referral as stored, and its state machine: the states, the actions, who may take them,
//! and the one `transition` function. Pure rules, no queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::referrals;
use crate::error::{AppError, AppResult};
use crate::ids::{CandidateId, JobCentreId, JobOrderId, ReferralId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    PendingApproval,
    AvailableToCompany,
    Rejected,
    SentToEmployer,
    Withdrawn,
    /// The employer's answers (through the order's employer link), after `SentToEmployer`.
    Interview,
    Hired,
    DeclinedByEmployer,
}
impl State {
    pub const ALL: [State; 8] = [
        State::PendingApproval,
        State::AvailableToCompany,
        State::Rejected,
        State::SentToEmployer,
        State::Withdrawn,
        State::Interview,
        State::Hired,
        State::DeclinedByEmployer,
    ];

    /// The states the employer may answer from and to: sent, and each answer (the employer
    /// may change their mind: interview, then hired).
    pub const AT_EMPLOYER: [State; 4] = [
        State::SentToEmployer,
        State::Interview,
        State::Hired,
        State::DeclinedByEmployer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::PendingApproval => "pending_approval",
            State::AvailableToCompany => "available_to_company",
            State::Rejected => "rejected",
            State::SentToEmployer => "sent_to_employer",
            State::Withdrawn => "withdrawn",
            State::Interview => "interview",
            State::Hired => "hired",
            State::DeclinedByEmployer => "declined_by_employer",
        }
    }

    pub fn parse(s: &str) -> AppResult<State> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| AppError::Internal(format!("unknown referral state in database: {s}")))
    }

    /// The job centre's part is over: no consultant, coordinator or consent change moves it
    /// any more. Only the employer's answer may still change a referral that reached them.
    pub fn is_final(self) -> bool {
        !matches!(self, State::PendingApproval | State::AvailableToCompany)
    }

    /// Whether a referral in this state counts in the order's "referred" figure. The
    /// employer's answer keeps it counted: the candidate was referred, whatever came of it.
    pub fn counts(self) -> bool {
        !matches!(self, State::Rejected | State::Withdrawn)
    }

    /// The Danish label, as STÆR shows it.
    pub fn label_da(self) -> &'static str {
        match self {
            State::PendingApproval => "Formidling afventer godkendelse",
            State::AvailableToCompany => "Formidling tilgængelig for virksomhed",
            State::Rejected => "Afvist",
            State::SentToEmployer => "Sendt til virksomhed",
            State::Withdrawn => "Trukket tilbage",
            State::Interview => "Inviteret til samtale",
            State::Hired => "Ansat",
            State::DeclinedByEmployer => "Ikke egnet (virksomheden)",
        }
    }

    /// The state a new referral starts in: the coordinator approves, unless the
    /// company refused a coordinator, then it goes straight to the company.
    pub fn initial(coordinator_allowed: bool) -> State {
        if coordinator_allowed {
            State::PendingApproval
        } else {
            State::AvailableToCompany
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Approve,
    Reject,
    Send,
    Withdraw,
    /// The candidate's consent was revoked: the system withdraws.
    ConsentRevoked,
    /// The order's owner closed the order: its live referrals are withdrawn.
    OrderClosed,
    /// The employer's answers, through the order's employer link.
    Interview,
    Hire,
    Decline,
}
impl Action {
    pub const ALL: [Action; 9] = [
        Action::Approve,
        Action::Reject,
        Action::Send,
        Action::Withdraw,
        Action::ConsentRevoked,
        Action::OrderClosed,
        Action::Interview,
        Action::Hire,
        Action::Decline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Send => "send",
            Action::Withdraw => "withdraw",
            Action::ConsentRevoked => "consent_revoked",
            Action::OrderClosed => "order_closed",
            Action::Interview => "interview",
            Action::Hire => "hire",
            Action::Decline => "decline",
        }
    }

    /// Whether this is one of the employer's answers.
    pub fn is_employer_answer(self) -> bool {
        matches!(self, Action::Interview | Action::Hire | Action::Decline)
    }
}
/// Who is acting, relative to the referral and its order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    /// The order's coordinator.
    pub coordinator: bool,
    /// The consultant who made the referral.
    pub referrer: bool,
    /// The candidate's own centre acting on consent (only through `ConsentRevoked`).
    pub candidate_centre: bool,
    /// A consultant of the order's own centre (only through `OrderClosed`).
    pub order_owner: bool,
    /// The employer, through the link mailed to them for this order (no login).
    pub employer: bool,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 403: this actor may never take this action.
    NotAllowed(&'static str),
    /// 409: the action does not apply to the current state.
    WrongState(State),
    /// 409: the order is closed.
    OrderClosed,
}
/// The state machine: what `action` by `actor` does to a referral in `state`.
pub fn transition(state: State, action: Action, actor: Actor, order_open: bool) -> Result<State, Refusal> {
    use Action as A;
    use State as S;
    let allowed = match action {
        A::Approve | A::Reject => actor.coordinator,
        A::Send => actor.coordinator || actor.referrer,
        A::Withdraw => actor.referrer,
        A::ConsentRevoked => actor.candidate_centre,
        A::OrderClosed => actor.order_owner,
        A::Interview | A::Hire | A::Decline => actor.employer,
    };
    if !allowed {
        return Err(Refusal::NotAllowed(match action {
            A::Approve | A::Reject => "only the order's coordinator may approve or reject a referral",
            A::Send => "only the order's coordinator or the referring consultant may send a referral to the employer",
            A::Withdraw => "only the referring consultant may withdraw a referral",
            A::ConsentRevoked => "only the candidate's job centre may revoke consent",
            A::OrderClosed => "only the order's job centre may close the order",
            A::Interview | A::Hire | A::Decline => "only the employer may answer for a referral",
        }));
    }
    let next = match (state, action) {
        (S::PendingApproval, A::Approve) => S::AvailableToCompany,
        (S::PendingApproval, A::Reject) => S::Rejected,
        (S::AvailableToCompany, A::Send) => S::SentToEmployer,
        (S::PendingApproval | S::AvailableToCompany, A::Withdraw | A::ConsentRevoked | A::OrderClosed) => S::Withdrawn,
        // The employer answers a candidate they received, and may change the answer; the same
        // answer twice is no change.
        (S::SentToEmployer | S::Hired | S::DeclinedByEmployer, A::Interview) => S::Interview,
        (S::SentToEmployer | S::Interview | S::DeclinedByEmployer, A::Hire) => S::Hired,
        (S::SentToEmployer | S::Interview | S::Hired, A::Decline) => S::DeclinedByEmployer,
        _ => return Err(Refusal::WrongState(state)),
    };
    // A closed order keeps its referrals visible, but nothing moves them towards the company.
    if !order_open && matches!(action, A::Approve | A::Send) {
        return Err(Refusal::OrderClosed);
    }
    Ok(next)
}
impl Refusal {
    pub fn into_error(self, action: Action) -> AppError {
        match self {
            Refusal::NotAllowed(why) => AppError::Forbidden(why.into()),
            Refusal::WrongState(s) => {
                AppError::Conflict(format!("cannot {} a referral in state {}", action.as_str(), s.as_str()))
            }
            Refusal::OrderClosed => AppError::Conflict("the order is closed".into()),
        }
    }
}
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: ReferralId,
    pub order_id: JobOrderId,
    pub candidate_id: CandidateId,
    pub job_centre_id: JobCentreId,
    pub state: String,
    pub reason: Option<String>,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The employer link the candidate was sent through (set by `send`).
    pub employer_link_id: Option<i64>,
}
impl Referral {
    pub fn state(&self) -> AppResult<State> {
        State::parse(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOBODY: Actor = Actor {
        coordinator: false,
        referrer: false,
        candidate_centre: false,
        order_owner: false,
        employer: false,
    };

    const ROLES: [(&str, Actor); 7] = [
        (
            "coordinator",
            Actor {
                coordinator: true,
                ..NOBODY
            },
        ),
        (
            "referrer",
            Actor {
                referrer: true,
                ..NOBODY
            },
        ),
        (
            "coordinator+referrer",
            Actor {
                coordinator: true,
                referrer: true,
                ..NOBODY
            },
        ),
        (
            "candidate centre",
            Actor {
                candidate_centre: true,
                ..NOBODY
            },
        ),
        (
            "order owner",
            Actor {
                order_owner: true,
                ..NOBODY
            },
        ),
        (
            "employer",
            Actor {
                employer: true,
                ..NOBODY
            },
        ),
        ("other", NOBODY),
    ];

    /// The whole table, written out: every state x action x role, open order.
    fn expected(state: State, action: Action, role: &str) -> Result<State, &'static str> {
        use Action as A;
        use State as S;
        let allowed = matches!(
            (action, role),
            (A::Approve | A::Reject, "coordinator" | "coordinator+referrer")
                | (A::Send, "coordinator" | "referrer" | "coordinator+referrer")
                | (A::Withdraw, "referrer" | "coordinator+referrer")
                | (A::ConsentRevoked, "candidate centre")
                | (A::OrderClosed, "order owner")
                | (A::Interview | A::Hire | A::Decline, "employer")
        );
        if !allowed {
            return Err("403");
        }
        match (state, action) {
            (S::PendingApproval, A::Approve) => Ok(S::AvailableToCompany),
            (S::PendingApproval, A::Reject) => Ok(S::Rejected),
            (S::AvailableToCompany, A::Send) => Ok(S::SentToEmployer),
            (S::PendingApproval, A::Withdraw | A::ConsentRevoked | A::OrderClosed) => Ok(S::Withdrawn),
            (S::AvailableToCompany, A::Withdraw | A::ConsentRevoked | A::OrderClosed) => Ok(S::Withdrawn),
            (S::SentToEmployer, A::Interview) => Ok(S::Interview),
            (S::SentToEmployer, A::Hire) => Ok(S::Hired),
            (S::SentToEmployer, A::Decline) => Ok(S::DeclinedByEmployer),
            (S::Interview, A::Hire) => Ok(S::Hired),
            (S::Interview, A::Decline) => Ok(S::DeclinedByEmployer),
            (S::Hired, A::Interview) => Ok(S::Interview),
            (S::Hired, A::Decline) => Ok(S::DeclinedByEmployer),
            (S::DeclinedByEmployer, A::Interview) => Ok(S::Interview),
            (S::DeclinedByEmployer, A::Hire) => Ok(S::Hired),
            _ => Err("409"),
        }
    }

    #[test]
    fn full_transition_table() {
        let mut checked = 0;
        for state in State::ALL {
            for action in Action::ALL {
                for (role, actor) in ROLES {
                    let got = match transition(state, action, actor, true) {
                        Ok(s) => Ok(s),
                        Err(Refusal::NotAllowed(_)) => Err("403"),
                        Err(Refusal::WrongState(s)) => {
                            assert_eq!(s, state);
                            Err("409")
                        }
                        Err(Refusal::OrderClosed) => Err("closed"),
                    };
                    assert_eq!(got, expected(state, action, role), "{state:?} {action:?} by {role}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 8 * 9 * 7);
    }

    #[test]
    fn final_states_accept_nothing_but_the_employers_answer() {
        let all = Actor {
            coordinator: true,
            referrer: true,
            candidate_centre: true,
            order_owner: true,
            employer: true,
        };
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            for a in Action::ALL {
                let got = transition(s, a, all, true);
                if State::AT_EMPLOYER.contains(&s) && a.is_employer_answer() {
                    // An answer moves a referral among the employer's states, never to itself.
                    let to = got.map_or(s, |t| t);
                    assert!(State::AT_EMPLOYER.contains(&to), "{s:?} {a:?}");
                } else {
                    assert_eq!(got, Err(Refusal::WrongState(s)), "{s:?} {a:?}");
                }
            }
        }
        // Rejected and withdrawn referrals never reached the employer: no answer moves them.
        for s in [
            State::Rejected,
            State::Withdrawn,
            State::PendingApproval,
            State::AvailableToCompany,
        ] {
            for a in [Action::Interview, Action::Hire, Action::Decline] {
                assert_eq!(transition(s, a, all, true), Err(Refusal::WrongState(s)), "{s:?} {a:?}");
            }
        }
    }

    #[test]
    fn the_employer_may_change_the_answer_and_on_a_closed_order_too() {
        let e = Actor {
            employer: true,
            ..NOBODY
        };
        let mut s = State::SentToEmployer;
        for (a, to) in [
            (Action::Interview, State::Interview),
            (Action::Hire, State::Hired),
            (Action::Decline, State::DeclinedByEmployer),
            (Action::Interview, State::Interview),
        ] {
            // Closing an order once the places are filled must not silence the employer.
            s = transition(s, a, e, false).unwrap();
            assert_eq!(s, to);
        }
        assert_eq!(
            transition(State::Interview, Action::Interview, e, true),
            Err(Refusal::WrongState(State::Interview))
        );
    }

    #[test]
    fn closed_order_refuses_approve_and_send_only() {
        let c = Actor {
            coordinator: true,
            referrer: true,
            ..NOBODY
        };
        assert_eq!(
            transition(State::PendingApproval, Action::Approve, c, false),
            Err(Refusal::OrderClosed)
        );
        assert_eq!(
            transition(State::AvailableToCompany, Action::Send, c, false),
            Err(Refusal::OrderClosed)
        );
        assert_eq!(
            transition(State::PendingApproval, Action::Reject, c, false),
            Ok(State::Rejected)
        );
        assert_eq!(
            transition(State::PendingApproval, Action::Withdraw, c, false),
            Ok(State::Withdrawn)
        );
        // Closing withdraws whether the order is already marked closed or not.
        let owner = Actor {
            order_owner: true,
            ..Actor::default()
        };
        for open in [true, false] {
            for s in [State::PendingApproval, State::AvailableToCompany] {
                assert_eq!(transition(s, Action::OrderClosed, owner, open), Ok(State::Withdrawn));
            }
        }
    }

    #[test]
    fn initial_state_follows_coordinator_allowed() {
        assert_eq!(State::initial(true), State::PendingApproval);
        assert_eq!(State::initial(false), State::AvailableToCompany);
    }

    #[test]
    fn counted_states() {
        assert!(State::PendingApproval.counts() && State::SentToEmployer.counts());
        assert!(!State::Rejected.counts() && !State::Withdrawn.counts());
    }

    /// Each state's `is_final` and `counts`, written out: a change to either is a change to
    /// the rules (what may still move, what the order's "referred" figure shows).
    #[test]
    fn each_state_is_final_and_counts_as_written() {
        let table = [
            (State::PendingApproval, false, true),
            (State::AvailableToCompany, false, true),
            (State::Rejected, true, false),
            (State::SentToEmployer, true, true),
            (State::Withdrawn, true, false),
            (State::Interview, true, true),
            (State::Hired, true, true),
            (State::DeclinedByEmployer, true, true),
        ];
        assert_eq!(table.len(), State::ALL.len());
        for (state, is_final, counts) in table {
            assert_eq!(state.is_final(), is_final, "{state:?}.is_final()");
            assert_eq!(state.counts(), counts, "{state:?}.counts()");
            assert_eq!(State::parse(state.as_str()).unwrap(), state);
        }
    }
}
