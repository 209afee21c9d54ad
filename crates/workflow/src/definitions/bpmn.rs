//! Reads a BPMN 2.0 XML document (as Camunda Modeler and bpmn.io write it) into a
//! [`Definition`], noting every element it does not support. Definitions are small: the
//! document is read into a little element tree first (namespaces resolved by quick-xml), then
//! walked.

use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::Event as Xml;
use quick_xml::name::ResolveResult;

use super::{CAMUNDA_NS, Definition, Diagram, Flow, Node, NodeKind, PHOS_NS, Problem, timer};

pub const MODEL_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
pub const DI_NS: &str = "http://www.omg.org/spec/BPMN/20100524/DI";
pub const DC_NS: &str = "http://www.omg.org/spec/DD/20100524/DC";
pub const DD_DI_NS: &str = "http://www.omg.org/spec/DD/20100524/DI";

/// The largest definition accepted.
pub const MAX_BYTES: usize = 4 << 20;

#[derive(Debug, Default)]
struct El {
    ns: String,
    local: String,
    attrs: Vec<(String, String, String)>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, l, _)| n == ns && l == local).map(|(_, _, v)| v.as_str())
    }

    /// An attribute without namespace (BPMN's own attributes).
    fn plain(&self, local: &str) -> Option<&str> {
        self.attr("", local)
    }

    fn child(&self, local: &str) -> Option<&El> {
        self.children.iter().find(|c| c.local == local)
    }

    fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

fn ns_of(r: &ResolveResult) -> String {
    match r {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(p) => format!("unknown-prefix:{}", String::from_utf8_lossy(p)),
    }
}

fn tree(xml: &str) -> Result<El, String> {
    // Text is not trimmed here: quick-xml hands text around entity references in pieces, and
    // trimming each piece would eat the spaces of `a &amp;&amp; b`. Users of `text` trim it.
    let mut r = quick_xml::NsReader::from_str(xml);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        let (ns, ev) = match r.read_resolved_event() {
            Ok((res, ev)) => (ns_of(&res), ev),
            Err(e) => return Err(format!("malformed XML at byte {}: {e}", r.error_position())),
        };
        match ev {
            Xml::Start(ref e) | Xml::Empty(ref e) => {
                let mut el = El {
                    ns: ns.clone(),
                    local: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..El::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("malformed XML at byte {}: {e}", r.buffer_position()))?;
                    if a.key.as_namespace_binding().is_some() {
                        continue;
                    }
                    let (ans, local) = r.resolver().resolve_attribute(a.key);
                    let value = a
                        .unescape_value()
                        .map_err(|e| format!("malformed XML at byte {}: {e}", r.buffer_position()))?
                        .into_owned();
                    el.attrs.push((ns_of(&ans), String::from_utf8_lossy(local.as_ref()).into_owned(), value));
                }
                if matches!(ev, Xml::Start(_)) {
                    stack.push(el);
                } else {
                    stack.last_mut().expect("root").children.push(el);
                }
            }
            Xml::End(_) => {
                let el = stack.pop().expect("balanced");
                stack.last_mut().ok_or("malformed XML: unbalanced end tag")?.children.push(el);
            }
            Xml::Text(t) => {
                let s = t.decode().map_err(|e| format!("malformed XML: {e}"))?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| format!("malformed XML: {e}"))?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Xml::CData(t) => {
                stack.last_mut().expect("root").text.push_str(&String::from_utf8_lossy(&t));
            }
            Xml::GeneralRef(g) => {
                // Entity and character references between text pieces.
                let name = String::from_utf8_lossy(&g);
                let raw = format!("&{name};");
                let s = quick_xml::escape::unescape(&raw).map_err(|e| format!("malformed XML: {e}"))?;
                stack.last_mut().expect("root").text.push_str(&s);
            }
            Xml::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("malformed XML: the document ends inside an element".into());
    }
    let mut root = stack.pop().expect("root");
    match root.children.len() {
        1 => Ok(root.children.pop().expect("one")),
        _ => Err("malformed XML: no single root element".into()),
    }
}

/// Elements that carry no behaviour and are skipped inside a process.
const IGNORED: &[&str] = &[
    "incoming",
    "outgoing",
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "group",
    "property",
    "ioSpecification",
    "dataInputAssociation",
    "dataOutputAssociation",
];

const SUPPORTED: &str = "startEvent, endEvent, userTask, serviceTask, exclusiveGateway, parallelGateway, \
intermediateCatchEvent (timer, message), boundaryEvent (timer, message), subProcess, sequenceFlow";

struct Walk<'a> {
    messages: &'a BTreeMap<String, String>,
    def: Definition,
    problems: Vec<Problem>,
    ids: BTreeSet<String>,
}

fn roles(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect()
}

impl Walk<'_> {
    fn unsupported(&mut self, el: &El, what: &str) {
        let id = el.plain("id");
        self.problems.push(Problem::new(
            "unsupported_element",
            id,
            format!("{what} is not supported (supported: {SUPPORTED})"),
        ));
    }

    fn event_definitions<'e>(&self, el: &'e El) -> Vec<&'e El> {
        el.children.iter().filter(|c| c.local.ends_with("EventDefinition")).collect()
    }

    fn timer(&self, d: &El) -> Result<timer::Wait, String> {
        let business = d.attr(PHOS_NS, "calendar") == Some("business");
        if let Some(t) = d.child("timeDuration") {
            timer::parse(&t.text, business)
        } else if d.child("timeDate").is_some() || d.child("timeCycle").is_some() {
            Err("only timeDuration timers are supported (not timeDate or timeCycle)".into())
        } else {
            Err("the timer has no timeDuration".into())
        }
    }

    fn message(&self, d: &El) -> String {
        let r = d.plain("messageRef").unwrap_or("");
        self.messages.get(r).cloned().unwrap_or_else(|| r.to_string())
    }

    fn scope(&mut self, el: &El, parent: Option<&str>) {
        for c in &el.children {
            if c.ns != MODEL_NS {
                continue; // extension elements of other namespaces
            }
            if IGNORED.contains(&c.local.as_str()) {
                continue;
            }
            let Some(id) = c.plain("id") else {
                self.problems.push(Problem::new("missing_id", None, format!("a <{}> has no id", c.local)));
                continue;
            };
            if !self.ids.insert(id.to_string()) {
                self.problems.push(Problem::new("duplicate_id", Some(id), format!("the id {id:?} is used twice")));
                continue;
            }
            if c.local == "sequenceFlow" {
                self.def.flows.push(Flow {
                    id: id.into(),
                    source: c.plain("sourceRef").unwrap_or("").into(),
                    target: c.plain("targetRef").unwrap_or("").into(),
                    name: c.plain("name").map(Into::into),
                    condition: c.child("conditionExpression").map(|x| x.text.trim().to_string()),
                });
                continue;
            }
            let defs = self.event_definitions(c);
            let kind = match (c.local.as_str(), defs.as_slice()) {
                ("startEvent", []) => NodeKind::Start { message: None },
                ("startEvent", [d]) if d.local == "messageEventDefinition" => {
                    NodeKind::Start { message: Some(self.message(d)) }
                }
                ("endEvent", []) => NodeKind::End,
                ("userTask", _) => NodeKind::UserTask {
                    roles: roles(
                        c.attr(PHOS_NS, "candidateRoles").or(c.attr(CAMUNDA_NS, "candidateGroups")).unwrap_or(""),
                    ),
                    four_eyes_with: c.attr(PHOS_NS, "fourEyes").map(Into::into),
                },
                ("serviceTask", _) => NodeKind::ServiceTask {
                    service: c.attr(PHOS_NS, "service").or(c.attr(CAMUNDA_NS, "topic")).unwrap_or("").into(),
                },
                ("exclusiveGateway", _) => NodeKind::Exclusive { default: c.plain("default").map(Into::into) },
                ("parallelGateway", _) => NodeKind::Parallel,
                ("intermediateCatchEvent", [d]) if d.local == "timerEventDefinition" => {
                    NodeKind::Timer { wait: self.timer(d) }
                }
                ("intermediateCatchEvent", [d]) if d.local == "messageEventDefinition" => {
                    NodeKind::Message { message: self.message(d) }
                }
                ("boundaryEvent", [d])
                    if matches!(d.local.as_str(), "timerEventDefinition" | "messageEventDefinition") =>
                {
                    let attached_to = c.plain("attachedToRef").unwrap_or("").to_string();
                    let interrupting = c.plain("cancelActivity") != Some("false");
                    if d.local == "timerEventDefinition" {
                        NodeKind::BoundaryTimer { attached_to, interrupting, wait: self.timer(d) }
                    } else {
                        NodeKind::BoundaryMessage { attached_to, interrupting, message: self.message(d) }
                    }
                }
                ("subProcess", _) if c.plain("triggeredByEvent") == Some("true") => {
                    self.unsupported(c, "an event sub-process");
                    continue;
                }
                ("subProcess", _) => NodeKind::SubProcess,
                (local, defs) if !defs.is_empty() && local.ends_with("Event") => {
                    let what: Vec<&str> = defs.iter().map(|d| d.local.as_str()).collect();
                    self.unsupported(c, &format!("<{local}> with {}", what.join(", ")));
                    continue;
                }
                (local, _) => {
                    self.unsupported(c, &format!("<{local}>"));
                    continue;
                }
            };
            self.def.nodes.push(Node {
                id: id.into(),
                name: c.plain("name").map(Into::into),
                name_zh: c.attr(PHOS_NS, "nameZh").map(Into::into),
                kind,
                parent: parent.map(Into::into),
            });
            if c.local == "subProcess" {
                self.scope(c, Some(id));
            }
        }
    }
}

fn number(el: &El, name: &str) -> f64 {
    el.plain(name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
}

fn diagram(root: &El) -> Diagram {
    let mut d = Diagram::default();
    for dia in root.children.iter().filter(|c| c.is(DI_NS, "BPMNDiagram")) {
        for plane in dia.children.iter().filter(|c| c.is(DI_NS, "BPMNPlane")) {
            for s in &plane.children {
                let Some(id) = s.plain("bpmnElement") else { continue };
                if s.is(DI_NS, "BPMNShape") {
                    if let Some(b) = s.children.iter().find(|b| b.is(DC_NS, "Bounds")) {
                        d.shapes.insert(
                            id.into(),
                            (number(b, "x"), number(b, "y"), number(b, "width"), number(b, "height")),
                        );
                    }
                } else if s.is(DI_NS, "BPMNEdge") {
                    let points = s
                        .children
                        .iter()
                        .filter(|w| w.local == "waypoint")
                        .map(|w| (number(w, "x"), number(w, "y")))
                        .collect();
                    d.edges.insert(id.into(), points);
                }
            }
        }
    }
    d
}

/// Parses a BPMN document. Returns the definition (None when the document cannot be read as
/// one) and the problems found while reading it (unsupported elements, missing ids…).
pub fn parse(xml: &str) -> (Option<Definition>, Vec<Problem>) {
    if xml.len() > MAX_BYTES {
        let msg = format!("the definition is {} bytes; at most {MAX_BYTES} are accepted", xml.len());
        return (None, vec![Problem::new("too_large", None, msg)]);
    }
    let root = match tree(xml) {
        Ok(r) => r,
        Err(e) => return (None, vec![Problem::new("malformed_xml", None, e)]),
    };
    if !root.is(MODEL_NS, "definitions") {
        let msg = format!("the root element is <{}> ({}), not BPMN 2.0 <definitions>", root.local, root.ns);
        return (None, vec![Problem::new("not_bpmn", None, msg)]);
    }
    let messages: BTreeMap<String, String> = root
        .children
        .iter()
        .filter(|c| c.is(MODEL_NS, "message"))
        .filter_map(|m| Some((m.plain("id")?.to_string(), m.plain("name").or(m.plain("id"))?.to_string())))
        .collect();
    let processes: Vec<&El> = root.children.iter().filter(|c| c.is(MODEL_NS, "process")).collect();
    let executable: Vec<&El> = processes.iter().copied().filter(|p| p.plain("isExecutable") == Some("true")).collect();
    let process = match (processes.as_slice(), executable.as_slice()) {
        ([], _) => return (None, vec![Problem::new("no_process", None, "the document has no <process>")]),
        ([only], _) => *only,
        (_, [only]) => *only,
        _ => {
            let msg = "the document has several processes; mark exactly one isExecutable=\"true\"";
            return (None, vec![Problem::new("several_processes", None, msg)]);
        }
    };
    let mut w = Walk { messages: &messages, def: Definition::default(), problems: Vec::new(), ids: BTreeSet::new() };
    w.def.key = process.plain("id").unwrap_or("").to_string();
    if w.def.key.is_empty() {
        w.problems.push(Problem::new("missing_id", None, "the <process> has no id"));
    }
    w.def.name = process.plain("name").map(Into::into);
    w.def.name_zh = process.attr(PHOS_NS, "nameZh").map(Into::into);
    w.scope(process, None);
    for ext in process.children.iter().filter(|c| c.is(MODEL_NS, "extensionElements")) {
        for el in ext.children.iter().filter(|c| c.is(PHOS_NS, "sla")) {
            w.def.slas.push(super::sla::read(&|name| el.plain(name).map(str::to_string)));
        }
    }
    w.def.diagram = diagram(&root);
    (Some(w.def), w.problems)
}
