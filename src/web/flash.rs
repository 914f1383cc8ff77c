//! A message shown once on the next page, after a redirect, kept in a short-lived cookie.

use serde_json::{json, Value};

/// A message shown once on the next page (after a redirect), kept in a short-lived cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flash {
    pub(crate) ok: bool,
    pub(crate) text: String,
}

impl Flash {
    pub(crate) fn ok(text: impl Into<String>) -> Flash {
        Flash {
            ok: true,
            text: text.into(),
        }
    }

    pub(crate) fn error(text: impl Into<String>) -> Flash {
        Flash {
            ok: false,
            text: text.into(),
        }
    }

    /// Cookie-safe: a kind letter and the text's UTF-8 bytes in hex.
    pub(crate) fn encode(&self) -> String {
        let hex: String = self.text.bytes().take(1500).map(|b| format!("{b:02x}")).collect();
        format!("{}{hex}", if self.ok { 'o' } else { 'e' })
    }

    pub(crate) fn decode(s: &str) -> Option<Flash> {
        let ok = match s.get(..1)? {
            "o" => true,
            "e" => false,
            _ => return None,
        };
        let hex = &s[1..];
        if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect();
        Some(Flash {
            ok,
            text: String::from_utf8(bytes?).ok()?,
        })
    }

    pub(crate) fn json(&self) -> Value {
        json!({ "kind": if self.ok { "ok" } else { "error" }, "text": self.text })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_round_trip() {
        let f = Flash::error("Kan ikke udføres: \"x\" ; <b>");
        assert_eq!(Flash::decode(&f.encode()), Some(f.clone()));
        assert!(f.encode().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(Flash::decode("xzz"), None);
        assert_eq!(Flash::decode("o1"), None);
    }
}
