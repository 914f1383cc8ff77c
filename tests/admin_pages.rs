//! The administrator's pages (users, networks, outbox) and every user's account page, over
//! HTTP with a cookie session and CSRF-checked forms, on SQLite and PostgreSQL: who may open
//! them, and that each action changes what the JSON API and a login then see.

mod common;

use diesel::prelude::*;
use serde_json::{json, Value};

/// A page session: the session cookie of a login token, no automatic redirects.
struct Pages<'a> {
    app: &'a common::TestApp,
    token: String,
    agent: ureq::Agent,
}

struct Res {
    status: u16,
    location: Option<String>,
    cookies: Vec<String>,
    body: String,
}

impl<'a> Pages<'a> {
    fn new(app: &'a common::TestApp, token: &str) -> Self {
        Pages {
            app,
            token: token.to_string(),
            agent: ureq::AgentBuilder::new().redirects(0).build(),
        }
    }

    fn finish(r: Result<ureq::Response, ureq::Error>) -> Res {
        let r = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        Res {
            status: r.status(),
            location: r.header("location").map(String::from),
            cookies: r.all("set-cookie").into_iter().map(String::from).collect(),
            body: r.into_string().unwrap_or_default(),
        }
    }

    fn get(&self, path: &str) -> Res {
        let cookie = format!("staer_session={}", self.token);
        Self::finish(self.agent.get(&self.app.url(path)).set("Cookie", &cookie).call())
    }

    /// A form POST with the session's CSRF token (taken from `/account`, a page every
    /// session may open).
    fn post(&self, path: &str, fields: &[(&str, &str)]) -> Res {
        let csrf = csrf_of(&self.get("/account").body);
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let cookie = format!("staer_session={}", self.token);
        Self::finish(
            self.agent
                .post(&self.app.url(path))
                .set("Cookie", &cookie)
                .send_form(&form),
        )
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

fn login_status(app: &common::TestApp, username: &str, password: &str) -> u16 {
    app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({ "username": username, "password": password })),
    )
    .0
}

fn login_with(app: &common::TestApp, username: &str, password: &str) -> String {
    let (s, b) = app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({ "username": username, "password": password })),
    );
    assert_eq!(s, 200, "login {username}: {b}");
    b["token"].as_str().unwrap().to_string()
}

/// The audit actions recorded about `entity`, oldest first.
fn audited(app: &common::TestApp, entity: &str) -> Vec<String> {
    let entity = entity.to_string();
    app.state
        .db
        .read_blocking(move |c| {
            use staer_hub::db::schema::audit_log;
            Ok(audit_log::table
                .filter(audit_log::entity.eq(entity))
                .order(audit_log::id)
                .select(audit_log::action)
                .load::<String>(c)?)
        })
        .unwrap()
}

/// The members of a network as `GET /api/v1/networks` lists them.
fn members(app: &common::TestApp, token: &str, network: &str) -> Vec<String> {
    let (s, nets) = app.get("/api/v1/networks", token);
    assert_eq!(s, 200, "{nets}");
    nets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == network)
        .map(|n| {
            n["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["authority_number"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

on_both! {
    only_an_administrator_gets_in(app) {
        let t = app.login("brondby.konsulent");
        let p = Pages::new(app, &t);
        // The navigation offers administration to administrators only.
        let home = p.get("/account");
        assert_eq!(home.status, 200);
        assert!(!home.body.contains("href=\"/admin/users\""));
        let admin = Pages::new(app, &app.login("admin"));
        assert!(admin.get("/account").body.contains("href=\"/admin/users\""));
        for path in [
            "/admin/users",
            "/admin/users?q=brondby",
            "/admin/users/frederiksberg.konsulent/disable",
            "/admin/users/frederiksberg.konsulent/enable",
            "/admin/users/frederiksberg.konsulent/password",
            "/admin/networks",
            "/admin/networks/HRS/members/15.300/remove",
            "/admin/outbox",
            "/admin/outbox?status=failed",
        ] {
            let r = p.get(path);
            assert_eq!(r.status, 403, "GET {path}");
            assert!(r.body.contains("Adgang nægtet"), "GET {path}: the 403 page");
        }
        let posts: [(&str, &[(&str, &str)]); 8] = [
            ("/admin/users", &[("username", "sneaky"), ("centre", "15.300"), ("email", "s@x.dk"), ("password", "kodeord-123"), ("admin", "1")]),
            ("/admin/users/frederiksberg.konsulent/disable", &[]),
            ("/admin/users/frederiksberg.konsulent/enable", &[]),
            ("/admin/users/frederiksberg.konsulent/password", &[("password", "kodeord-123"), ("password2", "kodeord-123")]),
            ("/admin/networks", &[("name", "Sneaky")]),
            ("/admin/networks/HRS/members", &[("authority_number", "15.300")]),
            ("/admin/networks/HRS/members/15.300/remove", &[]),
            ("/admin/outbox/1/retry", &[]),
        ];
        let before = members(app, &t, "HRS");
        for (path, fields) in posts {
            assert_eq!(p.post(path, fields).status, 403, "POST {path}");
        }
        assert_eq!(login_status(app, "sneaky", "kodeord-123"), 401);
        assert_eq!(login_status(app, "frederiksberg.konsulent", "demo"), 200);
        assert_eq!(members(app, &t, "HRS"), before);
        assert!(members(app, &t, "Sneaky").is_empty());
        // And the JSON API of the same actions.
        for (method, path, body) in [
            ("GET", "/api/v1/admin/users", None),
            ("POST", "/api/v1/admin/users", Some(json!({"username": "sneaky", "centre": "15.300", "email": "s@x.dk", "password": "kodeord-123"}))),
            ("POST", "/api/v1/admin/users/frederiksberg.konsulent/disable", None),
            ("POST", "/api/v1/admin/users/frederiksberg.konsulent/enable", None),
            ("POST", "/api/v1/admin/users/frederiksberg.konsulent/password", Some(json!({"password": "kodeord-123"}))),
            ("POST", "/api/v1/networks", Some(json!({"name": "Sneaky"}))),
            ("POST", "/api/v1/networks/HRS/members", Some(json!({"authority_number": "15.300"}))),
            ("DELETE", "/api/v1/networks/HRS/members/15.300", None),
            ("GET", "/api/v1/admin/outbox", None),
            ("POST", "/api/v1/admin/outbox/1/retry", None),
        ] {
            let body = body.or((method == "POST").then(|| json!({})));
            let (s, b) = app.call(method, path, Some(&t), body);
            assert_eq!(s, 403, "{method} {path}: {b}");
        }
        assert_eq!(login_status(app, "sneaky", "kodeord-123"), 401);
        assert_eq!(members(app, &t, "HRS"), before);
    }

    admin_creates_a_user_who_can_log_in(app) {
        let created = || audited(app, "user").iter().filter(|a| *a == "created").count();
        let created_before = created();
        let admin = app.login("admin");
        let p = Pages::new(app, &admin);
        let page = p.get("/admin/users?q=konsulent2");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("brondby.konsulent2") && !page.body.contains(">admin<"));
        // Refused input comes back as typed, the reason on top and beside its field; nothing made.
        let r = p.post("/admin/users", &[("username", "ny.konsulent"), ("centre", "15.300"), ("display_name", "Ny Konsulent"), ("email", "ny@jobcenter.example"), ("password", "kort")]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("id=\"err-password\"") && r.body.contains("aria-invalid=\"true\""));
        assert!(r.body.contains("value=\"ny@jobcenter.example\""));
        let r = p.post("/admin/users", &[("username", "brondby.konsulent"), ("centre", "15.300"), ("email", "ny@jobcenter.example"), ("password", "kodeord-123")]);
        assert_eq!(r.status, 409, "{}", r.body);
        assert!(r.body.contains("brugernavnet brondby.konsulent er optaget"), "{}", r.body);
        assert_eq!(login_status(app, "ny.konsulent", "kort"), 401);
        // Created through the page, then logs in.
        let r = p.post("/admin/users", &[("username", "ny.konsulent"), ("centre", "15.300"), ("display_name", "Ny Konsulent"), ("email", "ny@jobcenter.example"), ("password", "kodeord-123")]);
        assert_eq!(r.status, 303, "{}", r.body);
        let t = login_with(app, "ny.konsulent", "kodeord-123");
        let (_, me) = app.get("/api/v1/auth/me", &t);
        assert_eq!(me["role"], "consultant");
        assert_eq!(me["job_centre"]["authority_number"], "15.300");
        assert_eq!(me["display_name"], "Ny Konsulent");
        // And through the API, an administrator.
        let (s, b) = app.post("/api/v1/admin/users", &admin, json!({"username": "ny.admin", "centre": "15.300", "email": "na@jobcenter.example", "admin": true, "password": "kodeord-456"}));
        assert_eq!(s, 201, "{b}");
        let t = login_with(app, "ny.admin", "kodeord-456");
        assert_eq!(app.get("/api/v1/admin/users?q=ny.", &t).0, 200);
        let (_, list) = app.get("/api/v1/admin/users?q=NY.", &admin);
        assert_eq!(list["total"], 2, "{list}");
        assert_eq!(list["items"][0]["username"], "ny.admin");
        assert_eq!(list["items"][0]["admin"], true);
        assert!(list["items"][0].get("password_hash").is_none());
        assert_eq!(list["items"][1]["centre_number"], "15.300");
        let (s, _) = app.post("/api/v1/admin/users", &admin, json!({"username": "x y", "centre": "15.300", "email": "x@y.dk", "password": "kodeord-456"}));
        assert_eq!(s, 422);
        let (s, _) = app.post("/api/v1/admin/users", &admin, json!({"username": "xy", "centre": "99.999", "email": "x@y.dk", "password": "kodeord-456"}));
        assert_eq!(s, 422);
        assert_eq!(created(), created_before + 2);
    }

    disabling_ends_the_users_sessions_at_once(app) {
        let admin = app.login("admin");
        let p = Pages::new(app, &admin);
        let t = app.login("frederiksberg.konsulent");
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 200);
        let confirm = p.get("/admin/users/frederiksberg.konsulent/disable");
        assert_eq!(confirm.status, 200);
        assert!(confirm.body.contains("action=\"/admin/users/frederiksberg.konsulent/disable\""));
        // Showing the confirmation changes nothing.
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 200);
        let r = p.post("/admin/users/frederiksberg.konsulent/disable", &[]);
        assert_eq!(r.status, 303);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
        assert_eq!(login_status(app, "frederiksberg.konsulent", "demo"), 401);
        assert!(p.get("/admin/users?q=frederiksberg.konsulent").body.contains("Deaktiveret"));
        // An administrator can't lock themselves out.
        let r = p.post("/admin/users/admin/disable", &[]);
        assert_eq!(r.status, 303);
        assert_eq!(app.get("/api/v1/auth/me", &admin).0, 200);
        // Enabled again, the user logs in (the old token stays ended).
        assert_eq!(p.post("/admin/users/frederiksberg.konsulent/enable", &[]).status, 303);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
        assert_eq!(login_status(app, "frederiksberg.konsulent", "demo"), 200);
        let actions = audited(app, "user");
        assert!(actions.contains(&"disabled".to_string()) && actions.contains(&"enabled".to_string()));
    }

    an_admin_sets_a_new_password(app) {
        let admin = app.login("admin");
        let p = Pages::new(app, &admin);
        let t = app.login("brondby.konsulent2");
        assert_eq!(p.get("/admin/users/brondby.konsulent2/password").status, 200);
        assert_eq!(p.get("/admin/users/nobody/password").status, 404);
        // Two different entries, or a short one: refused beside the field, nothing changes.
        let r = p.post("/admin/users/brondby.konsulent2/password", &[("password", "nyt-kodeord-1"), ("password2", "nyt-kodeord-2")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"err-password2\""));
        let r = p.post("/admin/users/brondby.konsulent2/password", &[("password", "kort"), ("password2", "kort")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"err-password\""));
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 200);
        assert_eq!(login_status(app, "brondby.konsulent2", "demo"), 200);
        let r = p.post("/admin/users/brondby.konsulent2/password", &[("password", "nyt-kodeord-1"), ("password2", "nyt-kodeord-1")]);
        assert_eq!(r.status, 303);
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 401);
        assert_eq!(login_status(app, "brondby.konsulent2", "demo"), 401);
        assert_eq!(login_status(app, "brondby.konsulent2", "nyt-kodeord-1"), 200);
        assert!(audited(app, "user").contains(&"password_set".to_string()));
    }

    network_members_change_through_the_page(app) {
        let admin = app.login("admin");
        let p = Pages::new(app, &admin);
        let t = app.login("brondby.konsulent");
        // A network whose name needs escaping in a link.
        let r = p.post("/admin/networks", &[("name", "Region Sjælland")]);
        assert_eq!(r.status, 303, "{}", r.body);
        let r = p.post("/admin/networks", &[("name", "Region Sjælland")]);
        assert_eq!(r.status, 409);
        assert!(r.body.contains("id=\"err-name\""));
        let r = p.post("/admin/networks/Region%20Sj%C3%A6lland/members", &[("authority_number", "15.300")]);
        assert_eq!(r.status, 303);
        assert_eq!(members(app, &t, "Region Sjælland"), vec!["15.300".to_string()]);
        let page = p.get("/admin/networks");
        assert!(page.body.contains("/admin/networks/Region%20Sj%C3%A6lland/members/15.300/remove"));
        // Removing asks first; the confirmation changes nothing.
        let before = members(app, &t, "HRS");
        assert!(before.contains(&"15.300".to_string()));
        let confirm = p.get("/admin/networks/HRS/members/15.300/remove");
        assert_eq!(confirm.status, 200);
        assert_eq!(members(app, &t, "HRS"), before);
        assert_eq!(p.get("/admin/networks/HRS/members/99.999/remove").status, 404);
        assert_eq!(p.post("/admin/networks/HRS/members/15.300/remove", &[]).status, 303);
        let after = members(app, &t, "HRS");
        assert!(!after.contains(&"15.300".to_string()));
        assert_eq!(after.len(), before.len() - 1);
        // Added back through the page.
        assert_eq!(p.post("/admin/networks/HRS/members", &[("authority_number", "15.300")]).status, 303);
        assert_eq!(members(app, &t, "HRS").len(), before.len());
        let actions = audited(app, "network");
        for a in ["created", "member_added", "member_removed"] {
            assert!(actions.contains(&a.to_string()), "{a} audited: {actions:?}");
        }
    }

    a_failed_mail_is_retried_from_the_page(app) {
        let admin = app.login("admin");
        let p = Pages::new(app, &admin);
        let id: i64 = app.state.db.write_blocking(|c| {
            use staer_hub::db::schema::outbox;
            let now = chrono::Utc::now().naive_utc();
            Ok(diesel::insert_into(outbox::table)
                .values((
                    outbox::created_at.eq(now),
                    outbox::kind.eq("test"),
                    outbox::to_addr.eq("hr@kantinen.example"),
                    outbox::subject.eq("Ny jobordre delt"),
                    outbox::body_text.eq("x"),
                    outbox::body_html.eq("x"),
                    outbox::status.eq("failed"),
                    outbox::attempts.eq(8),
                    outbox::next_attempt_at.eq(now + chrono::Duration::days(30)),
                    outbox::last_error.eq(Some("550 mailbox unavailable")),
                ))
                .returning(outbox::id)
                .get_result(c)?)
        }).unwrap();
        let page = p.get("/admin/outbox");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("550 mailbox unavailable") && page.body.contains("hr@kantinen.example"));
        assert!(page.body.contains(&format!("action=\"/admin/outbox/{id}/retry\"")));
        assert!(!p.get("/admin/outbox?status=sent").body.contains("550 mailbox unavailable"));
        assert_eq!(p.get("/admin/outbox?status=bogus").status, 422);
        let r = p.post(&format!("/admin/outbox/{id}/retry"), &[("status", "failed")]);
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("/admin/outbox?status=failed"));
        let (_, ob) = app.get("/api/v1/admin/outbox?status=pending", &admin);
        let row = ob["items"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned().unwrap_or(Value::Null);
        assert_eq!(row["status"], "pending", "{ob}");
        assert!(row["next_attempt_at"].as_str().unwrap() < "9999", "due now");
        let (_, unsent) = app.get("/api/v1/admin/outbox?status=unsent", &admin);
        assert!(unsent["items"].as_array().unwrap().iter().any(|m| m["id"] == id));
        assert_eq!(p.post("/admin/outbox/999999/retry", &[]).status, 404);
        assert!(audited(app, "outbox").contains(&"retry".to_string()));
    }

    a_user_changes_their_own_password(app) {
        let t = app.login("brondby.konsulent");
        let other = app.login("brondby.konsulent");
        let p = Pages::new(app, &t);
        let page = p.get("/account");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("autocomplete=\"current-password\""));
        // A wrong current password: refused beside the field, nothing changes.
        let r = p.post("/account/password", &[("current", "forkert"), ("new", "nyt-kodeord-1"), ("new2", "nyt-kodeord-1")]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("id=\"err-current\"") && r.body.contains("er ikke din nuværende adgangskode"));
        let (s, _) = app.post("/api/v1/auth/password", &t, json!({"current": "forkert", "new": "nyt-kodeord-1"}));
        assert_eq!(s, 422);
        let r = p.post("/account/password", &[("current", "demo"), ("new", "nyt-kodeord-1"), ("new2", "nyt-kodeord-2")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"err-new2\""));
        let r = p.post("/account/password", &[("current", "demo"), ("new", "kort"), ("new2", "kort")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("id=\"err-new\""));
        assert_eq!(app.get("/api/v1/auth/me", &other).0, 200);
        assert_eq!(login_status(app, "brondby.konsulent", "demo"), 200);
        // The change: this session carries on, the other one ends.
        let r = p.post("/account/password", &[("current", "demo"), ("new", "nyt-kodeord-1"), ("new2", "nyt-kodeord-1")]);
        assert_eq!(r.status, 303, "{}", r.body);
        assert_eq!(p.get("/account").status, 200);
        assert_eq!(app.get("/api/v1/auth/me", &other).0, 401);
        assert_eq!(login_status(app, "brondby.konsulent", "demo"), 401);
        // Over JSON, back again: the token of the request stays valid.
        let (s, b) = app.post("/api/v1/auth/password", &t, json!({"current": "nyt-kodeord-1", "new": "demo-demo-2"}));
        assert_eq!(s, 200, "{b}");
        assert_eq!(app.get("/api/v1/auth/me", &t).0, 200);
        assert_eq!(login_status(app, "brondby.konsulent", "nyt-kodeord-1"), 401);
        assert_eq!(login_status(app, "brondby.konsulent", "demo-demo-2"), 200);
        assert!(audited(app, "user").contains(&"password_changed".to_string()));
    }

    a_user_chooses_their_language(app) {
        let t = app.login("frederiksberg.konsulent");
        let p = Pages::new(app, &t);
        assert!(p.get("/account").body.contains("Skift adgangskode"));
        let r = p.post("/account/language", &[("language", "en")]);
        assert_eq!(r.status, 303);
        assert!(r.cookies.iter().any(|c| c.starts_with("staer_lang=en")), "{:?}", r.cookies);
        assert_eq!(app.get("/api/v1/auth/me", &t).1["language"], "en");
        // A new session (another browser) shows the pages in the chosen language.
        let fresh = app.login("frederiksberg.konsulent");
        assert!(Pages::new(app, &fresh).get("/account").body.contains("Change password"));
        assert_eq!(p.post("/account/language", &[("language", "de")]).status, 422);
        assert_eq!(app.get("/api/v1/auth/me", &t).1["language"], "en");
    }
}
