//! Privacy by law (issue 19), over HTTP against the real app, on SQLite and PostgreSQL:
//! erasure on request leaves no trace of the person in any column of any table (a canary
//! scan of the catalog), the access export has everything and is audited, and the privacy
//! notice needs no login.

mod common;

use common::{Backend, SmtpSink, TestApp};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::{json, Value};
use staer_hub::db::DbConn;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Every text and blob column of every table, read from the database's own catalog.
fn text_columns(conn: &mut DbConn) -> Vec<(String, String, bool)> {
    match conn {
        DbConn::Sqlite(c) => {
            let tables: Vec<Name> =
                diesel::sql_query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                    .load(c)
                    .unwrap();
            let mut out = Vec::new();
            for t in tables {
                #[derive(QueryableByName)]
                struct Info {
                    #[diesel(sql_type = Text)]
                    name: String,
                    #[diesel(sql_type = Text)]
                    r#type: String,
                }
                let cols: Vec<Info> = diesel::sql_query(format!(
                    "SELECT name, COALESCE(type, '') AS type FROM pragma_table_info('{}')",
                    t.name
                ))
                .load(c)
                .unwrap();
                for col in cols {
                    let ty = col.r#type.to_uppercase();
                    // Declared TEXT/CHAR/CLOB or BLOB, or no type at all (anything may be stored).
                    let blob = ty.contains("BLOB") || ty.is_empty();
                    if blob || ty.contains("TEXT") || ty.contains("CHAR") || ty.contains("CLOB") {
                        out.push((t.name.clone(), col.name, blob));
                    }
                }
            }
            out
        }
        DbConn::Pg(c) => {
            let cols: Vec<Column> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
                 WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') \
                 ORDER BY table_name, column_name",
            )
            .load(c)
            .unwrap();
            let blobs: Vec<Column> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
                 WHERE table_schema = 'public' AND data_type = 'bytea'",
            )
            .load(c)
            .unwrap();
            cols.into_iter()
                .map(|c| (c.table_name, c.column_name, false))
                .chain(blobs.into_iter().map(|c| (c.table_name, c.column_name, true)))
                .collect()
        }
    }
}

/// Where any of `needles` occurs (case-insensitively): "table.column" for each hit.
fn scan(app: &TestApp, needles: &[String]) -> Vec<String> {
    let needles = needles.to_vec();
    app.state
        .db
        .read_blocking(move |conn| {
            let cols = text_columns(conn);
            assert!(cols.len() > 30, "the catalog lists the columns: {}", cols.len());
            let mut hits = Vec::new();
            for (table, col, blob) in cols {
                for needle in &needles {
                    let pattern = format!("%{}%", needle.to_lowercase().replace('\'', "''"));
                    let sql = match (&*conn, blob) {
                        // LIKE is case-insensitive for ASCII on SQLite (the app's `lower` is a
                        // Rust function that refuses NULL).
                        (DbConn::Sqlite(_), _) => format!(
                            "SELECT COUNT(*) AS n FROM \"{table}\" WHERE CAST(\"{col}\" AS TEXT) LIKE '{pattern}'"
                        ),
                        (DbConn::Pg(_), false) => {
                            format!("SELECT COUNT(*) AS n FROM \"{table}\" WHERE lower(\"{col}\"::text) LIKE '{pattern}'")
                        }
                        (DbConn::Pg(_), true) => format!(
                            "SELECT COUNT(*) AS n FROM \"{table}\" WHERE lower(encode(\"{col}\", 'escape')) LIKE '{pattern}'"
                        ),
                    };
                    let n = match conn {
                        DbConn::Sqlite(c) => diesel::sql_query(&sql).get_result::<Count>(c),
                        DbConn::Pg(c) => diesel::sql_query(&sql).get_result::<Count>(c),
                    }
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
                    .n;
                    if n > 0 {
                        hits.push(format!("{table}.{col} ({needle})"));
                    }
                }
            }
            Ok(hits)
        })
        .unwrap()
}

fn outbox_status(app: &TestApp) -> Vec<(String, String)> {
    app.state
        .db
        .read_blocking(|c| {
            use staer_hub::db::schema::outbox;
            Ok(outbox::table
                .select((outbox::kind, outbox::status))
                .order(outbox::id)
                .load(c)?)
        })
        .unwrap()
}

fn erasure_leaves_no_canary(backend: Backend) {
    let mut sink = SmtpSink::start();
    let app = TestApp::with_mail(backend, &sink);
    let coord = app.login("brondby.konsulent");
    let frb = app.login("frederiksberg.konsulent");
    let tag = format!("{:x}", rand_tag());
    let name = format!("Kanarie Fuglesang{tag}");
    let email = format!("kanarie.{tag}@borger.example");
    let phone = format!(
        "+45 7{}",
        &format!("{:07}", u64::from_str_radix(&tag, 16).unwrap() % 10_000_000)
    );
    let canaries = vec![name.clone(), email.clone(), phone.clone()];
    let (s, c) = app.post(
        "/api/v1/candidates",
        &frb,
        json!({ "name": name, "email": email, "phone": phone, "postcode": "2000", "occupations": ["kok"] }),
    );
    assert_eq!(s, 201, "{c}");
    let cand = c["id"].as_i64().unwrap();
    let (s, b) = app.post(&format!("/api/v1/candidates/{cand}/consent"), &frb, json!({}));
    assert_eq!(s, 200, "{b}");
    // A digest subscription for the candidate (it holds their email).
    let (s, b) = app.post(
        "/api/v1/job-agents",
        &frb,
        json!({"occupation": "kok", "postcode": "2000", "radius_km": 50, "frequency": "daily", "candidate_id": cand}),
    );
    assert_eq!(s, 201, "{b}");

    // Referred, approved and sent to the employer: three mails naming the candidate, delivered.
    let o1 = app.shared_order(&coord, json!({}), &["HRS"]);
    let r1 = app.refer(&frb, o1, cand).1["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/referrals/{r1}/approve"), &coord, json!({}))
            .0,
        200
    );
    assert_eq!(
        app.post(&format!("/api/v1/referrals/{r1}/send"), &frb, json!({})).0,
        200
    );
    // Rejected elsewhere with a reason that names the person.
    let o2 = app.shared_order(&coord, json!({"title": "Opvasker"}), &["HRS"]);
    let r2 = app.refer(&frb, o2, cand).1["id"].as_i64().unwrap();
    let reason = format!("{name} mangler kørekort");
    let (s, b) = app.post(
        &format!("/api/v1/referrals/{r2}/reject"),
        &coord,
        json!({ "reason": reason }),
    );
    assert_eq!(s, 200, "{b}");
    // Delivered: the mails about the candidate reach the server (the employer's among them).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sink.mails().iter().filter(|m| m.text.contains(&name)).count() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the mails about the candidate were not delivered"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));

    // The mail server goes away: the next mail about the candidate stays queued.
    sink.stop();
    let o3 = app.shared_order(&coord, json!({"title": "Kantinemedhjælper"}), &["HRS"]);
    let r3 = app.refer(&frb, o3, cand).1["id"].as_i64().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pending_before = outbox_status(&app)
        .iter()
        .filter(|(k, s)| k == "awaiting_approval" && s == "pending")
        .count();
    assert_eq!(pending_before, 1, "{:?}", outbox_status(&app));
    let referred_before = app.get(&format!("/api/v1/orders/{o1}"), &coord).1["referred"].clone();

    // The scan finds the canaries while the data is there (the scanner works) ...
    let before = scan(&app, &canaries);
    let places = [
        "candidates.name",
        "candidates.email",
        "candidates.phone",
        "outbox.body_text",
        "job_agents.email",
        "audit_log.detail",
        "referral_events.reason",
        "referrals.reason",
    ];
    for place in places {
        assert!(
            before.iter().any(|h| h.starts_with(place)),
            "{place} not found by the scan: {before:?}"
        );
    }

    // The access export has it all, for the owning centre only, and records who asked.
    assert_eq!(app.get(&format!("/api/v1/candidates/{cand}/export"), &coord).0, 404);
    let (s, x) = app.get(&format!("/api/v1/candidates/{cand}/export"), &frb);
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["candidate"]["name"], name.as_str());
    assert_eq!(x["candidate"]["email"], email.as_str());
    assert_eq!(
        x["occupation_wishes"][0]["code"].as_str().map(|c| !c.is_empty()),
        Some(true)
    );
    assert!(x["consent"]["given_at"].is_string());
    assert!(x["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "consent_given"));
    let refs = x["referrals"].as_array().unwrap();
    assert_eq!(refs.len(), 3);
    assert_eq!(refs[0]["history"].as_array().unwrap().len(), 3, "{}", refs[0]);
    let kinds: Vec<&str> = x["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    for k in ["awaiting_approval", "referral_decided", "candidate_to_employer"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(x["job_agents"].as_array().unwrap().len(), 1);
    let exported = x["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "exported")
        .count();
    assert_eq!(exported, 1, "the export is audited: {}", x["history"]);
    assert_eq!(x["history"][0]["actor"], "Konsulent Frederiksberg");

    // Erasure: another centre gets 404; the owning centre erases.
    assert_eq!(
        app.call("DELETE", &format!("/api/v1/candidates/{cand}"), Some(&coord), None)
            .0,
        404
    );
    let (s, e) = app.call("DELETE", &format!("/api/v1/candidates/{cand}"), Some(&frb), None);
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["referrals_withdrawn"], 1);
    assert_eq!(e["mails_cancelled"], 1);
    assert_eq!(
        app.call("DELETE", &format!("/api/v1/candidates/{cand}"), Some(&frb), None)
            .0,
        409
    );

    // The pending referral was withdrawn through the state machine; the others stay as stubs.
    let (_, r) = app.get(&format!("/api/v1/referrals/{r3}"), &frb);
    assert_eq!(r["state"], "withdrawn");
    assert_eq!(r["candidate"]["name"], "slettet borger");
    let (_, h) = app.get(&format!("/api/v1/referrals/{r3}/history"), &frb);
    assert_eq!(h["items"][0]["to"], "withdrawn");
    assert_eq!(h["items"][0]["actor"], "Konsulent Frederiksberg", "who stays: {h}");
    assert_eq!(
        app.get(&format!("/api/v1/referrals/{r1}"), &coord).1["state"],
        "sent_to_employer"
    );
    assert_eq!(
        app.get(&format!("/api/v1/orders/{o1}"), &coord).1["referred"],
        referred_before
    );
    let (_, mine) = app.get("/api/v1/dashboard/my-referrals", &frb);
    let stubs = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["candidate_name"] == "slettet borger")
        .count();
    assert_eq!(stubs, 3, "the referrals still count: {mine}");
    // The queued mail is cancelled, not sent later.
    assert!(outbox_status(&app)
        .iter()
        .any(|(k, s)| k == "awaiting_approval" && s == "cancelled"));
    // Nothing else about the candidate waits; the coordinator's notice of the withdrawal
    // does, and it names no one (the canary scan below finds nothing in it).
    assert!(!outbox_status(&app)
        .iter()
        .any(|(k, s)| k != "order_shared" && k != "referral_withdrawn" && s == "pending"));
    assert!(outbox_status(&app)
        .iter()
        .any(|(k, s)| k == "referral_withdrawn" && s == "pending"));
    // The candidate is out of the list, and nothing can be recorded on the stub.
    let (_, list) = app.get("/api/v1/candidates", &frb);
    assert!(!list["items"].as_array().unwrap().iter().any(|c| c["id"] == cand));
    assert_eq!(
        app.post(&format!("/api/v1/candidates/{cand}/consent"), &frb, json!({}))
            .0,
        409
    );

    // And no canary is left in any text or blob column of any table.
    let after = scan(&app, &canaries);
    assert!(after.is_empty(), "personal data left after erasure: {after:?}");
    // The audit keeps who and when.
    let (_, x) = app.get(&format!("/api/v1/candidates/{cand}/export"), &frb);
    let erased = x["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "erased")
        .cloned();
    let erased: Value = erased.expect("the erasure is audited");
    assert_eq!(erased["actor"], "Konsulent Frederiksberg");
    assert!(erased["at"].is_string());
}

fn rand_tag() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    (t.as_nanos() as u64 ^ (std::process::id() as u64) << 20) & 0xff_ffff_ffff
}

#[test]
fn erasure_leaves_no_canary_sqlite() {
    erasure_leaves_no_canary(Backend::Sqlite);
}

#[test]
fn erasure_leaves_no_canary_postgres() {
    erasure_leaves_no_canary(Backend::Postgres);
}

fn privacy_notice(backend: Backend) {
    let app = TestApp::start_with(backend, |c| {
        c.data_controller = "Testkommune Jobcenter (dataansvarlig)".into()
    });
    let res = ureq::get(&app.url("/privacy")).call().expect("no login needed");
    assert_eq!(res.status(), 200);
    let csp = res.header("content-security-policy").unwrap_or_default().to_string();
    let body = res.into_string().unwrap();
    assert!(
        body.contains("Testkommune Jobcenter (dataansvarlig)"),
        "names the controller"
    );
    assert!(body.contains("Privatlivspolitik") && body.contains("Hvem ser hvad"));
    assert!(body.contains("48 måneder"), "the retention period");
    // The same policy as every page.
    let login = ureq::get(&app.url("/login")).call().unwrap();
    assert_eq!(csp, login.header("content-security-policy").unwrap());
    assert!(csp.contains("script-src 'none'"));
    let login_html = login.into_string().unwrap();
    assert!(login_html.contains("href=\"/privacy\""), "linked from the login page");
    let en = ureq::get(&app.url("/privacy?lang=en"))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    assert!(en.contains("Privacy notice") && en.contains("Who sees what"));
}

#[test]
fn privacy_notice_sqlite() {
    privacy_notice(Backend::Sqlite);
}

#[test]
fn privacy_notice_postgres() {
    privacy_notice(Backend::Postgres);
}
