//! `staer-hub seed`: a benchmark-sized data set (by default 100 centres, 100,000 orders,
//! 1,000,000 referrals) with realistic skew, on SQLite or PostgreSQL.
//!
//! Everything is planned in memory first (ids are assigned here, so rows can refer to each
//! other without reading back), then written table by table in one transaction per phase.
//! The `DbConn` enum can't batch-insert a `Vec`, so the writer matches on the inner
//! connection: multi-row INSERTs on SQLite, binary `COPY` on PostgreSQL.

use std::time::Instant;

use chrono::{Duration, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::db::schema::{
    audit_log, candidate_wishes, candidates, companies, job_centres, job_orders, network_members, networks,
    order_notifications, order_shares, referral_events, referrals, users,
};
use crate::db::{Db, DbConn};
use crate::domain::orders::OrderFields;
use crate::domain::referrals::State;
use crate::error::{AppError, AppResult};

mod rows;
#[cfg(test)]
mod tests;
mod words;

use rows::*;
use words::*;

/// The password of every seeded user.
pub const PASSWORD: &str = "demo";

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub centres: usize,
    pub orders: usize,
    pub referrals: usize,
    /// The same seed gives the same data (apart from "now").
    pub rng_seed: u64,
    /// Draw progress bars (on a terminal).
    pub progress: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            centres: 100,
            orders: 100_000,
            referrals: 1_000_000,
            rng_seed: 7412,
            progress: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PhaseTime {
    pub name: &'static str,
    pub rows: u64,
    pub seconds: f64,
}

#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub phases: Vec<PhaseTime>,
    /// Pending referrals on open orders, per coordinator's username, most first (top 3).
    pub busiest_coordinators: Vec<(String, i64)>,
}

impl SeedReport {
    pub fn total_seconds(&self) -> f64 {
        self.phases.iter().map(|p| p.seconds).sum()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:<16} {:>10} {:>9} {:>11}", "phase", "rows", "seconds", "rows/s")?;
        for p in &self.phases {
            let rate = if p.seconds > 0.0 {
                p.rows as f64 / p.seconds
            } else {
                0.0
            };
            writeln!(f, "{:<16} {:>10} {:>9.2} {:>11.0}", p.name, p.rows, p.seconds, rate)?;
        }
        let rows: u64 = self.phases.iter().map(|p| p.rows).sum();
        writeln!(f, "{:<16} {:>10} {:>9.2}", "total", rows, self.total_seconds())?;
        for (u, n) in &self.busiest_coordinators {
            writeln!(f, "coordinator {u}: {n} pending referrals on open orders")?;
        }
        Ok(())
    }
}

// ---- the plan ------------------------------------------------------------------------

struct Centre {
    id: i64,
    number: usize,
    consultants: [i64; 3],
    networks: Vec<usize>,
}

struct Order {
    centre: usize,
    created: NaiveDateTime,
    company: i64,
    shared_at: Option<NaiveDateTime>,
    networks: Vec<usize>,
    /// Centres notified and when (the union over the order's networks).
    notified: Vec<(usize, NaiveDateTime)>,
    closed_at: Option<NaiveDateTime>,
    coordinator: i64,
    responsible: i64,
    coordinator_allowed: bool,
    vacancies: i32,
    referred: i32,
    /// Candidates referred to this order (one referral per candidate and order here).
    referred_candidates: Vec<u32>,
}

struct Candidate {
    centre: usize,
    consent: bool,
    revoked: bool,
    first_referral: Option<NaiveDateTime>,
    last_event: Option<NaiveDateTime>,
}

/// Runs the whole seed; needs a database without job centres.
pub fn run(db: &Db, opts: &SeedOptions) -> AppResult<SeedReport> {
    if opts.centres == 0 || opts.orders == 0 {
        return Err(AppError::invalid(
            "centres",
            "seed needs at least one centre and one order",
        ));
    }
    let existing: i64 = db.read_blocking(|c| Ok(job_centres::table.count().get_result(c)?))?;
    if existing > 0 {
        return Err(AppError::Conflict(
            "the database already has job centres: seed needs a fresh database \
             (a new SQLite file or a new PostgreSQL database)"
                .into(),
        ));
    }
    let mut report = SeedReport::default();
    let started = Instant::now();
    let hash = crate::web::auth::hash_password(PASSWORD)?;
    let mut rng = StdRng::seed_from_u64(opts.rng_seed);
    let now = Utc::now().naive_utc().with_nanosecond(0).expect("0 ns is valid");
    let span = 730 * 24 * 3600; // two years of history
    let t0 = now - Duration::seconds(span);

    // Centres: sizes roughly like Danish municipalities (Zipf-like); c001 is the biggest.
    let weights: Vec<f64> = (0..opts.centres).map(|i| 1.0 / ((i + 1) as f64).powf(0.8)).collect();
    let by_size = WeightedIndex::new(&weights).map_err(|e| AppError::Internal(e.to_string()))?;
    // A few networks of ~26 centres; each centre is in one, about 30% in a second.
    let n_networks = ((opts.centres as f64 * 1.3 / 26.0).round() as usize).clamp(1, NETWORK_NAMES.len());
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_networks];
    let mut centres = Vec::with_capacity(opts.centres);
    for i in 0..opts.centres {
        let mut nets = vec![i % n_networks];
        if n_networks > 1 && rng.gen_bool(0.3) {
            nets.push((i + 1) % n_networks);
        }
        for &n in &nets {
            members[n].push(i);
        }
        let id = i as i64 + 1;
        centres.push(Centre {
            id,
            number: i + 1,
            consultants: [id * 3 - 2, id * 3 - 1, id * 3],
            networks: nets,
        });
    }
    let admin_id = opts.centres as i64 * 3 + 1;

    // Orders: ids in time order, centres by size, ~60% sent to the portal and shared.
    let mut created: Vec<NaiveDateTime> = (0..opts.orders).map(|_| t0 + secs(&mut rng, span)).collect();
    created.sort();
    let mut orders: Vec<Order> = Vec::with_capacity(opts.orders);
    for at in created {
        let centre = by_size.sample(&mut rng);
        let c = &centres[centre];
        let age_days = (now - at).num_days();
        let shared_at = rng
            .gen_bool(0.6)
            .then(|| soon_after(&mut rng, at, (at + Duration::days(3)).min(now), 6.0 * 3600.0));
        // Closed: mostly the old ones, ~15% overall.
        let closed_at = rng
            .gen_bool(if age_days > 180 { 0.19 } else { 0.02 })
            .then(|| soon_after(&mut rng, shared_at.unwrap_or(at), now, 60.0 * 86400.0));
        let mut nets = Vec::new();
        let mut notified: Vec<(usize, NaiveDateTime)> = Vec::new();
        if let Some(s) = shared_at {
            nets.push(c.networks[0]);
            // One network per share action; about a third are shared with a second network.
            if n_networks > 1 && rng.gen_bool(0.35) {
                let second = c
                    .networks
                    .get(1)
                    .copied()
                    .unwrap_or_else(|| (c.networks[0] + 1 + rng.gen_range(0..n_networks - 1)) % n_networks);
                nets.push(second);
            }
            for (k, &n) in nets.iter().enumerate() {
                let when = s + Duration::minutes(k as i64 * rng.gen_range(1..120));
                for &m in &members[n] {
                    if !notified.iter().any(|(x, _)| *x == m) {
                        notified.push((m, when));
                    }
                }
            }
        }
        // Each centre has a designated coordinator (tovholder) for most of its orders.
        let coordinator = if rng.gen_bool(0.6) {
            c.consultants[0]
        } else {
            c.consultants[rng.gen_range(0..3)]
        };
        orders.push(Order {
            centre,
            created: at,
            company: 0,
            shared_at,
            networks: nets,
            notified,
            closed_at,
            coordinator,
            responsible: c.consultants[rng.gen_range(0..3)],
            coordinator_allowed: rng.gen_bool(0.9),
            vacancies: match rng.gen_range(0..10) {
                0..=4 => 1,
                5..=8 => rng.gen_range(2..=5),
                _ => rng.gen_range(6..=20),
            },
            referred: 0,
            referred_candidates: Vec::new(),
        });
    }
    // Companies: about one per eight orders of a centre (at least three).
    let mut per_centre = vec![0usize; opts.centres];
    for o in &orders {
        per_centre[o.centre] += 1;
    }
    let mut company_rows = Vec::new();
    let mut first_company = vec![0i64; opts.centres];
    for (i, n) in per_centre.iter().enumerate() {
        first_company[i] = company_rows.len() as i64 + 1;
        for _ in 0..(n / 8).max(3) {
            let id = company_rows.len() as i64 + 1;
            let name = format!(
                "{} {} {}",
                pick(&mut rng, COMPANY_STEMS),
                pick(&mut rng, PLACES),
                pick(&mut rng, SUFFIXES)
            );
            company_rows.push(NewCompany {
                id,
                job_centre_id: centres[i].id,
                name,
                cvr: rng
                    .gen_bool(0.7)
                    .then(|| format!("{:08}", rng.gen_range(10_000_000..100_000_000))),
                created_at: t0,
            });
        }
    }
    for o in orders.iter_mut() {
        let n = (per_centre[o.centre] / 8).max(3) as i64;
        o.company = first_company[o.centre] + rng.gen_range(0..n);
    }

    // Candidates: a third of the referrals, by centre size; consent mostly given.
    let n_candidates = (opts.referrals / 3).max(opts.centres);
    let mut cands: Vec<Candidate> = Vec::with_capacity(n_candidates);
    let mut consenting: Vec<Vec<u32>> = vec![Vec::new(); opts.centres];
    for i in 0..n_candidates {
        let centre = by_size.sample(&mut rng);
        let consent = rng.gen_bool(0.9);
        if consent {
            consenting[centre].push(i as u32);
        }
        cands.push(Candidate {
            centre,
            consent,
            revoked: consent && rng.gen_bool(0.03),
            first_referral: None,
            last_event: None,
        });
    }

    // Referrals to shared orders, by a consultant of a notified centre (or the owner).
    let shared: Vec<usize> = (0..orders.len()).filter(|&i| orders[i].shared_at.is_some()).collect();
    let mut referral_rows: Vec<NewReferral> = Vec::with_capacity(opts.referrals);
    let mut event_rows: Vec<NewEvent> = Vec::with_capacity(opts.referrals * 5 / 2);
    if !shared.is_empty() {
        let order_weights: Vec<f64> = shared.iter().map(|&i| (orders[i].vacancies as f64).sqrt()).collect();
        let by_order = WeightedIndex::new(&order_weights).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut attempts = 0usize;
        while referral_rows.len() < opts.referrals && attempts < opts.referrals * 20 {
            attempts += 1;
            let oi = shared[by_order.sample(&mut rng)];
            let o = &orders[oi];
            let (centre, from) = if rng.gen_bool(0.3) {
                (o.centre, o.shared_at.expect("shared"))
            } else {
                o.notified[rng.gen_range(0..o.notified.len())]
            };
            let pool = &consenting[centre];
            if pool.is_empty() {
                continue;
            }
            let cand = pool[rng.gen_range(0..pool.len())];
            if o.referred_candidates.contains(&cand) {
                continue;
            }
            let end = o.closed_at.unwrap_or(now);
            if end <= from {
                continue;
            }
            let at = soon_after(&mut rng, from, end, 20.0 * 86400.0);
            let id = referral_rows.len() as i64 + 1;
            let referrer = centres[centre].consultants[rng.gen_range(0..3)];
            let revoked = cands[cand as usize].revoked;
            let plan = plan_referral(&mut rng, o, at, now, revoked);
            let mut t = at;
            let mut prev: Option<State> = None;
            let mut reason = None;
            for (k, (to, why)) in plan.iter().enumerate() {
                if k > 0 {
                    let step = Duration::seconds(rng.gen_range(3600..5 * 86400));
                    t = if t + step < end { t + step } else { t + (end - t) / 2 };
                }
                // Who may take each step (`referrals::transition`): the coordinator approves
                // and rejects, either may send, the referrer withdraws.
                let actor = match (prev, to) {
                    (None, _) | (Some(_), State::PendingApproval | State::Withdrawn) => referrer,
                    (Some(_), State::AvailableToCompany | State::Rejected) => o.coordinator,
                    (Some(_), State::SentToEmployer) if rng.gen_bool(0.5) => o.coordinator,
                    (Some(_), State::SentToEmployer) => referrer,
                };
                event_rows.push(NewEvent {
                    id: event_rows.len() as i64 + 1,
                    referral_id: id,
                    actor_id: Some(actor),
                    at: t,
                    from_state: prev.map(State::as_str),
                    to_state: to.as_str(),
                    reason: *why,
                });
                prev = Some(*to);
                reason = *why;
            }
            let state = prev.expect("a plan has at least one state");
            let c = &mut cands[cand as usize];
            c.first_referral = Some(c.first_referral.map_or(at, |f| f.min(at)));
            c.last_event = Some(c.last_event.map_or(t, |l| l.max(t)));
            let o = &mut orders[oi];
            o.referred_candidates.push(cand);
            if state.counts() {
                o.referred += 1;
            }
            referral_rows.push(NewReferral {
                id,
                order_id: oi as i64 + 1,
                candidate_id: cand as i64 + 1,
                job_centre_id: centres[centre].id,
                state: state.as_str(),
                reason,
                created_by: referrer,
                created_at: at,
                updated_at: t,
            });
        }
    }

    // Ids in time order, as an autoincrement hands them out: renumber the referrals by
    // creation time and the events by their time (a referral's own events keep their order).
    let mut by_time: Vec<usize> = (0..referral_rows.len()).collect();
    by_time.sort_by_key(|&i| (referral_rows[i].created_at, i));
    let mut new_id = vec![0i64; referral_rows.len()];
    for (k, &i) in by_time.iter().enumerate() {
        new_id[i] = k as i64 + 1;
    }
    drop(by_time);
    for r in referral_rows.iter_mut() {
        r.id = new_id[r.id as usize - 1];
    }
    referral_rows.sort_unstable_by_key(|r| r.id);
    for e in event_rows.iter_mut() {
        e.referral_id = new_id[e.referral_id as usize - 1];
    }
    drop(new_id);
    event_rows.sort_unstable_by_key(|e| (e.at, e.id));
    for (k, e) in event_rows.iter_mut().enumerate() {
        e.id = k as i64 + 1;
    }

    // Rows of the small tables, the orders and the candidates.
    let centre_rows: Vec<NewCentre> = centres
        .iter()
        .map(|c| NewCentre {
            id: c.id,
            authority_type: "JobCenter",
            authority_number: format!("{:02}.{:03}", 10 + c.number / 1000, c.number % 1000),
            name: format!("Jobcenter C{:03}", c.number),
        })
        .collect();
    let network_rows: Vec<NewNetwork> = (0..n_networks)
        .map(|i| NewNetwork {
            id: i as i64 + 1,
            name: NETWORK_NAMES[i].to_string(),
        })
        .collect();
    let member_rows: Vec<NewMember> = members
        .iter()
        .enumerate()
        .flat_map(|(n, ms)| {
            ms.iter().map(move |&m| NewMember {
                network_id: n as i64 + 1,
                job_centre_id: m as i64 + 1,
            })
        })
        .collect();
    let mut user_rows: Vec<NewUser> = Vec::with_capacity(centres.len() * 3 + 1);
    for c in &centres {
        for (j, &id) in c.consultants.iter().enumerate() {
            let username = format!("c{:03}.konsulent{}", c.number, j + 1);
            user_rows.push(NewUser {
                id,
                email: format!("{username}@jobcenter.example"),
                username,
                password_hash: &hash,
                display_name: person_name(&mut rng),
                job_centre_id: c.id,
                role: "consultant",
                language: "da",
                created_at: t0,
            });
        }
    }
    user_rows.push(NewUser {
        id: admin_id,
        username: "admin".into(),
        password_hash: &hash,
        display_name: "Administrator".into(),
        email: "admin@jobcenter.example".into(),
        job_centre_id: 1,
        role: "admin",
        language: "da",
        created_at: t0,
    });
    // Places: each centre has a home postcode, spread over the country.
    let places = crate::geo::all();
    let home_of = |centre: usize| &places[(centre * 97 + 13) % places.len()];
    let mut share_rows = Vec::new();
    let mut notification_rows = Vec::new();
    let mut order_rows = Vec::with_capacity(orders.len());
    let type_weights = WeightedIndex::new(ORDER_TYPES.iter().map(|t| t.1)).expect("weights");
    for (i, o) in orders.iter().enumerate() {
        let id = i as i64 + 1;
        if let Some(s) = o.shared_at {
            for (k, &n) in o.networks.iter().enumerate() {
                share_rows.push(NewShare {
                    id: share_rows.len() as i64 + 1,
                    order_id: id,
                    network_id: n as i64 + 1,
                    shared_by: o.responsible,
                    shared_at: s + Duration::seconds(k as i64),
                });
            }
        }
        let company = &company_rows[o.company as usize - 1];
        let (occupation, title, code) = OCCUPATIONS[rng.gen_range(0..OCCUPATIONS.len())];
        let start = (o.created + Duration::days(rng.gen_range(7..46))).date();
        if o.shared_at.is_some() {
            let owner = centres[o.centre].id;
            notification_rows.extend(o.notified.iter().map(|&(c, at)| NewNotification {
                order_id: id,
                job_centre_id: c as i64 + 1,
                notified_at: at,
                listed: o.closed_at.is_none() && c as i64 + 1 != owner,
                start_date: start,
            }));
        }
        let end = rng
            .gen_bool(0.8)
            .then(|| start + Duration::days(rng.gen_range(30..366)));
        let order_type = ORDER_TYPES[type_weights.sample(&mut rng)].0;
        let fields = OrderFields {
            title: title.to_string(),
            occupation: occupation.to_string(),
            occupation_code: rng.gen_bool(0.7).then(|| code.to_string()),
            request_id: Some(format!("JO-{id:06}")),
            company_name: company.name.clone(),
            cvr: company.cvr.clone(),
            employer_email: rng.gen_bool(0.9).then(|| {
                let stem = company.name.split_whitespace().next().unwrap_or("firma");
                format!("hr{}@{}.example", rng.gen_range(1..100), crate::cli::demo::slug(stem))
            }),
            start_date: start,
            end_date: end,
            vacancies: o.vacancies,
            order_type: order_type.to_string(),
            responsible_consultant_id: None,
            coordinator_id: None,
            coordinator_external: rng
                .gen_bool(0.1)
                .then(|| format!("Ekstern tovholder {}", person_name(&mut rng))),
            coordinator_allowed: o.coordinator_allowed,
            task_description: {
                let mut t = format!("{title} til {}. ", company.name);
                for _ in 0..rng.gen_range(3..7) {
                    t.push_str(pick(&mut rng, TASK_SENTENCES));
                    t.push(' ');
                }
                t.trim_end().to_string()
            },
            qualifications_and_pay: pick(&mut rng, QUALIFICATIONS).to_string(),
            working_hours: pick(&mut rng, WORKING_HOURS).to_string(),
            workplace_postcode: None,
        };
        let search_text = fields.search_text();
        // Most work is near the centre's home; some anywhere; some has no place given.
        let workplace = match rng.gen_range(0..10) {
            0..=6 => Some(home_of(o.centre)),
            7..=8 => Some(&places[rng.gen_range(0..places.len())]),
            _ => None,
        };
        let class = crate::occupations::classify(fields.occupation_code.as_deref(), &fields.occupation);
        let updated = [Some(o.created), o.shared_at, o.closed_at].into_iter().flatten().max();
        order_rows.push(NewOrder {
            id,
            job_centre_id: centres[o.centre].id,
            search_text,
            title: fields.title,
            occupation: fields.occupation,
            occupation_code: class.as_ref().map(|c| c.0.clone()),
            occupation_group: class.as_ref().map(|c| c.1.clone()),
            no_qualifications: class.as_ref().is_some_and(|c| c.2),
            workplace_postcode: workplace.map(|p| p.0.clone()),
            lat: workplace.map(|p| p.1),
            lon: workplace.map(|p| p.2),
            request_id: fields.request_id.expect("set above"),
            company_id: company.id,
            company_name: fields.company_name,
            employer_email: fields.employer_email,
            start_date: start,
            end_date: end,
            vacancies: o.vacancies,
            referred: o.referred,
            status: if o.closed_at.is_some() { "closed" } else { "open" },
            order_type,
            responsible_consultant_id: o.responsible,
            coordinator_id: o.coordinator,
            coordinator_external: fields.coordinator_external,
            coordinator_allowed: o.coordinator_allowed,
            task_description: fields.task_description,
            qualifications_and_pay: fields.qualifications_and_pay,
            working_hours: pick(&mut rng, WORKING_HOURS),
            created_at: o.created,
            updated_at: updated.unwrap_or(o.created),
            sent_to_portal_at: o.shared_at,
            closed_at: o.closed_at,
        });
    }
    drop(orders);
    let candidate_rows: Vec<NewCandidate> = cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = person_name(&mut rng);
            // Created (and consented) before the first referral.
            let created = match c.first_referral {
                Some(f) => f - Duration::seconds(rng.gen_range(3600..30 * 86400)),
                None => t0 + secs(&mut rng, span),
            };
            let by = centres[c.centre].consultants[rng.gen_range(0..3)];
            let home = match rng.gen_range(0..10) {
                0..=5 => Some(home_of(c.centre)),
                6..=8 => Some(&places[rng.gen_range(0..places.len())]),
                _ => None,
            };
            NewCandidate {
                id: i as i64 + 1,
                job_centre_id: centres[c.centre].id,
                email: rng
                    .gen_bool(0.9)
                    .then(|| format!("{}{}@borger.example", ascii(&name), i)),
                phone: rng
                    .gen_bool(0.8)
                    .then(|| format!("+45 {:08}", rng.gen_range(20_000_000..99_999_999))),
                postcode: home.map(|p| p.0.clone()),
                lat: home.map(|p| p.1),
                lon: home.map(|p| p.2),
                name,
                consent_given_at: c.consent.then_some(created + Duration::minutes(5)),
                consent_given_by: c.consent.then_some(by),
                consent_revoked_at: c
                    .revoked
                    .then(|| c.last_event.unwrap_or(created + Duration::days(1)).min(now)),
                share_email: rng.gen_bool(0.85),
                share_phone: rng.gen_bool(0.6),
                created_by: by,
                created_at: created,
            }
        })
        .collect();
    drop(cands);
    // Candidate ids in time order too.
    let mut candidate_rows = candidate_rows;
    candidate_rows.sort_unstable_by_key(|c| (c.created_at, c.id));
    let mut new_id = vec![0i64; candidate_rows.len()];
    for (k, c) in candidate_rows.iter_mut().enumerate() {
        new_id[c.id as usize - 1] = k as i64 + 1;
        c.id = k as i64 + 1;
    }
    for r in referral_rows.iter_mut() {
        r.candidate_id = new_id[r.candidate_id as usize - 1];
    }
    drop(new_id);
    // One or two occupation wishes per candidate, from the same occupation list as the orders.
    let mut wish_rows = Vec::with_capacity(candidate_rows.len() * 3 / 2);
    for c in &candidate_rows {
        let first = rng.gen_range(0..OCCUPATIONS.len());
        let n = if rng.gen_bool(0.5) { 2 } else { 1 };
        for k in 0..n {
            let code = OCCUPATIONS[(first + k * 7) % OCCUPATIONS.len()].2;
            wish_rows.push(NewWish {
                candidate_id: c.id,
                occupation_code: code.to_string(),
                occupation_group: crate::occupations::group_of(code),
                job_centre_id: c.job_centre_id,
            });
        }
    }
    report.phases.push(PhaseTime {
        name: "plan (memory)",
        rows: 0,
        seconds: started.elapsed().as_secs_f64(),
    });

    // Write, one transaction per phase.
    let style = ProgressStyle::with_template("{msg:<14} [{bar:40}] {human_pos}/{human_len} {per_sec} eta {eta}")
        .expect("template")
        .progress_chars("=> ");
    let phase = |report: &mut SeedReport,
                 name: &'static str,
                 rows: u64,
                 f: &dyn Fn(&mut DbConn, &ProgressBar) -> AppResult<()>|
     -> AppResult<()> {
        let bar = ProgressBar::with_draw_target(
            Some(rows),
            if opts.progress {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        )
        .with_style(style.clone())
        .with_message(name);
        let t = Instant::now();
        db.write_blocking(|c| {
            if let DbConn::Sqlite(s) = c {
                // Index pages of a million-row table stay in memory instead of spilling to the WAL.
                s.batch_execute("PRAGMA cache_size = -1048576")?;
            }
            f(c, &bar)
        })?;
        bar.finish_and_clear();
        let seconds = t.elapsed().as_secs_f64();
        if opts.progress {
            eprintln!("{name:<16} {rows:>10} rows {seconds:>8.2} s");
        }
        report.phases.push(PhaseTime { name, rows, seconds });
        Ok(())
    };
    let small =
        (centre_rows.len() + network_rows.len() + member_rows.len() + user_rows.len() + company_rows.len()) as u64;
    phase(&mut report, "centres, users", small, &|c, bar| {
        write_rows!(c, job_centres::table, centre_rows, 4, bar);
        write_rows!(c, networks::table, network_rows, 2, bar);
        write_rows!(c, network_members::table, member_rows, 2, bar);
        write_rows!(c, users::table, user_rows, 9, bar);
        write_rows!(c, companies::table, company_rows, 5, bar);
        Ok(())
    })?;
    phase(&mut report, "orders", order_rows.len() as u64, &|c, bar| {
        write_rows!(c, job_orders::table, order_rows, 32, bar);
        Ok(())
    })?;
    drop(order_rows);
    let n = (share_rows.len() + notification_rows.len()) as u64;
    phase(&mut report, "shares", n, &|c, bar| {
        write_rows!(c, order_shares::table, share_rows, 5, bar);
        write_rows!(c, order_notifications::table, notification_rows, 5, bar);
        Ok(())
    })?;
    drop(notification_rows);
    phase(&mut report, "candidates", candidate_rows.len() as u64, &|c, bar| {
        write_rows!(c, candidates::table, candidate_rows, 15, bar);
        write_rows!(c, candidate_wishes::table, wish_rows, 4, bar);
        Ok(())
    })?;
    drop(candidate_rows);
    drop(wish_rows);
    phase(&mut report, "referrals", referral_rows.len() as u64, &|c, bar| {
        write_rows!(c, referrals::table, referral_rows, 9, bar);
        Ok(())
    })?;
    let n_referrals = referral_rows.len();
    drop(referral_rows);
    phase(&mut report, "referral events", event_rows.len() as u64, &|c, bar| {
        write_rows!(c, referral_events::table, event_rows, 7, bar);
        // One audit row for the whole data set: the per-row history is in referral_events.
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::at.eq(now),
                audit_log::actor_id.eq(None::<i64>),
                audit_log::job_centre_id.eq(None::<i64>),
                audit_log::entity.eq("seed"),
                audit_log::entity_id.eq(0i64),
                audit_log::action.eq("seeded"),
                audit_log::detail.eq(serde_json::json!({
                    "centres": opts.centres, "orders": opts.orders, "referrals": n_referrals, "seed": opts.rng_seed,
                })
                .to_string()),
            ))
            .execute(c)?;
        if let DbConn::Pg(pg) = c {
            // Ids were given explicitly: move the sequences past them.
            for t in [
                "job_centres",
                "networks",
                "users",
                "companies",
                "job_orders",
                "order_shares",
                "candidates",
                "referrals",
                "referral_events",
                "audit_log",
            ] {
                pg.batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
                ))?;
            }
        }
        Ok(())
    })?;
    drop(event_rows);

    // Planner statistics, as a maintained database has them (autovacuum on PostgreSQL does
    // this by itself later; SQLite only with ANALYZE). Outside a transaction: VACUUM needs that.
    let t = Instant::now();
    {
        let mut c = db.reader()?;
        match &mut *c {
            DbConn::Pg(pg) => pg.batch_execute("VACUUM ANALYZE")?,
            // The bundled SQLite has STAT4: with per-value samples in sqlite_stat4, every
            // execution of a cached statement whose bound values could change the plan is
            // re-prepared (sqlite3Reprepare inside sqlite3_step). Keep the table-level stat1 only.
            DbConn::Sqlite(s) => s.batch_execute(
                "ANALYZE; DELETE FROM sqlite_stat4; ANALYZE sqlite_schema; PRAGMA wal_checkpoint(TRUNCATE);",
            )?,
        }
    }
    report.phases.push(PhaseTime {
        name: "analyze",
        rows: 0,
        seconds: t.elapsed().as_secs_f64(),
    });
    report.busiest_coordinators = db.read_blocking(|c| {
        Ok(job_orders::table
            .inner_join(referrals::table.on(referrals::order_id.eq(job_orders::id)))
            .inner_join(users::table.on(users::id.eq(job_orders::coordinator_id)))
            .filter(job_orders::status.eq("open"))
            .filter(referrals::state.eq(State::PendingApproval.as_str()))
            .group_by(users::username)
            .select((users::username, diesel::dsl::count_star()))
            .order(diesel::dsl::count_star().desc())
            .limit(3)
            .load::<(String, i64)>(c)?)
    })?;
    Ok(report)
}

/// The states a referral passes through (the first is its initial state), each with the
/// reason stored on that step. Old referrals and closed orders are mostly final; recent
/// ones on open orders still wait; some coordinators keep a backlog.
fn plan_referral(
    rng: &mut StdRng,
    o: &Order,
    at: NaiveDateTime,
    now: NaiveDateTime,
    consent_revoked: bool,
) -> Vec<(State, Option<&'static str>)> {
    use State as S;
    let initial = S::initial(o.coordinator_allowed);
    let open = o.closed_at.is_none();
    let recent = (now - at).num_days() <= 30;
    // Percent per target state, in `State::ALL` order: pending, available, rejected, sent, withdrawn.
    let weights: [u32; 5] = match (open, recent) {
        (true, true) => [45, 30, 5, 15, 5],
        (true, false) => [12, 10, 20, 45, 13],
        (false, _) => [3, 3, 24, 55, 15],
    };
    let target = S::ALL[WeightedIndex::new(weights).expect("weights").sample(rng)];
    let mut path = vec![(initial, None)];
    let approve = |path: &mut Vec<(State, Option<&'static str>)>| {
        if initial == S::PendingApproval {
            path.push((S::AvailableToCompany, None));
        }
    };
    match target {
        S::PendingApproval => {}
        S::AvailableToCompany => approve(&mut path),
        S::SentToEmployer => {
            approve(&mut path);
            path.push((S::SentToEmployer, None));
        }
        S::Rejected if initial == S::PendingApproval => {
            path.push((S::Rejected, Some(pick(rng, REJECT_REASONS))));
        }
        S::Rejected | S::Withdrawn => {
            if rng.gen_bool(0.4) {
                approve(&mut path);
            }
            path.push((S::Withdrawn, rng.gen_bool(0.6).then(|| pick(rng, WITHDRAW_REASONS))));
        }
    }
    // A revoked consent withdrew whatever was still live.
    let last = path.last().expect("non-empty").0;
    if consent_revoked && !last.is_final() {
        path.push((S::Withdrawn, Some(CONSENT_REVOKED)));
    }
    path
}

/// `staer-hub seed`: runs the seed on the configured database and prints its report.
pub fn command(config: crate::config::Config, opts: &SeedOptions) -> crate::cli::CliResult {
    let state = crate::app::state(config)?;
    print!("{}", run(&state.db, opts)?);
    Ok(())
}
