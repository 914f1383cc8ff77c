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
}
impl State {
    pub const ALL: [State; 5] = [
        State::PendingApproval,
        State::AvailableToCompany,
        State::Rejected,
        State::SentToEmployer,
        State::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::PendingApproval => "pending_approval",
            State::AvailableToCompany => "available_to_company",
            State::Rejected => "rejected",
            State::SentToEmployer => "sent_to_employer",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> AppResult<State> {
        State::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| AppError::Internal(format!("unknown referral state in database: {s}")))
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Rejected | State::SentToEmployer | State::Withdrawn)
    }

    /// Whether a referral in this state counts in the order's "referred" figure.
    pub fn counts(self) -> bool {
        matches!(
            self,
            State::PendingApproval | State::AvailableToCompany | State::SentToEmployer
        )
    }

    /// The Danish label, as STÆR shows it.
    pub fn label_da(self) -> &'static str {
        match self {
            State::PendingApproval => "Formidling afventer godkendelse",
            State::AvailableToCompany => "Formidling tilgængelig for virksomhed",
            State::Rejected => "Afvist",
            State::SentToEmployer => "Sendt til virksomhed",
            State::Withdrawn => "Trukket tilbage",
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
}
impl Action {
    pub const ALL: [Action; 6] = [
        Action::Approve,
        Action::Reject,
        Action::Send,
        Action::Withdraw,
        Action::ConsentRevoked,
        Action::OrderClosed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Send => "send",
            Action::Withdraw => "withdraw",
            Action::ConsentRevoked => "consent_revoked",
            Action::OrderClosed => "order_closed",
        }
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
    };
    if !allowed {
        return Err(Refusal::NotAllowed(match action {
            A::Approve | A::Reject => "only the order's coordinator may approve or reject a referral",
            A::Send => "only the order's coordinator or the referring consultant may send a referral to the employer",
            A::Withdraw => "only the referring consultant may withdraw a referral",
            A::ConsentRevoked => "only the candidate's job centre may revoke consent",
            A::OrderClosed => "only the order's job centre may close the order",
        }));
    }
    let next = match (state, action) {
        (S::PendingApproval, A::Approve) => S::AvailableToCompany,
        (S::PendingApproval, A::Reject) => S::Rejected,
        (S::AvailableToCompany, A::Send) => S::SentToEmployer,
        (S::PendingApproval | S::AvailableToCompany, A::Withdraw | A::ConsentRevoked | A::OrderClosed) => S::Withdrawn,
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
}
impl Referral {
    pub fn state(&self) -> AppResult<State> {
        State::parse(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [(&str, Actor); 6] = [
        (
            "coordinator",
            Actor {
                coordinator: true,
                referrer: false,
                candidate_centre: false,
                order_owner: false,
            },
        ),
        (
            "referrer",
            Actor {
                coordinator: false,
                referrer: true,
                candidate_centre: false,
                order_owner: false,
            },
        ),
        (
            "coordinator+referrer",
            Actor {
                coordinator: true,
                referrer: true,
                candidate_centre: false,
                order_owner: false,
            },
        ),
        (
            "candidate centre",
            Actor {
                coordinator: false,
                referrer: false,
                candidate_centre: true,
                order_owner: false,
            },
        ),
        (
            "order owner",
            Actor {
                coordinator: false,
                referrer: false,
                candidate_centre: false,
                order_owner: true,
            },
        ),
        (
            "other",
            Actor {
                coordinator: false,
                referrer: false,
                candidate_centre: false,
                order_owner: false,
            },
        ),
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
        assert_eq!(checked, 5 * 6 * 6);
    }

    #[test]
    fn final_states_accept_nothing() {
        let all = Actor {
            coordinator: true,
            referrer: true,
            candidate_centre: true,
            order_owner: true,
        };
        for s in State::ALL.into_iter().filter(|s| s.is_final()) {
            for a in Action::ALL {
                assert_eq!(transition(s, a, all, true), Err(Refusal::WrongState(s)));
            }
        }
    }

    #[test]
    fn closed_order_refuses_approve_and_send_only() {
        let c = Actor {
            coordinator: true,
            referrer: true,
            candidate_centre: false,
            order_owner: false,
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
        ];
        assert_eq!(table.len(), State::ALL.len());
        for (state, is_final, counts) in table {
            assert_eq!(state.is_final(), is_final, "{state:?}.is_final()");
            assert_eq!(state.counts(), counts, "{state:?}.counts()");
        }
    }
}
