//! Use cases over the engine's own event log: export as XES or OCEL 2.0 JSON (audited).

use std::io::Write;
use std::path::Path;

use futures_util::TryStreamExt;
use kernel::audit::{Actor, Origin};

use super::store::{self, LogRow};
use super::{Event, ocel, xes};

/// The export formats of the event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// XES (IEEE 1849-2016).
    Xes,
    /// OCEL 2.0 JSON.
    Ocel2,
}

impl ExportFormat {
    pub fn code(self) -> &'static str {
        match self {
            ExportFormat::Xes => "xes",
            ExportFormat::Ocel2 => "ocel2",
        }
    }
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Exported {
    pub cases: u64,
    pub events: u64,
}

pub fn to_event(r: &LogRow) -> Event {
    Event {
        activity: r.activity.clone(),
        at: r.at * 1000,
        lifecycle: Some(r.lifecycle.clone()),
        role: r.role.clone(),
        resource: r.actor.clone(),
    }
}

/// Writes the whole event log to `path` (through a temporary file beside it, renamed at the
/// end: a failed export leaves nothing half-written) and records the export in the audit log.
pub async fn export(
    db: &kernel::Db,
    format: ExportFormat,
    path: &Path,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<Exported> {
    let tmp = path.with_extension(format!("{}.partial", path.extension().and_then(|e| e.to_str()).unwrap_or("")));
    let file = std::fs::File::create(&tmp).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", tmp.display()))?;
    let out = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = match format {
        ExportFormat::Xes => write_xes(db, out).await,
        ExportFormat::Ocel2 => write_ocel(db, out).await,
    };
    let written = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    let detail = format!("{} cases, {} events", written.cases, written.events);
    kernel::audit::record_now(
        db,
        actor,
        origin,
        kernel::audit::Event::new("workflow.log.export", "workflow_log", format.code()).detail(&detail),
    )
    .await?;
    Ok(written)
}

async fn write_xes(db: &kernel::Db, out: impl Write) -> anyhow::Result<Exported> {
    let mut w = xes::XesWriter::begin(out)?;
    let mut n = Exported::default();
    let mut rows = store::by_instance(db);
    let mut current: Option<(LogRow, Vec<Event>)> = None;
    let flush = |w: &mut xes::XesWriter<_>, c: &(LogRow, Vec<Event>)| -> std::io::Result<()> {
        let version = c.0.definition_version.to_string();
        w.trace(&c.0.instance_id, &[("phos:definition", &c.0.definition_key), ("phos:version", &version)], &c.1)
    };
    while let Some(r) = rows.try_next().await? {
        n.events += 1;
        match &mut current {
            Some((first, events)) if first.instance_id == r.instance_id => events.push(to_event(&r)),
            _ => {
                if let Some(c) = current.take() {
                    flush(&mut w, &c)?;
                    n.cases += 1;
                }
                let e = to_event(&r);
                current = Some((r, vec![e]));
            }
        }
    }
    if let Some(c) = current.take() {
        flush(&mut w, &c)?;
        n.cases += 1;
    }
    w.finish()?;
    Ok(n)
}

async fn write_ocel(db: &kernel::Db, out: impl Write) -> anyhow::Result<Exported> {
    use ocel::{AttributeType, EventAttribute, Object, ObjectAttribute, Relationship, TypeDef};
    let attr = |name: &str, kind| AttributeType { name: name.into(), kind };
    let mut object_types: Vec<TypeDef> = store::definitions(db)
        .await?
        .into_iter()
        .map(|name| TypeDef { name, attributes: vec![attr("definition_version", "integer")] })
        .collect();
    object_types.push(TypeDef { name: "staff".into(), attributes: vec![] });
    let event_types: Vec<TypeDef> = store::activities(db)
        .await?
        .into_iter()
        .map(|name| TypeDef {
            name,
            attributes: vec![attr("lifecycle", "string"), attr("role", "string"), attr("node", "string")],
        })
        .collect();
    let mut w = ocel::OcelWriter::begin(out, &object_types, &event_types)?;
    let mut n = Exported::default();
    // Objects: each instance (typed by its definition), then each member of staff who acted.
    let mut rows = store::by_instance(db);
    let mut last: Option<String> = None;
    while let Some(r) = rows.try_next().await? {
        if last.as_deref() != Some(&r.instance_id) {
            w.object(&Object {
                id: r.instance_id.clone(),
                kind: r.definition_key.clone(),
                attributes: vec![ObjectAttribute {
                    name: "definition_version".into(),
                    time: ocel::time(r.at * 1000),
                    value: r.definition_version.to_string(),
                }],
                relationships: vec![],
            })?;
            n.cases += 1;
            last = Some(r.instance_id);
        }
    }
    drop(rows);
    for a in store::actors(db).await? {
        w.object(&Object {
            id: format!("staff:{a}"),
            kind: "staff".into(),
            attributes: vec![],
            relationships: vec![],
        })?;
    }
    let mut rows = store::by_instance(db);
    while let Some(r) = rows.try_next().await? {
        let mut attributes = vec![
            EventAttribute { name: "lifecycle".into(), value: r.lifecycle.clone() },
            EventAttribute { name: "node".into(), value: r.node_id.clone() },
        ];
        if let Some(role) = &r.role {
            attributes.push(EventAttribute { name: "role".into(), value: role.clone() });
        }
        let mut relationships = vec![Relationship { object_id: r.instance_id.clone(), qualifier: "case".into() }];
        if let Some(a) = &r.actor {
            relationships.push(Relationship { object_id: format!("staff:{a}"), qualifier: "performed by".into() });
        }
        w.event(&ocel::Event { id: r.id, kind: r.activity, time: ocel::time(r.at * 1000), attributes, relationships })?;
        n.events += 1;
    }
    w.finish()?;
    Ok(n)
}
