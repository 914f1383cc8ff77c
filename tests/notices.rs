//! In-app notices over HTTP, on SQLite and PostgreSQL: each event writes its notice for the
//! right user and no one else; mark one or all read; another user's notice is 404; the
//! header's bell counts the unread ones on every page.

mod common;

use serde_json::{json, Value};

/// Starts `users` from nothing unread (the demo data leaves notices behind).
fn clear(app: &common::TestApp, tokens: &[&str]) {
    for t in tokens {
        let (s, b) = app.post("/api/v1/notices/read-all", t, json!({}));
        assert_eq!(s, 200, "{b}");
    }
}

fn unread(app: &common::TestApp, token: &str) -> Vec<Value> {
    let (s, b) = app.get("/api/v1/notices?unread=true", token);
    assert_eq!(s, 200, "{b}");
    b["items"].as_array().unwrap().clone()
}

fn kinds(items: &[Value]) -> Vec<String> {
    items.iter().map(|n| n["kind"].as_str().unwrap().to_string()).collect()
}

/// A page as a browser with the API's token as its session cookie sees it.
fn page(app: &common::TestApp, token: &str, path: &str) -> String {
    ureq::get(&app.url(path))
        .set("Cookie", &format!("staer_session={token}"))
        .call()
        .unwrap()
        .into_string()
        .unwrap()
}

/// The bell's accessible text: "Notifikationer, N ulæste".
fn bell(html: &str) -> String {
    let at = html.find("class=\"bell").expect("a bell in the header");
    let at = at + html[at..].find('>').unwrap() + 1;
    let a = &html[at..at + html[at..].find("</a>").unwrap()];
    let mut text = String::new();
    let mut inside = false;
    for ch in a.chars() {
        match ch {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

on_both! {
    referral_events_tell_the_right_user(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let glostrup = app.login("glostrup.konsulent");
        let hillerod = app.login("hillerod.konsulent");
        clear(app, &[&brondby, &frb, &glostrup, &hillerod]);

        // Shared with HRS: every HRS centre's consultant is told, not the owner, not NRS only.
        let order = app.shared_order(&brondby, json!({"title": "Kok til notits"}), &["HRS"]);
        for t in [&frb, &glostrup] {
            let n = unread(app, t);
            assert_eq!(kinds(&n), ["order_shared"], "{n:?}");
            assert_eq!(n[0]["order_id"], order);
            assert_eq!(n[0]["order_title"], "Kok til notits");
            assert_eq!(n[0]["params"]["network"], "HRS");
            assert_eq!(n[0]["link"], format!("/orders/{order}"));
        }
        assert!(unread(app, &brondby).is_empty());
        assert!(unread(app, &hillerod).is_empty());
        clear(app, &[&frb, &glostrup]);

        // Frederiksberg refers: the coordinator (Brøndby) is told, with the candidate's name.
        let anna = app.candidate(&frb, "Notits Anna", true);
        let (s, r) = app.refer(&frb, order, anna);
        assert_eq!(s, 201, "{r}");
        let rid = r["id"].as_i64().unwrap();
        let n = unread(app, &brondby);
        assert_eq!(kinds(&n), ["awaiting_approval"]);
        assert_eq!(n[0]["referral_id"], rid);
        assert_eq!(n[0]["candidate_name"], "Notits Anna");
        assert_eq!(n[0]["link"], format!("/orders/{order}#referral-{rid}"));
        assert!(unread(app, &frb).is_empty());

        // Approved, then sent by the coordinator: the referring consultant is told of each.
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/approve"), &brondby, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/send"), &brondby, json!({})).0, 200);
        let n = unread(app, &frb);
        assert_eq!(kinds(&n), ["referral_sent", "referral_approved"], "newest first");
        assert!(n.iter().all(|n| n["candidate_name"] == "Notits Anna"));
        assert_eq!(kinds(&unread(app, &brondby)), ["awaiting_approval"]);
        assert!(unread(app, &glostrup).is_empty());

        // Rejected, with its reason.
        let bo = app.candidate(&frb, "Notits Bo", true);
        let rid2 = app.refer(&frb, order, bo).1["id"].as_i64().unwrap();
        let (s, b) = app.post(&format!("/api/v1/referrals/{rid2}/reject"), &brondby, json!({"reason": "Mangler hygiejnebevis"}));
        assert_eq!(s, 200, "{b}");
        let n = unread(app, &frb);
        assert_eq!(n[0]["kind"], "referral_rejected");
        assert_eq!(n[0]["reason"], "Mangler hygiejnebevis");

        // Consent revoked: the coordinator is told, without the candidate's name.
        clear(app, &[&brondby, &frb]);
        let cy = app.candidate(&frb, "Notits Cy", true);
        assert_eq!(app.refer(&frb, order, cy).0, 201);
        clear(app, &[&brondby]);
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cy}/consent"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        let n = unread(app, &brondby);
        assert_eq!(kinds(&n), ["referral_withdrawn"]);
        assert_eq!(n[0]["candidate_name"], Value::Null);
        assert_eq!(n[0]["referral_id"], Value::Null);
        assert!(!format!("{n:?}").contains("Notits Cy"));
        assert!(unread(app, &frb).is_empty());

        // Closed with a live referral: its consultant is told how many went.
        let dan = app.candidate(&frb, "Notits Dan", true);
        assert_eq!(app.refer(&frb, order, dan).0, 201);
        clear(app, &[&brondby]);
        let (s, b) = app.post(&format!("/api/v1/orders/{order}/close"), &brondby, json!({"reason": "Besat"}));
        assert_eq!(s, 200, "{b}");
        let n = unread(app, &frb);
        assert_eq!(kinds(&n), ["order_closed"]);
        assert_eq!(n[0]["params"]["count"], 1);
        assert!(unread(app, &brondby).is_empty());
        assert!(unread(app, &glostrup).is_empty());
    }

    import_and_portal_failure_tell_their_user(app) {
        let frb = app.login("frederiksberg.konsulent");
        let brondby = app.login("brondby.konsulent");
        clear(app, &[&frb, &brondby]);
        let csv = "ekstern_id;navn;postnummer\nN-1;Notits Import;2605\n";
        let (s, b) = app.raw("POST", "/api/v1/import/candidates", Some(&frb), Some(csv.into()), "text/csv");
        assert_eq!(s, 200, "{b}");
        let n = unread(app, &frb);
        assert_eq!(kinds(&n), ["import_finished"]);
        assert_eq!(n[0]["params"]["created"], 1);
        assert_eq!(n[0]["params"]["kind"], "candidates");
        assert_eq!(n[0]["link"], "/import");
        // A dry run imports nothing and tells no one.
        clear(app, &[&frb]);
        let (s, _) = app.raw("POST", "/api/v1/import/candidates?dry_run=true", Some(&frb), Some(csv.into()), "text/csv");
        assert_eq!(s, 200);
        assert!(unread(app, &frb).is_empty());
        assert!(unread(app, &brondby).is_empty());

        // A transfer that failed for good (as the portal worker reports it): the order's
        // responsible consultant is told, beside the mail.
        let order = app.create_order(&brondby, json!({"title": "Portal notits"}))["id"].as_i64().unwrap();
        let mail = app.state.mail.clone();
        app.state
            .db
            .write_blocking(move |c| {
                use diesel::prelude::*;
                use staer_hub::db::schema::job_orders;
                use staer_hub::domain::order::JobOrder;
                let o = job_orders::table.find(order).select(JobOrder::as_select()).first(c)?;
                staer_hub::domain::notify::portal_failed(c, &mail, &o, "create", 8, "HTTP 503")
            })
            .unwrap();
        let n = unread(app, &brondby);
        assert_eq!(kinds(&n), ["portal_failed"]);
        assert_eq!(n[0]["params"]["attempts"], 8);
        assert_eq!(n[0]["link"], format!("/orders/{order}#portal"));
        assert!(unread(app, &frb).is_empty());
    }

    mark_read_and_only_mine(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let glostrup = app.login("glostrup.konsulent");
        clear(app, &[&frb, &glostrup]);
        app.shared_order(&brondby, json!({"title": "Første"}), &["HRS"]);
        app.shared_order(&brondby, json!({"title": "Anden"}), &["HRS"]);
        app.shared_order(&brondby, json!({"title": "Tredje"}), &["HRS"]);
        let n = unread(app, &frb);
        assert_eq!(n.len(), 3);
        let first = n[2]["id"].as_i64().unwrap();
        assert_eq!(n[0]["order_title"], "Tredje", "newest first");

        // Another user's notice is 404, and stays unread.
        let (s, _) = app.post(&format!("/api/v1/notices/{first}/read"), &glostrup, json!({}));
        assert_eq!(s, 404);
        let (s, _) = app.post("/api/v1/notices/999999999/read", &frb, json!({}));
        assert_eq!(s, 404);
        assert_eq!(unread(app, &frb).len(), 3);

        // Mine: read, and a second time no change.
        let (s, b) = app.post(&format!("/api/v1/notices/{first}/read"), &frb, json!({}));
        assert_eq!(s, 200, "{b}");
        assert!(b["read_at"].is_string());
        assert_eq!(app.post(&format!("/api/v1/notices/{first}/read"), &frb, json!({})).0, 200);
        let (_, all) = app.get("/api/v1/notices?per_page=2", &frb);
        assert_eq!(all["unread"], 2);
        assert_eq!(all["per_page"], 2);
        assert_eq!(all["items"].as_array().unwrap().len(), 2);
        assert_eq!(unread(app, &frb).len(), 2);
        assert_eq!(app.get("/api/v1/notices?per_page=0", &frb).0, 422);

        // Glostrup's are untouched by Frederiksberg's read-all.
        let (s, b) = app.post("/api/v1/notices/read-all", &frb, json!({}));
        assert_eq!((s, b["marked"].as_i64()), (200, Some(2)));
        assert!(unread(app, &frb).is_empty());
        assert_eq!(unread(app, &glostrup).len(), 3);
        assert!(app.get("/api/v1/notices", &frb).1["total"].as_i64().unwrap() >= 3);
        assert_eq!(app.get("/api/v1/notices", "no-token").0, 401);
    }

    the_bell_counts_on_every_page(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        clear(app, &[&frb]);
        assert_eq!(bell(&page(app, &frb, "/dashboard/shared-orders")), "Notifikationer, 0 ulæste");
        let order = app.shared_order(&brondby, json!({"title": "Klokke-ordre"}), &["HRS"]);
        app.shared_order(&brondby, json!({"title": "Klokke-ordre 2"}), &["HRS"]);
        for path in ["/dashboard/shared-orders", "/candidates", &format!("/orders/{order}"), "/account"] {
            assert_eq!(bell(&page(app, &frb, path)), "Notifikationer, 2 ulæste", "{path}");
        }
        assert_eq!(bell(&page(app, &frb, "/notices?lang=en")), "Notices, 2 unread");

        // The list links each notice to its order; its buttons mark one, then all, read.
        let html = page(app, &frb, "/notices");
        assert!(html.contains(&format!("href=\"/orders/{order}\"")), "{html}");
        assert!(html.contains("Klokke-ordre"));
        let csrf = common::form::form_fields(&html, "/notices/read-all")
            .into_iter()
            .find(|(k, _)| k == "_csrf")
            .unwrap()
            .1;
        let id = unread(app, &frb)[1]["id"].as_i64().unwrap();
        let post = |path: &str, form: &[(&str, &str)]| {
            let agent = ureq::AgentBuilder::new().redirects(0).build();
            match agent.post(&app.url(path)).set("Cookie", &format!("staer_session={frb}")).send_form(form) {
                Ok(r) => r.status(),
                Err(ureq::Error::Status(c, _)) => c,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(post(&format!("/notices/{id}/read"), &[("_csrf", &csrf)]), 303);
        assert_eq!(bell(&page(app, &frb, "/notices")), "Notifikationer, 1 ulæste");
        // Without the CSRF token nothing changes.
        assert_eq!(post("/notices/read-all", &[("_csrf", "forged")]), 403);
        assert_eq!(post("/notices/read-all", &[("_csrf", &csrf)]), 303);
        assert_eq!(bell(&page(app, &frb, "/notices")), "Notifikationer, 0 ulæste");
        // Someone else's notice: a 404 page.
        let other = app.login("glostrup.konsulent");
        let theirs = unread(app, &other)[0]["id"].as_i64().unwrap();
        assert_eq!(post(&format!("/notices/{theirs}/read"), &[("_csrf", &csrf)]), 404);
    }
}
