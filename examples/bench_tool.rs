//! Helpers of `scripts/bench` (database from DATABASE_URL, like the server):
//!
//!     bench_tool order-ids CENTRE_ID N          N order ids of a centre, spread over its history
//!     bench_tool busiest-coordinator [SKIP]     the user coordinating the most pending referrals
//!                                               on open orders (SKIP: take the next one down)
//!     bench_tool pending-ids USERNAME N         ids of those referrals
//!     bench_tool sql USERNAME ORDER_IDS_FILE N  the database work of each benchmarked endpoint,
//!                                               run directly N times: p50/p99 in ms
//!     bench_tool order-parts USERNAME ORDER_IDS_FILE N   the order page's database work,
//!                                               part by part: p50/p99 in ms
//!     bench_tool approve-direct USERNAME IDS_FILE   the approval transaction without HTTP
//!     bench_tool approve-http BASE TOKEN IDS_FILE CONNS   approvals over HTTP, CONNS at a time
//!     bench_tool analyze                        planner statistics again (after another build's
//!                                               migrations added indexes the seed's ANALYZE never saw)
//!
//! "Raw" here is what the database part of a request costs: the order page runs the handler's
//! own diesel queries (`orders::view`), the matches `matching::candidates_for_order`, the
//! dashboard lists their SQL (COUNT plus a page of 50, as on the dashboard branch) through
//! `sql_query`, with no HTTP, JSON or thread hops.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamp};
use staer_hub::db::schema::{job_orders, referrals as referrals_t, users};
use staer_hub::db::{Db, DbConn};
use staer_hub::domain::actor::AuthUser;
use staer_hub::domain::orders;
use staer_hub::domain::referral::{Action, State};
use staer_hub::domain::referrals;
use staer_hub::domain::users::User;
use staer_hub::ids::{JobOrderId, ReferralId};
use staer_hub::{app, config::Config, mail::Mail};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn db() -> Res<Db> {
    Ok(app::state(Config::from_env())?.db.clone())
}

fn user(db: &Db, username: &str) -> Res<AuthUser> {
    let name = username.to_string();
    let u: User = db.read_blocking(move |c| {
        Ok(users::table
            .filter(users::username.eq(&name))
            .select(User::as_select())
            .first(c)?)
    })?;
    Ok(u.auth())
}

fn read_ids(path: &str) -> Res<Vec<i64>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect())
}

/// p50 and p99 in milliseconds.
fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    v.sort();
    let at = |q: usize| v[(v.len() * q / 100).min(v.len() - 1)].as_secs_f64() * 1000.0;
    (at(50), at(99))
}

fn time_n(n: usize, mut f: impl FnMut(usize) -> Res<()>) -> Res<(f64, f64)> {
    // Warm the page cache and the statement caches first, as the server's are.
    for i in 0..n.min(20) {
        f(i)?;
    }
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        f(i)?;
        times.push(t.elapsed());
    }
    Ok(percentiles(times))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
#[allow(dead_code)]
struct SharedOrderRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    authority_number: String,
    #[diesel(sql_type = Text)]
    centre_name: String,
    #[diesel(sql_type = Text)]
    responsible_consultant: String,
    #[diesel(sql_type = Text)]
    coordinator: String,
    #[diesel(sql_type = Nullable<Text>)]
    coordinator_external: Option<String>,
    #[diesel(sql_type = Text)]
    occupation: String,
    #[diesel(sql_type = Text)]
    request_id: String,
    #[diesel(sql_type = Text)]
    order_type: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    company_name: String,
    #[diesel(sql_type = Date)]
    start_date: NaiveDate,
    #[diesel(sql_type = Integer)]
    vacancies: i32,
    #[diesel(sql_type = Integer)]
    referred: i32,
}

#[derive(QueryableByName)]
#[allow(dead_code)]
struct MyOrderRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    occupation: String,
    #[diesel(sql_type = Text)]
    request_id: String,
    #[diesel(sql_type = Text)]
    company_name: String,
    #[diesel(sql_type = Date)]
    start_date: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    end_date: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    vacancies: i32,
    #[diesel(sql_type = Integer)]
    referred: i32,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    status: String,
}

#[derive(QueryableByName)]
#[allow(dead_code)]
struct MyReferralRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    order_id: i64,
    #[diesel(sql_type = Text)]
    order_title: String,
    #[diesel(sql_type = Text)]
    company_name: String,
    #[diesel(sql_type = BigInt)]
    candidate_id: i64,
    #[diesel(sql_type = Text)]
    candidate_name: String,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    created_by: i64,
    #[diesel(sql_type = Text)]
    created_by_name: String,
}

/// The dashboard lists' SQL for a centre: (name, COUNT query, page query).
fn dashboard_sql(centre: i64) -> [(&'static str, String, String); 3] {
    // The same query shapes as src/dashboards.rs: the ratio is then the cost of the app
    // (HTTP, auth, pool, JSON/HTML) on top of the same database work.
    let shared_from = format!(
        "FROM order_notifications n \
         JOIN job_orders o ON o.id = n.order_id \
         JOIN job_centres c ON c.id = o.job_centre_id \
         JOIN users r ON r.id = o.responsible_consultant_id \
         JOIN users k ON k.id = o.coordinator_id \
         WHERE n.job_centre_id = {centre} AND n.listed = TRUE"
    );
    let referrals_from = format!(
        "FROM referrals f \
         JOIN job_orders o ON o.id = f.order_id \
         JOIN candidates d ON d.id = f.candidate_id \
         JOIN users u ON u.id = f.created_by \
         WHERE f.job_centre_id = {centre}"
    );
    [
        (
            "shared-orders",
            format!("SELECT COUNT(*) AS n FROM order_notifications WHERE job_centre_id = {centre} AND listed = TRUE"),
            format!(
                "SELECT o.id, c.authority_number, c.name AS centre_name, r.display_name AS responsible_consultant, \
                 k.display_name AS coordinator, o.coordinator_external, o.occupation, o.request_id, o.order_type, \
                 o.title, o.company_name, o.start_date, o.vacancies, o.referred {shared_from} \
                 ORDER BY n.start_date ASC, n.order_id ASC LIMIT 50 OFFSET 0"
            ),
        ),
        (
            "my-orders",
            format!("SELECT COUNT(*) AS n FROM job_orders WHERE job_centre_id = {centre}"),
            format!(
                "SELECT id, title, occupation, request_id, company_name, start_date, end_date, vacancies, referred, \
                 created_at, updated_at, status FROM job_orders WHERE job_centre_id = {centre} \
                 ORDER BY created_at DESC, id DESC LIMIT 50 OFFSET 0"
            ),
        ),
        (
            "my-referrals",
            format!("SELECT COUNT(*) AS n FROM referrals WHERE job_centre_id = {centre}"),
            format!(
                "SELECT f.id, f.order_id, o.title AS order_title, o.company_name, f.candidate_id, \
                 d.name AS candidate_name, f.state, f.created_at, f.created_by, u.display_name AS created_by_name \
                 {referrals_from} ORDER BY f.created_at DESC, f.id DESC LIMIT 50 OFFSET 0"
            ),
        ),
    ]
}

fn run_list(c: &mut DbConn, name: &str, count: &str, page: &str) -> QueryResult<usize> {
    let _total = diesel::sql_query(count).get_result::<Count>(c)?.n;
    Ok(match name {
        "shared-orders" => diesel::sql_query(page).load::<SharedOrderRow>(c)?.len(),
        "my-orders" => diesel::sql_query(page).load::<MyOrderRow>(c)?.len(),
        _ => diesel::sql_query(page).load::<MyReferralRow>(c)?.len(),
    })
}

fn sql(username: &str, ids_file: &str, n: usize) -> Res<()> {
    let db = db()?;
    let me = user(&db, username)?;
    let ids = read_ids(ids_file)?;
    let mut conn = db.reader()?;
    let c: &mut DbConn = &mut conn;
    let (p50, p99) = time_n(n, |i| {
        orders::view(c, &me, JobOrderId(ids[i % ids.len()]))?;
        Ok(())
    })?;
    println!("order {p50:.3} {p99:.3}");
    let (p50, p99) = time_n(n, |i| {
        let id = JobOrderId(ids[i % ids.len()]);
        staer_hub::domain::matching::candidates_for_order(c, &me, id, 20, 70.0)?;
        Ok(())
    })?;
    println!("matches {p50:.3} {p99:.3}");
    // The order page (HTML): all of its parts for one order.
    let parts = order_page_parts(&me);
    let (p50, p99) = time_n(n, |i| {
        let id = JobOrderId(ids[i % ids.len()]);
        parts.iter().try_for_each(|(_, f)| f(c, id))?;
        Ok(())
    })?;
    println!("order-page {p50:.3} {p99:.3}");
    for (name, count, page) in dashboard_sql(me.job_centre_id.0) {
        let (p50, p99) = time_n(n, |_| {
            run_list(c, name, &count, &page)?;
            Ok(())
        })?;
        println!("{name} {p50:.3} {p99:.3}");
    }
    Ok(())
}

type Part<'a> = Box<dyn Fn(&mut DbConn, JobOrderId) -> staer_hub::error::AppResult<()> + 'a>;

/// The order page's database work (web/pages/order.rs), part by part.
fn order_page_parts(me: &AuthUser) -> Vec<(&'static str, Part<'_>)> {
    use staer_hub::domain::candidate_list::{self, Search};
    use staer_hub::domain::{
        approvals, audit, employer_link, matching, notices, portal, portal_state, sharing, users as users_d,
    };
    let picker = Search {
        q: String::new(),
        page: 1,
        per_page: candidate_list::PICKER_PER_PAGE,
    };
    vec![
        (
            "header",
            Box::new(move |c, _| {
                users_d::header_names(c, me)?;
                approvals::awaiting_count_capped(c, me)?;
                notices::unread_count(c, me).map(drop)
            }),
        ),
        (
            "view+load",
            Box::new(move |c, id| {
                orders::view(c, me, id)?;
                orders::load_visible(c, me, id).map(drop)
            }),
        ),
        (
            "notified+shares",
            Box::new(move |c, id| {
                sharing::notified(c, me, id, 1, sharing::NOTIFIED_PER_PAGE)?;
                sharing::shares_of(c, id).map(drop)
            }),
        ),
        (
            "referrals",
            Box::new(move |c, id| referrals::of_order(c, me, id).map(drop)),
        ),
        (
            "picker",
            Box::new(move |c, id| candidate_list::referable(c, me, id, &picker).map(drop)),
        ),
        (
            "suggestions",
            Box::new(move |c, id| matching::candidates_for_order(c, me, id, 20, matching::DEFAULT_RADIUS_KM).map(drop)),
        ),
        ("networks", Box::new(move |c, _| sharing::list_networks(c).map(drop))),
        (
            "portal",
            Box::new(move |c, id| {
                portal_state::state_of(c, id)?;
                portal::protocol(c, id, 200).map(drop)
            }),
        ),
        (
            "history",
            Box::new(move |c, id| {
                audit::history(c, "job_order", id.0, 200)?;
                referrals::events_of_order(c, me, id, 200).map(drop)
            }),
        ),
        (
            "employer-links",
            Box::new(move |c, id| employer_link::of_order(c, me, id).map(drop)),
        ),
    ]
}

/// The order page's handler part by part, on the same connection.
fn order_parts(username: &str, ids_file: &str, n: usize) -> Res<()> {
    let db = db()?;
    let me = user(&db, username)?;
    let ids = read_ids(ids_file)?;
    let mut conn = db.reader()?;
    let c: &mut DbConn = &mut conn;
    for (name, f) in &order_page_parts(&me) {
        let (p50, p99) = time_n(n, |i| Ok(f(c, JobOrderId(ids[i % ids.len()]))?))?;
        println!("{name} {p50:.3} {p99:.3}");
    }
    Ok(())
}

fn busiest_coordinator(skip: i64) -> Res<()> {
    let db = db()?;
    let (name, n) = db.read_blocking(move |c| {
        Ok(job_orders::table
            .inner_join(referrals_t::table.on(referrals_t::order_id.eq(job_orders::id)))
            .inner_join(users::table.on(users::id.eq(job_orders::coordinator_id)))
            .filter(job_orders::status.eq("open"))
            .filter(referrals_t::state.eq(State::PendingApproval.as_str()))
            .group_by(users::username)
            .select((users::username, diesel::dsl::count_star()))
            .order((diesel::dsl::count_star().desc(), users::username))
            .offset(skip)
            .first::<(String, i64)>(c)?)
    })?;
    println!("{name} {n}");
    Ok(())
}

fn pending_ids(username: &str, n: i64) -> Res<()> {
    let db = db()?;
    let me = user(&db, username)?;
    let ids: Vec<i64> = db.read_blocking(move |c| {
        Ok(referrals_t::table
            .inner_join(job_orders::table.on(job_orders::id.eq(referrals_t::order_id)))
            .filter(job_orders::coordinator_id.eq(me.id))
            .filter(job_orders::status.eq("open"))
            .filter(referrals_t::state.eq(State::PendingApproval.as_str()))
            .select(referrals_t::id)
            .order(referrals_t::id)
            .limit(n)
            .load::<ReferralId>(c)?
            .into_iter()
            .map(|r| r.0)
            .collect())
    })?;
    for id in ids {
        println!("{id}");
    }
    Ok(())
}

fn order_ids(centre: i64, n: usize) -> Res<()> {
    let db = db()?;
    let all: Vec<JobOrderId> = db.read_blocking(move |c| {
        Ok(job_orders::table
            .filter(job_orders::job_centre_id.eq(centre))
            .select(job_orders::id)
            .order(job_orders::id)
            .load(c)?)
    })?;
    let step = (all.len() / n.max(1)).max(1);
    for id in all.iter().step_by(step).take(n) {
        println!("{id}");
    }
    Ok(())
}

/// The approval as the handler runs it (`apply_view` in one write transaction), without HTTP.
fn approve_direct(username: &str, ids_file: &str) -> Res<()> {
    let db = db()?;
    let me = user(&db, username)?;
    let mail = Mail::new("http://127.0.0.1:8080")?;
    let ids = read_ids(ids_file)?;
    let mut times = Vec::with_capacity(ids.len());
    let started = Instant::now();
    for id in &ids {
        let t = Instant::now();
        db.write_blocking(|c| referrals::apply_view(c, &mail, &me, ReferralId(*id), Action::Approve, None))?;
        times.push(t.elapsed());
    }
    let secs = started.elapsed().as_secs_f64();
    let (p50, p99) = percentiles(times);
    println!(
        "approve-direct {} {:.0} {p50:.3} {p99:.3}",
        ids.len(),
        ids.len() as f64 / secs
    );
    Ok(())
}

/// Approvals over HTTP: CONNS threads, each with its own keep-alive connection, take the
/// next id until none is left. Prints: count ok errors seconds per_second p50_ms p99_ms.
fn approve_http(base: &str, token: &str, ids_file: &str, conns: usize) -> Res<()> {
    let ids = Arc::new(read_ids(ids_file)?);
    let next = Arc::new(AtomicUsize::new(0));
    let times = Arc::new(Mutex::new(Vec::with_capacity(ids.len())));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..conns)
        .map(|_| {
            let (ids, next, times, errors) = (ids.clone(), next.clone(), times.clone(), errors.clone());
            let (base, auth) = (base.to_string(), format!("Bearer {token}"));
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(id) = ids.get(i) else { break };
                    let t = Instant::now();
                    let r = agent
                        .post(&format!("{base}/api/v1/referrals/{id}/approve"))
                        .set("Authorization", &auth)
                        .call();
                    mine.push(t.elapsed());
                    if r.is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                times.lock().unwrap().extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| "a load thread panicked")?;
    }
    let secs = started.elapsed().as_secs_f64();
    let times = std::mem::take(&mut *times.lock().unwrap());
    let n = times.len();
    let errors = errors.load(Ordering::Relaxed);
    let (p50, p99) = percentiles(times);
    println!(
        "approve-http {n} {} {errors} {secs:.2} {:.0} {p50:.3} {p99:.3}",
        n - errors,
        (n - errors) as f64 / secs
    );
    Ok(())
}

/// Stale statistics mislead SQLite: an index without stat1 rows looks more selective than
/// one measured, so after new indexes it may pick one that needs a sort. As the seed: stat1 only.
fn analyze() -> Res<()> {
    use diesel::connection::SimpleConnection;
    let db = db()?;
    let mut c = db.reader()?;
    match &mut **c {
        // VACUUM too: a migration that rewrote a table leaves its visibility map empty, and
        // index-only scans then visit the heap until autovacuum comes by.
        DbConn::Pg(pg) => pg.batch_execute("VACUUM ANALYZE")?,
        DbConn::Sqlite(s) => s.batch_execute("ANALYZE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;")?,
    }
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Res<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("missing argument {i}; see the comment at the top of bench_tool.rs").into())
    };
    match arg(0)? {
        "order-ids" => order_ids(arg(1)?.parse()?, arg(2)?.parse()?),
        "busiest-coordinator" => busiest_coordinator(arg(1).unwrap_or("0").parse()?),
        "pending-ids" => pending_ids(arg(1)?, arg(2)?.parse()?),
        "sql" => sql(arg(1)?, arg(2)?, arg(3)?.parse()?),
        "order-parts" => order_parts(arg(1)?, arg(2)?, arg(3)?.parse()?),
        "approve-direct" => approve_direct(arg(1)?, arg(2)?),
        "analyze" => analyze(),
        "approve-http" => approve_http(arg(1)?, arg(2)?, arg(3)?, arg(4)?.parse()?),
        other => Err(format!("unknown command {other}").into()),
    }
}
