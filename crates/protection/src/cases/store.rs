//! SQL of cases: the line list, the case and its person, classification history, investigation,
//! laboratory results, contacts and their daily follow-up.

use kernel::db::{Db, Tx, rows_per_statement, values_placeholders};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow, Row};

use super::{Case, CaseLine, Classification, ClassificationChange, Contact, FollowUp, LabResult, Person};
use crate::store::{flag, opt_flag};

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

pub(crate) const CASE_COLUMNS: &str = "c.id, c.reference, c.person_id, c.disease, c.classification, c.onset_date, c.notified_date, \
    c.episode_date, c.district, c.exposure_setting, c.hospitalised, c.outcome, c.imported, c.investigation_notes, c.details, \
    c.cluster_id, c.notifications, c.first_followup_date, c.created_at, c.updated_at";

impl FromRow<'_, AnyRow> for Case {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
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
}

pub async fn case_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(Case::from_row).transpose()
}

pub async fn case_by_id(db: &Db, id: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(Case::from_row).transpose()
}

/// The case as this transaction sees it (after taking the case lock).
pub async fn case_by_id_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Case>> {
    let r = sqlx::query(AssertSqlSafe(format!("SELECT {CASE_COLUMNS} FROM protection_cases c WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    r.as_ref().map(Case::from_row).transpose()
}

pub async fn person(db: &Db, id: &str) -> sqlx::Result<Option<Person>> {
    sqlx::query_as::<_, Person>(
        "SELECT id, hkid_masked, name_en, name_zh, sex, birth_date, phone, address, district FROM protection_persons WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await
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
    sqlx::query_as::<_, ClassificationChange>(
        "SELECT h.from_class, h.to_class, h.reason, COALESCE(s.display_name, h.changed_by) AS who, h.changed_at \
         FROM protection_classifications h LEFT JOIN staff_users s ON s.id = h.changed_by WHERE h.case_id = $1 \
         ORDER BY h.changed_at, h.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await
}

pub async fn lab_results(db: &Db, case_id: &str) -> sqlx::Result<Vec<LabResult>> {
    sqlx::query_as::<_, LabResult>(
        "SELECT l.id, l.test, l.specimen_date, l.result, l.organism, n.reference AS from_notification, l.created_at \
         FROM protection_lab_results l LEFT JOIN protection_notifications n ON n.id = l.notification_id \
         WHERE l.case_id = $1 ORDER BY l.created_at, l.id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await
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

const CONTACT_COLUMNS: &str =
    "id, case_id, name, phone, relationship, last_exposure, follow_up_until, outcome, created_at";

pub async fn contacts_of(db: &Db, case_id: &str) -> sqlx::Result<Vec<Contact>> {
    sqlx::query_as::<_, Contact>(AssertSqlSafe(format!(
        "SELECT {CONTACT_COLUMNS} FROM protection_contacts WHERE case_id = $1 ORDER BY created_at, id"
    )))
    .bind(case_id)
    .fetch_all(db.pool())
    .await
}

pub async fn contact(db: &Db, id: &str) -> sqlx::Result<Option<Contact>> {
    sqlx::query_as::<_, Contact>(AssertSqlSafe(format!(
        "SELECT {CONTACT_COLUMNS} FROM protection_contacts WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await
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

impl FromRow<'_, AnyRow> for FollowUp {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(FollowUp {
            day: r.try_get("day")?,
            symptoms: r.try_get::<i64, _>("symptoms")? == 1,
            notes: r.try_get("notes")?,
            recorded_by: r.try_get("who")?,
            recorded_at: r.try_get("recorded_at")?,
        })
    }
}

pub async fn followups(db: &Db, contact_id: &str) -> sqlx::Result<Vec<FollowUp>> {
    sqlx::query_as::<_, FollowUp>(
        "SELECT f.day, f.symptoms, f.notes, COALESCE(s.display_name, f.recorded_by) AS who, f.recorded_at FROM protection_followups f \
         LEFT JOIN staff_users s ON s.id = f.recorded_by WHERE f.contact_id = $1 ORDER BY f.day",
    )
    .bind(contact_id)
    .fetch_all(db.pool())
    .await
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

/// A cluster as the case page shows it: its name and reference, for the link and the choice of
/// open clusters (the clusters' own pages and changes are in `crate::clusters`).
#[derive(Clone, Debug, FromRow)]
pub struct ClusterRef {
    pub id: String,
    pub reference: String,
    pub name: String,
}

/// The cluster with id `id`.
pub async fn cluster_ref(db: &Db, id: &str) -> sqlx::Result<Option<ClusterRef>> {
    sqlx::query_as("SELECT id, reference, name FROM protection_clusters WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await
}

/// The open clusters, newest first (the order of the clusters' list).
pub async fn open_clusters(db: &Db) -> sqlx::Result<Vec<ClusterRef>> {
    sqlx::query_as("SELECT id, reference, name FROM protection_clusters WHERE status = 'open' ORDER BY created_at DESC")
        .fetch_all(db.pool())
        .await
}

/// A notification merged into a case, as the case page lists it.
#[derive(Clone, Debug)]
pub struct CaseNotification {
    pub reference: String,
    pub merged: bool,
    pub kind: String,
    pub channel: String,
    pub reporter_name: String,
    pub institution: String,
    pub classification: String,
    pub received_at: i64,
}

/// The notifications of a case, in the order they came (the notifications' own pages and
/// changes are in `crate::notifications`).
pub async fn notifications_of(db: &Db, case_id: &str) -> sqlx::Result<Vec<CaseNotification>> {
    let rows = sqlx::query(
        "SELECT reference, merged, kind, channel, reporter_name, institution, classification, received_at \
         FROM protection_notifications WHERE case_id = $1 ORDER BY received_at, reference",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseNotification {
                reference: r.try_get("reference")?,
                merged: r.try_get::<i64, _>("merged")? == 1,
                kind: r.try_get("kind")?,
                channel: r.try_get("channel")?,
                reporter_name: r.try_get("reporter_name")?,
                institution: r.try_get("institution")?,
                classification: r.try_get("classification")?,
                received_at: r.try_get("received_at")?,
            })
        })
        .collect()
}
