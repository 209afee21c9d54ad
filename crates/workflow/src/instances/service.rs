//! Instance use cases, one transaction each, with the event log and the audit entry: start an
//! instance, deliver a message. Also the shared step that turns the interpreter's effects into
//! rows (tasks, timers, events), used by the task use cases too.

use axum::http::StatusCode;
use kernel::audit::{Actor, Origin};
use kernel::db::Tx;
use serde::Serialize;
use serde_json::Value;

use super::rules::{self, Effect};
use super::store::{self, InstanceRow};
use super::{EngineError, TaskRow};
use crate::definitions::store::{self as defs, Deployed};
use crate::definitions::{Definition, NodeKind, bpmn};
use crate::mining::store::{LogRow, append};
use crate::sla::rules::{Clock, Office};

/// An instance as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct InstanceView {
    pub id: String,
    /// The process key and the version the instance runs on.
    pub definition: String,
    pub version: i64,
    pub status: String,
    /// The nodes where the instance waits.
    pub waiting: Vec<String>,
    #[schema(value_type = Object)]
    pub variables: Value,
    pub started_at: i64,
    pub ended_at: Option<i64>,
    pub tasks: Vec<TaskRow>,
    /// The instance's SLA clocks.
    pub clocks: Vec<crate::sla::service::ClockView>,
}

/// Parsed models of deployed definitions by id. A deployed version never changes, so each is
/// parsed once per process (a few hundred definitions at most) instead of on every step.
static MODELS: std::sync::LazyLock<std::sync::RwLock<std::collections::HashMap<String, std::sync::Arc<Definition>>>> =
    std::sync::LazyLock::new(Default::default);

/// Reads a deployed definition's model (it was validated when deployed), parsed once.
pub fn model(d: &Deployed) -> Result<std::sync::Arc<Definition>, EngineError> {
    if let Some(m) = MODELS.read().ok().and_then(|m| m.get(&d.id).cloned()) {
        return Ok(m);
    }
    let parsed = bpmn::parse(&d.bpmn)
        .0
        .ok_or(EngineError::Refused("definition_unreadable", StatusCode::INTERNAL_SERVER_ERROR))?;
    let parsed = std::sync::Arc::new(parsed);
    if let Ok(mut m) = MODELS.write() {
        m.insert(d.id.clone(), parsed.clone());
    }
    Ok(parsed)
}

fn object(v: Value) -> Result<Value, EngineError> {
    match v {
        Value::Object(_) => Ok(v),
        Value::Null => Ok(Value::Object(Default::default())),
        _ => Err(EngineError::Refused("variables_not_object", StatusCode::UNPROCESSABLE_ENTITY)),
    }
}

/// `base` with the keys of `more` set.
pub fn merge(base: &mut Value, more: Value) {
    if let (Some(b), Value::Object(m)) = (base.as_object_mut(), more) {
        b.extend(m);
    }
}

/// Who acted, for the event log.
pub struct By<'a> {
    pub actor: Option<&'a str>,
    pub role: Option<&'a str>,
}

/// Ids for a batch of events written at one instant, ordered as written.
pub struct EventIds {
    batch: String,
    n: usize,
}

impl EventIds {
    pub fn new() -> EventIds {
        EventIds { batch: kernel::new_id(), n: 0 }
    }

    pub fn fresh(&mut self) -> String {
        self.n += 1;
        format!("{}-{:04}", self.batch, self.n)
    }
}

impl Default for EventIds {
    fn default() -> Self {
        Self::new()
    }
}

/// Records one event of a task or node with an actor.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    d: &Deployed,
    def: &Definition,
    instance: &str,
    node: &str,
    lifecycle: &str,
    by: &By<'_>,
    at: i64,
    ids: &mut EventIds,
) -> sqlx::Result<()> {
    let row = LogRow {
        id: ids.fresh(),
        instance_id: instance.into(),
        definition_key: d.process_key.clone(),
        definition_version: d.version,
        node_id: node.into(),
        activity: def.node(node).map(|n| n.label(false).to_string()).unwrap_or_else(|| node.to_string()),
        lifecycle: lifecycle.into(),
        actor: by.actor.map(Into::into),
        role: by.role.map(Into::into),
        at,
        data: "{}".into(),
    };
    append(tx, &row).await
}

/// Turns the interpreter's effects into rows: an event for each, a task for each user task, a
/// timer for each timer event. Automatic steps are recorded as the system's.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    tx: &mut Tx,
    d: &Deployed,
    def: &Definition,
    instance: &str,
    effects: &[Effect],
    clock: &Clock<'_>,
    now: i64,
    ids: &mut EventIds,
) -> sqlx::Result<()> {
    let system = By { actor: Some("system"), role: None };
    for e in effects {
        match e {
            Effect::Passed { node } | Effect::Ran { node } => {
                record(tx, d, def, instance, node, "complete", &system, now, ids).await?;
            }
            Effect::Task { node } => {
                let n = def.node(node);
                let roles = match n.map(|n| &n.kind) {
                    Some(NodeKind::UserTask { roles, .. }) => roles.join(","),
                    _ => String::new(),
                };
                let task = TaskRow {
                    id: kernel::new_id(),
                    instance_id: instance.into(),
                    node_id: node.clone(),
                    name: n.map(|n| n.label(false).to_string()).unwrap_or_else(|| node.clone()),
                    name_zh: n.and_then(|n| n.name_zh.clone()),
                    roles,
                    status: "open".into(),
                    assignee: None,
                    created_at: now,
                    claimed_at: None,
                    completed_at: None,
                    completed_by: None,
                };
                store::insert_task(tx, &task).await?;
                record(tx, d, def, instance, node, "schedule", &By { actor: None, role: None }, now, ids).await?;
            }
            Effect::Timer { node, wait } => {
                let due = clock.deadline(now, *wait).map(|d| d.at).unwrap_or(i64::MAX);
                store::insert_timer(tx, instance, node, due, now).await?;
                // A task is due when its interrupting timer boundary event fires.
                if let Some(NodeKind::BoundaryTimer { attached_to, interrupting: true, .. }) =
                    def.node(node).map(|n| &n.kind)
                    && due != i64::MAX
                {
                    store::set_task_due(tx, instance, attached_to, due).await?;
                }
                record(tx, d, def, instance, node, "schedule", &system, now, ids).await?;
            }
            Effect::Message { node, .. } => {
                record(tx, d, def, instance, node, "schedule", &system, now, ids).await?;
            }
            Effect::Aborted { node } => {
                record(tx, d, def, instance, node, "ate_abort", &system, now, ids).await?;
            }
            Effect::Completed => {}
        }
    }
    Ok(())
}

/// Enqueues, in the step's transaction, a job for each service task that ran and belongs to
/// another area (`kernel::process`): the job's kind is the service name. `revision` is the
/// instance's revision after the step, which orders the calls (`ServiceCall::seq`).
pub async fn call_areas(
    tx: &mut Tx,
    def: &Definition,
    instance: &str,
    effects: &[Effect],
    vars: &Value,
    revision: i64,
) -> sqlx::Result<()> {
    let mut key = None;
    for (i, e) in effects.iter().enumerate() {
        let Effect::Ran { node } = e else { continue };
        let Some(NodeKind::ServiceTask { service }) = def.node(node).map(|n| &n.kind) else { continue };
        if !kernel::process::is_external(service) {
            continue;
        }
        if key.is_none() {
            key = Some(store::business_key_of(tx, instance).await?.unwrap_or_else(|| (def.key.clone(), String::new())));
        }
        let (process, business_key) = key.clone().unwrap_or_default();
        let call = kernel::process::ServiceCall {
            instance_id: instance.into(),
            process,
            business_key,
            node: node.clone(),
            variables: vars.clone(),
            seq: revision * 1000 + i as i64,
        };
        let payload = serde_json::to_value(&call).unwrap_or(Value::Null);
        kernel::jobs::enqueue(tx, kernel::jobs::NewJob::new(service, payload)).await?;
    }
    Ok(())
}

/// The business clock for timers (territory-wide closures from the database).
pub async fn closures(db: &kernel::Db, now: i64) -> sqlx::Result<Vec<kernel::hk::Closure>> {
    // From 400 days back: SLA clocks recompute their deadlines from their start.
    crate::sla::service::closures_around(db, now).await
}

/// Hook for SLA clocks: they follow each step of the instance, in its transaction.
#[allow(clippy::too_many_arguments)]
async fn track_slas(
    tx: &mut Tx,
    def: &Definition,
    definition_id: &str,
    instance: &str,
    variables: &Value,
    effects: &[Effect],
    waiting: &[String],
    first: bool,
    ended: bool,
    now: i64,
    closures: &[kernel::hk::Closure],
) -> Result<(), EngineError> {
    let entered: Vec<&str> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Passed { node } | Effect::Ran { node } | Effect::Task { node } => Some(node.as_str()),
            Effect::Timer { node, .. } | Effect::Message { node, .. } => Some(node.as_str()),
            _ => None,
        })
        .collect();
    let m = crate::sla::service::Moment {
        definition_id,
        instance,
        variables,
        first,
        entered: &entered,
        waiting,
        ended,
        now,
    };
    if !crate::sla::service::track(tx, def, &m, closures).await? {
        return Err(EngineError::Refused("instance_changed", StatusCode::CONFLICT));
    }
    Ok(())
}

fn completed(effects: &[Effect]) -> bool {
    effects.contains(&Effect::Completed)
}

/// The API view of an instance.
pub async fn view(db: &kernel::Db, id: &str) -> Result<InstanceView, EngineError> {
    let i = store::get(db, id).await?.ok_or(EngineError::NotFound)?;
    let d = defs::by_id(db, &i.definition_id).await?.ok_or(EngineError::NotFound)?;
    Ok(InstanceView {
        id: i.id.clone(),
        definition: d.process_key,
        version: d.version,
        status: i.status,
        waiting: serde_json::from_str(&i.waiting).unwrap_or_default(),
        variables: serde_json::from_str(&i.variables).unwrap_or(Value::Null),
        started_at: i.started_at,
        ended_at: i.ended_at,
        tasks: store::tasks_of_instance(db, &i.id).await?,
        clocks: crate::sla::service::clocks(db, &i.id).await?,
    })
}

/// Starts an instance of the latest version of `key` with `variables`: runs the automatic
/// steps at once and stops at the first user tasks, timers or messages.
pub async fn start(
    db: &kernel::Db,
    key: &str,
    variables: Value,
    actor: &Actor,
    origin: &Origin,
) -> Result<InstanceView, EngineError> {
    start_for(db, key, None, variables, actor, origin).await
}

/// Starts an instance of `key` for another area's record `business_key` (at most one per key:
/// when one exists already, that one is returned and nothing is written).
pub async fn start_for(
    db: &kernel::Db,
    key: &str,
    business_key: Option<&str>,
    variables: Value,
    actor: &Actor,
    origin: &Origin,
) -> Result<InstanceView, EngineError> {
    if let Some(k) = business_key
        && let Some(id) = store::by_business_key(db, key, k).await?
    {
        return view(db, &id).await;
    }
    let d = defs::latest(db, key).await?.ok_or(EngineError::NotFound)?;
    let def = model(&d)?;
    let mut vars = object(variables)?;
    let (waiting, effects) = rules::start(&def, &mut vars, &crate::definitions::services::call)?;
    let now = kernel::now_ms();
    let closures = closures(db, now).await?;
    let calendar = kernel::hk::calendar::Calendar::hong_kong(&closures);
    let clock =
        Clock { calendar: &calendar, closures: &closures, district: "", office: Office::default(), pauses: &[] };
    let done = completed(&effects);
    let row = InstanceRow {
        id: kernel::new_id(),
        definition_id: d.id.clone(),
        status: if done { "completed" } else { "running" }.into(),
        waiting: serde_json::to_string(&waiting).unwrap_or_else(|_| "[]".into()),
        variables: vars.to_string(),
        revision: 1,
        started_by: actor.id().into(),
        started_at: now,
        ended_at: done.then_some(now),
        reason: None,
    };
    let mut tx = db.begin().await?;
    store::insert(&mut tx, &row).await?;
    if let Some(k) = business_key
        && !store::insert_business_key(&mut tx, key, k, &row.id).await?
    {
        // Started meanwhile by another replica: keep that one.
        drop(tx);
        let id = store::by_business_key(db, key, k).await?.ok_or(EngineError::NotFound)?;
        return view(db, &id).await;
    }
    let mut ids = EventIds::new();
    apply(&mut tx, &d, &def, &row.id, &effects, &clock, now, &mut ids).await?;
    call_areas(&mut tx, &def, &row.id, &effects, &vars, row.revision).await?;
    track_slas(&mut tx, &def, &d.id, &row.id, &vars, &effects, &waiting, true, done, now, &closures).await?;
    let detail = format!("{} v{}", d.process_key, d.version);
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        kernel::audit::Event::new("workflow.instance.start", "workflow_instance", &row.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    view(db, &row.id).await
}

/// What a resumption needs that is read before its transaction begins.
pub struct Prepared {
    pub deployed: Deployed,
    pub def: std::sync::Arc<Definition>,
    pub closures: Vec<kernel::hk::Closure>,
}

/// Reads the definition of an instance and the closures its timers need (outside any
/// transaction).
pub async fn prepare(db: &kernel::Db, instance_id: &str, now: i64) -> Result<Prepared, EngineError> {
    let i = store::get(db, instance_id).await?.ok_or(EngineError::NotFound)?;
    let deployed = defs::by_id(db, &i.definition_id).await?.ok_or(EngineError::NotFound)?;
    let def = model(&deployed)?;
    Ok(Prepared { deployed, def, closures: closures(db, now).await? })
}

/// Moves an instance on from `node` inside `tx` (after a task completed or a message arrived):
/// merges `more` into the variables, runs, writes the new state only if nobody changed the
/// instance meanwhile, and records the effects.
pub async fn resume_in(
    tx: &mut Tx,
    p: &Prepared,
    instance: &InstanceRow,
    node: &str,
    more: Value,
    ids: &mut EventIds,
    now: i64,
) -> Result<(), EngineError> {
    if instance.status != "running" {
        return Err(EngineError::Refused("instance_not_running", StatusCode::CONFLICT));
    }
    let mut vars: Value = serde_json::from_str(&instance.variables).unwrap_or(Value::Object(Default::default()));
    merge(&mut vars, object(more)?);
    let waiting: Vec<String> = serde_json::from_str(&instance.waiting).unwrap_or_default();
    let (waiting, effects) = rules::resume(&p.def, &waiting, node, &mut vars, &crate::definitions::services::call)?;
    let calendar = kernel::hk::calendar::Calendar::hong_kong(&p.closures);
    let clock =
        Clock { calendar: &calendar, closures: &p.closures, district: "", office: Office::default(), pauses: &[] };
    let done = completed(&effects);
    let next = InstanceRow {
        status: if done { "completed" } else { "running" }.into(),
        waiting: serde_json::to_string(&waiting).unwrap_or_else(|_| "[]".into()),
        variables: vars.to_string(),
        ended_at: done.then_some(now),
        ..instance.clone()
    };
    if !store::advance(tx, &next, instance.revision).await? {
        return Err(EngineError::Refused("instance_changed", StatusCode::CONFLICT));
    }
    store::cancel_stale(tx, &instance.id, &waiting).await?;
    apply(tx, &p.deployed, &p.def, &instance.id, &effects, &clock, now, ids).await?;
    call_areas(tx, &p.def, &instance.id, &effects, &vars, instance.revision + 1).await?;
    track_slas(tx, &p.def, &p.deployed.id, &instance.id, &vars, &effects, &waiting, false, done, now, &p.closures)
        .await?;
    Ok(())
}

/// Delivers the message `name` to an instance waiting for it.
pub async fn message(
    db: &kernel::Db,
    id: &str,
    name: &str,
    variables: Value,
    actor: &Actor,
    origin: &Origin,
) -> Result<InstanceView, EngineError> {
    let now = kernel::now_ms();
    let p = prepare(db, id, now).await?;
    let mut tx = db.begin().await?;
    let instance = store::get_in(&mut tx, id).await?.ok_or(EngineError::NotFound)?;
    let waiting: Vec<String> = serde_json::from_str(&instance.waiting).unwrap_or_default();
    let node = waiting
        .iter()
        .find(|w| {
            matches!(p.def.node(w).map(|n| &n.kind),
                Some(NodeKind::Message { message } | NodeKind::BoundaryMessage { message, .. }) if message == name)
        })
        .cloned()
        .ok_or(EngineError::Refused("message_not_expected", StatusCode::CONFLICT))?;
    let mut ids = EventIds::new();
    let by = By { actor: Some(actor.id()), role: None };
    record(&mut tx, &p.deployed, &p.def, id, &node, "complete", &by, now, &mut ids).await?;
    resume_in(&mut tx, &p, &instance, &node, variables, &mut ids, now).await?;
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        kernel::audit::Event::new("workflow.instance.message", "workflow_instance", id).detail(name),
    )
    .await?;
    tx.commit().await?;
    view(db, id).await
}

/// How long a claim on a due timer lasts: a replica that stops while holding timers leaves them
/// to the others after this.
pub const TIMER_LEASE_MS: i64 = 30_000;

/// Claims the timers due at `now` (at most `limit`) and fires them, each in its own transaction
/// and exactly once: the instance moves on from the timer, its events at `now`. A timer of an
/// instance that is no longer running or no longer waits there is cancelled. A timer whose
/// continuation fails (a service task refusing, say) is left pending, logged, and tried again
/// once its claim has run out; the others still fire. Returns the number fired.
pub async fn fire_due(db: &kernel::Db, now: i64, limit: i64) -> Result<u64, EngineError> {
    let claimed = store::claim_due(db, now, now + TIMER_LEASE_MS, limit).await?;
    fire_claimed(db, &claimed, || now).await
}

/// [`fire_due`] at the real clock: claims what is due now and records each firing at the
/// instant it happens (the safety-net job).
pub async fn fire_due_now(db: &kernel::Db, limit: i64) -> Result<u64, EngineError> {
    let now = kernel::now_ms();
    let claimed = store::claim_due(db, now, now + TIMER_LEASE_MS, limit).await?;
    fire_claimed(db, &claimed, kernel::now_ms).await
}

/// Fires timers this replica has claimed, in order; `clock` gives the instant each one fires
/// at (the timer loop reads the real clock for each, so that the log shows when it fired).
/// The definitions and the closures are read once per batch (deployed definitions never
/// change). Returns the number fired.
pub async fn fire_claimed(
    db: &kernel::Db,
    claimed: &[store::DueTimer],
    clock: impl Fn() -> i64,
) -> Result<u64, EngineError> {
    if claimed.is_empty() {
        return Ok(0);
    }
    let closures = closures(db, clock()).await?;
    let mut models: std::collections::HashMap<String, std::sync::Arc<(Deployed, std::sync::Arc<Definition>)>> =
        Default::default();
    let mut fired = 0;
    for t in claimed {
        let now = clock();
        match fire_one(db, t, &closures, &mut models, now).await {
            Ok(true) => fired += 1,
            Ok(false) => {}
            Err(EngineError::Db(e)) => return Err(EngineError::Db(e)),
            Err(e) => tracing::warn!(timer = %t.id, instance = %t.instance_id, error = %e, "workflow timer not fired"),
        }
    }
    Ok(fired)
}

async fn fire_one(
    db: &kernel::Db,
    t: &store::DueTimer,
    closures: &[kernel::hk::Closure],
    models: &mut std::collections::HashMap<String, std::sync::Arc<(Deployed, std::sync::Arc<Definition>)>>,
    now: i64,
) -> Result<bool, EngineError> {
    let i = store::get(db, &t.instance_id).await?.ok_or(EngineError::NotFound)?;
    let m = match models.get(&i.definition_id) {
        Some(m) => m.clone(),
        None => {
            let d = defs::by_id(db, &i.definition_id).await?.ok_or(EngineError::NotFound)?;
            let def = model(&d)?;
            let m = std::sync::Arc::new((d, def));
            models.insert(i.definition_id.clone(), m.clone());
            m
        }
    };
    let p = Prepared { deployed: m.0.clone(), def: m.1.clone(), closures: closures.to_vec() };
    let (timer, instance_id, node) = (&t.id, &t.instance_id, &t.node_id);
    let mut tx = db.begin().await?;
    let instance = store::get_in(&mut tx, instance_id).await?.ok_or(EngineError::NotFound)?;
    let waiting: Vec<String> = serde_json::from_str(&instance.waiting).unwrap_or_default();
    if instance.status != "running" || !waiting.iter().any(|w| w == node) {
        store::close_timer(&mut tx, timer, "cancelled").await?;
        tx.commit().await?;
        return Ok(false);
    }
    if !store::close_timer(&mut tx, timer, "fired").await? {
        return Ok(false);
    }
    let mut ids = EventIds::new();
    let system = By { actor: Some("system"), role: None };
    record(&mut tx, &p.deployed, &p.def, instance_id, node, "complete", &system, now, &mut ids).await?;
    resume_in(&mut tx, &p, &instance, node, Value::Object(Default::default()), &mut ids, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Cancels a running instance with a reason: its open tasks and pending timers are cancelled,
/// each step it waited at is recorded as aborted, and the cancellation is audited.
pub async fn cancel(
    db: &kernel::Db,
    id: &str,
    reason: &str,
    actor: &Actor,
    origin: &Origin,
) -> Result<InstanceView, EngineError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(EngineError::Refused("cancel_reason_required", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let now = kernel::now_ms();
    let p = prepare(db, id, now).await?;
    let mut tx = db.begin().await?;
    let instance = store::get_in(&mut tx, id).await?.ok_or(EngineError::NotFound)?;
    if instance.status != "running" {
        return Err(EngineError::Refused("instance_not_running", StatusCode::CONFLICT));
    }
    let waiting: Vec<String> = serde_json::from_str(&instance.waiting).unwrap_or_default();
    let next = InstanceRow {
        status: "cancelled".into(),
        waiting: "[]".into(),
        ended_at: Some(now),
        reason: Some(reason.into()),
        ..instance.clone()
    };
    if !store::advance(&mut tx, &next, instance.revision).await? {
        return Err(EngineError::Refused("instance_changed", StatusCode::CONFLICT));
    }
    store::cancel_waits(&mut tx, id).await?;
    let mut ids = EventIds::new();
    let by = By { actor: Some(actor.id()), role: None };
    for node in &waiting {
        record(&mut tx, &p.deployed, &p.def, id, node, "ate_abort", &by, now, &mut ids).await?;
    }
    let vars: Value = serde_json::from_str(&instance.variables).unwrap_or(Value::Null);
    track_slas(&mut tx, &p.def, &p.deployed.id, id, &vars, &[], &[], false, true, now, &p.closures).await?;
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        kernel::audit::Event::new("workflow.instance.cancel", "workflow_instance", id).detail(reason),
    )
    .await?;
    tx.commit().await?;
    view(db, id).await
}
