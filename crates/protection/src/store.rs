//! SQL shared by the sub-domains: reference-number counters and 0/1 flags.

use kernel::db::Tx;

pub(crate) fn flag(b: bool) -> i64 {
    b as i64
}

pub(crate) fn opt_flag(b: Option<bool>) -> Option<i64> {
    b.map(flag)
}

/// Takes `n` numbers from the counter `name`; returns the last one (the first is `last - n + 1`).
pub async fn take_numbers(tx: &mut Tx, name: &str, n: i64) -> sqlx::Result<i64> {
    sqlx::query("INSERT INTO protection_counters (name, value) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    sqlx::query_scalar("UPDATE protection_counters SET value = value + $2 WHERE name = $1 RETURNING value")
        .bind(name)
        .bind(n)
        .fetch_one(&mut **tx)
        .await
}
