//! Licences' SQL.

use kernel::db::Tx;

use super::{Licence, LicenceEvent};

const COLS: &str = "id, number, type_code, premises_id, licensee_id, responsible_register, responsible_number, \
status, provisional, conditions, issued_on, expires_on, case_ref, revision, updated_at";

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Licence>> {
    let sql = format!("SELECT {COLS} FROM reg_licences WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Licence>> {
    let sql = format!("SELECT {COLS} FROM reg_licences WHERE id = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await
}

pub async fn by_number(db: &kernel::Db, number: &str) -> sqlx::Result<Option<Licence>> {
    let sql = format!("SELECT {COLS} FROM reg_licences WHERE number = $1");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(db.pool()).await
}

pub async fn of_premises(db: &kernel::Db, premises: &str) -> sqlx::Result<Vec<Licence>> {
    let sql = format!("SELECT {COLS} FROM reg_licences WHERE premises_id = $1 ORDER BY issued_on DESC");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(premises).fetch_all(db.pool()).await
}

/// The licences held by licensees that `account` acts for.
pub async fn of_account(db: &kernel::Db, account: &str) -> sqlx::Result<Vec<Licence>> {
    let cols = COLS.split(", ").map(|c| format!("l.{c}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols} FROM reg_licences l JOIN reg_licensees e ON e.id = l.licensee_id WHERE e.account = $1 \
         ORDER BY l.expires_on"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(account).fetch_all(db.pool()).await
}

/// Active licences expiring on or before `day` (YYYY-MM-DD), soonest first.
pub async fn active_expiring_by(db: &kernel::Db, day: &str, limit: i64) -> sqlx::Result<Vec<Licence>> {
    let sql = format!(
        "SELECT {COLS} FROM reg_licences WHERE status = 'active' AND expires_on <= $1 ORDER BY expires_on LIMIT $2"
    );
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(day).bind(limit).fetch_all(db.pool()).await
}

pub async fn insert(tx: &mut Tx, l: &Licence) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_licences (id, number, type_code, premises_id, licensee_id, responsible_register, \
         responsible_number, status, provisional, conditions, issued_on, expires_on, case_ref, revision, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&l.id)
    .bind(&l.number)
    .bind(&l.type_code)
    .bind(&l.premises_id)
    .bind(&l.licensee_id)
    .bind(&l.responsible_register)
    .bind(&l.responsible_number)
    .bind(&l.status)
    .bind(l.provisional)
    .bind(&l.conditions)
    .bind(&l.issued_on)
    .bind(&l.expires_on)
    .bind(&l.case_ref)
    .bind(l.revision)
    .bind(l.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a licence's changeable fields only if its revision is still `revision` (false if
/// someone changed it meanwhile); the revision goes up by one.
pub async fn update(tx: &mut Tx, l: &Licence, revision: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_licences SET status = $1, provisional = $2, conditions = $3, expires_on = $4, \
         responsible_register = $5, responsible_number = $6, premises_id = $7, revision = revision + 1, updated_at = $8 \
         WHERE id = $9 AND revision = $10",
    )
    .bind(&l.status)
    .bind(l.provisional)
    .bind(&l.conditions)
    .bind(&l.expires_on)
    .bind(&l.responsible_register)
    .bind(&l.responsible_number)
    .bind(&l.premises_id)
    .bind(l.updated_at)
    .bind(&l.id)
    .bind(revision)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_event(tx: &mut Tx, e: &LicenceEvent) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO reg_licence_events (id, licence_id, action, from_status, to_status, reason, legal_basis, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&e.id)
    .bind(&e.licence_id)
    .bind(&e.action)
    .bind(&e.from_status)
    .bind(&e.to_status)
    .bind(&e.reason)
    .bind(&e.legal_basis)
    .bind(&e.actor)
    .bind(e.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn events(db: &kernel::Db, licence: &str) -> sqlx::Result<Vec<LicenceEvent>> {
    sqlx::query_as(
        "SELECT id, licence_id, action, from_status, to_status, reason, legal_basis, actor, at \
         FROM reg_licence_events WHERE licence_id = $1 ORDER BY at, id",
    )
    .bind(licence)
    .fetch_all(db.pool())
    .await
}

/// Whether a responsible person already answers for a licence other than `except`.
pub async fn responsible_elsewhere(
    db: &kernel::Db,
    register: &str,
    number: &str,
    except: Option<&str>,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT number FROM reg_licences WHERE responsible_register = $1 AND responsible_number = $2 \
         AND status IN ('active', 'suspended') AND id <> $3 LIMIT 1",
    )
    .bind(register)
    .bind(number)
    .bind(except.unwrap_or(""))
    .fetch_optional(db.pool())
    .await
}

/// A proposal that needs a second officer.
#[derive(Clone, Debug, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct Proposal {
    pub id: String,
    pub licence_id: String,
    pub action: String,
    pub reason: String,
    pub legal_basis: String,
    pub proposed_by: String,
    pub proposed_at: i64,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
}

/// Records a proposal; false when the licence already has a pending one.
pub async fn insert_proposal(tx: &mut Tx, p: &Proposal) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO reg_licence_proposals (id, licence_id, action, reason, legal_basis, proposed_by, proposed_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') ON CONFLICT DO NOTHING",
    )
    .bind(&p.id)
    .bind(&p.licence_id)
    .bind(&p.action)
    .bind(&p.reason)
    .bind(&p.legal_basis)
    .bind(&p.proposed_by)
    .bind(p.proposed_at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn pending_proposal(db: &kernel::Db, licence: &str) -> sqlx::Result<Option<Proposal>> {
    sqlx::query_as(
        "SELECT id, licence_id, action, reason, legal_basis, proposed_by, proposed_at, status, decided_by, decided_at \
         FROM reg_licence_proposals WHERE licence_id = $1 AND status = 'pending'",
    )
    .bind(licence)
    .fetch_optional(db.pool())
    .await
}

/// Decides a pending proposal (once: false if it was decided meanwhile).
pub async fn decide_proposal(tx: &mut Tx, id: &str, status: &str, by: &str, at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE reg_licence_proposals SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'pending'",
    )
    .bind(status)
    .bind(by)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records that a reminder went out; false when it already had.
pub async fn insert_reminder(tx: &mut Tx, licence: &str, expires_on: &str, days: i64, at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO reg_renewal_reminders (licence_id, expires_on, days, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (licence_id, expires_on, days) DO NOTHING",
    )
    .bind(licence)
    .bind(expires_on)
    .bind(days)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Active licences expiring exactly on one of `days` (YYYY-MM-DD each).
pub async fn active_expiring_on(db: &kernel::Db, days: &[String]) -> sqlx::Result<Vec<Licence>> {
    let marks: Vec<String> = (1..=days.len()).map(|i| format!("${i}")).collect();
    let sql =
        format!("SELECT {COLS} FROM reg_licences WHERE status = 'active' AND expires_on IN ({})", marks.join(", "));
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for d in days {
        q = q.bind(d);
    }
    q.fetch_all(db.pool()).await
}

/// The account that acts for a licence's licensee.
pub async fn account_of(tx: &mut Tx, licence: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar::<_, Option<String>>(
        "SELECT e.account FROM reg_licences l JOIN reg_licensees e ON e.id = l.licensee_id WHERE l.id = $1",
    )
    .bind(licence)
    .fetch_optional(&mut **tx)
    .await
    .map(Option::flatten)
}
