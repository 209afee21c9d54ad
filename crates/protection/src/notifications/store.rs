//! SQL of notifications: the reads inside the intake transaction, then multi-row inserts (a
//! batch of notifications costs a handful of statements), and the reporters' own lists.

use kernel::db::{Db, MAX_BINDS, Tx, list_placeholders, rows_per_statement, values_placeholders};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow, Row};

use super::NotificationRow;
use super::dedup::{KnownCase, KnownPerson};
use crate::cases::Classification;
use crate::store::flag;

/// `$start, $start+1, …`. Queries with such lists are not kept as prepared statements: their
/// length varies, and PostgreSQL's generic plan for one, made while the table was small, kept
/// scanning it whole once it had grown (custom plans use the index).
fn in_list(start: usize, n: usize) -> String {
    list_placeholders(start, n)
}

/// People matching any of these HKID hashes or match keys.
pub async fn persons_matching(tx: &mut Tx, hkids: &[String], keys: &[String]) -> sqlx::Result<Vec<KnownPerson>> {
    let mut out = vec![];
    let mut seen = std::collections::HashSet::new();
    for (col, values) in [("hkid_hmac", hkids), ("match_key", keys)] {
        for chunk in values.chunks(MAX_BINDS) {
            let mut q = sqlx::query(AssertSqlSafe(format!(
                "SELECT id, hkid_hmac, match_key FROM protection_persons WHERE {col} IN ({}) ORDER BY created_at, id",
                in_list(1, chunk.len())
            )))
            .persistent(false);
            for v in chunk {
                q = q.bind(v);
            }
            for r in q.fetch_all(&mut **tx).await? {
                let p = KnownPerson {
                    id: r.try_get("id")?,
                    hkid_hmac: r.try_get("hkid_hmac")?,
                    match_key: r.try_get("match_key")?,
                };
                if seen.insert(p.id.clone()) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

/// A case that may receive a merged notification, with what the weekly counts need.
#[derive(Clone, Debug)]
pub struct OpenCase {
    pub known: KnownCase,
    pub reference: String,
    pub district: String,
    pub notified_date: String,
    pub onset_date: Option<String>,
    pub first_followup_date: Option<String>,
}

/// Cases (not discarded) of these people.
pub async fn open_cases_of(tx: &mut Tx, person_ids: &[String]) -> sqlx::Result<Vec<OpenCase>> {
    let mut out = vec![];
    for chunk in person_ids.chunks(MAX_BINDS) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT id, reference, person_id, disease, classification, episode_date, district, notified_date, onset_date, \
             first_followup_date FROM protection_cases WHERE classification <> 'discarded' AND person_id IN ({})",
            in_list(1, chunk.len())
        )))
        .persistent(false);
        for v in chunk {
            q = q.bind(v);
        }
        for r in q.fetch_all(&mut **tx).await? {
            let class: String = r.try_get("classification")?;
            let episode: String = r.try_get("episode_date")?;
            out.push(OpenCase {
                known: KnownCase {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    disease: r.try_get("disease")?,
                    classification: Classification::parse(&class).unwrap_or(Classification::Suspected),
                    episode_date: episode.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?,
                },
                reference: r.try_get("reference")?,
                district: r.try_get("district")?,
                notified_date: r.try_get("notified_date")?,
                onset_date: r.try_get("onset_date")?,
                first_followup_date: r.try_get("first_followup_date")?,
            });
        }
    }
    Ok(out)
}

/// An earlier notification by the same reporter with the same reporter reference.
#[derive(Clone, Debug)]
pub struct PriorNotification {
    pub reporter_ref: String,
    pub payload_hash: String,
    pub reference: String,
    pub case_reference: String,
    pub merged: bool,
    pub disease: String,
}

pub async fn prior_notifications(
    tx: &mut Tx,
    reporter_id: &str,
    refs: &[String],
) -> sqlx::Result<Vec<PriorNotification>> {
    let mut out = vec![];
    for chunk in refs.chunks(MAX_BINDS) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "SELECT n.reporter_id, n.reporter_ref, n.payload_hash, n.reference, n.merged, n.disease, \
             (SELECT c.reference FROM protection_cases c WHERE c.id = n.case_id) AS case_reference \
             FROM protection_notifications n WHERE n.reporter_ref IN ({})",
            in_list(1, chunk.len())
        )))
        .persistent(false);
        for v in chunk {
            q = q.bind(v);
        }
        for r in q.fetch_all(&mut **tx).await? {
            // By reference alone (the unique index leads with it, whatever the statistics say),
            // then this reporter's.
            if r.try_get::<String, _>("reporter_id")? != reporter_id {
                continue;
            }
            out.push(PriorNotification {
                reporter_ref: r.try_get("reporter_ref")?,
                payload_hash: r.try_get("payload_hash")?,
                reference: r.try_get("reference")?,
                case_reference: r.try_get("case_reference")?,
                merged: r.try_get::<i64, _>("merged")? == 1,
                disease: r.try_get("disease")?,
            });
        }
    }
    Ok(out)
}

pub struct NewPerson {
    pub id: String,
    pub hkid_hmac: Option<String>,
    pub hkid_masked: Option<String>,
    pub match_key: Option<String>,
    pub name_en: String,
    pub name_zh: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: String,
    pub at: i64,
}

pub async fn insert_persons(tx: &mut Tx, rows: &[NewPerson]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(13)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_persons (id, hkid_hmac, hkid_masked, match_key, name_en, name_zh, sex, birth_date, phone, address, \
             district, created_at, updated_at) VALUES {}",
            values_placeholders(chunk.len(), 13)
        )));
        for p in chunk {
            q = q
                .bind(&p.id)
                .bind(&p.hkid_hmac)
                .bind(&p.hkid_masked)
                .bind(&p.match_key)
                .bind(&p.name_en)
                .bind(&p.name_zh)
                .bind(&p.sex)
                .bind(&p.birth_date)
                .bind(&p.phone)
                .bind(&p.address)
                .bind(&p.district)
                .bind(p.at)
                .bind(p.at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records the HKID of someone known so far only by name, date of birth and sex.
pub async fn attach_hkid(tx: &mut Tx, person_id: &str, hmac: &str, masked: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE protection_persons SET hkid_hmac = $2, hkid_masked = $3, updated_at = $4 WHERE id = $1 AND hkid_hmac IS NULL",
    )
    .bind(person_id)
    .bind(hmac)
    .bind(masked)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct NewCase {
    pub id: String,
    pub reference: String,
    pub person_id: String,
    pub disease: String,
    pub classification: Classification,
    pub onset_date: Option<String>,
    pub notified_date: String,
    pub episode_date: String,
    pub district: String,
    pub exposure_setting: String,
    pub details: String,
    pub notifications: i64,
    /// Always None at intake; the benchmark's bulk seeding sets it.
    pub first_followup_date: Option<String>,
    pub at: i64,
}

pub async fn insert_cases(tx: &mut Tx, rows: &[NewCase]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(20)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_cases (id, reference, person_id, disease, classification, onset_date, notified_date, episode_date, \
             district, exposure_setting, hospitalised, outcome, imported, investigation_notes, details, cluster_id, notifications, \
             first_followup_date, created_at, updated_at) VALUES {}",
            values_placeholders(chunk.len(), 20)
        )));
        for c in chunk {
            q = q
                .bind(&c.id)
                .bind(&c.reference)
                .bind(&c.person_id)
                .bind(&c.disease)
                .bind(c.classification.code())
                .bind(&c.onset_date)
                .bind(&c.notified_date)
                .bind(&c.episode_date)
                .bind(&c.district)
                .bind(&c.exposure_setting)
                .bind(None::<i64>)
                .bind("unknown")
                .bind(None::<i64>)
                .bind("")
                .bind(&c.details)
                .bind(None::<String>)
                .bind(c.notifications)
                .bind(&c.first_followup_date)
                .bind(c.at)
                .bind(c.at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A merged notification: one more notification, the classification raised if it must be,
/// the onset filled in if the case had none.
pub async fn merge_into_case(
    tx: &mut Tx,
    case_id: &str,
    added: i64,
    classification: Classification,
    onset: Option<&str>,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE protection_cases SET notifications = notifications + $2, classification = $3, \
         onset_date = COALESCE(onset_date, $4), updated_at = $5 WHERE id = $1",
    )
    .bind(case_id)
    .bind(added)
    .bind(classification.code())
    .bind(onset)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub struct NewNotification {
    pub id: String,
    pub reference: String,
    pub case_id: String,
    pub merged: bool,
    pub disease: String,
    pub kind: &'static str,
    pub channel: &'static str,
    pub reporter_type: &'static str,
    pub reporter_id: String,
    pub reporter_name: String,
    pub institution: String,
    pub reporter_ref: Option<String>,
    pub payload_hash: String,
    pub classification: Classification,
    pub onset_date: Option<String>,
    pub fields: String,
    pub received_at: i64,
}

pub async fn insert_notifications(tx: &mut Tx, rows: &[NewNotification]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(17)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_notifications (id, reference, case_id, merged, disease, kind, channel, reporter_type, reporter_id, \
             reporter_name, institution, reporter_ref, payload_hash, classification, onset_date, fields, received_at) VALUES {}",
            values_placeholders(chunk.len(), 17)
        )));
        for n in chunk {
            q = q
                .bind(&n.id)
                .bind(&n.reference)
                .bind(&n.case_id)
                .bind(flag(n.merged))
                .bind(&n.disease)
                .bind(n.kind)
                .bind(n.channel)
                .bind(n.reporter_type)
                .bind(&n.reporter_id)
                .bind(&n.reporter_name)
                .bind(&n.institution)
                .bind(&n.reporter_ref)
                .bind(&n.payload_hash)
                .bind(n.classification.code())
                .bind(&n.onset_date)
                .bind(&n.fields)
                .bind(n.received_at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

const NOTIFICATION_COLUMNS: &str = "id, reference, case_id, merged, disease, kind, channel, reporter_name, institution, \
    classification, onset_date, fields, received_at";

impl FromRow<'_, AnyRow> for NotificationRow {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(NotificationRow {
            id: r.try_get("id")?,
            reference: r.try_get("reference")?,
            case_id: r.try_get("case_id")?,
            merged: r.try_get::<i64, _>("merged")? == 1,
            disease: r.try_get("disease")?,
            kind: r.try_get("kind")?,
            channel: r.try_get("channel")?,
            reporter_name: r.try_get("reporter_name")?,
            institution: r.try_get("institution")?,
            classification: r.try_get("classification")?,
            onset_date: r.try_get("onset_date")?,
            fields: r.try_get("fields")?,
            received_at: r.try_get("received_at")?,
        })
    }
}

/// A notification with its case reference, if this reporter made it.
pub async fn notification_of_reporter(
    db: &Db,
    reference: &str,
    reporter_id: &str,
) -> sqlx::Result<Option<(NotificationRow, String)>> {
    let r = sqlx::query(AssertSqlSafe(format!(
        "SELECT {}, c.reference AS case_reference FROM protection_notifications n JOIN protection_cases c ON c.id = n.case_id \
         WHERE n.reference = $1 AND n.reporter_id = $2",
        NOTIFICATION_COLUMNS.split(", ").map(|c| format!("n.{c}")).collect::<Vec<_>>().join(", ")
    )))
    .bind(reference)
    .bind(reporter_id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| Ok((NotificationRow::from_row(&r)?, r.try_get("case_reference")?))).transpose()
}

/// This reporter's latest notifications, with their case references.
pub async fn notifications_by_reporter(
    db: &Db,
    reporter_id: &str,
    limit: i64,
) -> sqlx::Result<Vec<(NotificationRow, String)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {}, c.reference AS case_reference FROM protection_notifications n JOIN protection_cases c ON c.id = n.case_id \
         WHERE n.reporter_id = $1 ORDER BY n.received_at DESC LIMIT $2",
        NOTIFICATION_COLUMNS.split(", ").map(|c| format!("n.{c}")).collect::<Vec<_>>().join(", ")
    )))
    .bind(reporter_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((NotificationRow::from_row(r)?, r.try_get("case_reference")?))).collect()
}

/// A partner client's name and its organisation's name (for the notifications it sends).
pub async fn partner_names(db: &Db, client_id: &str) -> sqlx::Result<Option<(String, String)>> {
    let r = sqlx::query(
        "SELECT c.name, o.name AS org_name FROM api_clients c JOIN partner_orgs o ON o.id = c.org_id WHERE c.client_id = $1",
    )
    .bind(client_id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| Ok((r.try_get("name")?, r.try_get("org_name")?))).transpose()
}
