//! The seed on both backends: the counts the app keeps agree with the rows written.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::*;
use diesel::sql_types::BigInt;

use crate::db::schema::{
    candidate_wishes, candidates, consenting_counts, decision_times, job_orders, network_referral_counts, order_shares,
    referral_counts, referral_events, referrals, share_counts, users,
};

/// On SQLite, the file alone is the database once the seed is done, while its connections are
/// still open: `scripts/bench` copies it without its WAL.
fn wal_is_empty(url: &str) {
    if let Some(file) = url.strip_prefix("sqlite://") {
        let wal = std::fs::metadata(format!("{file}-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "the seed left its last writes in the WAL");
    }
}

/// A small seed: the counts the app keeps agree with the rows.
fn small_seed_is_consistent(url: &str) {
    let db = crate::app::state(crate::config::Config::from_env_with(url))
        .unwrap()
        .db
        .clone();
    let opts = SeedOptions {
        centres: 12,
        orders: 400,
        referrals: 3000,
        ..SeedOptions::default()
    };
    let report = run(&db, &opts).unwrap();
    wal_is_empty(url);
    assert!(report.total_seconds() > 0.0);
    db.read_blocking(|c| {
        use diesel::dsl::count_star;
        assert_eq!(job_orders::table.count().get_result::<i64>(c)?, 400);
        assert_eq!(referrals::table.count().get_result::<i64>(c)?, 3000);
        assert_eq!(users::table.count().get_result::<i64>(c)?, 12 * 3 + 1);
        // `referred` is the number of counting referrals of each order.
        let sum: Option<i64> = job_orders::table
            .select(diesel::dsl::sum(job_orders::referred))
            .first(c)?;
        let counting = referrals::table
            .filter(referrals::state.eq_any(["pending_approval", "available_to_company", "sent_to_employer"]))
            .count()
            .get_result::<i64>(c)?;
        assert_eq!(sum, Some(counting));
        // Most final referrals reached the employer; fewer were rejected.
        let mut of = |st: &str| {
            referrals::table
                .filter(referrals::state.eq(st.to_string()))
                .count()
                .get_result::<i64>(c)
        };
        assert!(of("sent_to_employer")? > of("rejected")?);
        // Every referral is to a shared order by a notified centre or the owner.
        let stray = referrals::table
            .inner_join(job_orders::table.on(job_orders::id.eq(referrals::order_id)))
            .filter(job_orders::sent_to_portal_at.is_null())
            .select(count_star())
            .first::<i64>(c)?;
        assert_eq!(stray, 0);
        // Each referral has a creation event, and its last event is its state.
        let created = referral_events::table
            .filter(referral_events::from_state.is_null())
            .count()
            .get_result::<i64>(c)?;
        assert_eq!(created, 3000);
        // The reports' counters hold every referral, by state and per network shared with,
        // though the seed loads without the per-row trigger.
        let by_state: Vec<(String, i64)> = referrals::table
            .group_by(referrals::state)
            .select((referrals::state, count_star()))
            .order(referrals::state)
            .load(c)?;
        let total = || diesel::dsl::sql::<BigInt>("CAST(SUM(n) AS BIGINT)");
        let counted: Vec<(String, i64)> = referral_counts::table
            .group_by(referral_counts::state)
            .select((referral_counts::state, total()))
            .order(referral_counts::state)
            .load(c)?;
        assert_eq!(counted, by_state);
        let shared = referrals::table
            .inner_join(order_shares::table.on(order_shares::order_id.eq(referrals::order_id)))
            .select(count_star())
            .first::<i64>(c)?;
        let in_networks: i64 = network_referral_counts::table.select(total()).first(c)?;
        assert!(shared > 0);
        assert_eq!(in_networks, shared);
        // So do the orders shared.
        let shares: i64 = order_shares::table.count().get_result(c)?;
        let counted_shares: i64 = share_counts::table.select(total()).first(c)?;
        assert_eq!(counted_shares, shares);
        // So do each centre's candidates with consent, the picker's total.
        let consenting: Vec<(i64, i64)> = candidates::table
            .filter(candidates::consent_given_at.is_not_null())
            .filter(candidates::consent_revoked_at.is_null())
            .filter(candidates::erased_at.is_null())
            .group_by(candidates::job_centre_id)
            .select((candidates::job_centre_id, count_star()))
            .order(candidates::job_centre_id)
            .load(c)?;
        let kept: Vec<(i64, i64)> = consenting_counts::table
            .filter(consenting_counts::n.ne(0))
            .select((consenting_counts::job_centre_id, consenting_counts::n))
            .order(consenting_counts::job_centre_id)
            .load(c)?;
        assert!(!consenting.is_empty());
        assert_eq!(kept, consenting);
        wishes_carry_their_candidates(c)?;
        // Every coordinator decision has its time in decision_times, though the seed loads
        // the events without the per-row trigger.
        let kept: Vec<(i64, i64)> = decision_times::table
            .select((decision_times::event_id, decision_times::seconds))
            .order(decision_times::event_id)
            .load(c)?;
        let decisions: Vec<(i64, chrono::NaiveDateTime, chrono::NaiveDateTime)> = referral_events::table
            .inner_join(referrals::table)
            .filter(referral_events::from_state.eq("pending_approval"))
            .filter(referral_events::to_state.eq_any(["available_to_company", "rejected"]))
            .select((referral_events::id, referrals::created_at, referral_events::at))
            .order(referral_events::id)
            .load(c)?;
        let want: Vec<(i64, i64)> = decisions
            .into_iter()
            .map(|(id, made, at)| (id, (at - made).num_seconds().max(0)))
            .collect();
        assert!(!want.is_empty());
        assert_eq!(kept, want);
        // The seeded password works.
        let u = crate::domain::users::authenticate(c, "c001.konsulent1", PASSWORD)?;
        assert_eq!(u.job_centre_id.0, 1);
        Ok(())
    })
    .unwrap();
    counted_as_the_migrations_count(&db);
    // A second run refuses: seed needs a fresh database.
    assert!(run(&db, &opts).is_err());
}

/// A counter row: (centre or network, month, referring centre, state, n).
type Count = (i64, String, i64, String, i64);
type Kept = (Vec<Count>, Vec<Count>, Vec<(i64, i64, String, i64)>);

/// The counters and decision times the seed counted in memory are, row for row, what the
/// migrations' SELECTs make of the rows written (`report_counts::rebuild*`).
fn counted_as_the_migrations_count(db: &Db) {
    let read = |c: &mut crate::db::DbConn| -> AppResult<Kept> {
        use crate::db::schema::network_referral_counts as nc;
        use crate::db::schema::referral_counts as rc;
        Ok((
            rc::table
                .select((
                    rc::order_centre_id,
                    rc::month,
                    rc::referring_centre_id,
                    rc::state,
                    rc::n,
                ))
                .order((rc::order_centre_id, rc::month, rc::referring_centre_id, rc::state))
                .load(c)?,
            nc::table
                .select((nc::network_id, nc::month, nc::referring_centre_id, nc::state, nc::n))
                .order((nc::network_id, nc::month, nc::referring_centre_id, nc::state))
                .load(c)?,
            decision_times::table.order(decision_times::event_id).load(c)?,
        ))
    };
    let written = db.read_blocking(read).unwrap();
    db.write_blocking(|c| {
        crate::domain::report_counts::rebuild(c)?;
        crate::domain::report_counts::rebuild_decision_times(c)
    })
    .unwrap();
    let rebuilt = db.read_blocking(read).unwrap();
    assert!(!written.0.is_empty() && !written.1.is_empty() && !written.2.is_empty());
    // Not assert_eq: the tables are thousands of rows.
    assert!(
        written == rebuilt,
        "the seed's counts are not the migrations': {} / {} / {} rows written, {} / {} / {} rebuilt",
        written.0.len(),
        written.1.len(),
        written.2.len(),
        rebuilt.0.len(),
        rebuilt.1.len(),
        rebuilt.2.len()
    );
}

/// Each wish carries its candidate's fields, as the trigger the seed skips would fill them.
fn wishes_carry_their_candidates(c: &mut crate::db::DbConn) -> QueryResult<()> {
    let wishes: i64 = candidate_wishes::table.count().get_result(c)?;
    let agreeing: i64 = candidate_wishes::table
        .inner_join(candidates::table)
        .filter(candidate_wishes::job_centre_id.eq(candidates::job_centre_id))
        .filter(candidate_wishes::name.eq(candidates::name))
        .filter(
            candidate_wishes::lat
                .eq(candidates::lat)
                .or(candidate_wishes::lat.is_null().and(candidates::lat.is_null())),
        )
        .filter(
            candidate_wishes::lon
                .eq(candidates::lon)
                .or(candidate_wishes::lon.is_null().and(candidates::lon.is_null())),
        )
        .filter(candidate_wishes::driving_licence.eq(candidates::driving_licence))
        .filter(
            candidate_wishes::consenting.eq(candidates::consent_given_at
                .is_not_null()
                .and(candidates::consent_revoked_at.is_null())),
        )
        .count()
        .get_result(c)?;
    assert!(wishes > 0);
    assert_eq!(agreeing, wishes);
    Ok(())
}

#[test]
fn small_seed_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("staer-seed-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    small_seed_is_consistent(&format!("sqlite://{}", dir.join("s.db").display()));
    std::fs::remove_dir_all(&dir).ok();
}

/// The COPY path, on the tests' PostgreSQL (skipped when STAER_TEST_PG is not set).
#[test]
fn small_seed_on_postgres() {
    let Ok(base) = std::env::var("STAER_TEST_PG") else {
        eprintln!("STAER_TEST_PG not set: skipping the PostgreSQL seed test");
        return;
    };
    let name = format!("staer_seed_t_{}", std::process::id());
    let mut admin = diesel::PgConnection::establish(&base).unwrap();
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    small_seed_is_consistent(&format!("{prefix}/{name}"));
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
