//! Mails of issue 15 through a real SMTP server on loopback, parsed as MIME: the employer's
//! mail answers the coordinator (Reply-To), the referring consultant hears that their
//! candidate was sent, the coordinator hears of a withdrawal by revoked consent, each user's
//! mail in their language; a digest's one-click unsubscribe (RFC 8058) and its public order
//! links, which open without login and show no private text. Then the public link's refusals.

mod common;

use std::time::Duration;

use common::{Mail, SmtpSink, TestApp};
use serde_json::json;
use staer_hub::ids::JobOrderId;

const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";

/// Waits for exactly `n` mails: none more arrive in the half second after.
fn settle(sink: &SmtpSink, n: usize) -> Vec<Mail> {
    sink.wait_for(n, 30);
    std::thread::sleep(Duration::from_millis(500));
    let mails = sink.mails();
    assert_eq!(
        mails.len(),
        n,
        "{:?}",
        mails.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
    );
    mails
}

fn one<'a>(mails: &'a [Mail], to: &str, subject_start: &str) -> &'a Mail {
    let found: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.to == to && m.subject.starts_with(subject_start))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one mail to {to} starting {subject_start:?}: {:?}",
        mails.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
    );
    found[0]
}

fn assert_no_secrets(mails: &[Mail]) {
    for m in mails {
        for secret in [SECRET_QUAL, SECRET_HOURS] {
            assert!(!m.raw.contains(secret) && !m.text.contains(secret) && !m.html.contains(secret));
        }
    }
}

/// The path of the first link in `text` that contains `marker` (the mails link to the
/// configured public URL, not to the test server's port).
fn path_of(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker} in {text}"));
    text[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('>')
        .to_string()
}

/// A GET without login: status, the headers asked for, the body.
fn public_get(app: &TestApp, path: &str) -> (u16, Vec<Option<String>>, String) {
    let names = ["content-security-policy", "x-content-type-options", "cache-control"];
    let res = match ureq::get(&app.url(path)).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let headers = names.iter().map(|n| res.header(n).map(str::to_string)).collect();
    (res.status(), headers, res.into_string().unwrap())
}

const COORD: &str = "brondby.konsulent@jobcenter.example";
const FRB: &str = "frederiksberg.konsulent@jobcenter.example";

on_both! {
    employer_answers_the_coordinator_and_consultants_are_told(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        // Frederiksberg's consultant reads English; the coordinator Danish, the employer Danish.
        assert_eq!(app.patch("/api/v1/auth/me", &frb, json!({"language": "en"})).0, 200);
        let order = app.shared_order(
            &coord,
            json!({"title": "Kok til kantine", "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
            &["HRS"],
        );
        sink.wait_for(10, 20); // HRS: five other centres, two consultants each

        // Referred, approved and sent by the coordinator.
        let cand = app.candidate(&frb, "Anna Ørsted", true);
        let rid = app.refer(&frb, order, cand).1["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/approve"), &coord, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/send"), &coord, json!({})).0, 200);
        let mails = settle(&sink, 14);
        let employer = one(&mails, "hr@kantinen.example", "Kandidat til Kok til kantine");
        assert_eq!(employer.reply_to().as_deref(), Some(COORD), "{}", employer.raw);
        assert!(employer.header("From").unwrap().contains("noreply@"));
        assert!(employer.header("List-Unsubscribe").is_none());
        one(&mails, COORD, "Formidling afventer godkendelse");
        // The English consultant's mails are English.
        one(&mails, FRB, "Referral approved: Anna Ørsted");
        let sent = one(&mails, FRB, "Sent to the company: Anna Ørsted for Kok til kantine");
        assert!(sent.text.starts_with("Hello ") && sent.text.contains("Kantinen A/S"), "{}", sent.text);
        assert!(sent.text.contains(&format!("/orders/{order}#referral-{rid}")));
        assert!(sent.reply_to().is_none());

        // The referrer sending it themselves is told nothing new: only the employer's mail.
        let c2 = app.candidate(&frb, "Bo Hansen", true);
        let r2 = app.refer(&frb, order, c2).1["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/referrals/{r2}/approve"), &coord, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/referrals/{r2}/send"), &frb, json!({})).0, 200);
        let mails = settle(&sink, 17);
        assert_eq!(mails.iter().filter(|m| m.subject.starts_with("Sent to the company")).count(), 1);

        // Revoking consent withdraws a pending referral; the coordinator hears of it in
        // Danish, without the candidate's name.
        let c3 = app.candidate(&frb, "Cecilie Holm", true);
        assert_eq!(app.refer(&frb, order, c3).0, 201);
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{c3}/consent"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        let mails = settle(&sink, 19);
        let w = one(&mails, COORD, "Formidling trukket tilbage: Kok til kantine");
        assert!(w.text.contains("tilbagekaldt sit samtykke") && w.text.contains("Frederiksberg"), "{}", w.text);
        assert!(!w.raw.contains("Cecilie") && !w.text.contains("Cecilie"), "{}", w.text);

        // In English for an English coordinator.
        assert_eq!(app.patch("/api/v1/auth/me", &coord, json!({"language": "en"})).0, 200);
        let c4 = app.candidate(&frb, "Dan Dam", true);
        assert_eq!(app.refer(&frb, order, c4).0, 201);
        assert_eq!(app.call("DELETE", &format!("/api/v1/candidates/{c4}/consent"), Some(&frb), None).0, 200);
        let mails = settle(&sink, 21);
        one(&mails, COORD, "Referral withdrawn: Kok til kantine");
        one(&mails, COORD, "Referral awaiting approval");
        assert_no_secrets(&mails);
    }

    digest_links_publicly_and_unsubscribes_in_one_click(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "Carl Borger", true);
        let (s, a) = app.post("/api/v1/job-agents", &frb, json!({"occupation": "kok", "candidate_id": cand}));
        assert_eq!(s, 201, "{a}");
        assert_eq!(app.post("/api/v1/job-agents", &frb, json!({"occupation": "kok"})).0, 201);
        // The consultant turns English after creating their agent: the digest follows.
        assert_eq!(app.patch("/api/v1/auth/me", &frb, json!({"language": "en"})).0, 200);
        let order = app.shared_order(
            &owner,
            json!({"title": "Kantinekok søges", "occupation": "kantinekok",
                   "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
            &["HRS"],
        );
        sink.wait_for(10, 20);
        let tomorrow = chrono::Utc::now().naive_utc() + chrono::Duration::hours(25);
        let (db, mail) = (&app.state.db, &app.state.mail);
        assert_eq!(staer_hub::domain::job_agents::run_due(db, mail, tomorrow).unwrap(), 2);
        let mails = settle(&sink, 12);
        assert_no_secrets(&mails);
        let citizen = one(&mails, "kandidat@borger.example", "Jobagent: 1 nye jobordrer");
        let consultant = one(&mails, FRB, "Job agent: 1 new job orders");
        for m in [citizen, consultant] {
            let lu = m.header("List-Unsubscribe").expect("List-Unsubscribe");
            assert!(lu.starts_with("<http://") && lu.contains("/job-agents/unsubscribe/") && lu.ends_with('>'), "{lu}");
            assert_eq!(m.header("List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
        }
        // The consultant's link is the order's page; the citizen's the public view.
        assert!(consultant.text.contains(&format!("/orders/{order}")), "{}", consultant.text);
        assert!(!citizen.text.contains("/orders/") && !citizen.html.contains("/orders/"), "{}", citizen.text);
        let public = path_of(&citizen.text, "/o/");
        assert!(citizen.html.contains(&public));

        // Opens without login, with the pages' headers, and shows only the shared fields.
        let (s, h, page) = public_get(&app, &public);
        assert_eq!(s, 200, "{page}");
        let (_, login_h, _) = public_get(&app, "/login");
        assert!(h[0].is_some() && h[0] == login_h[0], "the pages' CSP: {h:?}");
        assert_eq!(h[1].as_deref(), Some("nosniff"));
        assert_eq!(h[2].as_deref(), Some("no-store"));
        assert!(page.contains("Kantinekok søges") && page.contains("Madlavning til 200 personer") && page.contains("Kantinen A/S"));
        assert!(page.contains("lang=\"da\"") && page.contains("Område (jobcenter)"));
        for private in [SECRET_QUAL, SECRET_HOURS, "hr@kantinen.example", "HEMMELIG", "brondby.konsulent", "Log ud"] {
            assert!(!page.contains(private), "{private} on the public page");
        }
        let (s, _, en) = public_get(&app, &format!("{public}?lang=en"));
        assert_eq!(s, 200);
        assert!(en.contains("lang=\"en\"") && en.contains("Area (job centre)") && en.contains("Kantinekok søges"));

        // The one-click POST of RFC 8058 unsubscribes without login or CSRF token.
        let lu = citizen.header("List-Unsubscribe").unwrap();
        let unsubscribe = path_of(&lu, "/job-agents/unsubscribe/");
        let (s, page) = app.raw("GET", &unsubscribe, None, None, "");
        assert_eq!(s, 200);
        assert!(page.contains("Vil du afmelde"), "opening the link only asks: {page}");
        assert_eq!(app.get("/api/v1/job-agents", &frb).1["items"].as_array().unwrap().len(), 2);
        let (s, page) = app.raw("POST", &unsubscribe, None, Some("List-Unsubscribe=One-Click".into()), "application/x-www-form-urlencoded");
        assert_eq!(s, 200, "{page}");
        let left = app.get("/api/v1/job-agents", &frb).1["items"].as_array().unwrap().clone();
        assert_eq!(left.len(), 1);
        assert!(left[0]["candidate_id"].is_null(), "the consultant's own agent stays");
        assert_eq!(app.raw("POST", &unsubscribe, None, None, "").0, 200, "a second click says the same");

        // A closed order's link is gone and shows nothing of it.
        assert_eq!(app.post(&format!("/api/v1/orders/{order}/close"), &owner, json!({})).0, 200);
        let (s, h, page) = public_get(&app, &public);
        assert_eq!(s, 410);
        assert!(h[0] == login_h[0]);
        assert!(!page.contains("Kantinekok") && !page.contains("Madlavning") && page.contains("lukket"), "{page}");
    }

    public_links_refuse_forged_expired_and_foreign(app) {
        let owner = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "Carl Borger", true);
        let agent = app.post("/api/v1/job-agents", &frb, json!({"occupation": "kok", "candidate_id": cand})).1["id"].as_i64().unwrap();
        let own = app.post("/api/v1/job-agents", &frb, json!({"occupation": "kok"})).1["id"].as_i64().unwrap();
        let hil = app.login("hillerod.konsulent");
        let hcand = app.candidate(&hil, "Hanne Nord", true);
        let foreign = app.post("/api/v1/job-agents", &hil, json!({"occupation": "kok", "candidate_id": hcand})).1["id"].as_i64().unwrap();
        let order = app.shared_order(&owner, json!({"title": "Kantinekok søges", "qualifications_and_pay": SECRET_QUAL}), &["HRS"]);
        let mail = &app.state.mail;
        let now = chrono::Utc::now().naive_utc();
        let path = |agent: i64, at: chrono::NaiveDateTime| {
            let link = mail.public_order_link(JobOrderId(order), agent, at);
            link[link.find("/o/").unwrap()..].to_string()
        };
        let good = path(agent, now);
        assert_eq!(public_get(app, &good).0, 200);
        let refused = |p: &str, status: u16| {
            let (s, h, page) = public_get(app, p);
            assert_eq!(s, status, "{p}: {page}");
            assert!(h[0].is_some(), "a refusal is a page with the CSP");
            assert!(!page.contains("Kantinekok") && !page.contains(SECRET_QUAL) && !page.contains("Kantinen"), "{page}");
            page
        };
        // Forged: another order in a signed body, a changed tag, garbage.
        let other = good.replacen(&format!("/o/{order}."), &format!("/o/{}.", order + 1), 1);
        assert!(refused(&other, 404).contains("ukendt"));
        let last = good.chars().last().unwrap();
        let flipped = format!("{}{}", &good[..good.len() - 1], if last == '0' { '1' } else { '0' });
        refused(&flipped, 404);
        refused("/o/nope", 404);
        // Expired: signed 31 days ago, so it ran out yesterday.
        assert!(refused(&path(agent, now - chrono::Duration::days(31)), 410).contains("udløbet"));
        // Signed, but for an agent the order was never shared with (Hillerød is not in HRS),
        // for a consultant's own agent (no citizen), and for an agent that no longer exists.
        refused(&path(foreign, now), 404);
        refused(&path(own, now), 404);
        refused(&path(agent + 1000, now), 404);
        // The candidate's erasure takes their agent, and the link with it.
        assert_eq!(app.call("DELETE", &format!("/api/v1/candidates/{cand}"), Some(&frb), None).0, 200);
        refused(&good, 404);
    }
}
