//! The job orders and their companies: when each is created, shared with which networks,
//! which centres are notified, closed; then their rows with the texts drawn for them.

use chrono::{Duration, NaiveDateTime};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::Rng;

use super::centres::{home_of, Centre, Centres, Place};
use super::rows::{NewCompany, NewNotification, NewOrder, NewShare};
use super::words::*;
use super::Timeline;
use crate::domain::order_fields::OrderFields;

pub(super) struct Order {
    pub(super) centre: usize,
    pub(super) created: NaiveDateTime,
    pub(super) company: i64,
    pub(super) shared_at: Option<NaiveDateTime>,
    pub(super) networks: Vec<usize>,
    /// Centres notified and when (the union over the order's networks).
    pub(super) notified: Vec<(usize, NaiveDateTime)>,
    pub(super) closed_at: Option<NaiveDateTime>,
    pub(super) coordinator: i64,
    pub(super) responsible: i64,
    pub(super) coordinator_allowed: bool,
    pub(super) vacancies: i32,
    pub(super) referred: i32,
    /// Candidates referred to this order (one referral per candidate and order here).
    pub(super) referred_candidates: Vec<u32>,
}

/// Ids in time order, centres by size, ~60% sent to the portal and shared.
pub(super) fn plan(rng: &mut StdRng, n_orders: usize, centres: &Centres, time: &Timeline) -> Vec<Order> {
    let mut created: Vec<NaiveDateTime> = (0..n_orders).map(|_| time.t0 + secs(rng, time.span)).collect();
    created.sort();
    let mut orders: Vec<Order> = Vec::with_capacity(n_orders);
    for at in created {
        let centre = centres.by_size.sample(rng);
        orders.push(plan_one(rng, at, centre, centres, time.now));
    }
    orders
}

fn plan_one(rng: &mut StdRng, at: NaiveDateTime, centre: usize, centres: &Centres, now: NaiveDateTime) -> Order {
    let c = &centres.list[centre];
    let age_days = (now - at).num_days();
    let shared_at = rng
        .gen_bool(0.6)
        .then(|| soon_after(rng, at, (at + Duration::days(3)).min(now), 6.0 * 3600.0));
    // Closed: mostly the old ones, ~15% overall.
    let closed_at = rng
        .gen_bool(if age_days > 180 { 0.19 } else { 0.02 })
        .then(|| soon_after(rng, shared_at.unwrap_or(at), now, 60.0 * 86400.0));
    let (networks, notified) = match shared_at {
        Some(s) => share(rng, s, c, centres),
        None => (Vec::new(), Vec::new()),
    };
    // Each centre has a designated coordinator (tovholder) for most of its orders.
    let coordinator = if rng.gen_bool(0.6) {
        c.consultants[0]
    } else {
        c.consultants[rng.gen_range(0..3)]
    };
    Order {
        centre,
        created: at,
        company: 0,
        shared_at,
        networks,
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
    }
}

/// The networks an order shared at `s` goes to, and the centres notified (each once, at its
/// first network's share).
fn share(
    rng: &mut StdRng,
    s: NaiveDateTime,
    c: &Centre,
    centres: &Centres,
) -> (Vec<usize>, Vec<(usize, NaiveDateTime)>) {
    let n_networks = centres.n_networks();
    let mut nets = vec![c.networks[0]];
    // One network per share action; about a third are shared with a second network.
    if n_networks > 1 && rng.gen_bool(0.35) {
        let second = c
            .networks
            .get(1)
            .copied()
            .unwrap_or_else(|| (c.networks[0] + 1 + rng.gen_range(0..n_networks - 1)) % n_networks);
        nets.push(second);
    }
    let mut notified: Vec<(usize, NaiveDateTime)> = Vec::new();
    for (k, &n) in nets.iter().enumerate() {
        let when = s + Duration::minutes(k as i64 * rng.gen_range(1..120));
        for &m in &centres.members[n] {
            if !notified.iter().any(|(x, _)| *x == m) {
                notified.push((m, when));
            }
        }
    }
    (nets, notified)
}

/// About one company per eight orders of a centre (at least three); each order gets one of
/// its centre's.
pub(super) fn companies(
    rng: &mut StdRng,
    orders: &mut [Order],
    centres: &Centres,
    created_at: NaiveDateTime,
) -> Vec<NewCompany> {
    let mut per_centre = vec![0usize; centres.list.len()];
    for o in orders.iter() {
        per_centre[o.centre] += 1;
    }
    let mut rows = Vec::new();
    let mut first_company = vec![0i64; centres.list.len()];
    for (i, n) in per_centre.iter().enumerate() {
        first_company[i] = rows.len() as i64 + 1;
        for _ in 0..(n / 8).max(3) {
            let id = rows.len() as i64 + 1;
            let name = format!(
                "{} {} {}",
                pick(rng, COMPANY_STEMS),
                pick(rng, PLACES),
                pick(rng, SUFFIXES)
            );
            rows.push(NewCompany {
                id,
                job_centre_id: centres.list[i].id,
                name,
                cvr: rng
                    .gen_bool(0.7)
                    .then(|| format!("{:08}", rng.gen_range(10_000_000..100_000_000))),
                created_at,
            });
        }
    }
    for o in orders.iter_mut() {
        let n = (per_centre[o.centre] / 8).max(3) as i64;
        o.company = first_company[o.centre] + rng.gen_range(0..n);
    }
    rows
}

/// The rows of the orders, their shares and the notified centres.
pub(super) struct OrderRows {
    pub(super) orders: Vec<NewOrder>,
    pub(super) shares: Vec<NewShare>,
    pub(super) notifications: Vec<NewNotification>,
}

/// What every order's row draws from.
pub(super) struct RowContext<'a> {
    pub(super) centres: &'a Centres,
    pub(super) companies: &'a [NewCompany],
    pub(super) places: &'a [Place],
}

pub(super) fn rows(rng: &mut StdRng, orders: &[Order], ctx: &RowContext) -> OrderRows {
    let mut out = OrderRows {
        orders: Vec::with_capacity(orders.len()),
        shares: Vec::new(),
        notifications: Vec::new(),
    };
    let type_weights = WeightedIndex::new(ORDER_TYPES.iter().map(|t| t.1)).expect("weights");
    for (i, o) in orders.iter().enumerate() {
        let id = i as i64 + 1;
        let row = order_row(rng, id, o, ctx, &type_weights);
        let Some(s) = o.shared_at else {
            out.orders.push(row);
            continue;
        };
        for (k, &n) in o.networks.iter().enumerate() {
            out.shares.push(NewShare {
                id: out.shares.len() as i64 + 1,
                order_id: id,
                network_id: n as i64 + 1,
                shared_by: o.responsible,
                shared_at: s + Duration::seconds(k as i64),
            });
        }
        let owner = ctx.centres.list[o.centre].id;
        out.notifications
            .extend(o.notified.iter().map(|&(c, at)| NewNotification {
                order_id: id,
                job_centre_id: c as i64 + 1,
                notified_at: at,
                listed: o.closed_at.is_none() && c as i64 + 1 != owner,
                start_date: row.start_date,
            }));
        out.orders.push(row);
    }
    out
}

fn order_row(rng: &mut StdRng, id: i64, o: &Order, ctx: &RowContext, type_weights: &WeightedIndex<u32>) -> NewOrder {
    let company = &ctx.companies[o.company as usize - 1];
    let (fields, order_type) = order_fields(rng, id, o, company, type_weights);
    let search_text = fields.search_text();
    let places = ctx.places;
    // Most work is near the centre's home; some anywhere; some has no place given.
    let workplace = match rng.gen_range(0..10) {
        0..=6 => Some(home_of(places, o.centre)),
        7..=8 => Some(&places[rng.gen_range(0..places.len())]),
        _ => None,
    };
    let class = crate::occupations::classify(fields.occupation_code.as_deref(), &fields.occupation);
    let updated = [Some(o.created), o.shared_at, o.closed_at].into_iter().flatten().max();
    NewOrder {
        id,
        job_centre_id: ctx.centres.list[o.centre].id,
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
        start_date: fields.start_date,
        end_date: fields.end_date,
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
        // A second draw, not `fields.working_hours`: existing seeds depend on the sequence.
        working_hours: pick(rng, WORKING_HOURS),
        created_at: o.created,
        updated_at: updated.unwrap_or(o.created),
        sent_to_portal_at: o.shared_at,
        closed_at: o.closed_at,
    }
}

/// The order's form as a user would fill it in (its search text comes from these), and its
/// type. Draws in the order the fields are written here.
fn order_fields(
    rng: &mut StdRng,
    id: i64,
    o: &Order,
    company: &NewCompany,
    type_weights: &WeightedIndex<u32>,
) -> (OrderFields, &'static str) {
    let (occupation, title, code) = OCCUPATIONS[rng.gen_range(0..OCCUPATIONS.len())];
    let start = (o.created + Duration::days(rng.gen_range(7..46))).date();
    let end = rng
        .gen_bool(0.8)
        .then(|| start + Duration::days(rng.gen_range(30..366)));
    let order_type = ORDER_TYPES[type_weights.sample(rng)].0;
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
            .then(|| format!("Ekstern tovholder {}", person_name(rng))),
        coordinator_allowed: o.coordinator_allowed,
        task_description: {
            let mut t = format!("{title} til {}. ", company.name);
            for _ in 0..rng.gen_range(3..7) {
                t.push_str(pick(rng, TASK_SENTENCES));
                t.push(' ');
            }
            t.trim_end().to_string()
        },
        qualifications_and_pay: pick(rng, QUALIFICATIONS).to_string(),
        working_hours: pick(rng, WORKING_HOURS).to_string(),
        workplace_postcode: None,
        requires_driving_licence: false,
    };
    (fields, order_type)
}
