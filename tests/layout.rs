//! The layout holds (../shared/spec/architecture.md): arrows point down only, no module imports
//! itself through others, and files and functions stay small enough to read. Reads the sources
//! as text, so a new file or a new import is checked the day it lands.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 120;

/// Every module of the library: `domain::orders` for `src/domain/orders.rs`, `domain` for
/// `src/domain/mod.rs`, with its text up to its unit tests (test code may reach anywhere).
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&root).unwrap().with_extension("");
        let name = rel.to_string_lossy().replace('/', "::");
        let name = name.strip_suffix("::mod").unwrap_or(&name).to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap().to_string();
        out.insert(name, code);
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `a::{b, c::{d, e}}` as the full paths `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let path: String = path.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(open) = path.find('{') else {
        return vec![path.split(" as ").next().unwrap().trim_end_matches("::").to_string()];
    };
    let prefix = path[..open].trim_end_matches("::");
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let (mut parts, mut depth, mut cur) = (Vec::new(), 0, String::new());
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    parts.push(cur);
    parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            if p == "self" {
                vec![prefix.to_string()]
            } else {
                expand(&format!("{prefix}::{p}"))
            }
        })
        .collect()
}

/// The modules a module's code names through `crate::…` or `super::…`.
fn references(name: &str, code: &str, all: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut refs = BTreeSet::new();
    let parent = name.rsplit_once("::").map_or("", |(p, _)| p);
    for (marker, base) in [("crate::", String::new()), ("super::", format!("{parent}::"))] {
        for (i, _) in code.match_indices(marker) {
            let prev = code[..i].chars().next_back();
            if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + marker.len()..];
            let (mut end, mut depth) = (0, 0);
            for (j, c) in rest.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth > 0 => depth -= 1,
                    c if c.is_alphanumeric() || c == '_' || c == ':' => {}
                    ',' | ' ' | '\n' | '*' if depth > 0 => {}
                    _ => {
                        end = j;
                        break;
                    }
                }
                end = j + c.len_utf8();
            }
            for path in expand(&rest[..end]) {
                let full = format!("{base}{path}");
                let segs: Vec<&str> = full.split("::").collect();
                if let Some(m) = (1..=segs.len())
                    .rev()
                    .map(|n| segs[..n].join("::"))
                    .find(|m| all.contains_key(m))
                {
                    if m != name {
                        refs.insert(m);
                    }
                }
            }
        }
    }
    refs
}

fn layer(module: &str) -> &str {
    module.split("::").next().unwrap()
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let all = modules();
    all.iter()
        .map(|(n, code)| (n.clone(), references(n, code, &all)))
        .collect()
}

/// How high a layer stands: a module may name its own layer and those below it. `mail` stands
/// below `domain` (the domain writes mail in its transactions; mail knows no domain rules).
fn rank(module: &str) -> u8 {
    match layer(module) {
        "cli" => 6,
        "app" => 5,
        "web" => 4,
        "domain" => 3,
        "mail" => 2,
        "db" | "config" => 1,
        _ => 0, // error, ids, geo, occupations
    }
}

#[test]
fn arrows_point_down() {
    let mut wrong = Vec::new();
    for (m, refs) in graph() {
        wrong.extend(
            refs.iter()
                .filter(|r| rank(r) > rank(&m))
                .map(|r| format!("{m} -> {r}")),
        );
    }
    assert!(wrong.is_empty(), "imports that point up a layer:\n{}", wrong.join("\n"));
}

#[test]
fn domain_and_mail_know_no_http() {
    let bad: Vec<String> = modules()
        .into_iter()
        .filter(|(m, code)| matches!(layer(m), "domain" | "mail") && code.contains("actix_web"))
        .map(|(m, _)| m)
        .collect();
    assert!(bad.is_empty(), "actix_web in {bad:?}");
}

#[test]
fn no_import_cycles() {
    let g = graph();
    // Depth-first search; a module met again while still on the path closes a cycle.
    fn visit<'a>(
        m: &'a str,
        g: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(i) = path.iter().position(|p| *p == m) {
            cycles.push(format!("{} -> {m}", path[i..].join(" -> ")));
            return;
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for r in &g[m] {
            visit(r, g, path, done, cycles);
        }
        path.pop();
    }
    let (mut done, mut cycles) = (BTreeSet::new(), Vec::new());
    for m in g.keys() {
        visit(m, &g, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn files_and_functions_fit_on_a_few_screens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut long = Vec::new();
    for f in files.iter().filter(|f| !f.ends_with("db/schema.rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        if lines.len() > MAX_FILE_LINES {
            long.push(format!("{rel}: {} lines", lines.len()));
        }
        if !lines.first().is_some_and(|l| l.starts_with("//!")) {
            long.push(format!("{rel}: no //! line saying what it holds"));
        }
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            let is_fn = [
                "fn ",
                "pub fn ",
                "async fn ",
                "pub async fn ",
                "pub(crate) fn ",
                "pub(crate) async fn ",
            ]
            .iter()
            .any(|p| t.starts_with(p));
            if !is_fn || t.ends_with(';') {
                continue;
            }
            let close = format!("{}}}", &l[..l.len() - t.len()]);
            let len = lines[i..].iter().position(|x| *x == close).map_or(0, |n| n + 1);
            if len > MAX_FN_LINES {
                long.push(format!("{rel}:{}: a function of {len} lines", i + 1));
            }
        }
    }
    assert!(long.is_empty(), "too long to read:\n{}", long.join("\n"));
}

#[test]
fn the_reader_finds_each_kind_of_reference() {
    let all: BTreeMap<String, String> = ["domain", "domain::orders", "domain::audit", "web", "web::state", "db"]
        .iter()
        .map(|m| (m.to_string(), String::new()))
        .collect();
    let code = "use crate::domain::{audit, orders::{self, JobOrder}};\nuse crate::db::DbConn;\n\
                fn f() { crate::web::state::AppState::x(); super::audit::record(); }";
    let refs = references("domain::users", code, &all);
    let want: BTreeSet<String> = ["domain::audit", "domain::orders", "db", "web::state"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, want);
}
