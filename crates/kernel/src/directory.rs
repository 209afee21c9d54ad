//! The Department of Health's service points and the citizen register (identity details arrive
//! with the trust issue; the demo seeds synthetic citizens here).

use serde::{Deserialize, Serialize};
use sqlx::Row;
use utoipa::ToSchema;

use crate::db::{Db, Tx, values_placeholders};

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ServicePoint {
    pub code: String,
    /// `dental`, `ehc` (Elderly Health Centre), `mchc` (Maternal and Child Health Centre) or `vaccination`.
    pub kind: String,
    pub name_en: String,
    pub name_zh: String,
    /// District code.
    pub district: String,
    pub address_en: String,
    pub address_zh: String,
}

pub const KINDS: [&str; 4] = ["dental", "ehc", "mchc", "vaccination"];

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

/// Service points, optionally filtered by district and kind, ordered by district then name.
pub async fn service_points(db: &Db, district: Option<&str>, kind: Option<&str>) -> sqlx::Result<Vec<ServicePoint>> {
    let rows = sqlx::query(
        "SELECT code, kind, name_en, name_zh, district, address_en, address_zh FROM service_points \
         WHERE ($1 IS NULL OR district = $1) AND ($2 IS NULL OR kind = $2) ORDER BY district, kind, name_en",
    )
    .bind(district)
    .bind(kind)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ServicePoint {
                code: r.try_get("code")?,
                kind: r.try_get("kind")?,
                name_en: r.try_get("name_en")?,
                name_zh: r.try_get("name_zh")?,
                district: r.try_get("district")?,
                address_en: r.try_get("address_en")?,
                address_zh: r.try_get("address_zh")?,
            })
        })
        .collect()
}

/// One service point by code.
pub async fn service_point(db: &Db, code: &str) -> sqlx::Result<Option<ServicePoint>> {
    let r = sqlx::query(
        "SELECT code, kind, name_en, name_zh, district, address_en, address_zh FROM service_points WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| {
        Ok(ServicePoint {
            code: r.try_get("code")?,
            kind: r.try_get("kind")?,
            name_en: r.try_get("name_en")?,
            name_zh: r.try_get("name_zh")?,
            district: r.try_get("district")?,
            address_en: r.try_get("address_en")?,
            address_zh: r.try_get("address_zh")?,
        })
    })
    .transpose()
}

/// How to reach a citizen: their channel, address, language and display name.
#[derive(Clone, Debug)]
pub struct Contact {
    pub channel: crate::notify::Channel,
    pub recipient: String,
    pub locale: crate::i18n::Locale,
    pub name: String,
}

/// The contact of `preferred` (e.g. the caregiver who booked), else of `fallback`, honouring the
/// person's chosen channel when it is on file. `None` when neither can be reached.
pub async fn contact(db: &Db, preferred: &str, fallback: &str) -> sqlx::Result<Option<Contact>> {
    let r = sqlx::query(CONTACT_SQL).bind(preferred).bind(fallback).fetch_optional(db.pool()).await?;
    r.as_ref().map(contact_from_row).transpose().map(Option::flatten)
}

/// [`contact`], read inside a write transaction.
pub async fn contact_in_tx(tx: &mut crate::db::Tx, preferred: &str, fallback: &str) -> sqlx::Result<Option<Contact>> {
    let r = sqlx::query(CONTACT_SQL).bind(preferred).bind(fallback).fetch_optional(&mut **tx).await?;
    r.as_ref().map(contact_from_row).transpose().map(Option::flatten)
}

const CONTACT_SQL: &str = "SELECT email, phone, preferred_lang, contact_channel, name_en, name_zh FROM citizens \
    WHERE id = $1 OR id = $2 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END LIMIT 1";

fn contact_from_row(r: &sqlx::any::AnyRow) -> sqlx::Result<Option<Contact>> {
    Ok(contact_of(
        r.try_get("email")?,
        r.try_get("phone")?,
        &r.try_get::<String, _>("contact_channel")?,
        &r.try_get::<String, _>("preferred_lang")?,
        r.try_get("name_en")?,
        r.try_get("name_zh")?,
    ))
}

/// How to reach a citizen from their stored columns (for queries that join the citizen with
/// other things): the chosen channel when it is on file, their language and display name.
pub fn contact_of(
    email: Option<String>,
    phone: Option<String>,
    chosen: &str,
    preferred_lang: &str,
    en: String,
    zh: String,
) -> Option<Contact> {
    use crate::i18n::Locale;
    use crate::notify::Channel;
    let locale = Locale::parse(preferred_lang).unwrap_or_default();
    // Chinese name for Chinese messages when there is one, else whichever name exists.
    let name = if (locale == Locale::ZhHant && !zh.is_empty()) || en.is_empty() { zh } else { en };
    let to = match (chosen, email, phone) {
        ("sms", _, Some(p)) => Some((Channel::Sms, p)),
        (_, Some(e), _) => Some((Channel::Email, e)),
        (_, None, Some(p)) => Some((Channel::Sms, p)),
        _ => None,
    };
    to.map(|(channel, recipient)| Contact { channel, recipient, locale, name })
}

/// A citizen as stored (personal data: read only through audited paths once identity lands).
#[derive(Clone, Debug)]
pub struct NewCitizen {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub sex: char,
    pub birth_date: String,
    pub district: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_lang: &'static str,
    pub hkid_masked: Option<String>,
    pub hkid_hmac: Option<String>,
    pub synthetic: bool,
}

/// Inserts citizens in multi-row batches; rows whose id or HKID already exists are skipped.
pub async fn insert_citizens(tx: &mut Tx, citizens: &[NewCitizen]) -> sqlx::Result<u64> {
    const COLS: usize = 13;
    let now = crate::now_ms();
    let mut n = 0;
    for chunk in citizens.chunks(crate::db::rows_per_statement(COLS)) {
        let sql = format!(
            "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, email, phone, preferred_lang, \
             hkid_masked, hkid_hmac, synthetic, created_at) VALUES {} ON CONFLICT DO NOTHING",
            values_placeholders(chunk.len(), COLS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for c in chunk {
            q = q
                .bind(&c.id)
                .bind(&c.name_en)
                .bind(&c.name_zh)
                .bind(c.sex.to_string())
                .bind(&c.birth_date)
                .bind(&c.district)
                .bind(&c.email)
                .bind(&c.phone)
                .bind(c.preferred_lang)
                .bind(&c.hkid_masked)
                .bind(&c.hkid_hmac)
                .bind(c.synthetic as i64)
                .bind(now);
        }
        n += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

pub async fn count_citizens(db: &Db) -> sqlx::Result<i64> {
    sqlx::query("SELECT COUNT(*) AS n FROM citizens").fetch_one(db.pool()).await?.try_get("n")
}
