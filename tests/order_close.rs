//! Closing an order with a reason: its pending and available referrals are withdrawn
//! through the state machine, their consultants are mailed through the outbox, and the
//! owner can reopen. Owner's centre only. On SQLite and PostgreSQL.

mod common;

use diesel::prelude::*;
use serde_json::{json, Value};
use staer_hub::db::schema::outbox;

/// The outbox rows of a kind: (recipient, subject, text body).
fn mails(app: &common::TestApp, kind: &'static str) -> Vec<(String, String, String)> {
    app.state
        .db
        .read_blocking(move |c| {
            Ok(outbox::table
                .filter(outbox::kind.eq(kind))
                .order(outbox::id)
                .select((outbox::to_addr, outbox::subject, outbox::body_text))
                .load(c)?)
        })
        .unwrap()
}

fn state(app: &common::TestApp, token: &str, referral: i64) -> String {
    app.get(&format!("/api/v1/referrals/{referral}"), token).1["state"]
        .as_str()
        .unwrap()
        .to_string()
}

fn audit(app: &common::TestApp, token: &str, order: i64) -> Vec<Value> {
    app.get(&format!("/api/v1/orders/{order}/audit"), token).1["items"]
        .as_array()
        .unwrap()
        .clone()
}

on_both! {
    close_withdraws_live_referrals_and_tells_their_consultants(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let glostrup = app.login("glostrup.konsulent");
        let order = app.shared_order(&brondby, json!({"title": "Kok til lukning"}), &["HRS"]);
        // Frederiksberg: two pending, one approved (available), one withdrawn by itself.
        let f: Vec<i64> = ["Ane Lukas", "Bent Lukas", "Carl Lukas", "Dora Lukas"]
            .iter()
            .map(|n| {
                let c = app.candidate(&frb, n, true);
                let (s, r) = app.refer(&frb, order, c);
                assert_eq!(s, 201, "{r}");
                r["id"].as_i64().unwrap()
            })
            .collect();
        assert_eq!(app.post(&format!("/api/v1/referrals/{}/approve", f[2]), &brondby, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{}/withdraw", f[3]), &frb, json!({})).0, 200);
        // Glostrup: one pending, one rejected.
        let g: Vec<i64> = ["Eva Lukas", "Finn Lukas"]
            .iter()
            .map(|n| app.refer(&glostrup, order, app.candidate(&glostrup, n, true)).1["id"].as_i64().unwrap())
            .collect();
        assert_eq!(app.post(&format!("/api/v1/referrals/{}/reject", g[1]), &brondby, json!({"reason": "Nej"})).0, 200);
        // Brøndby's own pending referral: the closer is not mailed about it.
        let own = app.refer(&brondby, order, app.candidate(&brondby, "Gitte Lukas", true)).1["id"].as_i64().unwrap();
        let before = mails(app, "order_closed").len();
        let referred_before = app.get(&format!("/api/v1/orders/{order}"), &brondby).1["referred"].as_i64().unwrap();
        assert_eq!(referred_before, 5, "pending 3 + available 1 + own 1");

        // A notified centre can't close: 403, nothing changes.
        let (s, e) = app.post(&format!("/api/v1/orders/{order}/close"), &frb, json!({"reason": "x"}));
        assert_eq!(s, 403, "{e}");
        assert_eq!(state(app, &frb, f[0]), "pending_approval");

        let (s, closed) = app.post(&format!("/api/v1/orders/{order}/close"), &brondby, json!({"reason": "  Stillingen er besat  "}));
        assert_eq!(s, 200, "{closed}");
        assert_eq!(closed["status"], "closed");
        assert_eq!((closed["referrals_withdrawn"].as_i64(), closed["consultants_notified"].as_i64()), (Some(5), Some(2)));
        assert_eq!(closed["referred"], 0, "withdrawn referrals no longer count");
        for r in [f[0], f[1], f[2]] {
            assert_eq!(state(app, &frb, r), "withdrawn");
        }
        assert_eq!(state(app, &frb, f[3]), "withdrawn");
        assert_eq!(state(app, &glostrup, g[0]), "withdrawn");
        assert_eq!(state(app, &glostrup, g[1]), "rejected", "a final state stays");
        assert_eq!(state(app, &brondby, own), "withdrawn");
        // Each withdrawal went through the state machine: its event names the owner and the reason.
        let h = app.get(&format!("/api/v1/referrals/{}/history", f[2]), &frb).1;
        let last = &h["items"][0];
        assert_eq!((last["from"].as_str(), last["to"].as_str()), (Some("available_to_company"), Some("withdrawn")));
        assert_eq!((last["actor"].as_str(), last["reason"].as_str()), (Some("Konsulent Brøndby"), Some("Stillingen er besat")));

        // One mail per referring consultant of another centre, naming their candidates.
        let sent = mails(app, "order_closed");
        assert_eq!(sent.len() - before, 2, "{sent:?}");
        let to_frb = sent.iter().find(|m| m.0.starts_with("frederiksberg.konsulent@")).expect("mail to Frederiksberg");
        assert!(to_frb.1.contains("Kok til lukning"), "{}", to_frb.1);
        for name in ["Ane Lukas", "Bent Lukas", "Carl Lukas"] {
            assert!(to_frb.2.contains(name), "{}", to_frb.2);
        }
        assert!(!to_frb.2.contains("Dora Lukas") && !to_frb.2.contains("Eva Lukas"), "{}", to_frb.2);
        assert!(to_frb.2.contains("Begrundelse: Stillingen er besat"), "{}", to_frb.2);
        let to_g = sent.iter().find(|m| m.0.starts_with("glostrup.konsulent@")).expect("mail to Glostrup");
        assert!(to_g.2.contains("Eva Lukas") && !to_g.2.contains("Finn Lukas"), "{}", to_g.2);
        assert!(!sent.iter().any(|m| m.0.starts_with("brondby.konsulent@")));

        // Audited with the reason and the count.
        let a = audit(app, &brondby, order);
        assert_eq!(a[0]["action"], "closed");
        assert_eq!(a[0]["detail"]["reason"], "Stillingen er besat");
        assert_eq!(a[0]["detail"]["referrals_withdrawn"], 5);
        // Closed twice: 409.
        assert_eq!(app.post(&format!("/api/v1/orders/{order}/close"), &brondby, json!({})).0, 409);
    }

    reopen_is_the_owners_and_revives_nothing(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let hillerod = app.login("hillerod.konsulent");
        let order = app.shared_order(&brondby, json!({"title": "Genåbnes"}), &["HRS"]);
        let r = app.refer(&frb, order, app.candidate(&frb, "Hans Genåbn", true)).1["id"].as_i64().unwrap();
        // Without a body, as before.
        let (s, c) = app.call("POST", &format!("/api/v1/orders/{order}/close"), Some(&brondby), None);
        assert_eq!((s, c["referrals_withdrawn"].as_i64()), (200, Some(1)), "{c}");
        assert_eq!(audit(app, &brondby, order)[0]["detail"]["reason"], Value::Null);
        // Off the shared list while closed.
        let listed = |t: &str| app.get("/api/v1/dashboard/shared-orders?q=gen%C3%A5bnes", t).1["total"].as_i64().unwrap();
        assert_eq!(listed(&frb), 0);

        // Only the owner's centre reopens: a notified centre 403, another 404, as for close.
        let path = format!("/api/v1/orders/{order}/reopen");
        assert_eq!(app.post(&path, &frb, json!({})).0, 403);
        assert_eq!(app.post(&path, &hillerod, json!({})).0, 404);
        assert_eq!(app.post(&format!("/api/v1/orders/{order}/close"), &hillerod, json!({})).0, 404);
        // A reason too long, and an unknown field: 422 / 400, still closed.
        let (s, e) = app.post(&path, &brondby, json!({"reason": "x".repeat(2001)}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("reason")), "{e}");
        assert!(app.post(&path, &brondby, json!({"why": "x"})).0 >= 400);
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &brondby).1["status"], "closed");

        let (s, o) = app.post(&path, &brondby, json!({"reason": "Ny kontrakt"}));
        assert_eq!((s, o["status"].as_str()), (200, Some("open")), "{o}");
        assert_eq!(app.post(&path, &brondby, json!({})).0, 409, "already open");
        let a = audit(app, &brondby, order);
        assert_eq!((a[0]["action"].as_str(), a[0]["detail"]["reason"].as_str()), (Some("reopened"), Some("Ny kontrakt")));
        // Back on the shared list; the withdrawn referral stays withdrawn and may be made anew.
        assert_eq!(listed(&frb), 1);
        assert_eq!(state(app, &frb, r), "withdrawn");
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &brondby).1["referred"], 0);
        let cand = app.get(&format!("/api/v1/referrals/{r}"), &frb).1["candidate_id"].as_i64().unwrap();
        assert_eq!(app.refer(&frb, order, cand).0, 201);
    }
}
