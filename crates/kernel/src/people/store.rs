//! The `citizens` and `caregiver_links` SQL, and nothing else.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{
    Contact, Dependant, Names, NewCitizen, Profile, ProfileUpdate, Summary, SyntheticCitizen, SyntheticFilter,
    UpdateOutcome, contact_of,
};
use crate::db::{Db, Tx, list_placeholders, values_placeholders};
use crate::i18n::Locale;

/// The column a sign-in channel is stored in.
fn contact_column(channel: &str) -> &'static str {
    if channel == "email" { "email" } else { "phone" }
}

/// The oldest citizen with this e-mail address (`channel` = `email`) or mobile number.
pub async fn find_by_contact(tx: &mut Tx, channel: &str, destination: &str) -> sqlx::Result<Option<String>> {
    let column = contact_column(channel);
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM citizens WHERE {column} = $1 ORDER BY created_at LIMIT 1"
    )))
    .bind(destination)
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| r.try_get("id")).transpose()
}

/// A new citizen known only by how they signed in. Returns the id.
pub async fn create_with_contact(
    tx: &mut Tx,
    channel: &str,
    destination: &str,
    locale: Locale,
) -> sqlx::Result<String> {
    let column = contact_column(channel);
    let id = crate::new_id();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, {column}, preferred_lang, contact_channel, synthetic, created_at) \
         VALUES ($1, '', '', 'F', '', '', $2, $3, $4, 0, $5)"
    )))
    .bind(&id)
    .bind(destination)
    .bind(locale.tag())
    .bind(channel)
    .bind(crate::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn profile(db: &Db, id: &str) -> sqlx::Result<Option<Profile>> {
    let r = sqlx::query(
        "SELECT id, name_en, name_zh, birth_date, district, email, phone, preferred_lang, contact_channel, hkid_masked FROM citizens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| {
        Ok(Profile {
            id: r.try_get("id")?,
            name_en: r.try_get("name_en")?,
            name_zh: r.try_get("name_zh")?,
            birth_date: r.try_get("birth_date")?,
            district: r.try_get("district")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            preferred_lang: r.try_get("preferred_lang")?,
            contact_channel: r.try_get("contact_channel")?,
            hkid_masked: r.try_get("hkid_masked")?,
        })
    })
    .transpose()
}

/// How a signed-in citizen is named on pages (see [`super::display_name`]); `None` when the
/// record is gone.
pub async fn display_name_of(db: &Db, id: &str) -> sqlx::Result<Option<String>> {
    let r = sqlx::query("SELECT name_en, name_zh, email, phone FROM citizens WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.map(|r| {
        Ok(super::display_name(
            &r.try_get::<String, _>("name_en")?,
            &r.try_get::<String, _>("name_zh")?,
            r.try_get("email")?,
            r.try_get("phone")?,
        ))
    })
    .transpose()
}

/// [`display_name_of`] for many citizens at once, by id (ids not found are left out).
pub async fn display_names_of(db: &Db, ids: &[&str]) -> sqlx::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(crate::db::MAX_BINDS) {
        let sql = format!(
            "SELECT id, name_en, name_zh, email, phone FROM citizens WHERE id IN ({})",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(db.pool()).await? {
            let name = super::display_name(
                &r.try_get::<String, _>("name_en")?,
                &r.try_get::<String, _>("name_zh")?,
                r.try_get("email")?,
                r.try_get("phone")?,
            );
            out.insert(r.try_get("id")?, name);
        }
    }
    Ok(out)
}

/// Saves a profile; refuses an HKID another citizen already holds.
pub async fn update_profile(tx: &mut Tx, id: &str, u: &ProfileUpdate<'_>) -> sqlx::Result<UpdateOutcome> {
    if let Some((_, hmac)) = &u.hkid {
        let taken = sqlx::query("SELECT id FROM citizens WHERE hkid_hmac = $1 AND id <> $2")
            .bind(hmac)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            return Ok(UpdateOutcome::HkidTaken);
        }
    }
    sqlx::query(
        "UPDATE citizens SET name_en = $1, name_zh = $2, preferred_lang = $3, contact_channel = $4, \
         hkid_masked = COALESCE($5, hkid_masked), hkid_hmac = COALESCE($6, hkid_hmac), \
         birth_date = COALESCE($8, birth_date) WHERE id = $7",
    )
    .bind(u.name_en)
    .bind(u.name_zh)
    .bind(u.preferred_lang.tag())
    .bind(u.contact_channel)
    .bind(u.hkid.as_ref().map(|h| h.0.clone()))
    .bind(u.hkid.as_ref().map(|h| h.1.clone()))
    .bind(id)
    .bind(u.birth_date.clone())
    .execute(&mut **tx)
    .await?;
    Ok(UpdateOutcome::Saved)
}

/// A caregiver's active dependants, in the order they were added.
pub async fn dependants(db: &Db, caregiver_id: &str) -> sqlx::Result<Vec<Dependant>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name_en, c.name_zh, c.birth_date, l.relationship, l.consent_statement, l.consent_recorded_at \
         FROM caregiver_links l JOIN citizens c ON c.id = l.dependant_id \
         WHERE l.caregiver_id = $1 AND l.status = 'active' ORDER BY l.created_at",
    )
    .bind(caregiver_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let names = Names { en: r.try_get("name_en")?, zh: r.try_get("name_zh")? };
            Ok(Dependant {
                id: r.try_get("id")?,
                name: names.joined(),
                birth_date: r.try_get("birth_date")?,
                relationship: r.try_get("relationship")?,
                consent_statement: r.try_get("consent_statement")?,
                consent_recorded_at: r.try_get("consent_recorded_at")?,
            })
        })
        .collect()
}

/// Registers a dependant (a new citizen record) under a caregiver with the consent statement
/// the caregiver affirmed. Returns the dependant's id.
pub async fn add_dependant(
    tx: &mut Tx,
    caregiver_id: &str,
    name: &str,
    birth_date: &str,
    relationship: &str,
    consent_statement: &str,
    locale: Locale,
) -> sqlx::Result<String> {
    let now = crate::now_ms();
    let id = crate::new_id();
    let ascii = name.is_ascii();
    sqlx::query(
        "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, preferred_lang, contact_channel, synthetic, created_at) \
         VALUES ($1, $2, $3, 'F', $4, '', $5, 'email', 0, $6)",
    )
    .bind(&id)
    .bind(if ascii { name } else { "" })
    .bind(if ascii { "" } else { name })
    .bind(birth_date)
    .bind(locale.tag())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO caregiver_links (id, caregiver_id, dependant_id, relationship, consent_statement, consent_recorded_at, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $6)",
    )
    .bind(crate::new_id())
    .bind(caregiver_id)
    .bind(&id)
    .bind(relationship)
    .bind(consent_statement)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Whether `caregiver_id` may act for `citizen_id` (themselves, or an active dependant).
pub async fn can_act_for(db: &Db, caregiver_id: &str, citizen_id: &str) -> sqlx::Result<bool> {
    if caregiver_id == citizen_id {
        return Ok(true);
    }
    let r = sqlx::query(
        "SELECT 1 AS x FROM caregiver_links WHERE caregiver_id = $1 AND dependant_id = $2 AND status = 'active'",
    )
    .bind(caregiver_id)
    .bind(citizen_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.is_some())
}

/// The contact of `preferred` (e.g. the caregiver who booked), else of `fallback`, honouring the
/// person's chosen channel when it is on file. `None` when neither can be reached.
pub async fn contact(db: &Db, preferred: &str, fallback: &str) -> sqlx::Result<Option<Contact>> {
    let r = sqlx::query(CONTACT_SQL).bind(preferred).bind(fallback).fetch_optional(db.pool()).await?;
    r.as_ref().map(contact_from_row).transpose().map(Option::flatten)
}

/// [`contact`], read inside a write transaction.
pub async fn contact_in_tx(tx: &mut Tx, preferred: &str, fallback: &str) -> sqlx::Result<Option<Contact>> {
    let r = sqlx::query(CONTACT_SQL).bind(preferred).bind(fallback).fetch_optional(&mut **tx).await?;
    r.as_ref().map(contact_from_row).transpose().map(Option::flatten)
}

/// For a booking: the date of birth of the person booked for (`None` when there is no such
/// person) and the contact of the person to tell (`notify`, often the same), in one read.
pub async fn birth_date_and_contact(
    db: &Db,
    person: &str,
    notify: &str,
) -> sqlx::Result<(Option<String>, Option<Contact>)> {
    let rows = sqlx::query(
        "SELECT id, birth_date, email, phone, preferred_lang, contact_channel, name_en, name_zh FROM citizens \
         WHERE id = $1 OR id = $2",
    )
    .bind(person)
    .bind(notify)
    .fetch_all(db.pool())
    .await?;
    let (mut birth, mut contact) = (None, None);
    for r in &rows {
        let id: String = r.try_get("id")?;
        if id == person {
            birth = Some(r.try_get("birth_date")?);
        }
        if id == notify {
            contact = contact_from_row(r)?;
        }
    }
    Ok((birth, contact))
}

const CONTACT_SQL: &str = "SELECT email, phone, preferred_lang, contact_channel, name_en, name_zh FROM citizens \
    WHERE id = $1 OR id = $2 ORDER BY CASE WHEN id = $1 THEN 0 ELSE 1 END LIMIT 1";

fn contact_from_row(r: &AnyRow) -> sqlx::Result<Option<Contact>> {
    Ok(contact_of(
        r.try_get("email")?,
        r.try_get("phone")?,
        &r.try_get::<String, _>("contact_channel")?,
        &r.try_get::<String, _>("preferred_lang")?,
        r.try_get("name_en")?,
        r.try_get("name_zh")?,
    ))
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

/// A page of synthetic citizens for the partners' sandbox, by id.
pub async fn synthetic_page(db: &Db, limit: i64, offset: i64) -> sqlx::Result<Vec<SyntheticCitizen>> {
    let rows = sqlx::query(
        "SELECT id, sex, birth_date, district, preferred_lang FROM citizens WHERE synthetic = 1 ORDER BY id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SyntheticCitizen {
                id: r.try_get("id")?,
                sex: r.try_get("sex")?,
                birth_date: r.try_get("birth_date")?,
                district: r.try_get("district")?,
                preferred_lang: r.try_get("preferred_lang")?,
            })
        })
        .collect()
}

/// Ids of synthetic citizens matching `f` (for demo data: e.g. elders, or one district's people).
pub async fn synthetic_ids(db: &Db, f: &SyntheticFilter<'_>) -> sqlx::Result<Vec<String>> {
    let sql = format!(
        "SELECT id FROM citizens WHERE synthetic = 1 AND ($1 IS NULL OR birth_date >= $1) \
         AND ($2 IS NULL OR birth_date <= $2) AND ($3 IS NULL OR district = $3) ORDER BY id {} LIMIT $4",
        if f.descending { "DESC" } else { "ASC" }
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(f.born_from)
        .bind(f.born_to)
        .bind(f.district)
        .bind(f.limit.unwrap_or(i64::MAX))
        .fetch_all(db.pool())
        .await
}

/// A citizen's two names.
pub async fn names(db: &Db, id: &str) -> sqlx::Result<Option<Names>> {
    let r: Option<(String, String)> = sqlx::query_as("SELECT name_en, name_zh FROM citizens WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(r.map(|(en, zh)| Names { en, zh }))
}

/// The names of these citizens, by id (ids not found are left out).
pub async fn names_of(db: &Db, ids: &[&str]) -> sqlx::Result<HashMap<String, Names>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(crate::db::MAX_BINDS) {
        let sql =
            format!("SELECT id, name_en, name_zh FROM citizens WHERE id IN ({})", list_placeholders(1, chunk.len()));
        let mut q = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for (id, en, zh) in q.fetch_all(db.pool()).await? {
            out.insert(id, Names { en, zh });
        }
    }
    Ok(out)
}

/// A citizen's date of birth (`YYYY-MM-DD`; empty when unknown).
pub async fn birth_date(db: &Db, id: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT birth_date FROM citizens WHERE id = $1").bind(id).fetch_optional(db.pool()).await
}

/// The dates of birth of these citizens, by id, read inside a write transaction.
pub async fn birth_dates_in_tx(tx: &mut Tx, ids: &[&str]) -> sqlx::Result<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(crate::db::MAX_BINDS) {
        let sql = format!("SELECT id, birth_date FROM citizens WHERE id IN ({})", list_placeholders(1, chunk.len()));
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// What a counter clerk sees of a citizen.
pub async fn summary(db: &Db, id: &str) -> sqlx::Result<Option<Summary>> {
    let r: Option<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT name_en, name_zh, hkid_masked, birth_date FROM citizens WHERE id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(r.map(|(name_en, name_zh, hkid_masked, birth_date)| Summary { name_en, name_zh, hkid_masked, birth_date }))
}

/// The citizen holding this HKID (by its keyed hash, see `Hkid::hmac`).
pub async fn id_by_hkid_hmac(db: &Db, hmac: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT id FROM citizens WHERE hkid_hmac = $1").bind(hmac).fetch_optional(db.pool()).await
}
