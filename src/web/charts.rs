//! Charts as SVG written on the server: bars per month (stacked or side by side) and bars per
//! row (stacked, one per centre or network). No script; the SVG scales to its box (`viewBox`,
//! width 100%), so it reads on a 390 px phone. Each chart is an image with a title; its
//! numbers are in the table beside it. Every text is escaped here.

use std::fmt::Write;

/// One series: its label (for the title) and a value per category.
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
}

/// Fill colours in series order: distinguishable, each at least 3:1 against white.
const COLOURS: [&str; 6] = ["#1f5f99", "#2e7d32", "#b3261e", "#7b3fa0", "#8a5a00", "#00737a"];

pub fn colour(i: usize) -> &'static str {
    COLOURS[i % COLOURS.len()]
}

const W: f64 = 400.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const FONT: &str = "font-family=\"sans-serif\" font-size=\"11\" fill=\"#222\"";

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round axis maximum at or above `max` whose quarters (the grid lines) are round too:
/// 1, 2, 4 or 8 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 4.0, 8.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|v| *v >= max)
        .unwrap_or(10.0 * p)
}

fn fmt_tick(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn open(out: &mut String, height: f64, title: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-label=\"{t}\" \
         xmlns=\"http://www.w3.org/2000/svg\"><title>{t}</title>",
        t = escape(title)
    );
}

/// Bars per category (month), one bar split by series when `stacked`, else side by side.
/// `labels` are short category names; `groups` a second line under some (the year).
pub fn column_chart(title: &str, labels: &[String], groups: &[String], series: &[Series], stacked: bool) -> String {
    let (plot_h, bottom) = (170.0, 36.0);
    let height = TOP + plot_h + bottom;
    let n = labels.len().max(1) as f64;
    let max = (0..labels.len())
        .map(|i| {
            let vals = series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0));
            if stacked {
                vals.sum()
            } else {
                vals.fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max);
    let top = nice_max(max);
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    let slot = (W - LEFT - RIGHT) / n;
    let mut out = String::new();
    open(&mut out, height, title);
    for k in 0..=4 {
        let v = top * k as f64 / 4.0;
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#ccc\"/>\
             <text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" {FONT}>{label}</text>",
            x2 = W - RIGHT,
            yy = y(v),
            tx = LEFT - 4.0,
            ty = y(v) + 4.0,
            label = fmt_tick(v)
        );
    }
    let bar_w = slot * 0.7;
    for (i, label) in labels.iter().enumerate() {
        let x0 = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let mut base = 0.0;
        for (j, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let (x, w, from) = if stacked {
                (x0, bar_w, base)
            } else {
                let w = bar_w / series.len() as f64;
                (x0 + w * j as f64, w, 0.0)
            };
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{ry:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{c}\"/>",
                ry = y(from + v),
                h = y(from) - y(from + v),
                c = colour(j)
            );
            base += v;
        }
        let cx = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            "<text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" {FONT}>{l}</text>",
            ly = TOP + plot_h + 14.0,
            l = escape(label)
        );
        if let Some(g) = groups.get(i).filter(|g| !g.is_empty()) {
            let _ = write!(
                out,
                "<text x=\"{cx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" {FONT}>{g}</text>",
                ly = TOP + plot_h + 28.0,
                g = escape(g)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// One stacked bar per row, its label above it: long centre names fit on a phone.
pub fn bar_rows(title: &str, rows: &[String], series: &[Series]) -> String {
    let row_h = 34.0;
    let height = TOP + row_h * rows.len().max(1) as f64 + 4.0;
    let total = |i: usize| {
        series
            .iter()
            .map(|s| s.values.get(i).copied().unwrap_or(0.0))
            .sum::<f64>()
    };
    let max = (0..rows.len()).map(total).fold(0.0, f64::max);
    let top = if max > 0.0 { max } else { 1.0 };
    let (x0, span) = (4.0, W - 4.0 - 48.0);
    let mut out = String::new();
    open(&mut out, height, title);
    for (i, label) in rows.iter().enumerate() {
        let y0 = TOP + row_h * i as f64;
        let _ = write!(
            out,
            "<text x=\"{x0}\" y=\"{ty:.1}\" {FONT}>{l}</text>",
            ty = y0 + 10.0,
            l = escape(label)
        );
        let mut x = x0;
        for (j, s) in series.iter().enumerate() {
            let w = s.values.get(i).copied().unwrap_or(0.0) / top * span;
            if w > 0.0 {
                let _ = write!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{ry:.1}\" width=\"{w:.1}\" height=\"14\" fill=\"{c}\"/>",
                    ry = y0 + 14.0,
                    c = colour(j)
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{ty:.1}\" {FONT}>{v}</text>",
            tx = x + 4.0,
            ty = y0 + 25.0,
            v = fmt_tick(total(i))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(label: &str, v: &[f64]) -> Series {
        Series {
            label: label.into(),
            values: v.to_vec(),
        }
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(4.0), 4.0);
        assert_eq!(nice_max(7.0), 8.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(450.0), 800.0);
    }

    #[test]
    fn stacked_bar_heights_add_up_and_text_is_escaped() {
        let svg = column_chart(
            "A <b>&",
            &["01".into(), "02".into()],
            &["2025".into()],
            &[s("x", &[2.0, 0.0]), s("y", &[2.0, 1.0])],
            true,
        );
        assert!(svg.contains("<title>A &lt;b&gt;&amp;</title>"), "{svg}");
        // Axis top is 4: each part of the first bar is half the plot height (85 of 170).
        assert_eq!(svg.matches("height=\"85.0\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("<rect").count(), 3, "zero values draw nothing");
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn rows_are_as_long_as_their_share() {
        let svg = bar_rows("t", &["Brøndby".into(), "Herlev".into()], &[s("x", &[4.0, 2.0])]);
        assert!(
            svg.contains("width=\"348.0\"") && svg.contains("width=\"174.0\""),
            "{svg}"
        );
        assert!(svg.contains("Brøndby"));
    }
}
