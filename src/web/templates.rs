//! The page templates and the labels in each language, registered once at start-up.

use handlebars::Handlebars;
use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};
use crate::web::messages::Messages;

/// The stylesheet, served from `/static/app.css` (a file, so the CSP can forbid inline styles).
pub(crate) const CSS: &str = include_str!("../../templates/pages/app.css");

pub(crate) const LABELS: &str = include_str!("../../templates/pages/labels.json");

pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("../../templates/pages/layout.hbs")),
    ("pager", include_str!("../../templates/pages/pager.hbs")),
    ("login", include_str!("../../templates/pages/login.hbs")),
    ("dashboard", include_str!("../../templates/pages/dashboard.hbs")),
    ("order", include_str!("../../templates/pages/order.hbs")),
    ("order_form", include_str!("../../templates/pages/order_form.hbs")),
    ("order_close", include_str!("../../templates/pages/order_close.hbs")),
    ("candidates", include_str!("../../templates/pages/candidates.hbs")),
    (
        "candidate_edit",
        include_str!("../../templates/pages/candidate_edit.hbs"),
    ),
    (
        "candidate_cv_delete",
        include_str!("../../templates/pages/candidate_cv_delete.hbs"),
    ),
    (
        "candidate_erase",
        include_str!("../../templates/pages/candidate_erase.hbs"),
    ),
    (
        "candidate_export",
        include_str!("../../templates/pages/candidate_export.hbs"),
    ),
    ("privacy", include_str!("../../templates/pages/privacy.hbs")),
    ("matches", include_str!("../../templates/pages/matches.hbs")),
    ("import", include_str!("../../templates/pages/import.hbs")),
    ("error", include_str!("../../templates/pages/error.hbs")),
    ("notice", include_str!("../../templates/pages/notice.hbs")),
    ("reports", include_str!("../../templates/pages/reports.hbs")),
    ("report_chart", include_str!("../../templates/pages/report_chart.hbs")),
    ("approvals", include_str!("../../templates/pages/approvals.hbs")),
    ("admin_exports", include_str!("../../templates/pages/admin_exports.hbs")),
    ("admin_nav", include_str!("../../templates/pages/admin_nav.hbs")),
    ("admin_users", include_str!("../../templates/pages/admin_users.hbs")),
    ("admin_confirm", include_str!("../../templates/pages/admin_confirm.hbs")),
    (
        "admin_password",
        include_str!("../../templates/pages/admin_password.hbs"),
    ),
    (
        "admin_networks",
        include_str!("../../templates/pages/admin_networks.hbs"),
    ),
    ("admin_outbox", include_str!("../../templates/pages/admin_outbox.hbs")),
    ("account", include_str!("../../templates/pages/account.hbs")),
    ("job_agents", include_str!("../../templates/pages/job_agents.hbs")),
    (
        "job_agent_delete",
        include_str!("../../templates/pages/job_agent_delete.hbs"),
    ),
    (
        "job_agent_preview",
        include_str!("../../templates/pages/job_agent_preview.hbs"),
    ),
    ("public_order", include_str!("../../templates/pages/public_order.hbs")),
    ("employer", include_str!("../../templates/pages/employer.hbs")),
    ("unsubscribe", include_str!("../../templates/pages/unsubscribe.hbs")),
    ("notices", include_str!("../../templates/pages/notices.hbs")),
    ("suggest", include_str!("../../templates/pages/suggest.hbs")),
    (
        "suggest_confirm",
        include_str!("../../templates/pages/suggest_confirm.hbs"),
    ),
];
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl Lang {
    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s {
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Da => "da",
            Lang::En => "en",
        }
    }
}

/// The template registries and the labels in each language. Built once, held by `AppState`.
pub struct Pages {
    /// One registry per language, its labels written into the templates at start-up: a page
    /// then neither copies the 600 labels into its context nor looks each one up.
    da_hb: Handlebars<'static>,
    en_hb: Handlebars<'static>,
    pub(crate) da: Map<String, Value>,
    pub(crate) en: Map<String, Value>,
    messages: Messages,
}

impl Pages {
    pub fn new() -> AppResult<Pages> {
        let mut labels: Map<String, Value> =
            serde_json::from_str(LABELS).map_err(|e| AppError::Internal(format!("labels.json: {e}")))?;
        let mut take = |lang: &str| match labels.remove(lang) {
            Some(Value::Object(m)) => Ok(m),
            _ => Err(AppError::Internal(format!("labels.json has no '{lang}' object"))),
        };
        let (da, en) = (take("da")?, take("en")?);
        Ok(Pages {
            da_hb: registry(&da)?,
            en_hb: registry(&en)?,
            da,
            en,
            messages: Messages::new()?,
        })
    }

    pub(crate) fn labels(&self, lang: Lang) -> &Map<String, Value> {
        match lang {
            Lang::Da => &self.da,
            Lang::En => &self.en,
        }
    }

    /// A label; a missing one shows its key rather than nothing.
    pub fn t(&self, lang: Lang, key: &str) -> String {
        self.labels(lang)
            .get(key)
            .and_then(Value::as_str)
            .map_or_else(|| key.to_string(), str::to_string)
    }

    /// A refusal from the domain in the page's language; a state or an action inside it in
    /// the words of the page's labels.
    pub fn message(&self, lang: Lang, message: &str) -> String {
        match lang {
            Lang::En => message.to_string(),
            Lang::Da => self.messages.danish(message, |w| {
                let label = |k: &str| self.da.get(k).and_then(Value::as_str).map(str::to_string);
                label(&format!("state_{w}")).or_else(|| label(w).map(|l| l.to_lowercase()))
            }),
        }
    }

    /// The page's template, then the layout around it, on one context: the context is moved
    /// in, not copied (a dashboard's is ~600 values), and no partial block clones it.
    pub(crate) fn render(&self, lang: Lang, name: &str, data: Value) -> AppResult<String> {
        let err = |e: handlebars::RenderError| AppError::Internal(format!("rendering page {name}: {e}"));
        let hb = match lang {
            Lang::Da => &self.da_hb,
            Lang::En => &self.en_hb,
        };
        let mut ctx = handlebars::Context::from(data);
        let body = hb.render_with_context(name, &ctx).map_err(err)?;
        if let Some(m) = ctx.data_mut().as_object_mut() {
            m.insert("body".into(), Value::String(body));
        }
        hb.render_with_context("layout", &ctx).map_err(err)
    }
}

/// The page templates with one language's labels in place.
fn registry(labels: &Map<String, Value>) -> AppResult<Handlebars<'static>> {
    let mut hb = Handlebars::new();
    // Every `{{x}}` is HTML-escaped (the default). Two `{{{ }}}` only: the layout's `body`
    // (the page template's output), a list's `rows_html` (`table_rows`, escaped there) and a
    // report's `svg` (`charts`, escaped there).
    hb.set_strict_mode(false);
    for (name, src) in TEMPLATES {
        let src = with_labels(name, src, labels)?;
        hb.register_template_string(name, src)
            .map_err(|e| AppError::Internal(format!("page template {name}: {e}")))?;
    }
    Ok(hb)
}

/// `src` with each `{{t.key}}` and `{{@root.t.key}}` replaced by its label, escaped as
/// Handlebars would have escaped it. A key without a label stops the start: a page would
/// otherwise show a blank where its words belong.
fn with_labels(name: &str, src: &str, labels: &Map<String, Value>) -> AppResult<String> {
    let mut out = String::with_capacity(src.len());
    let mut rest = src;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let key_at = ["t.", "@root.t."]
            .iter()
            .find(|p| tail.starts_with(*p))
            .map(|p| p.len());
        let key_len = key_at.map(|k| {
            tail[k..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len() - k)
        });
        match key_at.zip(key_len) {
            Some((k, n)) if n > 0 && tail[k + n..].starts_with("}}") => {
                let key = &tail[k..k + n];
                let label = labels
                    .get(key)
                    .and_then(Value::as_str)
                    .ok_or_else(|| AppError::Internal(format!("page template {name}: no label '{key}'")))?;
                // Handlebars reads template text as it is, save `{{` and a `\` before it.
                if label.contains("{{") || label.contains('\\') {
                    return Err(AppError::Internal(format!("label '{key}' holds '{{{{' or '\\'")));
                }
                out.push_str(&handlebars::html_escape(label));
                rest = &tail[k + n + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::dashboards::List;
    use crate::domain::referral::{Action, State};

    #[test]
    fn labels_cover_both_languages_and_every_column() {
        let p = Pages::new().unwrap();
        let (da, en): (Vec<_>, Vec<_>) = (p.da.keys().collect(), p.en.keys().collect());
        assert_eq!(da, en, "da and en must have the same labels");
        for list in List::ALL {
            for col in list.columns() {
                assert!(p.da.contains_key(&format!("col_{col}")), "label for column {col}");
            }
        }
        for s in State::ALL {
            assert!(p.da.contains_key(&format!("state_{}", s.as_str())));
        }
        for a in [Action::Approve, Action::Reject, Action::Send, Action::Withdraw] {
            assert!(p.da.contains_key(&format!("ok_{}", a.as_str())));
        }
    }

    #[test]
    fn labels_are_written_into_the_templates_escaped() {
        let labels: Map<String, Value> =
            serde_json::from_value(serde_json::json!({ "save": "Gem & luk", "q": "\"Hvem?\"" })).unwrap();
        let src = "<b>{{t.save}}</b>{{#each xs}}<i title=\"{{@root.t.q}}\">{{name}}</i>{{/each}}{{{body}}}";
        assert_eq!(
            with_labels("x", src, &labels).unwrap(),
            "<b>Gem &amp; luk</b>{{#each xs}}<i title=\"&quot;Hvem?&quot;\">{{name}}</i>{{/each}}{{{body}}}"
        );
        // Not a label: left to Handlebars.
        assert_eq!(
            with_labels("x", "{{t}} {{tt.save}} {{t.save.x}}", &labels).unwrap(),
            "{{t}} {{tt.save}} {{t.save.x}}"
        );
        let Err(AppError::Internal(missing)) = with_labels("x", "{{t.nope}}", &labels) else {
            panic!("a missing label must stop the start");
        };
        assert!(missing.contains("no label 'nope'"), "{missing}");
    }

    #[test]
    fn each_language_renders_its_own_labels() {
        let p = Pages::new().unwrap();
        let data = || serde_json::json!({ "lang": "da", "heading": "<x>", "text": "t" });
        for (lang, labels) in [(Lang::Da, &p.da), (Lang::En, &p.en)] {
            let html = p.render(lang, "error", data()).unwrap();
            let skip = labels["skip_to_content"].as_str().unwrap();
            assert!(html.contains(&handlebars::html_escape(skip)), "{lang:?}: {skip}");
            assert!(html.contains("&lt;x&gt;") && !html.contains("{{"), "{lang:?}");
        }
        assert_ne!(p.da["skip_to_content"], p.en["skip_to_content"]);
    }

    #[test]
    fn templates_never_unescape_user_data() {
        // The raw insertions are HTML built in Rust: the page template's output, `table_rows`
        // and the charts' SVG (both escape each text). Nothing else may skip escaping.
        for (name, src) in TEMPLATES {
            let raw: Vec<&str> = src.match_indices("{{{").map(|(i, _)| &src[i..]).collect();
            let allowed = match *name {
                "layout" => &["{{{body}}}"][..],
                "dashboard" => &["{{{rows_html}}}"][..],
                "report_chart" => &["{{{svg}}}"][..],
                _ => &[][..],
            };
            assert_eq!(raw.len(), allowed.len(), "{name} must not use triple braces");
            for (r, a) in raw.iter().zip(allowed) {
                assert!(r.starts_with(a), "{name}: {r:.30}");
            }
        }
    }
}
