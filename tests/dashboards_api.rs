//! The dashboard lists over the JSON API and as CSV: search, sort, pages, limits, privacy
//! and tenancy. On SQLite and PostgreSQL.

mod common;

use serde_json::{json, Value};

/// GET with the status, content type, content disposition and body text.
fn fetch(app: &common::TestApp, path: &str, token: &str) -> (u16, String, String, String) {
    let res = ureq::get(&app.url(path))
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    let r = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {path}: {e}"),
    };
    let ct = r.header("content-type").unwrap_or("").to_string();
    let cd = r.header("content-disposition").unwrap_or("").to_string();
    (r.status(), ct, cd, r.into_string().unwrap())
}

fn list(app: &common::TestApp, token: &str, path: &str) -> Value {
    let (s, v) = app.get(path, token);
    assert_eq!(s, 200, "{path}: {v}");
    v
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| match &i[field] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect()
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

/// The JSON value as the CSV writes it.
fn as_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The CSV of `path` must be exactly the JSON page: same header fields, same rows, same cells.
fn assert_csv_matches(app: &common::TestApp, token: &str, path: &str) -> usize {
    let page = list(app, token, path);
    let sep = if path.contains('?') { '&' } else { '?' };
    let (s, ct, cd, body) = fetch(app, &format!("{path}{sep}format=csv"), token);
    assert_eq!(s, 200, "{body}");
    assert!(ct.starts_with("text/csv"), "{ct}");
    assert!(cd.starts_with("attachment;") && cd.contains(".csv"), "{cd}");
    let body = body.strip_prefix('\u{feff}').expect("CSV starts with a BOM");
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let items = page["items"].as_array().unwrap();
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), items.len(), "{path}: CSV rows = JSON items");
    for (rec, item) in records.iter().zip(items) {
        assert_eq!(
            header.len(),
            item.as_object().unwrap().len(),
            "every JSON field is a column"
        );
        for (i, field) in header.iter().enumerate() {
            assert_eq!(&rec[i], as_cell(&item[field]), "{path}: field {field}");
        }
    }
    records.len()
}

const WORDS: [&str; 12] = [
    "Kilo", "Alfa", "Hotel", "Echo", "Lima", "Bravo", "India", "Delta", "Juliet", "Charlie", "Golf", "Foxtrot",
];

/// Twelve orders whose titles, vacancies and start dates each sort differently.
fn seed_twelve(app: &common::TestApp, token: &str) -> Vec<Value> {
    WORDS
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let vacancies = [5, 3, 9, 3, 1, 7, 2, 8, 4, 6, 10, 11][i];
            let day = [12, 3, 25, 7, 1, 19, 28, 14, 9, 22, 5, 16][i];
            app.create_order(
                token,
                json!({
                    "title": format!("Dash {w}"),
                    "company_name": "Dashfirma A/S",
                    "vacancies": vacancies,
                    "start_date": format!("2027-01-{day:02}"),
                    "end_date": null,
                }),
            )
        })
        .collect()
}

on_both! {
    search_sort_and_pages(app) {
        let t = app.login("brondby.konsulent");
        let orders = seed_twelve(app, &t);
        let base = "/api/v1/dashboard/my-orders";

        // Search is case-insensitive over title, occupation, request id and company.
        let all = list(app, &t, &format!("{base}?q=DASH&per_page=200"));
        assert_eq!(all["total"], 12);
        assert_eq!(list(app, &t, &format!("{base}?q=dashfirma"))["total"], 12);
        let rid = orders[4]["request_id"].as_str().unwrap();
        let one = list(app, &t, &format!("{base}?q={rid}"));
        assert_eq!(ids(&one), [orders[4]["id"].as_i64().unwrap()]);
        // LIKE wildcards in the search are literal characters.
        for wild in ["%25", "_", "D%25h"] {
            assert_eq!(list(app, &t, &format!("{base}?q={wild}"))["total"], 0, "q={wild}");
        }
        let none = list(app, &t, &format!("{base}?q=ingen-saadan-ordre"));
        assert_eq!((none["total"].as_i64(), none["range"].as_str()), (Some(0), Some("0 - 0 af 0")));

        // Sorting by several columns, both directions.
        let mut titles: Vec<String> = WORDS.iter().map(|w| format!("Dash {w}")).collect();
        titles.sort();
        let asc = list(app, &t, &format!("{base}?q=dash&sort=title&dir=asc"));
        assert_eq!(strings(&asc, "title"), titles);
        let desc = list(app, &t, &format!("{base}?q=dash&sort=title&dir=desc"));
        titles.reverse();
        assert_eq!(strings(&desc, "title"), titles);

        let by_start = list(app, &t, &format!("{base}?q=dash&sort=start_date"));
        let starts = strings(&by_start, "start_date");
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);
        assert_eq!(starts[0], "2027-01-01");
        let by_start_desc = list(app, &t, &format!("{base}?q=dash&sort=start_date&dir=desc"));
        assert_eq!(strings(&by_start_desc, "start_date")[0], "2027-01-28");

        // Equal vacancies (two orders with 3) fall back to the id, in the same direction.
        let vac = list(app, &t, &format!("{base}?q=dash&sort=vacancies&dir=asc"));
        let v: Vec<i64> = vac["items"].as_array().unwrap().iter().map(|i| i["vacancies"].as_i64().unwrap()).collect();
        assert_eq!(v, [1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let threes: Vec<i64> = vac["items"].as_array().unwrap().iter().filter(|i| i["vacancies"] == 3).map(|i| i["id"].as_i64().unwrap()).collect();
        assert!(threes[0] < threes[1]);
        let vac_desc = list(app, &t, &format!("{base}?q=dash&sort=vacancies&dir=desc"));
        let mut rev = ids(&vac);
        rev.reverse();
        assert_eq!(ids(&vac_desc), rev, "desc is exactly asc reversed, ties included");

        // Pages: ranges as STÆR shows them, no overlap, together the whole sorted list.
        let mut seen = Vec::new();
        for (page, range, n) in [(1, "1 - 5 af 12", 5), (2, "6 - 10 af 12", 5), (3, "11 - 12 af 12", 2)] {
            let p = list(app, &t, &format!("{base}?q=dash&sort=vacancies&per_page=5&page={page}"));
            assert_eq!(p["range"], range);
            assert_eq!((p["page"].as_i64(), p["per_page"].as_i64(), p["total"].as_i64()), (Some(page), Some(5), Some(12)));
            assert_eq!(p["items"].as_array().unwrap().len(), n);
            seen.extend(ids(&p));
        }
        assert_eq!(seen, ids(&vac));
        let beyond = list(app, &t, &format!("{base}?q=dash&per_page=5&page=9"));
        assert_eq!((beyond["items"].as_array().unwrap().len(), beyond["total"].as_i64()), (0, Some(12)));

        // per_page: default 50, at most 200, at least 1.
        assert_eq!(list(app, &t, base)["per_page"], 50);
        assert_eq!(list(app, &t, &format!("{base}?per_page=100000"))["per_page"], 200);
        let min = list(app, &t, &format!("{base}?q=dash&per_page=0"));
        assert_eq!((min["per_page"].as_i64(), min["items"].as_array().unwrap().len()), (Some(1), 1));
        assert_eq!(min["range"], "1 - 1 af 12");

        // The default: newest first.
        let newest = list(app, &t, &format!("{base}?q=dash"));
        assert_eq!(ids(&newest)[0], orders[11]["id"].as_i64().unwrap());
    }

    thousands_in_range(app) {
        let t = app.login("glostrup.konsulent");
        // 1.001+ rows only to see the separator: cheap rows straight into the database.
        let me = app.get("/api/v1/auth/me", &t).1;
        let (uid, centre) = (me["id"].as_i64().unwrap(), me["job_centre"]["id"].as_i64().unwrap());
        let o = app.create_order(&t, json!({}));
        let company = app.state.db.read_blocking(|c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::job_orders;
            Ok(job_orders::table.find(o["id"].as_i64().unwrap()).select(job_orders::company_id).first::<i64>(c)?)
        }).unwrap();
        app.state.db.write_blocking(|c| {
            use diesel::prelude::*;
            use staer_hub::db::schema::job_orders as j;
            let now = chrono::Utc::now().naive_utc();
            let d = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
            for i in 0..1_233 {
                diesel::insert_into(j::table).values((
                    j::job_centre_id.eq(centre), j::title.eq(format!("Bulk {i:04}")), j::occupation.eq("Bulk"),
                    j::request_id.eq(format!("BULK-{i}")), j::company_id.eq(company), j::company_name.eq("Bulk ApS"),
                    j::start_date.eq(d), j::vacancies.eq(1), j::status.eq("open"), j::order_type.eq("Jobordre"),
                    j::responsible_consultant_id.eq(uid), j::coordinator_id.eq(uid), j::coordinator_allowed.eq(true),
                    j::task_description.eq("x"), j::qualifications_and_pay.eq(""), j::working_hours.eq(""),
                    j::search_text.eq(format!("bulk {i:04} bulk-{i} bulk aps")), j::created_at.eq(now), j::updated_at.eq(now),
                )).execute(c)?;
            }
            Ok(())
        }).unwrap();
        let p = list(app, &t, "/api/v1/dashboard/my-orders");
        assert_eq!((p["total"].as_i64(), p["range"].as_str()), (Some(1234), Some("1 - 50 af 1.234")));
        let p = list(app, &t, "/api/v1/dashboard/my-orders?per_page=200&page=7&sort=title");
        assert_eq!(p["range"], "1201 - 1234 af 1.234");
        assert_eq!(p["items"][0]["title"], "Bulk 1200");
    }

    csv_equals_json(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        seed_twelve(app, &brondby);
        // Commas, quotes and Danish letters survive the round trip.
        let f = app.create_order(&brondby, json!({"title": "Kok, \"køkken\" og æbler"}));
        assert_eq!(f["title"], "Kok, \"køkken\" og æbler");
        for path in [
            "/api/v1/dashboard/my-orders",
            "/api/v1/dashboard/my-orders?q=dash&sort=vacancies&dir=desc&per_page=5&page=2",
            "/api/v1/dashboard/my-orders?sort=end_date",
            "/api/v1/dashboard/my-referrals?sort=candidate_name",
        ] {
            assert!(assert_csv_matches(app, &brondby, path) > 0, "{path}");
        }
        for path in [
            "/api/v1/dashboard/shared-orders",
            "/api/v1/dashboard/shared-orders?sort=coordinator_external&dir=desc&per_page=1&page=2",
            "/api/v1/dashboard/my-referrals?sort=state&dir=desc",
        ] {
            assert!(assert_csv_matches(app, &frb, path) > 0, "{path}");
        }
        // An empty page still names its columns.
        let (s, _, _, body) = fetch(app, "/api/v1/dashboard/my-orders?q=nothing-matches&format=csv", &brondby);
        assert_eq!(s, 200);
        assert_eq!(body.trim_start_matches('\u{feff}').lines().collect::<Vec<_>>(), ["id,title,occupation,request_id,company_name,start_date,end_date,vacancies,referred,created_at,updated_at,status"]);
        // A title that a spreadsheet would run is prefixed.
        app.create_order(&brondby, json!({"title": "=HYPERLINK(\"http://x.example\")"}));
        let (_, _, _, body) = fetch(app, "/api/v1/dashboard/my-orders?q=hyperlink&format=csv", &brondby);
        assert!(body.contains("\"'=HYPERLINK(\"\"http://x.example\"\")\""), "{body}");
    }

    bad_params_are_422(app) {
        let t = app.login("brondby.konsulent");
        for (path, field) in [
            ("/api/v1/dashboard/shared-orders?sort=qualifications_and_pay", "sort"),
            ("/api/v1/dashboard/my-orders?sort=working_hours", "sort"),
            ("/api/v1/dashboard/my-referrals?sort=title%3BDROP%20TABLE%20referrals", "sort"),
            ("/api/v1/dashboard/my-orders?dir=sideways", "dir"),
            ("/api/v1/dashboard/my-orders?page=two", "page"),
            ("/api/v1/dashboard/my-orders?per_page=-", "per_page"),
            ("/api/v1/dashboard/my-orders?format=xls", "format"),
        ] {
            let (s, e) = app.get(path, &t);
            assert_eq!(s, 422, "{path}: {e}");
            assert_eq!(e["detail"]["field"], field, "{path}: {e}");
        }
        // A sort of another list's column is unknown here.
        let (s, e) = app.get("/api/v1/dashboard/shared-orders?sort=created_at", &t);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("sort")));
        assert_eq!(app.call("GET", "/api/v1/dashboard/my-orders", None, None).0, 401);
        assert_eq!(app.call("GET", "/api/v1/dashboard/shared-orders?format=csv", None, None).0, 401);
    }

    shared_orders_show_shared_fields_only(app) {
        let brondby = app.login("brondby.konsulent");
        let secret = json!({
            "title": "Smed til værksted", "occupation": "Smed", "company_name": "Jern & Stål A/S",
            "employer_email": "hemmelig.hr@jernogstaal.example",
            "qualifications_and_pay": "HEMMELIG-LØN-4711 kr", "working_hours": "HEMMELIG-TID-0815",
            "task_description": "Svejsning og montage", "coordinator_external": "Anne Ekstern",
        });
        let o = app.create_order(&brondby, secret.clone());
        let id = o["id"].as_i64().unwrap();
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &brondby, json!({})).0, 200);
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/shares"), &brondby, json!({"network": "HRS"})).0, 201);

        let frb = app.login("frederiksberg.konsulent");
        let p = list(app, &frb, "/api/v1/dashboard/shared-orders?q=smed");
        assert_eq!(p["total"], 1);
        let row = &p["items"][0];
        assert_eq!(row["id"], id);
        assert_eq!(row["primary_authority_name"], "Brøndby");
        assert_eq!(row["primary_authority_number"], "15.300");
        assert_eq!(row["responsible_consultant"], "Konsulent Brøndby");
        assert_eq!(row["coordinator"], "Konsulent Brøndby");
        assert_eq!(row["coordinator_external"], "Anne Ekstern");
        assert_eq!(row["type"], "Jobordre");
        assert_eq!(row["request_id"], o["request_id"]);
        // The centre's name is searchable too.
        assert!(list(app, &frb, "/api/v1/dashboard/shared-orders?q=br%C3%B8ndby")["total"].as_i64().unwrap() >= 1);

        // No private field or text in the JSON or the CSV, on any page of the list.
        for query in ["", "q=smed", "q=hemmelig", "sort=title&dir=desc"] {
            for fmt in ["json", "csv"] {
                let path = format!("/api/v1/dashboard/shared-orders?format={fmt}&{query}");
                let (s, _, _, body) = fetch(app, &path, &frb);
                assert_eq!(s, 200);
                assert!(body.contains("Smed til v") || query == "q=hemmelig", "{path}: {body}");
                for private in ["HEMMELIG", "hemmelig.hr@", "qualifications_and_pay", "working_hours", "employer_email", "Svejsning"] {
                    assert!(!body.contains(private), "{path} leaks {private}: {body}");
                }
            }
        }
        // Searching private texts finds nothing.
        assert_eq!(list(app, &frb, "/api/v1/dashboard/shared-orders?q=hemmelig")["total"], 0);

        // Sorting on the nullable external coordinator is the same on both backends: '' first.
        let asc = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=coordinator_external");
        let ext = strings(&asc, "coordinator_external");
        assert_eq!(ext.last().map(String::as_str), Some("Anne Ekstern"), "{ext:?}");
        let desc = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=coordinator_external&dir=desc");
        assert_eq!(strings(&desc, "coordinator_external")[0], "Anne Ekstern");

        // Only centres notified see it; the owner's own orders are not "shared with me".
        assert_eq!(list(app, &app.login("herlev.konsulent"), "/api/v1/dashboard/shared-orders?q=smed")["total"], 1);
        assert_eq!(list(app, &app.login("hillerod.konsulent"), "/api/v1/dashboard/shared-orders?q=smed")["total"], 0);
        assert_eq!(list(app, &brondby, "/api/v1/dashboard/shared-orders?q=smed")["total"], 0);
        assert_eq!(list(app, &brondby, "/api/v1/dashboard/my-orders?q=smed")["total"], 1);

        // A closed order is no longer offered.
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/close"), &brondby, json!({})).0, 200);
        assert_eq!(list(app, &frb, "/api/v1/dashboard/shared-orders?q=smed")["total"], 0);
    }

    shared_orders_sort_across_centres(app) {
        // Frederiksberg sees Brøndby's demo orders; Glostrup shares one more.
        let glostrup = app.login("glostrup.konsulent");
        let o = app.create_order(&glostrup, json!({"title": "Gartner", "vacancies": 50}));
        let id = o["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &glostrup, json!({}));
        app.post(&format!("/api/v1/orders/{id}/shares"), &glostrup, json!({"network": "HRS"}));
        let frb = app.login("frederiksberg.konsulent");
        let asc = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=primary_authority");
        let names = strings(&asc, "primary_authority_name");
        assert_eq!(names.first().map(String::as_str), Some("Brøndby"));
        assert_eq!(names.last().map(String::as_str), Some("Glostrup"));
        let desc = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=primary_authority&dir=desc");
        assert_eq!(strings(&desc, "primary_authority_name")[0], "Glostrup");
        let vac = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=vacancies&dir=desc");
        assert_eq!(vac["items"][0]["id"], id);
        let refd = list(app, &frb, "/api/v1/dashboard/shared-orders?sort=referred&dir=desc");
        let r: Vec<i64> = refd["items"].as_array().unwrap().iter().map(|i| i["referred"].as_i64().unwrap()).collect();
        assert!(r.windows(2).all(|w| w[0] >= w[1]), "{r:?}");
    }

    danish_letters_fold_in_name_searches(app) {
        // SQLite's own lower() folds ASCII only: "øjvind" would not find "Øjvind".
        let frb = app.login("frederiksberg.konsulent");
        for name in ["Øjvind Ærø", "Åse Østergård"] {
            assert_eq!(app.post("/api/v1/candidates", &frb, json!({"name": name})).0, 201);
        }
        let found = |q: &str| strings(&app.get(&format!("/api/v1/candidates?q={q}"), &frb).1, "name");
        assert_eq!(found("%C3%B8jvind"), ["Øjvind Ærø"]); // øjvind
        assert_eq!(found("%C3%85SE"), ["Åse Østergård"]); // ÅSE
        assert_eq!(found("%C3%A6r%C3%B8"), ["Øjvind Ærø"]); // ærø
        // A centre's name on the shared list: "BRØNDBY" finds Brøndby's orders.
        let upper = list(app, &frb, "/api/v1/dashboard/shared-orders?q=BR%C3%98NDBY");
        assert!(upper["total"].as_i64().unwrap() >= 1, "{upper}");
        assert!(strings(&upper, "primary_authority_name").iter().all(|n| n == "Brøndby"));
    }

    shared_orders_follow_start_date_and_status(app) {
        // The list reads its key from the notification rows: every change must reach them.
        let glostrup = app.login("glostrup.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let before = list(app, &frb, "/api/v1/dashboard/shared-orders")["total"].as_i64().unwrap();
        let o = app.create_order(&glostrup, json!({"title": "Flyttes", "start_date": "2099-12-01", "end_date": null}));
        let id = o["id"].as_i64().unwrap();
        app.post(&format!("/api/v1/orders/{id}/send-to-portal"), &glostrup, json!({}));
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/shares"), &glostrup, json!({"network": "HRS"})).0, 201);
        let all = "/api/v1/dashboard/shared-orders?per_page=200";
        let p = list(app, &frb, all);
        assert_eq!(p["total"].as_i64(), Some(before + 1));
        assert_eq!(ids(&p).last(), Some(&id), "latest start last");
        // Glostrup's own order is not on Glostrup's shared list, even though HRS notified it.
        assert!(!ids(&list(app, &glostrup, all)).contains(&id));

        // A new start date moves it to the front of the default sort, both ways.
        assert_eq!(app.patch(&format!("/api/v1/orders/{id}"), &glostrup, json!({"start_date": "2000-01-01", "confirm_past_start": true})).0, 200);
        assert_eq!(ids(&list(app, &frb, all)).first(), Some(&id));
        let desc = list(app, &frb, "/api/v1/dashboard/shared-orders?per_page=200&dir=desc");
        assert_eq!(ids(&desc).last(), Some(&id));
        assert_eq!(strings(&desc, "start_date").last().map(String::as_str), Some("2000-01-01"));

        // Closed: gone from the count and the pages, without a search too.
        assert_eq!(app.post(&format!("/api/v1/orders/{id}/close"), &glostrup, json!({})).0, 200);
        let p = list(app, &frb, all);
        assert_eq!(p["total"].as_i64(), Some(before));
        assert!(!ids(&p).contains(&id));
        assert!(!ids(&list(app, &frb, "/api/v1/dashboard/shared-orders?sort=title&per_page=200")).contains(&id));
    }

    tenancy(app) {
        let brondby = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let mine: Vec<i64> = (0..3).map(|_| app.create_order(&brondby, json!({}))["id"].as_i64().unwrap()).collect();
        let theirs = list(app, &frb, "/api/v1/dashboard/my-orders?per_page=200");
        for id in ids(&theirs) {
            assert!(!mine.contains(&id), "Brøndby's order {id} on Frederiksberg's list");
            assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &frb).1["access"], "owner");
        }
        assert_eq!(theirs["total"], 2, "Frederiksberg's two demo orders");
        // Searching for another centre's order finds nothing either.
        assert_eq!(list(app, &frb, "/api/v1/dashboard/my-orders?q=kok")["total"], 0);

        // Referrals: each centre sees the ones it made, not the ones made to its orders.
        let b = list(app, &brondby, "/api/v1/dashboard/my-referrals");
        assert_eq!(strings(&b, "candidate_name"), ["Dorte Pedersen"]);
        assert_eq!(strings(&b, "state"), ["sent_to_employer"]);
        let f = list(app, &frb, "/api/v1/dashboard/my-referrals?sort=candidate_name");
        assert_eq!(strings(&f, "candidate_name"), ["Anna Jensen", "Bo Nielsen", "Emil Larsen"]);
        assert!(strings(&f, "created_by_name").iter().all(|n| n == "Konsulent Frederiksberg"));
        let by_name = list(app, &frb, "/api/v1/dashboard/my-referrals?q=nielsen");
        assert_eq!(strings(&by_name, "candidate_name"), ["Bo Nielsen"]);
        let by_order = list(app, &frb, "/api/v1/dashboard/my-referrals?q=kantine");
        assert_eq!(by_order["total"], 3);
        let by_state = list(app, &frb, "/api/v1/dashboard/my-referrals?sort=state");
        assert_eq!(strings(&by_state, "state"), ["available_to_company", "pending_approval", "withdrawn"]);
    }
}
