//! Licence types' SQL.

use kernel::db::Tx;

use super::LicenceType;

#[derive(sqlx::FromRow)]
struct Row {
    code: String,
    name_en: String,
    name_zh: String,
    ordinance: String,
    definition: String,
}

fn decode(r: Row) -> sqlx::Result<LicenceType> {
    let definition = serde_json::from_str(&r.definition).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(LicenceType {
        code: r.code,
        name: super::Text { en: r.name_en, zh: r.name_zh },
        ordinance: r.ordinance,
        definition,
    })
}

const COLS: &str = "code, name_en, name_zh, ordinance, definition";

/// Every licence type, by code.
pub async fn all(db: &kernel::Db) -> sqlx::Result<Vec<LicenceType>> {
    let sql = format!("SELECT {COLS} FROM reg_licence_types ORDER BY code");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).fetch_all(db.pool()).await?.into_iter().map(decode).collect()
}

pub async fn get(db: &kernel::Db, code: &str) -> sqlx::Result<Option<LicenceType>> {
    let sql = format!("SELECT {COLS} FROM reg_licence_types WHERE code = $1");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(db.pool())
        .await?
        .map(decode)
        .transpose()
}

/// Adds a licence type unless one with its code exists (never overwrites staff edits).
pub async fn insert_missing(tx: &mut Tx, t: &LicenceType, now: i64) -> sqlx::Result<bool> {
    let definition = serde_json::to_string(&t.definition).unwrap_or_else(|_| "{}".into());
    let r = sqlx::query(
        "INSERT INTO reg_licence_types (code, name_en, name_zh, ordinance, definition, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
    )
    .bind(&t.code)
    .bind(&t.name.en)
    .bind(&t.name.zh)
    .bind(&t.ordinance)
    .bind(definition)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

/// Replaces a licence type's definition (staff edit).
pub async fn update(tx: &mut Tx, t: &LicenceType, now: i64) -> sqlx::Result<bool> {
    let definition = serde_json::to_string(&t.definition).unwrap_or_else(|_| "{}".into());
    let r = sqlx::query(
        "UPDATE reg_licence_types SET name_en = $1, name_zh = $2, ordinance = $3, definition = $4, updated_at = $5 \
         WHERE code = $6",
    )
    .bind(&t.name.en)
    .bind(&t.name.zh)
    .bind(&t.ordinance)
    .bind(definition)
    .bind(now)
    .bind(&t.code)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() > 0)
}

pub async fn get_in(tx: &mut Tx, code: &str) -> sqlx::Result<Option<LicenceType>> {
    let sql = format!("SELECT {COLS} FROM reg_licence_types WHERE code = $1");
    sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(&mut **tx)
        .await?
        .map(decode)
        .transpose()
}
