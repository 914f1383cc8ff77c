//! Retention against a real database (SQLite and PostgreSQL): a candidate untouched for the
//! period is warned once, then erased 30 days later; one with a live referral or a recent
//! change is kept; old closed orders lose their private texts (audit too); old sent mails go;
//! the dry run changes nothing; and of several instances racing, one claims the daily pass.

mod common;

use std::sync::{Arc, Barrier};

use chrono::{Duration, NaiveDateTime, Timelike, Utc};
use common::{Backend, TestApp};
use diesel::prelude::*;
use serde_json::json;
use staer_hub::db::schema::{candidates, job_orders, outbox, referrals};
use staer_hub::domain::{jobs, retention};
use staer_hub::ids::CandidateId;

const POLICY: retention::Policy = retention::Policy { months: 48 };

fn years_ago(y: i64) -> NaiveDateTime {
    Utc::now().naive_utc() - Duration::days(365 * y)
}

/// Moves a candidate (and its referrals) back in time: nothing of it changed since `at`.
fn backdate_candidate(app: &TestApp, id: i64, at: NaiveDateTime) {
    app.state
        .db
        .write_blocking(|c| {
            diesel::update(candidates::table.find(id))
                .set((
                    candidates::created_at.eq(at),
                    candidates::updated_at.eq(Some(at)),
                    candidates::consent_given_at.eq(Some(at)),
                ))
                .execute(c)?;
            diesel::update(referrals::table.filter(referrals::candidate_id.eq(id)))
                .set((referrals::created_at.eq(at), referrals::updated_at.eq(at)))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
}

fn candidate_row(app: &TestApp, id: i64) -> (String, Option<String>, Option<NaiveDateTime>, Option<NaiveDateTime>) {
    app.state
        .db
        .read_blocking(|c| {
            Ok(candidates::table
                .find(id)
                .select((
                    candidates::name,
                    candidates::email,
                    candidates::retention_warned_at,
                    candidates::erased_at,
                ))
                .first(c)?)
        })
        .unwrap()
}

fn ids(v: &[CandidateId]) -> Vec<i64> {
    v.iter().map(|i| i.0).collect()
}

fn mails_of_kind(app: &TestApp, kind: &str) -> Vec<(String, Option<i64>)> {
    let kind = kind.to_string();
    app.state
        .db
        .read_blocking(move |c| {
            Ok(outbox::table
                .filter(outbox::kind.eq(kind))
                .select((outbox::to_addr, outbox::candidate_id))
                .load(c)?)
        })
        .unwrap()
}

fn retention_rules(backend: Backend) {
    let app = TestApp::start(backend);
    let coord = app.login("brondby.konsulent");
    let frb = app.login("frederiksberg.konsulent");
    let now = Utc::now().naive_utc();

    // Old and idle (a final referral long ago), old but with a live referral, and recent.
    let order = app.shared_order(&coord, json!({}), &["HRS"]);
    let idle = app.candidate(&frb, "Gammel Ledig", true);
    let r = app.refer(&frb, order, idle).1["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/referrals/{r}/withdraw"), &frb, json!({})).0,
        200
    );
    backdate_candidate(&app, idle, years_ago(5));
    let live = app.candidate(&frb, "Gammel Aktiv", true);
    assert_eq!(app.refer(&frb, order, live).0, 201);
    backdate_candidate(&app, live, years_ago(5));
    let fresh = app.candidate(&frb, "Ny Borger", true);

    // A closed order of five years ago whose private texts were changed (so the audit holds them).
    let old = app.create_order(&coord, json!({"qualifications_and_pay": "HEMMELIG-LØN-1"}))["id"]
        .as_i64()
        .unwrap();
    let (s, b) = app.patch(
        &format!("/api/v1/orders/{old}"),
        &coord,
        json!({"qualifications_and_pay": "HEMMELIG-LØN-2"}),
    );
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        app.post(&format!("/api/v1/orders/{old}/close"), &coord, json!({})).0,
        200
    );
    let recent = app.create_order(&coord, json!({}))["id"].as_i64().unwrap();
    assert_eq!(
        app.post(&format!("/api/v1/orders/{recent}/close"), &coord, json!({})).0,
        200
    );
    // Sent mails: one sent 100 days ago, one 10 days ago.
    let (old_mail, new_mail) = app
        .state
        .db
        .write_blocking(|c| {
            diesel::update(job_orders::table.find(old))
                .set((
                    job_orders::closed_at.eq(Some(years_ago(5))),
                    job_orders::updated_at.eq(years_ago(5)),
                ))
                .execute(c)?;
            let ids: Vec<i64> = outbox::table.select(outbox::id).order(outbox::id).limit(2).load(c)?;
            for (id, days) in ids.iter().zip([100, 10]) {
                diesel::update(outbox::table.find(*id))
                    .set((
                        outbox::status.eq("sent"),
                        outbox::sent_at.eq(Some(now - Duration::days(days))),
                    ))
                    .execute(c)?;
            }
            Ok((ids[0], ids[1]))
        })
        .unwrap();

    // The dry run names what it would do and changes nothing.
    let plan = retention::run(&app.state.db, &app.state.mail, POLICY, now, true).unwrap();
    assert_eq!(ids(&plan.warn), [idle], "{plan:?}");
    assert!(plan.erase.is_empty(), "never erased before the warning: {plan:?}");
    assert_eq!(plan.strip_orders.iter().map(|i| i.0).collect::<Vec<_>>(), [old]);
    assert_eq!(plan.purge_mails.iter().map(|i| i.0).collect::<Vec<_>>(), [old_mail]);
    assert_eq!(candidate_row(&app, idle).2, None);
    assert!(mails_of_kind(&app, "retention_warning").is_empty());

    // The pass: the owning consultant is warned (once), the old order stripped, the old mail purged.
    retention::run(&app.state.db, &app.state.mail, POLICY, now, false).unwrap();
    let warnings = mails_of_kind(&app, "retention_warning");
    assert_eq!(
        warnings,
        [("frederiksberg.konsulent@jobcenter.example".to_string(), Some(idle))],
        "{warnings:?}"
    );
    assert!(candidate_row(&app, idle).2.is_some());
    let (_, o) = app.get(&format!("/api/v1/orders/{old}"), &coord);
    assert_eq!(
        (o["qualifications_and_pay"].as_str(), o["working_hours"].as_str()),
        (Some(""), Some(""))
    );
    assert!(o["employer_email"].is_null());
    assert_eq!(
        o["task_description"], "Madlavning til 200 personer",
        "shared fields stay"
    );
    let (_, audit) = app.get(&format!("/api/v1/orders/{old}/audit"), &coord);
    assert!(
        !audit.to_string().contains("HEMMELIG-LØN"),
        "the audit keeps no private text: {audit}"
    );
    assert!(
        audit.to_string().contains("qualifications_and_pay"),
        "but says what changed: {audit}"
    );
    let (_, r) = app.get(&format!("/api/v1/orders/{recent}"), &coord);
    assert_eq!(r["qualifications_and_pay"], "Overenskomst, 190 kr/t");
    let left: Vec<i64> = app
        .state
        .db
        .read_blocking(|c| Ok(outbox::table.select(outbox::id).load(c)?))
        .unwrap();
    assert!(!left.contains(&old_mail) && left.contains(&new_mail));

    // A second pass the same day: no second warning, no erasure yet.
    let again = retention::run(&app.state.db, &app.state.mail, POLICY, now, false).unwrap();
    assert!(again.warn.is_empty() && again.erase.is_empty(), "{again:?}");
    assert_eq!(mails_of_kind(&app, "retention_warning").len(), 1);

    // 31 days later the idle candidate is erased; the others stay.
    let later = now + Duration::days(31);
    let p = retention::run(&app.state.db, &app.state.mail, POLICY, later, false).unwrap();
    assert_eq!(ids(&p.erase), [idle], "{p:?}");
    let (name, email, _, erased) = candidate_row(&app, idle);
    assert_eq!((name.as_str(), email, erased.is_some()), ("slettet borger", None, true));
    // The warning mail named the candidate: it is blanked with the rest.
    let body: String = app
        .state
        .db
        .read_blocking(|c| {
            Ok(outbox::table
                .filter(outbox::kind.eq("retention_warning"))
                .select(outbox::body_text)
                .first(c)?)
        })
        .unwrap();
    assert!(!body.contains("Gammel Ledig"));
    assert_eq!(candidate_row(&app, live).0, "Gammel Aktiv");
    assert_eq!(candidate_row(&app, fresh).0, "Ny Borger");
    assert_eq!(app.get(&format!("/api/v1/orders/{order}"), &coord).1["referred"], 1);
}

#[test]
fn retention_rules_sqlite() {
    retention_rules(Backend::Sqlite);
}

#[test]
fn retention_rules_postgres() {
    retention_rules(Backend::Postgres);
}

/// Several instances wake at once: exactly one claims the day's pass; a second claim the
/// same day finds it done; a forced claim (the CLI) waits for a running one's lease.
fn one_instance_claims(backend: Backend) {
    let app = TestApp::start(backend);
    let other = app.second_instance();
    // Whole seconds: PostgreSQL keeps microseconds, not the nanoseconds of the clock.
    let now = Utc::now().naive_utc().with_nanosecond(0).unwrap();
    let day = Some(Duration::hours(23));
    let lease = Duration::hours(1);
    let n = 6;
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let db = if i % 2 == 0 {
                app.state.db.clone()
            } else {
                other.state.db.clone()
            };
            let b = barrier.clone();
            std::thread::spawn(move || {
                let me = format!("instance-{i}");
                b.wait();
                db.write_blocking(|c| jobs::claim(c, retention::JOB, &me, now, lease, day))
                    .unwrap()
            })
        })
        .collect();
    let winners = handles.into_iter().map(|h| h.join().unwrap()).filter(|w| *w).count();
    assert_eq!(winners, 1);
    let db = &app.state.db;
    // While it runs, nobody else (not even the forced CLI run) gets it.
    assert!(!db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "cli", now, lease, None))
        .unwrap());
    // The winner releases after running: done for the day, but the lease is free.
    let holder: String = db
        .read_blocking(|c| {
            use staer_hub::db::schema::jobs as j;
            Ok(j::table
                .find(retention::JOB)
                .select(j::locked_by)
                .first::<Option<String>>(c)?)
        })
        .unwrap()
        .unwrap();
    db.write_blocking(|c| jobs::release(c, retention::JOB, &holder, now, true))
        .unwrap();
    assert_eq!(
        db.write_blocking(|c| jobs::last_run(c, retention::JOB)).unwrap(),
        Some(now)
    );
    let soon = now + Duration::hours(2);
    assert!(!db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "x", soon, lease, day))
        .unwrap());
    assert!(db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "cli", soon, lease, None))
        .unwrap());
    db.write_blocking(|c| jobs::release(c, retention::JOB, "cli", soon, true))
        .unwrap();
    // The next day it is due again; an expired lease (a crashed holder) is taken over.
    let tomorrow = now + Duration::hours(26);
    assert!(db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "y", tomorrow, lease, day))
        .unwrap());
    let after_crash = tomorrow + Duration::hours(2);
    assert!(db
        .write_blocking(|c| jobs::claim(c, retention::JOB, "z", after_crash, lease, None))
        .unwrap());
}

#[test]
fn one_instance_claims_sqlite() {
    one_instance_claims(Backend::Sqlite);
}

#[test]
fn one_instance_claims_postgres() {
    one_instance_claims(Backend::Postgres);
}
