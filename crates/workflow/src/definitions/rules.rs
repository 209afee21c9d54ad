//! Deploy-time checks of a definition: every problem at once, each with a stable code.
//!
//! | code | meaning |
//! |---|---|
//! | `unknown_flow_node` | a sequence flow starts or ends at an id that is no node |
//! | `flow_crosses_subprocess` | a sequence flow joins nodes of different (sub-)processes |
//! | `no_start_event` / `no_end_event` | a process or sub-process has none |
//! | `start_has_incoming` / `end_has_outgoing` | a flow into a start event, out of an end event |
//! | `dead_end` | a node other than an end event has no outgoing flow |
//! | `unreachable_node` | no path from a start event reaches the node |
//! | `no_way_out` | the node is caught in a cycle that no path leaves |
//! | `gateway_without_default` | an exclusive gateway with several outgoing flows has no default |
//! | `bad_default_flow` | the default flow is not one of the gateway's outgoing flows |
//! | `missing_condition` | a non-default flow out of an exclusive gateway has no condition |
//! | `bad_condition` | a condition cannot be read |
//! | `no_candidate_roles` / `unknown_role` | a user task names no role, or one that does not exist |
//! | `bad_four_eyes` | `phos:fourEyes` names no user task |
//! | `no_service` / `unknown_service_task` | a service task names no service, or one not registered |
//! | `bad_duration` | a timer's duration cannot be read |
//! | `bad_attachment` | a boundary event is not attached to a task or sub-process of its process |
//! | `no_message` | a message event names no message |

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Every problem code that reading ([`super::bpmn`]) and checking a definition can give; each
/// has the texts `field-error-bpmn_<code>` in both languages.
pub const CODES: &[&str] = &[
    "malformed_xml",
    "too_large",
    "not_bpmn",
    "no_process",
    "several_processes",
    "missing_id",
    "duplicate_id",
    "unsupported_element",
    "unknown_flow_node",
    "flow_crosses_subprocess",
    "no_start_event",
    "no_end_event",
    "start_has_incoming",
    "end_has_outgoing",
    "dead_end",
    "unreachable_node",
    "no_way_out",
    "gateway_without_default",
    "bad_default_flow",
    "missing_condition",
    "bad_condition",
    "no_candidate_roles",
    "unknown_role",
    "bad_four_eyes",
    "no_service",
    "unknown_service_task",
    "bad_duration",
    "bad_attachment",
    "no_message",
    "sla_missing_id",
    "sla_duplicate_id",
    "sla_unknown_node",
    "sla_bad_duration",
    "sla_no_escalation",
    "sla_unknown_escalation",
];

use super::{Definition, NodeKind, Problem, Registry, expr};

fn p(code: &'static str, id: &str, message: impl Into<String>) -> Problem {
    Problem::new(code, Some(id), message)
}

/// Checks a parsed definition against the registry of services and roles.
pub fn validate(def: &Definition, reg: &Registry) -> Vec<Problem> {
    let mut out = Vec::new();
    let nodes: BTreeMap<&str, &super::Node> = def.nodes.iter().map(|n| (n.id.as_str(), n)).collect();

    // Flows.
    let mut good_flows = Vec::new();
    for f in &def.flows {
        let (s, t) = (nodes.get(f.source.as_str()), nodes.get(f.target.as_str()));
        match (s, t) {
            (Some(s), Some(t)) if s.parent == t.parent => good_flows.push(f),
            (Some(_), Some(_)) => out.push(p(
                "flow_crosses_subprocess",
                &f.id,
                format!("the flow joins {} and {}, which are in different (sub-)processes", f.source, f.target),
            )),
            _ => {
                let missing = if s.is_none() { &f.source } else { &f.target };
                out.push(p("unknown_flow_node", &f.id, format!("the flow refers to {missing:?}, which is no node")));
            }
        }
        if let Some(c) = &f.condition
            && let Err(e) = expr::parse(c)
        {
            out.push(p("bad_condition", &f.id, format!("condition {c:?}: {e}")));
        }
    }
    let outgoing = |id: &str| good_flows.iter().filter(move |f| f.source == id).copied().collect::<Vec<_>>();
    let incoming = |id: &str| good_flows.iter().filter(move |f| f.target == id).count();

    // Nodes, one by one.
    for n in &def.nodes {
        let out_flows = outgoing(&n.id);
        match &n.kind {
            NodeKind::Start { .. } if incoming(&n.id) > 0 => {
                out.push(p("start_has_incoming", &n.id, "a start event cannot have incoming flows"));
            }
            NodeKind::End if !out_flows.is_empty() => {
                out.push(p("end_has_outgoing", &n.id, "an end event cannot have outgoing flows"));
            }
            NodeKind::Exclusive { default } => {
                if let Some(d) = default
                    && !out_flows.iter().any(|f| &f.id == d)
                {
                    out.push(p(
                        "bad_default_flow",
                        &n.id,
                        format!("the default flow {d:?} does not leave this gateway"),
                    ));
                }
                if out_flows.len() > 1 {
                    if default.is_none() {
                        out.push(p(
                            "gateway_without_default",
                            &n.id,
                            "an exclusive gateway with several outgoing flows needs a default flow",
                        ));
                    }
                    for f in out_flows.iter().filter(|f| Some(&f.id) != default.as_ref() && f.condition.is_none()) {
                        out.push(p(
                            "missing_condition",
                            &f.id,
                            format!("the flow out of gateway {} has no condition", n.id),
                        ));
                    }
                }
            }
            NodeKind::UserTask { roles, four_eyes_with } => {
                if roles.is_empty() {
                    out.push(p("no_candidate_roles", &n.id, "the user task names no candidate role"));
                }
                for r in roles.iter().filter(|r| !reg.roles.contains(*r)) {
                    out.push(p("unknown_role", &n.id, format!("the role {r:?} does not exist")));
                }
                if let Some(other) = four_eyes_with
                    && !matches!(nodes.get(other.as_str()).map(|o| &o.kind), Some(NodeKind::UserTask { .. }))
                {
                    out.push(p(
                        "bad_four_eyes",
                        &n.id,
                        format!("phos:fourEyes names {other:?}, which is no user task"),
                    ));
                }
            }
            NodeKind::ServiceTask { service } if service.is_empty() => {
                out.push(p("no_service", &n.id, "the service task names no service (phos:service)"));
            }
            NodeKind::ServiceTask { service } if !reg.services.contains(service) => {
                out.push(p("unknown_service_task", &n.id, format!("no service is registered as {service:?}")));
            }
            NodeKind::Timer { wait: Err(e) } | NodeKind::BoundaryTimer { wait: Err(e), .. } => {
                out.push(p("bad_duration", &n.id, e.clone()));
            }
            NodeKind::Message { message } | NodeKind::BoundaryMessage { message, .. } if message.is_empty() => {
                out.push(p("no_message", &n.id, "the message event names no message"));
            }
            _ => {}
        }
        if let NodeKind::BoundaryTimer { attached_to, .. } | NodeKind::BoundaryMessage { attached_to, .. } = &n.kind {
            let ok = nodes.get(attached_to.as_str()).is_some_and(|a| a.is_activity() && a.parent == n.parent);
            if !ok {
                out.push(p(
                    "bad_attachment",
                    &n.id,
                    format!(
                        "the boundary event is attached to {attached_to:?}, which is no task or sub-process beside it"
                    ),
                ));
            }
        }
        if out_flows.is_empty() && !matches!(n.kind, NodeKind::End) {
            out.push(p("dead_end", &n.id, format!("{} has no outgoing flow and is no end event", n.label(false))));
        }
    }

    // Scopes: the process, and each sub-process.
    let mut scopes: Vec<Option<&str>> = vec![None];
    scopes.extend(def.nodes.iter().filter(|n| n.kind == NodeKind::SubProcess).map(|n| Some(n.id.as_str())));
    for scope in scopes {
        let members: Vec<&super::Node> = def.nodes.iter().filter(|n| n.parent.as_deref() == scope).collect();
        let where_ = scope.map(|s| format!("sub-process {s}")).unwrap_or_else(|| "the process".into());
        let id = scope.unwrap_or(def.key.as_str());
        let starts: Vec<&str> =
            members.iter().filter(|n| matches!(n.kind, NodeKind::Start { .. })).map(|n| n.id.as_str()).collect();
        if starts.is_empty() {
            out.push(p("no_start_event", id, format!("{where_} has no start event")));
        }
        if !members.iter().any(|n| n.kind == NodeKind::End) {
            out.push(p("no_end_event", id, format!("{where_} has no end event")));
        }
        // Successors: flows, and from an activity to its boundary events.
        let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for f in &good_flows {
            if nodes[f.source.as_str()].parent.as_deref() == scope {
                next.entry(f.source.as_str()).or_default().push(f.target.as_str());
            }
        }
        for n in &members {
            if let NodeKind::BoundaryTimer { attached_to, .. } | NodeKind::BoundaryMessage { attached_to, .. } = &n.kind
            {
                next.entry(attached_to.as_str()).or_default().push(n.id.as_str());
            }
        }
        let reached = closure(&starts, &next);
        for n in &members {
            if !reached.contains(n.id.as_str()) && !matches!(n.kind, NodeKind::Start { .. }) {
                out.push(p(
                    "unreachable_node",
                    &n.id,
                    format!("no path from a start event reaches {}", n.label(false)),
                ));
            }
        }
        // Ways out: a node is caught when it reaches neither an end event nor a dead end.
        let mut prev: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, tos) in &next {
            for to in tos {
                prev.entry(to).or_default().push(from);
            }
        }
        let sinks: Vec<&str> = members
            .iter()
            .filter(|n| next.get(n.id.as_str()).is_none_or(Vec::is_empty))
            .map(|n| n.id.as_str())
            .collect();
        let can_leave = closure(&sinks, &prev);
        for n in &members {
            if reached.contains(n.id.as_str()) && !can_leave.contains(n.id.as_str()) {
                out.push(p(
                    "no_way_out",
                    &n.id,
                    format!("{} is caught in a cycle that no path leaves", n.label(false)),
                ));
            }
        }
    }
    out.extend(super::sla::validate(def, reg));
    out
}

fn closure<'a>(from: &[&'a str], next: &BTreeMap<&'a str, Vec<&'a str>>) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = from.iter().copied().collect();
    let mut queue: VecDeque<&str> = from.iter().copied().collect();
    while let Some(n) = queue.pop_front() {
        for &m in next.get(n).map(Vec::as_slice).unwrap_or_default() {
            if seen.insert(m) {
                queue.push_back(m);
            }
        }
    }
    seen
}
