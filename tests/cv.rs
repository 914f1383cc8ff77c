//! A candidate's CV over HTTP and by mail, on SQLite and PostgreSQL: the type by its bytes,
//! the 5 MB limit, the attachment on the employer mail only with `share_cv` consent (the
//! MIME parts of what the SMTP server received), and 410 for the employer once consent goes.

mod common;

use mail_parser::MimeHeaders;
use serde_json::{json, Value};
use staer_hub::error::AppError;
use staer_hub::ids::ReferralId;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

fn put(app: &common::TestApp, token: &str, cand: i64, name: &str, body: &[u8]) -> (u16, Value) {
    let res = ureq::put(&app.url(&format!("/api/v1/candidates/{cand}/cv?file_name={name}")))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/octet-stream")
        .send_bytes(body);
    let r = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    let status = r.status();
    (
        status,
        serde_json::from_str(&r.into_string().unwrap()).unwrap_or(Value::Null),
    )
}

fn consent(app: &common::TestApp, token: &str, cand: i64, share_cv: bool) {
    let body = json!({"share_email": true, "share_phone": false, "share_cv": share_cv});
    let (s, b) = app.post(&format!("/api/v1/candidates/{cand}/consent"), token, body);
    assert_eq!(s, 200, "{b}");
}

/// Refers the candidate to a Brøndby order and sends them to its employer; the referral's id.
fn send_to_employer(app: &common::TestApp, frb: &str, cand: i64) -> i64 {
    let brondby = app.login("brondby.konsulent");
    let order = app.shared_order(&brondby, json!({"coordinator_allowed": false}), &["HRS"]);
    let (s, r) = app.refer(frb, order, cand);
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (s, b) = app.post(&format!("/api/v1/referrals/{rid}/send"), frb, json!({}));
    assert_eq!(s, 200, "{b}");
    rid
}

fn attachments(raw: &str) -> Vec<(String, Vec<u8>)> {
    let m = mail_parser::MessageParser::default().parse(raw.as_bytes()).unwrap();
    m.attachments()
        .map(|a| {
            (
                a.attachment_name().unwrap_or_default().to_string(),
                a.contents().to_vec(),
            )
        })
        .collect()
}

on_both! {
    upload_checks_type_and_size(app) {
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "CV Person", true);
        let (s, b) = put(app, &frb, cand, "mit-cv.pdf", PDF);
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["content_type"], "application/pdf");
        assert_eq!(b["file_name"], "mit-cv.pdf");
        // A PNG named .pdf is refused by its bytes.
        let (s, b) = put(app, &frb, cand, "billede.pdf", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
        assert_eq!(s, 422, "{b}");
        assert_eq!(b["detail"]["field"], "file");
        // Over 5 MB: 413.
        let mut big = PDF.to_vec();
        big.resize(5 * 1024 * 1024 + 1, b' ');
        assert_eq!(put(app, &frb, cand, "stor.pdf", &big).0, 413);
        // The stored one is unchanged, and only the candidate's centre gets it.
        let res = ureq::get(&app.url(&format!("/api/v1/candidates/{cand}/cv")))
            .set("Authorization", &format!("Bearer {frb}"))
            .call()
            .unwrap();
        assert_eq!(res.content_type(), "application/pdf");
        assert!(res.header("content-disposition").unwrap().contains("mit-cv.pdf"));
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut res.into_reader(), &mut body).unwrap();
        assert_eq!(body, PDF);
        let other = app.login("glostrup.konsulent");
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}/cv"), &other).0, 404);
        assert_eq!(put(app, &other, cand, "x.pdf", PDF).0, 404);
    }

    revoke_or_erase_stops_the_employer_copy(app) {
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "CV Revoke", false);
        consent(app, &frb, cand, true);
        assert_eq!(put(app, &frb, cand, "cv.pdf", PDF).0, 201);
        let rid = send_to_employer(app, &frb, cand);
        let for_employer = |app: &common::TestApp| {
            app.state.db.read_blocking(move |c| staer_hub::domain::cv::for_employer(c, ReferralId(rid)))
        };
        assert_eq!(for_employer(app).unwrap().body, PDF);
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cand}/consent"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        assert!(matches!(for_employer(app), Err(AppError::Gone(_))));
        // Consent again without share_cv: still gone; with it, back; erased: gone for good.
        consent(app, &frb, cand, false);
        assert!(matches!(for_employer(app), Err(AppError::Gone(_))));
        consent(app, &frb, cand, true);
        assert!(for_employer(app).is_ok());
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cand}"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        assert!(matches!(for_employer(app), Err(AppError::Gone(_))));
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}/cv"), &frb).0, 409);
    }
}

/// The employer mail carries the CV only with `share_cv` consent.
fn attachment_only_with_consent(backend: common::Backend) {
    let sink = common::SmtpSink::start();
    let app = common::TestApp::with_mail(backend, &sink);
    let frb = app.login("frederiksberg.konsulent");
    let with = app.candidate(&frb, "CV Deles", false);
    consent(&app, &frb, with, true);
    assert_eq!(put(&app, &frb, with, "deles.pdf", PDF).0, 201);
    let without = app.candidate(&frb, "CV Deles Ikke", false);
    consent(&app, &frb, without, false);
    assert_eq!(put(&app, &frb, without, "privat.pdf", PDF).0, 201);
    send_to_employer(&app, &frb, with);
    send_to_employer(&app, &frb, without);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let employer = loop {
        let got: Vec<String> = sink
            .messages()
            .into_iter()
            .filter(|m| common::parse_mail(m).to == "hr@kantinen.example")
            .collect();
        if got.len() >= 2 || std::time::Instant::now() > deadline {
            break got;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(employer.len(), 2, "two employer mails");
    let find = |name: &str| {
        employer
            .iter()
            .find(|m| common::parse_mail(m).text.contains(name))
            .unwrap()
    };
    let shared = attachments(find("CV Deles\n").as_str());
    assert_eq!(shared.len(), 1, "the CV is attached");
    assert_eq!(shared[0].0, "deles.pdf");
    assert_eq!(shared[0].1, PDF);
    assert!(
        attachments(find("CV Deles Ikke").as_str()).is_empty(),
        "no consent, no CV"
    );
}

#[test]
fn attachment_only_with_consent_sqlite() {
    attachment_only_with_consent(common::Backend::Sqlite);
}

#[test]
fn attachment_only_with_consent_postgres() {
    attachment_only_with_consent(common::Backend::Postgres);
}
