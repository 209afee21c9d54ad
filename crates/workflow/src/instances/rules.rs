//! The token interpreter, pure: given a definition, the nodes where the instance waits and its
//! variables, run from the start (or from one waiting node) until every thread waits again or
//! the instance ends. Service tasks are called through a function the caller passes in.
//!
//! Semantics (the executable subset):
//! - a start event, gateway or service task passes its token on at once; a node with several
//!   outgoing flows (other than an exclusive gateway) sends a token down each;
//! - an exclusive gateway takes the first flow (in document order) whose condition holds, else
//!   its default flow; none is an error (`no_path`);
//! - a parallel gateway with several incoming flows waits until a token has arrived on each,
//!   then merges them;
//! - a user task, an intermediate timer and an intermediate message event hold their token
//!   until [`resume`] is called for that node;
//! - a sub-process starts its inner start event, and passes its token on when no token is left
//!   inside it;
//! - the instance completes when no token is left;
//! - a boundary event waits (an entry in `waiting`) while its task or sub-process is active
//!   and is disarmed when the activity finishes; when it fires ([`resume`] at the boundary
//!   event), an interrupting one aborts its activity (and everything inside a sub-process),
//!   a non-interrupting one leaves it running; either way its outgoing flows are taken.

use serde_json::Value;

use crate::definitions::timer::Wait;
use crate::definitions::{Definition, NodeKind, expr};

/// The most nodes one run may pass through (a guard against a cycle of automatic steps).
pub const MAX_STEPS: usize = 10_000;

/// What a run did, in order: each becomes an event in the log (and a task, a timer…).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Passed through an event, gateway or sub-process boundary.
    Passed { node: String },
    /// A service task ran.
    Ran { node: String },
    /// A user task now waits for someone.
    Task { node: String },
    /// A timer now waits.
    Timer { node: String, wait: Wait },
    /// A message catch event now waits.
    Message { node: String, message: String },
    /// An activity was aborted by an interrupting boundary event.
    Aborted { node: String },
    /// No token is left: the instance has completed.
    Completed,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    #[error("no flow out of gateway {0} applies and it has no default flow")]
    NoPath(String),
    #[error("service task {node} failed: {message}")]
    ServiceFailed { node: String, message: String },
    #[error("the instance is not waiting at {0}")]
    NotWaiting(String),
    #[error("more than {MAX_STEPS} automatic steps: the definition loops")]
    Runaway,
    #[error("the definition has no start event")]
    NoStart,
}

impl RunError {
    pub fn code(&self) -> &'static str {
        match self {
            RunError::NoPath(_) => "workflow_no_path",
            RunError::ServiceFailed { .. } => "workflow_service_failed",
            RunError::NotWaiting(_) => "workflow_not_waiting",
            RunError::Runaway => "workflow_runaway",
            RunError::NoStart => "workflow_no_start",
        }
    }
}

/// Calls the service task registered under a name, with the instance variables.
pub type CallService<'a> = &'a dyn Fn(&str, &mut Value) -> Result<(), String>;

struct Run<'a> {
    def: &'a Definition,
    call: CallService<'a>,
    waiting: Vec<String>,
    effects: Vec<Effect>,
    queue: std::collections::VecDeque<String>,
}

impl Run<'_> {
    fn inside(&self, node: &str, scope: &str) -> bool {
        let mut at = self.def.node(node).and_then(|n| n.parent.clone());
        while let Some(p) = at {
            if p == scope {
                return true;
            }
            at = self.def.node(&p).and_then(|n| n.parent.clone());
        }
        false
    }

    /// Boundary events attached to `activity`.
    fn boundaries(&self, activity: &str) -> Vec<&'_ crate::definitions::Node> {
        self.def
            .nodes
            .iter()
            .filter(|n| match &n.kind {
                NodeKind::BoundaryTimer { attached_to, .. } | NodeKind::BoundaryMessage { attached_to, .. } => {
                    attached_to == activity
                }
                _ => false,
            })
            .collect()
    }

    /// The activity has started: its boundary events wait.
    fn arm(&mut self, activity: &str) {
        let mut armed = Vec::new();
        for b in self.boundaries(activity) {
            match &b.kind {
                NodeKind::BoundaryTimer { wait, .. } => armed.push((
                    b.id.clone(),
                    Effect::Timer { node: b.id.clone(), wait: wait.clone().unwrap_or(Wait::Calendar(0)) },
                )),
                NodeKind::BoundaryMessage { message, .. } => {
                    armed.push((b.id.clone(), Effect::Message { node: b.id.clone(), message: message.clone() }))
                }
                _ => {}
            }
        }
        for (id, e) in armed {
            self.waiting.push(id);
            self.effects.push(e);
        }
    }

    /// The activity has finished (or was aborted): its boundary events no longer wait.
    fn disarm(&mut self, activity: &str) {
        let ids: Vec<String> = self.boundaries(activity).iter().map(|b| b.id.clone()).collect();
        self.waiting.retain(|w| !ids.contains(w));
    }

    fn send_on(&mut self, node: &str) {
        for f in self.def.outgoing(node) {
            self.queue.push_back(f.target.clone());
        }
    }

    fn go(&mut self, vars: &mut Value) -> Result<(), RunError> {
        let mut steps = 0;
        while let Some(id) = self.queue.pop_front() {
            steps += 1;
            if steps > MAX_STEPS {
                return Err(RunError::Runaway);
            }
            let Some(node) = self.def.node(&id) else { continue };
            match &node.kind {
                NodeKind::Start { .. } => {
                    self.effects.push(Effect::Passed { node: id.clone() });
                    self.send_on(&id);
                }
                NodeKind::ServiceTask { service } => {
                    (self.call)(service, vars)
                        .map_err(|message| RunError::ServiceFailed { node: id.clone(), message })?;
                    self.effects.push(Effect::Ran { node: id.clone() });
                    self.send_on(&id);
                }
                NodeKind::UserTask { .. } => {
                    self.waiting.push(id.clone());
                    self.effects.push(Effect::Task { node: id.clone() });
                    self.arm(&id);
                }
                NodeKind::Timer { wait } => {
                    self.waiting.push(id.clone());
                    let wait = wait.clone().unwrap_or(Wait::Calendar(0));
                    self.effects.push(Effect::Timer { node: id.clone(), wait });
                }
                NodeKind::Message { message } => {
                    self.waiting.push(id.clone());
                    self.effects.push(Effect::Message { node: id.clone(), message: message.clone() });
                }
                NodeKind::Exclusive { default } => {
                    let mut chosen = None;
                    for f in self.def.outgoing(&id) {
                        if Some(&f.id) == default.as_ref() {
                            continue;
                        }
                        let holds = match &f.condition {
                            None => true,
                            Some(c) => expr::parse(c).map(|e| expr::eval(&e, vars)).unwrap_or(false),
                        };
                        if holds {
                            chosen = Some(f.target.clone());
                            break;
                        }
                    }
                    let chosen = chosen.or_else(|| {
                        default
                            .as_ref()
                            .and_then(|d| self.def.flows.iter().find(|f| &f.id == d))
                            .map(|f| f.target.clone())
                    });
                    let target = chosen.ok_or_else(|| RunError::NoPath(id.clone()))?;
                    self.effects.push(Effect::Passed { node: id.clone() });
                    self.queue.push_back(target);
                }
                NodeKind::Parallel => {
                    let incoming = self.def.incoming(&id).count();
                    if incoming > 1 {
                        let arrived = self.waiting.iter().filter(|w| **w == id).count() + 1;
                        if arrived < incoming {
                            self.waiting.push(id.clone());
                            continue;
                        }
                        self.waiting.retain(|w| *w != id);
                    }
                    self.effects.push(Effect::Passed { node: id.clone() });
                    self.send_on(&id);
                }
                NodeKind::SubProcess => {
                    self.effects.push(Effect::Passed { node: id.clone() });
                    self.arm(&id);
                    let starts: Vec<String> = self
                        .def
                        .nodes
                        .iter()
                        .filter(|n| n.parent.as_deref() == Some(id.as_str()))
                        .filter(|n| matches!(n.kind, NodeKind::Start { message: None }))
                        .map(|n| n.id.clone())
                        .collect();
                    self.queue.extend(starts);
                }
                NodeKind::End => {
                    self.effects.push(Effect::Passed { node: id.clone() });
                    if let Some(scope) = node.parent.clone() {
                        let busy = self.waiting.iter().chain(self.queue.iter()).any(|w| self.inside(w, &scope));
                        if !busy {
                            self.disarm(&scope);
                            self.effects.push(Effect::Passed { node: scope.clone() });
                            self.send_on(&scope);
                        }
                    }
                }
                NodeKind::BoundaryTimer { .. } | NodeKind::BoundaryMessage { .. } => {
                    self.send_on(&id);
                }
            }
        }
        if self.waiting.is_empty() {
            self.effects.push(Effect::Completed);
        }
        Ok(())
    }
}

/// Starts an instance: runs from the (first plain) start event. Returns the nodes where it
/// waits and what happened.
pub fn start(
    def: &Definition,
    vars: &mut Value,
    call: CallService<'_>,
) -> Result<(Vec<String>, Vec<Effect>), RunError> {
    let start = def
        .nodes
        .iter()
        .find(|n| n.parent.is_none() && matches!(n.kind, NodeKind::Start { message: None }))
        .or_else(|| def.nodes.iter().find(|n| n.parent.is_none() && matches!(n.kind, NodeKind::Start { .. })))
        .ok_or(RunError::NoStart)?;
    let mut run = Run { def, call, waiting: Vec::new(), effects: Vec::new(), queue: [start.id.clone()].into() };
    run.go(vars)?;
    Ok((run.waiting, run.effects))
}

/// Resumes an instance waiting at `node` (a user task completed, a timer fired, a message
/// arrived): that token moves on. Returns where it waits now and what happened.
pub fn resume(
    def: &Definition,
    waiting: &[String],
    node: &str,
    vars: &mut Value,
    call: CallService<'_>,
) -> Result<(Vec<String>, Vec<Effect>), RunError> {
    let mut waiting = waiting.to_vec();
    let Some(i) = waiting.iter().position(|w| w == node) else {
        return Err(RunError::NotWaiting(node.to_string()));
    };
    waiting.remove(i);
    let mut run = Run { def, call, waiting, effects: Vec::new(), queue: Default::default() };
    match def.node(node).map(|n| &n.kind) {
        Some(NodeKind::BoundaryTimer { attached_to, interrupting, .. })
        | Some(NodeKind::BoundaryMessage { attached_to, interrupting, .. }) => {
            if *interrupting {
                let activity = attached_to.clone();
                run.disarm(&activity);
                let inside: Vec<String> =
                    run.waiting.iter().filter(|w| **w == activity || run.inside(w, &activity)).cloned().collect();
                run.waiting.retain(|w| !inside.contains(w));
                run.effects.push(Effect::Aborted { node: activity });
            }
        }
        _ => run.disarm(node),
    }
    run.send_on(node);
    run.go(vars)?;
    Ok((run.waiting, run.effects))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::{Registry, bpmn::MODEL_NS, check};
    use serde_json::json;

    fn def(body: &str) -> Definition {
        let xml = format!(
            "<definitions xmlns='{MODEL_NS}' xmlns:phos='urn:phos:bpmn:1'><process id='p' isExecutable='true'>{body}</process></definitions>"
        );
        check(&xml, &Registry::new(["count", "fail"], ["inspector"])).unwrap_or_else(|p| panic!("{p:#?}"))
    }

    fn call(name: &str, vars: &mut Value) -> Result<(), String> {
        match name {
            "count" => {
                let n = vars["n"].as_i64().unwrap_or(0);
                vars["n"] = json!(n + 1);
                Ok(())
            }
            _ => Err("out of order".into()),
        }
    }

    const THREE_STEPS: &str = "<startEvent id='s'/><serviceTask id='auto' phos:service='count'/>\
        <userTask id='review' phos:candidateRoles='inspector'/><endEvent id='e'/>\
        <sequenceFlow id='1' sourceRef='s' targetRef='auto'/><sequenceFlow id='2' sourceRef='auto' targetRef='review'/>\
        <sequenceFlow id='3' sourceRef='review' targetRef='e'/>";

    #[test]
    fn start_runs_automatic_steps_and_waits_at_the_user_task() {
        let d = def(THREE_STEPS);
        let mut vars = json!({});
        let (waiting, effects) = start(&d, &mut vars, &call).unwrap();
        assert_eq!(waiting, ["review"]);
        assert_eq!(vars["n"], 1);
        assert_eq!(
            effects,
            [
                Effect::Passed { node: "s".into() },
                Effect::Ran { node: "auto".into() },
                Effect::Task { node: "review".into() }
            ]
        );
        let (waiting, effects) = resume(&d, &waiting, "review", &mut vars, &call).unwrap();
        assert!(waiting.is_empty());
        assert_eq!(effects, [Effect::Passed { node: "e".into() }, Effect::Completed]);
        assert_eq!(resume(&d, &[], "review", &mut vars, &call), Err(RunError::NotWaiting("review".into())));
    }

    #[test]
    fn exclusive_gateways_follow_conditions_then_the_default() {
        let d = def("<startEvent id='s'/><exclusiveGateway id='g' default='low'/>\
            <userTask id='big' phos:candidateRoles='inspector'/><userTask id='small' phos:candidateRoles='inspector'/>\
            <endEvent id='e'/><sequenceFlow id='1' sourceRef='s' targetRef='g'/>\
            <sequenceFlow id='high' sourceRef='g' targetRef='big'><conditionExpression>${amount &gt; 1000}</conditionExpression></sequenceFlow>\
            <sequenceFlow id='low' sourceRef='g' targetRef='small'/>\
            <sequenceFlow id='2' sourceRef='big' targetRef='e'/><sequenceFlow id='3' sourceRef='small' targetRef='e'/>");
        assert_eq!(start(&d, &mut json!({"amount": 5000}), &call).unwrap().0, ["big"]);
        assert_eq!(start(&d, &mut json!({"amount": 5}), &call).unwrap().0, ["small"]);
        assert_eq!(start(&d, &mut json!({}), &call).unwrap().0, ["small"]);
    }

    #[test]
    fn parallel_gateways_split_and_join() {
        let d = def(
            "<startEvent id='s'/><parallelGateway id='split'/><userTask id='a' phos:candidateRoles='inspector'/>\
            <userTask id='b' phos:candidateRoles='inspector'/><parallelGateway id='join'/><endEvent id='e'/>\
            <sequenceFlow id='1' sourceRef='s' targetRef='split'/><sequenceFlow id='2' sourceRef='split' targetRef='a'/>\
            <sequenceFlow id='3' sourceRef='split' targetRef='b'/><sequenceFlow id='4' sourceRef='a' targetRef='join'/>\
            <sequenceFlow id='5' sourceRef='b' targetRef='join'/><sequenceFlow id='6' sourceRef='join' targetRef='e'/>",
        );
        let mut vars = json!({});
        let (w, _) = start(&d, &mut vars, &call).unwrap();
        assert_eq!(w, ["a", "b"]);
        let (w, effects) = resume(&d, &w, "b", &mut vars, &call).unwrap();
        assert_eq!(w, ["a", "join"], "one token waits at the join");
        assert!(effects.is_empty());
        let (w, effects) = resume(&d, &w, "a", &mut vars, &call).unwrap();
        assert!(w.is_empty());
        assert_eq!(effects.last(), Some(&Effect::Completed));
    }

    #[test]
    fn the_complaint_process_runs_through_its_sub_process() {
        let xml = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bpmn/complaint.bpmn"),
        )
        .unwrap();
        let d = check(
            &xml,
            &Registry::new(
                ["workflow.escalate", "enquiries.acknowledge"],
                ["service_agent", "inspector", "licensing_officer"],
            ),
        )
        .unwrap();
        let ok = |_: &str, _: &mut Value| Ok(());
        let mut vars = json!({"severity": "serious", "amount": 3});
        let (w, _) = start(&d, &mut vars, &ok).unwrap();
        assert_eq!(w, ["Task_register"]);
        let (w, e) = resume(&d, &w, "Task_register", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Task_investigate", "Boundary_sla"], "the SLA timer waits beside the task");
        assert!(e.contains(&Effect::Timer { node: "Boundary_sla".into(), wait: Wait::BusinessDays(5) }));
        // The SLA timer fires (non-interrupting): escalation runs, the investigation goes on.
        let (w, e) = resume(&d, &w, "Boundary_sla", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Task_investigate"]);
        assert!(e.contains(&Effect::Ran { node: "Service_escalate".into() }));
        assert!(!e.contains(&Effect::Completed), "the instance still runs: {e:?}");
        let (w, _) = resume(&d, &w, "Task_investigate", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Wait_reply", "Task_prepare"]);
        let (w, _) = resume(&d, &w, "Task_prepare", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Wait_reply", "Task_approve"]);
        let (w, e) = resume(&d, &w, "Task_approve", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Wait_reply", "Join"]);
        assert!(e.contains(&Effect::Passed { node: "Sub_review".into() }), "the sub-process ends: {e:?}");
        let (w, e) = resume(&d, &w, "Wait_reply", &mut vars, &ok).unwrap();
        assert_eq!(w, ["Timer_cool"]);
        assert_eq!(e.last(), Some(&Effect::Timer { node: "Timer_cool".into(), wait: Wait::Calendar(4 * 3600) }));
        let (w, e) = resume(&d, &w, "Timer_cool", &mut vars, &ok).unwrap();
        assert!(w.is_empty());
        assert_eq!(e, [Effect::Passed { node: "End_done".into() }, Effect::Completed]);
        // A minor complaint is acknowledged automatically and closed.
        let mut vars = json!({"severity": "minor"});
        let (w, _) = start(&d, &mut vars, &ok).unwrap();
        let (w, e) = resume(&d, &w, "Task_register", &mut vars, &ok).unwrap();
        assert!(w.is_empty());
        assert!(e.contains(&Effect::Ran { node: "Service_ack".into() }));
    }

    const WITH_DEADLINE: &str = "<startEvent id='s'/><userTask id='t' phos:candidateRoles='inspector'/>\
        <boundaryEvent id='late' attachedToRef='t'><timerEventDefinition><timeDuration>PT1H</timeDuration></timerEventDefinition></boundaryEvent>\
        <endEvent id='done'/><endEvent id='expired'/>\
        <sequenceFlow id='1' sourceRef='s' targetRef='t'/><sequenceFlow id='2' sourceRef='t' targetRef='done'/>\
        <sequenceFlow id='3' sourceRef='late' targetRef='expired'/>";

    #[test]
    fn an_interrupting_boundary_timer_aborts_its_task() {
        let d = def(WITH_DEADLINE);
        let mut vars = json!({});
        let (w, e) = start(&d, &mut vars, &call).unwrap();
        assert_eq!(w, ["t", "late"]);
        assert_eq!(e.last(), Some(&Effect::Timer { node: "late".into(), wait: Wait::Calendar(3600) }));
        let (w, e) = resume(&d, &w, "late", &mut vars, &call).unwrap();
        assert!(w.is_empty());
        assert_eq!(
            e,
            [Effect::Aborted { node: "t".into() }, Effect::Passed { node: "expired".into() }, Effect::Completed]
        );
        // Done in time: the timer is disarmed.
        let (w, _) = start(&d, &mut vars, &call).unwrap();
        let (w, e) = resume(&d, &w, "t", &mut vars, &call).unwrap();
        assert!(w.is_empty());
        assert_eq!(e.last(), Some(&Effect::Completed));
    }

    #[test]
    fn an_interrupting_boundary_message_aborts_a_whole_sub_process() {
        let d = def("<startEvent id='s'/><subProcess id='sub'><startEvent id='in'/>\
            <userTask id='a' phos:candidateRoles='inspector'/><endEvent id='out'/>\
            <sequenceFlow id='i1' sourceRef='in' targetRef='a'/><sequenceFlow id='i2' sourceRef='a' targetRef='out'/></subProcess>\
            <boundaryEvent id='withdrawn' attachedToRef='sub'><messageEventDefinition messageRef='withdraw'/></boundaryEvent>\
            <endEvent id='e'/><endEvent id='gone'/>\
            <sequenceFlow id='1' sourceRef='s' targetRef='sub'/><sequenceFlow id='2' sourceRef='sub' targetRef='e'/>\
            <sequenceFlow id='3' sourceRef='withdrawn' targetRef='gone'/>");
        let mut vars = json!({});
        let (w, _) = start(&d, &mut vars, &call).unwrap();
        assert_eq!(w, ["withdrawn", "a"]);
        let (w, e) = resume(&d, &w, "withdrawn", &mut vars, &call).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(e.first(), Some(&Effect::Aborted { node: "sub".into() }));
        assert_eq!(e.last(), Some(&Effect::Completed));
        // Finishing the sub-process disarms the message.
        let (w, _) = start(&d, &mut vars, &call).unwrap();
        let (w, e) = resume(&d, &w, "a", &mut vars, &call).unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(e.last(), Some(&Effect::Completed));
    }

    #[test]
    fn failures_are_errors() {
        let d = def("<startEvent id='s'/><serviceTask id='x' phos:service='fail'/><endEvent id='e'/>\
            <sequenceFlow id='1' sourceRef='s' targetRef='x'/><sequenceFlow id='2' sourceRef='x' targetRef='e'/>");
        let e = start(&d, &mut json!({}), &call).unwrap_err();
        assert_eq!(e, RunError::ServiceFailed { node: "x".into(), message: "out of order".into() });
        // A loop of automatic steps with a way out that is never taken.
        let d = def(
            "<startEvent id='s'/><serviceTask id='x' phos:service='count'/><exclusiveGateway id='g' default='again'/>\
            <endEvent id='e'/><sequenceFlow id='1' sourceRef='s' targetRef='x'/><sequenceFlow id='2' sourceRef='x' targetRef='g'/>\
            <sequenceFlow id='again' sourceRef='g' targetRef='x'/>\
            <sequenceFlow id='out' sourceRef='g' targetRef='e'><conditionExpression>n &lt; 0</conditionExpression></sequenceFlow>",
        );
        assert_eq!(start(&d, &mut json!({}), &call).unwrap_err(), RunError::Runaway);
    }
}
