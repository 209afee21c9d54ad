//! Sessions in the database (so any replica serves any request), cookies and CSRF tokens.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
mod store;

use crate::db::{Db, Tx};

pub const SESSION_COOKIE: &str = "phos_session";
pub const CSRF_COOKIE: &str = "phos_csrf";

/// Idle and absolute lifetimes.
pub const IDLE_MS: i64 = 30 * 60 * 1000;
pub const ABSOLUTE_MS: i64 = 12 * 60 * 60 * 1000;
/// `last_seen_at` is refreshed at most this often, to keep reads cheap.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Clone, Debug)]
pub struct SessionRow {
    pub id_hash: String,
    pub kind: String,
    pub subject_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// Creates a session and returns its token (only its hash is stored).
pub async fn create(tx: &mut Tx, kind: &str, subject_id: &str, ip: &str) -> sqlx::Result<String> {
    let token = random_token();
    let now = crate::now_ms();
    store::insert(tx, &token_hash(&token), kind, subject_id, now, now + ABSOLUTE_MS, ip).await?;
    Ok(token)
}

/// The live session for `token`, or `None` if unknown, idle too long or past its absolute end.
pub async fn lookup(db: &Db, token: &str) -> sqlx::Result<Option<SessionRow>> {
    if token.len() != 64 {
        return Ok(None);
    }
    match store::by_hash(db, &token_hash(token)).await? {
        Some(s) => live(db, s).await,
        None => Ok(None),
    }
}

/// Who holds a session, as the session lookup finds them.
#[derive(Debug)]
pub enum Holder {
    /// `(email, display name, roles, status)` of the staff member.
    Staff(String, String, String, String),
    /// The citizen's display name (see [`crate::people::display_name`]).
    Citizen(String),
    /// The account is gone.
    Gone,
}

#[derive(Debug)]
pub struct SessionWithHolder {
    pub session: SessionRow,
    pub holder: Holder,
}

/// The session for `token` with who holds it (staff member or citizen), in one query
/// (`store::with_holder`: it runs on every signed-in request, so it stays one joined query).
/// Not yet checked for liveness (see [`live`]).
pub async fn lookup_with_holder(db: &Db, token: &str) -> sqlx::Result<Option<SessionWithHolder>> {
    if token.len() != 64 {
        return Ok(None);
    }
    store::with_holder(db, &token_hash(token)).await
}

/// The session if it is still live: an idle or expired one is deleted; a live one has its
/// `last_seen_at` refreshed (at most once a minute).
pub async fn live(db: &Db, s: SessionRow) -> sqlx::Result<Option<SessionRow>> {
    let now = crate::now_ms();
    if now >= s.expires_at || now - s.last_seen_at >= IDLE_MS {
        store::delete(db, &s.id_hash).await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= TOUCH_EVERY_MS {
        store::touch(db, &s.id_hash, now).await?;
    }
    Ok(Some(s))
}

pub async fn destroy(db: &Db, token: &str) -> sqlx::Result<()> {
    store::delete_unqueued(db, &token_hash(token)).await
}

/// Deletes the sessions past their absolute end (run by the daily prune); returns how many.
pub async fn prune(db: &Db) -> sqlx::Result<u64> {
    store::delete_expired(db, crate::now_ms()).await
}

/// Ends every session of a person (role change, account disabled).
pub async fn destroy_all_for(tx: &mut Tx, subject_id: &str) -> sqlx::Result<u64> {
    store::delete_all_for(tx, subject_id).await
}

/// The CSRF token bound to a session (or, before sign-in, to the CSRF cookie).
pub fn csrf_token(key: &[u8], binding: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(b"csrf:");
    mac.update(binding.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of two tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_bound() {
        let a = csrf_token(b"k", "session-1");
        assert_eq!(a, csrf_token(b"k", "session-1"));
        assert_ne!(a, csrf_token(b"k", "session-2"));
        assert_ne!(a, csrf_token(b"other", "session-1"));
        assert!(same_token(&a, &a.clone()));
        assert!(!same_token(&a, &a[1..]));
    }

    #[test]
    fn cookies() {
        use crate::web::cookie::{set_cookie as cookie, value as cookie_value};
        assert_eq!(cookie("phos_session", "abc", None, false), "phos_session=abc; Path=/; HttpOnly; SameSite=Lax");
        assert!(cookie("x", "", Some(0), true).ends_with("Max-Age=0; Secure"));
        let mut h = axum::http::HeaderMap::new();
        h.insert("cookie", "a=1; phos_session=tok; b=2".parse().unwrap());
        assert_eq!(cookie_value(&h, "phos_session").as_deref(), Some("tok"));
        assert_eq!(cookie_value(&h, "nope"), None);
    }
}
