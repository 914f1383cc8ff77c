//! The reports as charts with their tables: one `Chart` per figure, built from the domain's
//! `Reports` in the user's language. The page shows the SVG and the table; the CSV export
//! writes the same rows (field names as header, plain numbers), so the two always agree.

use serde::Serialize;

use crate::domain::referral::State;
use crate::domain::reports::{CentreCounts, Reports, StateCounts};
use crate::domain::xlsx_export::{self, XCell};
use crate::error::{AppError, AppResult};
use crate::web::charts::{bar_rows, colour, column_chart, Series};
use crate::web::export::date_formats;
use crate::web::state::AppState;
use crate::web::templates::Lang;

#[derive(Debug, Clone, Serialize)]
pub struct Legend {
    pub label: String,
    pub colour: &'static str,
}

/// One figure: its SVG, its legend, and its numbers as a table and as CSV.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    /// In URLs: `/api/v1/reports/<key>.csv`.
    pub key: String,
    pub title: String,
    pub note: Option<String>,
    pub svg: String,
    pub legend: Vec<Legend>,
    pub head: Vec<String>,
    pub fields: Vec<String>,
    /// As the page shows them.
    pub rows: Vec<Vec<String>>,
    /// As CSV writes them: numbers unformatted, nothing recorded as empty.
    pub raw: Vec<Vec<String>>,
}

struct Ctx<'a> {
    state: &'a AppState,
    lang: Lang,
}

impl Ctx<'_> {
    fn t(&self, k: &str) -> String {
        self.state.pages.t(self.lang, k)
    }

    fn state_label(&self, s: State) -> String {
        self.t(&format!("state_{}", s.as_str()))
    }

    fn legend(&self, labels: &[String]) -> Vec<Legend> {
        labels
            .iter()
            .enumerate()
            .map(|(i, l)| Legend {
                label: l.clone(),
                colour: colour(i),
            })
            .collect()
    }

    /// Hours with one decimal, in the language's decimal sign.
    fn hours(&self, seconds: Option<f64>) -> (String, String) {
        match seconds {
            None => (self.t("report_none"), String::new()),
            Some(s) => {
                let h = format!("{:.1}", s / 3600.0);
                let shown = if self.lang == Lang::Da {
                    h.replace('.', ",")
                } else {
                    h.clone()
                };
                (shown, h)
            }
        }
    }
}

/// Month labels `MM`, and the year under the first month and under each January.
fn month_axis(months: &[String]) -> (Vec<String>, Vec<String>) {
    let short = months.iter().map(|m| m.get(5..7).unwrap_or(m).to_string()).collect();
    let years = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            if i == 0 || m.ends_with("-01") {
                m.get(..4).unwrap_or("").to_string()
            } else {
                String::new()
            }
        })
        .collect();
    (short, years)
}

fn state_cells(c: &StateCounts) -> Vec<String> {
    let mut v: Vec<String> = State::ALL.iter().map(|s| c.get(*s).to_string()).collect();
    v.push(c.total.to_string());
    v
}

fn state_fields() -> Vec<String> {
    let mut f: Vec<String> = State::ALL.iter().map(|s| s.as_str().to_string()).collect();
    f.push("total".into());
    f
}

/// Every chart of the report, in page order.
pub fn charts(state: &AppState, lang: Lang, r: &Reports) -> Vec<Chart> {
    let cx = Ctx { state, lang };
    let mut out = vec![
        states_chart(&cx, r),
        decisions_chart(&cx, r),
        centres_chart(&cx, "partners", cx.t("report_partners"), &r.centre.partners, false),
        placements_chart(&cx, r),
        shares_chart(&cx, r),
    ];
    for (i, n) in r.networks.iter().enumerate() {
        let title = format!("{} {}", cx.t("report_network"), n.network);
        out.push(centres_chart(
            &cx,
            &format!("network-{}", i + 1),
            title,
            &n.members,
            true,
        ));
    }
    out
}

/// One chart by its key, for the CSV export; an unknown key names nothing.
pub fn chart(state: &AppState, lang: Lang, r: &Reports, key: &str) -> AppResult<Chart> {
    charts(state, lang, r)
        .into_iter()
        .find(|c| c.key == key)
        .ok_or(AppError::NotFound)
}

fn states_chart(cx: &Ctx, r: &Reports) -> Chart {
    let months: Vec<String> = r.centre.by_month.iter().map(|m| m.month.clone()).collect();
    let labels: Vec<String> = State::ALL.iter().map(|s| cx.state_label(*s)).collect();
    let series: Vec<Series> = State::ALL
        .iter()
        .zip(&labels)
        .map(|(s, l)| Series {
            label: l.clone(),
            values: r.centre.by_month.iter().map(|m| m.counts.get(*s) as f64).collect(),
        })
        .collect();
    let (short, years) = month_axis(&months);
    let title = cx.t("report_states");
    let rows: Vec<Vec<String>> = r
        .centre
        .by_month
        .iter()
        .map(|m| [vec![m.month.clone()], state_cells(&m.counts)].concat())
        .collect();
    let mut head = vec![cx.t("report_month")];
    head.extend(labels.iter().cloned());
    head.push(cx.t("report_total"));
    Chart {
        key: "states".into(),
        svg: column_chart(&title, &short, &years, &series, true),
        title,
        note: None,
        legend: cx.legend(&labels),
        head,
        fields: [vec!["month".to_string()], state_fields()].concat(),
        raw: rows.clone(),
        rows,
    }
}

fn decisions_chart(cx: &Ctx, r: &Reports) -> Chart {
    let d = &r.centre.decisions_by_month;
    let months: Vec<String> = d.iter().map(|m| m.month.clone()).collect();
    let labels = vec![cx.t("report_median_hours"), cx.t("report_p90_hours")];
    let hours = |s: Option<f64>| s.map_or(0.0, |s| s / 3600.0);
    let series = vec![
        Series {
            label: labels[0].clone(),
            values: d.iter().map(|m| hours(m.times.median_seconds)).collect(),
        },
        Series {
            label: labels[1].clone(),
            values: d.iter().map(|m| hours(m.times.p90_seconds.map(|v| v as f64))).collect(),
        },
    ];
    let (short, years) = month_axis(&months);
    let (mut rows, mut raw) = (Vec::new(), Vec::new());
    for m in d {
        let (med, med_raw) = cx.hours(m.times.median_seconds);
        let (p90, p90_raw) = cx.hours(m.times.p90_seconds.map(|v| v as f64));
        rows.push(vec![m.month.clone(), m.times.decided.to_string(), med, p90]);
        raw.push(vec![m.month.clone(), m.times.decided.to_string(), med_raw, p90_raw]);
    }
    let all = &r.centre.decisions;
    let (med, med_raw) = cx.hours(all.median_seconds);
    let (p90, p90_raw) = cx.hours(all.p90_seconds.map(|v| v as f64));
    rows.push(vec![cx.t("report_whole_period"), all.decided.to_string(), med, p90]);
    raw.push(vec!["all".into(), all.decided.to_string(), med_raw, p90_raw]);
    let title = cx.t("report_decisions");
    Chart {
        key: "decisions".into(),
        svg: column_chart(&title, &short, &years, &series, false),
        title,
        note: Some(cx.t("report_decisions_note")),
        legend: cx.legend(&labels),
        head: vec![
            cx.t("report_month"),
            cx.t("report_decided"),
            labels[0].clone(),
            labels[1].clone(),
        ],
        fields: ["month", "decided", "median_hours", "p90_hours"]
            .map(String::from)
            .to_vec(),
        rows,
        raw,
    }
}

fn placements_chart(cx: &Ctx, r: &Reports) -> Chart {
    let months: Vec<String> = r.centre.by_month.iter().map(|m| m.month.clone()).collect();
    let labels = [cx.t("report_reached_employer"), cx.t("report_hired")];
    let pick = |f: fn(&StateCounts) -> i64| r.centre.by_month.iter().map(|m| f(&m.counts) as f64).collect();
    let series = vec![
        Series {
            label: labels[0].clone(),
            values: pick(|c| c.reached_employer),
        },
        Series {
            label: labels[1].clone(),
            values: pick(|c| c.hired),
        },
    ];
    let (short, years) = month_axis(&months);
    let (mut rows, mut raw) = (Vec::new(), Vec::new());
    for m in &r.centre.by_month {
        let row = vec![
            m.month.clone(),
            m.counts.reached_employer.to_string(),
            m.counts.hired.to_string(),
        ];
        rows.push(row.clone());
        raw.push(row);
    }
    let title = cx.t("report_placements");
    Chart {
        key: "placements".into(),
        svg: column_chart(&title, &short, &years, &series, false),
        title,
        note: Some(cx.t("report_hired_note")),
        legend: cx.legend(&labels),
        head: vec![cx.t("report_month"), labels[0].clone(), labels[1].clone()],
        fields: ["month", "reached_employer", "hired"].map(String::from).to_vec(),
        rows,
        raw,
    }
}

fn shares_chart(cx: &Ctx, r: &Reports) -> Chart {
    let shares = &r.centre.shared_per_network;
    let names: Vec<String> = shares.iter().map(|s| s.network.clone()).collect();
    let label = cx.t("report_orders_shared");
    let series = vec![Series {
        label: label.clone(),
        values: shares.iter().map(|s| s.orders_shared as f64).collect(),
    }];
    let rows: Vec<Vec<String>> = shares
        .iter()
        .map(|s| vec![s.network.clone(), s.orders_shared.to_string()])
        .collect();
    let title = cx.t("report_shares");
    Chart {
        key: "shares".into(),
        svg: bar_rows(&title, &names, &series),
        title,
        note: None,
        legend: cx.legend(std::slice::from_ref(&label)),
        head: vec![cx.t("report_network_col"), label],
        fields: ["network", "orders_shared"].map(String::from).to_vec(),
        raw: rows.clone(),
        rows,
    }
}

/// Referrals per centre, stacked by state (partners of my orders, or a network's members).
fn centres_chart(cx: &Ctx, key: &str, title: String, centres: &[CentreCounts], with_shares: bool) -> Chart {
    let labels: Vec<String> = State::ALL.iter().map(|s| cx.state_label(*s)).collect();
    let own = cx.t("report_own_centre");
    let names: Vec<String> = centres
        .iter()
        .map(|c| {
            let mark = if c.own { format!(" ({own})") } else { String::new() };
            format!("{} {}{mark}", c.authority_number, c.name)
        })
        .collect();
    let series: Vec<Series> = State::ALL
        .iter()
        .zip(&labels)
        .map(|(s, l)| Series {
            label: l.clone(),
            values: centres.iter().map(|c| c.referrals.get(*s) as f64).collect(),
        })
        .collect();
    let mut head = vec![cx.t("report_centre")];
    let mut fields = vec!["centre".to_string()];
    if with_shares {
        head.push(cx.t("report_orders_shared"));
        fields.push("orders_shared".into());
    }
    head.extend(labels.iter().cloned());
    head.push(cx.t("report_total"));
    fields.extend(state_fields());
    let rows: Vec<Vec<String>> = centres
        .iter()
        .zip(&names)
        .map(|(c, name)| {
            let mut row = vec![name.clone()];
            if with_shares {
                row.push(c.orders_shared.to_string());
            }
            row.extend(state_cells(&c.referrals));
            row
        })
        .collect();
    Chart {
        key: key.into(),
        svg: bar_rows(&title, &names, &series),
        note: with_shares.then(|| cx.t("report_network_note")),
        title,
        legend: cx.legend(&labels),
        head,
        fields,
        raw: rows.clone(),
        rows,
    }
}

/// The chart's table as a workbook in the user's language: the page's header, numbers as
/// numbers (the CSV's raw values), words as the page shows them, nothing recorded as empty.
pub fn to_xlsx(chart: &Chart, lang: Lang) -> AppResult<Vec<u8>> {
    let cells = chart.rows.iter().zip(&chart.raw).map(|(shown, raw)| {
        shown
            .iter()
            .zip(raw)
            .map(|(shown, raw)| match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => XCell::Number(n),
                _ if raw.is_empty() => XCell::Empty,
                _ => XCell::Text(shown.clone()),
            })
            .collect::<Vec<_>>()
    });
    xlsx_export::write(&chart.title, &chart.head, cells, date_formats(lang))
}

/// The chart's numbers as CSV: UTF-8 with a BOM (Excel), field names as header.
pub fn to_csv(chart: &Chart) -> AppResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let io = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record(&chart.fields).map_err(io)?;
    for row in &chart.raw {
        w.write_record(row).map_err(io)?;
    }
    w.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))
}
