//! The suggestions of the order page, pinned on a small seeded data set (`staer-hub seed`,
//! deterministic): a faster way to find them must give the same candidates in the same order.
//! The lists were recorded with the matching code as it was before it was made faster.

mod common;

use diesel::prelude::*;
use staer_hub::cli::seed::{self, SeedOptions};
use staer_hub::db::schema::{job_orders, users};
use staer_hub::domain::matching::{self, DEFAULT_RADIUS_KM};
use staer_hub::domain::users::User;
use staer_hub::ids::JobOrderId;

/// Big enough that the biggest centre has ~1,700 candidates at its home postcode: more than
/// a ring reads (1,000 rows), so the cut-off is pinned too.
fn options() -> SeedOptions {
    SeedOptions {
        centres: 10,
        orders: 2000,
        referrals: 30_000,
        ..SeedOptions::default()
    }
}

/// One line per (order, limit, radius): `order limit km: candidate ids, best first`. Written
/// by this test with `STAER_PIN_PRINT=1` (`-- --nocapture`), from the code before the change.
const PINNED: &str = include_str!("data/suggestions_pinned.txt");

/// The searches pinned per order: the page's (20 within 70 km), a long list, a short reach
/// (the rings) and a long reach.
const SEARCHES: [(usize, f64); 4] = [
    (20, DEFAULT_RADIUS_KM),
    (200, DEFAULT_RADIUS_KM),
    (20, 3.0),
    (50, 300.0),
];

fn line(id: i64, limit: usize, km: f64, ids: &[i64]) -> String {
    let ids: String = ids.iter().map(|c| format!(" {c}")).collect();
    format!("{id} {limit} {km}:{ids}")
}

/// The first three orders of the biggest centre of each kind (by what the matching looks at).
fn orders_to_pin(c: &mut staer_hub::db::DbConn) -> Vec<i64> {
    type Row = (i64, Option<String>, bool, Option<f64>, bool);
    let rows: Vec<Row> = job_orders::table
        .filter(job_orders::job_centre_id.eq(1))
        .select((
            job_orders::id,
            job_orders::occupation_code,
            job_orders::no_qualifications,
            job_orders::lat,
            job_orders::requires_driving_licence,
        ))
        .order(job_orders::id)
        .load(c)
        .unwrap();
    let mut seen = std::collections::HashMap::new();
    rows.into_iter()
        .filter(|r| {
            let n = seen.entry((r.1.is_some(), r.2, r.3.is_some(), r.4)).or_insert(0);
            *n += 1;
            *n <= 3
        })
        .map(|r| r.0)
        .collect()
}

fn suggestions_are_pinned(backend: common::Backend) {
    let db = common::TestDb::new(backend);
    let state = staer_hub::app::state(common::test_config(&db.url)).unwrap();
    seed::run(&state.db, &options()).unwrap();
    let got: Vec<String> = state
        .db
        .read_blocking(|c| {
            let u: User = users::table
                .filter(users::username.eq("c001.konsulent1"))
                .select(User::as_select())
                .first(c)?;
            let me = u.auth();
            let mut out = Vec::new();
            for id in orders_to_pin(c) {
                for (limit, km) in SEARCHES {
                    let m = matching::candidates_for_order(c, &me, JobOrderId(id), limit, km)?;
                    let ids: Vec<i64> = m.iter().map(|m| m.candidate.id.0).collect();
                    out.push(line(id, limit, km, &ids));
                }
            }
            Ok(out)
        })
        .unwrap();
    if std::env::var("STAER_PIN_PRINT").is_ok() {
        println!("PINNED\n{}", got.join("\n"));
    }
    let want: Vec<&str> = PINNED.lines().collect();
    assert_eq!(got.len(), want.len(), "the searches pinned");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    // Not vacuous: most searches suggest someone, and the orders needing no qualifications
    // fill the long lists from the rings.
    assert!(want.iter().filter(|l| !l.ends_with(':')).count() > want.len() / 2);
    assert!(want.iter().any(|l| l.split(' ').count() >= 200 + 3));
}

#[test]
fn suggestions_are_pinned_on_sqlite() {
    suggestions_are_pinned(common::Backend::Sqlite);
}

#[test]
fn suggestions_are_pinned_on_postgres() {
    suggestions_are_pinned(common::Backend::Postgres);
}
