//! Sessions and accounts from outside, on SQLite and PostgreSQL: logout ends a token on every
//! instance, an administrator disables a user or sets a password and the old tokens stop at
//! once, a deleted user's token is 401 everywhere, login is throttled, and API answers and
//! pages without login carry the protective headers.

mod common;

use std::time::{Duration, Instant};

use serde_json::json;

/// A call with the answer's headers: (status, Retry-After, Cache-Control, nosniff, CSP, body).
struct Answer {
    status: u16,
    header: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn answer(
    app: &common::TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Answer {
    let mut req = ureq::request(method, &app.url(path));
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let r = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let r = match r {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let header = r
        .headers_names()
        .into_iter()
        .map(|n| (n.clone(), r.header(&n).unwrap_or_default().to_string()))
        .collect();
    Answer {
        status: r.status(),
        header,
        body: r.into_string().unwrap_or_default(),
    }
}

fn login_as(app: &common::TestApp, username: &str, password: &str) -> Answer {
    answer(
        app,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({ "username": username, "password": password })),
    )
}

on_both! {
    logout_ends_the_token_on_every_instance(app) {
        let other = app.second_instance();
        let t = app.login("brondby.konsulent");
        let order = app.create_order(&t, json!({}))["id"].as_i64().unwrap();
        assert_eq!(other.get("/api/v1/auth/me", &t).0, 200);
        let a = answer(app, "POST", "/api/v1/auth/logout", Some(&t), None);
        assert_eq!(a.status, 204, "{}", a.body);
        for inst in [app, &other] {
            assert_eq!(inst.get("/api/v1/auth/me", &t).0, 401);
            assert_eq!(inst.get(&format!("/api/v1/orders/{order}"), &t).0, 401);
        }
        // A second logout with the ended token is no session either.
        assert_eq!(answer(app, "POST", "/api/v1/auth/logout", Some(&t), None).status, 401);
        // Another login is a new session; the old token stays ended.
        let t2 = app.login("brondby.konsulent");
        assert_eq!(app.get("/api/v1/auth/me", &t2).0, 200);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
    }

    admin_disables_enables_and_sets_passwords(app) {
        let admin = app.login("admin");
        let t = app.login("brondby.konsulent");
        let other = app.login("frederiksberg.konsulent");
        let order = app.create_order(&t, json!({}))["id"].as_i64().unwrap();
        // Only an administrator.
        for action in ["disable", "enable"] {
            assert_eq!(app.post(&format!("/api/v1/admin/users/frederiksberg.konsulent/{action}"), &t, json!({})).0, 403);
        }
        let (s, _) = app.post("/api/v1/admin/users/frederiksberg.konsulent/password", &t, json!({"password": "nyt-kodeord"}));
        assert_eq!(s, 403);
        assert_eq!(app.post("/api/v1/admin/users/nobody/disable", &admin, json!({})).0, 404);

        let (s, b) = app.post("/api/v1/admin/users/brondby.konsulent/disable", &admin, json!({}));
        assert_eq!(s, 200, "{b}");
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &t).0, 401);
        assert_eq!(app.post("/api/v1/orders", &t, json!({})).0, 401);
        assert_eq!(login_as(app, "brondby.konsulent", "demo").status, 401);
        assert_eq!(app.get("/api/v1/auth/me", &other).0, 200, "other users keep their sessions");
        let (s, _) = app.post("/api/v1/admin/users/brondby.konsulent/enable", &admin, json!({}));
        assert_eq!(s, 200);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401, "enabling does not revive ended sessions");
        let t = app.login("brondby.konsulent");

        let (s, b) = app.post("/api/v1/admin/users/brondby.konsulent/password", &admin, json!({"password": "kort"}));
        assert_eq!((s, b["detail"]["field"].as_str()), (422, Some("password")));
        let (s, b) = app.post("/api/v1/admin/users/brondby.konsulent/password", &admin, json!({"password": "nyt-kodeord-1"}));
        assert_eq!(s, 200, "{b}");
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
        assert_eq!(login_as(app, "brondby.konsulent", "demo").status, 401);
        assert_eq!(login_as(app, "brondby.konsulent", "nyt-kodeord-1").status, 200);

        // Each is audited.
        use diesel::prelude::*;
        use staer_hub::db::schema::audit_log;
        let actions: Vec<String> = app
            .state
            .db
            .read_blocking(|c| Ok(audit_log::table.filter(audit_log::entity.eq("user")).select(audit_log::action).load(c)?))
            .unwrap();
        for a in ["disabled", "enabled", "password_set", "login"] {
            assert!(actions.iter().any(|x| x == a), "no audit entry {a}: {actions:?}");
        }
    }

    deleted_users_token_is_401_everywhere(app) {
        use diesel::prelude::*;
        use staer_hub::db::schema::{audit_log, users};
        let owner = app.login("brondby.konsulent");
        let order = app.create_order(&owner, json!({}))["id"].as_i64().unwrap();
        staer_hub::domain::users::create_user(&app.state.db, "kortvarig", "kodeord-123", "15.300", "Kort Varig", "kv@jobcenter.example", false).unwrap();
        let a = login_as(app, "kortvarig", "kodeord-123");
        assert_eq!(a.status, 200, "{}", a.body);
        let t = serde_json::from_str::<serde_json::Value>(&a.body).unwrap()["token"].as_str().unwrap().to_string();
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &t).0, 200);
        app.state.db.write_blocking(|c| {
            let id: i64 = users::table.filter(users::username.eq("kortvarig")).select(users::id).first(c)?;
            diesel::delete(audit_log::table.filter(audit_log::actor_id.eq(id))).execute(c)?;
            diesel::delete(users::table.find(id)).execute(c)?;
            Ok(())
        }).unwrap();
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &t).0, 401);
        assert_eq!(app.get("/api/v1/dashboard/shared-orders", &t).0, 401);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
        let (s, b) = app.post("/api/v1/orders", &t, json!({
            "title": "Kok", "occupation": "Kok", "company_name": "K", "start_date": "2026-12-01", "vacancies": 1, "task_description": "t"
        }));
        assert_eq!(s, 401, "a write with a deleted user's token: {b}");
        assert_eq!(app.post("/api/v1/candidates", &t, json!({"name": "X"})).0, 401);

        // A user disabled by any path, sessions left as they were: the per-request check
        // itself sees the account is disabled.
        let frb = app.login("frederiksberg.konsulent");
        app.state.db.write_blocking(|c| {
            diesel::update(users::table.filter(users::username.eq("frederiksberg.konsulent")))
                .set(users::disabled_at.eq(Some(chrono::Utc::now().naive_utc())))
                .execute(c)?;
            Ok(())
        }).unwrap();
        assert_eq!(app.get("/api/v1/dashboard/shared-orders", &frb).0, 401);
    }

    api_answers_are_not_cached_and_public_pages_carry_the_csp(app) {
        let t = app.login("brondby.konsulent");
        for (path, token) in [("/api/v1/auth/me", Some(t.as_str())), ("/api/v1/dashboard/my-orders", Some(&t)), ("/api/v1/auth/me", None)] {
            let a = answer(app, "GET", path, token, None);
            assert_eq!(a.header("cache-control"), Some("no-store"), "{path} {}", a.status);
            assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{path}");
        }
        let login_page = answer(app, "GET", "/login", None, None);
        let csp = login_page.header("content-security-policy").expect("pages have a CSP").to_string();
        for path in ["/job-agents/unsubscribe/nope", "/job-agents/unsubscribe/nope?lang=en"] {
            let a = answer(app, "GET", path, None, None);
            assert_eq!(a.status, 404);
            assert_eq!(a.header("content-security-policy"), Some(csp.as_str()), "{path}");
            assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
            assert!(!a.body.contains("style="), "inline style on {path}: {}", a.body);
        }
        assert!(answer(app, "GET", "/job-agents/unsubscribe/nope", None, None).body.contains("Ukendt afmeldingslink"));
        assert!(answer(app, "GET", "/job-agents/unsubscribe/nope?lang=en", None, None).body.contains("Unknown unsubscribe link"));
    }
}

/// 5 wrong passwords, then the right one is refused (429, Retry-After) until the delay passes;
/// a success resets; the client address is throttled across usernames too.
fn throttling(app: &common::TestApp) {
    let delay = Duration::from_millis(app.config.login_base_delay_ms);
    for i in 0..5 {
        assert_eq!(login_as(app, "brondby.konsulent", "forkert").status, 401, "failure {i}");
    }
    let failed_at = Instant::now();
    let a = login_as(app, "brondby.konsulent", "demo");
    assert_eq!(a.status, 429, "right password after 5 wrong: {}", a.body);
    let retry: u64 = a.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(retry >= 1 && retry <= delay.as_secs() + 1, "Retry-After {retry}");
    std::thread::sleep((delay + Duration::from_millis(300)).saturating_sub(failed_at.elapsed()));
    assert_eq!(
        login_as(app, "brondby.konsulent", "demo").status,
        200,
        "after the delay"
    );
    // Reset on success: a wrong password is a plain 401 again, and so are the next four.
    for _ in 0..4 {
        assert_eq!(login_as(app, "brondby.konsulent", "forkert").status, 401);
    }
    assert_eq!(login_as(app, "brondby.konsulent", "demo").status, 200);

    // One address trying many usernames is locked too, for any username.
    for i in 0..5 {
        assert_eq!(login_as(app, &format!("gaet{i}"), "forkert").status, 401);
    }
    let failed_at = Instant::now();
    assert_eq!(login_as(app, "frederiksberg.konsulent", "demo").status, 429);
    // The lock is in the database: a second instance refuses too.
    let other = app.second_instance();
    assert_eq!(login_as(&other, "frederiksberg.konsulent", "demo").status, 429);
    std::thread::sleep((delay + Duration::from_millis(300)).saturating_sub(failed_at.elapsed()));
    assert_eq!(login_as(app, "frederiksberg.konsulent", "demo").status, 200);
}

fn throttled_app(backend: common::Backend) -> common::TestApp {
    common::TestApp::start_with(backend, |c| c.login_base_delay_ms = 3000)
}

#[test]
fn login_throttling_sqlite() {
    throttling(&throttled_app(common::Backend::Sqlite));
}

#[test]
fn login_throttling_postgres() {
    throttling(&throttled_app(common::Backend::Postgres));
}
