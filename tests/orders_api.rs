//! Job orders over the JSON API: lifecycle, validation, tenancy. On SQLite and PostgreSQL.

mod common;

use serde_json::json;

on_both! {
    health_and_login(app) {
        assert_eq!(app.call("GET", "/healthz", None, None).0, 200);
        let (s, body) = app.call("POST", "/api/v1/auth/login", None, Some(json!({"username": "brondby.konsulent", "password": "wrong"})));
        assert_eq!(s, 401, "{body}");
        assert!(body["error"].is_string());
        let (s, _) = app.call("POST", "/api/v1/auth/login", None, Some(json!({"username": "nobody", "password": "demo"})));
        assert_eq!(s, 401);
        let t = app.login("brondby.konsulent");
        let (s, me) = app.get("/api/v1/auth/me", &t);
        assert_eq!(s, 200);
        assert_eq!(me["username"], "brondby.konsulent");
        assert_eq!(me["job_centre"]["authority_number"], "15.300");
        assert_eq!(me["job_centre"]["name"], "Brøndby");
        assert_eq!(app.call("GET", "/api/v1/auth/me", None, None).0, 401);
        assert_eq!(app.call("GET", "/api/v1/auth/me", Some("not.a.token"), None).0, 401);
    }

    order_lifecycle(app) {
        let t = app.login("brondby.konsulent");
        let o = app.create_order(&t, json!({}));
        let id = o["id"].as_i64().unwrap();
        assert_eq!(o["access"], "owner");
        assert_eq!(o["status"], "open");
        assert_eq!(o["referred"], 0);
        assert_eq!(o["coordinator_allowed"], true);
        assert_eq!(o["qualifications_and_pay"], "Overenskomst, 190 kr/t");
        assert_eq!(o["request_id"], format!("JO-{id:06}"));
        assert!(o["sent_to_portal_at"].is_null());

        let (s, got) = app.get(&format!("/api/v1/orders/{id}"), &t);
        assert_eq!(s, 200);
        assert_eq!(got["title"], "Kok til kantine");
        assert_eq!(got["working_hours"], "Man-fre 7-15");

        let (s, up) = app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 3, "end_date": null, "title": "Kok"}));
        assert_eq!(s, 200, "{up}");
        assert_eq!(up["vacancies"], 3);
        assert!(up["end_date"].is_null());
        assert_eq!(up["title"], "Kok");

        let (s, sent) = app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &t, json!({}));
        assert_eq!(s, 200);
        assert!(sent["sent_to_portal_at"].is_string());
        let (s, again) = app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &t, json!({}));
        assert_eq!(s, 409, "{again}");

        let (s, closed) = app.post(&format!("/api/v1/orders/{id}/close"), &t, json!({}));
        assert_eq!(s, 200);
        assert_eq!(closed["status"], "closed");
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/close"), &t, json!({})).0, 409);
        assert_eq!(app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 1})).0, 409);

        // Every change is in the audit log, newest first, with who and what.
        let (s, audit) = app.get(&format!("/api/v1/orders/{id}/audit"), &t);
        assert_eq!(s, 200);
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["closed", "sent_to_portal", "updated", "created"]);
        let upd = &audit["items"][2];
        assert_eq!(upd["actor"], "Konsulent Brøndby");
        assert_eq!(upd["detail"]["vacancies"]["from"], 2);
        assert_eq!(upd["detail"]["vacancies"]["to"], 3);
    }

    validation_names_the_field(app) {
        let t = app.login("brondby.konsulent");
        let base = json!({
            "title": "Kok", "occupation": "Kok", "company_name": "A/S",
            "start_date": "2026-12-01", "vacancies": 1, "task_description": "x"
        });
        let with = |k: &str, v: serde_json::Value| { let mut b = base.clone(); b[k] = v; b };
        let cases = [
            (with("vacancies", json!(0)), "vacancies"),
            (with("vacancies", json!("two")), "vacancies"),
            (with("end_date", json!("2026-11-01")), "end_date"),
            (with("start_date", json!("1. december")), "start_date"),
            (with("title", json!("")), "title"),
            (with("title", json!("x".repeat(201))), "title"),
            (with("employer_email", json!("no-at-sign")), "employer_email"),
            (with("coordinator_id", json!(999999)), "coordinator_id"),
        ];
        for (body, field) in cases {
            let (s, e) = app.post("/api/v1/orders", &t, body);
            assert_eq!(s, 422, "{field}: {e}");
            assert_eq!(e["detail"]["field"], field, "{e}");
        }
        let mut missing = base.clone();
        missing.as_object_mut().unwrap().remove("title");
        let (s, e) = app.post("/api/v1/orders", &t, missing);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("title")));

        let (s, _) = app.raw("POST", "/api/v1/orders", Some(&t), Some("{\"title\":".into()), "application/json");
        assert_eq!(s, 400);
        let huge = json!({"title": "x", "task_description": "y".repeat(400_000)}).to_string();
        let (s, _) = app.raw("POST", "/api/v1/orders", Some(&t), Some(huge), "application/json");
        assert_eq!(s, 413);

        // A coordinator of another centre is refused.
        let frb = app.login("frederiksberg.konsulent");
        let (_, me) = app.get("/api/v1/auth/me", &frb);
        let (s, e) = app.post("/api/v1/orders", &t, with("coordinator_id", me["id"].clone()));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("coordinator_id")));

        // Nothing of the above was stored: only the demo's three Brøndby orders exist... plus none.
        let o = app.create_order(&t, json!({}));
        assert_eq!(app.get(&format!("/api/v1/orders/{}", o["id"]), &t).0, 200);
    }

    tenancy_hides_other_centres_orders(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let o = app.create_order(&brondby, json!({}));
        let id = o["id"].as_i64().unwrap();
        let path = format!("/api/v1/orders/{id}");
        let (s, body) = app.get(&path, &frb);
        assert_eq!(s, 404, "{body}");
        assert_eq!(body["error"], "not found");
        assert_eq!(app.patch(&path, &frb, json!({"vacancies": 9})).0, 404);
        assert_eq!(app.post(&format!("{path}/close"), &frb, json!({})).0, 404);
        assert_eq!(app.post(&format!("{path}/send-to-portal"), &frb, json!({})).0, 404);
        assert_eq!(app.get(&format!("{path}/audit"), &frb).0, 404);
        // Unknown ids and ids that aren't ids look the same.
        assert_eq!(app.get("/api/v1/orders/99999999", &frb).0, 404);
        assert_eq!(app.get("/api/v1/orders/abc", &frb).0, 404);
        assert_eq!(app.get("/api/v1/orders/1%27%20OR%201=1", &frb).0, 404);
        // Anonymous: 401.
        assert_eq!(app.call("GET", &path, None, None).0, 401);
        // The owner's other consultant sees it; nothing changed.
        let b2 = app.login("brondby.konsulent2");
        let (s, got) = app.get(&path, &b2);
        assert_eq!(s, 200);
        assert_eq!(got["vacancies"], 2);
    }
}

#[test]
fn demo_seed_is_idempotent() {
    let app = common::TestApp::start(common::Backend::Sqlite);
    assert!(
        !staer_hub::cli::demo::seed(&app.state.db, &app.state.mail).unwrap(),
        "second seed must do nothing"
    );
    let t = app.login("admin");
    assert_eq!(app.get("/api/v1/auth/me", &t).1["role"], "admin");
}
