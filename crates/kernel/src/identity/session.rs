//! Sessions in the database (so any replica serves any request), cookies and CSRF tokens.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

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
    sqlx::query(
        "INSERT INTO sessions (id_hash, kind, subject_id, created_at, last_seen_at, expires_at, ip) VALUES ($1, $2, $3, $4, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(kind)
    .bind(subject_id)
    .bind(now)
    .bind(now + ABSOLUTE_MS)
    .bind(ip)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The live session for `token`, or `None` if unknown, idle too long or past its absolute end.
pub async fn lookup(db: &Db, token: &str) -> sqlx::Result<Option<SessionRow>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT id_hash, kind, subject_id, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => live(db, session_row(&r)?).await,
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

/// The session for `token` with who holds it (staff member or citizen), in one query: this runs
/// on every signed-in request. It is the one place outside `people` that reads `citizens`
/// (the four name and contact columns, for the display name): a second query per request cost
/// about a fifth of the booking surge's throughput (docs/benchmarks.md). Not yet checked for
/// liveness (see [`live`]).
pub async fn lookup_with_holder(db: &Db, token: &str) -> sqlx::Result<Option<SessionWithHolder>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT s.id_hash, s.kind, s.subject_id, s.created_at, s.last_seen_at, s.expires_at, \
         u.email AS u_email, u.display_name AS u_name, u.roles AS u_roles, u.status AS u_status, \
         c.id AS c_id, c.name_en AS c_en, c.name_zh AS c_zh, c.email AS c_email, c.phone AS c_phone \
         FROM sessions s \
         LEFT JOIN staff_users u ON s.kind = 'staff' AND u.id = s.subject_id \
         LEFT JOIN citizens c ON s.kind <> 'staff' AND c.id = s.subject_id \
         WHERE s.id_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let text = |col: &str| -> sqlx::Result<String> { Ok(r.try_get::<Option<String>, _>(col)?.unwrap_or_default()) };
    let holder = if let Some(status) = r.try_get::<Option<String>, _>("u_status")? {
        Holder::Staff(text("u_email")?, text("u_name")?, text("u_roles")?, status)
    } else if r.try_get::<Option<String>, _>("c_id")?.is_some() {
        Holder::Citizen(crate::people::display_name(
            &text("c_en")?,
            &text("c_zh")?,
            r.try_get("c_email")?,
            r.try_get("c_phone")?,
        ))
    } else {
        Holder::Gone
    };
    Ok(Some(SessionWithHolder { session: session_row(&r)?, holder }))
}

/// The session columns of a row (`id_hash, kind, subject_id, created_at, last_seen_at,
/// expires_at`), e.g. of a query that also joins who the session belongs to.
pub fn session_row(r: &sqlx::any::AnyRow) -> sqlx::Result<SessionRow> {
    Ok(SessionRow {
        id_hash: r.try_get("id_hash")?,
        kind: r.try_get("kind")?,
        subject_id: r.try_get("subject_id")?,
        created_at: r.try_get("created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        expires_at: r.try_get("expires_at")?,
    })
}

/// The session if it is still live: an idle or expired one is deleted; a live one has its
/// `last_seen_at` refreshed (at most once a minute).
pub async fn live(db: &Db, s: SessionRow) -> sqlx::Result<Option<SessionRow>> {
    let now = crate::now_ms();
    if now >= s.expires_at || now - s.last_seen_at >= IDLE_MS {
        db.write(sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&s.id_hash)).await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= TOUCH_EVERY_MS {
        db.write(sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(&s.id_hash))
            .await?;
    }
    Ok(Some(s))
}

pub async fn destroy(db: &Db, token: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(token_hash(token)).execute(db.pool()).await?;
    Ok(())
}

/// Ends every session of a person (role change, account disabled).
pub async fn destroy_all_for(tx: &mut Tx, subject_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE subject_id = $1")
        .bind(subject_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
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
