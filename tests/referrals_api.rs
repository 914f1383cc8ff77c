//! Referrals: consent, the coordinator's state machine over HTTP (the full table of
//! state x action x role), races, closed orders. On SQLite and PostgreSQL.

mod common;

use std::sync::{Arc, Barrier};

use serde_json::{json, Value};

fn act(app: &common::TestApp, token: &str, referral: i64, action: &str) -> (u16, Value) {
    let body = if action == "reject" {
        json!({"reason": "Passer ikke til stillingen"})
    } else {
        json!({})
    };
    app.post(&format!("/api/v1/referrals/{referral}/{action}"), token, body)
}

fn order_of(app: &common::TestApp, token: &str, id: i64) -> Value {
    app.get(&format!("/api/v1/orders/{id}"), token).1
}

on_both! {
    referral_flow(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        let cand = app.candidate(&frb, "Anne Andersen", false);

        // No consent: refused with a clear message, nothing stored.
        let (s, e) = app.refer(&frb, order, cand);
        assert_eq!(s, 409, "{e}");
        assert!(e["error"].as_str().unwrap().contains("consent"), "{e}");
        assert_eq!(order_of(app, &coord, order)["referred"], 0);

        app.post(&format!("/api/v1/candidates/{cand}/consent"), &frb, json!({"share_email": true, "share_phone": false}));
        let (s, r) = app.refer(&frb, order, cand);
        assert_eq!(s, 201, "{r}");
        assert_eq!(r["state"], "pending_approval");
        assert_eq!(r["order_id"], order);
        assert_eq!(r["candidate_id"], cand);
        assert_eq!(r["created_by"], app.user_id(&frb));
        assert!(r["created_at"].is_string());
        // Only consented details travel: the email yes, the phone no.
        assert_eq!(r["candidate"]["email"], "kandidat@borger.example");
        assert!(r["candidate"]["phone"].is_null());
        let rid = r["id"].as_i64().unwrap();
        assert_eq!(app.refer(&frb, order, cand).0, 409, "twice while live");
        assert_eq!(order_of(app, &coord, order)["referred"], 1);

        // A candidate of another centre can't be referred by me.
        let (s, e) = app.refer(&coord, order, cand);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("candidate_id")));

        let (s, e) = act(app, &coord, rid, "send");
        assert_eq!(s, 409);
        assert!(e["error"].as_str().unwrap().contains("pending_approval"), "409 names the state: {e}");
        assert_eq!(act(app, &coord, rid, "approve").0, 200);
        let (s, e) = act(app, &coord, rid, "approve");
        assert_eq!(s, 409);
        assert!(e["error"].as_str().unwrap().contains("available_to_company"), "{e}");
        let (s, r) = act(app, &frb, rid, "send");
        assert_eq!((s, r["state"].as_str()), (200, Some("sent_to_employer")));
        assert_eq!(act(app, &frb, rid, "withdraw").0, 409);
        assert_eq!(order_of(app, &coord, order)["referred"], 1);

        let (s, h) = app.get(&format!("/api/v1/referrals/{rid}/history"), &frb);
        assert_eq!(s, 200);
        let to: Vec<&str> = h["items"].as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap()).collect();
        assert_eq!(to, ["sent_to_employer", "available_to_company", "pending_approval"]);
        assert_eq!(h["items"][1]["actor"], "Konsulent Brøndby");
        assert_eq!(h["items"][0]["from"], "available_to_company");

        // Reject needs a reason; the reason is recorded.
        let c2 = app.candidate(&frb, "Bent Berg", true);
        let r2 = app.refer(&frb, order, c2).1["id"].as_i64().unwrap();
        let (s, e) = app.post(&format!("/api/v1/referrals/{r2}/reject"), &coord, json!({}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("reason")));
        let (s, r) = app.post(&format!("/api/v1/referrals/{r2}/reject"), &coord, json!({"reason": "Mangler kørekort"}));
        assert_eq!((s, r["state"].as_str(), r["reason"].as_str()), (200, Some("rejected"), Some("Mangler kørekort")));
        assert_eq!(order_of(app, &coord, order)["referred"], 1, "a rejection does not count");
        // Final: the candidate may be referred again.
        assert_eq!(app.refer(&frb, order, c2).0, 201);

        // The owner sees every referral of the order; a notified centre only its own.
        let glostrup = app.login("glostrup.konsulent");
        let c3 = app.candidate(&glostrup, "Carl Carlsen", true);
        assert_eq!(app.refer(&glostrup, order, c3).0, 201);
        let count = |t: &str| app.get(&format!("/api/v1/orders/{order}/referrals"), t).1["items"].as_array().unwrap().len();
        assert_eq!(count(&coord), 4);
        assert_eq!(count(&frb), 3);
        assert_eq!(count(&glostrup), 1);
        assert_eq!(app.get(&format!("/api/v1/referrals/{rid}"), &glostrup).0, 404);
        assert_eq!(app.get(&format!("/api/v1/referrals/{rid}/history"), &glostrup).0, 404);

        // A centre the order was not shared with can't refer to it.
        let hill = app.login("hillerod.konsulent");
        let c4 = app.candidate(&hill, "Dora Dahl", true);
        assert_eq!(app.refer(&hill, order, c4).0, 404);
    }

    no_coordinator_goes_straight_to_company(app) {
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&owner, json!({"coordinator_allowed": false}), &["HRS"]);
        let cand = app.candidate(&frb, "Eva Eriksen", true);
        let (s, r) = app.refer(&frb, order, cand);
        assert_eq!((s, r["state"].as_str()), (201, Some("available_to_company")));
        let rid = r["id"].as_i64().unwrap();
        assert_eq!(act(app, &owner, rid, "approve").0, 409);
        assert_eq!(act(app, &frb, rid, "send").0, 200);
    }

    revoking_consent_withdraws_live_referrals(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let o1 = app.shared_order(&coord, json!({}), &["HRS"]);
        let o2 = app.shared_order(&coord, json!({"title": "Anden"}), &["HRS"]);
        let o3 = app.shared_order(&coord, json!({"title": "Tredje"}), &["HRS"]);
        let cand = app.candidate(&frb, "Finn Fisker", true);
        let r1 = app.refer(&frb, o1, cand).1["id"].as_i64().unwrap();
        let r2 = app.refer(&frb, o2, cand).1["id"].as_i64().unwrap();
        act(app, &coord, r2, "approve");
        let r3 = app.refer(&frb, o3, cand).1["id"].as_i64().unwrap();
        act(app, &coord, r3, "reject");

        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cand}/consent"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["referrals_withdrawn"], 2);
        let state = |r: i64| app.get(&format!("/api/v1/referrals/{r}"), &frb).1["state"].clone();
        assert_eq!(state(r1), "withdrawn");
        assert_eq!(state(r2), "withdrawn");
        assert_eq!(state(r3), "rejected", "final states stay as they were");
        assert_eq!(order_of(app, &coord, o1)["referred"], 0);
        let h = app.get(&format!("/api/v1/referrals/{r1}/history"), &frb).1;
        assert_eq!(h["items"][0]["reason"], "consent revoked");
        // Without consent, no new referral; revoking twice is a conflict.
        assert_eq!(app.refer(&frb, o1, cand).0, 409);
        assert_eq!(app.call("DELETE", &format!("/api/v1/candidates/{cand}/consent"), Some(&frb), None).0, 409);
        // Another centre can't touch my candidate's consent.
        assert_eq!(app.call("DELETE", &format!("/api/v1/candidates/{cand}/consent"), Some(&coord), None).0, 404);
    }

    closed_order_takes_no_new_referrals(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        let c1 = app.candidate(&frb, "Gitte Gram", true);
        let rid = app.refer(&frb, order, c1).1["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/orders/{order}/close"), &coord, json!({})).0, 200);
        let c2 = app.candidate(&frb, "Hans Holm", true);
        let (s, e) = app.refer(&frb, order, c2);
        assert_eq!(s, 409);
        assert!(e["error"].as_str().unwrap().contains("closed"));
        // The pending one stays visible, withdrawn by the close (tests/order_close.rs): it
        // can't be approved, nor withdrawn again.
        let items = app.get(&format!("/api/v1/orders/{order}/referrals"), &coord).1["items"].clone();
        assert_eq!(items[0]["state"], "withdrawn");
        assert_eq!(act(app, &coord, rid, "approve").0, 409);
        assert_eq!(act(app, &frb, rid, "withdraw").0, 409);
    }

    full_transition_table(app) {
        let coord = app.login("brondby.konsulent");
        let referrer = app.login("frederiksberg.konsulent");
        let roles = [
            ("coordinator", coord.clone()),
            ("referrer", referrer.clone()),
            ("owner's other consultant", app.login("brondby.konsulent2")),
            ("referrer's colleague", app.login("frederiksberg.konsulent2")),
            ("other notified centre", app.login("glostrup.konsulent")),
        ];
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        let states = ["pending_approval", "available_to_company", "rejected", "sent_to_employer", "withdrawn"];
        let actions = ["approve", "reject", "send", "withdraw"];
        let mut n = 0;
        for state in states {
            for action in actions {
                for (role, token) in &roles {
                    // A fresh referral, brought into `state` by the people allowed to.
                    let cand = app.candidate(&referrer, &format!("K {n}"), true);
                    n += 1;
                    let rid = app.refer(&referrer, order, cand).1["id"].as_i64().unwrap();
                    let path: &[(&str, &str)] = match state {
                        "pending_approval" => &[],
                        "available_to_company" => &[("c", "approve")],
                        "rejected" => &[("c", "reject")],
                        "sent_to_employer" => &[("c", "approve"), ("c", "send")],
                        _ => &[("r", "withdraw")],
                    };
                    for (who, a) in path {
                        let t = if *who == "c" { &coord } else { &referrer };
                        assert_eq!(act(app, t, rid, a).0, 200, "setting up {state}");
                    }
                    let allowed = match action {
                        "approve" | "reject" => *role == "coordinator",
                        "send" => *role == "coordinator" || *role == "referrer",
                        _ => *role == "referrer",
                    };
                    let applies = matches!(
                        (state, action),
                        ("pending_approval", "approve" | "reject" | "withdraw") | ("available_to_company", "send" | "withdraw")
                    );
                    let expected = if *role == "other notified centre" {
                        404 // can't see another centre's referral at all
                    } else if !allowed {
                        403
                    } else if applies {
                        200
                    } else {
                        409
                    };
                    let (s, b) = act(app, token, rid, action);
                    assert_eq!(s, expected, "{action} on {state} by {role}: {b}");
                    let now = app.get(&format!("/api/v1/referrals/{rid}"), &referrer).1["state"].clone();
                    if s != 200 {
                        assert_eq!(now, state, "a refused {action} changed the state");
                    }
                }
            }
        }
        assert_eq!(n, 100);
    }

    concurrent_transitions_exactly_one_wins(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        let cand = app.candidate(&frb, "Ida Iversen", true);
        let rid = app.refer(&frb, order, cand).1["id"].as_i64().unwrap();
        let race = |action: &'static str, tokens: Vec<String>| -> Vec<u16> {
            let barrier = Arc::new(Barrier::new(tokens.len()));
            std::thread::scope(|s| {
                let handles: Vec<_> = tokens
                    .into_iter()
                    .map(|t| {
                        let b = barrier.clone();
                        s.spawn(move || {
                            b.wait();
                            act(app, &t, rid, action).0
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            })
        };
        let approvals = race("approve", vec![coord.clone(); 16]);
        assert_eq!(approvals.iter().filter(|&&s| s == 200).count(), 1, "{approvals:?}");
        assert_eq!(approvals.iter().filter(|&&s| s == 409).count(), 15, "{approvals:?}");
        let mut senders = vec![coord.clone(); 8];
        senders.extend(vec![frb.clone(); 8]);
        let sends = race("send", senders);
        assert_eq!(sends.iter().filter(|&&s| s == 200).count(), 1, "{sends:?}");
        assert_eq!(sends.iter().filter(|&&s| s == 409).count(), 15, "{sends:?}");
        let h = app.get(&format!("/api/v1/referrals/{rid}/history"), &frb).1;
        assert_eq!(h["items"].as_array().unwrap().len(), 3, "one event per real transition");
        // A loser's audit, notice and mail are written before its update finds the state
        // moved (`move_state`), and undone with it: the referrer is told once of each.
        let notices = app.get("/api/v1/notices?per_page=100", &frb).1;
        let told: Vec<&str> = notices["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["referral_id"] == rid)
            .map(|n| n["kind"].as_str().unwrap())
            .collect();
        // (The referrer is told of a send only when someone else sent: the coordinators are
        // the first eight senders.)
        let coord_sent = sends.iter().position(|&s| s == 200).unwrap() < 8;
        let expected: &[&str] = if coord_sent {
            &["referral_sent", "referral_approved"]
        } else {
            &["referral_approved"]
        };
        assert_eq!(told, expected, "{notices}");

        // Sixteen referrals of one candidate to one order at once: one is created.
        let c2 = app.candidate(&frb, "Jens Juhl", true);
        let barrier = Arc::new(Barrier::new(16));
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..16)
                .map(|_| {
                    let b = barrier.clone();
                    let t = frb.clone();
                    s.spawn(move || {
                        b.wait();
                        app.refer(&t, order, c2).0
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|&&s| s == 409).count(), 15, "{statuses:?}");
        assert_eq!(order_of(app, &coord, order)["referred"], 2);
    }
}
