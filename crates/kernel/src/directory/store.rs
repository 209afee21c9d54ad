//! SQL of `service_points`.

use sqlx::{AssertSqlSafe, Row};

use super::ServicePoint;
use crate::db::{Db, Tx};

/// Inserts service points that are not there yet (by code). Returns how many were new.
pub async fn upsert_service_points(tx: &mut Tx, points: &[ServicePoint]) -> sqlx::Result<u64> {
    let mut n = 0;
    for p in points {
        n += sqlx::query(
            "INSERT INTO service_points (id, code, kind, name_en, name_zh, district, address_en, address_zh, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO NOTHING",
        )
        .bind(crate::new_id())
        .bind(&p.code)
        .bind(&p.kind)
        .bind(&p.name_en)
        .bind(&p.name_zh)
        .bind(&p.district)
        .bind(&p.address_en)
        .bind(&p.address_zh)
        .bind(crate::now_ms())
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}

const COLUMNS: &str = "code, kind, name_en, name_zh, district, address_en, address_zh";

/// Service points, optionally filtered by district and kind, ordered by district then name.
pub async fn service_points(db: &Db, district: Option<&str>, kind: Option<&str>) -> sqlx::Result<Vec<ServicePoint>> {
    sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM service_points \
         WHERE ($1 IS NULL OR district = $1) AND ($2 IS NULL OR kind = $2) ORDER BY district, kind, name_en"
    )))
    .bind(district)
    .bind(kind)
    .fetch_all(db.pool())
    .await
}

/// One service point by code.
pub async fn service_point(db: &Db, code: &str) -> sqlx::Result<Option<ServicePoint>> {
    sqlx::query_as(AssertSqlSafe(format!("SELECT {COLUMNS} FROM service_points WHERE code = $1")))
        .bind(code)
        .fetch_optional(db.pool())
        .await
}

/// How many service points there are.
pub async fn count_service_points(db: &Db) -> sqlx::Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM service_points").fetch_one(db.pool()).await?.try_get("n")
}
