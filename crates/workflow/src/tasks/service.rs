//! Task use cases, one transaction each, with the event log and the audit entry.
//!
//! - **Claim**: only someone holding one of the task's candidate roles; of two people claiming
//!   at once exactly one wins (one conditional UPDATE), the other is told `task_already_claimed`.
//! - **Release**: only the person who claimed it.
//! - **Complete**: only the person who claimed it, with form data merged into the instance
//!   variables; the instance moves on in the same transaction.
//! - **Delegate**: the claimer hands the task to a named member of staff holding a candidate
//!   role; **reassign** (a manager, in bulk, all or nothing) likewise; both keep the four-eyes
//!   rule and record a `reassign` event with who it went from and to.
//! - **Comments** and **attachments**: anyone who may see the task ([`rules::may_see`]).
//! - **Four-eyes**: a task with `phos:fourEyes="Task_prepare"` refuses (at claim and at
//!   completion) the person who completed the preparing task in the same instance.

use axum::http::StatusCode;
use kernel::audit::{Actor, Origin};
use serde_json::Value;

use super::{Attachment, Comment, rules, store};
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

// ---- Delegation, reassignment, comments, attachments -------------------------------------

/// A member of staff a task may be handed to, found by id or e-mail (active accounts only).
pub struct Person {
    pub id: String,
    pub roles: Vec<&'static str>,
}

/// Finds an active member of staff by id or e-mail.
pub async fn person(db: &kernel::Db, who: &str) -> Result<Option<Person>, EngineError> {
    use kernel::identity::staff::store as staff;
    let who = who.trim();
    if who.is_empty() {
        return Ok(None);
    }
    let found = match staff::by_id(db, who).await? {
        Some(u) => Some(u),
        None => staff::by_email(db, who).await?,
    };
    Ok(found
        .filter(|u| u.status == "active")
        .map(|u| Person { id: u.id.clone(), roles: u.roles.iter().map(|r| r.code()).collect() }))
}

/// The definition model of an instance (for four-eyes and activity names), without the
/// closures a timer needs.
async fn definition_of(
    db: &kernel::Db,
    instance_id: &str,
) -> Result<(crate::definitions::store::Deployed, std::sync::Arc<crate::definitions::Definition>), EngineError> {
    let i = crate::instances::store::get(db, instance_id).await?.ok_or(EngineError::NotFound)?;
    let deployed = crate::definitions::store::by_id(db, &i.definition_id).await?.ok_or(EngineError::NotFound)?;
    let def = inst::model(&deployed)?;
    Ok((deployed, def))
}

fn four_eyes_of(def: &crate::definitions::Definition, node: &str) -> Option<String> {
    match def.node(node).map(|n| &n.kind) {
        Some(NodeKind::UserTask { four_eyes_with, .. }) => four_eyes_with.clone(),
        _ => None,
    }
}

/// A `reassign` event with who the task went from and to.
#[allow(clippy::too_many_arguments)]
async fn record_reassign(
    tx: &mut kernel::db::Tx,
    d: &crate::definitions::store::Deployed,
    def: &crate::definitions::Definition,
    task: &TaskRow,
    by: &By<'_>,
    from: Option<&str>,
    to: &str,
    at: i64,
    ids: &mut EventIds,
) -> sqlx::Result<()> {
    let row = crate::mining::store::LogRow {
        id: ids.fresh(),
        instance_id: task.instance_id.clone(),
        definition_key: d.process_key.clone(),
        definition_version: d.version,
        node_id: task.node_id.clone(),
        activity: def.node(&task.node_id).map(|n| n.label(false).to_string()).unwrap_or_else(|| task.node_id.clone()),
        lifecycle: "reassign".into(),
        actor: by.actor.map(Into::into),
        role: by.role.map(Into::into),
        at,
        data: serde_json::json!({ "from": from, "to": to }).to_string(),
    };
    crate::mining::store::append(tx, &row).await
}

/// The claimer hands the task to another member of staff who holds one of its candidate
/// roles (and whom the four-eyes rule does not exclude). The task stays claimed, now by them.
pub async fn delegate(
    db: &kernel::Db,
    id: &str,
    to: &str,
    w: &Worker<'_>,
    origin: &Origin,
) -> Result<TaskRow, EngineError> {
    let task = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    if task.status != "claimed" || task.assignee.as_deref() != Some(w.id) {
        return Err(match task.status.as_str() {
            "open" | "claimed" => refused("task_not_yours", StatusCode::CONFLICT),
            _ => refused("task_closed", StatusCode::CONFLICT),
        });
    }
    let target = person(db, to).await?.ok_or(refused("assignee_unknown", StatusCode::UNPROCESSABLE_ENTITY))?;
    if target.id == w.id {
        return Err(refused("assignee_is_you", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let (deployed, def) = definition_of(db, &task.instance_id).await?;
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let excluded = match four_eyes_of(&def, &task.node_id) {
        Some(prep) => store::last_completer(&mut tx, &task.instance_id, &prep).await?,
        None => None,
    };
    rules::may_take(&task.roles, &target.id, &target.roles, excluded.as_deref())
        .map_err(|code| refused(code, StatusCode::UNPROCESSABLE_ENTITY))?;
    if !store::delegate(&mut tx, id, w.id, &target.id, now).await? {
        return Err(why_not(&mut tx, id, false).await?);
    }
    let mut ids = EventIds::new();
    let by = By { actor: Some(w.id), role: acting_role(&task, w) };
    record_reassign(&mut tx, &deployed, &def, &task, &by, Some(w.id), &target.id, now, &mut ids).await?;
    kernel::audit::record(
        db,
        &mut tx,
        &Actor::Staff(w.id.into()),
        origin,
        kernel::audit::Event::new("workflow.task.delegate", "workflow_task", id).detail(&target.id),
    )
    .await?;
    tx.commit().await?;
    store::get(db, id).await?.ok_or(EngineError::NotFound)
}

/// One task a bulk reassignment refused, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Refusal {
    pub task: String,
    /// The task's name (its id when it was not found).
    pub name: String,
    /// A stable code: `task_not_found`, `task_closed`, `assignee_lacks_role`,
    /// `assignee_four_eyes`, `task_changed`.
    pub code: String,
}

/// Why a bulk reassignment did not happen.
#[derive(Debug)]
pub enum ReassignError {
    /// Some tasks cannot go to that person: nothing was changed.
    Refused(Vec<Refusal>),
    Engine(EngineError),
}

impl<E: Into<EngineError>> From<E> for ReassignError {
    fn from(e: E) -> Self {
        ReassignError::Engine(e.into())
    }
}

/// A manager gives the selected open or claimed tasks to one person, all or nothing: each is
/// checked (the person holds a candidate role; four-eyes), and if any is refused none moves and
/// every refusal is reported. Each task gets its `reassign` event and audit entry.
pub async fn reassign(
    db: &kernel::Db,
    ids: &[String],
    to: &str,
    manager: &Worker<'_>,
    origin: &Origin,
) -> Result<Vec<TaskRow>, ReassignError> {
    let ids = rules::bulk_ids(ids).map_err(|code| EngineError::Refused(code, StatusCode::UNPROCESSABLE_ENTITY))?;
    let target =
        person(db, to).await?.ok_or(EngineError::Refused("assignee_unknown", StatusCode::UNPROCESSABLE_ENTITY))?;
    let now = kernel::now_ms();
    let mut found = Vec::new();
    let mut refusals = Vec::new();
    let mut models = std::collections::HashMap::new();
    for id in &ids {
        match store::get(db, id).await? {
            None => refusals.push(Refusal { task: id.clone(), name: id.clone(), code: "task_not_found".into() }),
            Some(t) if t.status != "open" && t.status != "claimed" => {
                refusals.push(Refusal { task: id.clone(), name: t.name.clone(), code: "task_closed".into() })
            }
            Some(t) => {
                if !models.contains_key(&t.instance_id) {
                    let m = definition_of(db, &t.instance_id).await?;
                    models.insert(t.instance_id.clone(), m);
                }
                found.push(t);
            }
        }
    }
    let mut tx = db.begin().await?;
    for t in &found {
        let (_, def) = &models[&t.instance_id];
        let excluded = match four_eyes_of(def, &t.node_id) {
            Some(prep) => store::last_completer(&mut tx, &t.instance_id, &prep).await?,
            None => None,
        };
        if let Err(code) = rules::may_take(&t.roles, &target.id, &target.roles, excluded.as_deref()) {
            refusals.push(Refusal { task: t.id.clone(), name: t.name.clone(), code: code.into() });
        }
    }
    if !refusals.is_empty() {
        refusals.sort_by_key(|r| ids.iter().position(|i| *i == r.task));
        return Err(ReassignError::Refused(refusals));
    }
    let mut events = EventIds::new();
    let role = rules::MANAGERS.iter().map(|r| r.code()).find(|r| manager.roles.contains(r));
    let by = By { actor: Some(manager.id), role };
    for t in &found {
        if !store::reassign(&mut tx, &t.id, &t.status, t.assignee.as_deref(), &target.id, now).await? {
            // Someone claimed, released or completed it meanwhile: nothing moves.
            return Err(ReassignError::Refused(vec![Refusal {
                task: t.id.clone(),
                name: t.name.clone(),
                code: "task_changed".into(),
            }]));
        }
        let (deployed, def) = &models[&t.instance_id];
        record_reassign(&mut tx, deployed, def, t, &by, t.assignee.as_deref(), &target.id, now, &mut events).await?;
        kernel::audit::record(
            db,
            &mut tx,
            &Actor::Staff(manager.id.into()),
            origin,
            kernel::audit::Event::new("workflow.task.reassign", "workflow_task", &t.id).detail(&target.id),
        )
        .await?;
    }
    tx.commit().await?;
    let mut out = Vec::new();
    for t in &found {
        out.push(store::get(db, &t.id).await?.ok_or(EngineError::NotFound)?);
    }
    Ok(out)
}

/// The task, if the worker may see it (else not found, so that ids do not leak).
pub async fn visible(db: &kernel::Db, id: &str, w: &Worker<'_>) -> Result<TaskRow, EngineError> {
    let task = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    if !rules::may_see(&task.roles, task.assignee.as_deref(), w.id, w.roles) {
        return Err(refused("task_not_visible", StatusCode::FORBIDDEN));
    }
    Ok(task)
}

/// Adds a comment to a task the worker may see.
pub async fn comment(
    db: &kernel::Db,
    id: &str,
    text: &str,
    w: &Worker<'_>,
    origin: &Origin,
) -> Result<Comment, EngineError> {
    let task = visible(db, id, w).await?;
    let body = rules::comment(text).map_err(|code| refused(code, StatusCode::UNPROCESSABLE_ENTITY))?;
    let c = Comment {
        id: kernel::new_id(),
        task_id: task.id.clone(),
        instance_id: task.instance_id.clone(),
        author: w.id.into(),
        body,
        created_at: kernel::now_ms(),
    };
    let mut tx = db.begin().await?;
    store::insert_comment(&mut tx, &c).await?;
    kernel::audit::record(
        db,
        &mut tx,
        &Actor::Staff(w.id.into()),
        origin,
        kernel::audit::Event::new("workflow.task.comment", "workflow_task", id).detail(&c.id),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

/// Why an attachment was not stored.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Refused(kernel::files::rules::FileRefusal),
    #[error(transparent)]
    Files(#[from] kernel::files::FileError),
}

impl From<sqlx::Error> for AttachError {
    fn from(e: sqlx::Error) -> Self {
        AttachError::Engine(e.into())
    }
}

/// Stores a file for a task the worker may see: checked (size, kind by content, name), the
/// bytes put in the file store, then the metadata and audit entry in one transaction; if that
/// fails the bytes are removed again.
pub async fn attach(
    db: &kernel::Db,
    files: &kernel::files::FileStore,
    id: &str,
    name: &str,
    bytes: bytes::Bytes,
    w: &Worker<'_>,
    origin: &Origin,
) -> Result<Attachment, AttachError> {
    use sha2::Digest;
    let task = visible(db, id, w).await?;
    if task.status != "open" && task.status != "claimed" {
        return Err(refused("task_closed", StatusCode::CONFLICT).into());
    }
    let (file_name, media_type) =
        kernel::files::rules::check(name, &bytes, files.max_bytes).map_err(AttachError::Refused)?;
    let a = Attachment {
        id: kernel::new_id(),
        task_id: task.id.clone(),
        instance_id: task.instance_id.clone(),
        file_key: kernel::files::FileStore::new_key("workflow"),
        file_name,
        media_type: media_type.into(),
        size_bytes: bytes.len() as i64,
        sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        uploaded_by: w.id.into(),
        uploaded_at: kernel::now_ms(),
    };
    files.put(&a.file_key, bytes).await?;
    let written = async {
        let mut tx = db.begin().await?;
        store::insert_attachment(&mut tx, &a).await?;
        kernel::audit::record(
            db,
            &mut tx,
            &Actor::Staff(w.id.into()),
            origin,
            kernel::audit::Event::new("workflow.task.attach", "workflow_task", id).detail(&a.id),
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = written {
        let _ = files.delete(&a.file_key).await;
        return Err(e.into());
    }
    Ok(a)
}

/// An attachment's metadata and bytes, for someone who may see its task (audited: files may
/// hold personal data).
pub async fn download(
    db: &kernel::Db,
    files: &kernel::files::FileStore,
    attachment: &str,
    w: &Worker<'_>,
    origin: &Origin,
) -> Result<(Attachment, bytes::Bytes), AttachError> {
    let a = store::attachment_by_id(db, attachment).await?.ok_or(EngineError::NotFound)?;
    visible(db, &a.task_id, w).await?;
    let bytes = files.get(&a.file_key).await?;
    kernel::audit::record_now(
        db,
        &Actor::Staff(w.id.into()),
        origin,
        kernel::audit::Event::new("workflow.task.download", "workflow_attachment", &a.id),
    )
    .await?;
    Ok((a, bytes))
}
