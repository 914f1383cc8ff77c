//! The period of a report: whole calendar months (UTC), `from` and `to` as `YYYY-MM`, both
//! included; by default the last 12 months up to this one. Also the percentile arithmetic
//! the reports use, so both databases give the same figures.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::error::{AppError, AppResult};

/// The longest period a report covers: five years of monthly bars is already a wide chart.
pub const MAX_MONTHS: u32 = 60;
pub const DEFAULT_MONTHS: u32 = 12;

/// Whole months `[first, first + months)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day of the first month.
    pub first: NaiveDate,
    pub months: u32,
}

fn month_start(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// `YYYY-MM` (a full date `YYYY-MM-DD` is taken as its month).
fn parse_month(field: &str, s: &str) -> AppResult<NaiveDate> {
    let bad = || AppError::invalid(field, "must be a month as YYYY-MM");
    let s = s.trim();
    let mut parts = s.splitn(3, '-');
    let year: i32 = parts.next().and_then(|y| y.parse().ok()).ok_or_else(bad)?;
    let month: u32 = parts.next().and_then(|m| m.parse().ok()).ok_or_else(bad)?;
    if let Some(day) = parts.next() {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
        day.parse::<u32>().map_err(|_| bad())?;
    }
    if !(1900..=9998).contains(&year) {
        return Err(bad());
    }
    month_start(year, month).ok_or_else(bad)
}

fn add_months(d: NaiveDate, n: i64) -> NaiveDate {
    let total = d.year() as i64 * 12 + d.month0() as i64 + n;
    month_start((total.div_euclid(12)) as i32, total.rem_euclid(12) as u32 + 1).unwrap_or(d)
}

impl Period {
    /// From the query (`from`, `to`, either may be missing or empty) and today's date.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> AppResult<Period> {
        let this_month = month_start(today.year(), today.month()).unwrap_or(today);
        let last = match present(to) {
            Some(t) => parse_month("to", t)?,
            None => this_month,
        };
        let first = match present(from) {
            Some(f) => parse_month("from", f)?,
            None => add_months(last, -(DEFAULT_MONTHS as i64 - 1)),
        };
        if first > last {
            return Err(AppError::invalid("from", "must not be after to"));
        }
        let months =
            (last.year() as i64 * 12 + last.month0() as i64) - (first.year() as i64 * 12 + first.month0() as i64) + 1;
        if months > MAX_MONTHS as i64 {
            return Err(AppError::invalid(
                "from",
                format!("a report covers at most {MAX_MONTHS} months"),
            ));
        }
        Ok(Period {
            first,
            months: months as u32,
        })
    }

    /// The first instant of the period.
    pub fn start(&self) -> NaiveDateTime {
        self.first.and_time(chrono::NaiveTime::MIN)
    }

    /// The first instant after the period.
    pub fn end(&self) -> NaiveDateTime {
        add_months(self.first, self.months as i64).and_time(chrono::NaiveTime::MIN)
    }

    /// `YYYY-MM` of each month, oldest first: the keys the month buckets use.
    pub fn month_keys(&self) -> Vec<String> {
        (0..self.months as i64)
            .map(|i| add_months(self.first, i).format("%Y-%m").to_string())
            .collect()
    }

    pub fn from_key(&self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    pub fn to_key(&self) -> String {
        add_months(self.first, self.months as i64 - 1)
            .format("%Y-%m")
            .to_string()
    }
}

/// The median of sorted values (the mean of the middle two for an even count).
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] as f64 + sorted[n / 2] as f64) / 2.0),
    }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p`% of
/// the values at or below it (p90 of 1..=10 is 9).
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p as usize * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn default_is_the_last_twelve_months() {
        let p = Period::parse(None, Some(""), d(2026, 11, 26)).unwrap();
        assert_eq!((p.first, p.months), (d(2025, 12, 1), 12));
        assert_eq!(p.end(), d(2026, 12, 1).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(p.month_keys().first().map(String::as_str), Some("2025-12"));
        assert_eq!(p.to_key(), "2026-11");
    }

    #[test]
    fn explicit_months_are_inclusive() {
        let p = Period::parse(Some("2025-11"), Some("2026-02-15"), d(2030, 1, 1)).unwrap();
        assert_eq!(p.month_keys(), ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(p.start(), d(2025, 11, 1).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(p.end(), d(2026, 3, 1).and_hms_opt(0, 0, 0).unwrap());
    }

    #[test]
    fn bad_periods_name_the_field() {
        let today = d(2026, 1, 1);
        for (from, to, field) in [
            ("2026-13", "", "from"),
            ("x", "", "from"),
            ("", "2026-02-30", "to"),
            ("2026-03", "2026-02", "from"),
            ("2020-01", "2026-01", "from"),
        ] {
            match Period::parse(Some(from), Some(to), today) {
                Err(AppError::Validation { field: f, .. }) => assert_eq!(f, field, "{from}..{to}"),
                other => panic!("{from}..{to}: {other:?}"),
            }
        }
    }

    #[test]
    fn median_and_nearest_rank_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[5]), Some(5.0));
        assert_eq!(median(&[1, 2, 3, 10]), Some(2.5));
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 90), Some(9));
        assert_eq!(percentile(&v[..3], 90), Some(3));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 90), None);
    }
}
