//! The shipped occupation list (data/occupations.csv): codes, labels, aliases.
//! "fiskekok" resolves to Kok; the first three digits of a code are its group
//! ("related occupation"); codes of ISCO major group 9 need no special qualifications.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Occupation {
    pub code: String,
    pub label: String,
    pub group: String,
    pub aliases: Vec<String>,
    pub no_qualifications: bool,
}

struct Catalogue {
    list: Vec<Occupation>,
    /// Lower-cased label or alias → index in `list`.
    by_name: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
}

fn catalogue() -> &'static Catalogue {
    static CAT: OnceLock<Catalogue> = OnceLock::new();
    CAT.get_or_init(|| {
        let mut rdr = csv::Reader::from_reader(include_str!("../data/occupations.csv").as_bytes());
        let mut list = Vec::new();
        for rec in rdr.records() {
            let rec = rec.expect("data/occupations.csv is well-formed");
            let code = rec[0].to_string();
            list.push(Occupation {
                group: group_of(&code),
                no_qualifications: code.starts_with('9'),
                label: rec[1].to_string(),
                aliases: rec[2]
                    .split('|')
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect(),
                code,
            });
        }
        let mut by_name = HashMap::new();
        let mut by_code = HashMap::new();
        for (i, o) in list.iter().enumerate() {
            by_code.insert(o.code.clone(), i);
            by_name.insert(normalise(&o.label), i);
            for a in &o.aliases {
                by_name.entry(normalise(a)).or_insert(i);
            }
        }
        Catalogue { list, by_name, by_code }
    })
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The group of a code: its first three digits (the ISCO-08 minor group).
pub fn group_of(code: &str) -> String {
    code.chars().take(3).collect()
}

pub fn all() -> &'static [Occupation] {
    &catalogue().list
}

pub fn by_code(code: &str) -> Option<&'static Occupation> {
    let c = catalogue();
    c.by_code.get(code.trim()).map(|&i| &c.list[i])
}

/// A code, a label or an alias → the occupation.
pub fn resolve(name_or_code: &str) -> Option<&'static Occupation> {
    let c = catalogue();
    by_code(name_or_code).or_else(|| c.by_name.get(&normalise(name_or_code)).map(|&i| &c.list[i]))
}

/// What an order or a wish stores: code, group, and whether no special qualifications are needed.
/// A code outside the shipped list is kept as given (6 digits), grouped by its digits.
pub fn classify(code: Option<&str>, free_text: &str) -> Option<(String, String, bool)> {
    if let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(o) = by_code(code) {
            return Some((o.code.clone(), o.group.clone(), o.no_qualifications));
        }
        if code.len() >= 4 && code.chars().all(|c| c.is_ascii_digit()) {
            return Some((code.to_string(), group_of(code), code.starts_with('9')));
        }
    }
    resolve(free_text).map(|o| (o.code.clone(), o.group.clone(), o.no_qualifications))
}

/// Occupations whose label or an alias contains `q` (case-insensitive).
pub fn search(q: &str) -> Vec<&'static Occupation> {
    let q = normalise(q);
    all()
        .iter()
        .filter(|o| {
            q.is_empty()
                || o.label.to_lowercase().contains(&q)
                || o.code.starts_with(&q)
                || o.aliases.iter().any(|a| a.to_lowercase().contains(&q))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_the_occupation() {
        assert_eq!(resolve("fiskekok").unwrap().label, "Kok");
        assert_eq!(resolve("  FISKEKOK ").unwrap().code, "512010");
        assert_eq!(resolve("SOSU-hjælper").unwrap().code, "532110");
        assert_eq!(resolve("512010").unwrap().label, "Kok");
        assert!(resolve("astronaut").is_none());
    }

    #[test]
    fn groups_and_qualifications() {
        let kok = by_code("512010").unwrap();
        assert_eq!(kok.group, "512");
        assert!(!kok.no_qualifications);
        assert!(resolve("opvasker").unwrap().no_qualifications);
        assert_eq!(classify(None, "Kok"), Some(("512010".into(), "512".into(), false)));
        assert_eq!(
            classify(Some("961190"), "x"),
            Some(("961190".into(), "961".into(), true))
        );
        assert_eq!(classify(None, "Raketforsker"), None);
    }

    #[test]
    fn list_is_consistent() {
        assert!(all().len() >= 50);
        for o in all() {
            assert_eq!(o.code.len(), 6, "{}", o.code);
            assert!(o.code.chars().all(|c| c.is_ascii_digit()));
        }
        assert_eq!(search("kok").iter().filter(|o| o.code == "512010").count(), 1);
    }
}
