//! Signed, expiring links to the public view of an order, for mails to citizens (a job agent's
//! digest): the order, the agent and an expiry under an HMAC-SHA256 of the server's secret.

use ring::hmac;

use crate::ids::JobOrderId;

/// How long a link in a citizen's digest opens the order.
pub const ORDER_LINK_DAYS: i64 = 30;

/// What a link names: one order, for one job agent, until `expires` (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderLink {
    pub order: JobOrderId,
    pub agent: i64,
    pub expires: i64,
}

/// Why a link opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    /// Not signed by this server (or altered): answered as an unknown page.
    Forged,
    /// Signed, but too old: answered as gone.
    Expired,
}

pub struct LinkKey(hmac::Key);

impl LinkKey {
    /// A key of its own, derived from the server's secret: a session token's signature can
    /// never pass as a link's, and every instance sharing the secret accepts the link.
    pub fn new(secret: &[u8]) -> LinkKey {
        let root = hmac::Key::new(hmac::HMAC_SHA256, secret);
        let derived = hmac::sign(&root, b"staer-hub public order link v1");
        LinkKey(hmac::Key::new(hmac::HMAC_SHA256, derived.as_ref()))
    }

    /// A key for this process only (a `Mail` built without the server's secret).
    pub fn random() -> LinkKey {
        LinkKey::new(&rand::random::<[u8; 32]>())
    }

    /// `order.agent.expires.tag`, URL-safe as it is.
    pub fn sign(&self, link: OrderLink) -> String {
        let body = format!("{}.{}.{}", link.order.0, link.agent, link.expires);
        let tag = hmac::sign(&self.0, body.as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("{body}.{hex}")
    }

    /// The link a token names if this server signed it and it has not expired at `now`.
    /// The signature is checked first and in constant time; nothing in a forged token is read.
    pub fn verify(&self, token: &str, now: i64) -> Result<OrderLink, LinkError> {
        let (body, hex) = token.rsplit_once('.').ok_or(LinkError::Forged)?;
        let tag = unhex(hex).ok_or(LinkError::Forged)?;
        hmac::verify(&self.0, body.as_bytes(), &tag).map_err(|_| LinkError::Forged)?;
        let parts: Vec<i64> = body
            .split('.')
            .map(str::parse::<i64>)
            .collect::<Result<_, _>>()
            .map_err(|_| LinkError::Forged)?;
        let [order, agent, expires] = parts[..] else {
            return Err(LinkError::Forged);
        };
        if expires < now {
            return Err(LinkError::Expired);
        }
        Ok(OrderLink {
            order: JobOrderId(order),
            agent,
            expires,
        })
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn link() -> OrderLink {
        OrderLink {
            order: JobOrderId(42),
            agent: 7,
            expires: NOW + 3600,
        }
    }

    #[test]
    fn a_signed_link_opens_until_it_expires() {
        let k = LinkKey::new(b"server-secret");
        let t = k.sign(link());
        assert_eq!(k.verify(&t, NOW), Ok(link()));
        assert_eq!(k.verify(&t, NOW + 3600), Ok(link()));
        assert_eq!(k.verify(&t, NOW + 3601), Err(LinkError::Expired));
    }

    #[test]
    fn forged_and_altered_links_open_nothing() {
        let k = LinkKey::new(b"server-secret");
        let t = k.sign(link());
        // Another server's key, another order, a later expiry, a cut tag, garbage.
        assert_eq!(LinkKey::new(b"other-secret").verify(&t, NOW), Err(LinkError::Forged));
        let other_order = t.replacen("42.", "43.", 1);
        assert_eq!(k.verify(&other_order, NOW), Err(LinkError::Forged));
        let later = t.replace(&format!(".{}.", NOW + 3600), &format!(".{}.", NOW + 99_999));
        assert_eq!(k.verify(&later, NOW), Err(LinkError::Forged));
        assert_eq!(k.verify(&t[..t.len() - 2], NOW), Err(LinkError::Forged));
        for junk in ["", ".", "42.7", "42.7.1.zz", "a.b.c.00"] {
            assert_eq!(k.verify(junk, NOW), Err(LinkError::Forged), "{junk}");
        }
        // An expired link that is also forged is forged: the signature is checked first.
        let old = LinkKey::new(b"other-secret").sign(OrderLink { expires: 1, ..link() });
        assert_eq!(k.verify(&old, NOW), Err(LinkError::Forged));
    }

    #[test]
    fn the_key_is_not_the_secret_itself() {
        // A plain HMAC under the secret (what a session token is signed with) does not verify.
        let body = format!("42.7.{}", NOW + 3600);
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, b"server-secret"), body.as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        let k = LinkKey::new(b"server-secret");
        assert_eq!(k.verify(&format!("{body}.{hex}"), NOW), Err(LinkError::Forged));
    }
}
