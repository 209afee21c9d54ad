//! The port between the areas and the workflow engine. Areas never depend on the workflow
//! crate: they declare their processes and service tasks in their [`Area`](crate::Area), start
//! instances and deliver messages by enqueueing durable jobs in their own transaction (so that
//! an application and the process that handles it begin together or not at all), and learn
//! what the process does through jobs whose kind is a service-task name they declared.
//!
//! - [`start`]: enqueues [`START_JOB`]; the workflow area starts the latest version of the
//!   process with the business key (once: a second start for the same key does nothing).
//! - [`message`]: enqueues [`MESSAGE_JOB`]; the workflow area delivers the message to the
//!   running instance with that business key.
//! - A service task `phos:service="regulatory.grant"` whose name an area declared in
//!   [`Process::services`] does not run inside the engine: the engine enqueues a job of kind
//!   `regulatory.grant` with a [`ServiceCall`] payload in the same transaction as the step, and
//!   moves on; the area's handler does the work exactly once (the job queue's guarantee).

use std::collections::BTreeSet;
use std::sync::RwLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::Tx;
use crate::jobs::{NewJob, enqueue};

/// A process an area ships (deployed at start-up when it changed) and the service tasks it
/// handles itself.
#[derive(Clone, Copy, Debug)]
pub struct Process {
    /// BPMN 2.0 XML.
    pub bpmn: &'static str,
}

/// The job that starts a process instance.
pub const START_JOB: &str = "workflow.start-process";
/// The job that delivers a message to a process instance.
pub const MESSAGE_JOB: &str = "workflow.deliver-message";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartProcess {
    /// The process key (BPMN process id).
    pub process: String,
    /// The area's reference for what the instance is about (an application's case reference).
    pub business_key: String,
    pub variables: Value,
    /// Who started it (a staff or citizen id, or "system").
    pub started_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessMessage {
    pub process: String,
    pub business_key: String,
    /// The BPMN message name the instance waits for.
    pub message: String,
    pub variables: Value,
}

/// The payload of a service-task job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceCall {
    pub instance_id: String,
    pub process: String,
    pub business_key: String,
    /// The service task's node id.
    pub node: String,
    /// The instance's variables after the step.
    pub variables: Value,
    /// Increases with every step of the instance: jobs may run out of order, so an area keeps
    /// the highest it has applied and ignores older calls.
    pub seq: i64,
}

/// Starts `s.process` for `s.business_key` once `tx` commits.
pub async fn start(tx: &mut Tx, s: &StartProcess) -> sqlx::Result<bool> {
    let payload = serde_json::to_value(s).unwrap_or(Value::Null);
    enqueue(tx, NewJob::new(START_JOB, payload).dedupe(format!("start:{}:{}", s.process, s.business_key))).await
}

/// Delivers `m.message` to the instance of `m.process` for `m.business_key` once `tx` commits.
pub async fn message(tx: &mut Tx, m: &ProcessMessage) -> sqlx::Result<bool> {
    let payload = serde_json::to_value(m).unwrap_or(Value::Null);
    enqueue(tx, NewJob::new(MESSAGE_JOB, payload)).await
}

static EXTERNAL: RwLock<BTreeSet<String>> = RwLock::new(BTreeSet::new());

/// Records the service-task names areas handle themselves (idempotent).
pub fn register_services<'a>(names: impl IntoIterator<Item = &'a str>) {
    let mut set = EXTERNAL.write().unwrap_or_else(|e| e.into_inner());
    set.extend(names.into_iter().map(str::to_string));
}

/// Whether an area handles the service task `name`.
pub fn is_external(name: &str) -> bool {
    EXTERNAL.read().unwrap_or_else(|e| e.into_inner()).contains(name)
}

/// Every service-task name areas handle.
pub fn external_services() -> Vec<String> {
    EXTERNAL.read().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
}

/// The service-task names declared in a BPMN document: every `phos:service="…"` value.
pub fn services_in(bpmn: &str) -> Vec<&str> {
    bpmn.split("phos:service=\"").skip(1).filter_map(|s| s.split('"').next()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_found_and_registered() {
        let xml = r#"<x phos:service="demo.a"/><y phos:service="demo.b" />"#;
        assert_eq!(services_in(xml), vec!["demo.a", "demo.b"]);
        register_services(services_in(xml));
        assert!(is_external("demo.a") && !is_external("demo.c"));
    }
}
