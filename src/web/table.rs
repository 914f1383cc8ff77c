//! List rows rendered in Rust with the templates' own escaping (a 50-row table through
//! handlebars' `#each` cost more than the query).

// ---- dashboards ------------------------------------------------------------------------

pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) href: Option<String>,
    pub(crate) num: bool,
}

/// The `<tr>`s of a list page. The one table body built in Rust, not in the template:
/// handlebars' `#each` clones every row and cell into its block context, which made a
/// 50-row page cost ~3 ms to render, ten times its SQL (`scripts/bench`). Every text
/// goes through the same HTML escaping as `{{x}}` does.
pub(crate) fn table_rows(rows: &[Vec<Cell>], labels: &[String]) -> String {
    let esc = handlebars::html_escape;
    let labels: Vec<String> = labels.iter().map(|l| esc(l)).collect();
    let mut out = String::with_capacity(rows.len() * 1024);
    for cells in rows {
        out.push_str("<tr>");
        for (c, label) in cells.iter().zip(&labels) {
            out.push_str("<td data-label=\"");
            out.push_str(label);
            out.push_str(if c.num { "\" class=\"num\">" } else { "\">" });
            match &c.href {
                Some(href) => {
                    out.push_str("<a href=\"");
                    out.push_str(&esc(href));
                    out.push_str("\">");
                    out.push_str(&esc(&c.text));
                    out.push_str("</a>");
                }
                None => out.push_str(&esc(&c.text)),
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>\n");
    }
    out
}

pub(crate) fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: None,
        num: false,
    }
}

pub(crate) fn num(n: i32) -> Cell {
    Cell {
        text: n.to_string(),
        href: None,
        num: true,
    }
}

pub(crate) fn linked(text: impl Into<String>, href: String) -> Cell {
    Cell {
        text: text.into(),
        href: Some(href),
        num: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_escape_every_text_like_the_templates() {
        let rows = vec![vec![
            Cell {
                text: "<b>\"Kok\" & co</b>".into(),
                href: Some("/orders/1?a=1&b=\"x\"".into()),
                num: false,
            },
            Cell {
                text: "3".into(),
                href: None,
                num: true,
            },
        ]];
        let labels = ["Titel <i>".to_string(), "Antal".to_string()];
        assert_eq!(
            table_rows(&rows, &labels),
            "<tr><td data-label=\"Titel &lt;i&gt;\"><a href=\"/orders/1?a&#x3D;1&amp;b&#x3D;&quot;x&quot;\">\
             &lt;b&gt;&quot;Kok&quot; &amp; co&lt;/b&gt;</a></td><td data-label=\"Antal\" class=\"num\">3</td></tr>\n"
        );
        assert_eq!(table_rows(&[], &labels), "");
    }
}
