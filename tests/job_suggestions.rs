//! Job suggestions (issue 14): an order mailed to consenting candidates of my centre through
//! the outbox and a real SMTP server, with the shared fields and my contact details only; the
//! refusals (another centre's candidate or order, no consent, no email, a closed order) send
//! nothing; a repeat needs a confirmation; the candidate's history and access export show it,
//! an erasure deletes it; the pages (picker, confirmation, match list). SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::form::attr;
use common::{SmtpSink, TestApp};
use diesel::prelude::*;
use serde_json::{json, Value};

const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";

/// A candidate of `token`'s centre with its own email (or none), with consent when `consent`.
fn candidate(app: &TestApp, token: &str, name: &str, email: Option<&str>, consent: bool) -> i64 {
    let (s, c) = app.post(
        "/api/v1/candidates",
        token,
        json!({ "name": name, "email": email, "occupations": ["kok"], "postcode": "2605", "allow_duplicate": true }),
    );
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    if consent {
        let (s, b) = app.post(&format!("/api/v1/candidates/{id}/consent"), token, json!({}));
        assert_eq!(s, 200, "{b}");
    }
    id
}

fn suggest(app: &TestApp, token: &str, order: i64, ids: &[i64], confirm: bool) -> (u16, Value) {
    app.post(
        &format!("/api/v1/orders/{order}/suggestions"),
        token,
        json!({ "candidate_ids": ids, "confirm_repeat": confirm }),
    )
}

/// (job_suggestions rows, outbox rows of the kind) in the database.
fn stored(app: &TestApp) -> (i64, i64) {
    app.state
        .db
        .read_blocking(|c| {
            use staer_hub::db::schema::{job_suggestions, outbox};
            let rows = job_suggestions::table.count().get_result(c)?;
            let mails = outbox::table
                .filter(outbox::kind.eq("job_suggestion"))
                .count()
                .get_result(c)?;
            Ok((rows, mails))
        })
        .unwrap()
}

/// Waits for exactly `n` mails to `to` (none more in the half second after).
fn mails_to(sink: &SmtpSink, to: &str, n: usize) -> Vec<common::Mail> {
    let mine = || sink.mails().into_iter().filter(|m| m.to == to).collect::<Vec<_>>();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while mine().len() < n {
        assert!(std::time::Instant::now() < deadline, "no {n} mails to {to}");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let m = mine();
    assert_eq!(m.len(), n);
    m
}

fn secret_order(app: &TestApp, token: &str) -> i64 {
    app.create_order(
        token,
        json!({"title": "Kok til kantine", "occupation_code": "512010", "workplace_postcode": "2605",
            "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
    )["id"]
        .as_i64()
        .unwrap()
}

#[test]
fn mail_carries_shared_fields_and_contact_and_repeats_need_confirmation_sqlite() {
    mail_round(common::Backend::Sqlite)
}

#[test]
fn mail_carries_shared_fields_and_contact_and_repeats_need_confirmation_postgres() {
    mail_round(common::Backend::Postgres)
}

fn mail_round(backend: common::Backend) {
    let sink = SmtpSink::start();
    let app = TestApp::with_mail(backend, &sink);
    let brb = app.login("brondby.konsulent");
    let order = secret_order(&app, &brb);
    let ane = candidate(&app, &brb, "Ane Jobsøger", Some("ane@borger.example"), true);

    let (s, b) = suggest(&app, &brb, order, &[ane], false);
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["sent"], 1);
    assert_eq!(b["results"][0]["candidate_id"], ane);
    assert_eq!(b["results"][0]["repeat"], false);
    let mails = mails_to(&sink, "ane@borger.example", 1);
    let m = &mails[0];
    assert_eq!(m.subject, "Jobforslag fra dit jobcenter: Kok til kantine");
    for part in [&m.text, &m.html] {
        for shared in [
            "Kok til kantine",
            "Kantinen A/S",
            "Madlavning til 200 personer",
            "01-12-2026",
            "01-03-2027",
        ] {
            assert!(part.contains(shared), "{shared} in {part}");
        }
        for contact in ["Konsulent Brøndby", "brondby.konsulent@jobcenter.example", "Brøndby"] {
            assert!(part.contains(contact), "{contact} in {part}");
        }
        for private in [SECRET_QUAL, SECRET_HOURS, "hr@kantinen.example"] {
            assert!(!part.contains(private), "{private} leaked: {part}");
        }
    }
    assert!(!m.raw.contains(SECRET_QUAL) && !m.raw.contains(SECRET_HOURS));
    assert_eq!(m.reply_to().as_deref(), Some("brondby.konsulent@jobcenter.example"));

    // The same order again: 409 naming her, and nothing sent.
    let (s, b) = suggest(&app, &brb, order, &[ane], false);
    assert_eq!(s, 409, "{b}");
    assert_eq!(b["needs_confirmation"][0]["candidate_id"], ane);
    assert_eq!(b["needs_confirmation"][0]["candidate_name"], "Ane Jobsøger");
    assert_eq!(stored(&app), (1, 1));
    // Confirmed: sent again, marked as a repeat.
    let (s, b) = suggest(&app, &brb, order, &[ane], true);
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["results"][0]["repeat"], true);
    mails_to(&sink, "ane@borger.example", 2);

    // Her history, newest first; the access export carries it.
    let (s, h) = app.get(&format!("/api/v1/candidates/{ane}/suggestions"), &brb);
    assert_eq!(s, 200, "{h}");
    let items = h["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items[0]["id"].as_i64() > items[1]["id"].as_i64());
    assert_eq!(items[0]["order_title"], "Kok til kantine");
    assert_eq!(items[0]["sent_by_name"], "Konsulent Brøndby");
    let (s, x) = app.get(&format!("/api/v1/candidates/{ane}/export"), &brb);
    assert_eq!(s, 200);
    assert_eq!(x["job_suggestions"].as_array().unwrap().len(), 2);
    assert!(x["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "job_suggested"));
    // Another centre sees none of it.
    let frb = app.login("frederiksberg.konsulent");
    assert_eq!(app.get(&format!("/api/v1/candidates/{ane}/suggestions"), &frb).0, 404);

    // Erasure deletes her suggestions.
    let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{ane}"), Some(&brb), None);
    assert_eq!(s, 200, "{b}");
    assert_eq!(stored(&app).0, 0);
    let (_, h) = app.get(&format!("/api/v1/candidates/{ane}/suggestions"), &brb);
    assert_eq!(h["items"], json!([]));
}

on_both! {
    refusals_send_nothing(app) {
        let brb = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = secret_order(app, &brb);
        let ok = candidate(app, &brb, "Bo Klar", Some("bo@borger.example"), true);
        let no_consent = candidate(app, &brb, "Carla Uden", Some("carla@borger.example"), false);
        let no_email = candidate(app, &brb, "Dan Mailløs", None, true);
        let theirs = candidate(app, &frb, "Eva Anden", Some("eva@borger.example"), true);

        // Another centre's candidate: 404, even beside a good one.
        assert_eq!(suggest(app, &brb, order, &[ok, theirs], false).0, 404);
        // No consent, no email: 422 naming each, and the good one is not sent either.
        let (s, b) = suggest(app, &brb, order, &[ok, no_consent], false);
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["detail"]["field"], "candidate_ids");
        assert!(b["error"].as_str().unwrap().contains("Carla Uden: no consent"), "{b}");
        let (s, b) = suggest(app, &brb, order, &[no_email, no_consent, ok], false);
        assert_eq!(s, 422, "{b}");
        let e = b["error"].as_str().unwrap();
        assert!(e.contains("Carla Uden: no consent") && e.contains("Dan Mailløs: no email"), "{b}");
        // A revoked consent is no consent.
        assert_eq!(app.call("DELETE", &format!("/api/v1/candidates/{ok}/consent"), Some(&brb), None).0, 200);
        assert_eq!(suggest(app, &brb, order, &[ok], false).0, 422);
        // An order my centre can't see: 404 (Frederiksberg's, not shared).
        let hidden = secret_order(app, &frb);
        let bo2 = candidate(app, &brb, "Bo To", Some("bo2@borger.example"), true);
        assert_eq!(suggest(app, &brb, hidden, &[bo2], false).0, 404);
        assert_eq!(suggest(app, &brb, 999_999, &[bo2], false).0, 404);
        // Bad input.
        assert_eq!(suggest(app, &brb, order, &[], false).0, 422);
        let (s, _) = app.raw("POST", &format!("/api/v1/orders/{order}/suggestions"), Some(&brb),
            Some("{\"candidate_ids\": \"x\"}".into()), "application/json");
        assert!(s == 400 || s == 422, "{s}");
        assert_eq!(stored(app), (0, 0));

        // A notified centre may send the shared order to its own candidates.
        let shared = app.shared_order(&brb, json!({"title": "Delt kok"}), &["HRS"]);
        let (s, b) = suggest(app, &frb, shared, &[theirs], false);
        assert_eq!(s, 200, "{b}");
        // ... but not a closed one: 409 without anyone to confirm.
        assert_eq!(app.post(&format!("/api/v1/orders/{shared}/close"), &brb, json!({})).0, 200);
        let (s, b) = suggest(app, &frb, shared, &[theirs], true);
        assert_eq!(s, 409, "{b}");
        assert!(b["needs_confirmation"].is_null(), "{b}");
        assert_eq!(stored(app), (1, 1));
    }

    pages_pick_confirm_and_list(app) {
        let brb = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&brb, json!({"title": "Kok til kantine", "occupation_code": "512010",
            "workplace_postcode": "2605"}), &["HRS"]);
        let fia = candidate(app, &frb, "Fia Forslag", Some("fia@borger.example"), true);
        let gus = candidate(app, &frb, "Gus Uden", Some("gus@borger.example"), false);
        let p = Pages::login(app, "frederiksberg.konsulent");

        // The order page links to the picker; it lists consenting candidates with an email.
        assert!(p.get(&format!("/orders/{order}")).contains(&format!("href=\"/orders/{order}/suggest\"")));
        let picker = p.get(&format!("/orders/{order}/suggest?q=Forslag"));
        assert!(picker.contains(&format!("name=\"c_{fia}\"")), "{picker}");
        assert!(!p.get(&format!("/orders/{order}/suggest?q=Gus")).contains(&format!("name=\"c_{gus}\"")));
        let csrf = attr(&picker[picker.find("name=\"_csrf\"").unwrap() - 1..], "value").unwrap();
        let form = |extra: &[(&str, &str)]| {
            let mut f = vec![("_csrf".to_string(), csrf.clone())];
            f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            f
        };
        let c_fia = format!("c_{fia}");
        let (s, to) = p.post(&format!("/orders/{order}/suggest"), &form(&[(&c_fia, "1")]));
        assert_eq!((s, to.as_str()), (303, format!("/orders/{order}").as_str()));
        // Again: the confirmation page, naming her, with a Send again form carrying her.
        let (s, page) = p.post(&format!("/orders/{order}/suggest"), &form(&[(&c_fia, "1")]));
        assert_eq!(s, 200, "{page}");
        assert!(page.contains("Allerede sendt") && page.contains("Fia Forslag") && page.contains("Send igen"));
        assert!(page.contains(&format!("name=\"{c_fia}\"")) && page.contains("name=\"confirm_repeat\""));
        let (s, _) = p.post(&format!("/orders/{order}/suggest"), &form(&[(&c_fia, "1"), ("confirm_repeat", "1")]));
        assert_eq!(s, 303);
        // A refusal comes back to the picker as a message; without the CSRF token, nothing.
        let (s, to) = p.post(&format!("/orders/{order}/suggest"), &form(&[(&format!("c_{gus}"), "1")]));
        assert_eq!((s, to.as_str()), (303, format!("/orders/{order}/suggest").as_str()));
        let (s, _) = p.post(&format!("/orders/{order}/suggest"), &[(c_fia.clone(), "1".into())]);
        assert_eq!(s, 403);

        // The match list: tick the order, send it to the candidate; her suggestions are listed.
        let other = app.shared_order(&brb, json!({"title": "Kok til skolen", "occupation_code": "512010",
            "workplace_postcode": "2605"}), &["HRS"]);
        let matches = p.get(&format!("/candidates/{fia}/matches"));
        assert!(matches.contains(&format!("name=\"o_{other}\"")), "{matches}");
        let (s, to) = p.post(&format!("/candidates/{fia}/suggest"), &form(&[(&format!("o_{other}"), "1")]));
        assert_eq!((s, to.as_str()), (303, format!("/candidates/{fia}/matches").as_str()));
        let matches = p.get(&format!("/candidates/{fia}/matches"));
        assert!(matches.contains("Jobforslag: Kok til skolen, af Konsulent Frederiksberg"), "{matches}");
        assert_eq!(matches.matches("Jobforslag: Kok til kantine").count(), 2);
        // The same order from the match list needs the confirmation too.
        let (s, page) = p.post(&format!("/candidates/{fia}/suggest"), &form(&[(&format!("o_{other}"), "1")]));
        assert_eq!(s, 200);
        assert!(page.contains(&format!("action=\"/candidates/{fia}/suggest\"")), "{page}");
        assert_eq!(stored(app), (3, 3));
        // The printable export lists them.
        assert!(p.get(&format!("/candidates/{fia}/export")).contains("Jobforslag: Kok til skolen"));
    }
}

/// A logged-in page session (cookie, no redirects followed).
struct Pages<'a> {
    app: &'a TestApp,
    agent: ureq::Agent,
    cookie: String,
}

impl<'a> Pages<'a> {
    fn login(app: &'a TestApp, username: &str) -> Self {
        let (agent, cookie) = app.page_session(username);
        Pages { app, agent, cookie }
    }

    fn get(&self, path: &str) -> String {
        match self.agent.get(&self.app.url(path)).set("Cookie", &self.cookie).call() {
            Ok(r) => r.into_string().unwrap(),
            Err(e) => panic!("{path}: {e}"),
        }
    }

    /// A form POST; (status, Location or body).
    fn post(&self, path: &str, form: &[(String, String)]) -> (u16, String) {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        match self
            .agent
            .post(&self.app.url(path))
            .set("Cookie", &self.cookie)
            .send_form(&pairs)
        {
            Ok(r) if r.status() == 303 => (303, r.header("location").unwrap_or_default().to_string()),
            Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{e}"),
        }
    }
}
