//! The employer answers (issue 14): the link in the candidate mail, taken out of the message a
//! real SMTP server received, opens the employer's page (JSON and HTML) without login; the
//! employer's answer moves the referral, shows on the consultant's dashboard and the order,
//! and is mailed. Forged, expired and revoked links, another order's referral and a withdrawn
//! referral are refused, and nothing private of the order reaches the employer.

mod common;

use common::{Mail, SmtpSink, TestApp};
use serde_json::{json, Value};

const SECRET_QUAL: &str = "HEMMELIG-LØN-4711";
const SECRET_HOURS: &str = "HEMMELIG-ARBEJDSTID-0815";

/// The token of the first `/employer/` link in a text.
fn token_in(text: &str) -> String {
    let at = text.find("/employer/").expect("an employer link") + "/employer/".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// The token in the newest candidate mail of the outbox (for tests without an SMTP server).
fn outbox_token(app: &TestApp) -> String {
    let text: String = app
        .state
        .db
        .read_blocking(|c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("candidate_to_employer"))
                .order(outbox::id.desc())
                .select(outbox::body_text)
                .first(c)?)
        })
        .unwrap();
    token_in(&text)
}

/// An order of Brøndby (coordinator: brondby.konsulent) with private texts, shared with HRS.
fn order(app: &TestApp, coord: &str, vacancies: i64) -> i64 {
    app.shared_order(
        coord,
        json!({"title": "Kok til kantinen", "vacancies": vacancies,
               "qualifications_and_pay": SECRET_QUAL, "working_hours": SECRET_HOURS}),
        &["HRS"],
    )
}

/// Refers a new consenting candidate of Frederiksberg, approves and sends it; the referral id.
fn sent(app: &TestApp, coord: &str, frb: &str, order: i64, name: &str) -> i64 {
    let cand = app.candidate(frb, name, true);
    let (s, r) = app.refer(frb, order, cand);
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/referrals/{rid}/approve"), coord, json!({}))
            .0,
        200
    );
    let (s, b) = app.post(&format!("/api/v1/referrals/{rid}/send"), frb, json!({}));
    assert_eq!(s, 200, "{b}");
    rid
}

fn get_page(app: &TestApp, path: &str) -> (u16, String) {
    app.raw("GET", path, None, None, "text/plain")
}

fn no_private_text(body: &str) {
    for secret in [SECRET_QUAL, SECRET_HOURS, "11 22 33 44"] {
        assert!(!body.contains(secret), "{secret} reached the employer: {body}");
    }
}

fn mails_with<'a>(mails: &'a [Mail], subject: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.subject.contains(subject)).collect()
}

/// The `_csrf` value of the employer page's first form.
fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form token") + "name=\"_csrf\" value=\"".len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

on_both! {
    the_whole_loop_through_real_mail(app) {
        let sink = SmtpSink::start();
        let app = TestApp::with_mail(app.backend, &sink);
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let id = order(&app, &coord, 1);
        let rid = sent(&app, &coord, &frb, id, "Anna Ørsted");

        // The candidate mail, as the SMTP server received it, carries the link.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let mail = loop {
            let mails = sink.mails();
            if let Some(m) = mails.iter().find(|m| m.to == "hr@kantinen.example") {
                break m.clone();
            }
            assert!(std::time::Instant::now() < deadline, "no candidate mail");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        let token = token_in(&mail.text);
        assert_eq!(token.len(), 43, "{}", mail.text);
        assert!(mail.html.contains(&format!("/employer/{token}")));

        // JSON, no login.
        let (s, page) = app.call("GET", &format!("/api/v1/employer/{token}"), None, None);
        assert_eq!(s, 200, "{page}");
        assert_eq!(page["order"]["title"], "Kok til kantinen");
        assert_eq!(page["order"]["company_name"], "Kantinen A/S");
        let c = &page["candidates"][0];
        assert_eq!((c["referral_id"].as_i64(), c["candidate"]["name"].as_str()), (Some(rid), Some("Anna Ørsted")));
        assert_eq!(c["candidate"]["email"], "kandidat@borger.example");
        assert_eq!(c["candidate"]["phone"], Value::Null, "the phone was not consented");
        assert_eq!(c["outcome"], Value::Null);
        no_private_text(&page.to_string());

        // The page, Danish and English.
        let (s, html) = get_page(&app, &format!("/employer/{token}"));
        assert_eq!(s, 200);
        assert!(html.contains("Anna Ørsted") && html.contains("Inviter til samtale") && html.contains("Ikke egnet"));
        no_private_text(&html);
        let (_, en) = get_page(&app, &format!("/employer/{token}?lang=en"));
        assert!(en.contains("Invite to interview") && en.contains("Not suitable"), "{en}");

        // Interview through JSON, then hired through the page's form.
        let (s, b) = app.call("POST", &format!("/api/v1/employer/{token}/referrals/{rid}"), None,
            Some(json!({"outcome": "interview", "comment": "Samtale tirsdag kl. 10"})));
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["outcome"], "interview");
        let form = format!("_csrf={}&outcome=hired&comment=Starter+mandag", csrf_of(&html));
        let (s, after) = app.raw("POST", &format!("/employer/{token}/referrals/{rid}?lang=da"), None, Some(form),
            "application/x-www-form-urlencoded");
        assert_eq!(s, 200, "the answer leads back to the page: {after}");
        // (The "saved" message rides a cookie this client doesn't keep; the browser test sees it.)
        assert!(after.contains("<strong>Ansat</strong>") && after.contains("Starter mandag"), "{after}");
        // A form without the link's token is refused.
        let (s, _) = app.raw("POST", &format!("/employer/{token}/referrals/{rid}"), None,
            Some("_csrf=00&outcome=interview".into()), "application/x-www-form-urlencoded");
        assert_eq!(s, 403);
        let (_, page) = app.call("GET", &format!("/api/v1/employer/{token}"), None, None);
        assert_eq!(page["candidates"][0]["outcome"], "hired");

        // The consultant's dashboard shows it and filters by it.
        let (s, list) = app.get("/api/v1/dashboard/my-referrals?status=hired", &frb);
        assert_eq!(s, 200, "{list}");
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["state"], "hired");
        let (_, dash) = app.raw("GET", "/dashboard/my-referrals?status=hired", Some(&frb), None, "text/plain");
        assert!(dash.contains("Ansat"), "{dash}");

        // The referring consultant's notices: the interview, then the hire, newest first; the
        // bell in the page's header counts them.
        let (s, n) = app.get("/api/v1/notices?unread=true", &frb);
        assert_eq!(s, 200, "{n}");
        let kinds: Vec<&str> = n["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
        assert_eq!(&kinds[..2], ["referral_hired", "referral_interview"], "{n}");
        assert_eq!(n["items"][0]["referral_id"].as_i64(), Some(rid));
        let (_, notices_page) = app.raw("GET", "/notices", Some(&frb), None, "text/plain");
        assert!(notices_page.contains("Virksomheden har ansat"), "{notices_page}");
        // The owner (coordinator) is told that every place is filled.
        let (_, n) = app.get("/api/v1/notices?unread=true", &coord);
        assert!(n["items"].as_array().unwrap().iter().any(|i| i["kind"] == "order_filled"), "{n}");

        // The history names the employer; the order counts the filled place.
        let hist = app.get(&format!("/api/v1/referrals/{rid}/history"), &frb).1["items"].clone();
        assert_eq!((hist[0]["to"].as_str(), hist[0]["by_employer"].as_bool()), (Some("hired"), Some(true)));
        assert_eq!(hist[0]["actor"], Value::Null);
        assert_eq!(hist[0]["reason"], "Starter mandag");
        let (_, o) = app.get(&format!("/api/v1/orders/{id}"), &coord);
        assert_eq!((o["hired"].as_i64(), o["referred"].as_i64(), o["status"].as_str()), (Some(1), Some(1), Some("open")));
        let (_, order_page) = app.raw("GET", &format!("/orders/{id}"), Some(&coord), None, "text/plain");
        assert!(order_page.contains("Virksomheden, via link"), "{order_page}");
        assert!(order_page.contains(&format!("href=\"/orders/{id}/close\"")), "the filled order offers its close");

        // The outcome mails: the referrer and the coordinator, twice; the owner told once that
        // every place is filled.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while mails_with(&sink.mails(), "Svar fra virksomheden").len() < 4 || mails_with(&sink.mails(), "Alle pladser").is_empty() {
            assert!(std::time::Instant::now() < deadline, "the outcome mails never came");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        // A little longer, for a double to show.
        std::thread::sleep(std::time::Duration::from_millis(500));
        let mails = sink.mails();
        let outcomes = mails_with(&mails, "Svar fra virksomheden");
        let to: Vec<&str> = outcomes.iter().map(|m| m.to.as_str()).collect();
        assert_eq!(outcomes.len(), 4, "{to:?}");
        assert!(to.contains(&"frederiksberg.konsulent@jobcenter.example") && to.contains(&"brondby.konsulent@jobcenter.example"));
        assert!(outcomes.iter().any(|m| m.subject.contains("ansat") && m.text.contains("Starter mandag")));
        let filled = mails_with(&mails, "Alle pladser besat");
        assert_eq!(filled.len(), 1);
        assert!(filled[0].text.contains(&format!("/orders/{id}/close")), "{}", filled[0].text);
        for m in &mails {
            no_private_text(&m.raw);
        }
    }

    links_that_open_nothing(app) {
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let a = order(app, &coord, 2);
        let ra = sent(app, &coord, &frb, a, "Bo Hansen");
        let token_a = outbox_token(app);
        // A second candidate to the same address reuses the link: the first mail's link lists both.
        let ra2 = sent(app, &coord, &frb, a, "Cille Berg");
        let token_a2 = outbox_token(app);
        assert_ne!(token_a, token_a2, "a token per mail");
        let (_, page) = app.call("GET", &format!("/api/v1/employer/{token_a}"), None, None);
        let ids: Vec<i64> = page["candidates"].as_array().unwrap().iter().map(|c| c["referral_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![ra, ra2]);
        let (_, links) = app.get(&format!("/api/v1/orders/{a}/employer-links"), &coord);
        assert_eq!(links["items"].as_array().unwrap().len(), 1, "{links}");
        assert_eq!(links["items"][0]["candidates"], 2);
        let link_a = links["items"][0]["id"].as_i64().unwrap();
        no_private_text(&links.to_string());

        // Forged and malformed: 404, JSON and page, nothing of the order.
        let forged = "A".repeat(43);
        for t in [forged.as_str(), "abc", &token_a[..42]] {
            let (s, b) = app.call("GET", &format!("/api/v1/employer/{t}"), None, None);
            assert_eq!(s, 404, "{t}: {b}");
            let (s, html) = get_page(app, &format!("/employer/{t}"));
            assert_eq!(s, 404);
            assert!(!html.contains("Kok til kantinen") && !html.contains("Bo Hansen"));
        }
        let (s, _) = app.call("POST", &format!("/api/v1/employer/{forged}/referrals/{ra}"), None, Some(json!({"outcome": "hired"})));
        assert_eq!(s, 404);

        // Order A's link can't act on order B's referral, even one sent to the same address.
        let b = order(app, &coord, 1);
        let rb = sent(app, &coord, &frb, b, "Dan Lund");
        let (s, _) = app.call("POST", &format!("/api/v1/employer/{token_a}/referrals/{rb}"), None, Some(json!({"outcome": "hired"})));
        assert_eq!(s, 404);
        let (_, rbv) = app.get(&format!("/api/v1/referrals/{rb}"), &frb);
        assert_eq!(rbv["state"], "sent_to_employer");

        // A withdrawn referral of the order: 409, and a pending one too.
        let cand = app.candidate(&frb, "Eva Holm", true);
        let rw = app.refer(&frb, a, cand).1["id"].as_i64().unwrap();
        let (s, _) = app.call("POST", &format!("/api/v1/employer/{token_a}/referrals/{rw}"), None, Some(json!({"outcome": "interview"})));
        assert_eq!(s, 409, "pending");
        assert_eq!(app.post(&format!("/api/v1/referrals/{rw}/withdraw"), &frb, json!({})).0, 200);
        let (s, e) = app.call("POST", &format!("/api/v1/employer/{token_a}/referrals/{rw}"), None, Some(json!({"outcome": "interview"})));
        assert_eq!(s, 409, "{e}");
        assert!(e["error"].as_str().unwrap().contains("withdrawn"), "{e}");
        // A bad outcome is a 422 naming the field.
        let (s, e) = app.call("POST", &format!("/api/v1/employer/{token_a}/referrals/{ra}"), None, Some(json!({"outcome": "maybe"})));
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("outcome")));

        // Expired: 410 with nothing of the order.
        app.state.db.write_blocking(move |c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::employer_link_tokens as t;
            let past = chrono::Utc::now().naive_utc() - chrono::Duration::days(1);
            diesel::update(t::table.filter(t::link_id.eq(link_a))).set(t::expires_at.eq(past)).execute(c)?;
            Ok(())
        }).unwrap();
        let (s, body) = app.call("GET", &format!("/api/v1/employer/{token_a}"), None, None);
        assert_eq!(s, 410, "{body}");
        assert!(!body.to_string().contains("Kok til kantinen"));
        let (s, html) = get_page(app, &format!("/employer/{token_a}"));
        assert_eq!(s, 410);
        assert!(!html.contains("Kok til kantinen") && !html.contains("Bo Hansen"), "{html}");
        let (s, _) = app.call("POST", &format!("/api/v1/employer/{token_a}/referrals/{ra}"), None, Some(json!({"outcome": "hired"})));
        assert_eq!(s, 410);

        // Revoked: 410. Only the owner revokes, once, and it is audited.
        let token_b = outbox_token(app);
        assert_eq!(app.call("GET", &format!("/api/v1/employer/{token_b}"), None, None).0, 200);
        let (_, links) = app.get(&format!("/api/v1/orders/{b}/employer-links"), &coord);
        let link = links["items"][0]["id"].as_i64().unwrap();
        let revoke = format!("/api/v1/orders/{b}/employer-links/{link}/revoke");
        assert_eq!(app.post(&revoke, &frb, json!({})).0, 403, "a notified centre can't revoke");
        assert_eq!(app.post(&revoke, &coord, json!({})).0, 200);
        assert_eq!(app.post(&revoke, &coord, json!({})).0, 409);
        assert_eq!(app.post(&format!("/api/v1/orders/{a}/employer-links/{link}/revoke"), &coord, json!({})).0, 404);
        let (s, _) = app.call("GET", &format!("/api/v1/employer/{token_b}"), None, None);
        assert_eq!(s, 410);
        let (s, html) = get_page(app, &format!("/employer/{token_b}"));
        assert_eq!(s, 410);
        assert!(!html.contains("Dan Lund"));
        let (_, audit) = app.get(&format!("/api/v1/orders/{b}/audit"), &coord);
        assert!(audit.to_string().contains("employer_link_revoked"), "{audit}");
    }
}
