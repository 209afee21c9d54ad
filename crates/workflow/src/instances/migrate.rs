//! Moving running instances from one version of a definition to another
//! (`phos workflow migrate --from complaint:1 --to complaint:2 [--dry-run]`,
//! `POST /api/v1/workflow/migrations`).
//!
//! An instance moves when every node where it waits (its `waiting` list, the nodes of its open
//! tasks and of its pending timers) exists in the target version as the same kind of node. If
//! any instance would be stranded, nothing is written and the report lists each stranded
//! instance and node. A dry run writes nothing either. Otherwise all instances move in one
//! transaction, with an event in the log per instance and one audit entry for the migration.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use kernel::audit::{Actor, Origin};
use serde::Serialize;

use super::EngineError;
use super::service::model;
use super::store;
use crate::definitions::Definition;
use crate::definitions::store::{self as defs, Deployed};
use crate::mining::store::{LogRow, append};

/// A version named in a migration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VersionRef {
    pub id: String,
    pub process_key: String,
    pub version: i64,
}

/// A node where an instance waits that the target version lacks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StrandedNode {
    pub node: String,
    /// `missing` (no such node in the target) or `different_kind`.
    pub reason: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Stranded {
    pub instance: String,
    pub nodes: Vec<StrandedNode>,
}

/// What a migration did (or, for a dry run or when instances would be stranded, would do).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub from: VersionRef,
    pub to: VersionRef,
    pub dry_run: bool,
    /// True when the instances were moved (not a dry run, nothing stranded).
    pub written: bool,
    /// The instances that move (or would move).
    pub instances: Vec<String>,
    pub stranded: Vec<Stranded>,
}

/// The nodes among `nodes` that `target` lacks or has as another kind of node than `source`.
pub fn stranded_nodes<'a>(
    source: &Definition,
    target: &Definition,
    nodes: impl IntoIterator<Item = &'a str>,
) -> Vec<StrandedNode> {
    let set: BTreeSet<&str> = nodes.into_iter().collect();
    set.into_iter()
        .filter_map(|n| match (source.node(n), target.node(n)) {
            (_, None) => Some(StrandedNode { node: n.into(), reason: "missing" }),
            (Some(s), Some(t)) if std::mem::discriminant(&s.kind) != std::mem::discriminant(&t.kind) => {
                Some(StrandedNode { node: n.into(), reason: "different_kind" })
            }
            _ => None,
        })
        .collect()
}

fn refused(code: &'static str, status: StatusCode) -> EngineError {
    EngineError::Refused(code, status)
}

/// Finds a version by `key:version` or by definition id.
pub async fn resolve(db: &kernel::Db, spec: &str) -> Result<Deployed, EngineError> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(refused("migration_bad_version", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let found = match spec.rsplit_once(':') {
        Some((key, v)) if !key.is_empty() => {
            let v: i64 = v.parse().map_err(|_| refused("migration_bad_version", StatusCode::UNPROCESSABLE_ENTITY))?;
            defs::by_key_version(db, key, v).await?
        }
        _ => defs::by_id(db, spec).await?,
    };
    found.ok_or(refused("migration_not_found", StatusCode::NOT_FOUND))
}

fn version_ref(d: &Deployed) -> VersionRef {
    VersionRef { id: d.id.clone(), process_key: d.process_key.clone(), version: d.version }
}

/// Moves the running instances of `from` to `to` (see the module's rules).
pub async fn migrate(
    db: &kernel::Db,
    from: &str,
    to: &str,
    dry_run: bool,
    actor: &Actor,
    origin: &Origin,
) -> Result<Report, EngineError> {
    let (from, to) = (resolve(db, from).await?, resolve(db, to).await?);
    if from.process_key != to.process_key {
        return Err(refused("migration_different_process", StatusCode::UNPROCESSABLE_ENTITY));
    }
    if from.id == to.id {
        return Err(refused("migration_same_version", StatusCode::UNPROCESSABLE_ENTITY));
    }
    let (source, target) = (model(&from)?, model(&to)?);
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let running = store::running_of(&mut tx, &from.id).await?;
    let mut report = Report {
        from: version_ref(&from),
        to: version_ref(&to),
        dry_run,
        written: false,
        instances: Vec::new(),
        stranded: Vec::new(),
    };
    for (i, open) in &running {
        let waiting: Vec<String> = serde_json::from_str(&i.waiting).unwrap_or_default();
        let nodes = stranded_nodes(&source, &target, waiting.iter().chain(open).map(String::as_str));
        if nodes.is_empty() {
            report.instances.push(i.id.clone());
        } else {
            report.stranded.push(Stranded { instance: i.id.clone(), nodes });
        }
    }
    if dry_run || !report.stranded.is_empty() {
        tx.rollback().await?;
        return Ok(report);
    }
    let data =
        serde_json::json!({ "from": from.id, "from_version": from.version, "to": to.id, "to_version": to.version })
            .to_string();
    for (i, _) in &running {
        if !store::move_to(&mut tx, &i.id, &to.id, i.revision).await? {
            return Err(refused("instance_changed", StatusCode::CONFLICT));
        }
        append(
            &mut tx,
            &LogRow {
                id: kernel::new_id(),
                instance_id: i.id.clone(),
                definition_key: to.process_key.clone(),
                definition_version: to.version,
                node_id: "phos:migration".into(),
                activity: format!("Migrated to version {}", to.version),
                lifecycle: "complete".into(),
                actor: Some(actor.id().to_string()),
                role: None,
                at: now,
                data: data.clone(),
            },
        )
        .await?;
    }
    let detail = format!("{} v{} -> v{}: {} instances", from.process_key, from.version, to.version, running.len());
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        kernel::audit::Event::new("workflow.instance.migrate", "workflow_definition", &to.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::{Registry, bpmn, check};

    fn def(body: &str) -> Definition {
        let xml = format!(
            "<definitions xmlns='{}' xmlns:phos='urn:phos:bpmn:1'><process id='p' isExecutable='true'>{body}</process></definitions>",
            bpmn::MODEL_NS
        );
        check(&xml, &Registry::new([], ["inspector"])).unwrap_or_else(|p| panic!("{p:#?}"))
    }

    #[test]
    fn nodes_missing_or_changed_in_the_target_strand_an_instance() {
        let v1 = def("<startEvent id='s'/><userTask id='a' phos:candidateRoles='inspector'/>\
             <userTask id='b' phos:candidateRoles='inspector'/><endEvent id='e'/>\
             <sequenceFlow id='1' sourceRef='s' targetRef='a'/><sequenceFlow id='2' sourceRef='a' targetRef='b'/>\
             <sequenceFlow id='3' sourceRef='b' targetRef='e'/>");
        // v2: "a" kept, "b" became a message wait, "c" is new.
        let v2 = def("<startEvent id='s'/><userTask id='a' phos:candidateRoles='inspector'/>\
             <intermediateCatchEvent id='b'><messageEventDefinition messageRef='m'/></intermediateCatchEvent>\
             <userTask id='c' phos:candidateRoles='inspector'/><endEvent id='e'/>\
             <sequenceFlow id='1' sourceRef='s' targetRef='a'/><sequenceFlow id='2' sourceRef='a' targetRef='b'/>\
             <sequenceFlow id='3' sourceRef='b' targetRef='c'/><sequenceFlow id='4' sourceRef='c' targetRef='e'/>");
        assert!(stranded_nodes(&v1, &v2, ["a", "a"]).is_empty());
        assert_eq!(stranded_nodes(&v1, &v2, ["b", "a"]), [StrandedNode { node: "b".into(), reason: "different_kind" }]);
        assert_eq!(
            stranded_nodes(&v2, &v1, ["c", "zz"]),
            [
                StrandedNode { node: "c".into(), reason: "missing" },
                StrandedNode { node: "zz".into(), reason: "missing" }
            ]
        );
    }
}
