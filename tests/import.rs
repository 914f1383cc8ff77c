//! Import of candidates and orders over the API, on SQLite and PostgreSQL: both formats, both
//! separators, Windows-1252, dry run, re-import, changed rows (audited), duplicates, a broken
//! row deep in a big file, the limits; and the driving-licence rule of matching.

mod common;

use serde_json::{json, Value};
use staer_hub::domain::audit;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One call with a binary body; the status and the JSON answer.
fn send(app: &common::TestApp, path: &str, token: &str, body: &[u8], content_type: &str) -> (u16, Value) {
    let res = ureq::post(&app.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", content_type)
        .send_bytes(body);
    let (status, text) = match res {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap_or_default()),
        Err(e) => panic!("POST {path}: {e}"),
    };
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn import(app: &common::TestApp, token: &str, kind: &str, query: &str, body: &[u8], ct: &str) -> (u16, Value) {
    send(app, &format!("/api/v1/import/{kind}?{query}"), token, body, ct)
}

fn counts(r: &Value) -> (u64, u64, u64, usize) {
    (
        r["created"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
        r["errors"].as_array().unwrap().len(),
    )
}

fn by_external(app: &common::TestApp, token: &str) -> std::collections::HashMap<String, Value> {
    let list = app.get("/api/v1/candidates", token).1;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| Some((c["external_id"].as_str()?.to_string(), c.clone())))
        .collect()
}

fn audit_of(app: &common::TestApp, id: i64) -> Vec<(String, Value)> {
    let rows = app
        .state
        .db
        .read_blocking(|c| audit::history(c, "candidate", id, 50))
        .unwrap();
    rows.into_iter()
        .map(|e| (e.action.clone(), serde_json::from_str(&e.detail).unwrap()))
        .collect()
}

const SEMI: &str =
    "\u{feff}Ekstern ID;Navn;E-mail;Telefon;Postnummer;Stillingsønsker;Kørekort;Egen bil;Certifikater;Sprog\n\
K-1;Søren Ærø;soren@borger.example;+45 20 30 40 50;2605;kok, opvasker;ja;nej;truckcertifikat;dansk, engelsk\n\
K-2;Åse Østergård;aase@borger.example;21 31 41 51;2000;;nej;nej;;dansk\n\
K-3;Bo Berg;;;;tømrer;;;\"[\"\"svejsecertifikat\"\",\"\"kran\"\"]\";\n";

on_both! {
    dry_run_import_reimport_and_change(app) {
        let t = app.login("frederiksberg.konsulent");
        let before = app.get("/api/v1/candidates", &t).1["items"].as_array().unwrap().len();
        // Dry run: the counts of a real run, nothing written.
        let (s, r) = import(app, &t, "candidates", "dry_run=true", SEMI.as_bytes(), CSV);
        assert_eq!(s, 200, "{r}");
        assert_eq!(counts(&r), (3, 0, 0, 0), "{r}");
        assert_eq!((r["written"].as_bool(), r["encoding"].as_str()), (Some(false), Some("utf-8")));
        assert_eq!(app.get("/api/v1/candidates", &t).1["items"].as_array().unwrap().len(), before);

        let (s, r) = import(app, &t, "candidates", "dry_run=false", SEMI.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (3, 0, 0, 0)), "{r}");
        let got = by_external(app, &t);
        let soren = &got["K-1"];
        assert_eq!(soren["name"], "Søren Ærø");
        assert_eq!(soren["driving_licence"], true);
        assert_eq!(soren["own_car"], false);
        assert_eq!(soren["certificates"], json!(["truckcertifikat"]));
        assert_eq!(soren["languages"], json!(["dansk", "engelsk"]));
        assert!(soren["consent_given_at"].is_null(), "no consent columns, no consent");
        assert_eq!(got["K-3"]["certificates"], json!(["svejsecertifikat", "kran"]));
        let sid = soren["id"].as_i64().unwrap();
        let wishes = app.get(&format!("/api/v1/candidates/{sid}"), &t).1["occupation_wishes"].clone();
        assert_eq!(wishes.as_array().unwrap().len(), 2, "{wishes}");
        assert_eq!(audit_of(app, sid).len(), 1);
        // The profile fields show on the candidates page of the candidate's own centre only.
        let (s, page) = app.raw("GET", "/candidates", Some(&t), None, "");
        assert_eq!(s, 200);
        assert!(page.contains("<td data-label=\"Profil\">Kørekort, truckcertifikat, dansk, engelsk</td>"), "{page}");
        let other = app.login("brondby.konsulent");
        assert!(!app.raw("GET", "/candidates", Some(&other), None, "").1.contains("Søren Ærø"));

        // The same file again: all unchanged, nothing written (no new audit rows).
        let (s, r) = import(app, &t, "candidates", "", SEMI.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (0, 0, 3, 0)), "{r}");
        assert_eq!(audit_of(app, sid).len(), 1);
        assert_eq!(by_external(app, &t), got);

        // One changed row: updated, and audited as "imported" with the changed fields.
        let changed = SEMI.replace("+45 20 30 40 50;2605", "+45 99 88 77 66;2605");
        let (s, r) = import(app, &t, "candidates", "", changed.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (0, 1, 2, 0)), "{r}");
        let log = audit_of(app, sid);
        assert_eq!(log[0].0, "imported");
        let changes = log[0].1["changes"].as_object().unwrap();
        assert_eq!(changes.keys().collect::<Vec<_>>(), ["phone"], "{changes:?}");
        assert_eq!(changes["phone"]["from"], "+45 20 30 40 50");
        assert_eq!(changes["phone"]["to"], "+45 99 88 77 66");
        assert_eq!(by_external(app, &t)["K-1"]["phone"], "+45 99 88 77 66");

        // Another centre's import of the same ids is its own: nothing of Frederiksberg's changes.
        let g = app.login("glostrup.konsulent");
        let (s, r) = import(app, &g, "candidates", "", SEMI.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (3, 0, 0, 0)), "{r}");
        assert_eq!(by_external(app, &t)["K-1"]["phone"], "+45 99 88 77 66");
    }

    comma_separated_windows_1252(app) {
        let t = app.login("frederiksberg.konsulent");
        // As Danish Excel saves ANSI CSV: Windows-1252 bytes for Æ, Ø, Å.
        let mut body = b"external_id,name,postcode,consent_given_at,share_email\r\n".to_vec();
        body.extend_from_slice(b"W-1,\xc6ble \xd8rsted \xc5gesen,2605,2026-11-01,ja\r\n");
        let (s, r) = import(app, &t, "candidates", "", &body, CSV);
        assert_eq!((s, counts(&r)), (200, (1, 0, 0, 0)), "{r}");
        assert_eq!(r["encoding"], "windows-1252");
        let c = &by_external(app, &t)["W-1"];
        assert_eq!(c["name"], "Æble Ørsted Ågesen");
        // Consent only from the explicit columns.
        assert_eq!(c["consent_given_at"], "2026-11-01T00:00:00");
        assert_eq!((c["share_email"].as_bool(), c["share_phone"].as_bool()), (Some(true), Some(false)));
    }

    xlsx_and_templates(app) {
        let t = app.login("frederiksberg.konsulent");
        for kind in ["candidates", "orders"] {
            let res = ureq::get(&app.url(&format!("/api/v1/import/{kind}/template.xlsx")))
                .set("Authorization", &format!("Bearer {t}"))
                .call()
                .unwrap();
            assert_eq!(res.content_type(), XLSX);
            let mut xlsx = Vec::new();
            std::io::Read::read_to_end(&mut res.into_reader(), &mut xlsx).unwrap();
            // The template's example row imports as it is.
            let (s, r) = import(app, &t, kind, "", &xlsx, XLSX);
            assert_eq!((s, counts(&r)), (200, (1, 0, 0, 0)), "{kind}: {r}");
            assert_eq!(r["encoding"], "xlsx");
            let (s, r) = import(app, &t, kind, "", &xlsx, XLSX);
            assert_eq!((s, counts(&r)), (200, (0, 0, 1, 0)), "{kind} again: {r}");
            let (s, csv) = app.raw("GET", &format!("/api/v1/import/{kind}/template.csv"), Some(&t), None, CSV);
            assert_eq!(s, 200);
            assert!(csv.starts_with("\u{feff}ekstern_id;"), "{csv}");
            let (s, r) = import(app, &t, kind, "", csv.as_bytes(), CSV);
            assert_eq!((s, counts(&r)), (200, (0, 0, 1, 0)), "{kind} csv template: {r}");
        }
        // A spreadsheet with numbers where the case software exports numbers.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (i, h) in ["external_id", "navn", "postnummer", "telefon"].iter().enumerate() {
            sheet.write_string(0, i as u16, *h).unwrap();
        }
        sheet.write_number(1, 0, 4711).unwrap();
        sheet.write_string(1, 1, "Ørjan Åkerlund").unwrap();
        sheet.write_number(1, 2, 2605).unwrap();
        sheet.write_number(1, 3, 20304050).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let (s, r) = import(app, &t, "candidates", "", &bytes, XLSX);
        assert_eq!((s, counts(&r)), (200, (1, 0, 0, 0)), "{r}");
        let c = &by_external(app, &t)["4711"];
        assert_eq!((c["name"].as_str(), c["postcode"].as_str(), c["phone"].as_str()), (Some("Ørjan Åkerlund"), Some("2605"), Some("20304050")));
    }

    duplicates_on_import_and_creation(app) {
        let t = app.login("frederiksberg.konsulent");
        let (s, c) = app.post("/api/v1/candidates", &t, json!({"name": "Anne Hansen", "email": "anne@borger.example", "phone": "+45 11 22 33 44", "postcode": "2000"}));
        assert_eq!(s, 201, "{c}");
        let anne = c["id"].as_i64().unwrap();
        // Manual creation: each rule answers 409 naming the candidate, unless allowed.
        for (body, on) in [
            (json!({"name": "A. Hansen", "email": "ANNE@borger.example"}), "email"),
            (json!({"name": "Anne H", "phone": "11223344"}), "phone"),
            (json!({"name": "anne  hansen", "postcode": "2000"}), "name_postcode"),
        ] {
            let (s, e) = app.post("/api/v1/candidates", &t, body.clone());
            assert_eq!((s, e["duplicate_of"].as_i64()), (409, Some(anne)), "{body}: {e}");
            assert_eq!(e["detail"]["matched_on"], on);
            let mut allowed = body.clone();
            allowed["allow_duplicate"] = json!(true);
            assert_eq!(app.post("/api/v1/candidates", &t, allowed).0, 201, "{body}");
        }
        // Not a duplicate: same name elsewhere; and another centre's Anne is not mine.
        assert_eq!(app.post("/api/v1/candidates", &t, json!({"name": "Anne Hansen", "postcode": "2605"})).0, 201);
        let g = app.login("glostrup.konsulent");
        assert_eq!(app.post("/api/v1/candidates", &g, json!({"name": "Anne Hansen", "email": "anne@borger.example"})).0, 201);

        // Import: flagged in the preview (an existing candidate, or an earlier line), still imported.
        let file = "external_id;name;email;phone;postcode\n\
                    D-1;Anne Hansen-Berg;anne@borger.example;;\n\
                    D-2;Ny Person;ny@borger.example;40404040;\n\
                    D-3;Ny Person To;;+45 40 40 40 40;\n";
        let (s, r) = import(app, &t, "candidates", "dry_run=true", file.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (3, 0, 0, 0)), "{r}");
        let d = r["duplicates"].as_array().unwrap();
        assert_eq!(d.len(), 2, "{r}");
        assert_eq!((d[0]["line"].as_u64(), d[0]["duplicate_of"].as_i64(), d[0]["matched_on"].as_str()), (Some(2), Some(anne), Some("email")));
        assert_eq!((d[1]["line"].as_u64(), d[1]["duplicate_of_line"].as_u64(), d[1]["matched_on"].as_str()), (Some(4), Some(3), Some("phone")));
    }

    broken_row_5000_imports_nothing(app) {
        let t = app.login("frederiksberg.konsulent");
        let before = app.get("/api/v1/candidates", &t).1["items"].as_array().unwrap().len();
        let mut file = String::from("external_id;navn;e-mail;postnummer\n");
        for i in 2..=6000 {
            let email = if i == 5000 { "not-an-email".to_string() } else { format!("p{i}@borger.example") };
            file.push_str(&format!("B-{i};Person {i};{email};2605\n"));
        }
        let (s, r) = import(app, &t, "candidates", "", file.as_bytes(), CSV);
        assert_eq!(s, 422, "{r}");
        assert_eq!(r["errors"], json!([{"line": 5000, "field": "e-mail", "message": "must be an email address"}]));
        assert_eq!(r["written"], false);
        assert_eq!(app.get("/api/v1/candidates", &t).1["items"].as_array().unwrap().len(), before, "nothing written");
        // "Import the valid rows": all but line 5000.
        let (s, r) = import(app, &t, "candidates", "skip_invalid=true", file.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (5998, 0, 0, 1)), "{}", r["errors"]);
        assert_eq!(r["written"], true);
    }

    limits_and_malformed_files(app) {
        let t = app.login("frederiksberg.konsulent");
        let problem = |body: &[u8], ct: &str| {
            let (s, e) = import(app, &t, "candidates", "", body, ct);
            assert_eq!(s, 422, "{e}");
            e["detail"]["message"].as_str().unwrap_or_default().to_string()
        };
        assert!(problem(b"", CSV).contains("empty"));
        assert!(problem(b"PK\x03\x04 not really a workbook", XLSX).contains("malformed XLSX"));
        assert!(problem(b"just some text", XLSX).contains("malformed XLSX"));
        assert!(problem(b"external_id;navn;skonummer\nX;Y;42\n", CSV).contains("unknown header 'skonummer'"));
        assert!(problem(b"external_id;navn\nX;Y;Z\n", CSV).contains("line 2: too many columns"));
        assert!(problem(b"navn\nY\n", CSV).contains("external_id"));
        assert_eq!(import(app, &t, "employers", "", b"a\nb\n", CSV).0, 404);
    }

    orders_import_and_driving_licence_matching(app) {
        let t = app.login("brondby.konsulent");
        let file = "ekstern_id;titel;stillingsbetegnelse;virksomhed;startdato;ledige_pladser;arbejdsopgaver;arbejdssted_postnummer;kræver_kørekort\n\
                    O-1;Chauffør til kantine;Kok;Kantinen A/S;01-12-2026;2;Kørsel og madlavning;2605;ja\n\
                    O-2;Kok;Kok;Kantinen A/S;2026-12-01;1;Madlavning;2605;nej\n";
        let (s, r) = import(app, &t, "orders", "", file.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (2, 0, 0, 0)), "{r}");
        let (s, r) = import(app, &t, "orders", "", file.as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (0, 0, 2, 0)), "{r}");
        let mine = app.get("/api/v1/dashboard/my-orders?q=Chauff", &t).1;
        let id = mine["items"][0]["id"].as_i64().unwrap();
        let o = app.get(&format!("/api/v1/orders/{id}"), &t).1;
        assert_eq!((o["external_id"].as_str(), o["requires_driving_licence"].as_bool()), (Some("O-1"), Some(true)), "{o}");
        // A changed order is updated and audited as imported.
        let (s, r) = import(app, &t, "orders", "", file.replace(";2;Kørsel", ";3;Kørsel").as_bytes(), CSV);
        assert_eq!((s, counts(&r)), (200, (0, 1, 1, 0)), "{r}");
        let log = app.get(&format!("/api/v1/orders/{id}/audit"), &t).1;
        assert_eq!(log["items"][0]["action"], "imported");
        assert_eq!(log["items"][0]["detail"]["vacancies"]["to"], 3);

        // Matching: without a licence a candidate is left out of the order that requires one.
        let mut ids = Vec::new();
        for (name, licence) in [("Med Kørekort", true), ("Uden Kørekort", false)] {
            let (s, c) = app.post("/api/v1/candidates", &t, json!({"name": name, "occupations": ["kok"], "postcode": "2605", "driving_licence": licence}));
            assert_eq!(s, 201, "{c}");
            let cid = c["id"].as_i64().unwrap();
            app.post(&format!("/api/v1/candidates/{cid}/consent"), &t, json!({}));
            ids.push(cid);
        }
        let names = |order: i64| -> Vec<(String, String)> {
            app.get(&format!("/api/v1/orders/{order}/matches"), &t).1["items"].as_array().unwrap().iter()
                .map(|m| (m["candidate"]["name"].as_str().unwrap().to_string(), m["reason"].as_str().unwrap().to_string()))
                .collect()
        };
        let m = names(id);
        assert_eq!(m.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["Med Kørekort"], "{m:?}");
        assert!(m[0].1.contains("kørekort"), "the reason says so: {m:?}");
        let other = app.get("/api/v1/dashboard/my-orders?q=Kok&sort=title", &t).1["items"].as_array().unwrap().iter()
            .find(|o| o["title"] == "Kok").unwrap()["id"].as_i64().unwrap();
        assert_eq!(names(other).len(), 2, "an order without the requirement takes both");
    }
}

#[test]
fn body_over_the_limit_is_413() {
    let app = common::TestApp::start_with(common::Backend::Sqlite, |c| c.import_max_bytes = 64 * 1024);
    let t = app.login("frederiksberg.konsulent");
    let mut file = String::from("external_id;navn\n");
    while file.len() <= 64 * 1024 {
        file.push_str("X-1;Navn Navnesen\n");
    }
    let (s, e) = import(&app, &t, "candidates", "dry_run=true", file.as_bytes(), CSV);
    assert_eq!(s, 413, "{e}");
    assert!(e["error"].is_string(), "{e}");
}
