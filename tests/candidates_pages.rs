//! The candidates list (search, pages, totals), editing a candidate (round trip, audit, other
//! centres get 404), the order page's referral picker (no one already referred), refusing an
//! unknown occupation code and an unconfirmed start date long past, and match reasons in the
//! page's language. Through HTTP, on SQLite and PostgreSQL. The picker's total, which starts
//! from a count that triggers keep, against the candidates themselves after every kind of write.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use common::form::{attr, form_fields, unescape};
use diesel::prelude::*;
use staer_hub::db::schema::{candidates, referrals};

/// The total in the picker's pager ("1 - 20 af 21"), or None when it has no pager.
fn picker_total(html: &str) -> Option<i64> {
    let refer = &html[html.find("id=\"refer\"")?..];
    let range = &refer[refer.find("<span class=\"range\">")? + 20..];
    let text = &range[..range.find("</span>")?];
    Some(text.rsplit(' ').next()?.replace('.', "").parse().unwrap())
}

/// The oracle: the centre's live candidates with consent and no live referral to the order,
/// counted from the rows themselves.
fn referable_now(app: &common::TestApp, centre: i64, order: i64) -> i64 {
    app.state
        .db
        .read_blocking(move |c| {
            let referred: Vec<i64> = referrals::table
                .filter(referrals::order_id.eq(order))
                .filter(referrals::state.eq_any(["pending_approval", "available_to_company"]))
                .select(referrals::candidate_id)
                .load(c)?;
            Ok(candidates::table
                .filter(candidates::job_centre_id.eq(centre))
                .filter(candidates::consent_given_at.is_not_null())
                .filter(candidates::consent_revoked_at.is_null())
                .filter(candidates::erased_at.is_null())
                .filter(candidates::id.ne_all(referred))
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

/// The options of the picker's select (`candidate_id`): their values.
fn picker_ids(html: &str) -> Vec<i64> {
    let Some(start) = html.find("name=\"candidate_id\"") else {
        return Vec::new();
    };
    let select = &html[start..start + html[start..].find("</select>").unwrap()];
    select
        .split("<option value=\"")
        .skip(1)
        .map(|o| o[..o.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// A logged-in page session (cookie, no redirects followed).
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

    /// (status, body) of a GET.
    fn open(&self, path: &str) -> (u16, String) {
        match self.agent.get(&self.app.url(path)).set("Cookie", &self.cookie).call() {
            Ok(r) => (r.status(), r.into_string().unwrap()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{e}"),
        }
    }

    fn get(&self, path: &str) -> String {
        let (s, body) = self.open(path);
        assert_eq!(s, 200, "{path}");
        body
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
            Ok(r) => (r.status(), r.header("location").unwrap_or_default().to_string()),
            Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
            Err(e) => panic!("{e}"),
        }
    }

    /// The CSRF token of any page of the session.
    fn csrf(&self) -> String {
        let body = self.get("/candidates");
        attr(&body[body.find("name=\"_csrf\"").unwrap() - 1..], "value").unwrap()
    }
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A candidate as the API reads it, with the wishes it reports.
fn read(app: &common::TestApp, token: &str, id: i64) -> Value {
    let (s, v) = app.get(&format!("/api/v1/candidates/{id}"), token);
    assert_eq!(s, 200, "{v}");
    v
}

/// A line as a person types it: letters (Danish too), digits, markup, quotes and commas.
fn line(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[A-Za-zÆØÅæøå0-9 &<>\"',=/.-]{{1,{max}}}"))
        .unwrap()
        .prop_map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .prop_filter("not blank", |s| !s.is_empty())
}

fn candidate() -> impl Strategy<Value = Value> {
    (
        line(40),
        proptest::option::of("[a-z]{1,8}@[a-z]{1,8}\\.dk"),
        proptest::option::of("\\+45 [0-9]{8}"),
        proptest::option::of(prop::sample::select(vec!["2605", "1050", "8000", "5000"])),
        proptest::sample::subsequence(vec!["kok", "opvasker", "Lagerarbejder", "tømrer"], 0..3),
        (any::<bool>(), any::<bool>()),
        (
            proptest::collection::vec(line(30), 0..3),
            proptest::collection::vec(line(20), 0..3),
        ),
    )
        .prop_map(
            |(name, email, phone, postcode, wishes, (licence, car), (certs, langs))| {
                json!({
                    "name": name, "email": email, "phone": phone, "postcode": postcode,
                    "occupations": wishes, "driving_licence": licence, "own_car": car,
                    "certificates": certs, "languages": langs, "allow_duplicate": true,
                })
            },
        )
}

on_both! {
    search_pages_and_totals(app) {
        let brondby = app.login("brondby.konsulent");
        for n in 1..=7 {
            let (s, c) = app.post("/api/v1/candidates", &brondby, json!({
                "name": format!("Qwerty Borger {n}"), "email": format!("q{n}@zulu-mail.example"), "allow_duplicate": true,
            }));
            assert_eq!(s, 201, "{c}");
        }
        // Found by name, a page at a time, with the total.
        let (s, p) = app.get("/api/v1/candidates?q=qwerty&per_page=3&page=3", &brondby);
        assert_eq!(s, 200, "{p}");
        assert_eq!((p["total"].as_i64(), p["page"].as_i64(), p["per_page"].as_i64()), (Some(7), Some(3), Some(3)));
        assert_eq!(p["items"].as_array().unwrap().len(), 1);
        assert_eq!(p["items"][0]["name"], "Qwerty Borger 7");
        // By email, and by an occupation wish the needle names.
        assert_eq!(app.get("/api/v1/candidates?q=zulu-mail", &brondby).1["total"], 7);
        let (_, cook) = app.post("/api/v1/candidates", &brondby, json!({"name": "Ulla Uhrskov", "occupations": ["fiskekok"]}));
        let (s, cooks) = app.get("/api/v1/candidates?q=kok&per_page=200", &brondby);
        assert_eq!(s, 200, "{cooks}");
        assert!(cooks["items"].as_array().unwrap().iter().any(|c| c["id"] == cook["id"]), "{cooks}");
        // Another centre finds none of them.
        let frb = app.login("frederiksberg.konsulent");
        assert_eq!(app.get("/api/v1/candidates?q=qwerty", &frb).1["total"], 0);
        // A bad page number is refused on its field.
        let (s, e) = app.get("/api/v1/candidates?page=x", &brondby);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("page")));

        // The page: a labelled search box, the range and the shared pager.
        let pages = Pages::login(app, "brondby.konsulent");
        let html = pages.get("/candidates?q=Qwerty&per_page=3");
        assert!(html.contains("<label for=\"q\">Søg på navn, e-mail eller jobønske</label>"));
        assert!(html.contains("1 - 3 af 7"), "the range");
        assert!(unescape(&html).contains("href=\"/candidates?q=Qwerty&page=3&per_page=3\""), "a link to the last page");
        assert!(html.contains("Qwerty Borger 1") && !html.contains("Qwerty Borger 4"));
        let last = pages.get("/candidates?q=Qwerty&per_page=3&page=3");
        assert!(last.contains("7 - 7 af 7") && last.contains("Qwerty Borger 7"));
    }

    consent_says_what_was_shared(app) {
        let brondby = app.login("brondby.konsulent");
        let id = app.candidate(&brondby, "Xenia Samtykke", true);
        let pages = Pages::login(app, "brondby.konsulent");
        let html = pages.get("/candidates?q=Xenia");
        let row = &html[html.find(&format!("id=\"candidate-{id}\"")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        // The harness consents to email only.
        assert!(row.contains("Samtykke givet") && row.contains("deler e-mail<"), "{row}");
        let en = pages.get("/candidates?q=Xenia&lang=en");
        assert!(en.contains("Consent given") && en.contains("shares email<"));
    }

    editing_unchanged_changes_nothing(app) {
        let token = app.login("brondby.konsulent");
        let pages = Pages::login(app, "brondby.konsulent");
        let mut runner = TestRunner::new(Config { cases: 16, failure_persistence: None, ..Config::default() });
        runner
            .run(&candidate(), |body| {
                let (s, c) = app.post("/api/v1/candidates", &token, body.clone());
                prop_assert_eq!(s, 201, "{}", c);
                let id = c["id"].as_i64().unwrap();
                let before = read(app, &token, id);
                let path = format!("/candidates/{id}/edit");
                let fields = form_fields(&pages.get(&path), &path);
                let (s, to) = pages.post(&path, &fields);
                prop_assert_eq!(s, 303, "{}", to);
                prop_assert_eq!(&read(app, &token, id), &before, "form {:?}", fields);
                Ok(())
            })
            .unwrap();

        // Given as coordinates without a postcode: the place stays too.
        let (_, c) = app.post("/api/v1/candidates", &token, json!({"name": "Bo Koordinat", "latitude": 55.6, "longitude": 12.4}));
        let id = c["id"].as_i64().unwrap();
        let before = read(app, &token, id);
        let path = format!("/candidates/{id}/edit");
        assert_eq!(pages.post(&path, &form_fields(&pages.get(&path), &path)).0, 303);
        assert_eq!(read(app, &token, id), before);
        let audit = |id: i64| {
            let e = app.get(&format!("/api/v1/candidates/{id}/export"), &token).1;
            e["history"].as_array().unwrap().iter().filter(|h| h["action"] == "updated").cloned().collect::<Vec<_>>()
        };
        assert!(audit(id).is_empty(), "no change, no audit entry");

        // A change is saved, audited with the changed fields only.
        let mut fields = form_fields(&pages.get(&path), &path);
        for (k, v) in fields.iter_mut() {
            if k == "phone" { *v = "+45 22 33 44 55".into(); }
            if k == "languages" { *v = "dansk\r\nengelsk".into(); }
        }
        assert_eq!(pages.post(&path, &fields).0, 303);
        let after = read(app, &token, id);
        assert_eq!((after["phone"].as_str(), after["languages"].clone()), (Some("+45 22 33 44 55"), json!(["dansk", "engelsk"])));
        assert_eq!((after["lat"].clone(), after["name"].clone()), (before["lat"].clone(), before["name"].clone()));
        let entries = audit(id);
        assert_eq!(entries.len(), 1);
        let detail = entries[0]["detail"].as_object().unwrap();
        let mut changed: Vec<&String> = detail.keys().collect();
        changed.sort();
        assert_eq!(changed, ["languages", "phone"]);
        assert_eq!(detail["phone"]["to"], "+45 22 33 44 55");

        // The API: a patch, null clears; a bad value is refused on its field and loses nothing.
        let (s, v) = app.patch(&format!("/api/v1/candidates/{id}"), &token, json!({"phone": null, "occupations": ["kok"]}));
        assert_eq!(s, 200, "{v}");
        assert_eq!((v["phone"].clone(), v["occupation_wishes"][0]["code"].clone()), (Value::Null, json!("512010")));
        let (s, e) = app.patch(&format!("/api/v1/candidates/{id}"), &token, json!({"email": "ikke-en-adresse"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("email")));
        let (s, e) = app.patch(&format!("/api/v1/candidates/{id}"), &token, json!({"navn": "x"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("navn")));
        // The page: refused beside the field, as typed.
        let mut fields = form_fields(&pages.get(&path), &path);
        for (k, v) in fields.iter_mut() {
            if k == "postcode" { *v = "0000".into(); }
            if k == "name" { *v = "Bo Nyt Navn".into(); }
        }
        let (s, html) = pages.post(&path, &fields);
        assert_eq!(s, 422);
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"err-postcode\"") && html.contains("value=\"Bo Nyt Navn\""));
        assert_eq!(read(app, &token, id)["name"], "Bo Koordinat");
    }

    another_centre_cannot_edit(app) {
        let brondby = app.login("brondby.konsulent");
        let id = app.candidate(&brondby, "Ida Isoleret", true);
        let before = read(app, &brondby, id);
        let frb_api = app.login("frederiksberg.konsulent");
        let frb = Pages::login(app, "frederiksberg.konsulent");
        let path = format!("/candidates/{id}/edit");
        assert_eq!(frb.open(&path).0, 404);
        let token = frb.csrf();
        let (s, _) = frb.post(&path, &pairs(&[("_csrf", &token), ("name", "Overtaget")]));
        assert_eq!(s, 404);
        let (s, _) = app.patch(&format!("/api/v1/candidates/{id}"), &frb_api, json!({"name": "Overtaget"}));
        assert_eq!(s, 404);
        assert_eq!(read(app, &brondby, id), before);
    }

    picker_leaves_out_the_referred(app) {
        let brondby = app.login("brondby.konsulent");
        let order = app.shared_order(&brondby, json!({"title": "Picker-ordre"}), &["HRS"]);
        let frb = app.login("frederiksberg.konsulent");
        let a = app.candidate(&frb, "Pia Picker", true);
        let b = app.candidate(&frb, "Per Picker", true);
        let none = app.candidate(&frb, "Palle Picker", false);
        let pages = Pages::login(app, "frederiksberg.konsulent");
        let path = format!("/orders/{order}?cq=picker");
        let ids = picker_ids(&pages.get(&path));
        assert!(ids.contains(&a) && ids.contains(&b) && !ids.contains(&none), "{ids:?}");
        assert_eq!(app.refer(&frb, order, a).0, 201);
        let html = pages.get(&path);
        assert!(html.contains("<label for=\"cq\">Søg blandt borgere med samtykke</label>"));
        let ids = picker_ids(&html);
        assert!(!ids.contains(&a) && ids.contains(&b), "the referred candidate is left out: {ids:?}");
        // Search narrows it to one.
        assert_eq!(picker_ids(&pages.get(&format!("/orders/{order}?cq=per+picker"))), [b]);
        // Once withdrawn, the candidate can be referred again.
        let referral = app.get(&format!("/api/v1/orders/{order}/referrals"), &frb).1;
        let rid = referral["items"].as_array().map_or(referral[0]["id"].clone(), |i| i[0]["id"].clone());
        let (s, w) = app.post(&format!("/api/v1/referrals/{rid}/withdraw"), &frb, json!({}));
        assert_eq!(s, 200, "{w}");
        assert!(picker_ids(&pages.get(&path)).contains(&a));
    }

    unknown_code_and_old_start_are_refused(app) {
        let brondby = app.login("brondby.konsulent");
        let base = json!({
            "title": "Kok", "occupation": "Kok", "company_name": "Kantinen A/S", "start_date": "2027-01-04",
            "vacancies": 1, "task_description": "Madlavning",
        });
        let with = |extra: Value| {
            let mut b = base.clone();
            for (k, v) in extra.as_object().unwrap() { b[k] = v.clone(); }
            b
        };
        let (s, e) = app.post("/api/v1/orders", &brondby, with(json!({"occupation_code": "123456"})));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("occupation_code")), "{e}");
        let (s, o) = app.post("/api/v1/orders", &brondby, with(json!({"occupation_code": "512010"})));
        assert_eq!(s, 201, "{o}");
        let id = o["id"].as_i64().unwrap();
        let (s, e) = app.patch(&format!("/api/v1/orders/{id}"), &brondby, json!({"occupation_code": "000001"}));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("occupation_code")));
        // A start date more than a year back: refused unless confirmed.
        let (s, e) = app.post("/api/v1/orders", &brondby, with(json!({"start_date": "2019-05-01", "request_id": "OLD-1"})));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("start_date")), "{e}");
        let (s, o) = app.post("/api/v1/orders", &brondby, with(json!({"start_date": "2019-05-01", "request_id": "OLD-1", "confirm_past_start": true})));
        assert_eq!(s, 201, "{o}");
        // Kept as it is on a later change of another field.
        let old = o["id"].as_i64().unwrap();
        assert_eq!(app.patch(&format!("/api/v1/orders/{old}"), &brondby, json!({"vacancies": 3})).0, 200);

        // The pages: the refusal beside the field, in Danish and in English.
        let pages = Pages::login(app, "brondby.konsulent");
        let new = pages.get("/orders/new");
        let mut form = form_fields(&new, "/orders/new");
        let set = |form: &mut Vec<(String, String)>, k: &str, v: &str| {
            form.retain(|(n, _)| n != k);
            form.push((k.to_string(), v.to_string()));
        };
        for (k, v) in [("title", "Kok"), ("occupation", "Kok"), ("company_name", "Kantinen A/S"),
                       ("start_date", "2027-01-04"), ("task_description", "Madlavning"), ("occupation_code", "123456")] {
            set(&mut form, k, v);
        }
        let (s, html) = pages.post("/orders/new", &form);
        assert_eq!(s, 422);
        assert!(html.contains("aria-describedby=\"err-occupation_code\"") && html.contains("er ikke en stillingskode fra stillingslisten"), "{html}");
        let (s, html) = pages.post("/orders/new?lang=en", &form);
        assert_eq!(s, 422);
        assert!(html.contains("is not a code of the occupation list"));
        // The past start date asks for a confirmation, which then saves.
        set(&mut form, "occupation_code", "");
        set(&mut form, "start_date", "2018-03-01");
        let (s, html) = pages.post("/orders/new", &form);
        assert_eq!(s, 422);
        assert!(html.contains("name=\"confirm_past_start\"") && html.contains("ligger mere end et år tilbage"));
        set(&mut form, "confirm_past_start", "1");
        let (s, to) = pages.post("/orders/new", &form);
        assert_eq!(s, 303, "{to}");
        assert!(to.starts_with("/orders/"));
    }

    match_reasons_in_the_page_language(app) {
        let brondby = app.login("brondby.konsulent");
        let order = app.shared_order(&brondby, json!({"title": "Kok søges", "occupation": "Kok", "workplace_postcode": "2605"}), &["HRS"]);
        let frb = app.login("frederiksberg.konsulent");
        let (s, c) = app.post("/api/v1/candidates", &frb, json!({"name": "Mads Match", "postcode": "2000", "occupations": ["kok"], "allow_duplicate": true}));
        assert_eq!(s, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/candidates/{id}/consent"), &frb, json!({})).0, 200);
        // The API: the Danish sentence as before, and the reason as data.
        let m = app.get(&format!("/api/v1/orders/{order}/matches"), &frb).1;
        let mine = m["items"].as_array().unwrap().iter().find(|i| i["candidate"]["id"] == id).unwrap().clone();
        assert!(mine["reason"].as_str().unwrap().starts_with("Samme stilling: Kok, "), "{mine}");
        assert_eq!((mine["why"]["kind"].as_str(), mine["why"]["occupation_code"].as_str()), (Some("same_occupation"), Some("512010")));
        let pages = Pages::login(app, "frederiksberg.konsulent");
        let en = pages.get(&format!("/orders/{order}?lang=en"));
        assert!(en.contains("Same occupation: Kok, ") && !en.contains("Samme stilling"), "English reasons");
        let jobs = pages.get(&format!("/candidates/{id}/matches?lang=en"));
        assert!(jobs.contains("Same occupation: Kok, "));
        let da = pages.get(&format!("/orders/{order}?lang=da"));
        assert!(da.contains("Samme stilling: Kok, "));
    }

    picker_total_follows_every_write(app) {
        let brondby = app.login("brondby.konsulent");
        let order = app.shared_order(&brondby, json!({"title": "Tælle-ordre"}), &["HRS"]);
        let frb = app.login("frederiksberg.konsulent");
        let pages = Pages::login(app, "frederiksberg.konsulent");
        let ids: Vec<i64> = (1..=21).map(|n| app.candidate(&frb, &format!("Tæller {n}"), true)).collect();
        let without = app.candidate(&frb, "Tæller uden samtykke", false);
        let centre = app.state.db.read_blocking(move |c| {
            Ok(candidates::table.find(without).select(candidates::job_centre_id).first::<i64>(c)?)
        }).unwrap();
        let path = format!("/orders/{order}");
        let check = |step: &str| {
            let want = referable_now(app, centre, order);
            assert!(want > 20, "{step}: too few for a pager ({want})");
            assert_eq!(picker_total(&pages.get(&path)), Some(want), "{step}");
            assert_eq!(picker_total(&pages.get(&format!("{path}?cp=2"))), Some(want), "{step}, page 2");
        };
        check("made with consent");
        let before = referable_now(app, centre, order);
        let consent = |id: i64| {
            let (s, b) = app.post(&format!("/api/v1/candidates/{id}/consent"), &frb, json!({}));
            assert_eq!(s, 200, "{b}");
        };
        let revoke = |id: i64| {
            let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{id}/consent"), Some(&frb), None);
            assert!(s < 300, "{s} {b}");
        };
        consent(without);
        check("consent given later");
        consent(without);
        check("consent given again");
        revoke(ids[0]);
        check("consent revoked");
        consent(ids[0]);
        check("consent given after a revocation");
        // Referred: left out; revoking the consent withdraws the referral; then consent again.
        assert_eq!(app.refer(&frb, order, ids[1]).0, 201);
        check("referred");
        revoke(ids[1]);
        check("referred, then consent revoked");
        consent(ids[1]);
        assert_eq!(app.refer(&frb, order, ids[1]).0, 201);
        check("referred again");
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{}", ids[2]), Some(&frb), None);
        assert!(s < 300, "{s} {b}");
        check("erased");
        // Import: one new with consent, one new without; then the file gives the second consent.
        let csv = |rows: &str| {
            let body = format!("external_id,name,consent_given_at\r\n{rows}");
            let (s, r) = app.raw("POST", "/api/v1/import/candidates", Some(&frb), Some(body), "text/csv");
            assert_eq!(s, 200, "{r}");
        };
        csv("T-1,Tæller import,2026-11-01\r\nT-2,Tæller import to,\r\n");
        check("imported");
        csv("T-1,Tæller import,2026-11-01\r\nT-2,Tæller import to,2026-11-02\r\n");
        check("imported again with consent");
        // Net: +1 (later consent), +1 and +1 (import), -1 (referred), -1 (erased).
        assert_eq!(referable_now(app, centre, order), before + 1);
    }
}
