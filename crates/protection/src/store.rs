//! SQL for the health-protection area: one function per query. Bulk writes use multi-row
//! `INSERT`s so a batch of notifications costs a handful of statements.

use kernel::db::{Db, MAX_BINDS, Tx, list_placeholders, rows_per_statement, values_placeholders};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::dedup::{KnownCase, KnownPerson};
use crate::delays::DelayCell;
use crate::model::{
    Assignment, Case, CaseLine, Classification, ClassificationChange, Cluster, Contact, Detection, Disease, FollowUp,
    FormField, LabResult, Link, NotificationRow, Person, Signal, SignalEvent, SignalFilter, SignalRun,
};
use crate::weeks::Cell;

fn flag(b: bool) -> i64 {
    b as i64
}

fn opt_flag(b: Option<bool>) -> Option<i64> {
    b.map(flag)
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

// ---------------------------------------------------------------------------------------------
// The catalogue

const DISEASE_COLUMNS: &str = "code, name_en, name_zh, icd10, icd10_other, snomed, case_definition_en, case_definition_zh, \
    notify_within, immediate_phone, episode_days, incubation_max_days, person_to_person, form_fields, detection, note, active, \
    origin, version, updated_by, updated_at";

fn row_disease(r: &AnyRow) -> sqlx::Result<Disease> {
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

fn bind_disease<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    d: &'q Disease,
    by: &'q str,
    at: i64,
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
        .bind(&d.origin)
        .bind(d.version)
        .bind(by)
        .bind(at)
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
    rows.iter().map(row_disease).collect()
}

pub async fn disease(db: &Db, code: &str) -> sqlx::Result<Option<Disease>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {DISEASE_COLUMNS} FROM protection_diseases WHERE code = $1")))
        .bind(code)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_disease).transpose()
}

pub async fn insert_disease(tx: &mut Tx, d: &Disease, by: &str) -> sqlx::Result<bool> {
    let q = sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO protection_diseases ({DISEASE_COLUMNS}) VALUES ({}) ON CONFLICT (code) DO NOTHING",
        list_placeholders(1, 21)
    )));
    Ok(bind_disease(q, d, by, kernel::now_ms()).execute(&mut **tx).await?.rows_affected() == 1)
}

/// Saves an edit if nobody saved another since `d.version - 1` was read.
pub async fn update_disease(tx: &mut Tx, d: &Disease, by: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE protection_diseases SET name_en = $2, name_zh = $3, icd10 = $4, icd10_other = $5, snomed = $6, \
         case_definition_en = $7, case_definition_zh = $8, notify_within = $9, immediate_phone = $10, episode_days = $11, \
         incubation_max_days = $12, person_to_person = $13, form_fields = $14, detection = $15, note = $16, active = $17, \
         version = $18, updated_by = $19, updated_at = $20 WHERE code = $1 AND version = $21",
    )
    .bind(&d.code)
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
    .bind(d.version)
    .bind(by)
    .bind(kernel::now_ms())
    .bind(d.version - 1)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Reference numbers

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

// ---------------------------------------------------------------------------------------------
// Intake: reads inside the intake transaction, then bulk writes

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

pub struct NewClassification {
    pub case_id: String,
    pub from: Option<Classification>,
    pub to: Classification,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

pub async fn insert_classifications(tx: &mut Tx, rows: &[NewClassification]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(7)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_classifications (id, case_id, from_class, to_class, reason, changed_by, changed_at) VALUES {}",
            values_placeholders(chunk.len(), 7)
        )));
        for c in chunk {
            q = q
                .bind(kernel::new_id())
                .bind(&c.case_id)
                .bind(c.from.map(|f| f.code()))
                .bind(c.to.code())
                .bind(&c.reason)
                .bind(&c.by)
                .bind(c.at);
        }
        q.execute(&mut **tx).await?;
    }
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

pub struct NewLab {
    pub case_id: String,
    pub notification_id: Option<String>,
    pub test: String,
    pub specimen_date: Option<String>,
    pub result: String,
    pub organism: String,
    pub added_by: String,
    pub at: i64,
}

pub async fn insert_lab_results(tx: &mut Tx, rows: &[NewLab]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(9)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_lab_results (id, case_id, notification_id, test, specimen_date, result, organism, added_by, created_at) \
             VALUES {}",
            values_placeholders(chunk.len(), 9)
        )));
        for l in chunk {
            q = q
                .bind(kernel::new_id())
                .bind(&l.case_id)
                .bind(&l.notification_id)
                .bind(&l.test)
                .bind(&l.specimen_date)
                .bind(&l.result)
                .bind(&l.organism)
                .bind(&l.added_by)
                .bind(l.at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Applies summed deltas to the weekly counts in one statement per chunk.
pub async fn apply_deltas(tx: &mut Tx, deltas: &[(Cell, i64)]) -> sqlx::Result<()> {
    for chunk in deltas.chunks(rows_per_statement(6)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_weekly_counts (disease, week_start, iso_week, district, classification, n) VALUES {} \
             ON CONFLICT (disease, week_start, district, classification) \
             DO UPDATE SET n = protection_weekly_counts.n + excluded.n",
            values_placeholders(chunk.len(), 6)
        )));
        for (c, n) in chunk {
            q = q
                .bind(&c.disease)
                .bind(&c.week_start)
                .bind(&c.iso_week)
                .bind(&c.district)
                .bind(&c.classification)
                .bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cases

const CASE_COLUMNS: &str = "c.id, c.reference, c.person_id, c.disease, c.classification, c.onset_date, c.notified_date, \
    c.episode_date, c.district, c.exposure_setting, c.hospitalised, c.outcome, c.imported, c.investigation_notes, c.details, \
    c.cluster_id, c.notifications, c.first_followup_date, c.created_at, c.updated_at";

fn row_case(r: &AnyRow) -> sqlx::Result<Case> {
    let class: String = r.try_get("classification")?;
    Ok(Case {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        person_id: r.try_get("person_id")?,
        disease: r.try_get("disease")?,
        classification: Classification::parse(&class).unwrap_or(Classification::Suspected),
        onset_date: r.try_get("onset_date")?,
        notified_date: r.try_get("notified_date")?,
        episode_date: r.try_get("episode_date")?,
        district: r.try_get("district")?,
        exposure_setting: r.try_get("exposure_setting")?,
        hospitalised: r.try_get::<Option<i64>, _>("hospitalised")?.map(|v| v == 1),
        outcome: r.try_get("outcome")?,
        imported: r.try_get::<Option<i64>, _>("imported")?.map(|v| v == 1),
        investigation_notes: r.try_get("investigation_notes")?,
        details: r.try_get("details")?,
        cluster_id: r.try_get("cluster_id")?,
        notifications: r.try_get("notifications")?,
        first_followup_date: r.try_get("first_followup_date")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

pub async fn case_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_case).transpose()
}

pub async fn case_by_id(db: &Db, id: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_case).transpose()
}

/// The case as this transaction sees it (after taking the case lock).
pub async fn case_by_id_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    r.as_ref().map(row_case).transpose()
}

pub async fn person(db: &Db, id: &str) -> sqlx::Result<Option<Person>> {
    let r = sqlx::query(
        "SELECT id, hkid_masked, name_en, name_zh, sex, birth_date, phone, address, district FROM protection_persons WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| {
        Ok(Person {
            id: r.try_get("id")?,
            hkid_masked: r.try_get("hkid_masked")?,
            name_en: r.try_get("name_en")?,
            name_zh: r.try_get("name_zh")?,
            sex: r.try_get("sex")?,
            birth_date: r.try_get("birth_date")?,
            phone: r.try_get("phone")?,
            address: r.try_get("address")?,
            district: r.try_get("district")?,
        })
    })
    .transpose()
}

/// Filters of the line list.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    pub disease: Option<String>,
    pub classification: Option<String>,
    pub district: Option<String>,
    pub onset_from: Option<String>,
    pub onset_to: Option<String>,
    pub cluster: Option<String>,
    /// `mine` (assigned to the viewer) or `none` (nobody assigned).
    pub assigned: Option<String>,
}

const ASSIGNED_TO: &str = "EXISTS (SELECT 1 FROM protection_assignments a WHERE a.ended_at IS NULL AND a.staff_id = $1 \
    AND ((a.subject_type = 'case' AND a.subject_id = c.id) OR (a.subject_type = 'cluster' AND a.subject_id = c.cluster_id)))";
const ASSIGNED_ANY: &str = "EXISTS (SELECT 1 FROM protection_assignments a WHERE a.ended_at IS NULL \
    AND ((a.subject_type = 'case' AND a.subject_id = c.id) OR (a.subject_type = 'cluster' AND a.subject_id = c.cluster_id)))";

fn filter_sql() -> String {
    format!(
        "($2 IS NULL OR c.disease = $2) AND ($3 IS NULL OR c.classification = $3) AND ($4 IS NULL OR c.district = $4) \
         AND ($5 IS NULL OR c.onset_date >= $5) AND ($6 IS NULL OR c.onset_date <= $6) AND ($7 IS NULL OR cl.reference = $7) \
         AND ($8 IS NULL OR ($8 = 'mine' AND {ASSIGNED_TO}) OR ($8 = 'none' AND NOT {ASSIGNED_ANY}))"
    )
}

/// One page of the line list, newest first, pseudonymised.
pub async fn case_lines(
    db: &Db,
    viewer: &str,
    f: &CaseFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(CaseLine, Option<String>)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT c.reference, c.disease, c.classification, p.sex, p.birth_date, c.district, c.onset_date, c.notified_date, \
         cl.reference AS cluster_reference, CAST(CASE WHEN {ASSIGNED_TO} THEN 1 ELSE 0 END AS BIGINT) AS assigned \
         FROM protection_cases c JOIN protection_persons p ON p.id = c.person_id \
         LEFT JOIN protection_clusters cl ON cl.id = c.cluster_id WHERE {} \
         ORDER BY c.notified_date DESC, c.reference DESC LIMIT $9 OFFSET $10",
        filter_sql()
    )))
    .bind(viewer)
    .bind(&f.disease)
    .bind(&f.classification)
    .bind(&f.district)
    .bind(&f.onset_from)
    .bind(&f.onset_to)
    .bind(&f.cluster)
    .bind(&f.assigned)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let class: String = r.try_get("classification")?;
            Ok((
                CaseLine {
                    reference: r.try_get("reference")?,
                    disease: r.try_get("disease")?,
                    classification: Classification::parse(&class).unwrap_or(Classification::Suspected),
                    sex: r.try_get("sex")?,
                    age_band: String::new(),
                    district: r.try_get("district")?,
                    onset_date: r.try_get("onset_date")?,
                    notified_date: r.try_get("notified_date")?,
                    cluster_reference: r.try_get("cluster_reference")?,
                    assigned: r.try_get::<i64, _>("assigned")? == 1,
                },
                r.try_get("birth_date")?,
            ))
        })
        .collect()
}

/// How many cases match, by classification.
pub async fn case_counts(db: &Db, viewer: &str, f: &CaseFilter) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT c.classification, COUNT(*) AS n FROM protection_cases c LEFT JOIN protection_clusters cl ON cl.id = c.cluster_id \
         WHERE {} GROUP BY c.classification",
        filter_sql()
    )))
    .bind(viewer)
    .bind(&f.disease)
    .bind(&f.classification)
    .bind(&f.district)
    .bind(&f.onset_from)
    .bind(&f.onset_to)
    .bind(&f.cluster)
    .bind(&f.assigned)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("classification")?, r.try_get("n")?))).collect()
}

pub async fn classification_history(db: &Db, case_id: &str) -> sqlx::Result<Vec<ClassificationChange>> {
    let rows = sqlx::query(
        "SELECT h.from_class, h.to_class, h.reason, COALESCE(s.display_name, h.changed_by) AS who, h.changed_at \
         FROM protection_classifications h LEFT JOIN staff_users s ON s.id = h.changed_by WHERE h.case_id = $1 \
         ORDER BY h.changed_at, h.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ClassificationChange {
                from: r.try_get("from_class")?,
                to: r.try_get("to_class")?,
                reason: r.try_get("reason")?,
                changed_by: r.try_get("who")?,
                changed_at: r.try_get("changed_at")?,
            })
        })
        .collect()
}

const NOTIFICATION_COLUMNS: &str = "id, reference, case_id, merged, disease, kind, channel, reporter_name, institution, \
    classification, onset_date, fields, received_at";

fn row_notification(r: &AnyRow) -> sqlx::Result<NotificationRow> {
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

pub async fn notifications_of_case(db: &Db, case_id: &str) -> sqlx::Result<Vec<NotificationRow>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM protection_notifications WHERE case_id = $1 ORDER BY received_at, reference"
    )))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_notification).collect()
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
    r.map(|r| Ok((row_notification(&r)?, r.try_get("case_reference")?))).transpose()
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
    rows.iter().map(|r| Ok((row_notification(r)?, r.try_get("case_reference")?))).collect()
}

pub async fn lab_results(db: &Db, case_id: &str) -> sqlx::Result<Vec<LabResult>> {
    let rows = sqlx::query(
        "SELECT l.id, l.test, l.specimen_date, l.result, l.organism, n.reference AS from_notification, l.created_at \
         FROM protection_lab_results l LEFT JOIN protection_notifications n ON n.id = l.notification_id \
         WHERE l.case_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LabResult {
                id: r.try_get("id")?,
                test: r.try_get("test")?,
                specimen_date: r.try_get("specimen_date")?,
                result: r.try_get("result")?,
                organism: r.try_get("organism")?,
                from_notification: r.try_get("from_notification")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Changes the classification if it is still `from` (a concurrent change makes this a no-op).
pub async fn set_classification(
    tx: &mut Tx,
    case_id: &str,
    from: Classification,
    to: Classification,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE protection_cases SET classification = $3, updated_at = $4 WHERE id = $1 AND classification = $2",
    )
    .bind(case_id)
    .bind(from.code())
    .bind(to.code())
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// What an investigation records.
#[derive(Clone, Debug)]
pub struct Investigation {
    pub onset_date: Option<String>,
    pub district: String,
    pub exposure_setting: String,
    pub hospitalised: Option<bool>,
    pub outcome: String,
    pub imported: Option<bool>,
    pub notes: String,
}

/// Saves investigation fields if the case is still in `expect_district` (its weekly-count cell).
pub async fn update_investigation(
    tx: &mut Tx,
    case_id: &str,
    expect_district: &str,
    i: &Investigation,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE protection_cases SET onset_date = $3, episode_date = COALESCE($3, episode_date), district = $4, \
         exposure_setting = $5, hospitalised = $6, outcome = $7, imported = $8, investigation_notes = $9, updated_at = $10 \
         WHERE id = $1 AND district = $2",
    )
    .bind(case_id)
    .bind(expect_district)
    .bind(&i.onset_date)
    .bind(&i.district)
    .bind(&i.exposure_setting)
    .bind(opt_flag(i.hospitalised))
    .bind(&i.outcome)
    .bind(opt_flag(i.imported))
    .bind(&i.notes)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn set_case_cluster(tx: &mut Tx, case_id: &str, cluster_id: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE protection_cases SET cluster_id = $2, updated_at = $3 WHERE id = $1")
        .bind(case_id)
        .bind(cluster_id)
        .bind(kernel::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Contacts

pub struct NewContact {
    pub id: String,
    pub case_id: String,
    pub name: String,
    pub phone: String,
    pub relationship: String,
    pub last_exposure: String,
    pub follow_up_until: String,
    pub by: String,
    pub at: i64,
}

pub async fn insert_contact(tx: &mut Tx, c: &NewContact) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_contacts (id, case_id, name, phone, relationship, last_exposure, follow_up_until, outcome, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'following', $8, $9, $9)",
    )
    .bind(&c.id)
    .bind(&c.case_id)
    .bind(&c.name)
    .bind(&c.phone)
    .bind(&c.relationship)
    .bind(&c.last_exposure)
    .bind(&c.follow_up_until)
    .bind(&c.by)
    .bind(c.at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn row_contact(r: &AnyRow) -> sqlx::Result<Contact> {
    Ok(Contact {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        relationship: r.try_get("relationship")?,
        last_exposure: r.try_get("last_exposure")?,
        follow_up_until: r.try_get("follow_up_until")?,
        outcome: r.try_get("outcome")?,
        created_at: r.try_get("created_at")?,
    })
}

const CONTACT_COLUMNS: &str =
    "id, case_id, name, phone, relationship, last_exposure, follow_up_until, outcome, created_at";

pub async fn contacts_of(db: &Db, case_id: &str) -> sqlx::Result<Vec<Contact>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {CONTACT_COLUMNS} FROM protection_contacts WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_contact).collect()
}

pub async fn contact(db: &Db, id: &str) -> sqlx::Result<Option<Contact>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CONTACT_COLUMNS} FROM protection_contacts WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_contact).transpose()
}

pub async fn set_contact_outcome(tx: &mut Tx, id: &str, outcome: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE protection_contacts SET outcome = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(outcome)
        .bind(kernel::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn followups(db: &Db, contact_id: &str) -> sqlx::Result<Vec<FollowUp>> {
    let rows = sqlx::query(
        "SELECT f.day, f.symptoms, f.notes, COALESCE(s.display_name, f.recorded_by) AS who, f.recorded_at FROM protection_followups f \
         LEFT JOIN staff_users s ON s.id = f.recorded_by WHERE f.contact_id = $1 ORDER BY f.day",
    )
    .bind(contact_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FollowUp {
                day: r.try_get("day")?,
                symptoms: r.try_get::<i64, _>("symptoms")? == 1,
                notes: r.try_get("notes")?,
                recorded_by: r.try_get("who")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// Records one day's follow-up; false when that day already has a record.
pub async fn insert_followup(
    tx: &mut Tx,
    contact_id: &str,
    day: &str,
    symptoms: bool,
    notes: &str,
    by: &str,
    at: i64,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "INSERT INTO protection_followups (id, contact_id, day, symptoms, notes, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (contact_id, day) DO NOTHING",
    )
    .bind(kernel::new_id())
    .bind(contact_id)
    .bind(day)
    .bind(flag(symptoms))
    .bind(notes)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

// ---------------------------------------------------------------------------------------------
// Clusters and transmission links

const CLUSTER_SELECT: &str = "SELECT cl.id, cl.reference, cl.name, cl.disease, cl.setting, cl.description, cl.status, cl.created_at, \
    (SELECT COUNT(*) FROM protection_cases c WHERE c.cluster_id = cl.id) AS cases, \
    (SELECT COUNT(*) FROM protection_links l WHERE l.cluster_id = cl.id) AS links FROM protection_clusters cl";

fn row_cluster(r: &AnyRow) -> sqlx::Result<Cluster> {
    Ok(Cluster {
        id: r.try_get("id")?,
        reference: r.try_get("reference")?,
        name: r.try_get("name")?,
        disease: r.try_get("disease")?,
        setting: r.try_get("setting")?,
        description: r.try_get("description")?,
        status: r.try_get("status")?,
        created_at: r.try_get("created_at")?,
        cases: r.try_get("cases")?,
        links: r.try_get("links")?,
    })
}

pub async fn clusters(db: &Db) -> sqlx::Result<Vec<Cluster>> {
    let rows = sqlx::query(AssertSqlSafe(format!("{CLUSTER_SELECT} ORDER BY cl.status DESC, cl.created_at DESC")))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_cluster).collect()
}

pub async fn cluster_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<Cluster>> {
    let r = sqlx::query(AssertSqlSafe(format!("{CLUSTER_SELECT} WHERE cl.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_cluster).transpose()
}

pub async fn cluster_by_id(db: &Db, id: &str) -> sqlx::Result<Option<Cluster>> {
    let r = sqlx::query(AssertSqlSafe(format!("{CLUSTER_SELECT} WHERE cl.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_cluster).transpose()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_cluster(
    tx: &mut Tx,
    id: &str,
    reference: &str,
    name: &str,
    disease: Option<&str>,
    setting: &str,
    description: &str,
    by: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_clusters (id, reference, name, disease, setting, description, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $8)",
    )
    .bind(id)
    .bind(reference)
    .bind(name)
    .bind(disease)
    .bind(setting)
    .bind(description)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_cluster_status(tx: &mut Tx, id: &str, status: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE protection_clusters SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(status)
        .bind(kernel::now_ms())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Cases of a cluster, oldest onset first, with their persons' sex and date of birth.
pub async fn cluster_cases(db: &Db, cluster_id: &str) -> sqlx::Result<Vec<(Case, String, Option<String>)>> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS}, p.sex, p.birth_date FROM protection_cases c JOIN protection_persons p ON p.id = c.person_id \
         WHERE c.cluster_id = $1 ORDER BY COALESCE(c.onset_date, c.notified_date), c.reference"
    )))
    .bind(cluster_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((row_case(r)?, r.try_get("sex")?, r.try_get("birth_date")?))).collect()
}

pub async fn links(db: &Db, cluster_id: &str) -> sqlx::Result<Vec<Link>> {
    let rows = sqlx::query(
        "SELECT l.id, s.reference AS source, t.reference AS target, l.note FROM protection_links l \
         JOIN protection_cases s ON s.id = l.source_case_id JOIN protection_cases t ON t.id = l.target_case_id \
         WHERE l.cluster_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(cluster_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Link {
                id: r.try_get("id")?,
                source: r.try_get("source")?,
                target: r.try_get("target")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

/// Adds a link; false if it already exists.
pub async fn insert_link(
    tx: &mut Tx,
    cluster_id: &str,
    source: &str,
    target: &str,
    note: &str,
    by: &str,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "INSERT INTO protection_links (id, cluster_id, source_case_id, target_case_id, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (source_case_id, target_case_id) DO NOTHING",
    )
    .bind(kernel::new_id())
    .bind(cluster_id)
    .bind(source)
    .bind(target)
    .bind(note)
    .bind(by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn delete_link(tx: &mut Tx, cluster_id: &str, link_id: &str) -> sqlx::Result<bool> {
    let n = sqlx::query("DELETE FROM protection_links WHERE id = $1 AND cluster_id = $2")
        .bind(link_id)
        .bind(cluster_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Links that involve a case (kept consistent when a case leaves its cluster).
pub async fn delete_links_of_case(tx: &mut Tx, case_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM protection_links WHERE source_case_id = $1 OR target_case_id = $1")
        .bind(case_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

// ---------------------------------------------------------------------------------------------
// Assignments (need-to-know)

pub async fn is_assigned(db: &Db, staff_id: &str, case_id: &str, cluster_id: Option<&str>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "SELECT 1 AS x FROM protection_assignments WHERE staff_id = $1 AND ended_at IS NULL \
         AND ((subject_type = 'case' AND subject_id = $2) OR (subject_type = 'cluster' AND subject_id = $3)) LIMIT 1",
    )
    .bind(staff_id)
    .bind(case_id)
    .bind(cluster_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.is_some())
}

pub async fn assign(tx: &mut Tx, staff_id: &str, subject_type: &str, subject_id: &str, by: &str) -> sqlx::Result<bool> {
    let existing = sqlx::query(
        "SELECT 1 AS x FROM protection_assignments WHERE staff_id = $1 AND subject_type = $2 AND subject_id = $3 AND ended_at IS NULL",
    )
    .bind(staff_id)
    .bind(subject_type)
    .bind(subject_id)
    .fetch_optional(&mut **tx)
    .await?;
    if existing.is_some() {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO protection_assignments (id, staff_id, subject_type, subject_id, assigned_by, assigned_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(kernel::new_id())
    .bind(staff_id)
    .bind(subject_type)
    .bind(subject_id)
    .bind(by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

pub async fn end_assignment(tx: &mut Tx, id: &str) -> sqlx::Result<Option<(String, String, String)>> {
    let r = sqlx::query(
        "UPDATE protection_assignments SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL RETURNING staff_id, subject_type, subject_id",
    )
    .bind(id)
    .bind(kernel::now_ms())
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| Ok((r.try_get("staff_id")?, r.try_get("subject_type")?, r.try_get("subject_id")?))).transpose()
}

/// Active assignments, optionally of one subject.
pub async fn assignments(db: &Db, subject: Option<(&str, &str)>) -> sqlx::Result<Vec<Assignment>> {
    let rows = sqlx::query(
        "SELECT a.id, a.staff_id, COALESCE(s.display_name, a.staff_id) AS staff_name, a.subject_type, a.subject_id, \
         COALESCE(c.reference, cl.reference, a.subject_id) AS subject_reference, COALESCE(b.display_name, a.assigned_by) AS assigned_by, \
         a.assigned_at FROM protection_assignments a LEFT JOIN staff_users s ON s.id = a.staff_id \
         LEFT JOIN staff_users b ON b.id = a.assigned_by \
         LEFT JOIN protection_cases c ON a.subject_type = 'case' AND c.id = a.subject_id \
         LEFT JOIN protection_clusters cl ON a.subject_type = 'cluster' AND cl.id = a.subject_id \
         WHERE a.ended_at IS NULL AND ($1 IS NULL OR (a.subject_type = $1 AND a.subject_id = $2)) \
         ORDER BY a.assigned_at DESC",
    )
    .bind(subject.map(|s| s.0))
    .bind(subject.map(|s| s.1))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Assignment {
                id: r.try_get("id")?,
                staff_id: r.try_get("staff_id")?,
                staff_name: r.try_get("staff_name")?,
                subject_type: r.try_get("subject_type")?,
                subject_id: r.try_get("subject_id")?,
                subject_reference: r.try_get("subject_reference")?,
                assigned_by: r.try_get("assigned_by")?,
                assigned_at: r.try_get("assigned_at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Weekly counts

/// Every non-zero cell of the weekly counts.
pub async fn weekly_counts(db: &Db, disease: Option<&str>) -> sqlx::Result<Vec<(Cell, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, iso_week, district, classification, n FROM protection_weekly_counts \
         WHERE n <> 0 AND ($1 IS NULL OR disease = $1) ORDER BY disease, week_start, district, classification",
    )
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                Cell {
                    disease: r.try_get("disease")?,
                    week_start: r.try_get("week_start")?,
                    iso_week: r.try_get("iso_week")?,
                    district: r.try_get("district")?,
                    classification: r.try_get("classification")?,
                },
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Cases per (disease, report date, district, classification), counted from the cases
/// themselves (to check the weekly counts).
pub async fn case_day_counts(db: &Db) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let mut conn = db.pool().acquire().await?;
    case_day_counts_on(&mut conn).await
}

/// The same, inside a transaction.
pub async fn case_day_counts_in(tx: &mut Tx) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    case_day_counts_on(tx).await
}

async fn case_day_counts_on(
    conn: &mut sqlx::AnyConnection,
) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, notified_date, district, classification, COUNT(*) AS n FROM protection_cases \
         GROUP BY disease, notified_date, district, classification",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("notified_date")?,
                r.try_get("district")?,
                r.try_get("classification")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Cases with a notification in the last `days` days, by classification (overview page).
pub async fn recent_counts(db: &Db, since: &str) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts WHERE week_start >= $1 \
         GROUP BY disease, classification HAVING SUM(n) <> 0 ORDER BY disease",
    )
    .bind(since)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("disease")?, r.try_get("classification")?, r.try_get("n")?))).collect()
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

/// Whether the demo's notifications are already in.
pub async fn has_demo_notifications(db: &Db) -> sqlx::Result<bool> {
    Ok(sqlx::query("SELECT 1 AS x FROM protection_notifications WHERE channel = 'demo' LIMIT 1")
        .fetch_optional(db.pool())
        .await?
        .is_some())
}

/// Rewrites the weekly counts from the cases (repair after a manual data fix).
pub async fn rebuild_weekly_counts(tx: &mut Tx, cells: &[(Cell, i64)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM protection_weekly_counts").execute(&mut **tx).await?;
    apply_deltas(tx, cells).await
}

// ---------------------------------------------------------------------------------------------
// Delay counts (timeliness) and the dashboards' aggregates

/// Applies summed delay deltas in one statement per chunk.
pub async fn apply_delay_deltas(tx: &mut Tx, deltas: &[(DelayCell, i64)]) -> sqlx::Result<()> {
    for chunk in deltas.chunks(rows_per_statement(6)) {
        let mut q = sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO protection_delay_counts (disease, week_start, classification, kind, delay_days, n) VALUES {} \
             ON CONFLICT (disease, week_start, classification, kind, delay_days) \
             DO UPDATE SET n = protection_delay_counts.n + excluded.n",
            values_placeholders(chunk.len(), 6)
        )));
        for (c, n) in chunk {
            q = q.bind(&c.disease).bind(&c.week_start).bind(&c.classification).bind(c.kind).bind(c.days).bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Records `day` as the case's first follow-up day if it has none or a later one.
pub async fn set_first_followup(tx: &mut Tx, case_id: &str, day: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE protection_cases SET first_followup_date = $2 WHERE id = $1 \
         AND (first_followup_date IS NULL OR first_followup_date > $2)",
    )
    .bind(case_id)
    .bind(day)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Every non-zero cell of the delay counts.
pub async fn delay_counts(db: &Db) -> sqlx::Result<Vec<(DelayCell, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, classification, kind, delay_days, n FROM protection_delay_counts WHERE n <> 0",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok((
                DelayCell {
                    disease: r.try_get("disease")?,
                    week_start: r.try_get("week_start")?,
                    classification: r.try_get("classification")?,
                    kind: if kind == crate::delays::ONSET_TO_NOTIFICATION {
                        crate::delays::ONSET_TO_NOTIFICATION
                    } else {
                        crate::delays::NOTIFICATION_TO_FOLLOWUP
                    },
                    days: r.try_get("delay_days")?,
                },
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// The cases grouped by what their delays depend on (to recount the delay counts):
/// (disease, notified, district, classification, onset, first follow-up, cases).
pub type CaseTimesRow = (String, String, String, String, Option<String>, Option<String>, i64);

async fn case_times_on(conn: &mut sqlx::AnyConnection) -> sqlx::Result<Vec<CaseTimesRow>> {
    let rows = sqlx::query(
        "SELECT disease, notified_date, district, classification, onset_date, first_followup_date, COUNT(*) AS n \
         FROM protection_cases WHERE onset_date IS NOT NULL OR first_followup_date IS NOT NULL \
         GROUP BY disease, notified_date, district, classification, onset_date, first_followup_date",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("notified_date")?,
                r.try_get("district")?,
                r.try_get("classification")?,
                r.try_get("onset_date")?,
                r.try_get("first_followup_date")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

pub async fn case_times(db: &Db) -> sqlx::Result<Vec<CaseTimesRow>> {
    let mut conn = db.pool().acquire().await?;
    case_times_on(&mut conn).await
}

pub async fn case_times_in(tx: &mut Tx) -> sqlx::Result<Vec<CaseTimesRow>> {
    case_times_on(tx).await
}

/// Cases whose recorded first follow-up day differs from their contacts' follow-ups.
pub async fn stale_first_followups(db: &Db) -> sqlx::Result<i64> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM protection_cases c WHERE COALESCE(c.first_followup_date, '') <> COALESCE((SELECT MIN(f.day) \
         FROM protection_followups f JOIN protection_contacts ct ON ct.id = f.contact_id WHERE ct.case_id = c.id), '')",
    )
    .fetch_one(db.pool())
    .await?;
    r.try_get("n")
}

/// Rewrites every case's first follow-up day from the follow-up records, then the delay counts.
pub async fn rebuild_delay_counts(tx: &mut Tx, cells: &[(DelayCell, i64)]) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM protection_delay_counts").execute(&mut **tx).await?;
    apply_delay_deltas(tx, cells).await
}

pub async fn refresh_first_followups(tx: &mut Tx) -> sqlx::Result<u64> {
    Ok(sqlx::query(
        "UPDATE protection_cases SET first_followup_date = (SELECT MIN(f.day) FROM protection_followups f \
         JOIN protection_contacts ct ON ct.id = f.contact_id WHERE ct.case_id = protection_cases.id)",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Weekly counts summed over diseases (or one), per week, district and classification, for
/// report weeks from `from` to `to` (Mondays, inclusive).
pub async fn week_district_sums(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT week_start, district, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) \
         GROUP BY week_start, district, classification HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("week_start")?, r.try_get("district")?, r.try_get("classification")?, r.try_get("n")?)))
        .collect()
}

/// Weekly counts per disease and classification in one report week (one district or all).
pub async fn disease_sums(db: &Db, week: &str, district: Option<&str>) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start = $1 AND ($2 IS NULL OR district = $2) GROUP BY disease, classification HAVING SUM(n) <> 0",
    )
    .bind(week)
    .bind(district)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("disease")?, r.try_get("classification")?, r.try_get("n")?))).collect()
}

/// Delay histograms per disease, classification and kind over report weeks `from`..=`to`, all
/// districts:
/// (disease, classification, kind, days, cases).
pub async fn delay_sums(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, classification, kind, delay_days, CAST(SUM(n) AS BIGINT) AS n FROM protection_delay_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) \
         GROUP BY disease, classification, kind, delay_days HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("classification")?,
                r.try_get("kind")?,
                r.try_get("delay_days")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// Confirmed and probable cases per disease, report week and district (the open data), over
/// report weeks `from`..=`to`: (disease, week_start, iso_week, district, cases).
pub async fn public_cells(
    db: &Db,
    from: &str,
    to: &str,
    disease: Option<&str>,
    district: Option<&str>,
) -> sqlx::Result<Vec<(String, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, iso_week, district, CAST(SUM(n) AS BIGINT) AS n FROM protection_weekly_counts \
         WHERE week_start >= $1 AND week_start <= $2 AND ($3 IS NULL OR disease = $3) AND ($4 IS NULL OR district = $4) \
         AND classification IN ('confirmed', 'probable') \
         GROUP BY disease, week_start, iso_week, district HAVING SUM(n) <> 0 ORDER BY disease, week_start, district",
    )
    .bind(from)
    .bind(to)
    .bind(disease)
    .bind(district)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("disease")?,
                r.try_get("week_start")?,
                r.try_get("iso_week")?,
                r.try_get("district")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Signals

/// Weekly counts for detection: imported history plus the live weekly counts without discarded
/// cases, per (disease, week start, district), for weeks `from..=to`.
pub async fn detection_counts(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<crate::signals::HistoryRow>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, district, CAST(SUM(n) AS BIGINT) AS n FROM ( \
           SELECT disease, week_start, district, n FROM protection_history_counts WHERE week_start >= $1 AND week_start <= $2 \
           UNION ALL \
           SELECT disease, week_start, district, n FROM protection_weekly_counts \
           WHERE classification <> 'discarded' AND week_start >= $1 AND week_start <= $2 \
         ) c GROUP BY disease, week_start, district HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("disease")?, r.try_get("week_start")?, r.try_get("district")?, r.try_get("n")?)))
        .collect()
}

/// Writes imported history rows (disease, week start, district, n); a row already there takes
/// the new count.
pub async fn upsert_history(tx: &mut Tx, rows: &[crate::signals::HistoryRow]) -> sqlx::Result<()> {
    const COLS: usize = 4;
    for chunk in rows.chunks(rows_per_statement(COLS)) {
        let sql = format!(
            "INSERT INTO protection_history_counts (disease, week_start, district, n) VALUES {} \
             ON CONFLICT (disease, week_start, district) DO UPDATE SET n = excluded.n",
            values_placeholders(chunk.len(), COLS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (d, w, k, n) in chunk {
            q = q.bind(d).bind(w).bind(k).bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Rows of imported history.
pub async fn history_rows(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM protection_history_counts").fetch_one(db.pool()).await
}

/// A signal to insert.
pub struct NewSignal<'a> {
    pub id: &'a str,
    pub disease: &'a str,
    pub area: &'a str,
    pub method: &'a str,
    pub week_start: &'a str,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub evidence: &'a str,
    pub run_id: &'a str,
    pub at: i64,
}

/// Inserts a new signal unless one for the same disease, area, method and week exists; true
/// when inserted.
pub async fn insert_signal(tx: &mut Tx, s: &NewSignal<'_>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO protection_signals (id, disease, area, method, week_start, observed, upperbound, evidence, status, \
         reason, run_id, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', '', $9, $10, $10, 1) \
         ON CONFLICT (disease, area, method, week_start) DO NOTHING",
    )
    .bind(s.id)
    .bind(s.disease)
    .bind(s.area)
    .bind(s.method)
    .bind(s.week_start)
    .bind(s.observed)
    .bind(s.upperbound)
    .bind(s.evidence)
    .bind(s.run_id)
    .bind(s.at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_signal_event(
    tx: &mut Tx,
    signal_id: &str,
    from: Option<&str>,
    to: &str,
    reason: &str,
    by: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_signal_events (id, signal_id, from_status, to_status, reason, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(kernel::new_id())
    .bind(signal_id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a signal to `status` if it is still at `version`; false when someone changed it since.
pub async fn update_signal(
    tx: &mut Tx,
    id: &str,
    version: i64,
    status: &str,
    reason: &str,
    cluster_id: Option<&str>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE protection_signals SET status = $3, reason = $4, cluster_id = COALESCE($5, cluster_id), \
         updated_at = $6, version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(status)
    .bind(reason)
    .bind(cluster_id)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_signal_run(
    tx: &mut Tx,
    id: &str,
    started_at: i64,
    week_start: &str,
    weeks_evaluated: i64,
    series: i64,
    raised: i64,
    ms: i64,
    by: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_signal_runs (id, started_at, week_start, weeks_evaluated, series, signals_raised, \
         milliseconds, started_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(started_at)
    .bind(week_start)
    .bind(weeks_evaluated)
    .bind(series)
    .bind(raised)
    .bind(ms)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn signal_runs(db: &Db, limit: i64) -> sqlx::Result<Vec<SignalRun>> {
    let rows = sqlx::query(
        "SELECT id, started_at, week_start, weeks_evaluated, series, signals_raised, milliseconds, started_by \
         FROM protection_signal_runs ORDER BY started_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SignalRun {
                id: r.try_get("id")?,
                started_at: r.try_get("started_at")?,
                week_start: r.try_get("week_start")?,
                weeks_evaluated: r.try_get("weeks_evaluated")?,
                series: r.try_get("series")?,
                signals_raised: r.try_get("signals_raised")?,
                milliseconds: r.try_get("milliseconds")?,
                started_by: r.try_get("started_by")?,
            })
        })
        .collect()
}

const SIGNAL_SELECT: &str = "SELECT s.id, s.disease, s.area, s.method, s.week_start, s.observed, s.upperbound, s.evidence, \
     s.status, s.reason, s.cluster_id, cl.reference AS cluster_reference, s.created_at, s.updated_at, s.version \
     FROM protection_signals s LEFT JOIN protection_clusters cl ON cl.id = s.cluster_id";

/// The WHERE clause of a filter, binding from `$first`; the values to bind in order.
fn signal_where(f: &SignalFilter, with_status: bool, first: usize) -> (String, Vec<String>) {
    let mut clauses = vec![];
    let mut binds = vec![];
    let mut add = |col: &str, v: &Option<String>| {
        if let Some(v) = v {
            binds.push(v.clone());
            clauses.push(format!("s.{col} = ${}", first + binds.len() - 1));
        }
    };
    if with_status {
        add("status", &f.status);
    }
    add("disease", &f.disease);
    add("area", &f.area);
    add("method", &f.method);
    let w = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (w, binds)
}

fn row_signal(r: &AnyRow) -> sqlx::Result<Signal> {
    let evidence: String = r.try_get("evidence")?;
    Ok(Signal {
        id: r.try_get("id")?,
        disease: r.try_get("disease")?,
        area: r.try_get("area")?,
        method: r.try_get("method")?,
        week_start: r.try_get("week_start")?,
        observed: r.try_get("observed")?,
        upperbound: r.try_get("upperbound")?,
        evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
        status: r.try_get("status")?,
        reason: r.try_get("reason")?,
        cluster_id: r.try_get("cluster_id")?,
        cluster_reference: r.try_get("cluster_reference")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        version: r.try_get("version")?,
    })
}

/// Signals matching `f`, the latest week first, a page at a time.
pub async fn signals(db: &Db, f: &SignalFilter, limit: i64, offset: i64) -> sqlx::Result<Vec<Signal>> {
    let (w, binds) = signal_where(f, true, 3);
    let sql = format!(
        "{SIGNAL_SELECT}{w} ORDER BY s.week_start DESC, CASE s.status WHEN 'new' THEN 0 WHEN 'assessing' THEN 1 ELSE 2 END, \
         s.disease, s.area, s.method LIMIT $1 OFFSET $2"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset);
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(db.pool()).await?.iter().map(row_signal).collect()
}

/// Signals matching `f` except its status, counted per status.
pub async fn signal_status_counts(db: &Db, f: &SignalFilter) -> sqlx::Result<Vec<(String, i64)>> {
    let (w, binds) = signal_where(f, false, 1);
    let sql = format!("SELECT s.status, COUNT(*) AS n FROM protection_signals s{w} GROUP BY s.status");
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(db.pool()).await?.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
}

pub async fn signal(db: &Db, id: &str) -> sqlx::Result<Option<Signal>> {
    let r = sqlx::query(AssertSqlSafe(format!("{SIGNAL_SELECT} WHERE s.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_signal).transpose()
}

/// Signals by id, in the transaction that wrote them (the new ones of a run, for the duty
/// officer's summary).
pub async fn signals_by_ids_in(tx: &mut Tx, ids: &[String]) -> sqlx::Result<Vec<Signal>> {
    let mut out = vec![];
    for chunk in ids.chunks(MAX_BINDS) {
        let list = list_placeholders(1, chunk.len());
        let sql = format!("{SIGNAL_SELECT} WHERE s.id IN ({list}) ORDER BY s.disease, s.area, s.method");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut **tx).await? {
            out.push(row_signal(&r)?);
        }
    }
    Ok(out)
}

pub async fn signal_events(db: &Db, id: &str) -> sqlx::Result<Vec<SignalEvent>> {
    let rows = sqlx::query(
        "SELECT e.from_status, e.to_status, e.reason, COALESCE(u.display_name, e.changed_by) AS changed_by, e.changed_at \
         FROM protection_signal_events e LEFT JOIN staff_users u ON u.id = e.changed_by \
         WHERE e.signal_id = $1 ORDER BY e.changed_at, e.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SignalEvent {
                from: r.try_get("from_status")?,
                to: r.try_get("to_status")?,
                reason: r.try_get("reason")?,
                by: r.try_get("changed_by")?,
                at: r.try_get("changed_at")?,
            })
        })
        .collect()
}
