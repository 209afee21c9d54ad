//! Premises' SQL.

use kernel::db::Tx;

use super::Premises;

const COLS: &str = "id, name_en, name_zh, address_en, address_zh, district, lat, lon, volume, created_at";

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Premises>> {
    let sql = format!("SELECT {COLS} FROM reg_premises WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Premises>> {
    let sql = format!("SELECT {COLS} FROM reg_premises WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await
}

pub async fn insert(tx: &mut Tx, p: &Premises) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_premises (id, name_en, name_zh, address_en, address_zh, district, lat, lon, volume, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&p.id)
    .bind(&p.name_en)
    .bind(&p.name_zh)
    .bind(&p.address_en)
    .bind(&p.address_zh)
    .bind(&p.district)
    .bind(p.lat)
    .bind(p.lon)
    .bind(p.volume)
    .bind(p.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn count(db: &kernel::Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM reg_premises").fetch_one(db.pool()).await
}

pub async fn insert_licensee(tx: &mut Tx, l: &super::Licensee) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_licensees (id, kind, name_en, name_zh, br_number, account, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&l.id)
    .bind(&l.kind)
    .bind(&l.name_en)
    .bind(&l.name_zh)
    .bind(&l.br_number)
    .bind(&l.account)
    .bind(l.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn licensee(db: &kernel::Db, id: &str) -> sqlx::Result<Option<super::Licensee>> {
    sqlx::query_as("SELECT id, kind, name_en, name_zh, br_number, account, created_at FROM reg_licensees WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

pub async fn insert_professional(tx: &mut Tx, p: &super::Professional) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_professionals (register, number, name_en, name_zh, status) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (register, number) DO NOTHING",
    )
    .bind(&p.register)
    .bind(&p.number)
    .bind(&p.name_en)
    .bind(&p.name_zh)
    .bind(&p.status)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn professional(db: &kernel::Db, register: &str, number: &str) -> sqlx::Result<Option<super::Professional>> {
    sqlx::query_as(
        "SELECT register, number, name_en, name_zh, status FROM reg_professionals WHERE register = $1 AND number = $2",
    )
    .bind(register)
    .bind(number)
    .fetch_optional(db.pool())
    .await
}
