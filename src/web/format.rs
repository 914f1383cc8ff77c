//! Dates, times, yes/no and page links as each language writes them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Weekday};
use serde_json::{json, Value};

use crate::domain::matching::{MatchReason, Tier};
use crate::domain::sharing::{thousands, Page};
use crate::web::state::AppState;
use crate::web::templates::Lang;

// ---- formatting ------------------------------------------------------------------------

/// Danish wall-clock time of a UTC timestamp: CET, or CEST from the last Sunday of March
/// to the last Sunday of October at 01:00 UTC (the EU rule).
pub fn copenhagen(utc: NaiveDateTime) -> NaiveDateTime {
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap_or_default();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or_default();
        }
        d.and_hms_opt(1, 0, 0).unwrap_or_default()
    };
    let summer = utc >= last_sunday(3) && utc < last_sunday(10);
    utc + chrono::Duration::hours(if summer { 2 } else { 1 })
}

/// Written out, not through chrono's `format`: that parses its pattern again at each call, and
/// a list page writes a date or a time on each of its rows (`perf` of the my-orders page:
/// 4.5% of the server's time in chrono's formatting). `dates_and_times_as_chrono_writes_them`
/// checks the output against chrono's.
pub(crate) fn fmt_date(d: NaiveDate, lang: Lang) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    match lang {
        Lang::Da => format!("{day:02}-{m:02}-{y:04}"),
        Lang::En => format!("{y:04}-{m:02}-{day:02}"),
    }
}

pub(crate) fn fmt_time(t: NaiveDateTime, lang: Lang) -> String {
    let local = copenhagen(t);
    format!(
        "{} {:02}:{:02}",
        fmt_date(local.date(), lang),
        local.hour(),
        local.minute()
    )
}

/// A file's size as people read it: `512 B`, `84 kB`, `1,2 MB` (Danish decimal comma).
pub(crate) fn fmt_size(bytes: i64, lang: Lang) -> String {
    const KB: i64 = 1024;
    let text = match bytes {
        b if b < KB => format!("{b} B"),
        b if b < KB * KB => format!("{} kB", (b + KB / 2) / KB),
        b => format!("{:.1} MB", b as f64 / (KB * KB) as f64),
    };
    match lang {
        Lang::Da => text.replace('.', ","),
        Lang::En => text,
    }
}

pub(crate) fn yes_no(state: &AppState, lang: Lang, b: bool) -> String {
    state.pages.t(lang, if b { "yes" } else { "no" })
}

/// Why a match was made, in the page's language: "Same occupation: Kok, 8 km".
pub(crate) fn match_reason(state: &AppState, lang: Lang, why: &MatchReason) -> String {
    let t = |k: &str| state.pages.t(lang, k);
    let what = match (why.kind, &why.occupation) {
        (Tier::SameOccupation, Some(o)) => format!("{}: {o}", t("match_same_occupation")),
        (Tier::RelatedOccupation, Some(o)) => {
            format!("{}: {o} ({})", t("match_related_occupation"), t("match_same_group"))
        }
        _ => t("match_no_qualifications"),
    };
    let distance = match why.distance_km {
        Some(d) => format!("{d:.0} km"),
        None => t("match_distance_unknown"),
    };
    let licence = if why.requires_driving_licence {
        format!(", {}", t("match_licence"))
    } else {
        String::new()
    };
    format!("{what}, {distance}{licence}")
}

/// "1 - 50 af 1.000" as STÆR writes it, or "1 - 50 of 1,000".
pub(crate) fn range<T>(p: &Page<T>, lang: Lang) -> String {
    match lang {
        Lang::Da => p.range.clone(),
        Lang::En => {
            let first = if p.items.is_empty() {
                0
            } else {
                (p.page - 1) * p.per_page + 1
            };
            let last = (first + p.items.len() as i64 - 1).max(0);
            format!("{first} - {last} of {}", thousands(p.total).replace('.', ","))
        }
    }
}

/// Page links: first, last, and two either side of the current one, gaps between.
pub(crate) fn pager<T>(p: &Page<T>, lang: Lang, href: impl Fn(i64) -> String) -> Value {
    let last = ((p.total + p.per_page - 1) / p.per_page).max(1);
    let mut pages = Vec::new();
    let mut prev = 0;
    for n in 1..=last {
        if n == 1 || n == last || (n - p.page).abs() <= 2 {
            if n > prev + 1 {
                pages.push(json!({ "gap": true }));
            }
            pages.push(json!({ "n": n, "current": n == p.page, "href": href(n) }));
            prev = n;
        }
    }
    json!({ "range": range(p, lang), "pages": pages })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(fmt_size(512, Lang::Da), "512 B");
        assert_eq!(fmt_size(84 * 1024 + 100, Lang::En), "84 kB");
        assert_eq!(fmt_size(1_258_291, Lang::Da), "1,2 MB");
        assert_eq!(fmt_size(1_258_291, Lang::En), "1.2 MB");
    }

    #[test]
    fn dates_and_times_as_chrono_writes_them() {
        for s in [
            "2026-01-05 08:07",
            "2026-03-29 01:00",
            "2026-10-25 00:59",
            "2026-12-31 23:59",
            "0999-02-03 04:05",
        ] {
            let t = utc(s);
            let local = copenhagen(t);
            assert_eq!(fmt_date(t.date(), Lang::Da), t.format("%d-%m-%Y").to_string());
            assert_eq!(fmt_date(t.date(), Lang::En), t.format("%Y-%m-%d").to_string());
            assert_eq!(fmt_time(t, Lang::Da), local.format("%d-%m-%Y %H:%M").to_string());
            assert_eq!(fmt_time(t, Lang::En), local.format("%Y-%m-%d %H:%M").to_string());
        }
        assert_eq!(fmt_time(utc("2026-01-05 08:07"), Lang::Da), "05-01-2026 09:07");
    }

    #[test]
    fn copenhagen_follows_eu_summer_time() {
        // 2026: CEST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(copenhagen(utc("2026-01-15 12:00")), utc("2026-01-15 13:00"));
        assert_eq!(copenhagen(utc("2026-03-29 00:59")), utc("2026-03-29 01:59"));
        assert_eq!(copenhagen(utc("2026-03-29 01:00")), utc("2026-03-29 03:00"));
        assert_eq!(copenhagen(utc("2026-10-25 00:59")), utc("2026-10-25 02:59"));
        assert_eq!(copenhagen(utc("2026-10-25 01:00")), utc("2026-10-25 02:00"));
    }

    #[test]
    fn pager_shows_ends_and_neighbours() {
        let p: Page<i32> = Page::new(vec![1; 50], 1000, 10, 50);
        let v = pager(&p, Lang::Da, |n| n.to_string());
        let shown: Vec<String> = v["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["n"].as_i64().map_or("…".into(), |n| n.to_string()))
            .collect();
        assert_eq!(shown, ["1", "…", "8", "9", "10", "11", "12", "…", "20"]);
        assert_eq!(v["range"], "451 - 500 af 1.000");
        assert_eq!(pager(&p, Lang::En, |n| n.to_string())["range"], "451 - 500 of 1,000");
        let empty: Page<i32> = Page::new(vec![], 0, 1, 50);
        assert_eq!(range(&empty, Lang::En), "0 - 0 of 0");
    }
}
