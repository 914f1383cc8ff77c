//! A candidate's CV over HTTP and by mail, on SQLite and PostgreSQL: the type by its bytes,
//! the 5 MB limit, the attachment on the employer mail only with `share_cv` consent (the
//! MIME parts of what the SMTP server received, and the text saying so), and 410 for the
//! employer once consent goes. The candidate page's upload (a real multipart form),
//! download and delete; the employer's download through their link (page and JSON).

mod common;

use mail_parser::MimeHeaders;
use serde_json::{json, Value};
use staer_hub::error::AppError;
use staer_hub::ids::ReferralId;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const DANISH_MENTION: &str = "Kandidatens CV er vedhæftet denne mail.";

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
    // The text says the CV is attached exactly when it is.
    assert!(common::parse_mail(find("CV Deles\n")).text.contains(DANISH_MENTION));
    assert!(!common::parse_mail(find("CV Deles Ikke")).text.contains("vedhæftet"));
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

/// A mail whose text says the CV is attached, and the consent revoked before it is delivered:
/// the worker does not send it (it would say something untrue, and the consent is gone).
fn promised_cv_withdrawn_before_delivery(backend: common::Backend) {
    use diesel::prelude::*;
    use staer_hub::db::schema::outbox;
    let sink = common::SmtpSink::start();
    let app = common::TestApp::start(backend);
    let frb = app.login("frederiksberg.konsulent");
    let cand = app.candidate(&frb, "CV Trukket", false);
    consent(&app, &frb, cand, true);
    assert_eq!(put(&app, &frb, cand, "trukket.pdf", PDF).0, 201);
    let rid = send_to_employer(&app, &frb, cand);
    let of_cand = move |c: &mut staer_hub::db::DbConn| {
        Ok(outbox::table
            .filter(outbox::kind.eq("candidate_to_employer"))
            .filter(outbox::candidate_id.eq(Some(cand)))
            .select((
                outbox::id,
                outbox::body_text,
                outbox::cv_referral_id,
                outbox::status,
                outbox::last_error,
            ))
            .first::<(i64, String, Option<i64>, String, Option<String>)>(c)?)
    };
    let (_, text, cv_of, _, _) = app.state.db.read_blocking(of_cand).unwrap();
    assert!(text.contains(DANISH_MENTION), "{text}");
    assert_eq!(cv_of, Some(rid));
    let (s, b) = app.call(
        "DELETE",
        &format!("/api/v1/candidates/{cand}/consent"),
        Some(&frb),
        None,
    );
    assert_eq!(s, 200, "{b}");
    let mut config = app.config.clone();
    config.smtp.host = "127.0.0.1".into();
    config.smtp.port = sink.port;
    config.smtp.tls = "none".into();
    let worker = staer_hub::mail::Worker::new(
        app.state.db.clone(),
        staer_hub::mail::WorkerSettings::from_config(&config),
    )
    .unwrap();
    worker.run_once().unwrap();
    let (_, _, _, status, error) = app.state.db.read_blocking(of_cand).unwrap();
    assert_eq!(status, "failed");
    assert_eq!(error.as_deref(), Some(staer_hub::mail::worker::CV_WITHDRAWN));
    let to_employer = sink
        .messages()
        .into_iter()
        .filter(|m| common::parse_mail(m).to == "hr@kantinen.example")
        .count();
    assert_eq!(to_employer, 0, "nothing reached the employer");
}

#[test]
fn promised_cv_withdrawn_before_delivery_sqlite() {
    promised_cv_withdrawn_before_delivery(common::Backend::Sqlite);
}

#[test]
fn promised_cv_withdrawn_before_delivery_postgres() {
    promised_cv_withdrawn_before_delivery(common::Backend::Postgres);
}

// ---- the pages ----------------------------------------------------------------------------

/// An answer, read whole: its status, the headers the tests look at, its bytes.
struct Res {
    status: u16,
    location: String,
    content_type: String,
    disposition: String,
    nosniff: String,
    body: Vec<u8>,
}

impl Res {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .replace("&#x27;", "'")
            .replace("&quot;", "\"")
            .replace("&#x3D;", "=")
    }
}

/// One request, redirects not followed; `session` is the pages' login (the API's token in
/// the session cookie), `body` a content type and bytes.
fn request(app: &common::TestApp, session: Option<&str>, method: &str, path: &str, body: Option<(&str, &[u8])>) -> Res {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut req = agent.request(method, &app.url(path));
    if let Some(jwt) = session {
        req = req.set("Cookie", &format!("staer_session={jwt}"));
    }
    let res = match body {
        Some((ct, bytes)) => req.set("Content-Type", ct).send_bytes(bytes),
        None => req.call(),
    };
    let r = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let h = |n: &str| r.header(n).unwrap_or_default().to_string();
    let (status, location, content_type) = (r.status(), h("location"), h("content-type"));
    let (disposition, nosniff) = (h("content-disposition"), h("x-content-type-options"));
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut body).unwrap();
    Res {
        status,
        location,
        content_type,
        disposition,
        nosniff,
        body,
    }
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + 20;
    html[at..].split('"').next().unwrap().to_string()
}

/// A multipart form as a browser sends the CV form: the CSRF token, then the file.
fn multipart(csrf: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let b = "----staerCvBoundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

fn upload_page(app: &common::TestApp, session: &str, csrf: &str, cand: i64, name: &str, bytes: &[u8]) -> Res {
    let (ct, body) = multipart(csrf, name, bytes);
    request(
        app,
        Some(session),
        "POST",
        &format!("/candidates/{cand}/cv"),
        Some((&ct, &body)),
    )
}

fn form(app: &common::TestApp, session: &str, path: &str, csrf: &str) -> Res {
    let body = format!("_csrf={csrf}");
    let ct = "application/x-www-form-urlencoded";
    request(app, Some(session), "POST", path, Some((ct, body.as_bytes())))
}

// ---- the employer's link ----------------------------------------------------------------

/// The employer link's token in the candidate's newest candidate mail (in the outbox).
fn employer_token(app: &common::TestApp, cand: i64) -> String {
    let text: String = app
        .state
        .db
        .read_blocking(move |c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::outbox;
            Ok(outbox::table
                .filter(outbox::kind.eq("candidate_to_employer"))
                .filter(outbox::candidate_id.eq(Some(cand)))
                .order(outbox::id.desc())
                .select(outbox::body_text)
                .first(c)?)
        })
        .unwrap();
    let at = text.find("/employer/").expect("an employer link") + "/employer/".len();
    text[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

/// Refers the candidate to `order` and sends them to its employer; the referral's id.
fn refer_and_send(app: &common::TestApp, frb: &str, order: i64, cand: i64) -> i64 {
    let (s, r) = app.refer(frb, order, cand);
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (s, b) = app.post(&format!("/api/v1/referrals/{rid}/send"), frb, json!({}));
    assert_eq!(s, 200, "{b}");
    rid
}

/// A candidate of Frederiksberg with consent (`share_cv` as given) and a stored PDF CV.
fn with_cv(app: &common::TestApp, frb: &str, name: &str, share_cv: bool, file: &str) -> i64 {
    let cand = app.candidate(frb, name, false);
    consent(app, frb, cand, share_cv);
    assert_eq!(put(app, frb, cand, file, PDF).0, 201);
    cand
}

/// The employer's downloads of a candidate's CV in the audit log (no user: the link's).
fn employer_downloads(app: &common::TestApp, cand: i64) -> i64 {
    app.state
        .db
        .read_blocking(move |c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::audit_log;
            Ok(audit_log::table
                .filter(audit_log::entity.eq("candidate"))
                .filter(audit_log::entity_id.eq(cand))
                .filter(audit_log::action.eq("cv_downloaded"))
                .filter(audit_log::actor_id.is_null())
                .count()
                .get_result(c)?)
        })
        .unwrap()
}

on_both! {
    page_upload_download_delete(app) {
        let frb = app.login("frederiksberg.konsulent");
        let cand = app.candidate(&frb, "Side CV Person", true);
        let edit = format!("/candidates/{cand}/edit");
        let page = request(app, Some(&frb), "GET", &edit, None);
        assert_eq!(page.status, 200);
        let html = page.text();
        assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("accept=\".pdf,.docx\""));
        assert!(html.contains("Der er ikke gemt noget CV."));
        let token = csrf_of(&html);
        // Uploaded through the page's form: back to the CV section, which shows it.
        let r = upload_page(app, &frb, &token, cand, "Mit CV.pdf", PDF);
        assert_eq!((r.status, r.location.as_str()), (303, format!("/candidates/{cand}/edit#cv").as_str()), "{}", r.text());
        let html = request(app, Some(&frb), "GET", &edit, None).text();
        assert!(html.contains("Mit CV.pdf") && html.contains(&format!("{} B", PDF.len())), "{html}");
        // A PNG named .pdf: refused with the reason on the page; the stored CV and the
        // candidate's form are as they were.
        let r = upload_page(app, &frb, &token, cand, "billede.pdf", PNG);
        assert_eq!(r.status, 422);
        let html = r.text();
        assert!(html.contains("skal være en PDF- eller DOCX-fil"), "{html}");
        assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"cv-error cv-hint\""), "the field is marked");
        assert!(html.contains("Mit CV.pdf") && html.contains("value=\"Side CV Person\""));
        // Too large: the file alone, and the whole form past what is read at all.
        let mut big = PDF.to_vec();
        big.resize(staer_hub::domain::cv::MAX_BYTES + 1, b' ');
        let r = upload_page(app, &frb, &token, cand, "stor.pdf", &big);
        assert_eq!(r.status, 413);
        assert!(r.text().contains("Filen er større end 5 MB."));
        big.resize(staer_hub::domain::cv::MAX_BYTES + 200 * 1024, b' ');
        let r = upload_page(app, &frb, &token, cand, "stor.pdf", &big);
        assert_eq!(r.status, 413);
        assert!(r.text().contains("Filen er større end 5 MB."));
        // Without the form's token: refused, nothing stored.
        let r = upload_page(app, &frb, "forged", cand, "andet.pdf", b"%PDF-1.7 other");
        assert_eq!(r.status, 403);
        // The download: the same bytes, as an attachment, never sniffed.
        let r = request(app, Some(&frb), "GET", &format!("/candidates/{cand}/cv"), None);
        assert_eq!(r.status, 200);
        assert_eq!(r.body, PDF);
        assert_eq!(r.content_type, "application/pdf");
        assert!(r.disposition.starts_with("attachment;") && r.disposition.contains("Mit CV.pdf"), "{}", r.disposition);
        assert_eq!(r.nosniff, "nosniff");
        // Another centre's consultant: not found, whatever they try.
        let other = app.login("glostrup.konsulent");
        let other_token = csrf_of(&request(app, Some(&other), "GET", "/candidates", None).text());
        let r = request(app, Some(&other), "GET", &format!("/candidates/{cand}/cv"), None);
        assert_eq!(r.status, 404);
        assert!(!r.body.starts_with(b"%PDF"));
        assert_eq!(upload_page(app, &other, &other_token, cand, "x.pdf", PDF).status, 404);
        assert_eq!(request(app, Some(&other), "GET", &format!("/candidates/{cand}/cv/delete"), None).status, 404);
        assert_eq!(form(app, &other, &format!("/candidates/{cand}/cv/delete"), &other_token).status, 404);
        // Delete: the confirmation step names the file; its button deletes.
        let confirm = request(app, Some(&frb), "GET", &format!("/candidates/{cand}/cv/delete"), None);
        assert_eq!(confirm.status, 200);
        assert!(confirm.text().contains("Mit CV.pdf"));
        assert_eq!(form(app, &frb, &format!("/candidates/{cand}/cv/delete"), "forged").status, 403);
        let r = form(app, &frb, &format!("/candidates/{cand}/cv/delete"), &csrf_of(&confirm.text()));
        assert_eq!((r.status, r.location.as_str()), (303, format!("/candidates/{cand}/edit#cv").as_str()));
        assert_eq!(request(app, Some(&frb), "GET", &format!("/candidates/{cand}/cv"), None).status, 404);
        assert!(request(app, Some(&frb), "GET", &edit, None).text().contains("Der er ikke gemt noget CV."));
    }

    employer_downloads_while_consent_holds(app) {
        let frb = app.login("frederiksberg.konsulent");
        let brondby = app.login("brondby.konsulent");
        let order = app.shared_order(&brondby, json!({"coordinator_allowed": false}), &["HRS"]);
        let shared = with_cv(app, &frb, "CV Til Arbejdsgiver", true, "til-arbejdsgiver.pdf");
        let private = with_cv(app, &frb, "CV Ikke Delt", false, "privat.pdf");
        let rid = refer_and_send(app, &frb, order, shared);
        let rid_private = refer_and_send(app, &frb, order, private);
        let token = employer_token(app, shared);
        let cv_page = |rid: i64| format!("/employer/{token}/referrals/{rid}/cv");
        let cv_api = |rid: i64| format!("/api/v1/employer/{token}/referrals/{rid}/cv");

        // The JSON names the shared CV, with where it downloads; the other has none.
        let (s, page) = app.call("GET", &format!("/api/v1/employer/{token}"), None, None);
        assert_eq!(s, 200, "{page}");
        let row = |id: i64| page["candidates"].as_array().unwrap().iter().find(|c| c["referral_id"] == id).unwrap().clone();
        assert_eq!(row(rid)["cv"], json!({"name": "til-arbejdsgiver.pdf", "size": PDF.len(), "url": cv_api(rid)}));
        assert!(row(rid_private)["cv"].is_null());
        // The page links the shared one only.
        let html = request(app, None, "GET", &format!("/employer/{token}"), None).text();
        assert!(html.contains(&cv_page(rid)) && !html.contains(&cv_page(rid_private)), "{html}");
        // Both downloads: the same bytes, as an attachment; each one audited as the employer's.
        for path in [cv_page(rid), cv_api(rid)] {
            let r = request(app, None, "GET", &path, None);
            assert_eq!(r.status, 200, "{path}: {}", r.text());
            assert_eq!(r.body, PDF);
            assert!(r.disposition.starts_with("attachment;") && r.disposition.contains("til-arbejdsgiver.pdf"));
            assert_eq!(r.nosniff, "nosniff");
        }
        assert_eq!(employer_downloads(app, shared), 2);
        // Consent without share_cv: 410 for that candidate.
        assert_eq!(request(app, None, "GET", &cv_page(rid_private), None).status, 410);
        assert_eq!(request(app, None, "GET", &cv_api(rid_private), None).status, 410);
        // Another order's referral through this link, a referral of this order not sent
        // through it, a forged or malformed token: not found.
        let other_order = app.shared_order(&brondby, json!({"coordinator_allowed": false}), &["HRS"]);
        let rid_other = refer_and_send(app, &frb, other_order, shared);
        let unsent = with_cv(app, &frb, "CV Ikke Sendt", true, "ikke-sendt.pdf");
        let (s, r) = app.refer(&frb, order, unsent);
        assert_eq!(s, 201, "{r}");
        let rid_unsent = r["id"].as_i64().unwrap();
        let forged = "A".repeat(43);
        for path in [
            cv_page(rid_other),
            cv_api(rid_other),
            cv_page(rid_unsent),
            cv_api(rid_unsent),
            format!("/employer/{forged}/referrals/{rid}/cv"),
            format!("/api/v1/employer/{forged}/referrals/{rid}/cv"),
            format!("/employer/x/referrals/{rid}/cv"),
            cv_page(999_999_999),
        ] {
            let r = request(app, None, "GET", &path, None);
            assert_eq!(r.status, 404, "{path}");
            assert!(!r.body.starts_with(b"%PDF"));
        }
        // The consent revoked: 410 at once, page and JSON.
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{shared}/consent"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        let r = request(app, None, "GET", &cv_page(rid), None);
        assert_eq!(r.status, 410);
        assert!(r.text().contains("CV'et er ikke længere delt med jer."));
        assert_eq!(app.call("GET", &cv_api(rid), None, None).0, 410);
        assert_eq!(employer_downloads(app, shared), 2, "a refusal is no download");
        // The candidate erased: 410.
        let erased = with_cv(app, &frb, "CV Slettes", true, "slettes.pdf");
        let rid_erased = refer_and_send(app, &frb, order, erased);
        assert_eq!(request(app, None, "GET", &cv_page(rid_erased), None).status, 200);
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{erased}"), Some(&frb), None);
        assert_eq!(s, 200, "{b}");
        assert_eq!(request(app, None, "GET", &cv_page(rid_erased), None).status, 410);
        assert_eq!(app.call("GET", &cv_api(rid_erased), None, None).0, 410);
    }
}
