//! Use cases of cases and contacts: one transaction each, with its audit entry and, when a case
//! moves between weekly-count or delay-count cells, the counts.

use chrono::NaiveDate;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::web::{AppError, AppResult};
use kernel::{Db, Tx};

use super::store::{self, Investigation, NewClassification, NewContact, NewLab};
use super::{Case, Classification, Contact};
use crate::counts;
use crate::counts::delays::{CaseTimes, DelayDeltas};
use crate::counts::weeks::{Cell, Deltas};

/// Serialises every change that moves cases between weekly-count cells (intake takes the same
/// lock), so the counts always follow the cases; reads of the case come after it.
pub async fn lock_cases(db: &Db, tx: &mut Tx) -> sqlx::Result<()> {
    db.lock_in_tx(tx, "protection_intake").await
}

fn cell_of(c: &Case, classification: Classification, district: &str) -> Cell {
    let report = c.notified_date.parse().unwrap_or_else(|_| kernel::hk::today());
    Cell::new(&c.disease, report, district, classification.code())
}

/// Reclassifies a case in one transaction: the guarded change, its history row, the weekly
/// counts and the audit entry. `Err(case)` (the case as it now is) when it already has `to`.
pub async fn reclassify_case(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    case_id: &str,
    to: Classification,
    reason: &str,
) -> AppResult<Result<(), Box<Case>>> {
    let mut tx = db.begin().await?;
    lock_cases(db, &mut tx).await?;
    let case = store::case_by_id_in(&mut tx, case_id).await?.ok_or(AppError::NotFound)?;
    if case.classification == to || !store::set_classification(&mut tx, &case.id, case.classification, to).await? {
        tx.rollback().await?;
        return Ok(Err(Box::new(case)));
    }
    let change = NewClassification {
        case_id: case.id.clone(),
        from: Some(case.classification),
        to,
        reason: reason.to_string(),
        by: actor.id().to_string(),
        at: kernel::now_ms(),
    };
    store::insert_classifications(&mut tx, &[change]).await?;
    let mut d = Deltas::default();
    d.moved(cell_of(&case, case.classification, &case.district), cell_of(&case, to, &case.district));
    counts::store::apply_deltas(&mut tx, &d.into_vec()).await?;
    let mut dd = DelayDeltas::default();
    dd.moved(&case.times(), &CaseTimes { classification: to.code(), ..case.times() });
    counts::store::apply_delay_deltas(&mut tx, &dd.into_vec()).await?;
    let detail = format!("{} -> {}: {reason}", case.classification.code(), to.code());
    let event = Event::new("case.reclassify", "case", &case.reference)
        .person(&case.person_id)
        .purpose("case investigation")
        .detail(&detail);
    audit::record(db, &mut tx, actor, origin, event).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Saves the investigation (`changed` names the fields that differ, for the audit entry); a new
/// district or onset moves the case's cells.
pub async fn save_investigation(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    case_id: &str,
    inv: &Investigation,
    changed: &[&str],
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    lock_cases(db, &mut tx).await?;
    let case = store::case_by_id_in(&mut tx, case_id).await?.ok_or(AppError::NotFound)?;
    store::update_investigation(&mut tx, &case.id, &case.district, inv).await?;
    if inv.district != case.district {
        let mut d = Deltas::default();
        d.moved(
            cell_of(&case, case.classification, &case.district),
            cell_of(&case, case.classification, &inv.district),
        );
        counts::store::apply_deltas(&mut tx, &d.into_vec()).await?;
    }
    let mut dd = DelayDeltas::default();
    dd.moved(
        &case.times(),
        &CaseTimes { district: &inv.district, onset_date: inv.onset_date.as_deref(), ..case.times() },
    );
    counts::store::apply_delay_deltas(&mut tx, &dd.into_vec()).await?;
    let detail = format!("changed: {}", if changed.is_empty() { "nothing".to_string() } else { changed.join(", ") });
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("case.investigation", "case", &case.reference)
            .person(&case.person_id)
            .purpose("case investigation")
            .detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a laboratory result to a case.
pub async fn add_lab_result(db: &Db, actor: &Actor, origin: &Origin, case: &Case, lab: NewLab) -> sqlx::Result<()> {
    let detail = format!("{}: {}", lab.test, lab.result);
    let mut tx = db.begin().await?;
    store::insert_lab_results(&mut tx, &[lab]).await?;
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("case.lab_result", "case", &case.reference)
            .person(&case.person_id)
            .purpose("case investigation")
            .detail(&detail),
    )
    .await?;
    tx.commit().await
}

/// Adds a contact of a case, to be followed up until `follow_up_until`.
pub async fn add_contact(db: &Db, actor: &Actor, origin: &Origin, case: &Case, c: &NewContact) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    store::insert_contact(&mut tx, c).await?;
    let detail = format!("contact {} of {}, follow-up until {}", c.id, case.reference, c.follow_up_until);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("contact.create", "contact", &c.id)
            .person(&case.person_id)
            .purpose("contact tracing")
            .detail(&detail),
    )
    .await?;
    tx.commit().await
}

/// One day of a contact's follow-up.
pub struct FollowUpEntry {
    pub day: NaiveDate,
    pub symptoms: bool,
    pub notes: String,
}

/// Records a day of follow-up (and the case's first follow-up day in the delay counts); false
/// (nothing written) when that day is already recorded.
pub async fn record_followup(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    contact: &Contact,
    case: &Case,
    f: &FollowUpEntry,
) -> sqlx::Result<bool> {
    let day = f.day.to_string();
    let mut tx = db.begin().await?;
    lock_cases(db, &mut tx).await?;
    if !store::insert_followup(&mut tx, &contact.id, &day, f.symptoms, &f.notes, actor.id(), kernel::now_ms()).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    record_followup_delay(&mut tx, &contact.case_id, &day).await?;
    let detail = format!("{day}: symptoms {}", if f.symptoms { "yes" } else { "no" });
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("contact.follow_up", "contact", &contact.id)
            .person(&case.person_id)
            .purpose("contact tracing")
            .detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets a contact's outcome.
pub async fn set_contact_outcome(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    contact: &Contact,
    case: &Case,
    outcome: &str,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    store::set_contact_outcome(&mut tx, &contact.id, outcome).await?;
    let detail = format!("{} -> {}", contact.outcome, outcome);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("contact.outcome", "contact", &contact.id)
            .person(&case.person_id)
            .purpose("contact tracing")
            .detail(&detail),
    )
    .await?;
    tx.commit().await
}

/// Records a view of the line list (`detail`: how many cases, which filter).
pub async fn record_list_view(db: &Db, actor: &Actor, origin: &Origin, detail: &str) -> sqlx::Result<()> {
    let event = Event::new("case.list", "case", "-").purpose("surveillance").detail(detail);
    audit::record_now(db, actor, origin, event).await.map(|_| ())
}

/// Records a view of a case, with the person named or pseudonymised.
pub async fn record_case_view(db: &Db, actor: &Actor, origin: &Origin, case: &Case, named: bool) -> sqlx::Result<()> {
    let detail = if named { "named" } else { "pseudonymised" };
    let event = Event::new("case.view", "case", &case.reference)
        .person(&case.person_id)
        .purpose(if named { "case investigation (assigned)" } else { "surveillance (pseudonymised)" })
        .detail(detail);
    audit::record_now(db, actor, origin, event).await.map(|_| ())
}

/// Records a view of a contact.
pub async fn record_contact_view(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    contact: &Contact,
    case: &Case,
) -> sqlx::Result<()> {
    let event = Event::new("contact.view", "contact", &contact.id)
        .person(&case.person_id)
        .purpose("contact tracing")
        .detail(&case.reference);
    audit::record_now(db, actor, origin, event).await.map(|_| ())
}

/// After a follow-up record for `day` of a contact of case `case_id` (in the transaction that
/// wrote it, under the cases lock): moves the case's notification → follow-up delay if this is
/// now its first follow-up day.
pub async fn record_followup_delay(tx: &mut kernel::Tx, case_id: &str, day: &str) -> sqlx::Result<()> {
    let Some(before) = store::case_by_id_in(tx, case_id).await? else { return Ok(()) };
    if counts::store::set_first_followup(tx, case_id, day).await? {
        let mut d = DelayDeltas::default();
        d.moved(&before.times(), &CaseTimes { first_followup_date: Some(day), ..before.times() });
        counts::store::apply_delay_deltas(tx, &d.into_vec()).await?;
    }
    Ok(())
}
