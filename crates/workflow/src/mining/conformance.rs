//! Conformance checking, pure: each trace of a log replayed on a Petri net translated from a
//! deployed definition (token-based replay, as PM4Py's `token_replay`), with its deviations
//! and a fitness figure.
//!
//! **Translation** of the BPMN subset (sub-processes flattened):
//! - every sequence flow is a place; the start event of the process puts the one initial token
//!   in a source place, its end events put theirs in the sink place;
//! - a node with several incoming flows first merges them (one silent transition per flow into
//!   an input place: exclusive merge), except a parallel gateway, which joins them (one
//!   transition consuming every incoming flow);
//! - an exclusive gateway chooses (one silent transition per outgoing flow); every other node
//!   sends a token down each outgoing flow (parallel split);
//! - a boundary event is an alternative to its activity (interrupting), or an extra transition
//!   that leaves the activity enabled (non-interrupting);
//! - a sub-process is entered through its inner start event and left when an inner end event
//!   is reached.
//!
//! A node is **visible** (its transition is labelled with its English name) when that name
//! occurs in the log, and silent otherwise: logs from other systems record tasks only, the
//! engine's own log records events and gateways too, and both replay on one translation.
//!
//! **Replay** (Berti & van der Aalst's token-based replay, as PM4Py does it): for each event,
//! a transition with its label fires; when it is not enabled, silent transitions are fired
//! first if a short sequence of them enables it, else the missing tokens are created and
//! counted (`m`). Consumed (`c`) and produced (`p`) tokens are counted; the initial token
//! counts as produced and the final one as consumed; tokens left at the end are remaining
//! (`r`). Trace fitness = ½(1 − m/c) + ½(1 − r/p); the log's fitness uses the sums.
//!
//! **Deviations**: `unknown_activity` (no such activity in the definition: left out of the
//! replay), `repeated` (fired without being enabled, having fired before in the trace),
//! `out_of_order` (fired without being enabled, while an activity that should have come first
//! comes later in the trace), `skipped` (an activity that should have come first never comes,
//! or one the trace stops in front of), `unexpected` (fired without being enabled for another
//! reason, e.g. the second branch of an exclusive choice).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde::Serialize;

use crate::definitions::{Definition, NodeKind};

/// The most silent transitions fired in a row to enable a visible one (and states explored).
const SILENT_DEPTH: usize = 12;
const SILENT_STATES: usize = 2_000;

#[derive(Clone, Debug)]
struct Transition {
    /// The activity it records, None when silent.
    label: Option<String>,
    inputs: Vec<usize>,
    outputs: Vec<usize>,
}

/// A Petri net with one source place and one sink place.
#[derive(Clone, Debug)]
pub struct Net {
    places: Vec<String>,
    transitions: Vec<Transition>,
    source: usize,
    sink: usize,
}

struct Builder {
    places: Vec<String>,
    index: HashMap<String, usize>,
    transitions: Vec<Transition>,
}

impl Builder {
    fn place(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.places.push(name.to_string());
        self.index.insert(name.to_string(), self.places.len() - 1);
        self.places.len() - 1
    }

    fn transition(&mut self, label: Option<String>, inputs: Vec<usize>, outputs: Vec<usize>) {
        self.transitions.push(Transition { label, inputs, outputs });
    }
}

impl Net {
    /// Translates a definition; `visible` tells whether an activity name occurs in the log.
    pub fn from_definition(def: &Definition, visible: &dyn Fn(&str) -> bool) -> Net {
        let mut b = Builder { places: Vec::new(), index: HashMap::new(), transitions: Vec::new() };
        let source = b.place("(source)");
        let sink = b.place("(sink)");
        let flow = |id: &str| format!("flow {id}");
        let label = |n: &crate::definitions::Node| {
            let l = n.label(false);
            visible(l).then(|| l.to_string())
        };
        // Boundary events by the activity they are attached to.
        let mut boundaries: BTreeMap<&str, Vec<&crate::definitions::Node>> = BTreeMap::new();
        for n in &def.nodes {
            if let NodeKind::BoundaryTimer { attached_to, .. } | NodeKind::BoundaryMessage { attached_to, .. } = &n.kind
            {
                boundaries.entry(attached_to.as_str()).or_default().push(n);
            }
        }
        // As PM4Py translates them: a silent start event of the process with one outgoing flow
        // *is* the source place, and the only end event, silent with one incoming flow, is the
        // sink (no silent transitions around them, so that the token counts agree).
        let mut folded: BTreeSet<&str> = BTreeSet::new();
        for n in def.nodes.iter().filter(|n| n.parent.is_none() && label(n).is_none()) {
            let ends = def.nodes.iter().filter(|e| e.parent.is_none() && e.kind == NodeKind::End).count();
            match (&n.kind, def.outgoing(&n.id).collect::<Vec<_>>().as_slice(), def.incoming(&n.id).count()) {
                (NodeKind::Start { .. }, [f], _) if !boundaries.contains_key(n.id.as_str()) => {
                    b.index.insert(flow(&f.id), source);
                    folded.insert(n.id.as_str());
                }
                (NodeKind::End, [], 1) if ends == 1 => {
                    let f = def.incoming(&n.id).next().expect("one");
                    b.index.insert(flow(&f.id), sink);
                    folded.insert(n.id.as_str());
                }
                _ => {}
            }
        }
        for n in def.nodes.iter().filter(|n| !folded.contains(n.id.as_str())) {
            let incoming: Vec<usize> = def.incoming(&n.id).map(|f| b.place(&flow(&f.id))).collect();
            let mut outgoing: Vec<usize> = def.outgoing(&n.id).map(|f| b.place(&flow(&f.id))).collect();
            // Where the node's own transition takes its token from.
            let input = match (&n.kind, incoming.as_slice()) {
                (NodeKind::Start { .. }, _) => match &n.parent {
                    None => vec![source],
                    Some(sub) => vec![b.place(&format!("enter {sub}"))],
                },
                (NodeKind::BoundaryTimer { .. } | NodeKind::BoundaryMessage { .. }, _) => continue,
                (NodeKind::Parallel, _) => incoming.clone(),
                (_, [one]) => vec![*one],
                (_, many) => {
                    let merged = b.place(&format!("merge {}", n.id));
                    for &p in many {
                        b.transition(None, vec![p], vec![merged]);
                    }
                    vec![merged]
                }
            };
            match &n.kind {
                NodeKind::End => {
                    let out = match &n.parent {
                        None => sink,
                        Some(sub) => b.place(&format!("leave {sub}")),
                    };
                    b.transition(label(n), input, vec![out]);
                }
                NodeKind::Exclusive { .. } => {
                    let chosen = b.place(&format!("choose {}", n.id));
                    b.transition(label(n), input, vec![chosen]);
                    for o in outgoing {
                        b.transition(None, vec![chosen], vec![o]);
                    }
                }
                NodeKind::SubProcess => {
                    let enter = b.place(&format!("enter {}", n.id));
                    let leave = b.place(&format!("leave {}", n.id));
                    b.transition(label(n), input, vec![enter]);
                    b.transition(None, vec![leave], outgoing);
                }
                _ => {
                    let ready = input;
                    let attached = boundaries.get(n.id.as_str()).cloned().unwrap_or_default();
                    let ready = if attached.is_empty() {
                        ready
                    } else {
                        // The activity is enabled from one place that its boundary events share.
                        let p = b.place(&format!("active {}", n.id));
                        b.transition(None, ready, vec![p]);
                        vec![p]
                    };
                    for e in attached {
                        let mut outs: Vec<usize> = def.outgoing(&e.id).map(|f| b.place(&flow(&f.id))).collect();
                        let interrupting = matches!(
                            e.kind,
                            NodeKind::BoundaryTimer { interrupting: true, .. }
                                | NodeKind::BoundaryMessage { interrupting: true, .. }
                        );
                        if !interrupting {
                            outs.extend(ready.iter().copied());
                        }
                        b.transition(label(e), ready.clone(), outs);
                    }
                    outgoing.sort_unstable();
                    b.transition(label(n), ready, outgoing);
                }
            }
        }
        Net { places: b.places, transitions: b.transitions, source, sink }
    }

    /// The activities the net records.
    pub fn labels(&self) -> BTreeSet<&str> {
        self.transitions.iter().filter_map(|t| t.label.as_deref()).collect()
    }

    fn enabled(&self, t: usize, marking: &[u32]) -> bool {
        self.transitions[t].inputs.iter().all(|&p| marking[p] > 0)
    }

    fn fire(&self, t: usize, marking: &mut [u32]) {
        for &p in &self.transitions[t].inputs {
            marking[p] -= 1;
        }
        for &p in &self.transitions[t].outputs {
            marking[p] += 1;
        }
    }

    /// The shortest sequence of silent transitions from `marking` to a marking where `goal`
    /// holds (breadth-first, bounded).
    fn silent_path(&self, marking: &[u32], goal: &dyn Fn(&[u32]) -> bool) -> Option<Vec<usize>> {
        if goal(marking) {
            return Some(Vec::new());
        }
        let mut seen: BTreeSet<Vec<u32>> = BTreeSet::new();
        let mut queue: VecDeque<(Vec<u32>, Vec<usize>)> = VecDeque::new();
        seen.insert(marking.to_vec());
        queue.push_back((marking.to_vec(), Vec::new()));
        while let Some((m, path)) = queue.pop_front() {
            if path.len() >= SILENT_DEPTH || seen.len() > SILENT_STATES {
                continue;
            }
            for (i, t) in self.transitions.iter().enumerate() {
                if t.label.is_some() || !self.enabled(i, &m) {
                    continue;
                }
                let mut next = m.clone();
                self.fire(i, &mut next);
                let mut p = path.clone();
                p.push(i);
                if goal(&next) {
                    return Some(p);
                }
                if seen.insert(next.clone()) {
                    queue.push_back((next, p));
                }
            }
        }
        None
    }
}

/// One deviation of a trace from the definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Deviation {
    /// `skipped`, `repeated`, `out_of_order`, `unexpected` or `unknown_activity`.
    pub kind: &'static str,
    pub activity: String,
    /// The position of the event in the trace (0-based), when an event is concerned.
    pub position: Option<usize>,
}

/// The replay of one trace.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TraceResult {
    pub produced: u32,
    pub consumed: u32,
    pub missing: u32,
    pub remaining: u32,
    pub fitness: f64,
    /// True when the trace replays with no missing and no remaining tokens.
    pub fits: bool,
    pub deviations: Vec<Deviation>,
}

/// Replays the activities of one trace (in order) on the net.
pub fn replay(net: &Net, activities: &[&str]) -> TraceResult {
    let mut marking = vec![0u32; net.places.len()];
    marking[net.source] = 1;
    let (mut p, mut c, mut m) = (1u32, 0u32, 0u32);
    let mut deviations = Vec::new();
    let mut fired: BTreeSet<&str> = BTreeSet::new();
    let producers = |place: usize| -> Vec<&str> {
        // The visible activities that put a token in `place` (through silent transitions too).
        let mut out = BTreeSet::new();
        let mut todo = vec![place];
        let mut seen = BTreeSet::new();
        while let Some(pl) = todo.pop() {
            if !seen.insert(pl) {
                continue;
            }
            for t in net.transitions.iter().filter(|t| t.outputs.contains(&pl)) {
                match &t.label {
                    Some(l) => {
                        out.insert(l.as_str());
                    }
                    None => todo.extend(t.inputs.iter().copied()),
                }
            }
        }
        out.into_iter().collect()
    };
    for (pos, &a) in activities.iter().enumerate() {
        let candidates: Vec<usize> =
            (0..net.transitions.len()).filter(|&i| net.transitions[i].label.as_deref() == Some(a)).collect();
        if candidates.is_empty() {
            deviations.push(Deviation { kind: "unknown_activity", activity: a.into(), position: Some(pos) });
            continue;
        }
        let mut chosen = candidates.iter().copied().find(|&t| net.enabled(t, &marking));
        if chosen.is_none() {
            for &t in &candidates {
                if let Some(path) = net.silent_path(&marking, &|mk| net.enabled(t, mk)) {
                    for s in path {
                        c += net.transitions[s].inputs.len() as u32;
                        p += net.transitions[s].outputs.len() as u32;
                        net.fire(s, &mut marking);
                    }
                    chosen = Some(t);
                    break;
                }
            }
        }
        let t = match chosen {
            Some(t) => t,
            None => {
                let t = candidates[0];
                let lacking: Vec<usize> =
                    net.transitions[t].inputs.iter().copied().filter(|&pl| marking[pl] == 0).collect();
                for &pl in &lacking {
                    marking[pl] += 1;
                    m += 1;
                }
                if fired.contains(a) {
                    deviations.push(Deviation { kind: "repeated", activity: a.into(), position: Some(pos) });
                } else {
                    let before: BTreeSet<&str> = lacking.iter().flat_map(|&pl| producers(pl)).collect();
                    let later: BTreeSet<&str> = activities[pos + 1..].iter().copied().collect();
                    let (mut any_later, mut any_skipped) = (false, false);
                    for b in before.iter().filter(|b| !fired.contains(*b) && **b != a) {
                        if later.contains(b) {
                            any_later = true;
                        } else {
                            any_skipped = true;
                            deviations.push(Deviation { kind: "skipped", activity: (*b).into(), position: Some(pos) });
                        }
                    }
                    if any_later {
                        deviations.push(Deviation { kind: "out_of_order", activity: a.into(), position: Some(pos) });
                    } else if !any_skipped {
                        deviations.push(Deviation { kind: "unexpected", activity: a.into(), position: Some(pos) });
                    }
                }
                t
            }
        };
        c += net.transitions[t].inputs.len() as u32;
        p += net.transitions[t].outputs.len() as u32;
        net.fire(t, &mut marking);
        fired.insert(a);
    }
    // Towards the end: silent transitions that reach the sink, if any.
    if marking[net.sink] == 0
        && let Some(path) = net.silent_path(&marking, &|mk| mk[net.sink] > 0)
    {
        for s in path {
            c += net.transitions[s].inputs.len() as u32;
            p += net.transitions[s].outputs.len() as u32;
            net.fire(s, &mut marking);
        }
    }
    // The final token is consumed (missing if the trace never got there).
    if marking[net.sink] > 0 {
        marking[net.sink] -= 1;
    } else {
        m += 1;
        // What the trace stopped in front of: visible transitions enabled by its tokens.
        let stuck: BTreeSet<&str> = net
            .transitions
            .iter()
            .filter(|t| t.label.is_some() && t.inputs.iter().any(|&pl| marking[pl] > 0))
            .filter_map(|t| t.label.as_deref())
            .collect();
        for s in stuck {
            deviations.push(Deviation { kind: "skipped", activity: s.into(), position: None });
        }
    }
    c += 1;
    let r: u32 = marking.iter().sum();
    let fitness = trace_fitness(p, c, m, r);
    TraceResult { produced: p, consumed: c, missing: m, remaining: r, fitness, fits: m == 0 && r == 0, deviations }
}

/// ½(1 − m/c) + ½(1 − r/p).
pub fn trace_fitness(p: u32, c: u32, m: u32, r: u32) -> f64 {
    let part = |a: u32, b: u32| if b == 0 { 1.0 } else { 1.0 - f64::from(a) / f64::from(b) };
    0.5 * part(m, c) + 0.5 * part(r, p)
}

/// The log's figures over every trace replayed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub traces: usize,
    pub fitting_traces: usize,
    /// ½(1 − Σm/Σc) + ½(1 − Σr/Σp), PM4Py's `log_fitness`.
    pub log_fitness: f64,
    /// The mean of the traces' fitness, PM4Py's `average_trace_fitness`.
    pub average_trace_fitness: f64,
    /// Deviations counted by kind and activity: `kind: {activity: n}`.
    pub deviations: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Sums trace results into the log's figures.
#[derive(Default)]
pub struct SummaryBuilder {
    s: Summary,
    sums: (u64, u64, u64, u64),
    fitness_sum: f64,
}

impl SummaryBuilder {
    pub fn add(&mut self, t: &TraceResult) {
        self.s.traces += 1;
        self.s.fitting_traces += usize::from(t.fits);
        self.sums.0 += u64::from(t.produced);
        self.sums.1 += u64::from(t.consumed);
        self.sums.2 += u64::from(t.missing);
        self.sums.3 += u64::from(t.remaining);
        self.fitness_sum += t.fitness;
        for d in &t.deviations {
            *self.s.deviations.entry(d.kind.to_string()).or_default().entry(d.activity.clone()).or_default() += 1;
        }
    }

    pub fn finish(mut self) -> Summary {
        let (p, c, m, r) = self.sums;
        let part = |a: u64, b: u64| if b == 0 { 1.0 } else { 1.0 - a as f64 / b as f64 };
        self.s.log_fitness = if self.s.traces == 0 { 1.0 } else { 0.5 * part(m, c) + 0.5 * part(r, p) };
        self.s.average_trace_fitness = if self.s.traces == 0 { 1.0 } else { self.fitness_sum / self.s.traces as f64 };
        self.s
    }
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
        check(&xml, &Registry::new([], ["r"])).unwrap_or_else(|p| panic!("{p:#?}"))
    }

    fn task(id: &str) -> String {
        format!("<userTask id='{id}' name='{id}' phos:candidateRoles='r'/>")
    }

    fn flows(pairs: &[(&str, &str)]) -> String {
        pairs
            .iter()
            .enumerate()
            .map(|(i, (s, t))| format!("<sequenceFlow id='f{i}' sourceRef='{s}' targetRef='{t}'/>"))
            .collect()
    }

    /// start → A → B → C → end (only tasks visible, as a log from another system).
    fn sequence() -> Net {
        let d = def(&format!(
            "<startEvent id='s'/>{}{}{}<endEvent id='e'/>{}",
            task("A"),
            task("B"),
            task("C"),
            flows(&[("s", "A"), ("A", "B"), ("B", "C"), ("C", "e")])
        ));
        Net::from_definition(&d, &|a| ["A", "B", "C"].contains(&a))
    }

    fn kinds(r: &TraceResult) -> Vec<(&str, &str)> {
        r.deviations.iter().map(|d| (d.kind, d.activity.as_str())).collect()
    }

    #[test]
    fn a_fitting_trace_replays_with_fitness_one() {
        let net = sequence();
        // Tokens by hand (start and end events are the source and sink places): initial
        // (p=1); A c1 p1; B c1 p1; C c1 p1; final consumed c1. p = 4, c = 4, m = 0, r = 0.
        let r = replay(&net, &["A", "B", "C"]);
        assert_eq!((r.produced, r.consumed, r.missing, r.remaining), (4, 4, 0, 0));
        assert_eq!(r.fitness, 1.0);
        assert!(r.fits && r.deviations.is_empty());
    }

    #[test]
    fn a_skipped_activity_costs_one_missing_and_one_remaining_token() {
        let net = sequence();
        // A, C: after A the token waits before B; C lacks its token (m=1) and B's input keeps
        // one (r=1). p: 1 + A + C = 3; c: A + C + final = 3. Fitness ½(1 − 1/3) · 2 = 2/3.
        let r = replay(&net, &["A", "C"]);
        assert_eq!((r.produced, r.consumed, r.missing, r.remaining), (3, 3, 1, 1));
        assert!((r.fitness - 2.0 / 3.0).abs() < 1e-12, "{}", r.fitness);
        assert_eq!(kinds(&r), [("skipped", "B")]);
    }

    #[test]
    fn out_of_order_and_repeated_activities() {
        let net = sequence();
        // B before A: B lacks a token (m=1); A then fires normally; its token for B remains
        // (r=1); C lacks nothing? C needs B's output: B put one there, so C fires.
        let r = replay(&net, &["B", "A", "C"]);
        assert_eq!((r.missing, r.remaining), (1, 1));
        assert_eq!(kinds(&r), [("out_of_order", "B")]);
        // A, B, B, C: the second B lacks a token (m=1) and one token stays before C (r=1).
        let r = replay(&net, &["A", "B", "B", "C"]);
        assert_eq!((r.missing, r.remaining), (1, 1));
        assert_eq!(kinds(&r), [("repeated", "B")]);
        // An activity the model does not know is listed and left out.
        let r = replay(&net, &["A", "X", "B", "C"]);
        assert!(r.fits);
        assert_eq!(kinds(&r), [("unknown_activity", "X")]);
        // A trace that stops after A: the final token is missing, B is skipped.
        let r = replay(&net, &["A"]);
        assert_eq!((r.missing, r.remaining), (1, 1));
        assert_eq!(kinds(&r), [("skipped", "B")]);
    }

    #[test]
    fn choices_and_parallel_branches() {
        // s → A → xor(B | C) → merge → D → end; and a parallel split (E ∥ F) before end.
        let d = def(&format!(
            "<startEvent id='s'/>{}{}{}{}{}{}<exclusiveGateway id='x' default='f2'/><exclusiveGateway id='m'/>\
             <parallelGateway id='ps'/><parallelGateway id='pj'/><endEvent id='e'/>\
             <sequenceFlow id='f0' sourceRef='s' targetRef='A'/><sequenceFlow id='f1' sourceRef='A' targetRef='x'/>\
             <sequenceFlow id='f2' sourceRef='x' targetRef='B'/>\
             <sequenceFlow id='f3' sourceRef='x' targetRef='C'><conditionExpression>c</conditionExpression></sequenceFlow>\
             <sequenceFlow id='f4' sourceRef='B' targetRef='m'/><sequenceFlow id='f5' sourceRef='C' targetRef='m'/>\
             <sequenceFlow id='f6' sourceRef='m' targetRef='D'/><sequenceFlow id='f7' sourceRef='D' targetRef='ps'/>\
             <sequenceFlow id='f8' sourceRef='ps' targetRef='E'/><sequenceFlow id='f9' sourceRef='ps' targetRef='F'/>\
             <sequenceFlow id='f10' sourceRef='E' targetRef='pj'/><sequenceFlow id='f11' sourceRef='F' targetRef='pj'/>\
             <sequenceFlow id='f12' sourceRef='pj' targetRef='e'/>",
            task("A"),
            task("B"),
            task("C"),
            task("D"),
            task("E"),
            task("F")
        ));
        let net = Net::from_definition(&d, &|a| ["A", "B", "C", "D", "E", "F"].contains(&a));
        for ok in [["A", "B", "D", "E", "F"], ["A", "C", "D", "F", "E"]] {
            let r = replay(&net, &ok);
            assert!(r.fits, "{ok:?}: {r:?}");
            assert_eq!(r.fitness, 1.0);
        }
        // Both branches of the choice: the second lacks the choice's token.
        let r = replay(&net, &["A", "B", "C", "D", "E", "F"]);
        assert_eq!((r.missing, r.remaining), (1, 1));
        assert_eq!(kinds(&r), [("unexpected", "C")]);
        // One parallel branch missing: F skipped.
        let r = replay(&net, &["A", "B", "D", "E"]);
        assert!(!r.fits);
        assert!(kinds(&r).contains(&("skipped", "F")), "{r:?}");
    }

    #[test]
    fn log_fitness_sums_tokens_as_pm4py_does() {
        let net = sequence();
        let mut b = SummaryBuilder::default();
        b.add(&replay(&net, &["A", "B", "C"])); // p4 c4 m0 r0
        b.add(&replay(&net, &["A", "C"])); // p3 c3 m1 r1
        let s = b.finish();
        // ½(1 − 1/7) + ½(1 − 1/7) = 6/7; mean of 1 and 2/3 = 5/6.
        assert!((s.log_fitness - 6.0 / 7.0).abs() < 1e-12);
        assert!((s.average_trace_fitness - 5.0 / 6.0).abs() < 1e-12);
        assert_eq!((s.traces, s.fitting_traces), (2, 1));
        assert_eq!(s.deviations["skipped"]["B"], 1);
    }
}
