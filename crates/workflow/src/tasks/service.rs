//! Task use cases, one transaction each, with the event log and the audit entry.
//!
//! - **Claim**: only someone holding one of the task's candidate roles; of two people claiming
//!   at once exactly one wins (one conditional UPDATE), the other is told `task_already_claimed`.
//! - **Release**: only the person who claimed it.
//! - **Complete**: only the person who claimed it, with form data merged into the instance
//!   variables; the instance moves on in the same transaction.
//! - **Four-eyes**: a task with `phos:fourEyes="Task_prepare"` refuses (at claim and at
//!   completion) the person who completed the preparing task in the same instance.

use axum::http::StatusCode;
use kernel::audit::{Actor, Origin};
use serde_json::Value;

use super::store;
use crate::definitions::NodeKind;
use crate::instances::EngineError;
use crate::instances::TaskRow;
use crate::instances::service::{self as inst, By, EventIds, InstanceView};

/// A member of staff acting on a task.
pub struct Worker<'a> {
    pub id: &'a str,
    /// Role codes the person holds.
    pub roles: &'a [&'a str],
}

fn refused(code: &'static str, status: StatusCode) -> EngineError {
    EngineError::Refused(code, status)
}

/// The first of the task's roles that the worker holds.
fn acting_role<'a>(task: &'a TaskRow, w: &Worker) -> Option<&'a str> {
    task.roles.split(',').map(str::trim).find(|r| w.roles.contains(r))
}

fn four_eyes_with(p: &inst::Prepared, node: &str) -> Option<String> {
    match p.def.node(node).map(|n| &n.kind) {
        Some(NodeKind::UserTask { four_eyes_with, .. }) => four_eyes_with.clone(),
        _ => None,
    }
}

/// Why a conditional update did not change the task, read back after it.
/// `claiming` tells a lost claim (`task_already_claimed`) from a completion by someone who does
/// not hold the task (`task_not_yours`).
async fn why_not(tx: &mut kernel::db::Tx, id: &str, claiming: bool) -> Result<EngineError, EngineError> {
    let t = store::get_in(tx, id).await?.ok_or(EngineError::NotFound)?;
    Ok(match t.status.as_str() {
        "claimed" if claiming => refused("task_already_claimed", StatusCode::CONFLICT),
        "claimed" | "open" => refused("task_not_yours", StatusCode::CONFLICT),
        _ => refused("task_closed", StatusCode::CONFLICT),
    })
}

pub async fn claim(db: &kernel::Db, id: &str, w: &Worker<'_>, origin: &Origin) -> Result<TaskRow, EngineError> {
    let task = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    let role = acting_role(&task, w).ok_or(refused("task_not_for_your_roles", StatusCode::FORBIDDEN))?;
    let now = kernel::now_ms();
    let p = inst::prepare(db, &task.instance_id, now).await?;
    let four_eyes = four_eyes_with(&p, &task.node_id);
    let mut tx = db.begin().await?;
    if let Some(prep) = four_eyes
        && store::last_completer(&mut tx, &task.instance_id, &prep).await?.as_deref() == Some(w.id)
    {
        return Err(refused("four_eyes", StatusCode::FORBIDDEN));
    }
    if !store::claim(&mut tx, id, w.id, now).await? {
        return Err(why_not(&mut tx, id, true).await?);
    }
    let mut ids = EventIds::new();
    let by = By { actor: Some(w.id), role: Some(role) };
    inst::record(&mut tx, &p.deployed, &p.def, &task.instance_id, &task.node_id, "start", &by, now, &mut ids).await?;
    let actor = Actor::Staff(w.id.into());
    kernel::audit::record(
        db,
        &mut tx,
        &actor,
        origin,
        kernel::audit::Event::new("workflow.task.claim", "workflow_task", id),
    )
    .await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(EngineError::NotFound)
}

pub async fn release(db: &kernel::Db, id: &str, w: &Worker<'_>, origin: &Origin) -> Result<TaskRow, EngineError> {
    let task = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    let now = kernel::now_ms();
    let p = inst::prepare(db, &task.instance_id, now).await?;
    let mut tx = db.begin().await?;
    if !store::release(&mut tx, id, w.id).await? {
        return Err(refused("task_not_yours", StatusCode::CONFLICT));
    }
    let mut ids = EventIds::new();
    let by = By { actor: Some(w.id), role: acting_role(&task, w) };
    inst::record(&mut tx, &p.deployed, &p.def, &task.instance_id, &task.node_id, "reassign", &by, now, &mut ids)
        .await?;
    let actor = Actor::Staff(w.id.into());
    kernel::audit::record(
        db,
        &mut tx,
        &actor,
        origin,
        kernel::audit::Event::new("workflow.task.release", "workflow_task", id),
    )
    .await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(EngineError::NotFound)
}

pub async fn complete(
    db: &kernel::Db,
    id: &str,
    form: Value,
    w: &Worker<'_>,
    origin: &Origin,
) -> Result<InstanceView, EngineError> {
    let task = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    let now = kernel::now_ms();
    let p = inst::prepare(db, &task.instance_id, now).await?;
    let four_eyes = four_eyes_with(&p, &task.node_id);
    let mut tx = db.begin().await?;
    if let Some(prep) = four_eyes
        && store::last_completer(&mut tx, &task.instance_id, &prep).await?.as_deref() == Some(w.id)
    {
        return Err(refused("four_eyes", StatusCode::FORBIDDEN));
    }
    let form_text = if form.is_null() { "{}".to_string() } else { form.to_string() };
    if !store::complete(&mut tx, id, w.id, &form_text, now).await? {
        return Err(why_not(&mut tx, id, false).await?);
    }
    let instance = crate::instances::store::get_in(&mut tx, &task.instance_id).await?.ok_or(EngineError::NotFound)?;
    let mut ids = EventIds::new();
    let by = By { actor: Some(w.id), role: acting_role(&task, w) };
    inst::record(&mut tx, &p.deployed, &p.def, &task.instance_id, &task.node_id, "complete", &by, now, &mut ids)
        .await?;
    inst::resume_in(&mut tx, &p, &instance, &task.node_id, form, &mut ids, now).await?;
    let actor = Actor::Staff(w.id.into());
    kernel::audit::record(
        db,
        &mut tx,
        &actor,
        origin,
        kernel::audit::Event::new("workflow.task.complete", "workflow_task", id).detail(&task.node_id),
    )
    .await?;
    tx.commit().await?;
    inst::view(db, &task.instance_id).await
}
