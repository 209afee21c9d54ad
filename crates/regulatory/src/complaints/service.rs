//! Complaint use cases, one transaction each with its audit entry, outbox messages and the
//! risk signal.
//!
//! - **Submit** (public, anonymous allowed): checked ([`rules::check`]), given a reference,
//!   joined to the group of an open complaint about the same premises (and to its inspection
//!   when the group is already under one), acknowledged in the complainant's language.
//! - **Match**, **triage**, **reject**, **send to inspection**, **link**, **unlink** (staff).
//! - **Close for an inspection** (called by the inspection's outcome, in its transaction).

use chrono::{Datelike, Duration};
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::db::Tx;
use kernel::i18n::Locale;
use kernel::notify::{Channel, Message};
use kernel::web::{AppError, FieldError};
use rand::Rng;
use serde_json::json;

use super::rules::{self, Draft};
use super::{Complaint, store};
use crate::inspections::{self, Inspection};

/// Why a complaint action was refused: field errors (shown on the form) or a status.
#[derive(Debug, thiserror::Error)]
pub enum CmpError {
    #[error("invalid")]
    Invalid(Vec<FieldError>),
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<CmpError> for AppError {
    fn from(e: CmpError) -> AppError {
        match e {
            CmpError::Invalid(errs) => AppError::Validation(errs),
            CmpError::NotFound => AppError::NotFound,
            CmpError::Db(e) => AppError::Internal(e.into()),
            CmpError::Other(e) => AppError::Internal(e),
        }
    }
}

fn invalid(field: &str, code: &str) -> CmpError {
    CmpError::Invalid(vec![FieldError::new(field, code, &[])])
}

async fn audit(
    state: &AppState,
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    action: &str,
    c: &Complaint,
    detail: &str,
) -> sqlx::Result<()> {
    kernel::audit::record(&state.db, tx, actor, origin, Event::new(action, "reg_complaint", &c.id).detail(detail))
        .await?;
    Ok(())
}

/// Tells the complainant (when they left a contact) something, in their own language.
async fn tell(tx: &mut Tx, c: &Complaint, template: &str, values: &[(&str, &str)]) -> anyhow::Result<()> {
    let locale = Locale::parse(&c.lang).unwrap_or_default();
    let (channel, to) = match (&c.contact_email, &c.contact_phone) {
        (Some(e), _) => (Channel::Email, e.as_str()),
        (None, Some(p)) => (Channel::Sms, p.as_str()),
        (None, None) => return Ok(()),
    };
    kernel::notify::enqueue(tx, &Message { channel, recipient: to, locale, template, values }).await?;
    Ok(())
}

async fn signal(state: &AppState, tx: &mut Tx, premises: &str) -> sqlx::Result<()> {
    kernel::jobs::publish(tx, &state.jobs, crate::SIGNAL_TOPIC, json!({"premises_id": premises, "kind": "complaint"}))
        .await?;
    Ok(())
}

/// A public complaint. `account` is the signed-in citizen, if any.
pub async fn submit(
    state: &AppState,
    draft: &Draft,
    locale: Locale,
    account: Option<&str>,
    origin: &Origin,
) -> Result<Complaint, CmpError> {
    let v = rules::check(draft).map_err(CmpError::Invalid)?;
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let mut district = v.district.clone();
    if let Some(p) = &v.premises_id {
        let Some(p) = crate::premises::store::get_in(&mut tx, p).await? else {
            return Err(invalid("premises", "reg_cmp_premises_unknown"));
        };
        district.get_or_insert(p.district);
    }
    let id = kernel::new_id();
    let year = kernel::hk::today().year();
    let mut reference = String::new();
    for _ in 0..10 {
        let r = {
            let mut rng = rand::rng();
            rules::reference(year, std::array::from_fn(|_| rng.random::<u32>()))
        };
        if !store::ref_taken(&mut tx, &r).await? {
            reference = r;
            break;
        }
    }
    let joined = match &v.premises_id {
        Some(p) => store::open_on_premises(&mut tx, p, &id).await?,
        None => None,
    };
    let under = joined.as_ref().filter(|j| j.status == "inspection").and_then(|j| j.inspection_id.clone());
    let c = Complaint {
        id: id.clone(),
        reference,
        premises_id: v.premises_id.clone(),
        premises_text: v.premises_text.clone(),
        district,
        category: v.category.clone(),
        description: v.description.clone(),
        anonymous: i64::from(v.email.is_none() && v.phone.is_none() && account.is_none()),
        contact_email: v.email.clone(),
        contact_phone: v.phone.clone(),
        lang: locale.tag().to_string(),
        account: account.map(str::to_string),
        status: if under.is_some() { "inspection".into() } else { "received".into() },
        priority: joined.as_ref().map(|j| j.priority).unwrap_or(3),
        group_id: Some(joined.as_ref().map(|j| j.group().to_string()).unwrap_or_else(|| id.clone())),
        inspection_id: under,
        outcome: None,
        outcome_note: None,
        triaged_by: None,
        closed_at: None,
        created_at: now,
        updated_at: now,
    };
    store::insert(&mut tx, &c).await?;
    let actor = account.map(|a| Actor::Citizen(a.into())).unwrap_or(Actor::Anonymous);
    audit(state, &mut tx, &actor, origin, "regulatory.complaint.submit", &c, &c.reference).await?;
    tell(&mut tx, &c, "reg-cmp-ack", &[("ref", &c.reference)]).await?;
    tx.commit().await?;
    Ok(c)
}

async fn open_one(tx: &mut Tx, id: &str) -> Result<Complaint, CmpError> {
    store::get_in(tx, id).await?.ok_or(CmpError::NotFound)
}

fn must_be_open(c: &Complaint) -> Result<(), CmpError> {
    if matches!(c.status.as_str(), "received" | "triaged") {
        Ok(())
    } else {
        Err(invalid("actions", "reg_cmp_not_open"))
    }
}

/// Staff match the premises a complaint is about; it joins the group of an open complaint
/// about that premises.
pub async fn match_premises(
    state: &AppState,
    id: &str,
    premises: &str,
    staff: &str,
    origin: &Origin,
) -> Result<Complaint, CmpError> {
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let c = open_one(&mut tx, id).await?;
    must_be_open(&c)?;
    let Some(p) = crate::premises::store::get_in(&mut tx, premises.trim()).await? else {
        return Err(invalid("premises", "reg_cmp_premises_unknown"));
    };
    store::set_premises(&mut tx, id, &p.id, &p.district, staff, now).await?;
    if let Some(other) = store::open_on_premises(&mut tx, &p.id, id).await?
        && other.group() != c.group()
    {
        store::set_group(&mut tx, id, other.group(), now).await?;
        store::regroup(&mut tx, id, other.group(), now).await?;
    }
    let c = open_one(&mut tx, id).await?;
    audit(state, &mut tx, &Actor::Staff(staff.into()), origin, "regulatory.complaint.match", &c, &p.id).await?;
    signal(state, &mut tx, &p.id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Staff triage a complaint: its priority (1 urgent … 3 routine) and, when `inspect`, its
/// group sent to inspection, in one transaction.
pub async fn triage(
    state: &AppState,
    id: &str,
    priority: i64,
    inspect: bool,
    staff: &str,
    origin: &Origin,
) -> Result<Option<Inspection>, CmpError> {
    if !(1..=3).contains(&priority) {
        return Err(invalid("priority", "reg_cmp_priority_required"));
    }
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let c = open_one(&mut tx, id).await?;
    if inspect && c.premises_id.is_none() {
        return Err(invalid("premises", "reg_cmp_premises_not_matched"));
    }
    if !store::triage(&mut tx, id, priority, staff, now).await? {
        return Err(invalid("actions", "reg_cmp_not_open"));
    }
    audit(
        state,
        &mut tx,
        &Actor::Staff(staff.into()),
        origin,
        "regulatory.complaint.triage",
        &c,
        &priority.to_string(),
    )
    .await?;
    let c = open_one(&mut tx, id).await?;
    let inspection = if inspect { Some(to_inspection(state, &mut tx, &c, staff, origin, now).await?) } else { None };
    if let Some(p) = &c.premises_id {
        signal(state, &mut tx, p).await?;
    }
    tx.commit().await?;
    Ok(inspection)
}

/// Staff reject a complaint with a reason; the complainant is told.
pub async fn reject(
    state: &AppState,
    id: &str,
    reason: &str,
    staff: &str,
    origin: &Origin,
) -> Result<Complaint, CmpError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(invalid("reason", "reg_cmp_reason_required"));
    }
    if let Some(e) = kernel::web::form::too_long("reason", reason, rules::MAX_REASON) {
        return Err(CmpError::Invalid(vec![e]));
    }
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let c = open_one(&mut tx, id).await?;
    if !store::reject(&mut tx, id, reason, staff, now).await? {
        return Err(invalid("actions", "reg_cmp_not_open"));
    }
    audit(state, &mut tx, &Actor::Staff(staff.into()), origin, "regulatory.complaint.reject", &c, reason).await?;
    tell(&mut tx, &c, "reg-cmp-rejected", &[("ref", &c.reference), ("reason", reason)]).await?;
    tx.commit().await?;
    Ok(c)
}

/// Sends a complaint's group to inspection: one inspection (kind complaint; priority 1 and due
/// tomorrow when urgent, else within a week) for the group's open complaints, or the group's
/// inspection already under way.
async fn to_inspection(
    state: &AppState,
    tx: &mut Tx,
    c: &Complaint,
    staff: &str,
    origin: &Origin,
    now: i64,
) -> Result<Inspection, CmpError> {
    must_be_open(c)?;
    let Some(premises) = c.premises_id.clone() else {
        return Err(invalid("premises", "reg_cmp_premises_not_matched"));
    };
    let group = store::group_in(tx, c.group()).await?;
    let existing = group.iter().filter(|g| g.status == "inspection").find_map(|g| g.inspection_id.clone());
    let inspection = match existing {
        Some(i) => inspections::store::get_in(tx, &i).await?.ok_or(CmpError::NotFound)?,
        None => {
            let (priority, days) = rules::inspection_for(c.priority == 1);
            let i = Inspection {
                id: kernel::new_id(),
                premises_id: premises.clone(),
                licence_id: store::active_licence(tx, &premises).await?,
                kind: "complaint".into(),
                priority,
                due_on: (kernel::hk::today() + Duration::days(days)).format("%Y-%m-%d").to_string(),
                window_start: "09:00".into(),
                window_end: "17:00".into(),
                inspector: None,
                planned_on: None,
                status: "due".into(),
                outcome: None,
                findings: "[]".into(),
                done_by: None,
                done_at: None,
                publish_after: None,
                source_ref: Some(c.reference.clone()),
                created_at: now,
            };
            inspections::store::insert(tx, &i).await?;
            if i.priority == 1 {
                // An urgent visit: its day is planned again (after the commit, by the job).
                crate::planning::service::enqueue_replan(tx, &i.due_on).await?;
            }
            i
        }
    };
    store::to_inspection(tx, c.group(), &inspection.id, staff, now).await?;
    audit(state, tx, &Actor::Staff(staff.into()), origin, "regulatory.complaint.inspect", c, &inspection.id).await?;
    Ok(inspection)
}

/// Staff put a complaint into the group of the complaint with reference `other`.
pub async fn link(
    state: &AppState,
    id: &str,
    other: &str,
    staff: &str,
    origin: &Origin,
) -> Result<Complaint, CmpError> {
    let other = other.trim().to_uppercase();
    if !rules::is_reference(&other) {
        return Err(invalid("other", "reg_cmp_ref_invalid"));
    }
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let c = open_one(&mut tx, id).await?;
    let Some(o) = store::by_ref_in(&mut tx, &other).await? else {
        return Err(invalid("other", "reg_cmp_ref_unknown"));
    };
    if o.group() == c.group() {
        return Err(invalid("other", "reg_cmp_same_group"));
    }
    must_be_open(&c)?;
    store::set_group(&mut tx, id, o.group(), now).await?;
    store::regroup(&mut tx, id, o.group(), now).await?;
    if let Some(i) = o.inspection_id.as_deref().filter(|_| o.status == "inspection") {
        store::to_inspection(&mut tx, o.group(), i, staff, now).await?;
    }
    audit(state, &mut tx, &Actor::Staff(staff.into()), origin, "regulatory.complaint.link", &c, &o.reference).await?;
    tx.commit().await?;
    Ok(c)
}

/// Staff take a complaint out of its group (it leads a group of its own; when it led the group,
/// the next oldest leads the others).
pub async fn unlink(state: &AppState, id: &str, staff: &str, origin: &Origin) -> Result<Complaint, CmpError> {
    let now = kernel::now_ms();
    let mut tx = state.db.begin().await?;
    let c = open_one(&mut tx, id).await?;
    must_be_open(&c)?;
    let members = store::group_in(&mut tx, c.group()).await?;
    if members.len() < 2 {
        return Err(invalid("actions", "reg_cmp_not_grouped"));
    }
    if c.group() == c.id
        && let Some(next) = members.iter().find(|m| m.id != c.id)
    {
        store::set_group(&mut tx, &next.id, &next.id, now).await?;
        store::regroup(&mut tx, &c.id, &next.id, now).await?;
    }
    store::set_group(&mut tx, id, id, now).await?;
    audit(state, &mut tx, &Actor::Staff(staff.into()), origin, "regulatory.complaint.unlink", &c, "").await?;
    tx.commit().await?;
    Ok(c)
}

/// Closes the complaints waiting on an inspection whose outcome was recorded and tells each
/// complainant with a contact, in their own language (one transaction; run by the job that
/// follows `inspections::OUTCOME_TOPIC`, so a second delivery finds nothing left to close).
pub async fn close_for_inspection(
    db: &kernel::Db,
    inspection: &str,
    outcome: &str,
    now: i64,
) -> anyhow::Result<Vec<Complaint>> {
    let mut tx = db.begin().await?;
    let closed = store::close_for_inspection(&mut tx, inspection, outcome, now).await?;
    for c in &closed {
        let locale = Locale::parse(&c.lang).unwrap_or_default();
        let label = locale.t(&format!("reg-insp-outcome-{outcome}"));
        tell(&mut tx, c, "reg-cmp-outcome", &[("ref", &c.reference), ("outcome", &label)]).await?;
    }
    tx.commit().await?;
    Ok(closed)
}

/// The job that closes complaints when their inspection's outcome is recorded.
pub const CLOSE_JOB: &str = "regulatory.complaints-close";

pub fn jobs(r: &mut kernel::jobs::Registry) {
    r.handle(CLOSE_JOB, |ctx, payload| async move {
        let inspection =
            payload.get("inspection_id").and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        let outcome = payload.get("outcome").and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
        close_for_inspection(&ctx.state.db, &inspection, &outcome, kernel::now_ms())
            .await
            .map_err(|e| kernel::jobs::JobError::Retry(e.to_string()))?;
        Ok(())
    });
    r.subscribe(crate::inspections::OUTCOME_TOPIC, CLOSE_JOB);
}

/// The status a reference shows to the public (no one's personal data).
pub async fn public_status(state: &AppState, reference: &str) -> Result<Option<Complaint>, AppError> {
    let r = reference.trim().to_uppercase();
    if !rules::is_reference(&r) {
        return Ok(None);
    }
    Ok(store::by_ref(&state.db, &r).await?)
}
