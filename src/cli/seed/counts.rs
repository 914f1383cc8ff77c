//! The reports' kept tables (`referral_counts`, `network_referral_counts`, `decision_times`),
//! counted while every referral and event is still in memory. They are the rows the
//! migrations' SELECTs (`report_counts::rebuild`, `report_counts::rebuild_decision_times`)
//! make, without grouping ten million referrals in the database (3.1 s and 1.5 s at 1x; at
//! 10x the referrals phase took 48 s less without it). The seed test rebuilds the tables with
//! those SELECTs and compares.

use chrono::{Datelike, NaiveDateTime};

use super::rows::{
    Counts, NewDecisionTime, NewEvent, NewNetworkCount, NewOrder, NewReferral, NewReferralCount, NewShare,
};
use crate::domain::referral::State;

/// Months counted from year 0, so that a span of months is a range of integers.
fn month_number(at: NaiveDateTime) -> i32 {
    at.year() * 12 + at.month0() as i32
}

/// A month as the reports key it: `YYYY-MM`, the first 7 characters of SQLite's text and
/// PostgreSQL's `to_char(at, 'YYYY-MM')`.
fn month_text(m: i32) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

/// Counters over (group, month, referring centre, state) in one flat array. The seed's ids
/// are dense (1..=n) and its months span two years, so a referral's counter is an index away
/// and needs no hashing (hash maps took 10 s at 10x).
struct Grid {
    first_month: i32,
    months: usize,
    centres: usize,
    n: Vec<i64>,
}

impl Grid {
    fn new(groups: usize, (first_month, last_month): (i32, i32), centres: usize) -> Self {
        let months = (last_month - first_month + 1) as usize;
        Grid {
            first_month,
            months,
            centres,
            n: vec![0; groups * months * centres * State::ALL.len()],
        }
    }

    fn add(&mut self, group: i64, month: i32, centre: i64, state: usize) {
        let g = group as usize - 1;
        let m = (month - self.first_month) as usize;
        let c = centre as usize - 1;
        self.n[((g * self.months + m) * self.centres + c) * State::ALL.len() + state] += 1;
    }

    /// The counters that are not 0, in key order: (group, month, centre, state, n).
    fn rows(&self) -> impl Iterator<Item = (i64, String, i64, &'static str, i64)> + '_ {
        self.n.iter().enumerate().filter(|(_, n)| **n != 0).map(|(i, &n)| {
            let (rest, state) = (i / State::ALL.len(), i % State::ALL.len());
            let (rest, centre) = (rest / self.centres, rest % self.centres);
            let (group, month) = (rest / self.months, rest % self.months);
            (
                group as i64 + 1,
                month_text(self.first_month + month as i32),
                centre as i64 + 1,
                State::ALL[state].as_str(),
                n,
            )
        })
    }
}

/// Counts the referrals per (order's centre, month, referring centre, state) and per network
/// their order is shared with; and the seconds from referral to each coordinator decision.
/// Rows are in id order (`orders[k].id == k + 1`, `referrals[k].id == k + 1`), and centre
/// and network ids run from 1.
pub(super) fn plan(orders: &[NewOrder], shares: &[NewShare], referrals: &[NewReferral], events: &[NewEvent]) -> Counts {
    let centre_of = |order_id: i64| {
        let o = &orders[order_id as usize - 1];
        debug_assert_eq!(o.id, order_id);
        o.job_centre_id
    };
    let mut networks_of: Vec<Vec<i64>> = vec![Vec::new(); orders.len()];
    for s in shares {
        networks_of[s.order_id as usize - 1].push(s.network_id);
    }
    let months = referrals.iter().map(|r| month_number(r.created_at));
    let span = (months.clone().min().unwrap_or(0), months.max().unwrap_or(0));
    let centres = orders
        .iter()
        .map(|o| o.job_centre_id)
        .chain(referrals.iter().map(|r| r.job_centre_id))
        .max()
        .unwrap_or(0) as usize;
    let networks = shares.iter().map(|s| s.network_id).max().unwrap_or(0) as usize;
    let mut by_centre = Grid::new(centres, span, centres);
    let mut by_network = Grid::new(networks, span, centres);
    for r in referrals {
        let m = month_number(r.created_at);
        let state = State::ALL
            .iter()
            .position(|s| s.as_str() == r.state)
            .expect("a seeded state");
        by_centre.add(centre_of(r.order_id), m, r.job_centre_id, state);
        for &n in &networks_of[r.order_id as usize - 1] {
            by_network.add(n, m, r.job_centre_id, state);
        }
    }
    Counts {
        referrals: by_centre
            .rows()
            .map(|(c, month, rc, state, n)| NewReferralCount {
                order_centre_id: c,
                month,
                referring_centre_id: rc,
                state,
                n,
            })
            .collect(),
        networks: by_network
            .rows()
            .map(|(net, month, rc, state, n)| NewNetworkCount {
                network_id: net,
                month,
                referring_centre_id: rc,
                state,
                n,
            })
            .collect(),
        decisions: events
            .iter()
            .filter(|e| is_decision(e))
            .map(|e| {
                let r = &referrals[e.referral_id as usize - 1];
                debug_assert_eq!(r.id, e.referral_id);
                NewDecisionTime {
                    event_id: e.id,
                    order_centre_id: centre_of(r.order_id),
                    month: month_text(month_number(r.created_at)),
                    // Whole seconds, truncated, never below 0: the view `decision_rows`.
                    seconds: (e.at - r.created_at).num_seconds().max(0),
                }
            })
            .collect(),
    }
}

/// A coordinator's decision on a pending referral (the view's WHERE).
fn is_decision(e: &NewEvent) -> bool {
    e.from_state == Some(State::PendingApproval.as_str())
        && (e.to_state == State::AvailableToCompany.as_str() || e.to_state == State::Rejected.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_as_the_reports_write_them() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        for s in ["2025-01-01 00:00:00", "2025-12-31 23:59:59", "2026-11-28 15:00:00"] {
            assert_eq!(month_text(month_number(at(s))), s[..7]);
        }
    }
}
