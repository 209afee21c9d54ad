//! SQL of the disease catalogue.

use kernel::db::{Db, Tx, list_placeholders};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow, Row};

use super::{Detection, Disease, FormField};
use crate::store::flag;

fn split_codes(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

const DISEASE_COLUMNS: &str = "code, name_en, name_zh, icd10, icd10_other, snomed, case_definition_en, case_definition_zh, \
    notify_within, immediate_phone, episode_days, incubation_max_days, person_to_person, form_fields, detection, note, active, \
    origin, version, updated_by, updated_at";

impl FromRow<'_, AnyRow> for Disease {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        let fields: String = r.try_get("form_fields")?;
        let detection: String = r.try_get("detection")?;
        Ok(Disease {
            code: r.try_get("code")?,
            name_en: r.try_get("name_en")?,
            name_zh: r.try_get("name_zh")?,
            icd10: r.try_get("icd10")?,
            icd10_other: split_codes(&r.try_get::<String, _>("icd10_other")?),
            snomed: split_codes(&r.try_get::<String, _>("snomed")?),
            case_definition_en: r.try_get("case_definition_en")?,
            case_definition_zh: r.try_get("case_definition_zh")?,
            notify_within: r.try_get("notify_within")?,
            immediate_phone: r.try_get::<i64, _>("immediate_phone")? == 1,
            episode_days: r.try_get("episode_days")?,
            incubation_max_days: r.try_get("incubation_max_days")?,
            person_to_person: r.try_get::<i64, _>("person_to_person")? == 1,
            form_fields: serde_json::from_str::<Vec<FormField>>(&fields).map_err(|e| sqlx::Error::Decode(e.into()))?,
            detection: serde_json::from_str::<Detection>(&detection).map_err(|e| sqlx::Error::Decode(e.into()))?,
            note: r.try_get("note")?,
            active: r.try_get::<i64, _>("active")? == 1,
            origin: r.try_get("origin")?,
            version: r.try_get("version")?,
            updated_by: r.try_get("updated_by")?,
            updated_at: r.try_get("updated_at")?,
        })
    }
}

/// Binds a disease's content, `$1` to `$17` (code to active): what an insert and an update share.
fn bind_content<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    d: &'q Disease,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(&d.code)
        .bind(&d.name_en)
        .bind(&d.name_zh)
        .bind(&d.icd10)
        .bind(d.icd10_other.join(","))
        .bind(d.snomed.join(","))
        .bind(&d.case_definition_en)
        .bind(&d.case_definition_zh)
        .bind(&d.notify_within)
        .bind(flag(d.immediate_phone))
        .bind(d.episode_days)
        .bind(d.incubation_max_days)
        .bind(flag(d.person_to_person))
        .bind(serde_json::to_string(&d.form_fields).unwrap_or_else(|_| "[]".into()))
        .bind(serde_json::to_string(&d.detection).unwrap_or_else(|_| "{}".into()))
        .bind(&d.note)
        .bind(flag(d.active))
}

/// Binds a whole row in `DISEASE_COLUMNS` order: the content, then origin, version, by and at.
fn bind_disease<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    d: &'q Disease,
    by: &'q str,
    at: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    bind_content(q, d).bind(&d.origin).bind(d.version).bind(by).bind(at)
}

/// Adds the reference diseases that are missing; never overwrites a steward's edits.
pub async fn seed_reference(db: &Db, diseases: &[Disease]) -> sqlx::Result<u64> {
    let mut tx = db.begin().await?;
    let mut n = 0;
    for d in diseases {
        let q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_diseases ({DISEASE_COLUMNS}) VALUES ({}) ON CONFLICT (code) DO NOTHING",
            list_placeholders(1, 21)
        )));
        n += bind_disease(q, d, "reference", kernel::now_ms()).execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(n)
}

pub async fn diseases(db: &Db) -> sqlx::Result<Vec<Disease>> {
    let rows =
        sqlx::query(AssertSqlSafe(format!("SELECT {DISEASE_COLUMNS} FROM protection_diseases ORDER BY name_en")))
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(Disease::from_row).collect()
}

pub async fn disease(db: &Db, code: &str) -> sqlx::Result<Option<Disease>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {DISEASE_COLUMNS} FROM protection_diseases WHERE code = $1")))
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(Disease::from_row).transpose()
}

pub async fn insert_disease(tx: &mut Tx, d: &Disease, by: &str) -> sqlx::Result<bool> {
    let q = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO protection_diseases ({DISEASE_COLUMNS}) VALUES ({}) ON CONFLICT (code) DO NOTHING",
        list_placeholders(1, 21)
    )));
    Ok(bind_disease(q, d, by, kernel::now_ms()).execute(&mut **tx).await?.rows_affected() == 1)
}

/// Saves version `d.version` over `d.version - 1`; false when the stored version is another.
pub async fn update_disease(tx: &mut Tx, d: &Disease, by: &str) -> sqlx::Result<bool> {
    let q = sqlx::query(
        "UPDATE protection_diseases SET name_en = $2, name_zh = $3, icd10 = $4, icd10_other = $5, snomed = $6, \
         case_definition_en = $7, case_definition_zh = $8, notify_within = $9, immediate_phone = $10, episode_days = $11, \
         incubation_max_days = $12, person_to_person = $13, form_fields = $14, detection = $15, note = $16, active = $17, \
         version = $18, updated_by = $19, updated_at = $20 WHERE code = $1 AND version = $21",
    );
    let q = bind_content(q, d).bind(d.version).bind(by).bind(kernel::now_ms()).bind(d.version - 1);
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}
