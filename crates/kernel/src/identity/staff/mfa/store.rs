//! The SQL of staff second factors: TOTP secrets, recovery codes and pending sign-ins, and
//! nothing else.

use sqlx::Row;

use crate::db::{Db, Tx};

/// A member of staff's TOTP enrolment.
#[derive(Clone, Debug)]
pub struct Totp {
    pub secret: String,
    pub confirmed_at: Option<i64>,
    pub last_step: Option<i64>,
}

pub async fn totp(db: &Db, staff_id: &str) -> sqlx::Result<Option<Totp>> {
    let row = sqlx::query("SELECT secret, confirmed_at, last_step FROM staff_totp WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_optional(db.pool())
        .await?;
    row.map(|r| {
        Ok(Totp {
            secret: r.try_get("secret")?,
            confirmed_at: r.try_get("confirmed_at")?,
            last_step: r.try_get("last_step")?,
        })
    })
    .transpose()
}

/// Stores a new unconfirmed secret unless one is already pending or confirmed; returns the
/// stored enrolment.
pub async fn begin(tx: &mut Tx, staff_id: &str, secret: &str) -> sqlx::Result<Totp> {
    sqlx::query(
        "INSERT INTO staff_totp (staff_id, secret, created_at) VALUES ($1, $2, $3) ON CONFLICT (staff_id) DO NOTHING",
    )
    .bind(staff_id)
    .bind(secret)
    .bind(crate::now_ms())
    .execute(&mut **tx)
    .await?;
    let r = sqlx::query("SELECT secret, confirmed_at, last_step FROM staff_totp WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Totp {
        secret: r.try_get("secret")?,
        confirmed_at: r.try_get("confirmed_at")?,
        last_step: r.try_get("last_step")?,
    })
}

/// Uses the code of `step`: only if no code of this or a later step was used before (one
/// statement, so two requests cannot both use it). Confirms a pending enrolment. True when used.
pub async fn use_step(tx: &mut Tx, staff_id: &str, step: i64) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE staff_totp SET last_step = $1, confirmed_at = COALESCE(confirmed_at, $2) \
         WHERE staff_id = $3 AND (last_step IS NULL OR last_step < $1)",
    )
    .bind(step)
    .bind(crate::now_ms())
    .bind(staff_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Replaces the recovery codes (stored as hashes).
pub async fn replace_recovery_codes(tx: &mut Tx, staff_id: &str, hashes: &[String]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    let now = crate::now_ms();
    for h in hashes {
        sqlx::query("INSERT INTO staff_recovery_codes (id, staff_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(crate::new_id())
            .bind(staff_id)
            .bind(h)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Uses a recovery code once. True when it was unused.
pub async fn use_recovery_code(tx: &mut Tx, staff_id: &str, hash: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE staff_recovery_codes SET used_at = $1 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(crate::now_ms())
    .bind(staff_id)
    .bind(hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n >= 1)
}

/// Unused recovery codes left.
pub async fn recovery_codes_left(db: &Db, staff_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL")
        .bind(staff_id)
        .fetch_one(db.pool())
        .await
}

/// Removes a member of staff's second factor and recovery codes. True when there was one.
pub async fn reset(tx: &mut Tx, staff_id: &str) -> sqlx::Result<bool> {
    sqlx::query("DELETE FROM staff_recovery_codes WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    sqlx::query("DELETE FROM staff_mfa_challenges WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    let n = sqlx::query("DELETE FROM staff_totp WHERE staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    Ok(n.rows_affected() == 1)
}

/// Seeds a confirmed secret (the demo's known one); leaves an existing enrolment alone.
pub async fn seed_confirmed(tx: &mut Tx, staff_id: &str, secret: &str) -> sqlx::Result<()> {
    let now = crate::now_ms();
    sqlx::query(
        "INSERT INTO staff_totp (staff_id, secret, confirmed_at, created_at) VALUES ($1, $2, $3, $3) \
         ON CONFLICT (staff_id) DO NOTHING",
    )
    .bind(staff_id)
    .bind(secret)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A password-checked sign-in waiting for its second factor.
#[derive(Clone, Debug)]
pub struct Challenge {
    pub staff_id: String,
    pub next: String,
}

pub async fn create_challenge(
    tx: &mut Tx,
    token_hash: &str,
    staff_id: &str,
    next: &str,
    ttl_ms: i64,
) -> sqlx::Result<()> {
    let now = crate::now_ms();
    sqlx::query(
        "INSERT INTO staff_mfa_challenges (token_hash, staff_id, next_path, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(staff_id)
    .bind(next)
    .bind(now + ttl_ms)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn challenge(db: &Db, token_hash: &str) -> sqlx::Result<Option<Challenge>> {
    let row =
        sqlx::query("SELECT staff_id, next_path FROM staff_mfa_challenges WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash)
            .bind(crate::now_ms())
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| Ok(Challenge { staff_id: r.try_get("staff_id")?, next: r.try_get("next_path")? })).transpose()
}

/// Ends a challenge (and any expired ones).
pub async fn end_challenge(tx: &mut Tx, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM staff_mfa_challenges WHERE token_hash = $1 OR expires_at <= $2")
        .bind(token_hash)
        .bind(crate::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
