//! A centre removed from a network loses the orders it saw only through that network (the
//! shared list, the order, new referrals: 404), keeps those another of its networks still
//! shares, and keeps its own referrals. On SQLite and PostgreSQL, with the demo networks.

mod common;

use serde_json::{json, Value};

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_i64())
        .collect()
}

fn shared_list(app: &common::TestApp, token: &str) -> Vec<i64> {
    let (s, page) = app.get("/api/v1/dashboard/shared-orders?per_page=100", token);
    assert_eq!(s, 200, "{page}");
    ids(&page)
}

on_both! {
    removed_centre_loses_orders_seen_through_the_network(app) {
        let owner = app.login("brondby.konsulent");
        let admin = app.login("admin");
        let glostrup = app.login("glostrup.konsulent"); // HRS only
        let herlev = app.login("herlev.konsulent"); // HRS and NRS
        let frb = app.login("frederiksberg.konsulent"); // HRS, stays
        let hrs_only = app.shared_order(&owner, json!({"title": "Kun HRS"}), &["HRS"]);
        let both = app.shared_order(&owner, json!({"title": "HRS og NRS"}), &["HRS", "NRS"]);
        let cand = app.candidate(&glostrup, "Gitte Glostrup", true);
        let (s, r) = app.refer(&glostrup, hrs_only, cand);
        assert_eq!(s, 201, "{r}");
        let referral = r["id"].as_i64().unwrap();
        assert!(shared_list(app, &glostrup).contains(&hrs_only));

        for number in ["16.100", "16.300"] {
            let (s, b) = app.call("DELETE", &format!("/api/v1/networks/HRS/members/{number}"), Some(&admin), None);
            assert!(s == 200 || s == 204, "{s} {b}");
        }

        // Glostrup: the order is gone from its list, unreadable, and takes no referral from it.
        assert!(!shared_list(app, &glostrup).contains(&hrs_only));
        assert_eq!(app.get(&format!("/api/v1/orders/{hrs_only}"), &glostrup).0, 404);
        assert_eq!(app.get(&format!("/api/v1/orders/{hrs_only}/notified"), &glostrup).0, 404);
        let other = app.candidate(&glostrup, "Gustav Glostrup", true);
        assert_eq!(app.refer(&glostrup, hrs_only, other).0, 404);
        // Its own referral stays its own: listed, readable, and it may still withdraw it.
        let (_, mine) = app.get("/api/v1/dashboard/my-referrals", &glostrup);
        assert!(ids(&mine).contains(&referral), "{mine}");
        assert_eq!(app.get(&format!("/api/v1/referrals/{referral}"), &glostrup).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{referral}/withdraw"), &glostrup, json!({})).0, 200);

        // Herlev keeps what NRS still shares with it, and loses what only HRS did.
        assert_eq!(app.get(&format!("/api/v1/orders/{both}"), &herlev).0, 200);
        assert_eq!(app.get(&format!("/api/v1/orders/{hrs_only}"), &herlev).0, 404);
        let list = shared_list(app, &herlev);
        assert!(list.contains(&both) && !list.contains(&hrs_only), "{list:?}");

        // A centre still in HRS is untouched.
        assert_eq!(app.get(&format!("/api/v1/orders/{hrs_only}"), &frb).0, 200);
        assert!(shared_list(app, &frb).contains(&hrs_only));
    }
}
