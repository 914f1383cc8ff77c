//! The employer's link to an order (`/employer/{token}`), mailed with each candidate: no login,
//! a random token stored only as a hash, valid for 60 days, revocable by the order's owner.
//!
//! One link (row) per order and employer address, and one token per candidate mail. The raw
//! token exists only when it is made, so a second mail can't repeat the first one's token
//! without storing it; giving the row a fresh hash instead would kill the links in the
//! employer's earlier mails. So each mail mints its own token (its own 60 days) and every
//! token opens the same row, which lists every candidate sent through it. A revoke ends all of
//! the row's tokens at once; a later candidate mail makes a new token that works again.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::rngs::OsRng;
use rand::RngCore;
use ring::digest;
use serde::Serialize;
use serde_json::json;

use crate::db::schema::{employer_link_tokens, employer_links, referrals};
use crate::db::DbConn;
use crate::domain::actor::AuthUser;
use crate::domain::{audit, orders};
use crate::error::{AppError, AppResult};
use crate::ids::JobOrderId;

/// How long one mailed link opens the page.
pub const LINK_DAYS: i64 = 60;
/// 32 random bytes (256 bits) from the operating system's CSPRNG.
const TOKEN_BYTES: usize = 32;

fn sha256(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, text.as_bytes()))
}

/// What is stored of a token: its SHA-256. A leaked table opens no page.
pub fn token_hash(token: &str) -> String {
    sha256(token)
}

/// What is stored of an employer address (the lower-case form's SHA-256): enough to find the
/// row again, nothing to show or to blank.
pub fn email_hash(email: &str) -> String {
    sha256(&email.trim().to_lowercase())
}

/// A fresh token, URL-safe as it is (43 characters).
fn new_token() -> String {
    let mut b = [0u8; TOKEN_BYTES];
    OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Whether a text could be one of our tokens at all (a cheap refusal before any query).
fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A token just made for a mail: the only moment the raw token is known.
#[derive(Debug, Clone)]
pub struct Issued {
    pub link_id: i64,
    pub token: String,
    pub expires_at: NaiveDateTime,
}

/// The link of (order, address), made on first use, and a new token for it.
pub fn issue(conn: &mut DbConn, order: JobOrderId, email: &str, now: NaiveDateTime) -> AppResult<Issued> {
    let hash = email_hash(email);
    let existing: Option<i64> = employer_links::table
        .filter(employer_links::order_id.eq(order))
        .filter(employer_links::email_hash.eq(&hash))
        .select(employer_links::id)
        .first(conn)
        .optional()?;
    let link_id = match existing {
        Some(id) => {
            // Sending another candidate after a revoke means the employer should answer again;
            // the revoked tokens stay revoked.
            diesel::update(employer_links::table.find(id))
                .set((
                    employer_links::revoked_at.eq(None::<NaiveDateTime>),
                    employer_links::revoked_by.eq(None::<i64>),
                ))
                .execute(conn)?;
            id
        }
        None => diesel::insert_into(employer_links::table)
            .values((
                employer_links::order_id.eq(order),
                employer_links::email_hash.eq(&hash),
                employer_links::created_at.eq(now),
            ))
            .returning(employer_links::id)
            .get_result(conn)?,
    };
    let token = new_token();
    let expires_at = now + Duration::days(LINK_DAYS);
    diesel::insert_into(employer_link_tokens::table)
        .values((
            employer_link_tokens::token_hash.eq(token_hash(&token)),
            employer_link_tokens::link_id.eq(link_id),
            employer_link_tokens::created_at.eq(now),
            employer_link_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(Issued {
        link_id,
        token,
        expires_at,
    })
}

/// What an open link reaches: one order, and the referrals sent through this link.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    pub link_id: i64,
    pub order_id: JobOrderId,
    pub expires_at: NaiveDateTime,
}

/// The link a token opens at `now`. Unknown or malformed: 404 (nothing says whether it ever
/// existed); revoked or expired: 410.
pub fn open(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> AppResult<Scope> {
    if !well_formed(token) {
        return Err(AppError::NotFound);
    }
    let (link_id, order_id, expires_at, token_revoked, link_revoked): (
        i64,
        JobOrderId,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    ) = employer_link_tokens::table
        .inner_join(employer_links::table)
        .filter(employer_link_tokens::token_hash.eq(token_hash(token)))
        .select((
            employer_links::id,
            employer_links::order_id,
            employer_link_tokens::expires_at,
            employer_link_tokens::revoked_at,
            employer_links::revoked_at,
        ))
        .first(conn)?;
    if token_revoked.is_some() || link_revoked.is_some() {
        return Err(AppError::Gone("the link was revoked".into()));
    }
    if expires_at < now {
        return Err(AppError::Gone("the link has expired".into()));
    }
    Ok(Scope {
        link_id,
        order_id,
        expires_at,
    })
}

/// A link as its order's owner sees it (never the tokens).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkSummary {
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The latest expiry of its tokens: until then some mail's link still opens the page.
    pub expires_at: Option<NaiveDateTime>,
    /// Candidates sent through it.
    pub candidates: i64,
    /// Whether it is the order's current employer address (earlier addresses are not kept).
    pub current_address: bool,
}

/// The order's employer links, newest first; the owner's to see.
pub fn of_order(conn: &mut DbConn, user: &AuthUser, order_id: JobOrderId) -> AppResult<Vec<LinkSummary>> {
    let order = orders::load_owned(conn, user, order_id)?;
    let current = order.employer_email.as_deref().map(email_hash);
    let rows: Vec<(i64, String, NaiveDateTime, Option<NaiveDateTime>)> = employer_links::table
        .filter(employer_links::order_id.eq(order_id))
        .order(employer_links::id.desc())
        .select((
            employer_links::id,
            employer_links::email_hash,
            employer_links::created_at,
            employer_links::revoked_at,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, hash, created_at, revoked_at) in rows {
        let expires_at = employer_link_tokens::table
            .filter(employer_link_tokens::link_id.eq(id))
            .select(diesel::dsl::max(employer_link_tokens::expires_at))
            .first(conn)?;
        let candidates = referrals::table
            .filter(referrals::employer_link_id.eq(id))
            .count()
            .get_result(conn)?;
        out.push(LinkSummary {
            id,
            created_at,
            revoked_at,
            expires_at,
            candidates,
            current_address: current.as_deref() == Some(hash.as_str()),
        });
    }
    Ok(out)
}

/// Revokes a link of an order the user's centre owns: every token of it answers 410 from now.
pub fn revoke(
    conn: &mut DbConn,
    user: &AuthUser,
    order_id: JobOrderId,
    link_id: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    orders::load_owned(conn, user, order_id)?;
    let revoked: Option<NaiveDateTime> = employer_links::table
        .filter(employer_links::id.eq(link_id))
        .filter(employer_links::order_id.eq(order_id))
        .select(employer_links::revoked_at)
        .first(conn)?;
    if revoked.is_some() {
        return Err(AppError::Conflict("the employer link is already revoked".into()));
    }
    diesel::update(employer_links::table.find(link_id))
        .set((
            employer_links::revoked_at.eq(Some(now)),
            employer_links::revoked_by.eq(Some(user.id.0)),
        ))
        .execute(conn)?;
    let tokens = diesel::update(
        employer_link_tokens::table
            .filter(employer_link_tokens::link_id.eq(link_id))
            .filter(employer_link_tokens::revoked_at.is_null()),
    )
    .set(employer_link_tokens::revoked_at.eq(Some(now)))
    .execute(conn)?;
    audit::record(
        conn,
        Some(user),
        "job_order",
        order_id.0,
        "employer_link_revoked",
        json!({ "employer_link_id": link_id, "tokens": tokens }),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b), "{a}");
        // 43 base64 characters carry 256 bits.
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), TOKEN_BYTES);
    }

    #[test]
    fn only_hashes_are_stored_and_addresses_match_in_any_case() {
        let t = new_token();
        assert_ne!(token_hash(&t), t);
        assert_eq!(token_hash(&t), token_hash(&t));
        assert_eq!(email_hash(" HR@Kantinen.dk"), email_hash("hr@kantinen.dk"));
        assert_ne!(email_hash("hr@kantinen.dk"), email_hash("hr@other.dk"));
    }

    #[test]
    fn malformed_tokens_are_refused_before_any_query() {
        for t in [
            "",
            "x",
            "../../etc",
            &"a".repeat(42),
            &"a".repeat(44),
            &format!("{}=", "a".repeat(42)),
        ] {
            assert!(!well_formed(t), "{t}");
        }
    }
}
