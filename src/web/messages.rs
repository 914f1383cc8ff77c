//! The domain's refusals in Danish. The domain writes English (what the JSON API answers);
//! pages look each message up in a catalogue of patterns and carry its variable parts over.

use serde_json::{Map, Value};

use crate::error::{AppError, AppResult};

const CATALOGUE: &str = include_str!("../../templates/pages/messages.json");

/// One catalogue entry: the English pattern cut at its `{}`s, and the Danish with `{}`s.
struct Pattern {
    pieces: Vec<String>,
    danish: String,
}

pub struct Messages {
    /// Most specific first, so "at most 200 characters" wins over "at most {} characters".
    patterns: Vec<Pattern>,
}

impl Messages {
    pub fn new() -> AppResult<Messages> {
        let map: Map<String, Value> =
            serde_json::from_str(CATALOGUE).map_err(|e| AppError::Internal(format!("messages.json: {e}")))?;
        let mut patterns: Vec<Pattern> = map
            .into_iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| Pattern {
                pieces: k.split("{}").map(str::to_string).collect(),
                danish: v.as_str().unwrap_or_default().to_string(),
            })
            .collect();
        patterns.sort_by_key(|p| std::cmp::Reverse(p.pieces.iter().map(String::len).sum::<usize>()));
        Ok(Messages { patterns })
    }

    /// `message` in Danish; `word` may put a variable part (a state, an action) in Danish too.
    /// A message not in the catalogue stays as it is.
    pub fn danish(&self, message: &str, word: impl Fn(&str) -> Option<String>) -> String {
        for p in &self.patterns {
            if let Some(parts) = capture(&p.pieces, message) {
                let mut out = String::new();
                let mut parts = parts.into_iter();
                for (i, piece) in p.danish.split("{}").enumerate() {
                    if i > 0 {
                        let part = parts.next().unwrap_or_default();
                        out.push_str(&word(&part).unwrap_or(part));
                    }
                    out.push_str(piece);
                }
                return out;
            }
        }
        message.to_string()
    }
}

/// The variable parts of `message` if it has the pattern's fixed pieces in order.
fn capture(pieces: &[String], message: &str) -> Option<Vec<String>> {
    let (first, rest) = pieces.split_first()?;
    let mut tail = message.strip_prefix(first.as_str())?;
    if rest.is_empty() {
        return tail.is_empty().then(Vec::new);
    }
    let mut parts = Vec::new();
    for (i, piece) in rest.iter().enumerate() {
        let at = if i == rest.len() - 1 {
            // The last piece ends the message.
            tail.len()
                .checked_sub(piece.len())
                .filter(|at| tail[*at..] == **piece)?
        } else {
            tail.find(piece.as_str())?
        };
        parts.push(tail[..at].to_string());
        tail = &tail[at + piece.len()..];
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages() -> Messages {
        Messages::new().unwrap()
    }

    #[test]
    fn variable_parts_are_carried_over() {
        let m = messages();
        assert_eq!(
            m.danish("Ane Hansen is already referred to this order", |_| None),
            "Ane Hansen er allerede formidlet til denne jobordre"
        );
        assert_eq!(
            m.danish("15.300 is already a member of HRS", |_| None),
            "15.300 er allerede medlem af HRS"
        );
        assert_eq!(
            m.danish("must be at most 200 characters", |_| None),
            "må højst være 200 tegn"
        );
        assert_eq!(
            m.danish("must be at most 64 characters", |_| None),
            "må højst være 64 tegn"
        );
        let word = |w: &str| (w == "approve").then(|| "godkende".to_string());
        assert_eq!(
            m.danish("cannot approve a referral in state rejected", word),
            "kan ikke godkende en formidling med status \"rejected\""
        );
        assert_eq!(m.danish("something new", |_| None), "something new");
    }

    /// Every refusal the code can write has a Danish entry: a new message without one fails here.
    #[test]
    fn every_message_in_the_code_has_a_danish_entry() {
        let m = messages();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut seen = 0;
        for text in sources(&root) {
            let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
            for message in messages_in(code) {
                seen += 1;
                let probe = message.replace("{}", "X");
                if m.danish(&probe, |_| None) == probe {
                    missing.push(message);
                }
            }
        }
        assert!(seen > 50, "the scan found only {seen} messages");
        assert!(
            missing.is_empty(),
            "add these to templates/pages/messages.json: {missing:#?}"
        );
    }

    fn sources(dir: &std::path::Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(sources(&p));
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(std::fs::read_to_string(p).unwrap());
            }
        }
        out
    }

    /// The message literals of `AppError::invalid(field, "…")`, `Conflict("…")`,
    /// `Forbidden("…")`, `BadRequest("…")` and the state machine's refusals, `{x}` as `{}`.
    fn messages_in(code: &str) -> Vec<String> {
        let mut out = Vec::new();
        let calls = [
            "AppError::invalid(",
            "AppError::Conflict(",
            "AppError::Forbidden(",
            "AppError::BadRequest(",
        ];
        for call in calls {
            for (at, _) in code.match_indices(call) {
                let args = &code[at + call.len()..];
                let args = &args[..args.find(";\n").unwrap_or(args.len()).min(400)];
                // The message argument: the second of `invalid`, the first of the others.
                let message = if call.ends_with("invalid(") {
                    args.split_once(',').map_or("", |(_, m)| m)
                } else {
                    args
                };
                // A literal or a format!; anything else is a match arm or a passed-on value.
                let message = message.trim_start();
                if message.starts_with('"') || message.starts_with("format!(") {
                    out.extend(literals(message).into_iter().next());
                }
            }
        }
        for (at, _) in code.match_indices("=> \"only ") {
            out.extend(literals(&code[at..]).into_iter().next());
        }
        out.into_iter()
            .filter(|m| !m.is_empty())
            .map(|m| {
                let mut s = String::new();
                let mut depth = 0;
                for c in m.chars() {
                    match c {
                        '{' => {
                            depth += 1;
                            if depth == 1 {
                                s.push_str("{}");
                            }
                        }
                        '}' => depth -= 1,
                        _ if depth == 0 => s.push(c),
                        _ => {}
                    }
                }
                s
            })
            .collect()
    }

    fn literals(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = s.char_indices();
        while let Some((_, c)) = chars.next() {
            if c == '"' {
                let mut lit = String::new();
                let (mut escaped, mut continued) = (false, false);
                for (_, c) in chars.by_ref() {
                    // A backslash at the end of a line continues the string past the indent.
                    if continued && c.is_whitespace() {
                        continue;
                    }
                    continued = false;
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        (true, '\n') => (escaped, continued) = (false, true),
                        _ => {
                            lit.push(c);
                            escaped = false;
                        }
                    }
                }
                out.push(lit);
            }
        }
        out
    }
}
