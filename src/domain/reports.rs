//! The reports ("Diagramrude"): counts of the collaboration over a period, for the user's
//! centre and for each network it belongs to. The referral counts come from the counter
//! tables that triggers keep in step with every write (migration 2026-11-30-000301), and so
//! are the orders shared (2026-12-01-000502); the decision times are read as whole seconds from the
//! table its triggers keep (migration 2026-12-01-000501), so median and p90 come out exact and
//! the same on both databases. Counts and centre names only: no person, no order text leaves here.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    decision_times, job_centres, network_members, network_referral_counts, networks, referral_counts, share_counts,
};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::referral::State;
use crate::domain::report_period::{median, percentile, Period};
use crate::error::AppResult;
use crate::ids::{JobCentreId, NetworkId};

/// Referrals per state, each in its current state: a hired candidate counts under `hired`,
/// not under `sent_to_employer` any more. `reached_employer` adds up the sent and the
/// employer's answers: the placements chart sets the hires against it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StateCounts {
    pub pending_approval: i64,
    pub available_to_company: i64,
    pub rejected: i64,
    pub sent_to_employer: i64,
    pub withdrawn: i64,
    pub interview: i64,
    pub hired: i64,
    pub declined_by_employer: i64,
    pub total: i64,
    pub reached_employer: i64,
}

impl StateCounts {
    fn slot(&mut self, state: State) -> &mut i64 {
        match state {
            State::PendingApproval => &mut self.pending_approval,
            State::AvailableToCompany => &mut self.available_to_company,
            State::Rejected => &mut self.rejected,
            State::SentToEmployer => &mut self.sent_to_employer,
            State::Withdrawn => &mut self.withdrawn,
            State::Interview => &mut self.interview,
            State::Hired => &mut self.hired,
            State::DeclinedByEmployer => &mut self.declined_by_employer,
        }
    }

    fn add(&mut self, state: &str, n: i64) -> AppResult<()> {
        let state = State::parse(state)?;
        *self.slot(state) += n;
        self.total += n;
        if matches!(
            state,
            State::SentToEmployer | State::Interview | State::Hired | State::DeclinedByEmployer
        ) {
            self.reached_employer += n;
        }
        Ok(())
    }

    /// The count of one state, in `State::ALL` order for charts and tables.
    pub fn get(&self, state: State) -> i64 {
        match state {
            State::PendingApproval => self.pending_approval,
            State::AvailableToCompany => self.available_to_company,
            State::Rejected => self.rejected,
            State::SentToEmployer => self.sent_to_employer,
            State::Withdrawn => self.withdrawn,
            State::Interview => self.interview,
            State::Hired => self.hired,
            State::DeclinedByEmployer => self.declined_by_employer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthStates {
    pub month: String,
    #[serde(flatten)]
    pub counts: StateCounts,
}

/// Time from referral to the coordinator's decision (approve or reject), in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DecisionTimes {
    pub decided: i64,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<i64>,
}

impl DecisionTimes {
    fn of(mut seconds: Vec<i64>) -> DecisionTimes {
        // Sorted runs (one per month) merge in linear time with the stable sort.
        seconds.sort();
        DecisionTimes {
            decided: seconds.len() as i64,
            median_seconds: median(&seconds),
            p90_seconds: percentile(&seconds, 90),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MonthDecisions {
    pub month: String,
    #[serde(flatten)]
    pub times: DecisionTimes,
}

/// A centre's counts: a partner referring to my orders, or a member of a network.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CentreCounts {
    pub authority_number: String,
    pub name: String,
    /// The user's own centre.
    pub own: bool,
    pub orders_shared: i64,
    pub referrals: StateCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NetworkShares {
    pub network: String,
    pub orders_shared: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodView {
    pub from: String,
    pub to: String,
    pub months: u32,
}

/// My centre: referrals to its orders by month and state, decision times, the partner centres
/// that referred to them, and its orders shared per network.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CentreReport {
    pub by_month: Vec<MonthStates>,
    pub totals: StateCounts,
    pub decisions: DecisionTimes,
    pub decisions_by_month: Vec<MonthDecisions>,
    pub partners: Vec<CentreCounts>,
    pub shared_per_network: Vec<NetworkShares>,
}

/// One network of my centre: per member centre, the orders it shared with this network and
/// the referrals it made to orders shared with this network.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NetworkReport {
    pub network: String,
    pub members: Vec<CentreCounts>,
    pub totals: StateCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Reports {
    pub period: PeriodView,
    pub centre: CentreReport,
    pub networks: Vec<NetworkReport>,
}

/// Everything the reports page shows, for the user's centre and its networks.
pub fn reports(conn: &mut DbConn, user: &AuthUser, period: &Period) -> AppResult<Reports> {
    let centre = centre_report(conn, user.job_centre_id, period)?;
    let mut nets = Vec::new();
    for (id, name) in my_networks(conn, user.job_centre_id)? {
        nets.push(network_report(conn, user.job_centre_id, id, name, period)?);
    }
    Ok(Reports {
        period: PeriodView {
            from: period.from_key(),
            to: period.to_key(),
            months: period.months,
        },
        centre,
        networks: nets,
    })
}

/// The networks a centre belongs to: the only ones whose figures it may see.
fn my_networks(conn: &mut DbConn, centre: JobCentreId) -> AppResult<Vec<(NetworkId, String)>> {
    Ok(network_members::table
        .inner_join(networks::table)
        .filter(network_members::job_centre_id.eq(centre))
        .select((networks::id, networks::name))
        .order(networks::name)
        .load(conn)?)
}

pub fn centre_report(conn: &mut DbConn, centre: JobCentreId, period: &Period) -> AppResult<CentreReport> {
    // Month x state x referring centre, from the counts the triggers keep: the monthly chart
    // and the partner table both add up from them.
    let rows: Vec<(String, String, JobCentreId, i64)> = referral_counts::table
        .filter(referral_counts::order_centre_id.eq(centre))
        .filter(referral_counts::month.ge(period.from_key()))
        .filter(referral_counts::month.le(period.to_key()))
        .filter(referral_counts::n.ne(0))
        .select((
            referral_counts::month,
            referral_counts::state,
            referral_counts::referring_centre_id,
            referral_counts::n,
        ))
        .load(conn)?;
    let mut months: BTreeMap<String, StateCounts> = period
        .month_keys()
        .into_iter()
        .map(|k| (k, StateCounts::default()))
        .collect();
    let mut totals = StateCounts::default();
    let mut by_partner: BTreeMap<(JobCentreId, String), i64> = BTreeMap::new();
    for (m, state, partner, n) in rows {
        months.entry(m).or_default().add(&state, n)?;
        totals.add(&state, n)?;
        *by_partner.entry((partner, state)).or_default() += n;
    }
    let by_month = months
        .into_iter()
        .map(|(month, counts)| MonthStates { month, counts })
        .collect();
    let partner_rows = by_partner.into_iter().map(|((c, st), n)| (c, st, n)).collect();
    let (decisions, decisions_by_month) = decision_times(conn, centre, period)?;
    Ok(CentreReport {
        by_month,
        totals,
        decisions,
        decisions_by_month,
        partners: partners(conn, centre, partner_rows)?,
        shared_per_network: shared_per_network(conn, centre, period)?,
    })
}

/// The seconds from referral to the coordinator's decision (approve or reject) of every
/// referral to the centre's orders made in the period, per month and in all. A withdrawal also
/// ends `pending_approval`, but it is the consultant's act, not the coordinator's decision.
/// Read from `decision_times` (kept by triggers), one sorted index range per month.
fn decision_times(
    conn: &mut DbConn,
    centre: JobCentreId,
    period: &Period,
) -> AppResult<(DecisionTimes, Vec<MonthDecisions>)> {
    let mut all = Vec::new();
    let mut by_month = Vec::new();
    for month in period.month_keys() {
        let seconds: Vec<i64> = decision_times::table
            .filter(decision_times::order_centre_id.eq(centre))
            .filter(decision_times::month.eq(&month))
            .order(decision_times::seconds)
            .select(decision_times::seconds)
            .load(conn)?;
        all.extend_from_slice(&seconds);
        by_month.push(MonthDecisions {
            month,
            times: DecisionTimes::of(seconds),
        });
    }
    Ok((DecisionTimes::of(all), by_month))
}

/// Names of centres, for the rows of a count table.
fn centre_names(conn: &mut DbConn, ids: &[JobCentreId]) -> AppResult<BTreeMap<JobCentreId, (String, String)>> {
    let rows: Vec<(JobCentreId, String, String)> = job_centres::table
        .filter(job_centres::id.eq_any(ids))
        .select((job_centres::id, job_centres::authority_number, job_centres::name))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, num, name)| (id, (num, name))).collect())
}

/// Rows per centre, by authority number, from (centre, state, count) and (centre, orders).
fn per_centre(
    conn: &mut DbConn,
    me: JobCentreId,
    base: &[JobCentreId],
    referred: Vec<(JobCentreId, String, i64)>,
    shared: Vec<(JobCentreId, i64)>,
) -> AppResult<Vec<CentreCounts>> {
    let mut acc: BTreeMap<JobCentreId, (i64, StateCounts)> =
        base.iter().map(|id| (*id, (0, StateCounts::default()))).collect();
    for (id, state, n) in referred {
        acc.entry(id).or_default().1.add(&state, n)?;
    }
    for (id, n) in shared {
        acc.entry(id).or_default().0 += n;
    }
    let ids: Vec<JobCentreId> = acc.keys().copied().collect();
    let names = centre_names(conn, &ids)?;
    let mut out: Vec<CentreCounts> = acc
        .into_iter()
        .map(|(id, (orders_shared, referrals))| {
            let (authority_number, name) = names.get(&id).cloned().unwrap_or_default();
            CentreCounts {
                authority_number,
                name,
                own: id == me,
                orders_shared,
                referrals,
            }
        })
        .collect();
    out.sort_by(|a, b| a.authority_number.cmp(&b.authority_number));
    Ok(out)
}

/// Referrals to the centre's orders, per referring centre (the centre itself included).
fn partners(
    conn: &mut DbConn,
    centre: JobCentreId,
    rows: Vec<(JobCentreId, String, i64)>,
) -> AppResult<Vec<CentreCounts>> {
    let mut out = per_centre(conn, centre, &[], rows, Vec::new())?;
    // Most referrals first: the partners that matter most lead the chart.
    out.sort_by(|a, b| {
        b.referrals
            .total
            .cmp(&a.referrals.total)
            .then(a.authority_number.cmp(&b.authority_number))
    });
    Ok(out)
}

/// The centre's orders shared in the period, per network (from the counts the triggers keep).
fn shared_per_network(conn: &mut DbConn, centre: JobCentreId, period: &Period) -> AppResult<Vec<NetworkShares>> {
    let rows: Vec<(String, i64)> = share_counts::table
        .inner_join(networks::table)
        .filter(share_counts::order_centre_id.eq(centre))
        .filter(share_counts::month.ge(period.from_key()))
        .filter(share_counts::month.le(period.to_key()))
        .filter(share_counts::n.ne(0))
        .select((networks::name, share_counts::n))
        .load(conn)?;
    let mut per: BTreeMap<String, i64> = BTreeMap::new();
    for (network, n) in rows {
        *per.entry(network).or_default() += n;
    }
    Ok(per
        .into_iter()
        .map(|(network, orders_shared)| NetworkShares { network, orders_shared })
        .collect())
}

/// One network's counts per member centre. Only the member centres' rows, and only what
/// happened within this network: orders shared with it, referrals to orders shared with it.
fn network_report(
    conn: &mut DbConn,
    me: JobCentreId,
    network: NetworkId,
    name: String,
    period: &Period,
) -> AppResult<NetworkReport> {
    let members: Vec<JobCentreId> = network_members::table
        .filter(network_members::network_id.eq(network))
        .select(network_members::job_centre_id)
        .load(conn)?;
    let referred: Vec<(JobCentreId, String, i64)> = network_referral_counts::table
        .filter(network_referral_counts::network_id.eq(network))
        .filter(network_referral_counts::referring_centre_id.eq_any(&members))
        .filter(network_referral_counts::month.ge(period.from_key()))
        .filter(network_referral_counts::month.le(period.to_key()))
        .filter(network_referral_counts::n.ne(0))
        .select((
            network_referral_counts::referring_centre_id,
            network_referral_counts::state,
            network_referral_counts::n,
        ))
        .load(conn)?;
    let shared: Vec<(JobCentreId, i64)> = share_counts::table
        .filter(share_counts::network_id.eq(network))
        .filter(share_counts::order_centre_id.eq_any(&members))
        .filter(share_counts::month.ge(period.from_key()))
        .filter(share_counts::month.le(period.to_key()))
        .filter(share_counts::n.ne(0))
        .select((share_counts::order_centre_id, share_counts::n))
        .load(conn)?;
    let members = per_centre(conn, me, &members, referred, shared)?;
    let mut totals = StateCounts::default();
    for m in &members {
        for st in State::ALL {
            totals.add(st.as_str(), m.referrals.get(st))?;
        }
    }
    Ok(NetworkReport {
        network: name,
        members,
        totals,
    })
}
