//! The lists and the report tables as XLSX, read back with calamine: the same rows and
//! values as the CSV of the same query, dates as date cells, the header bold and frozen with
//! an autofilter, another centre's private texts never in it; and the export log: one row
//! per export (who, list, query, rows), read by an administrator only. SQLite and PostgreSQL.

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// GET with a bearer token (or a session cookie for a page): status, headers, body bytes.
fn fetch(app: &common::TestApp, path: &str, token: &str, page: bool) -> (u16, HashMap<String, String>, Vec<u8>) {
    let req = ureq::get(&app.url(path));
    let req = if page {
        req.set("Cookie", &format!("staer_session={token}"))
    } else {
        req.set("Authorization", &format!("Bearer {token}"))
    };
    let r = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let headers = r
        .headers_names()
        .into_iter()
        .map(|h| (h.clone(), r.header(&h).unwrap_or("").to_string()))
        .collect();
    let status = r.status();
    let mut body = Vec::new();
    r.into_reader().read_to_end(&mut body).unwrap();
    (status, headers, body)
}

/// The first sheet's cells, row by row.
fn cells(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let range = book.worksheet_range_at(0).expect("a sheet").unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// A file inside the XLSX (it is a zip of XML files).
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

/// A CSV body's records (`;` for the spreadsheet flavour, `,` for the plain one).
fn csv_rows(body: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// An XLSX cell as the Danish CSV writes it; dates come back as their own text.
fn as_csv_text(d: &Data, like: &str) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::DateTime(x) => {
            let t = x.as_datetime().expect("a date");
            // The CSV's form tells a date from a time.
            if like.len() == 10 {
                t.format("%d-%m-%Y").to_string()
            } else {
                // Excel keeps a time as a fraction of a day: round to the second.
                (t + chrono::Duration::milliseconds(500))
                    .format("%d-%m-%Y %H:%M:%S")
                    .to_string()
            }
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

/// The same rows and values: the XLSX read back, cell by cell, against the Danish CSV.
fn same_as_csv(app: &common::TestApp, token: &str, path: &str) -> Vec<Vec<Data>> {
    let (s, h, csv) = fetch(app, &format!("{path}&format=csv&lang=da"), token, false);
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&csv));
    let (s, hx, xlsx) = fetch(app, &format!("{path}&format=xlsx&lang=da"), token, false);
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&xlsx));
    assert_eq!(hx["content-type"], XLSX, "{hx:?}");
    let cd = &hx["content-disposition"];
    assert!(
        cd.starts_with("attachment; filename=\"staer-") && cd.ends_with(".xlsx\""),
        "{cd}"
    );
    assert_eq!(
        cd.replace(".xlsx", ".csv"),
        h["content-disposition"],
        "the CSV's name, another extension"
    );
    if path.contains("all=1") {
        assert_eq!(hx["x-export-rows"], h["x-export-rows"], "{path}");
    }
    let want = csv_rows(&csv, b';');
    let got = cells(&xlsx);
    assert_eq!(got.len(), want.len(), "{path}: rows");
    for (r, (g, w)) in got.iter().zip(&want).enumerate() {
        let g: Vec<String> = g.iter().zip(w).map(|(d, w)| as_csv_text(d, w)).collect();
        assert_eq!(&g, w, "{path}: row {r}");
    }
    got
}

fn column(rows: &[Vec<Data>], label: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == &Data::String(label.into()))
        .unwrap_or_else(|| panic!("no column {label}: {:?}", rows[0]))
}

on_both! {
    xlsx_holds_the_csvs_rows_typed(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        // A title a spreadsheet would run as a formula, and more rows than one read window.
        app.create_order(&brondby, json!({"title": "=1+2 bulk"}));
        app.bulk_orders(&brondby, 1_234);
        let mine = "/api/v1/dashboard/my-orders";
        // Every matching row, filtered and sorted; one page; an empty result.
        let rows = same_as_csv(app, &brondby, &format!("{mine}?q=bulk&status=open&sort=title&all=1"));
        assert_eq!(rows.len(), 1 + 1 + 1_234 - 412 + 1, "header, =1+2, open bulk rows, the seed");
        let formula = Data::String("=1+2 bulk".into());
        let row = rows.iter().find(|r| r[column(&rows, "Titel")] == formula).expect("a text cell, not a formula");
        for label in ["Startdato", "Oprettet", "Ændret"] {
            assert!(matches!(row[column(&rows, label)], Data::DateTime(_)), "{label} is a date cell");
        }
        assert!(matches!(row[column(&rows, "Id")], Data::Float(_)), "numbers are numbers");
        assert!(rows[1..].iter().all(|r| r[column(&rows, "Status")] == Data::String("Åben".into())));
        same_as_csv(app, &brondby, &format!("{mine}?q=bulk&sort=vacancies&dir=desc&page=3&per_page=25"));
        assert_eq!(same_as_csv(app, &brondby, &format!("{mine}?q=nothing-matches&all=1")).len(), 1);
        // The other two lists.
        app.shared_order(&brondby, json!({"title": "Delt kok"}), &["HRS"]);
        same_as_csv(app, &frb, "/api/v1/dashboard/shared-orders?all=1");
        let refs = same_as_csv(app, &frb, "/api/v1/dashboard/my-referrals?sort=state&all=1");
        assert!(refs.iter().any(|r| r.contains(&Data::String("Trukket tilbage".into()))), "Danish state labels");

        // The header is bold and frozen, with an autofilter over the table; sensible widths.
        let (_, _, x) = fetch(app, &format!("{mine}?q=bulk&format=xlsx&all=1"), &brondby, false);
        let sheet = part(&x, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"), "{}", &sheet[..600]);
        assert!(sheet.contains("<autoFilter ref=\"A1:L1237\"/>"), "{}", &sheet[..900]);
        assert!(sheet.contains("<c r=\"A1\" s=\"1\""), "the header has its own style");
        assert!(part(&x, "xl/styles.xml").contains("<b/>"), "a bold font");
        assert!(sheet.contains("<cols>") && sheet.contains("customWidth=\"1\""), "column widths");
        // No `lang`: the user's language (Danish); `lang=en`: English labels and states.
        assert_eq!(cells(&x)[0][1], Data::String("Titel".into()));
        let (_, h, en) = fetch(app, &format!("{mine}?q=bulk&status=closed&format=xlsx&lang=en&all=1"), &brondby, false);
        let en = cells(&en);
        assert!(h["content-disposition"].contains("-all.xlsx"), "{h:?}");
        assert_eq!(en[0][..3], [Data::String("ID".into()), Data::String("Title".into()), Data::String("Occupation".into())]);
        assert_eq!(en.len(), 1 + 412);
        assert!(en[1..].iter().all(|r| r[11] == Data::String("Closed".into())));
        // Bad options name their field.
        for (path, field) in [(format!("{mine}?format=xls"), "format"), (format!("{mine}?format=xlsx&lang=de"), "lang"), (format!("{mine}?format=xlsx&all=yes"), "all")] {
            let (s, e) = app.get(&path, &brondby);
            assert_eq!((s, e["detail"]["field"].as_str()), (422, Some(field)), "{path}: {e}");
        }

        // A report table: the CSV's numbers, under the page's labels.
        for key in ["states", "decisions", "partners"] {
            let (s, h, csv) = fetch(app, &format!("/api/v1/reports/{key}.csv?lang=da"), &brondby, false);
            assert_eq!(s, 200);
            let (s, hx, xlsx) = fetch(app, &format!("/api/v1/reports/{key}.xlsx?lang=da"), &brondby, false);
            assert_eq!((s, hx["content-type"].as_str()), (200, XLSX), "{key}");
            assert_eq!(hx["content-disposition"].replace(".xlsx", ".csv"), h["content-disposition"]);
            let (want, got) = (csv_rows(&csv, b','), cells(&xlsx));
            assert_eq!(got.len(), want.len(), "{key}");
            for (g, w) in got[1..].iter().zip(&want[1..]) {
                for (d, w) in g.iter().zip(w) {
                    match d {
                        Data::Float(f) => assert_eq!(*f, w.parse::<f64>().unwrap(), "{key}"),
                        Data::Empty => assert_eq!(w, "", "{key}"),
                        Data::String(_) => assert!(w.parse::<f64>().is_err(), "{key}: {w} as text"),
                        other => panic!("{key}: {other:?}"),
                    }
                }
            }
            assert!(part(&xlsx, "xl/worksheets/sheet1.xml").contains("state=\"frozen\""));
        }
        let states = cells(&fetch(app, "/api/v1/reports/states.xlsx?lang=da", &brondby, false).2);
        assert_eq!(states[0][0], Data::String("Måned".into()));
        assert_eq!(fetch(app, "/api/v1/reports/nope.xlsx", &brondby, false).0, 404);
    }

    private_texts_never_leave_the_owning_centre(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        app.shared_order(&brondby, json!({
            "title": "Kok med hemmelig løn",
            "qualifications_and_pay": "PRIVAT: 999 kr/t",
            "working_hours": "PRIVAT: nattevagt",
            "employer_email": "privat@kantinen.example",
        }), &["HRS"]);
        for path in [
            "/api/v1/dashboard/shared-orders?format=xlsx&all=1",
            "/api/v1/dashboard/shared-orders?format=xlsx&lang=en",
            "/api/v1/dashboard/shared-orders?format=csv&lang=da&all=1",
            "/api/v1/dashboard/my-referrals?format=xlsx&all=1",
            "/api/v1/reports/partners.xlsx",
            "/api/v1/reports/network-1.xlsx",
        ] {
            let (s, _, bytes) = fetch(app, path, &frb, false);
            assert_eq!(s, 200, "{path}");
            let mut text = String::from_utf8_lossy(&bytes).to_string();
            if path.contains("xlsx") {
                let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
                for i in 0..zip.len() {
                    let mut f = zip.by_index(i).unwrap();
                    f.read_to_string(&mut text).unwrap();
                }
            }
            assert!(!text.contains("PRIVAT") && !text.contains("privat@"), "{path}");
            if path.contains("shared-orders") {
                assert!(text.contains("Kok med hemmelig løn"), "{path}: the order is listed");
            }
        }
    }

    every_export_is_logged_and_only_an_admin_reads_the_log(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let admin = app.login("admin");
        app.bulk_orders(&brondby, 30);
        let log = |q: &str| {
            let (s, v) = app.get(&format!("/api/v1/admin/exports?{q}"), &admin);
            assert_eq!(s, 200, "{v}");
            v
        };
        let before = log("")["total"].as_i64().unwrap();
        // JSON lists and pages are not exports.
        app.get("/api/v1/dashboard/my-orders?q=bulk", &brondby);
        assert_eq!(log("")["total"].as_i64().unwrap(), before);

        let exports = [
            ("/api/v1/dashboard/my-orders?q=bulk&status=open&format=xlsx&all=1", "my-orders", "xlsx", 21),
            ("/api/v1/dashboard/my-orders?q=bulk&format=csv&lang=da&all=1", "my-orders", "csv", 31),
            ("/api/v1/dashboard/my-orders?q=bulk&format=csv&per_page=7&page=2", "my-orders", "csv", 7),
            ("/api/v1/dashboard/my-orders?q=bulk&format=xlsx&per_page=25&page=2", "my-orders", "xlsx", 6),
            ("/api/v1/dashboard/my-referrals?format=xlsx&all=1", "my-referrals", "xlsx", -1),
            ("/api/v1/dashboard/shared-orders?format=csv", "shared-orders", "csv", -1),
            ("/api/v1/reports/states.csv?from=2026-01&to=2026-03", "report/states", "csv", 3),
            ("/api/v1/reports/shares.xlsx", "report/shares", "xlsx", -1),
        ];
        for (path, list, format, rows) in exports {
            let (s, _, body) = fetch(app, path, &brondby, false);
            assert_eq!(s, 200, "{path}");
            let v = log("user=brondby.konsulent&per_page=1");
            let e = &v["items"][0];
            let query = path.split_once('?').map_or("", |p| p.1);
            assert_eq!((e["list"].as_str(), e["format"].as_str(), e["query"].as_str()), (Some(list), Some(format), Some(query)), "{e}");
            assert_eq!(e["username"], "brondby.konsulent");
            assert_eq!(e["authority_number"], "15.300");
            // The row count is the file's.
            let n = if format == "xlsx" { cells(&body).len() } else { csv_rows(&body, if path.contains("lang=") { b';' } else { b',' }).len() } as i64 - 1;
            assert_eq!(e["rows"].as_i64(), Some(n), "{path}");
            if rows >= 0 {
                assert_eq!(n, rows, "{path}");
            }
        }
        // The access export, by the API and as a page.
        let cand = app.candidate(&frb, "Ida Indsigt", true);
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}/export"), &frb).0, 200);
        assert_eq!(fetch(app, &format!("/candidates/{cand}/export"), &frb, true).0, 200);
        let v = log("user=frederiksberg.konsulent");
        assert_eq!(v["total"], 2, "{v}");
        for (e, format) in v["items"].as_array().unwrap().iter().zip(["html", "json"]) {
            assert_eq!((e["list"].as_str(), e["format"].as_str(), e["rows"].as_i64()), (Some("candidate"), Some(format), Some(1)), "{e}");
            assert_eq!(e["query"], format!("candidate_id={cand}"));
        }
        // A refused export (another centre's candidate) is no export.
        assert_eq!(app.get(&format!("/api/v1/candidates/{cand}/export"), &brondby).0, 404);

        // Newest first, a page at a time; an unknown user has none.
        let all = log("per_page=200");
        assert_eq!(all["total"].as_i64().unwrap(), before + 10);
        let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
        let p2 = log("per_page=3&page=2");
        let p2_ids: Vec<i64> = p2["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(p2_ids, ids[3..6]);
        assert_eq!(log("user=brondby.konsulent")["total"], 8);
        assert_eq!(log("user=nobody")["total"], 0);
        let (s, e) = app.get("/api/v1/admin/exports?page=two", &admin);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("page")), "{e}");

        // Not for consultants: 403 from the API and the page; the admin's page lists them.
        assert_eq!(app.get("/api/v1/admin/exports", &brondby).0, 403);
        let (s, _, html) = fetch(app, "/admin/exports", &brondby, true);
        assert_eq!(s, 403);
        assert!(!String::from_utf8_lossy(&html).contains("candidate_id&#x3D;"));
        let (s, _, html) = fetch(app, "/admin/exports?user=frederiksberg.konsulent", &admin, true);
        // Handlebars writes `=` as an entity.
        let html = String::from_utf8_lossy(&html).replace("&#x3D;", "=");
        assert_eq!(s, 200);
        assert!(html.contains("Eksportlog") && html.contains(&format!("candidate_id={cand}")), "{html}");
        assert!(!html.contains(">my-orders</td>"), "filtered by user");
        let (_, _, html) = fetch(app, "/admin/exports?per_page=2&page=2", &admin, true);
        assert!(String::from_utf8_lossy(&html).contains("aria-current=\"page\">2<"), "the pager");
    }
}
