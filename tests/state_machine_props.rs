//! Property tests: random walks through the referral state machine, and random JSON
//! bodies against the order-create input.

use actix_web::ResponseError;
use proptest::prelude::*;
use serde_json::Value;
use staer_hub::domain::order_fields::{CreateOrder, OrderFields};
use staer_hub::domain::referral::{transition, Action, Actor, Refusal, State};
use staer_hub::error::AppError;

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(Action::ALL.to_vec())
}

fn actor() -> impl Strategy<Value = Actor> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(coordinator, referrer, candidate_centre, order_owner, employer)| Actor {
                coordinator,
                referrer,
                candidate_centre,
                order_owner,
                employer,
            },
        )
}

/// One step of a walk: who does what, and whether the order is open at that moment.
fn step() -> impl Strategy<Value = (Action, Actor, bool)> {
    (action(), actor(), prop::bool::weighted(0.85))
}

fn may(action: Action, actor: Actor) -> bool {
    match action {
        Action::Approve | Action::Reject => actor.coordinator,
        Action::Send => actor.coordinator || actor.referrer,
        Action::Withdraw => actor.referrer,
        Action::ConsentRevoked => actor.candidate_centre,
        Action::OrderClosed => actor.order_owner,
        Action::Interview | Action::Hire | Action::Decline => actor.employer,
    }
}

/// The employer's answers, each from a referral the employer has received.
fn answered(state: State, action: Action, next: State) -> bool {
    State::AT_EMPLOYER.contains(&state)
        && state != next
        && matches!(
            (action, next),
            (Action::Interview, State::Interview)
                | (Action::Hire, State::Hired)
                | (Action::Decline, State::DeclinedByEmployer)
        )
}

fn live(s: State) -> bool {
    matches!(s, State::PendingApproval | State::AvailableToCompany)
}

/// Applies the steps; returns the states visited and which steps were refused.
fn walk(start: State, steps: &[(Action, Actor, bool)]) -> (Vec<State>, Vec<bool>) {
    let mut state = start;
    let mut visited = vec![state];
    let mut refused = Vec::with_capacity(steps.len());
    for &(action, actor, open) in steps {
        match transition(state, action, actor, open) {
            Ok(next) => {
                state = next;
                visited.push(state);
                refused.push(false);
            }
            Err(_) => refused.push(true),
        }
    }
    (visited, refused)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_walks_keep_the_invariants(
        coordinator_allowed in any::<bool>(),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let mut state = State::initial(coordinator_allowed);
        let mut sent = 0;
        for &(action, actor, open) in &steps {
            match transition(state, action, actor, open) {
                Ok(next) => {
                    // Final states accept nothing but the employer's answer.
                    prop_assert!(!state.is_final() || action.is_employer_answer(), "{state:?} moved to {next:?}");
                    // Every state is reached only through the actors allowed to take that step.
                    prop_assert!(may(action, actor), "{action:?} by {actor:?} moved {state:?}");
                    match next {
                        State::PendingApproval => prop_assert!(false, "nothing leads back to pending"),
                        State::AvailableToCompany => {
                            prop_assert_eq!((state, action), (State::PendingApproval, Action::Approve));
                            prop_assert!(actor.coordinator && open);
                        }
                        State::Rejected => {
                            prop_assert_eq!((state, action), (State::PendingApproval, Action::Reject));
                            prop_assert!(actor.coordinator);
                        }
                        State::SentToEmployer => {
                            prop_assert_eq!((state, action), (State::AvailableToCompany, Action::Send));
                            prop_assert!((actor.coordinator || actor.referrer) && open);
                            sent += 1;
                        }
                        State::Withdrawn => {
                            // Withdrawn only from a live state, by the referrer, on revoked
                            // consent, or by the owner closing the order.
                            prop_assert!(live(state), "withdrawn from {state:?}");
                            prop_assert!(
                                (action == Action::Withdraw && actor.referrer)
                                    || (action == Action::ConsentRevoked && actor.candidate_centre)
                                    || (action == Action::OrderClosed && actor.order_owner)
                            );
                        }
                        State::Interview | State::Hired | State::DeclinedByEmployer => {
                            // Only the employer answers, only about a candidate they received.
                            prop_assert!(answered(state, action, next), "{state:?} {action:?} -> {next:?}");
                            prop_assert!(actor.employer);
                        }
                    }
                    state = next;
                }
                Err(Refusal::NotAllowed(_)) => prop_assert!(!may(action, actor)),
                Err(Refusal::WrongState(s)) => {
                    // The refusal names the state the referral is (still) in.
                    prop_assert_eq!(s, state);
                    prop_assert!(may(action, actor));
                }
                Err(Refusal::OrderClosed) => {
                    prop_assert!(!open && matches!(action, Action::Approve | Action::Send));
                }
            }
        }
        // The employer gets a candidate at most once.
        prop_assert!(sent <= 1);
    }

    /// Refusals never change the state: dropping every refused step from a walk leaves a
    /// walk with no refusals through exactly the same states.
    #[test]
    fn refusals_never_change_the_state(
        coordinator_allowed in any::<bool>(),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let start = State::initial(coordinator_allowed);
        let (visited, refused) = walk(start, &steps);
        let accepted: Vec<_> = steps.iter().zip(&refused).filter(|(_, r)| !**r).map(|(s, _)| *s).collect();
        let (again, refused_again) = walk(start, &accepted);
        prop_assert_eq!(visited, again);
        prop_assert!(refused_again.iter().all(|r| !r));
    }

    /// Every state reachable at all is reached from an initial state; the final ones then
    /// refuse every action by anyone but the employer's answer, open order or not.
    #[test]
    fn final_states_are_absorbing(
        coordinator_allowed in any::<bool>(),
        steps in prop::collection::vec(step(), 0..20),
        tail in prop::collection::vec(step(), 1..20),
    ) {
        let (visited, _) = walk(State::initial(coordinator_allowed), &steps);
        let last = *visited.last().unwrap();
        if last.is_final() {
            let (after, _) = walk(last, &tail);
            if State::AT_EMPLOYER.contains(&last) {
                prop_assert!(after.iter().all(|s| State::AT_EMPLOYER.contains(s)), "{after:?}");
            } else {
                prop_assert_eq!(after, vec![last]);
            }
        }
    }
}

// ---- random JSON against the order-create input --------------------------------------------

const ORDER_KEYS: &[&str] = &[
    "title",
    "occupation",
    "occupation_code",
    "request_id",
    "company_name",
    "cvr",
    "employer_email",
    "start_date",
    "end_date",
    "vacancies",
    "type",
    "responsible_consultant_id",
    "coordinator_id",
    "coordinator_external",
    "coordinator_allowed",
    "task_description",
    "qualifications_and_pay",
    "working_hours",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        any::<String>().prop_map(Value::from),
        "[0-9]{4}-[0-9]{2}-[0-9]{2}".prop_map(Value::from),
        Just(Value::from("2026-12-01")),
        Just(Value::from(i32::MAX as i64 + 1)),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..12).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(ORDER_KEYS).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

/// An object with mostly the order's own keys, each with any value.
fn order_like() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(ORDER_KEYS), json()), 0..20).prop_map(|kv| {
        let mut m = serde_json::Map::new();
        m.insert("title".into(), "Kok".into());
        m.insert("occupation".into(), "Kok".into());
        m.insert("company_name".into(), "Kantinen A/S".into());
        m.insert("start_date".into(), "2026-12-01".into());
        m.insert("vacancies".into(), 2.into());
        m.insert("task_description".into(), "Madlavning".into());
        for (k, v) in kv {
            m.insert(k.to_string(), v);
        }
        Value::Object(m)
    })
}

fn check_body(bytes: &[u8]) -> Result<(), TestCaseError> {
    match staer_hub::web::json::parse::<CreateOrder>(bytes) {
        Ok(input) => {
            // What parses goes on to validation, which may only refuse with a 422.
            if let Err(e) = OrderFields::from(input).validate() {
                prop_assert!(matches!(e, AppError::Validation { .. }), "{e:?}");
            }
        }
        Err(e) => {
            let status = e.status_code().as_u16();
            prop_assert!(status == 400 || status == 422, "status {status} for {e:?}");
            let kind_ok = matches!(e, AppError::BadRequest(_) | AppError::Validation { .. });
            prop_assert!(kind_ok, "{e:?}");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_json_never_panics(v in json()) {
        check_body(&serde_json::to_vec(&v).unwrap())?;
    }

    #[test]
    fn order_shaped_json_never_panics(v in order_like()) {
        check_body(&serde_json::to_vec(&v).unwrap())?;
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check_body(&bytes)?;
    }

    #[test]
    fn random_text_never_panics(s in any::<String>()) {
        check_body(s.as_bytes())?;
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash(depth in 1usize..5000, kind in 0u8..3) {
        let (open, close) = match kind {
            0 => ("[", "]"),
            1 => ("{\"title\":", "}"),
            _ => ("[{\"a\":", "}]"),
        };
        let body = format!("{}1{}", open.repeat(depth), close.repeat(depth));
        check_body(body.as_bytes())?;
    }
}
