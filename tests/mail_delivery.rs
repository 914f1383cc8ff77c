//! Mail through the outbox to a real SMTP server on loopback: the right mails with the
//! right content, nothing lost or doubled through an SMTP outage, and exactly once with
//! two app instances (two workers) on one database.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{Mail, SmtpSink, TestApp};
use serde_json::json;

const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";

fn by_kind<'a>(mails: &'a [Mail], subject_part: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.subject.contains(subject_part)).collect()
}

fn assert_exactly_once(mails: &[Mail]) {
    let ids: BTreeSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(
        ids.len(),
        mails.len(),
        "a mail arrived twice: {:?}",
        mails.iter().map(|m| &m.message_id).collect::<Vec<_>>()
    );
}

/// Waits until the outbox has nothing pending, then a little longer for doubles to show.
fn settle(app: &TestApp, sink: &SmtpSink, expected: usize) -> Vec<Mail> {
    let mails = sink.wait_for(expected, 30);
    let admin = app.login("admin");
    for _ in 0..100 {
        if app.get("/api/v1/admin/outbox?status=pending", &admin).1["total"] == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let again = sink.mails();
    assert_eq!(
        again.len(),
        mails.len().max(expected),
        "more mails than expected arrived"
    );
    again
}

on_both! {
    the_right_mails_arrive(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        // Frederiksberg's second consultant reads English.
        let frb2 = app.login("frederiksberg.konsulent2");
        assert_eq!(app.patch("/api/v1/auth/me", &frb2, json!({"language": "en"})).0, 200);
        assert_eq!(app.patch("/api/v1/auth/me", &frb2, json!({"language": "xx"})).0, 422);

        let order = app.shared_order(
            &coord,
            json!({"title": "Kok <b>&</b> køkkenhjælp", "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
            &["HRS"],
        );
        // HRS: five other centres, two consultants each.
        let shared = sink.wait_for(10, 20);
        assert_eq!(shared.len(), 10);
        let to: BTreeSet<&str> = shared.iter().map(|m| m.to.as_str()).collect();
        assert!(to.contains("frederiksberg.konsulent@jobcenter.example"));
        assert!(!to.iter().any(|t| t.starts_with("brondby.")), "the owner is not notified of its own order");
        let da = shared.iter().find(|m| m.to == "frederiksberg.konsulent@jobcenter.example").unwrap();
        assert_eq!(da.subject, "Ny jobordre delt med HRS: Kok <b>&</b> køkkenhjælp");
        assert!(da.text.contains("Beskrivelse af arbejdsopgaver:\nMadlavning til 200 personer"), "{}", da.text);
        assert!(da.text.contains(&format!("/orders/{order}")));
        assert!(da.html.contains("Kok &lt;b&gt;&amp;&lt;/b&gt; køkkenhjælp"), "HTML escapes: {}", da.html);
        let en = shared.iter().find(|m| m.to == "frederiksberg.konsulent2@jobcenter.example").unwrap();
        assert!(en.subject.starts_with("New job order shared with HRS"), "{}", en.subject);

        let cand = app.candidate(&frb, "Anna Ørsted", true);
        let rid = app.refer(&frb, order, cand).1["id"].as_i64().unwrap();
        let mails = sink.wait_for(11, 20);
        let waiting = by_kind(&mails, "afventer godkendelse");
        assert_eq!(waiting.len(), 1);
        assert_eq!(waiting[0].to, "brondby.konsulent@jobcenter.example");
        assert!(waiting[0].text.contains("Anna Ørsted") && waiting[0].text.contains("Frederiksberg"));

        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/approve"), &coord, json!({})).0, 200);
        let mails = sink.wait_for(12, 20);
        let approved = by_kind(&mails, "Formidling godkendt");
        assert_eq!(approved.len(), 1);
        let a = approved[0];
        assert_eq!(a.to, "frederiksberg.konsulent@jobcenter.example");
        // The names are read with the referral (`referrals::load_for_action`): the referring
        // consultant's, the candidate's, and the order's.
        assert_eq!(a.subject, "Formidling godkendt: Anna Ørsted til Kok <b>&</b> køkkenhjælp");
        assert!(a.text.starts_with("Hej Konsulent Frederiksberg\n"), "{}", a.text);
        assert!(a.text.contains("Din formidling af Anna Ørsted til \"Kok <b>&</b> køkkenhjælp\""), "{}", a.text);

        assert_eq!(app.post(&format!("/api/v1/referrals/{rid}/send"), &frb, json!({})).0, 200);
        let mails = settle(&app, &sink, 13);
        assert_eq!(mails.len(), 13);
        let employer = by_kind(&mails, "Kandidat til");
        assert_eq!(employer.len(), 1);
        let e = employer[0];
        assert_eq!(e.to, "hr@kantinen.example");
        assert!(e.text.contains("Anna Ørsted") && e.text.contains("kandidat@borger.example"), "{}", e.text);
        assert!(!e.text.contains("11 22 33 44"), "the phone was not consented: {}", e.text);

        // No mail carries a private text of the order.
        for m in &mails {
            for secret in [SECRET_QUAL, SECRET_HOURS] {
                assert!(!m.raw.contains(secret) && !m.text.contains(secret) && !m.html.contains(secret));
            }
            assert!(m.message_id.starts_with("outbox-") && m.message_id.ends_with("@staer-hub.local"), "{}", m.message_id);
        }
        assert_exactly_once(&mails);
        let admin = app.login("admin");
        let (_, ob) = app.get("/api/v1/admin/outbox?status=sent", &admin);
        assert_eq!(ob["total"], 13);
        assert_eq!(app.get("/api/v1/admin/outbox", &coord).0, 403);
    }

    smtp_outage_loses_nothing_and_doubles_nothing(app) {
        let mut sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let admin = app.login("admin");
        sink.stop();
        // A burst while the mail server is down: a share (10 mails) and 12 referrals (12 mails).
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        for i in 0..12 {
            let c = app.candidate(&frb, &format!("Kandidat {i}"), true);
            assert_eq!(app.refer(&frb, order, c).0, 201);
        }
        // The worker tries, fails and backs off; the rows wait with their error.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, ob) = app.get("/api/v1/admin/outbox?status=pending", &admin);
            let tried = ob["items"].as_array().unwrap().iter().filter(|r| r["attempts"].as_i64() >= Some(1)).count();
            if ob["total"] == 22 && tried >= 1 {
                assert!(ob["items"].as_array().unwrap().iter().any(|r| r["last_error"].is_string()));
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no failed attempt recorded: {ob}");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(sink.messages().len(), 0);
        sink.resume();
        let mails = settle(&app, &sink, 22);
        assert_eq!(mails.len(), 22);
        assert_exactly_once(&mails);
        let (_, ob) = app.get("/api/v1/admin/outbox", &admin);
        assert_eq!(ob["counts"]["sent"], 22);
    }

    two_instances_send_each_mail_once(app) {
        let sink = SmtpSink::start();
        let a = TestApp::with_mail(app.backend, &sink);
        let b = a.second_instance();
        let coord = a.login("brondby.konsulent");
        let frb = b.login("frederiksberg.konsulent");
        let order = a.shared_order(&coord, json!({}), &["HRS"]);
        // Referrals through both instances; both workers deliver from one outbox.
        for i in 0..20 {
            let app = if i % 2 == 0 { &a } else { &b };
            let c = app.candidate(&frb, &format!("K {i}"), true);
            assert_eq!(app.refer(&frb, order, c).0, 201);
        }
        let mails = settle(&a, &sink, 30);
        assert_eq!(mails.len(), 30);
        assert_exactly_once(&mails);
        let per_recipient: BTreeMap<&str, usize> = mails.iter().fold(BTreeMap::new(), |mut m, x| {
            *m.entry(x.to.as_str()).or_default() += 1;
            m
        });
        assert_eq!(per_recipient["brondby.konsulent@jobcenter.example"], 20);
    }

    rolled_back_change_sends_nothing(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        settle(&app, &sink, 10);
        // A referral whose transaction fails after the mail was written: no row, no mail.
        let mail = app.state.mail.clone();
        let r: Result<(), staer_hub::error::AppError> = app.state.db.write_blocking(|c| {
            staer_hub::mail::enqueue(c, &mail, "order_shared", "x@y.dk", "da", &json!({"order": {}, "network": "HRS"}))?;
            Err(staer_hub::error::AppError::Conflict("changed my mind".into()))
        });
        assert!(r.is_err());
        // And one through the API: referring a candidate without consent writes nothing.
        let c = app.candidate(&frb, "Uden Samtykke", false);
        assert_eq!(app.refer(&frb, order, c).0, 409);
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(sink.messages().len(), 10);
        let admin = app.login("admin");
        assert_eq!(app.get("/api/v1/admin/outbox", &admin).1["total"], 10);
    }

    failed_mail_can_be_retried(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let admin = app.login("admin");
        // An address lettre refuses is a permanent failure: failed at once, with the error.
        let mail = app.state.mail.clone();
        let id = app.state.db.write_blocking(|c| {
            staer_hub::mail::enqueue(c, &mail, "order_shared", "not an address", "da", &json!({"order": {}, "network": "HRS"}))
        }).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let (_, ob) = app.get("/api/v1/admin/outbox?status=failed", &admin);
            if ob["total"] == 1 {
                assert!(ob["items"][0]["last_error"].as_str().unwrap().contains("recipient"));
                break;
            }
            assert!(std::time::Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(50));
        }
        let (s, b) = app.post(&format!("/api/v1/admin/outbox/{}/retry", id.0), &admin, json!({}));
        assert_eq!((s, b["status"].as_str()), (200, Some("pending")));
        assert_eq!(app.get("/api/v1/admin/outbox?status=bogus", &admin).0, 422);
    }
}
