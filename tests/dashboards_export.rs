//! The dashboards' status filter, page sizes and export of every matching row, as a
//! spreadsheet opens it (BOM, `;`, Danish labels and states), over HTTP and on the pages.
//! On SQLite and PostgreSQL.

mod common;

/// GET with a bearer token: status, header lookups and body text.
fn fetch(app: &common::TestApp, path: &str, token: &str) -> (u16, std::collections::HashMap<String, String>, String) {
    let r = match ureq::get(&app.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let headers = r
        .headers_names()
        .into_iter()
        .map(|h| (h.clone(), r.header(&h).unwrap_or("").to_string()))
        .collect();
    (r.status(), headers, r.into_string().unwrap())
}

on_both! {
    status_filter_and_page_size(app) {
        let frb = app.login("frederiksberg.konsulent");
        let brondby = app.login("brondby.konsulent");
        // Referral states: Frederiksberg's demo referrals are pending, available and withdrawn.
        let base = "/api/v1/dashboard/my-referrals";
        let all = app.get(base, &frb).1;
        assert_eq!(all["total"], 3);
        for (st, n) in [("pending_approval", 1), ("available_to_company", 1), ("withdrawn", 1), ("rejected", 0)] {
            let v = app.get(&format!("{base}?status={st}"), &frb).1;
            assert_eq!(v["total"], n, "{st}: {v}");
            assert!(v["items"].as_array().unwrap().iter().all(|i| i["state"] == st), "{st}: {v}");
        }
        // With a search too (the joined count).
        assert_eq!(app.get(&format!("{base}?status=withdrawn&q=emil"), &frb).1["total"], 1);
        assert_eq!(app.get(&format!("{base}?status=pending_approval&q=emil"), &frb).1["total"], 0);
        // Order status.
        let mine = "/api/v1/dashboard/my-orders";
        let open = app.get(&format!("{mine}?status=open&per_page=200"), &brondby).1;
        let closed = app.get(&format!("{mine}?status=closed&per_page=200"), &brondby).1;
        let every = app.get(&format!("{mine}?per_page=200"), &brondby).1;
        assert!(closed["total"].as_i64().unwrap() >= 1, "the demo has a closed order");
        assert_eq!(open["total"].as_i64().unwrap() + closed["total"].as_i64().unwrap(), every["total"].as_i64().unwrap());
        assert!(open["items"].as_array().unwrap().iter().all(|i| i["status"] == "open"));
        assert!(closed["items"].as_array().unwrap().iter().all(|i| i["status"] == "closed"));
        // A status of another list, or none at all: 422 naming the field.
        for bad in [format!("{mine}?status=withdrawn"), format!("{base}?status=open"), "/api/v1/dashboard/shared-orders?status=closed".into()] {
            let (s, e) = app.get(&bad, &brondby);
            assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("status")), "{bad}: {e}");
        }

        // Page sizes 25/50/100/200 over 230 rows.
        app.bulk_orders(&brondby, 230);
        for n in [25, 50, 100, 200] {
            let v = app.get(&format!("{mine}?q=bulk&per_page={n}"), &brondby).1;
            assert_eq!((v["per_page"].as_i64(), v["items"].as_array().unwrap().len()), (Some(n), n as usize));
        }
        // The page offers the sizes and the filter, and keeps the filter in its links.
        use std::io::Read;
        let mut page_html = String::new();
        let r = ureq::get(&app.url("/dashboard/my-referrals?status=withdrawn&per_page=25")).set("Cookie", &format!("staer_session={frb}")).call().unwrap();
        r.into_reader().read_to_string(&mut page_html).unwrap();
        for want in ["<option value=\"25\" selected>25</option>", "<option value=\"200\">200</option>",
                     "<option value=\"withdrawn\" selected>Trukket tilbage</option>", "Emil Larsen"] {
            assert!(page_html.contains(want), "{want}");
        }
        assert!(!page_html.contains("Anna Jensen"), "filtered out");
        let unescaped = page_html.replace("&#x3D;", "=").replace("&amp;", "&");
        assert!(unescaped.contains("status=withdrawn&sort="), "links keep the filter");
        assert!(unescaped.contains("format=csv&lang=da&status=withdrawn&sort=created_at&dir=desc&all=1"), "an export-all link");
    }

    export_every_matching_row_as_danish_excel_opens_it(app) {
        let brondby = app.login("brondby.konsulent");
        app.bulk_orders(&brondby, 2_345);
        let mine = "/api/v1/dashboard/my-orders";
        let open = app.get(&format!("{mine}?q=bulk&status=open&per_page=1"), &brondby).1["total"].as_i64().unwrap();
        assert_eq!(open, 2_345 - 782 + 1, "every third closed; the seed order is open");
        // Every matching row, over several streamed windows, in the list's order.
        let (s, h, body) = fetch(app, &format!("{mine}?q=bulk&status=open&sort=title&format=csv&all=1&lang=da"), &brondby);
        assert_eq!(s, 200, "{body}");
        assert!(h["content-type"].starts_with("text/csv"), "{h:?}");
        assert!(h["content-disposition"].contains("-alle.csv"), "{h:?}");
        assert_eq!((h["x-total-count"].as_str(), h["x-export-truncated"].as_str()), (open.to_string().as_str(), "false"));
        let text = body.strip_prefix('\u{feff}').expect("a BOM");
        let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(text.as_bytes());
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header[..4], ["Id", "Titel", "Stillingsbetegnelse", "Anmodnings-id"]);
        assert_eq!(header.last().map(String::as_str), Some("Status"));
        assert!(header.contains(&"Oprettet".to_string()) && header.contains(&"Startdato".to_string()));
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.len() as i64, open, "every matching row, not a page");
        let titles: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
        let mut sorted = titles.clone();
        sorted.sort();
        assert_eq!(titles, sorted, "in the list's order, no window twice");
        let mut unique: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        unique.dedup();
        assert_eq!(unique.len(), rows.len());
        assert!(rows.iter().all(|r| &r[11] == "Åben"), "Danish status labels");
        assert_eq!(&rows[0][5], "01-01-2027", "dd-mm-yyyy");
        // Times: Copenhagen wall clock to the second, no fraction.
        let created = &rows[0][9];
        assert!(chrono::NaiveDateTime::parse_from_str(created, "%d-%m-%Y %H:%M:%S").is_ok(), "{created}");
        let utc = chrono::Utc::now().naive_utc();
        let local = chrono::NaiveDateTime::parse_from_str(created, "%d-%m-%Y %H:%M:%S").unwrap();
        let offset = (local - utc).num_minutes();
        assert!((55..=125).contains(&offset), "local time is UTC+1 or +2: {offset} min");

        // English labels in the English UI; the plain API CSV keeps field names and commas.
        let (_, _, en) = fetch(app, &format!("{mine}?q=bulk&status=closed&format=csv&all=1&lang=en"), &brondby);
        assert!(en.starts_with("\u{feff}ID;Title;Occupation;"), "{}", &en[..80]);
        assert_eq!(en.lines().count(), 1 + 782);
        assert!(en.lines().skip(1).all(|l| l.ends_with(";Closed")));
        let (_, _, plain) = fetch(app, &format!("{mine}?q=bulk&format=csv&all=1"), &brondby);
        assert!(plain.starts_with("\u{feff}id,title,occupation,"));
        assert_eq!(plain.lines().count(), 1 + 2_345 + 1);

        // The referral list in Danish state labels.
        let frb = app.login("frederiksberg.konsulent");
        let (_, _, refs) = fetch(app, "/api/v1/dashboard/my-referrals?format=csv&all=1&lang=da&sort=state", &frb);
        assert!(refs.contains(";Formidling tilgængelig for virksomhed;") && refs.contains(";Trukket tilbage;"), "{refs}");
        assert!(refs.lines().next().unwrap().contains("Borger;Status;Oprettet"), "{refs}");

        // Bad export options name their field; `all` belongs to CSV.
        for (path, field) in [(format!("{mine}?format=csv&lang=de"), "lang"), (format!("{mine}?all=1"), "all"), (format!("{mine}?format=csv&all=yes"), "all")] {
            let (s, e) = app.get(&path, &brondby);
            assert_eq!((s, e["detail"]["field"].as_str()), (422, Some(field)), "{path}: {e}");
        }
    }
}
