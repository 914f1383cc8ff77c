//! Reports and the coordinator's queue over HTTP, on hand-made data whose counts, medians and
//! p90s are known: three new centres X, Y, Z in networks N1 {X, Y} and N2 {Y, Z}, referrals
//! moved to known times. On SQLite and PostgreSQL.

mod common;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};
use staer_hub::db::schema::{
    decision_times, job_orders, network_referral_counts, order_shares, referral_counts, referral_events, referrals,
    share_counts,
};
use staer_hub::domain::sharing;
use staer_hub::domain::users::create_user;

const PERIOD: &str = "from=2025-01&to=2025-03";

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

struct World {
    x: String,
    y: String,
    z: String,
    /// X's pending approvals, oldest first.
    queue_expected: Vec<i64>,
    z_pending: i64,
}

fn login(app: &common::TestApp, user: &str) -> String {
    let (s, b) = app.call(
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": user, "password": "rapport-demo"})),
    );
    assert_eq!(s, 200, "{b}");
    b["token"].as_str().unwrap().to_string()
}

/// Moves a referral to `made`; its later events (decision, send, withdrawal) to `made + after`.
fn move_in_time(app: &common::TestApp, id: i64, made: NaiveDateTime, after: Duration) {
    app.state
        .db
        .write_blocking(|c| {
            diesel::update(referrals::table.find(id))
                .set((referrals::created_at.eq(made), referrals::updated_at.eq(made)))
                .execute(c)?;
            diesel::update(referral_events::table.filter(referral_events::referral_id.eq(id)))
                .set(referral_events::at.eq(made))
                .execute(c)?;
            diesel::update(
                referral_events::table
                    .filter(referral_events::referral_id.eq(id))
                    .filter(referral_events::from_state.is_not_null()),
            )
            .set(referral_events::at.eq(made + after))
            .execute(c)?;
            Ok(())
        })
        .unwrap();
}

fn act(app: &common::TestApp, token: &str, id: i64, action: &str) {
    let body = if action == "reject" {
        json!({"reason": "Passer ikke"})
    } else {
        json!({})
    };
    let (s, b) = app.post(&format!("/api/v1/referrals/{id}/{action}"), token, body);
    assert_eq!(s, 200, "{action}: {b}");
}

fn build(app: &common::TestApp) -> World {
    app.state
        .db
        .write_blocking(|c| {
            for (num, name) in [("90.001", "Xby"), ("90.002", "Yby"), ("90.003", "Zby")] {
                sharing::create_centre(c, None, num, name)?;
            }
            sharing::create_network(c, None, "N1")?;
            sharing::create_network(c, None, "N2")?;
            for (n, num) in [("N1", "90.001"), ("N1", "90.002"), ("N2", "90.002"), ("N2", "90.003")] {
                sharing::add_member(c, None, n, num)?;
            }
            Ok(())
        })
        .unwrap();
    for (user, num) in [
        ("x.konsulent", "90.001"),
        ("y.konsulent", "90.002"),
        ("z.konsulent", "90.003"),
    ] {
        create_user(
            &app.state.db,
            user,
            "rapport-demo",
            num,
            user,
            &format!("{user}@jc.example"),
            false,
        )
        .unwrap();
    }
    let (x, y, z) = (
        login(app, "x.konsulent"),
        login(app, "y.konsulent"),
        login(app, "z.konsulent"),
    );
    let o1 = app.shared_order(&x, json!({}), &["N1"]);
    let o2 = app.shared_order(&z, json!({}), &["N2"]);
    app.state
        .db
        .write_blocking(|c| {
            diesel::update(order_shares::table)
                .filter(order_shares::order_id.eq_any([o1, o2]))
                .set(order_shares::shared_at.eq(at(2025, 1, 5, 9)))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    let refer = |token: &str, order: i64, name: &str| {
        let cand = app.candidate(token, name, true);
        let (s, r) = app.refer(token, order, cand);
        assert_eq!(s, 201, "{r}");
        r["id"].as_i64().unwrap()
    };
    // (who, action(s), made at, decided/ended after)
    let r1 = refer(&y, o1, "R1");
    act(app, &x, r1, "approve");
    move_in_time(app, r1, at(2025, 1, 10, 10), Duration::hours(2));
    let r2 = refer(&y, o1, "R2");
    act(app, &x, r2, "reject");
    move_in_time(app, r2, at(2025, 1, 20, 0), Duration::hours(10));
    let r3 = refer(&x, o1, "R3");
    act(app, &x, r3, "approve");
    act(app, &x, r3, "send");
    move_in_time(app, r3, at(2025, 2, 5, 0), Duration::hours(4));
    let r4 = refer(&y, o1, "R4");
    act(app, &y, r4, "withdraw");
    move_in_time(app, r4, at(2025, 2, 10, 0), Duration::hours(1));
    let r5 = refer(&y, o1, "R5");
    move_in_time(app, r5, at(2025, 3, 1, 0), Duration::zero());
    let r6 = refer(&y, o1, "R6");
    act(app, &x, r6, "approve");
    move_in_time(app, r6, at(2024, 12, 31, 23), Duration::hours(1));
    let r7 = refer(&y, o1, "R7");
    move_in_time(app, r7, at(2025, 2, 20, 0), Duration::zero());
    // Y refers to Z's order, shared with N2 only: a figure of N2, which X may not see.
    let r8 = refer(&y, o2, "R8");
    move_in_time(app, r8, at(2025, 1, 15, 0), Duration::zero());
    World {
        x,
        y,
        z,
        queue_expected: vec![r7, r5],
        z_pending: r8,
    }
}

type CountRow = (i64, String, i64, String, i64);

/// The counter tables the triggers keep, against the same counts grouped from the referrals
/// themselves: they must be equal after any mix of writes.
fn assert_counts_in_step(app: &common::TestApp) {
    let (kept, kept_net, refs, shares) = app
        .state
        .db
        .read_blocking(|c| {
            let kept: Vec<CountRow> = referral_counts::table
                .filter(referral_counts::n.ne(0))
                .select((
                    referral_counts::order_centre_id,
                    referral_counts::month,
                    referral_counts::referring_centre_id,
                    referral_counts::state,
                    referral_counts::n,
                ))
                .load(c)?;
            let kept_net: Vec<CountRow> = network_referral_counts::table
                .filter(network_referral_counts::n.ne(0))
                .select((
                    network_referral_counts::network_id,
                    network_referral_counts::month,
                    network_referral_counts::referring_centre_id,
                    network_referral_counts::state,
                    network_referral_counts::n,
                ))
                .load(c)?;
            let refs: Vec<(i64, i64, NaiveDateTime, i64, String)> = referrals::table
                .inner_join(job_orders::table)
                .select((
                    referrals::order_id,
                    job_orders::job_centre_id,
                    referrals::created_at,
                    referrals::job_centre_id,
                    referrals::state,
                ))
                .load(c)?;
            let shares: Vec<(i64, i64)> = order_shares::table
                .select((order_shares::order_id, order_shares::network_id))
                .load(c)?;
            Ok((kept, kept_net, refs, shares))
        })
        .unwrap();
    let mut want = std::collections::BTreeMap::new();
    let mut want_net = std::collections::BTreeMap::new();
    for (order, centre, made, by, state) in &refs {
        let month = made.format("%Y-%m").to_string();
        *want.entry((*centre, month.clone(), *by, state.clone())).or_insert(0i64) += 1;
        for (_, net) in shares.iter().filter(|(o, _)| o == order) {
            *want_net
                .entry((*net, month.clone(), *by, state.clone()))
                .or_insert(0i64) += 1;
        }
    }
    let as_map = |rows: Vec<CountRow>| -> std::collections::BTreeMap<(i64, String, i64, String), i64> {
        rows.into_iter().map(|(a, m, b, s, n)| ((a, m, b, s), n)).collect()
    };
    assert_eq!(as_map(kept), want, "referral_counts drifted from the referrals");
    assert_eq!(
        as_map(kept_net),
        want_net,
        "network_referral_counts drifted from the referrals"
    );
    assert_decisions_in_step(app);
    assert_shares_in_step(app);
}

/// The orders shared per network, month and centre that the triggers keep, against the shares.
fn assert_shares_in_step(app: &common::TestApp) {
    let (kept, shares) = app
        .state
        .db
        .read_blocking(|c| {
            let kept: Vec<(i64, String, i64, i64)> = share_counts::table
                .filter(share_counts::n.ne(0))
                .select((
                    share_counts::network_id,
                    share_counts::month,
                    share_counts::order_centre_id,
                    share_counts::n,
                ))
                .load(c)?;
            let shares: Vec<(i64, NaiveDateTime, i64)> = order_shares::table
                .inner_join(job_orders::table)
                .select((
                    order_shares::network_id,
                    order_shares::shared_at,
                    job_orders::job_centre_id,
                ))
                .load(c)?;
            Ok((kept, shares))
        })
        .unwrap();
    let mut want = std::collections::BTreeMap::new();
    for (net, at, centre) in shares {
        *want
            .entry((net, at.format("%Y-%m").to_string(), centre))
            .or_insert(0i64) += 1;
    }
    let kept: std::collections::BTreeMap<_, _> = kept.into_iter().map(|(a, m, b, n)| ((a, m, b), n)).collect();
    assert!(!want.is_empty());
    assert_eq!(kept, want, "share_counts drifted from the shares");
}

type DecisionRow = (i64, i64, String, i64);

/// The decision times the triggers keep, against the coordinator's decision events joined to
/// their referrals and orders, with chrono's whole seconds.
fn assert_decisions_in_step(app: &common::TestApp) {
    let (kept, events) = app
        .state
        .db
        .read_blocking(|c| {
            let kept: Vec<DecisionRow> = decision_times::table
                .select((
                    decision_times::event_id,
                    decision_times::order_centre_id,
                    decision_times::month,
                    decision_times::seconds,
                ))
                .order(decision_times::event_id)
                .load(c)?;
            let events: Vec<(i64, String, String, i64, NaiveDateTime, NaiveDateTime)> = referral_events::table
                .inner_join(referrals::table.inner_join(job_orders::table))
                .filter(referral_events::from_state.is_not_null())
                .select((
                    referral_events::id,
                    referral_events::from_state.assume_not_null(),
                    referral_events::to_state,
                    job_orders::job_centre_id,
                    referrals::created_at,
                    referral_events::at,
                ))
                .order(referral_events::id)
                .load(c)?;
            Ok((kept, events))
        })
        .unwrap();
    let want: Vec<DecisionRow> = events
        .into_iter()
        .filter(|(_, from, to, ..)| from == "pending_approval" && (to == "available_to_company" || to == "rejected"))
        .map(|(id, _, _, centre, made, decided)| {
            (
                id,
                centre,
                made.format("%Y-%m").to_string(),
                (decided - made).num_seconds().max(0),
            )
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(kept, want, "decision_times drifted from the decision events");
}

fn states(v: &Value) -> [i64; 6] {
    [
        "pending_approval",
        "available_to_company",
        "rejected",
        "sent_to_employer",
        "withdrawn",
        "total",
    ]
    .map(|k| v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}")))
}

fn member<'a>(net: &'a Value, number: &str) -> &'a Value {
    net["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["authority_number"] == number)
        .unwrap_or_else(|| panic!("{number} in {net}"))
}

on_both! {
    centre_counts_and_decision_times(app) {
        let w = build(app);
        let (s, r) = app.get(&format!("/api/v1/reports?{PERIOD}"), &w.x);
        assert_eq!(s, 200, "{r}");
        assert_eq!(r["period"], json!({"from": "2025-01", "to": "2025-03", "months": 3}));
        let c = &r["centre"];
        let months: Vec<&str> = c["by_month"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap()).collect();
        assert_eq!(months, ["2025-01", "2025-02", "2025-03"]);
        // pending, available, rejected, sent, withdrawn, total
        assert_eq!(states(&c["by_month"][0]), [0, 1, 1, 0, 0, 2]);
        assert_eq!(states(&c["by_month"][1]), [1, 0, 0, 1, 1, 3]);
        assert_eq!(states(&c["by_month"][2]), [1, 0, 0, 0, 0, 1]);
        assert_eq!(states(&c["totals"]), [2, 1, 1, 1, 1, 6]);
        // No employer has answered here: no hires, and the one sent has reached the employer.
        assert_eq!((c["totals"]["hired"].as_i64(), c["totals"]["reached_employer"].as_i64()), (Some(0), Some(1)));

        // Decisions (approve, reject) only: 2 h, 10 h, 4 h; not the withdrawal, not December's.
        assert_eq!(c["decisions"], json!({"decided": 3, "median_seconds": 14400.0, "p90_seconds": 36000}));
        assert_eq!(c["decisions_by_month"][0], json!({"month": "2025-01", "decided": 2, "median_seconds": 21600.0, "p90_seconds": 36000}));
        assert_eq!(c["decisions_by_month"][1], json!({"month": "2025-02", "decided": 1, "median_seconds": 14400.0, "p90_seconds": 14400}));
        assert_eq!(c["decisions_by_month"][2], json!({"month": "2025-03", "decided": 0, "median_seconds": null, "p90_seconds": null}));

        // Partners: Y referred five, X (own) one; most first.
        let p = c["partners"].as_array().unwrap();
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0]["authority_number"].as_str(), p[0]["own"].as_bool()), (Some("90.002"), Some(false)));
        assert_eq!(states(&p[0]["referrals"]), [2, 1, 1, 0, 1, 5]);
        assert_eq!((p[1]["authority_number"].as_str(), p[1]["own"].as_bool()), (Some("90.001"), Some(true)));
        assert_eq!(states(&p[1]["referrals"]), [0, 0, 0, 1, 0, 1]);
        assert_eq!(c["shared_per_network"], json!([{"network": "N1", "orders_shared": 1}]));

        // A period that holds only December: the one decision of 1 h.
        let (_, d) = app.get("/api/v1/reports?from=2024-12&to=2024-12", &w.x);
        assert_eq!(d["centre"]["decisions"], json!({"decided": 1, "median_seconds": 3600.0, "p90_seconds": 3600}));
        assert_eq!(d["centre"]["shared_per_network"], json!([]));

        // CSV of the monthly chart: the same numbers, field names as header.
        let (s, body) = app.raw("GET", &format!("/api/v1/reports/states.csv?{PERIOD}"), Some(&w.x), None, "");
        assert_eq!(s, 200);
        let text = body;
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "month,pending_approval,available_to_company,rejected,sent_to_employer,withdrawn,interview,hired,declined_by_employer,total"
        );
        assert_eq!(lines[2], "2025-02,1,0,0,1,1,0,0,0,3");
        let (s, body) = app.raw("GET", &format!("/api/v1/reports/decisions.csv?{PERIOD}"), Some(&w.x), None, "");
        assert_eq!(s, 200);
        assert!(body.contains("\nall,3,4.0,10.0"));
        assert_eq!(app.raw("GET", &format!("/api/v1/reports/nope.csv?{PERIOD}"), Some(&w.x), None, "").0, 404);

        // A bad month is a 422 naming the field.
        let (s, e) = app.get("/api/v1/reports?from=2025-13", &w.x);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("from")), "{e}");
        let (s, e) = app.get("/api/v1/reports?from=2025-04&to=2025-03", &w.x);
        assert_eq!((s, e["detail"]["field"].as_str()), (422, Some("from")), "{e}");
        assert_eq!(app.call("GET", "/api/v1/reports", None, None).0, 401);
    }

    networks_show_only_their_own_figures(app) {
        let w = build(app);
        let (_, r) = app.get(&format!("/api/v1/reports?{PERIOD}"), &w.x);
        let nets = r["networks"].as_array().unwrap();
        // X is in N1 only: N2 (Y and Z, and Y's referral to Z's order) is not shown at all.
        assert_eq!(nets.iter().map(|n| n["network"].as_str().unwrap()).collect::<Vec<_>>(), ["N1"]);
        let n1 = &nets[0];
        assert_eq!(n1["members"].as_array().unwrap().len(), 2, "{n1}");
        assert_eq!(states(&member(n1, "90.002")["referrals"]), [2, 1, 1, 0, 1, 5]);
        assert_eq!(member(n1, "90.002")["orders_shared"], 0);
        assert_eq!(states(&member(n1, "90.001")["referrals"]), [0, 0, 0, 1, 0, 1]);
        assert_eq!(member(n1, "90.001")["orders_shared"], 1);
        assert_eq!(states(&n1["totals"]), [2, 1, 1, 1, 1, 6]);
        assert!(!r.to_string().contains("Zby"), "no figure of Z reaches X: {r}");

        // Y is in both: N2 holds its referral to Z's order and Z's shared order, N1 does not.
        let (_, r) = app.get(&format!("/api/v1/reports?{PERIOD}"), &w.y);
        let names: Vec<&str> = r["networks"].as_array().unwrap().iter().map(|n| n["network"].as_str().unwrap()).collect();
        assert_eq!(names, ["N1", "N2"]);
        let n2 = &r["networks"][1];
        assert_eq!(states(&member(n2, "90.002")["referrals"]), [1, 0, 0, 0, 0, 1]);
        assert_eq!(member(n2, "90.003")["orders_shared"], 1);
        assert_eq!(states(&r["networks"][0]["totals"]), [2, 1, 1, 1, 1, 6]);

        // Z sees N2 only.
        let (_, r) = app.get(&format!("/api/v1/reports?{PERIOD}"), &w.z);
        let names: Vec<&str> = r["networks"].as_array().unwrap().iter().map(|n| n["network"].as_str().unwrap()).collect();
        assert_eq!(names, ["N2"]);
    }

    queue_lists_my_pending_approvals_oldest_first(app) {
        let w = build(app);
        let (s, q) = app.get("/api/v1/approvals", &w.x);
        assert_eq!(s, 200, "{q}");
        let ids: Vec<i64> = q["items"].as_array().unwrap().iter().map(|i| i["referral_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, w.queue_expected, "only X's pending approvals, oldest first: {q}");
        assert_eq!(q["total"], 2);
        assert_eq!(q["items"][0]["referring_centre"], "Yby");
        assert!(q["items"][0]["age_seconds"].as_i64().unwrap() > q["items"][1]["age_seconds"].as_i64().unwrap());
        // Z coordinates the order Y referred to; Y coordinates nothing.
        let (_, q) = app.get("/api/v1/approvals", &w.z);
        assert_eq!(q["items"][0]["referral_id"], w.z_pending);
        assert_eq!(q["total"], 1);
        let (_, q) = app.get("/api/v1/approvals", &w.y);
        assert_eq!(q["total"], 0);

        // The pages: the queue with its count in the navigation, and the reports.
        let (s, body) = app.raw("GET", "/approvals", Some(&w.x), None, "");
        assert_eq!(s, 200);
        let html = body;
        assert!(html.contains("Afventer min godkendelse <span class=\"count\">2</span>"), "{html}");
        assert_eq!(html.matches("<td data-label=\"Titel\">").count(), 2);
        let (s, body) = app.raw("GET", &format!("/reports?{PERIOD}"), Some(&w.x), None, "");
        assert_eq!(s, 200);
        let html = body;
        assert!(html.contains("<svg class=\"chart\""));
        assert!(html.contains("Nået virksomheden"), "placements set hires against those sent");
        assert!(!html.contains("<script"));
    }

    queue_follows_the_orders_coordinator(app) {
        let w = build(app);
        create_user(&app.state.db, "x.tovholder", "rapport-demo", "90.001", "X2", "x2@jc.example", false).unwrap();
        let x2 = login(app, "x.tovholder");
        let (_, me) = app.get("/api/v1/auth/me", &x2);
        let (_, q) = app.get("/api/v1/approvals", &w.x);
        let order = q["items"][0]["order_id"].as_i64().unwrap();
        // X hands the order to X2: the pending referrals move to X2's queue at once.
        let (s, b) = app.patch(&format!("/api/v1/orders/{order}"), &w.x, json!({"coordinator_id": me["id"]}));
        assert_eq!(s, 200, "{b}");
        let (_, q) = app.get("/api/v1/approvals", &w.x);
        assert_eq!(q["total"], 0, "{q}");
        let (_, q) = app.get("/api/v1/approvals", &x2);
        assert_eq!(q["total"], 2, "{q}");
        let ids: Vec<i64> = q["items"].as_array().unwrap().iter().map(|i| i["referral_id"].as_i64().unwrap()).collect();
        assert_eq!(ids, w.queue_expected);
        // A referral made after the hand-over lands in X2's queue too.
        let cand = app.candidate(&w.y, "R9", true);
        let (s, r) = app.refer(&w.y, order, cand);
        assert_eq!(s, 201, "{r}");
        let (_, q) = app.get("/api/v1/approvals", &x2);
        assert_eq!(q["total"], 3, "{q}");
    }
    counters_stay_in_step_with_every_write(app) {
        let w = build(app);
        assert_counts_in_step(app);
        // Y's order, shared with N1; X refers to it; then Y shares it with N2 as well and takes
        // it back from N1: the existing referral moves between the networks' counts.
        let oy = app.shared_order(&w.y, json!({}), &["N1"]);
        let cand = app.candidate(&w.x, "R10", true);
        let (s, r) = app.refer(&w.x, oy, cand);
        assert_eq!(s, 201, "{r}");
        let (s, b) = app.post(&format!("/api/v1/orders/{oy}/shares"), &w.y, json!({"network": "N2"}));
        assert_eq!(s, 201, "{b}");
        assert_counts_in_step(app);
        let (s, b) = app.call("DELETE", &format!("/api/v1/orders/{oy}/shares/N1"), Some(&w.y), None);
        assert!(s < 300, "{s} {b}");
        assert_counts_in_step(app);
        // Closing X's order withdraws its pending referrals in one statement.
        let (_, q) = app.get("/api/v1/approvals", &w.x);
        let order = q["items"][0]["order_id"].as_i64().unwrap();
        let (s, b) = app.post(&format!("/api/v1/orders/{order}/close"), &w.x, json!({"reason": "Besat"}));
        assert_eq!(s, 200, "{b}");
        assert_counts_in_step(app);
        // Revoking a candidate's consent withdraws what is pending.
        let cand2 = app.candidate(&w.y, "R11", true);
        let (s, r) = app.refer(&w.y, oy, cand2);
        assert_eq!(s, 201, "{r}");
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cand2}/consent"), Some(&w.y), None);
        assert!(s < 300, "{s} {b}");
        assert_counts_in_step(app);
        // A decision made through the app, then moved in time with fractions of a second: the
        // decision came 4.6 s after the referral, which is 4 whole seconds (5 - 1 from the
        // fractions), and 0.4 s is 0.
        let ox = app.shared_order(&w.x, json!({}), &["N1"]);
        let cand3 = app.candidate(&w.y, "R12", true);
        let (s, r) = app.refer(&w.y, ox, cand3);
        assert_eq!(s, 201, "{r}");
        let id = r["id"].as_i64().unwrap();
        act(app, &w.x, id, "approve");
        assert_counts_in_step(app);
        let made = at(2025, 2, 3, 10) + Duration::milliseconds(900);
        move_in_time(app, id, made, Duration::milliseconds(4_600));
        assert_counts_in_step(app);
        move_in_time(app, id, made, Duration::milliseconds(400));
        assert_counts_in_step(app);
        // Erasing the candidate takes the referral and its decision with it.
        let (s, b) = app.call("DELETE", &format!("/api/v1/candidates/{cand3}"), Some(&w.y), None);
        assert!(s < 300, "{s} {b}");
        assert_counts_in_step(app);
    }

}
