//! Bad input: malformed and mistyped JSON, huge bodies, control characters, injection
//! strings, broken tokens, ids that are not ids. None gives 500; none changes what it shouldn't.

mod common;

use serde_json::{json, Value};
use staer_hub::domain::actor::{AuthUser, Role};
use staer_hub::ids::{JobCentreId, UserId};
use staer_hub::web::jwt::JwtKeys;

const NASTY: &[&str] = &[
    "'; DROP TABLE job_orders; --",
    "\" OR 1=1 --",
    "1' UNION SELECT password_hash FROM users --",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }} {{{raw}}}",
    "Ærø Å ø 🚀 e\u{301} \u{202e}reversed",
    "%_\\ like-wildcards",
];

on_both! {
    no_500_for_malformed_or_mistyped_bodies(app) {
        let t = app.login("brondby.konsulent");
        let order = app.shared_order(&t, json!({}), &["HRS"]);
        let posts = [
            "/api/v1/auth/login".to_string(),
            "/api/v1/orders".into(),
            format!("/api/v1/orders/{order}/shares"),
            format!("/api/v1/orders/{order}/referrals"),
            "/api/v1/candidates".into(),
            "/api/v1/networks".into(),
        ];
        let bodies = [
            "{", "[]", "null", "\"x\"", "{\"title\": [1,2]}", "{\"vacancies\": 1e999}", "\u{0}", "{\"a\":\"\\ud800\"}",
            "{\"candidate_id\": \"1\"}", "{\"network\": 7}", "{\"name\": {}}", "{\"username\": 1, \"password\": null}",
        ];
        for path in &posts {
            for body in bodies {
                let (s, text) = app.raw("POST", path, Some(&t), Some(body.to_string()), "application/json");
                assert!((400..500).contains(&s), "POST {path} {body:?} -> {s} {text}");
                let v: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
                assert!(v["error"].is_string());
            }
        }
        for body in bodies {
            let (s, text) = app.raw("PATCH", &format!("/api/v1/orders/{order}"), Some(&t), Some(body.to_string()), "application/json");
            assert!((400..500).contains(&s), "PATCH {body:?} -> {s} {text}");
        }
        // Wrong types name the field.
        let (s, e) = app.patch(&format!("/api/v1/orders/{order}"), &t, json!({"vacancies": "many"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("vacancies")));
        let (s, e) = app.patch(&format!("/api/v1/orders/{order}"), &t, json!({"start_date": 20261201}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("start_date")));
        let (s, e) = app.patch(&format!("/api/v1/orders/{order}"), &t, json!({"vacancies": 2147483648u64}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("vacancies")));
        // Huge bodies: 413, on every writing endpoint.
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(300 * 1024));
        for path in &posts {
            assert_eq!(app.raw("POST", path, Some(&t), Some(huge.clone()), "application/json").0, 413, "{path}");
        }
        // Nothing above changed the order.
        let (_, audit) = app.get(&format!("/api/v1/orders/{order}/audit"), &t);
        let actions: Vec<&str> = audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["shared", "sent_to_portal", "created"]);
    }

    nasty_strings_round_trip_inert(app) {
        let t = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        for (i, s) in NASTY.iter().enumerate() {
            let o = app.create_order(&t, json!({
                "title": s, "occupation": s, "company_name": s, "coordinator_external": s,
                "request_id": format!("R-{i} {s}").chars().take(64).collect::<String>(),
                "task_description": s, "qualifications_and_pay": s, "working_hours": s, "type": s,
            }));
            let id = o["id"].as_i64().unwrap();
            let (_, got) = app.get(&format!("/api/v1/orders/{id}"), &t);
            for f in ["title", "occupation", "company_name", "coordinator_external", "task_description", "qualifications_and_pay", "working_hours", "type"] {
                assert_eq!(got[f], *s, "{f} did not round-trip");
            }
            let c = app.post("/api/v1/candidates", &frb, json!({"name": s})).1;
            assert_eq!(c["name"], *s);
            // Search with it: no error, no rows of other centres.
            let q: String = s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("%{:02X}", c as u32 & 0xff) }).collect();
            let (st, list) = app.get(&format!("/api/v1/candidates?q={}", urlencode(s)), &frb);
            assert_eq!(st, 200, "{q}");
            assert!(list["items"].as_array().unwrap().iter().all(|c| c["job_centre_id"] == list["items"][0]["job_centre_id"]));
        }
        // The wildcard string matches itself only, not everything.
        let (_, list) = app.get(&format!("/api/v1/candidates?q={}", urlencode("%_\\")), &frb);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // The tables are all still there and the demo data intact.
        assert_eq!(app.get("/api/v1/networks", &t).1["items"].as_array().unwrap().len(), 2);
    }

    control_characters_are_refused_where_they_do_harm(app) {
        let t = app.login("brondby.konsulent");
        for bad in ["a\u{0}b", "line\nbreak", "bell\u{7}", "esc\u{1b}[31m"] {
            let (s, e) = app.post("/api/v1/orders", &t, json!({
                "title": bad, "occupation": "o", "company_name": "c", "start_date": "2026-12-01", "vacancies": 1, "task_description": "t"
            }));
            assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("title")), "{bad:?}");
        }
        // Multi-line texts keep their line breaks.
        let o = app.create_order(&t, json!({"task_description": "Linje 1\nLinje 2\tfane"}));
        assert_eq!(o["task_description"], "Linje 1\nLinje 2\tfane");
    }

    broken_tokens_are_401(app) {
        let secret = app.config.jwt_secret.clone();
        let user = AuthUser { id: UserId(1), job_centre_id: JobCentreId(1), username: "brondby.konsulent".into(), role: Role::Consultant, language: "da".into() };
        let expired = JwtKeys::new(&secret, -1).issue(&user, "s").unwrap();
        let forged = JwtKeys::new(b"not-the-secret-not-the-secret-xx", 1).issue(&user, "s").unwrap();
        // Well signed, but naming no session the server opened.
        let no_session = JwtKeys::new(&secret, 1).issue(&user, "0123456789abcdef0123456789abcdef").unwrap();
        let valid = app.login("brondby.konsulent");
        let payload = valid.split('.').nth(1).unwrap();
        let none_alg = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        let tampered = {
            let mut parts: Vec<String> = valid.split('.').map(String::from).collect();
            parts[1] = parts[1].replacen('e', "f", 1);
            parts.join(".")
        };
        assert_eq!(app.get("/api/v1/auth/me", &valid).0, 200);
        for (what, token) in [("expired", expired), ("forged", forged), ("no session", no_session), ("alg none", none_alg), ("tampered", tampered), ("garbage", "x.y.z".into()), ("empty", String::new())] {
            let (s, b) = app.get("/api/v1/orders/1", &token);
            assert_eq!(s, 401, "{what}: {b}");
            assert!(b["error"].is_string());
        }
        let (s, _) = app.raw("GET", "/api/v1/auth/me", None, None, "");
        assert_eq!(s, 401);
        // The session cookie reads the API, but does not write through it (no CSRF token there).
        let cookie = format!("staer_session={valid}");
        let r = ureq::get(&app.url("/api/v1/auth/me")).set("Cookie", &cookie).call();
        assert_eq!(r.map(|r| r.status()).unwrap_or(0), 200);
        let r = ureq::post(&app.url("/api/v1/orders")).set("Cookie", &cookie).set("Content-Type", "application/json").send_string("{}");
        assert!(matches!(r, Err(ureq::Error::Status(401, _))), "{r:?}");
    }

    ids_that_are_not_ids_are_404(app) {
        let t = app.login("brondby.konsulent");
        for path in [
            "/api/v1/orders/abc", "/api/v1/orders/-1", "/api/v1/orders/0", "/api/v1/orders/99999999999999999999",
            "/api/v1/orders/1.5", "/api/v1/orders/%00", "/api/v1/orders/1%20OR%201=1", "/api/v1/referrals/abc",
            "/api/v1/referrals/abc/history", "/api/v1/candidates/%27", "/api/v1/orders/abc/notified", "/api/v1/nope",
        ] {
            let (s, b) = app.get(path, &t);
            assert_eq!(s, 404, "{path}: {b}");
        }
        for path in ["/api/v1/referrals/xyz/approve", "/api/v1/referrals/1/explode", "/api/v1/orders/%2e%2e/close"] {
            assert_eq!(app.post(path, &t, json!({})).0, 404, "{path}");
        }
        // Bad query strings are 400, out-of-range pages are clamped.
        assert_eq!(app.get("/api/v1/orders/1/notified?page=abc", &t).0, 400);
        let id = app.shared_order(&t, json!({}), &["HRS"]);
        let (s, p) = app.get(&format!("/api/v1/orders/{id}/notified?page=-5&per_page=100000"), &t);
        assert_eq!((s, p["page"].as_i64(), p["per_page"].as_i64()), (200, Some(1), Some(200)));
        let (s, p) = app.get(&format!("/api/v1/orders/{id}/notified?page=9223372036854775807"), &t);
        assert_eq!((s, p["items"].as_array().map(|i| i.len())), (200, Some(0)));
        let admin = app.login("admin");
        assert_eq!(app.get("/api/v1/admin/outbox?page=9223372036854775807", &admin).0, 200);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
