//! Process definitions: the executable BPMN 2.0 subset that Camunda Modeler and bpmn.io draw,
//! parsed into a plain model ([`bpmn`]) and checked before deployment ([`rules`]), with every
//! problem reported at once under a stable code.
//!
//! Supported: start events (none or message), end events, user tasks (candidate roles),
//! service tasks (by registered name), exclusive gateways (conditions over the instance
//! variables, a default flow) and parallel gateways, intermediate timer and message catch
//! events, timer and message boundary events, sub-processes; BPMN DI (shapes and edges) is kept
//! for drawing. PHOS extension attributes, in the namespace [`PHOS_NS`]:
//! - `phos:nameZh` on any element: its Traditional Chinese name (`name` is the English one);
//! - `phos:candidateRoles="licensing_officer,inspector"` on a user task (Camunda's
//!   `camunda:candidateGroups` is read as well);
//! - `phos:service="regulatory.issue_licence"` on a service task (Camunda's `camunda:topic`
//!   of an external task is read as well);
//! - `phos:fourEyes="Task_prepare"` on a user task: whoever completed that task may not
//!   complete this one;
//! - `phos:calendar="business"` on a timer event definition: the duration counts business
//!   time on the Hong Kong calendar;
//! - `<phos:sla …/>` in the process's `extensionElements`: an SLA clock (see [`sla`]).

/// Who may read the workflow pages (definitions, instances, mining, staffing what-if): the
/// people who run processes and their leads. Task worklists are open to any staff (a task's
/// candidate roles decide who may act on it).
pub const PROCESS_STAFF: &[kernel::identity::Role] = &[
    kernel::identity::Role::Admin,
    kernel::identity::Role::TeamLead,
    kernel::identity::Role::LicensingOfficer,
    kernel::identity::Role::ServiceAgent,
    kernel::identity::Role::Inspector,
];

pub mod api;
pub mod bpmn;
pub mod diagram;
pub mod expr;
pub mod pages;
pub mod rules;
pub mod service;
pub mod services;
pub mod sla;
pub mod store;
pub mod timer;

use std::collections::BTreeMap;

/// The namespace of PHOS's extension attributes.
pub const PHOS_NS: &str = "urn:phos:bpmn:1";
/// Camunda's extension namespace (read for candidate groups and external-task topics).
pub const CAMUNDA_NS: &str = "http://camunda.org/schema/1.0/bpmn";

/// What a node is.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A start event; `message` names the message that starts it, if any.
    Start {
        message: Option<String>,
    },
    End,
    UserTask {
        roles: Vec<String>,
        four_eyes_with: Option<String>,
    },
    ServiceTask {
        service: String,
    },
    Exclusive {
        default: Option<String>,
    },
    Parallel,
    /// An intermediate timer catch event.
    Timer {
        wait: Result<timer::Wait, String>,
    },
    /// An intermediate message catch event.
    Message {
        message: String,
    },
    /// A timer on the boundary of `attached_to`; `interrupting` cancels the activity.
    BoundaryTimer {
        attached_to: String,
        interrupting: bool,
        wait: Result<timer::Wait, String>,
    },
    /// A message on the boundary of `attached_to`.
    BoundaryMessage {
        attached_to: String,
        interrupting: bool,
        message: String,
    },
    SubProcess,
}

/// A node (BPMN flow node).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: Option<String>,
    pub name_zh: Option<String>,
    pub kind: NodeKind,
    /// The sub-process this node is inside, if any.
    pub parent: Option<String>,
}

impl Node {
    /// The name to show in a locale ("zh-Hant-HK" takes `phos:nameZh` when there is one),
    /// falling back to the id.
    pub fn label(&self, zh: bool) -> &str {
        let en = self.name.as_deref().unwrap_or(&self.id);
        if zh { self.name_zh.as_deref().unwrap_or(en) } else { en }
    }

    pub fn is_activity(&self) -> bool {
        matches!(self.kind, NodeKind::UserTask { .. } | NodeKind::ServiceTask { .. } | NodeKind::SubProcess)
    }
}

/// A sequence flow; `condition` is the raw text of its condition expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    pub id: String,
    pub source: String,
    pub target: String,
    pub name: Option<String>,
    pub condition: Option<String>,
}

/// Where BPMN DI put things: shapes (x, y, width, height) and edges (waypoints) by element id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagram {
    pub shapes: BTreeMap<String, (f64, f64, f64, f64)>,
    pub edges: BTreeMap<String, Vec<(f64, f64)>>,
}

/// A parsed process definition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Definition {
    /// The process id: the key under which versions are deployed.
    pub key: String,
    pub name: Option<String>,
    pub name_zh: Option<String>,
    pub nodes: Vec<Node>,
    pub flows: Vec<Flow>,
    pub diagram: Diagram,
    /// SLA clocks declared with `<phos:sla>` (see [`sla`]).
    pub slas: Vec<sla::SlaDef>,
}

impl Definition {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn outgoing<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows.iter().filter(move |f| f.source == id)
    }

    pub fn incoming<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Flow> + 'a {
        self.flows.iter().filter(move |f| f.target == id)
    }
}

/// Why a definition was not deployed (the engine's errors, `crate::instances::EngineError`,
/// take these in: same pages and API answers).
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error("the definition is invalid ({} problems)", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// One problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Stable snake_case code (translated in the catalogue as `field-error-bpmn_<code>`).
    pub code: &'static str,
    /// The element concerned, when there is one.
    pub element: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(code: &'static str, element: Option<&str>, message: impl Into<String>) -> Problem {
        Problem { code, element: element.map(str::to_string), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.element {
            Some(e) => write!(f, "{} [{}]: {}", e, self.code, self.message),
            None => write!(f, "[{}]: {}", self.code, self.message),
        }
    }
}

/// What the deploying area offers: the service tasks registered by name and the roles that
/// exist.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    pub services: std::collections::BTreeSet<String>,
    pub roles: std::collections::BTreeSet<String>,
}

impl Registry {
    pub fn new<'a>(services: impl IntoIterator<Item = &'a str>, roles: impl IntoIterator<Item = &'a str>) -> Self {
        Registry {
            services: services.into_iter().map(str::to_string).collect(),
            roles: roles.into_iter().map(str::to_string).collect(),
        }
    }
}

/// Parses and validates a BPMN document: the definition, or every problem found.
pub fn check(xml: &str, registry: &Registry) -> Result<Definition, Vec<Problem>> {
    let (def, mut problems) = bpmn::parse(xml);
    if let Some(def) = &def {
        problems.extend(rules::validate(def, registry));
    }
    match def {
        Some(d) if problems.is_empty() => Ok(d),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::timer::Wait;
    use super::*;

    fn registry() -> Registry {
        Registry::new(
            ["workflow.escalate", "enquiries.acknowledge"],
            ["service_agent", "inspector", "licensing_officer"],
        )
    }

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bpmn").join(name);
        std::fs::read_to_string(path).unwrap()
    }

    fn codes(problems: &[Problem]) -> Vec<(&'static str, Option<&str>)> {
        problems.iter().map(|p| (p.code, p.element.as_deref())).collect()
    }

    #[test]
    fn a_camunda_modeler_definition_reads_and_validates() {
        let d = check(&fixture("complaint.bpmn"), &registry()).unwrap_or_else(|p| panic!("{p:#?}"));
        assert_eq!(d.key, "complaint");
        assert_eq!((d.name.as_deref(), d.name_zh.as_deref()), (Some("Complaint handling"), Some("投訴處理")));
        assert_eq!(d.nodes.len(), 18);
        assert_eq!(d.flows.len(), 17);
        let n = |id: &str| d.node(id).unwrap();
        assert_eq!(n("StartEvent_1").label(true), "收到投訴");
        assert_eq!(n("Gateway_severity").label(true), "Serious?", "no Chinese name: the English one");
        assert_eq!(n("Split").label(false), "Split", "no name at all: the id");
        assert_eq!(
            n("Task_register").kind,
            NodeKind::UserTask { roles: vec!["service_agent".into()], four_eyes_with: None }
        );
        assert_eq!(
            n("Task_approve").kind,
            NodeKind::UserTask {
                roles: vec!["licensing_officer".into(), "inspector".into()],
                four_eyes_with: Some("Task_prepare".into())
            }
        );
        assert_eq!(n("Task_approve").parent.as_deref(), Some("Sub_review"));
        assert_eq!(n("Service_escalate").kind, NodeKind::ServiceTask { service: "workflow.escalate".into() });
        assert_eq!(n("Service_ack").kind, NodeKind::ServiceTask { service: "enquiries.acknowledge".into() });
        assert_eq!(n("Gateway_severity").kind, NodeKind::Exclusive { default: Some("Flow_minor".into()) });
        assert_eq!(
            n("Boundary_sla").kind,
            NodeKind::BoundaryTimer {
                attached_to: "Task_investigate".into(),
                interrupting: false,
                wait: Ok(Wait::BusinessDays(5))
            }
        );
        assert_eq!(n("Timer_cool").kind, NodeKind::Timer { wait: Ok(Wait::Calendar(4 * 3600)) });
        assert_eq!(n("Wait_reply").kind, NodeKind::Message { message: "applicant_reply".into() });
        let serious = d.flows.iter().find(|f| f.id == "Flow_serious").unwrap();
        assert_eq!(serious.condition.as_deref(), Some("${severity == 'serious' && amount > 0}"));
        let cond = expr::parse(serious.condition.as_deref().unwrap()).unwrap();
        assert!(expr::eval(&cond, &serde_json::json!({"severity": "serious", "amount": 3})));
        assert_eq!(d.diagram.shapes["Task_register"], (240.0, 80.0, 100.0, 80.0));
        assert_eq!(d.diagram.edges["Flow_1"], vec![(188.0, 120.0), (240.0, 120.0)]);
        assert_eq!(d.outgoing("Split").count(), 2);
        assert_eq!(d.incoming("End_done").count(), 2);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = check(&fixture("broken.bpmn"), &registry()).unwrap_err();
        let got = codes(&problems);
        let want = [
            ("unsupported_element", Some("Script")),
            ("unsupported_element", Some("Stop")),
            ("unknown_flow_node", Some("f10")),
            ("bad_condition", Some("f3")),
            ("unknown_role", Some("Review")),
            ("gateway_without_default", Some("Decide")),
            ("missing_condition", Some("f4")),
            ("unknown_service_task", Some("Send")),
            ("no_candidate_roles", Some("Stuck")),
            ("dead_end", Some("Stuck")),
            ("bad_duration", Some("Wait")),
            ("unreachable_node", Some("Orphan")),
            ("no_way_out", Some("Loop_a")),
            ("no_way_out", Some("Loop_b")),
        ];
        for w in want {
            assert!(got.contains(&w), "missing {w:?} in {got:#?}");
        }
        assert_eq!(got.len(), want.len(), "{problems:#?}");
        assert!(problems.iter().all(|p| rules::CODES.contains(&p.code)));
        let script = problems.iter().find(|p| p.element.as_deref() == Some("Script")).unwrap();
        assert!(script.message.contains("<scriptTask>") && script.message.contains("supported: "), "{script}");
        let stop = problems.iter().find(|p| p.element.as_deref() == Some("Stop")).unwrap();
        assert!(stop.message.contains("terminateEventDefinition"), "{stop}");
        let wizard = problems.iter().find(|p| p.code == "unknown_role").unwrap();
        assert!(wizard.message.contains("wizard"));
        let months = problems.iter().find(|p| p.code == "bad_duration").unwrap();
        assert!(months.message.contains("months vary"), "{months}");
    }

    #[test]
    fn unreadable_documents_say_why() {
        let p = check("<definitions><process>", &registry()).unwrap_err();
        assert_eq!(codes(&p), [("malformed_xml", None)]);
        let p = check("<bpmn:definitions xmlns:bpmn='x'/>", &registry()).unwrap_err();
        assert_eq!(codes(&p), [("not_bpmn", None)]);
        let p = check("not xml at all", &registry()).unwrap_err();
        assert_eq!(p[0].code, "malformed_xml");
        let p = check(&format!("<definitions xmlns='{}'/>", bpmn::MODEL_NS), &registry()).unwrap_err();
        assert_eq!(codes(&p), [("no_process", None)]);
        let two = format!(
            "<definitions xmlns='{}'><process id='a' isExecutable='true'/><process id='b' isExecutable='true'/></definitions>",
            bpmn::MODEL_NS
        );
        assert_eq!(codes(&check(&two, &registry()).unwrap_err()), [("several_processes", None)]);
        let big = "x".repeat(bpmn::MAX_BYTES + 1);
        assert_eq!(check(&big, &registry()).unwrap_err()[0].code, "too_large");
    }

    fn process(body: &str) -> String {
        format!(
            "<definitions xmlns='{}' xmlns:phos='{PHOS_NS}'><process id='p' isExecutable='true'>{body}</process></definitions>",
            bpmn::MODEL_NS
        )
    }

    #[test]
    fn sla_problems_have_known_codes() {
        let xml = process(
            "<extensionElements><phos:sla id='a' duration='P1M' startAt='x' escalateTo='wizard'/>\
             <phos:sla id='a'/><phos:sla/></extensionElements>\
             <startEvent id='s'/><endEvent id='e'/><sequenceFlow id='1' sourceRef='s' targetRef='e'/>",
        );
        let problems = check(&xml, &registry()).unwrap_err();
        let got: std::collections::BTreeSet<&str> = problems.iter().map(|p| p.code).collect();
        let want = [
            "sla_bad_duration",
            "sla_duplicate_id",
            "sla_missing_id",
            "sla_no_escalation",
            "sla_unknown_escalation",
            "sla_unknown_node",
        ];
        assert_eq!(got.into_iter().collect::<Vec<_>>(), want, "{problems:#?}");
        assert!(want.iter().all(|c| rules::CODES.contains(c)));
    }

    #[test]
    fn structural_rules() {
        // An empty process: no start, no end.
        let p = check(&process(""), &registry()).unwrap_err();
        assert_eq!(codes(&p), [("no_start_event", Some("p")), ("no_end_event", Some("p"))]);
        // Flows into a start and out of an end; a flow across a sub-process boundary; a
        // boundary event on a gateway; a sub-process without start and end.
        let xml = process(
            "<startEvent id='s'/><endEvent id='e'/><exclusiveGateway id='g'/>\
             <subProcess id='sub'><userTask id='in' phos:candidateRoles='inspector'/></subProcess>\
             <boundaryEvent id='b' attachedToRef='g'><messageEventDefinition messageRef='m'/></boundaryEvent>\
             <sequenceFlow id='1' sourceRef='s' targetRef='sub'/><sequenceFlow id='2' sourceRef='sub' targetRef='e'/>\
             <sequenceFlow id='3' sourceRef='e' targetRef='s'/><sequenceFlow id='4' sourceRef='s' targetRef='in'/>\
             <sequenceFlow id='5' sourceRef='b' targetRef='e'/><sequenceFlow id='6' sourceRef='g' targetRef='e'/>",
        );
        let problems = check(&xml, &registry()).unwrap_err();
        let got = codes(&problems).into_iter().map(|(c, _)| c).collect::<Vec<_>>();
        for c in [
            "start_has_incoming",
            "end_has_outgoing",
            "flow_crosses_subprocess",
            "bad_attachment",
            "no_start_event",
            "no_end_event",
            "unreachable_node",
        ] {
            assert!(got.contains(&c), "{c} missing from {got:?}");
        }
    }

    #[test]
    fn a_cycle_with_a_way_out_is_fine_and_ids_are_checked() {
        let xml = process(
            "<startEvent id='s'/><userTask id='a' phos:candidateRoles='inspector'/>\
             <exclusiveGateway id='g' default='back'/><endEvent id='e'/>\
             <sequenceFlow id='1' sourceRef='s' targetRef='a'/><sequenceFlow id='2' sourceRef='a' targetRef='g'/>\
             <sequenceFlow id='back' sourceRef='g' targetRef='a'/>\
             <sequenceFlow id='done' sourceRef='g' targetRef='e'><conditionExpression>approved</conditionExpression></sequenceFlow>",
        );
        assert!(check(&xml, &registry()).is_ok());
        let dup = process("<startEvent id='s'/><endEvent id='s'/><task/>");
        let problems = check(&dup, &registry()).unwrap_err();
        let got = codes(&problems);
        assert!(got.contains(&("duplicate_id", Some("s"))), "{got:?}");
        assert!(got.contains(&("missing_id", None)), "{got:?}");
    }
}
