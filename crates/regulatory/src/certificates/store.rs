//! Certificate keys' SQL.

use kernel::db::Tx;

/// A signing key as stored.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct KeyRow {
    pub kid: String,
    /// Hex of the 32-byte public key.
    pub public_key: String,
    /// Hex of the wrapped 32-byte seed ("" once removed).
    pub private_key: String,
    /// 1 for the key that signs, else NULL.
    pub signing: Option<i64>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub removed_at: Option<i64>,
}

const COLS: &str = "kid, public_key, private_key, signing, created_at, retired_at, removed_at";

/// Every key, newest first (removed ones too).
pub async fn all(db: &kernel::Db) -> sqlx::Result<Vec<KeyRow>> {
    let sql = format!("SELECT {COLS} FROM reg_cert_keys ORDER BY created_at DESC, kid");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await
}

/// The keys that are published (not removed), newest first.
pub async fn published(db: &kernel::Db) -> sqlx::Result<Vec<KeyRow>> {
    let sql = format!("SELECT {COLS} FROM reg_cert_keys WHERE removed_at IS NULL ORDER BY created_at DESC, kid");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await
}

/// The key that signs, if any.
pub async fn signing(db: &kernel::Db) -> sqlx::Result<Option<KeyRow>> {
    let sql = format!("SELECT {COLS} FROM reg_cert_keys WHERE signing = 1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_optional(db.pool()).await
}

pub async fn get_in(tx: &mut Tx, kid: &str) -> sqlx::Result<Option<KeyRow>> {
    let sql = format!("SELECT {COLS} FROM reg_cert_keys WHERE kid = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(kid).fetch_optional(&mut **tx).await
}

/// Inserts a signing key unless another key signs already (the unique `signing` column):
/// whether it was inserted.
pub async fn insert_signing_if_none(tx: &mut Tx, k: &KeyRow) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO reg_cert_keys (kid, public_key, private_key, signing, created_at) VALUES ($1, $2, $3, 1, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(&k.kid)
    .bind(&k.public_key)
    .bind(&k.private_key)
    .bind(k.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Retires the key that signs (it stays published): the kid it had, if any.
pub async fn retire_signing(tx: &mut Tx, now: i64) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("UPDATE reg_cert_keys SET signing = NULL, retired_at = $1 WHERE signing = 1 RETURNING kid")
        .bind(now)
        .fetch_optional(&mut **tx)
        .await
}

/// Stops publishing a retired key and forgets its private part: whether it was done.
pub async fn remove(tx: &mut Tx, kid: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_cert_keys SET removed_at = $1, private_key = '' \
         WHERE kid = $2 AND signing IS NULL AND removed_at IS NULL",
    )
    .bind(now)
    .bind(kid)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
