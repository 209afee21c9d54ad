//! Recording an inspection's outcome: one transaction with its findings, photos, signature,
//! follow-up, enforcement note, the complaints it answers closed (and their complainants told),
//! the risk signal and the audit entry. Idempotent by the client's submission id, so that an
//! offline queue that syncs twice records once.

use axum::body::Bytes;
use chrono::Duration;
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::files::FileStore;
use kernel::web::{AppError, FieldError};
use serde::Serialize;
use serde_json::json;

use super::rules::{self, Record};
use super::store::{self, Done, EnforcementNote, Photo};
use super::{Inspection, checklist};

/// Why recording was refused.
#[derive(Debug, thiserror::Error)]
pub enum InspError {
    /// Bad input: every problem, for the error summary or a problem+json 422.
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error("not yours")]
    NotYours,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<kernel::files::FileError> for InspError {
    fn from(e: kernel::files::FileError) -> Self {
        InspError::Other(e.into())
    }
}

impl From<InspError> for AppError {
    fn from(e: InspError) -> AppError {
        match e {
            InspError::Invalid(errs) => AppError::Validation(errs),
            InspError::NotFound => AppError::NotFound,
            InspError::NotYours => AppError::Forbidden,
            InspError::Db(e) => AppError::Internal(e.into()),
            InspError::Other(e) => AppError::Internal(e),
        }
    }
}

/// A file as sent: its name and bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Bytes,
}

/// What recording did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Recorded {
    pub inspection: Inspection,
    /// True when this submission id had already been recorded (a re-sync): nothing new written.
    pub replayed: bool,
    /// The follow-up inspection a warning or a prosecution referral calls for.
    pub follow_up: Option<String>,
    /// References of the complaints this outcome closes (the complaints job closes them and tells
    /// the complainants at once after the commit).
    pub complaints_closed: Vec<String>,
}

/// Who may record: the assigned inspector, or any inspector when none is assigned.
pub fn may_record(i: &Inspection, staff: &str) -> bool {
    i.inspector.as_deref().is_none_or(|x| x == staff)
}

fn photo_errors(files: &FileStore, photos: &[Upload]) -> (Vec<FieldError>, Vec<(String, &'static str)>) {
    let mut e = Vec::new();
    let mut ok = Vec::new();
    if photos.len() > rules::MAX_PHOTOS {
        e.push(FieldError::new("photos", "reg_insp_too_many_photos", &[("max", rules::MAX_PHOTOS.to_string())]));
        return (e, ok);
    }
    for p in photos {
        match kernel::files::rules::check(&p.name, &p.bytes, files.max_bytes) {
            Ok((name, media)) if rules::is_photo(media) => ok.push((name, media)),
            Ok(_) => e.push(FieldError::new("photos", "reg_insp_photo_type", &[("name", p.name.clone())])),
            Err(kernel::files::rules::FileRefusal::TooLarge) => e.push(FieldError::new(
                "photos",
                "reg_insp_photo_too_large",
                &[("name", p.name.clone()), ("mib", format!("{:.1}", files.max_bytes as f64 / 1_048_576.0))],
            )),
            Err(_) => e.push(FieldError::new("photos", "reg_insp_photo_type", &[("name", p.name.clone())])),
        }
    }
    (e, ok)
}

/// Records an inspection's outcome.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    state: &AppState,
    files: &FileStore,
    id: &str,
    staff: &str,
    submission_id: Option<&str>,
    r: &Record,
    photos: Vec<Upload>,
    signature_png: Option<Bytes>,
    origin: &Origin,
) -> Result<Recorded, InspError> {
    let db = &state.db;
    let submission_id = submission_id.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = submission_id {
        if s.len() > 100 {
            return Err(InspError::Invalid(vec![FieldError::new(
                "submission_id",
                "too_long",
                &[("max", "100".into())],
            )]));
        }
        if let Some(done) = store::by_submission(db, s).await? {
            if done.id != id {
                return Err(InspError::Invalid(vec![FieldError::new("actions", "reg_insp_submission_reused", &[])]));
            }
            return Ok(Recorded { inspection: done, replayed: true, follow_up: None, complaints_closed: vec![] });
        }
    }
    let i = store::get(db, id).await?.ok_or(InspError::NotFound)?;
    if !may_record(&i, staff) {
        return Err(InspError::NotYours);
    }
    if !matches!(i.status.as_str(), "due" | "planned") {
        return Err(InspError::Invalid(vec![FieldError::new("actions", "reg_insp_already_recorded", &[])]));
    }
    let list = checklist::for_type(store::licence_type(db, &i).await?.as_deref());
    let now = kernel::now_ms();
    let mut errors = Vec::new();
    let findings = match rules::check(&i, list, r, now) {
        Ok(f) => f,
        Err(e) => {
            errors.extend(e);
            vec![]
        }
    };
    let (photo_errs, photo_ok) = photo_errors(files, &photos);
    errors.extend(photo_errs);
    if let Some(sig) = &signature_png
        && (sig.len() > rules::MAX_SIGNATURE_BYTES || kernel::files::rules::sniff(sig) != Some("image/png"))
    {
        errors.push(FieldError::new("signed_by", "reg_insp_signature_invalid", &[]));
    }
    if !errors.is_empty() {
        return Err(InspError::Invalid(errors));
    }

    // The bytes first (outside the transaction); removed again if the transaction fails.
    let mut stored: Vec<Photo> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let result = async {
        use sha2::Digest;
        for (p, (name, media)) in photos.iter().zip(&photo_ok) {
            let ph = Photo {
                id: kernel::new_id(),
                inspection_id: i.id.clone(),
                file_key: FileStore::new_key("regulatory/inspections"),
                file_name: name.clone(),
                media_type: (*media).into(),
                size_bytes: p.bytes.len() as i64,
                sha256: hex::encode(sha2::Sha256::digest(&p.bytes)),
                uploaded_by: staff.into(),
                uploaded_at: now,
            };
            keys.push(ph.file_key.clone());
            files.put(&ph.file_key, p.bytes.clone()).await?;
            stored.push(ph);
        }
        let signature_key = match &signature_png {
            Some(sig) => {
                let k = FileStore::new_key("regulatory/signatures");
                keys.push(k.clone());
                files.put(&k, sig.clone()).await?;
                Some(k)
            }
            None => None,
        };
        write(state, &i, staff, submission_id, r, &findings, &stored, signature_key.as_deref(), origin, now).await
    }
    .await;
    if result.is_err() {
        for k in &keys {
            let _ = files.delete(k).await;
        }
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn write(
    state: &AppState,
    i: &Inspection,
    staff: &str,
    submission_id: Option<&str>,
    r: &Record,
    findings: &[rules::Finding],
    photos: &[Photo],
    signature_key: Option<&str>,
    origin: &Origin,
    now: i64,
) -> Result<Recorded, InspError> {
    let db = &state.db;
    let findings_json = serde_json::to_string(findings).map_err(anyhow::Error::from)?;
    let publish = rules::publish_after(r.at);
    let late_reason = (!rules::in_window(i, r.at)).then(|| r.late_reason.trim().to_string());
    let mut tx = db.begin().await?;
    let recorded = store::record(
        &mut tx,
        &Done {
            id: &i.id,
            outcome: &r.outcome,
            findings: &findings_json,
            by: staff,
            at: r.at,
            publish_after: &publish,
            submission_id,
            signed_by: r.signed_by.trim(),
            signature_key,
            late_reason: late_reason.as_deref(),
        },
    )
    .await;
    match recorded {
        Ok(true) => {}
        Ok(false) => {
            return Err(InspError::Invalid(vec![FieldError::new("actions", "reg_insp_already_recorded", &[])]));
        }
        // The same submission recorded by a concurrent sync: the unique index refused this one.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            let done = store::get(db, &i.id).await?.ok_or(InspError::NotFound)?;
            return Ok(Recorded { inspection: done, replayed: true, follow_up: None, complaints_closed: vec![] });
        }
        Err(e) => return Err(e.into()),
    }
    for p in photos {
        store::insert_photo(&mut tx, p).await?;
    }
    let mut follow = None;
    if let Some((priority, days)) = rules::follow_up(&r.outcome) {
        let f = Inspection {
            id: kernel::new_id(),
            premises_id: i.premises_id.clone(),
            licence_id: i.licence_id.clone(),
            kind: "follow_up".into(),
            priority,
            due_on: (rules::local_day(r.at) + Duration::days(days)).format("%Y-%m-%d").to_string(),
            window_start: i.window_start.clone(),
            window_end: i.window_end.clone(),
            inspector: None,
            planned_on: None,
            status: "due".into(),
            outcome: None,
            findings: "[]".into(),
            done_by: None,
            done_at: None,
            publish_after: None,
            source_ref: Some(i.id.clone()),
            created_at: now,
        };
        store::insert(&mut tx, &f).await?;
        follow = Some(f.id);
    }
    if r.outcome == "prosecution" || r.outcome == "warning" {
        let failed: Vec<String> = findings
            .iter()
            .filter(|f| f.result == "not_compliant")
            .map(|f| format!("{} ({}): {}", f.item, f.provision, f.note))
            .collect();
        let n = EnforcementNote {
            id: kernel::new_id(),
            premises_id: i.premises_id.clone(),
            inspection_id: Some(i.id.clone()),
            kind: if r.outcome == "prosecution" { "prosecution_referral".into() } else { "warning".into() },
            note: failed.join("\n"),
            created_by: staff.into(),
            created_at: now,
        };
        store::insert_note(&mut tx, &n).await?;
    }
    // The complaints waiting on this inspection are closed by the complaints sub-domain, which
    // follows this topic (a job in this transaction: exactly once, at once after the commit).
    let closed = store::complaint_refs_waiting(&mut tx, &i.id).await?;
    kernel::jobs::publish(
        &mut tx,
        &state.jobs,
        super::OUTCOME_TOPIC,
        json!({"inspection_id": i.id, "outcome": r.outcome}),
    )
    .await?;
    kernel::jobs::publish(
        &mut tx,
        &state.jobs,
        crate::SIGNAL_TOPIC,
        json!({"premises_id": i.premises_id, "kind": "inspection"}),
    )
    .await?;
    let detail = format!("{}; photos {}; follow-up {}", r.outcome, photos.len(), follow.as_deref().unwrap_or("-"));
    kernel::audit::record(
        db,
        &mut tx,
        &Actor::Staff(staff.into()),
        origin,
        Event::new("regulatory.inspection.record", "reg_inspection", &i.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    let done = store::get(db, &i.id).await?.ok_or(InspError::NotFound)?;
    Ok(Recorded { inspection: done, replayed: false, follow_up: follow, complaints_closed: closed })
}
