//! Licence actions, one transaction each with its lifecycle event (reason and legal basis),
//! audit entry, risk signal and a notice to the licence holder: suspend, reinstate, surrender
//! and amend by an officer; revoke only with a second officer (proposed by one, approved by a
//! different licensing manager); lapse and renewal reminders by the
//! daily job.

use axum::http::StatusCode;
use chrono::Duration;
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::db::Tx;
use kernel::identity::{Role, StaffIdentity};

use super::rules::{self, Action, Status};
use super::store::{self, Proposal};
use super::{Licence, LicenceEvent};
use crate::errors::{AppError, Problem};

pub(crate) fn refused(code: &'static str) -> AppError {
    AppError::Refused(code, StatusCode::CONFLICT)
}

pub(crate) async fn licence(db: &kernel::Db, number: &str) -> Result<Licence, AppError> {
    store::by_number(db, number).await?.ok_or(AppError::NotFound)
}

/// Writes a transition: the licence (if nobody changed it), its event, the audit entry, the
/// risk signal, and a notice to the holder.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn transition(
    state: &AppState,
    tx: &mut Tx,
    l: &Licence,
    next: &Licence,
    action: Action,
    reason: &str,
    legal_basis: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<(), AppError> {
    let now = next.updated_at;
    if !store::update(tx, next, l.revision).await? {
        return Err(refused("licence_changed"));
    }
    store::insert_event(
        tx,
        &LicenceEvent {
            id: kernel::new_id(),
            licence_id: l.id.clone(),
            action: action.code().into(),
            from_status: Some(l.status.clone()),
            to_status: next.status.clone(),
            reason: reason.into(),
            legal_basis: legal_basis.into(),
            actor: actor.id().into(),
            at: now,
        },
    )
    .await?;
    let detail = format!("{} {}: {reason}", l.number, action.code());
    kernel::audit::record(
        &state.db,
        tx,
        actor,
        origin,
        Event::new(&format!("regulatory.licence.{}", action.code()), "reg_licence", &l.id).detail(&detail),
    )
    .await?;
    kernel::jobs::publish(
        tx,
        &state.jobs,
        crate::SIGNAL_TOPIC,
        serde_json::json!({"premises_id": l.premises_id, "kind": "licence"}),
    )
    .await?;
    tell(state, tx, next, &format!("regulatory-licence-{}", action.code()), reason).await?;
    Ok(())
}

/// Tells the licence holder (when an account acts for it) in their language.
async fn tell(state: &AppState, tx: &mut Tx, l: &Licence, template: &str, detail: &str) -> anyhow::Result<()> {
    let Some(account) = store::account_of(tx, &l.id).await? else { return Ok(()) };
    let Some(c) = kernel::people::contact_in_tx(tx, &account, &account).await? else { return Ok(()) };
    let link = format!("{}/licensing", state.config.base_url());
    let values: Vec<(&str, &str)> = vec![
        ("name", &c.name),
        ("licence", &l.number),
        ("expires", &l.expires_on),
        ("detail", detail),
        ("link", &link),
    ];
    let msg = kernel::notify::Message {
        channel: c.channel,
        recipient: &c.recipient,
        locale: c.locale,
        template,
        values: &values,
    };
    kernel::notify::enqueue(tx, &msg).await?;
    Ok(())
}

fn needs(staff: &StaffIdentity, roles: &[Role]) -> Result<(), AppError> {
    if staff.roles.iter().any(|r| roles.contains(r)) {
        Ok(())
    } else {
        Err(AppError::Refused("not_allowed", StatusCode::FORBIDDEN))
    }
}

fn reason_and_basis(reason: &str, legal_basis: &str) -> Result<(), AppError> {
    let mut ps = Vec::new();
    if reason.trim().is_empty() {
        ps.push(Problem { field: "reason".into(), code: "reason_missing".into() });
    }
    if legal_basis.trim().is_empty() {
        ps.push(Problem { field: "legal_basis".into(), code: "legal_basis_missing".into() });
    }
    if ps.is_empty() { Ok(()) } else { Err(AppError::Incomplete(ps)) }
}

/// Suspends, reinstates or surrenders a licence (an officer or manager), with its reason and
/// legal basis. Revocation goes through [`propose_revocation`].
pub async fn act(
    state: &AppState,
    staff: &StaffIdentity,
    number: &str,
    action: Action,
    reason: &str,
    legal_basis: &str,
    origin: &Origin,
) -> Result<Licence, AppError> {
    needs(staff, &[Role::LicensingOfficer, Role::LicensingManager, Role::Admin])?;
    if !matches!(action, Action::Suspend | Action::Reinstate | Action::Surrender) {
        return Err(refused(if action == Action::Revoke { "needs_second_officer" } else { "transition_not_allowed" }));
    }
    reason_and_basis(reason, legal_basis)?;
    let l = licence(&state.db, number).await?;
    let to = rules::next(Status::parse(&l.status), action).map_err(refused)?;
    let next = Licence { status: to.code().into(), updated_at: kernel::now_ms(), ..l.clone() };
    let mut tx = state.db.begin().await?;
    transition(
        state,
        &mut tx,
        &l,
        &next,
        action,
        reason.trim(),
        legal_basis.trim(),
        &Actor::Staff(staff.id.clone()),
        origin,
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// The first officer proposes a revocation.
pub async fn propose_revocation(
    state: &AppState,
    staff: &StaffIdentity,
    number: &str,
    reason: &str,
    legal_basis: &str,
    origin: &Origin,
) -> Result<Proposal, AppError> {
    needs(staff, &[Role::LicensingOfficer, Role::LicensingManager, Role::Admin])?;
    reason_and_basis(reason, legal_basis)?;
    let l = licence(&state.db, number).await?;
    rules::next(Status::parse(&l.status), Action::Revoke).map_err(refused)?;
    let p = Proposal {
        id: kernel::new_id(),
        licence_id: l.id.clone(),
        action: "revoke".into(),
        reason: reason.trim().into(),
        legal_basis: legal_basis.trim().into(),
        proposed_by: staff.id.clone(),
        proposed_at: kernel::now_ms(),
        status: "pending".into(),
        decided_by: None,
        decided_at: None,
    };
    let mut tx = state.db.begin().await?;
    if !store::insert_proposal(&mut tx, &p).await? {
        return Err(refused("proposal_pending"));
    }
    kernel::audit::record(
        &state.db,
        &mut tx,
        &Actor::Staff(staff.id.clone()),
        origin,
        Event::new("regulatory.licence.propose-revoke", "reg_licence", &l.id).detail(&p.reason),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A second licensing manager (never the proposer) approves or rejects a pending revocation.
pub async fn decide_revocation(
    state: &AppState,
    staff: &StaffIdentity,
    number: &str,
    approve: bool,
    origin: &Origin,
) -> Result<Licence, AppError> {
    needs(staff, &[Role::LicensingManager])?;
    let l = licence(&state.db, number).await?;
    let p = store::pending_proposal(&state.db, &l.id).await?.ok_or(refused("no_proposal"))?;
    if p.proposed_by == staff.id {
        return Err(AppError::Refused("same_officer", StatusCode::FORBIDDEN));
    }
    let now = kernel::now_ms();
    let actor = Actor::Staff(staff.id.clone());
    let mut tx = state.db.begin().await?;
    if !store::decide_proposal(&mut tx, &p.id, if approve { "approved" } else { "rejected" }, &staff.id, now).await? {
        return Err(refused("no_proposal"));
    }
    let next = if approve {
        let to = rules::next(Status::parse(&l.status), Action::Revoke).map_err(refused)?;
        let next = Licence { status: to.code().into(), updated_at: now, ..l.clone() };
        transition(state, &mut tx, &l, &next, Action::Revoke, &p.reason, &p.legal_basis, &actor, origin).await?;
        next
    } else {
        kernel::audit::record(
            &state.db,
            &mut tx,
            &actor,
            origin,
            Event::new("regulatory.licence.reject-revoke", "reg_licence", &l.id),
        )
        .await?;
        l
    };
    tx.commit().await?;
    Ok(next)
}

/// The daily renewal round on `today`: reminders 90, 60 and 30 days before expiry (each once),
/// then every active licence past its expiry lapses, with a notice. Returns (reminders, lapsed).
pub async fn renewal_round(state: &AppState, today: chrono::NaiveDate) -> Result<(usize, usize), AppError> {
    let db = &state.db;
    let days: Vec<String> = rules::REMINDER_DAYS.iter().map(|d| (today + Duration::days(*d)).to_string()).collect();
    let mut reminders = 0;
    for l in store::active_expiring_on(db, &days).await? {
        let Ok(expires) = l.expires_on.parse::<chrono::NaiveDate>() else { continue };
        let Some(d) = rules::reminder_due(expires, today) else { continue };
        let mut tx = db.begin().await?;
        if store::insert_reminder(&mut tx, &l.id, &l.expires_on, d, kernel::now_ms()).await? {
            tell(state, &mut tx, &l, "regulatory-renewal-reminder", &d.to_string()).await?;
            reminders += 1;
        }
        tx.commit().await?;
    }
    let yesterday = (today - Duration::days(1)).to_string();
    let mut lapsed = 0;
    for l in store::active_expiring_by(db, &yesterday, 500).await? {
        let next = Licence { status: "lapsed".into(), updated_at: kernel::now_ms(), ..l.clone() };
        let mut tx = db.begin().await?;
        match transition(
            state,
            &mut tx,
            &l,
            &next,
            Action::Lapse,
            "Not renewed before expiry",
            "Licence conditions: validity",
            &Actor::System,
            &Origin::system(),
        )
        .await
        {
            Ok(()) => {
                tx.commit().await?;
                lapsed += 1;
            }
            // Changed meanwhile (renewed, say): left for the next round.
            Err(AppError::Refused(..)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok((reminders, lapsed))
}
