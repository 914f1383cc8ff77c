//! Saving the edit form unchanged changes nothing. For generated orders (every field, with
//! Danish letters, markup characters, newlines, and empty optionals), the test opens the edit
//! page as a browser would, reads every field the form sends, posts them back, and finds the
//! order identical through the API. On SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use common::form::form_fields;

/// A logged-in page session (cookie and no redirects followed).
struct Pages<'a> {
    app: &'a common::TestApp,
    agent: ureq::Agent,
    cookie: String,
}

impl<'a> Pages<'a> {
    fn login(app: &'a common::TestApp, username: &str) -> Self {
        let (agent, cookie) = app.page_session(username);
        Pages { app, agent, cookie }
    }

    fn get(&self, path: &str) -> String {
        let r = self
            .agent
            .get(&self.app.url(path))
            .set("Cookie", &self.cookie)
            .call()
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.into_string().unwrap()
    }

    fn post(&self, path: &str, form: &[(String, String)]) -> (u16, String) {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        match self
            .agent
            .post(&self.app.url(path))
            .set("Cookie", &self.cookie)
            .send_form(&pairs)
        {
            Ok(r) => (r.status(), r.header("location").unwrap_or_default().to_string()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{e}"),
        }
    }
}

/// One line as a person types it: letters (Danish too), digits, markup and quote characters.
fn line(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-zÆØÅæøå0-9 &<>\"'=`/.-]{{1,{max}}}"))
        .unwrap()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("not blank", |s| !s.is_empty())
}

/// A multi-line text; it may start or end with a newline, or be empty where allowed.
fn text(min: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zæøå &<>\"'\n]{{{min},60}}")).unwrap()
}

fn order() -> impl Strategy<Value = Value> {
    let dates = (0i64..400, proptest::option::of(0i64..200));
    let people = (proptest::option::of(0usize..2), proptest::option::of(0usize..2));
    (
        (
            line(60),
            line(40),
            // A code of the occupation list: an unknown one is refused.
            proptest::option::of(prop::sample::select(vec!["512010", "941210", "711510", "932910"])),
            line(40),
            proptest::option::of("[0-9]{8}"),
        ),
        (
            proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.dk"),
            dates,
            1i32..50,
            line(20),
        ),
        (people, proptest::option::of(line(40)), any::<bool>(), any::<bool>()),
        (
            text(1).prop_filter("not blank", |s| !s.trim().is_empty()),
            text(0),
            text(0),
        ),
        proptest::option::of(prop::sample::select(vec![
            "2605", "1050", "8000", "5000", "9000", "6700",
        ])),
    )
        .prop_map(
            |(
                (title, occupation, code, company, cvr),
                (email, (start, end), vacancies, kind),
                (people, external, allowed, licence),
                (task, qual, hours),
                postcode,
            )| {
                let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(start);
                json!({
                    "title": title, "occupation": occupation, "occupation_code": code, "company_name": company,
                    "cvr": cvr, "employer_email": email, "start_date": start,
                    "end_date": end.map(|e| start + chrono::Duration::days(e)), "vacancies": vacancies, "type": kind,
                    "responsible_consultant_id": people.0, "coordinator_id": people.1,
                    "coordinator_external": external, "coordinator_allowed": allowed,
                    "task_description": task, "qualifications_and_pay": qual, "working_hours": hours,
                    "workplace_postcode": postcode, "requires_driving_licence": licence,
                })
            },
        )
}

on_both! {
    saving_the_edit_form_unchanged_changes_nothing(app) {
        let token = app.login("brondby.konsulent");
        let colleagues = [app.user_id(&token), app.user_id(&app.login("brondby.konsulent2"))];
        let pages = Pages::login(app, "brondby.konsulent");
        let mut runner = TestRunner::new(Config { cases: 24, failure_persistence: None, ..Config::default() });
        let n = std::cell::Cell::new(0);
        runner
            .run(&order(), |mut body| {
                n.set(n.get() + 1);
                // A request id is unique per centre; the people are chosen among colleagues.
                body["request_id"] = json!(format!("RT-{}", n.get()));
                for k in ["responsible_consultant_id", "coordinator_id"] {
                    if let Some(i) = body[k].as_u64() {
                        body[k] = json!(colleagues[i as usize]);
                    }
                }
                let (s, created) = app.post("/api/v1/orders", &token, body.clone());
                prop_assert_eq!(s, 201, "{}", created);
                let id = created["id"].as_i64().unwrap();
                let before = app.get(&format!("/api/v1/orders/{id}"), &token).1;

                let html = pages.get(&format!("/orders/{id}/edit"));
                let fields: HashMap<String, String> = form_fields(&html, &format!("/orders/{id}/edit")).into_iter().collect();
                // Every writable field of the order is on the form (the CSRF token besides).
                let mut names: Vec<&str> = fields.keys().map(String::as_str).filter(|k| *k != "_csrf").collect();
                names.sort();
                let form: Vec<(String, String)> = fields.clone().into_iter().collect();
                let (status, location) = pages.post(&format!("/orders/{id}/edit"), &form);
                prop_assert_eq!(status, 303, "{}", location);

                let after = app.get(&format!("/api/v1/orders/{id}"), &token).1;
                let strip = |v: &Value| {
                    let mut v = v.clone();
                    v.as_object_mut().unwrap().remove("updated_at");
                    v
                };
                prop_assert_eq!(strip(&before), strip(&after), "form sent: {:?}", names);
                Ok(())
            })
            .unwrap();
    }
}
