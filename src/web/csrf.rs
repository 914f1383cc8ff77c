//! CSRF tokens of the pages' forms. A token is an HMAC of the session JWT under the
//! app's JWT secret: it needs no storage, every instance on one database derives the
//! same one, and it changes with each login. Before login (the login form itself) a
//! random double-submit cookie plays that part.

use rand::RngCore;
use ring::hmac;

/// The hidden form field that carries the token.
pub const FIELD: &str = "_csrf";
/// The double-submit cookie of the login form.
pub const LOGIN_COOKIE: &str = "staer_login_csrf";

fn key(secret: &[u8]) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret)
}

/// Domain-separated, so a token is never the signature of anything else.
fn message(session: &str) -> Vec<u8> {
    [b"staer-csrf\0".as_slice(), session.as_bytes()].concat()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// The token for forms of this session.
pub fn token(secret: &[u8], session: &str) -> String {
    hex(hmac::sign(&key(secret), &message(session)).as_ref())
}

/// Whether `given` is this session's token (compared in constant time).
pub fn verify(secret: &[u8], session: &str, given: &str) -> bool {
    match unhex(given.trim()) {
        Some(tag) => hmac::verify(&key(secret), &message(session), &tag).is_ok(),
        None => false,
    }
}

/// A fresh random value for the login form's double-submit cookie.
pub fn random() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex(&b)
}

/// The login form's check: the field equals the cookie, and neither is empty.
pub fn same(cookie: Option<&str>, field: Option<&str>) -> bool {
    match (cookie, field) {
        // Every byte is compared, whatever differs first; the length is no secret.
        (Some(c), Some(f)) if !c.is_empty() && c.len() == f.len() => {
            c.bytes().zip(f.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn token_is_bound_to_session_and_secret() {
        let t = token(SECRET, "session-a");
        assert!(verify(SECRET, "session-a", &t));
        assert!(!verify(SECRET, "session-b", &t));
        assert!(!verify(b"another-secret-another-secret-xx", "session-a", &t));
        assert!(!verify(SECRET, "session-a", ""));
        assert!(!verify(SECRET, "session-a", "zz"));
        assert!(!verify(SECRET, "session-a", &t[..t.len() - 2]));
    }

    #[test]
    fn login_double_submit() {
        let r = random();
        assert_eq!(r.len(), 64);
        assert!(same(Some(&r), Some(&r)));
        assert!(!same(Some(&r), Some(&random())));
        assert!(!same(None, Some(&r)));
        assert!(!same(Some(""), Some("")));
    }
}
