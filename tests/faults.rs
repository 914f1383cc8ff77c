//! Faults: the database goes away briefly (requests fail cleanly with 503 and the service
//! recovers without a restart), and two instances on one database race on the same referrals.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::{Backend, TestApp};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::json;

fn fast_failing(backend: Backend) -> TestApp {
    TestApp::start_with(backend, |c| {
        c.db.connect_timeout = Duration::from_millis(800);
        c.db.busy_timeout_ms = 200;
    })
}

#[test]
fn postgres_outage_gives_503_then_recovers() {
    let app = fast_failing(Backend::Postgres);
    let t = app.login("brondby.konsulent");
    let id = app.create_order(&t, json!({}))["id"].as_i64().unwrap();
    let name = app.db.url.rsplit('/').next().unwrap().to_string();
    let mut admin = diesel::PgConnection::establish(&common::pg_base()).unwrap();
    // The database refuses new connections and drops the ones it has.
    admin
        .batch_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ))
        .unwrap();
    let started = Instant::now();
    let (s, body) = app.get(&format!("/api/v1/orders/{id}"), &t);
    assert_eq!(s, 503, "{body}");
    assert!(body["error"].as_str().unwrap().contains("unavailable"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5), "503 must come promptly");
    // Bad input is never a 500; with the database gone the session can't be checked, and
    // that comes first (a request is judged only once its sender is known): 503.
    assert_eq!(
        app.post("/api/v1/orders", &t, json!({"title": "x"})).0,
        503,
        "bad input during an outage"
    );
    let (s, _) = app.call("GET", "/healthz", None, None);
    assert_eq!(s, 503);
    let (s, _) = app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 7}));
    assert_eq!(s, 503);

    admin
        .batch_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
        .unwrap();
    // Back without a restart; the failed change was not half-applied.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, o) = app.get(&format!("/api/v1/orders/{id}"), &t);
        if s == 200 {
            assert_eq!(o["vacancies"], 2);
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {s} {o}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 7}))
            .0,
        200
    );
    assert_eq!(app.call("GET", "/healthz", None, None).0, 200);
}

#[test]
fn sqlite_locked_by_another_process_gives_503_then_recovers() {
    let app = fast_failing(Backend::Sqlite);
    let t = app.login("brondby.konsulent");
    let id = app.create_order(&t, json!({}))["id"].as_i64().unwrap();
    // Another process holds the write lock (as a long migration or a backup would).
    let path = app.db.url.strip_prefix("sqlite://").unwrap().to_string();
    let mut other = diesel::SqliteConnection::establish(&path).unwrap();
    other
        .batch_execute("BEGIN EXCLUSIVE; UPDATE job_orders SET vacancies = vacancies WHERE id = 1;")
        .unwrap();
    let (s, body) = app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 7}));
    assert_eq!(s, 503, "{body}");
    // Readers are not blocked in WAL mode.
    assert_eq!(app.get(&format!("/api/v1/orders/{id}"), &t).0, 200);
    other.batch_execute("COMMIT").unwrap();
    let (s, o) = app.patch(&format!("/api/v1/orders/{id}"), &t, json!({"vacancies": 7}));
    assert_eq!((s, o["vacancies"].as_i64()), (200, Some(7)));
}

on_both! {
    two_instances_race_on_the_same_referrals(app) {
        let b = app.second_instance();
        let coord = app.login("brondby.konsulent");
        let frb = app.login("frederiksberg.konsulent");
        let order = app.shared_order(&coord, json!({}), &["HRS"]);
        for round in 0..5 {
            let cand = app.candidate(&frb, &format!("Kandidat {round}"), true);
            let rid = b.refer(&frb, order, cand).1["id"].as_i64().unwrap();
            for (action, token) in [("approve", &coord), ("send", &frb)] {
                let barrier = Arc::new(Barrier::new(12));
                let statuses: Vec<u16> = std::thread::scope(|s| {
                    let hs: Vec<_> = (0..12)
                        .map(|i| {
                            let (barrier, instance) = (barrier.clone(), if i % 2 == 0 { &*app } else { &b });
                            s.spawn(move || {
                                barrier.wait();
                                instance.post(&format!("/api/v1/referrals/{rid}/{action}"), token, json!({})).0
                            })
                        })
                        .collect();
                    hs.into_iter().map(|h| h.join().unwrap()).collect()
                });
                assert_eq!(statuses.iter().filter(|&&s| s == 200).count(), 1, "{action}: {statuses:?}");
                assert!(statuses.iter().all(|&s| s == 200 || s == 409), "{action}: {statuses:?}");
            }
            let h = app.get(&format!("/api/v1/referrals/{rid}/history"), &frb).1;
            assert_eq!(h["items"].as_array().unwrap().len(), 3);
        }
        assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &coord).1["referred"], 5);
    }
}
