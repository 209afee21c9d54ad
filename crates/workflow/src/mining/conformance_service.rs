//! Conformance checking as use cases: a log file against a BPMN file (the CLI), and the
//! engine's own log against a deployed definition (the API). The replay itself is pure
//! ([`super::conformance`]).

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::conformance::{Net, Summary, SummaryBuilder, TraceResult, replay};
use super::{LogError, LogFormat, Trace, read_log};
use crate::definitions::{Definition, bpmn};

/// One trace's replay, named.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CaseResult {
    /// The trace's name (XES `concept:name`) or the instance id; the trace's number (from 1)
    /// when it has no name.
    pub case: String,
    /// How many events were replayed.
    pub events: usize,
    #[serde(flatten)]
    pub result: TraceResult,
}

/// A conformance report: every case and the log's figures.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub definition: String,
    pub version: Option<i64>,
    pub summary: Summary,
    pub cases: Vec<CaseResult>,
    /// True when `cases` was cut at [`MAX_CASES`] (the summary still covers every case).
    pub truncated: bool,
}

/// The most cases listed one by one in a report.
pub const MAX_CASES: usize = 10_000;

/// The events that count as steps: lifecycle `complete`, or none.
fn completed(t: &Trace) -> Vec<&str> {
    t.events
        .iter()
        .filter(|e| e.lifecycle.as_deref().is_none_or(|l| l.eq_ignore_ascii_case("complete")))
        .map(|e| e.activity.as_str())
        .collect()
}

fn check_all<'a>(
    def: &Definition,
    version: Option<i64>,
    cases: impl Iterator<Item = (String, Vec<&'a str>)> + Clone,
) -> Report {
    let seen: BTreeSet<&str> = cases.clone().flat_map(|(_, a)| a).collect();
    let net = Net::from_definition(def, &|a| seen.contains(a));
    let mut summary = SummaryBuilder::default();
    let mut out = Vec::new();
    for (case, acts) in cases {
        let result = replay(&net, &acts);
        summary.add(&result);
        if out.len() < MAX_CASES {
            out.push(CaseResult { case, events: acts.len(), result });
        }
    }
    let summary = summary.finish();
    let truncated = summary.traces > out.len();
    Report { definition: def.key.clone(), version, summary, cases: out, truncated }
}

/// Why a file check could not run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0}")]
    Log(#[from] LogError),
    #[error("the definition cannot be used: {0}")]
    Definition(String),
}

/// Reads a BPMN file's model (its structure only: roles and services need not exist here).
pub fn read_definition(path: &Path) -> Result<Definition, CheckError> {
    let xml = std::fs::read_to_string(path)
        .map_err(|e| CheckError::Definition(format!("cannot read {}: {e}", path.display())))?;
    match bpmn::parse(&xml) {
        (Some(d), problems) if problems.is_empty() => Ok(d),
        (_, problems) => {
            Err(CheckError::Definition(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
        }
    }
}

/// Checks every case of the log at `log` against the definition at `bpmn_path`.
pub fn check_file(bpmn_path: &Path, log: &Path, format: LogFormat) -> Result<Report, CheckError> {
    let def = read_definition(bpmn_path)?;
    let mut traces: Vec<(String, Trace)> = Vec::new();
    read_log(log, format, |t| {
        let name = t.name.clone().unwrap_or_else(|| (traces.len() + 1).to_string());
        traces.push((name, t));
    })?;
    let cases: Vec<(String, Vec<&str>)> = traces.iter().map(|(n, t)| (n.clone(), completed(t))).collect();
    Ok(check_all(&def, None, cases.iter().map(|(n, a)| (n.clone(), a.clone()))))
}

/// Checks every instance of a deployed definition version, over the engine's own log.
pub async fn check_deployed(db: &kernel::Db, definition_id: &str) -> Result<Option<Report>, sqlx::Error> {
    let Some(d) = crate::definitions::store::by_id(db, definition_id).await? else { return Ok(None) };
    let Some(def) = bpmn::parse(&d.bpmn).0 else { return Ok(None) };
    let rows = super::store::completed_steps(db, &d.process_key, d.version).await?;
    let mut cases: Vec<(String, Vec<&str>)> = Vec::new();
    for (instance, activity) in &rows {
        match cases.last_mut() {
            Some((i, acts)) if i == instance => acts.push(activity),
            _ => cases.push((instance.clone(), vec![activity])),
        }
    }
    Ok(Some(check_all(&def, Some(d.version), cases.iter().map(|(n, a)| (n.clone(), a.clone())))))
}
