//! The workflow part of the demo world: two real processes deployed (complaint handling, and
//! document review with four-eyes approval), with weeks of backdated history planned by
//! [`rules`] (deterministic by seed) so that the mining page shows real bottlenecks, some cases
//! still running and one investigation overdue. Idempotent: nothing is added once the
//! complaint process is deployed.

pub mod rules;

use kernel::audit::{Actor, Origin};

use crate::definitions::store as defs;
use crate::instances::service::{By, EventIds, model, record};
use crate::instances::store::{self as inst, InstanceRow};
use crate::instances::{EngineError, TaskRow};
use crate::tasks::store as tasks;

pub const COMPLAINTS_BPMN: &str = include_str!("complaint_handling.bpmn");
pub const DOCUMENTS_BPMN: &str = include_str!("document_approval.bpmn");

/// What the seeding did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seeded {
    pub instances: usize,
    pub running: usize,
    pub events: usize,
}

/// Deploys the demo processes and writes their history (one transaction for the history,
/// audited). Does nothing when the complaint process is already deployed.
pub async fn seed(db: &kernel::Db, seed: u64) -> Result<Seeded, EngineError> {
    if defs::latest(db, rules::COMPLAINTS).await?.is_some() {
        return Ok(Seeded::default());
    }
    let (actor, origin) = (Actor::System, Origin::system());
    let complaints = crate::definitions::service::deploy(db, COMPLAINTS_BPMN, &actor, &origin).await?;
    let documents = crate::definitions::service::deploy(db, DOCUMENTS_BPMN, &actor, &origin).await?;
    let (cm, dm) = (model(&complaints)?, model(&documents)?);
    let now = kernel::now_ms();
    let plan = rules::plan(seed, now);
    let mut done = Seeded::default();
    let mut tx = db.begin().await?;
    for p in &plan {
        let (d, m) = if p.key == rules::COMPLAINTS { (&complaints, &cm) } else { (&documents, &dm) };
        let id = kernel::new_id();
        let running = p.ended_at.is_none();
        let row = InstanceRow {
            id: id.clone(),
            definition_id: d.id.clone(),
            status: if running { "running" } else { "completed" }.into(),
            waiting: serde_json::to_string(&p.waiting).unwrap_or_else(|_| "[]".into()),
            variables: p.variables.to_string(),
            revision: 1,
            started_by: "system".into(),
            started_at: p.started_at,
            ended_at: p.ended_at,
            reason: None,
        };
        inst::insert(&mut tx, &row).await?;
        for t in &p.tasks {
            let node = m.node(t.node);
            let task = TaskRow {
                id: kernel::new_id(),
                instance_id: id.clone(),
                node_id: t.node.into(),
                name: node.map(|n| n.label(false).to_string()).unwrap_or_else(|| t.node.into()),
                name_zh: node.and_then(|n| n.name_zh.clone()),
                roles: t.role.into(),
                status: "open".into(),
                assignee: None,
                created_at: t.created,
                claimed_at: None,
                completed_at: None,
                completed_by: None,
            };
            inst::insert_task(&mut tx, &task).await?;
            if let Some((who, at)) = &t.claimed {
                tasks::claim(&mut tx, &task.id, who, *at).await?;
                if let Some(at) = t.completed {
                    tasks::complete(&mut tx, &task.id, who, "{}", at).await?;
                }
            }
        }
        for (node, due, created) in &p.timers {
            inst::insert_timer(&mut tx, &id, node, *due, *created).await?;
        }
        let mut ids = EventIds::new();
        for e in &p.events {
            let by = By { actor: e.actor.as_deref(), role: e.role };
            record(&mut tx, d, m, &id, e.node, e.lifecycle, &by, e.at, &mut ids).await?;
        }
        done.instances += 1;
        done.running += usize::from(running);
        done.events += p.events.len();
    }
    let detail = format!("{} instances ({} running), {} events", done.instances, done.running, done.events);
    kernel::audit::record(
        db,
        &mut tx,
        &actor,
        &origin,
        kernel::audit::Event::new("workflow.demo.seed", "workflow_log", "demo").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(done)
}
