//! The definition drawn as SVG, pure: positions from BPMN DI when the document has a shape for
//! every node, otherwise a layered left-to-right layout over the flow graph; then the picture,
//! with live counts per node (tokens waiting, open tasks) as badges.
//!
//! The automatic layout, so that a result can be checked by hand:
//! - back edges (those that close a cycle in a depth-first walk from the nodes without incoming
//!   flows, in document order) are set aside;
//! - a node's layer is the longest path to it over the remaining flows (sources are layer 0); a
//!   boundary event counts as following the activity it is attached to, and the start events of
//!   a sub-process as following the sub-process;
//! - within a layer, nodes are ordered by the mean row of their predecessors (document order on
//!   ties), then given rows 0, 1, 2…;
//! - a node sits centred in its cell (`COL` wide, `ROW` high); flows run from the right middle
//!   of their source to the left middle of their target with one bend, back edges underneath.

use std::collections::BTreeMap;
use std::fmt::Write;

use kernel::web::html::escape;

use super::{Definition, NodeKind};

pub const COL: f64 = 170.0;
pub const ROW: f64 = 110.0;
pub const MARGIN: f64 = 30.0;

/// A box: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Bounds {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(&self) -> f64 {
        self.y + self.h / 2.0
    }
}

/// Where every node and flow goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub nodes: BTreeMap<String, Bounds>,
    pub flows: BTreeMap<String, Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
    /// Whether the positions came from BPMN DI.
    pub from_di: bool,
}

/// The size of a node drawn by the automatic layout.
pub fn size(kind: &NodeKind) -> (f64, f64) {
    match kind {
        NodeKind::Start { .. }
        | NodeKind::End
        | NodeKind::Timer { .. }
        | NodeKind::Message { .. }
        | NodeKind::BoundaryTimer { .. }
        | NodeKind::BoundaryMessage { .. } => (36.0, 36.0),
        NodeKind::Exclusive { .. } | NodeKind::Parallel => (50.0, 50.0),
        _ => (120.0, 70.0),
    }
}

/// The layout of a definition: BPMN DI when it places every node, automatic otherwise.
pub fn layout(def: &Definition) -> Layout {
    let di = &def.diagram;
    if !def.nodes.is_empty() && def.nodes.iter().all(|n| di.shapes.contains_key(&n.id)) {
        from_di(def)
    } else {
        auto(def)
    }
}

fn from_di(def: &Definition) -> Layout {
    let mut l = Layout { from_di: true, ..Default::default() };
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    let mut grow = |x: f64, y: f64| {
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
    };
    for n in &def.nodes {
        let (x, y, w, h) = def.diagram.shapes[&n.id];
        grow(x, y);
        grow(x + w, y + h + 20.0);
    }
    for f in &def.flows {
        for &(x, y) in def.diagram.edges.get(&f.id).into_iter().flatten() {
            grow(x, y);
        }
    }
    // Shift so that the drawing starts at the margin.
    let (dx, dy) = (MARGIN - min_x, MARGIN - min_y);
    for n in &def.nodes {
        let (x, y, w, h) = def.diagram.shapes[&n.id];
        l.nodes.insert(n.id.clone(), Bounds { x: x + dx, y: y + dy, w, h });
    }
    for f in &def.flows {
        let points = match def.diagram.edges.get(&f.id) {
            Some(p) if p.len() >= 2 => p.iter().map(|&(x, y)| (x + dx, y + dy)).collect(),
            _ => match (l.nodes.get(&f.source), l.nodes.get(&f.target)) {
                (Some(a), Some(b)) => route(a, b, false, 0.0),
                _ => continue,
            },
        };
        l.flows.insert(f.id.clone(), points);
    }
    l.width = (max_x - min_x) + 2.0 * MARGIN;
    l.height = (max_y - min_y) + 2.0 * MARGIN;
    l
}

/// The layer and row of each node (indices into `def.nodes`), and the back edges (flow ids).
pub fn layers(def: &Definition) -> (Vec<usize>, Vec<usize>, Vec<String>) {
    let n = def.nodes.len();
    let index: BTreeMap<&str, usize> = def.nodes.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    // (from, to, flow id if a real flow)
    let mut edges: Vec<(usize, usize, Option<&str>)> = vec![];
    for f in &def.flows {
        if let (Some(&a), Some(&b)) = (index.get(f.source.as_str()), index.get(f.target.as_str())) {
            edges.push((a, b, Some(&f.id)));
        }
    }
    for (i, node) in def.nodes.iter().enumerate() {
        match &node.kind {
            NodeKind::BoundaryTimer { attached_to, .. } | NodeKind::BoundaryMessage { attached_to, .. } => {
                if let Some(&h) = index.get(attached_to.as_str()) {
                    edges.push((h, i, None));
                }
            }
            NodeKind::Start { .. } => {
                if let Some(&p) = node.parent.as_deref().and_then(|p| index.get(p)) {
                    edges.push((p, i, None));
                }
            }
            _ => {}
        }
    }
    let out: Vec<Vec<usize>> =
        (0..n).map(|i| edges.iter().enumerate().filter(|(_, e)| e.0 == i).map(|(k, _)| k).collect()).collect();
    let has_in: Vec<bool> = (0..n).map(|i| edges.iter().any(|e| e.1 == i)).collect();
    // Depth-first walk: 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut back = vec![false; edges.len()];
    let roots: Vec<usize> = (0..n).filter(|&i| !has_in[i]).chain(0..n).collect();
    for r in roots {
        if state[r] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(r, 0)];
        state[r] = 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*k) {
                *k += 1;
                let w = edges[e].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // Longest path over the forward edges (Kahn's order).
    let mut indeg = vec![0usize; n];
    for (k, e) in edges.iter().enumerate() {
        if !back[k] {
            indeg[e.1] += 1;
        }
    }
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| indeg[i] == 0).collect();
    let mut order = vec![];
    while let Some(v) = (!queue.is_empty()).then(|| queue.remove(0)) {
        order.push(v);
        for &e in &out[v] {
            if back[e] {
                continue;
            }
            let w = edges[e].1;
            layer[w] = layer[w].max(layer[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                queue.push(w);
            }
        }
    }
    // Rows: by the mean row of the predecessors, layer by layer.
    let mut row = vec![0usize; n];
    let max_layer = layer.iter().copied().max().unwrap_or(0);
    for l in 0..=max_layer {
        let mut members: Vec<(f64, usize)> = (0..n)
            .filter(|&i| layer[i] == l)
            .map(|i| {
                let preds: Vec<f64> = edges
                    .iter()
                    .enumerate()
                    .filter(|(k, e)| e.1 == i && !back[*k] && layer[e.0] < l)
                    .map(|(_, e)| row[e.0] as f64)
                    .collect();
                let key = if preds.is_empty() { 0.0 } else { preds.iter().sum::<f64>() / preds.len() as f64 };
                (key, i)
            })
            .collect();
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (r, (_, i)) in members.into_iter().enumerate() {
            row[i] = r;
        }
    }
    let back_ids =
        edges.iter().enumerate().filter(|(k, _)| back[*k]).filter_map(|(_, e)| e.2.map(str::to_string)).collect();
    (layer, row, back_ids)
}

/// A flow's waypoints from box `a` to box `b`: one bend going forward; a back edge runs under
/// the drawing at `bottom`.
fn route(a: &Bounds, b: &Bounds, back: bool, bottom: f64) -> Vec<(f64, f64)> {
    if back {
        vec![(a.cx(), a.y + a.h), (a.cx(), bottom), (b.cx(), bottom), (b.cx(), b.y + b.h)]
    } else {
        let (x1, y1, x2, y2) = (a.x + a.w, a.cy(), b.x, b.cy());
        if (y1 - y2).abs() < 0.5 {
            vec![(x1, y1), (x2, y2)]
        } else {
            let xm = (x1 + x2) / 2.0;
            vec![(x1, y1), (xm, y1), (xm, y2), (x2, y2)]
        }
    }
}

fn auto(def: &Definition) -> Layout {
    let (layer, row, back) = layers(def);
    let mut l = Layout::default();
    for (i, node) in def.nodes.iter().enumerate() {
        let (w, h) = size(&node.kind);
        let x = MARGIN + layer[i] as f64 * COL + (COL - 40.0 - w) / 2.0;
        let y = MARGIN + row[i] as f64 * ROW + (ROW - 30.0 - h) / 2.0;
        l.nodes.insert(node.id.clone(), Bounds { x, y, w, h });
    }
    let layers_n = layer.iter().copied().max().map_or(1, |m| m + 1);
    let rows_n = row.iter().copied().max().map_or(1, |m| m + 1);
    let bottom = MARGIN + rows_n as f64 * ROW - 10.0;
    let index: BTreeMap<&str, usize> = def.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    for f in &def.flows {
        let (Some(&si), Some(&ti)) = (index.get(f.source.as_str()), index.get(f.target.as_str())) else { continue };
        let (a, b) = (l.nodes[&f.source], l.nodes[&f.target]);
        let points = if !back.contains(&f.id) && layer[ti] > layer[si] + 1 {
            // A flow that skips layers runs in the gap under its rows, not through the nodes
            // between.
            let lane = MARGIN + (row[si].max(row[ti]) + 1) as f64 * ROW - 18.0;
            let (x1, y1, x2, y2) = (a.x + a.w, a.cy(), b.x, b.cy());
            vec![(x1, y1), (x1 + 12.0, y1), (x1 + 12.0, lane), (x2 - 12.0, lane), (x2 - 12.0, y2), (x2, y2)]
        } else {
            route(&a, &b, back.contains(&f.id), bottom)
        };
        l.flows.insert(f.id.clone(), points);
    }
    l.width = 2.0 * MARGIN + layers_n as f64 * COL;
    l.height = 2.0 * MARGIN + rows_n as f64 * ROW;
    l
}

/// Live figures for one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Running instances waiting at the node.
    pub tokens: u64,
    /// Open or claimed user tasks at the node.
    pub tasks: u64,
}

/// Texts the picture needs, in the page's language.
pub struct Labels<'a> {
    pub title: &'a str,
    pub desc: &'a str,
    /// Chinese names (and narrower lines); the counts' accessible text is the table beside.
    pub zh: bool,
}

/// Splits a label into lines of at most `width` characters (words kept whole when they fit;
/// Chinese text, without spaces, is cut by characters).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if word.is_empty() {
            continue;
        }
        if cur.is_empty() {
            cur = word;
        } else if cur.chars().count() + 1 + word.chars().count() <= width {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut cur, word));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

const INK: &str = "#0b0c0c";
const LINE: &str = "#505a5f";
const BADGE: &str = "#1d70b8";

/// Draws the definition with its counts.
pub fn svg(def: &Definition, l: &Layout, counts: &BTreeMap<String, Counts>, labels: &Labels) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="bpmn" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="bpmn-title bpmn-desc" font-family="sans-serif" font-size="12"><title id="bpmn-title">{}</title><desc id="bpmn-desc">{}</desc><defs><marker id="bpmn-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{LINE}"/></marker></defs>"##,
        escape(labels.title),
        escape(labels.desc),
        w = l.width,
        h = l.height,
    );
    let cw = if labels.zh { 8 } else { 16 };
    // Sub-processes first (in DI they contain their children).
    for n in def.nodes.iter().filter(|n| matches!(n.kind, NodeKind::SubProcess)) {
        let Some(b) = l.nodes.get(&n.id) else { continue };
        let _ = write!(
            s,
            r##"<g data-node="{}"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="10" fill="none" stroke="{INK}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" fill="{INK}">{}</text></g>"##,
            escape(&n.id),
            b.x,
            b.y,
            b.w,
            b.h,
            b.x + 8.0,
            b.y + 16.0,
            escape(n.label(labels.zh))
        );
    }
    for f in &def.flows {
        let Some(points) = l.flows.get(&f.id) else { continue };
        let d: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="{LINE}" stroke-width="1.5" marker-end="url(#bpmn-arrow)"/>"##,
            d.join(" ")
        );
        if let Some(name) = &f.name {
            let (x, y) = points[points.len() / 2 - usize::from(points.len() % 2 == 0)];
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" fill="{INK}" font-size="11">{}</text>"##,
                x + 4.0,
                y - 4.0,
                escape(name)
            );
        }
    }
    for n in &def.nodes {
        let Some(b) = l.nodes.get(&n.id) else { continue };
        let label = n.label(labels.zh);
        let _ = write!(s, r##"<g data-node="{}">"##, escape(&n.id));
        match &n.kind {
            NodeKind::SubProcess => {}
            NodeKind::UserTask { .. } | NodeKind::ServiceTask { .. } => {
                let _ = write!(
                    s,
                    r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>"##,
                    b.x, b.y, b.w, b.h
                );
                let lines = wrap(label, cw);
                let top = b.cy() - (lines.len() as f64 - 1.0) * 7.0 + 4.0;
                for (i, line) in lines.iter().enumerate() {
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{}</text>"##,
                        b.cx(),
                        top + i as f64 * 14.0,
                        escape(line)
                    );
                }
                if matches!(n.kind, NodeKind::ServiceTask { .. }) {
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" fill="{INK}" font-size="11">⚙</text>"##,
                        b.x + 5.0,
                        b.y + 14.0
                    );
                }
            }
            NodeKind::Exclusive { .. } | NodeKind::Parallel => {
                let (cx, cy) = (b.cx(), b.cy());
                let _ = write!(
                    s,
                    r##"<path d="M {cx:.1} {:.1} L {:.1} {cy:.1} L {cx:.1} {:.1} L {:.1} {cy:.1} Z" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="18" fill="{INK}">{}</text>"##,
                    b.y,
                    b.x + b.w,
                    b.y + b.h,
                    b.x,
                    cy + 6.0,
                    if matches!(n.kind, NodeKind::Parallel) { "+" } else { "×" }
                );
                below(&mut s, b, label, cw);
            }
            _ => {
                let (stroke, double) = match n.kind {
                    NodeKind::End => (4.0, false),
                    NodeKind::Start { .. } => (1.5, false),
                    _ => (1.5, true),
                };
                let r = b.w.min(b.h) / 2.0;
                let _ = write!(
                    s,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="#ffffff" stroke="{INK}" stroke-width="{stroke}"/>"##,
                    b.cx(),
                    b.cy()
                );
                if double {
                    let _ = write!(
                        s,
                        r##"<circle cx="{:.1}" cy="{:.1}" r="{:.1}" fill="none" stroke="{INK}"/>"##,
                        b.cx(),
                        b.cy(),
                        r - 3.5
                    );
                    let sym = if matches!(n.kind, NodeKind::Timer { .. } | NodeKind::BoundaryTimer { .. }) {
                        "◷"
                    } else {
                        "✉"
                    };
                    let _ = write!(
                        s,
                        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{sym}</text>"##,
                        b.cx(),
                        b.cy() + 4.0
                    );
                }
                below(&mut s, b, label, cw);
            }
        }
        let c = counts.get(&n.id).copied().unwrap_or_default();
        let shown = c.tokens.max(c.tasks);
        if shown > 0 {
            let (bx, by) = (b.x + b.w, b.y);
            let _ = write!(
                s,
                r##"<g class="bpmn-count"><circle cx="{bx:.1}" cy="{by:.1}" r="12" fill="{BADGE}"/><text x="{bx:.1}" y="{:.1}" text-anchor="middle" fill="#ffffff" font-size="11" font-weight="bold">{shown}</text></g>"##,
                by + 4.0
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s
}

fn below(s: &mut String, b: &Bounds, label: &str, width: usize) {
    for (i, line) in wrap(label, width).iter().enumerate().take(3) {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}" font-size="11">{}</text>"##,
            b.cx(),
            b.y + b.h + 14.0 + i as f64 * 13.0,
            escape(line)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definitions::{Flow, Node};

    fn node(id: &str, kind: NodeKind) -> Node {
        Node { id: id.into(), name: None, name_zh: None, kind, parent: None }
    }
    fn task(id: &str) -> Node {
        node(id, NodeKind::UserTask { roles: vec!["admin".into()], four_eyes_with: None })
    }
    fn flow(id: &str, a: &str, b: &str) -> Flow {
        Flow { id: id.into(), source: a.into(), target: b.into(), name: None, condition: None }
    }
    fn def(nodes: Vec<Node>, flows: Vec<Flow>) -> Definition {
        Definition { key: "p".into(), nodes, flows, ..Default::default() }
    }

    #[test]
    fn a_chain_goes_left_to_right_on_one_row() {
        let d = def(
            vec![node("s", NodeKind::Start { message: None }), task("a"), node("e", NodeKind::End)],
            vec![flow("1", "s", "a"), flow("2", "a", "e")],
        );
        let (layer, row, back) = layers(&d);
        assert_eq!((layer, row, back), (vec![0, 1, 2], vec![0, 0, 0], vec![]));
        let l = layout(&d);
        assert!(!l.from_di);
        // The task is 120 × 70, centred in the second cell: x = 30 + 170 + (130 − 120) / 2.
        assert_eq!(l.nodes["a"], Bounds { x: 205.0, y: 30.0 + (80.0 - 70.0) / 2.0, w: 120.0, h: 70.0 });
        // The start event, 36 × 36, in the first cell: x = 30 + (130 − 36) / 2 = 77, y = 30 + 22.
        assert_eq!(l.nodes["s"], Bounds { x: 77.0, y: 52.0, w: 36.0, h: 36.0 });
        // Same row: a straight flow from the event's right middle to the task's left middle.
        assert_eq!(l.flows["1"], vec![(113.0, 70.0), (205.0, 70.0)]);
        assert_eq!((l.width, l.height), (60.0 + 3.0 * 170.0, 60.0 + 110.0));
    }

    #[test]
    fn a_split_takes_two_rows_and_the_join_takes_the_longest_path() {
        // s → g → a → j → e and g → b → c → j: j is at layer 5 (s0 g1 b2 c3 j4?) — by hand:
        // s=0, g=1, a=2, b=2, c=3, j=max(a+1, c+1)=4, e=5.
        let d = def(
            vec![
                node("s", NodeKind::Start { message: None }),
                node("g", NodeKind::Parallel),
                task("a"),
                task("b"),
                task("c"),
                node("j", NodeKind::Parallel),
                node("e", NodeKind::End),
            ],
            vec![
                flow("1", "s", "g"),
                flow("2", "g", "a"),
                flow("3", "g", "b"),
                flow("4", "b", "c"),
                flow("5", "a", "j"),
                flow("6", "c", "j"),
                flow("7", "j", "e"),
            ],
        );
        let (layer, row, back) = layers(&d);
        assert_eq!(layer, vec![0, 1, 2, 2, 3, 4, 5]);
        // a and b share layer 2: both have g (row 0) before them, so document order: a row 0, b row 1.
        assert_eq!(row, vec![0, 0, 0, 1, 0, 0, 0]);
        assert!(back.is_empty());
        // The flow from g (row 0) to b (row 1) bends once.
        let l = layout(&d);
        assert_eq!(l.flows["3"].len(), 4);
    }

    #[test]
    fn a_loop_back_is_set_aside_and_drawn_underneath() {
        let d = def(
            vec![
                node("s", NodeKind::Start { message: None }),
                task("a"),
                node("g", NodeKind::Exclusive { default: Some("back".into()) }),
                node("e", NodeKind::End),
            ],
            vec![flow("1", "s", "a"), flow("2", "a", "g"), flow("back", "g", "a"), flow("done", "g", "e")],
        );
        let (layer, _, back) = layers(&d);
        assert_eq!(layer, vec![0, 1, 2, 3]);
        assert_eq!(back, vec!["back".to_string()]);
        let l = layout(&d);
        let p = &l.flows["back"];
        // From the gateway's bottom down to 30 + 110 − 10 = 130, across, and up into the task.
        assert_eq!(p[1].1, 130.0);
        assert_eq!(p[0].0, l.nodes["g"].cx());
        assert_eq!(p[3], (l.nodes["a"].cx(), l.nodes["a"].y + 70.0));
    }

    #[test]
    fn a_flow_that_skips_a_layer_runs_under_its_row() {
        // s → g → a → e and g → e: g→e skips a's layer, so it runs at 30 + 110 − 18 = 122.
        let d = def(
            vec![
                node("s", NodeKind::Start { message: None }),
                node("g", NodeKind::Exclusive { default: Some("skip".into()) }),
                task("a"),
                node("e", NodeKind::End),
            ],
            vec![flow("1", "s", "g"), flow("2", "g", "a"), flow("3", "a", "e"), flow("skip", "g", "e")],
        );
        let l = layout(&d);
        let p = &l.flows["skip"];
        assert_eq!(p.len(), 6);
        assert_eq!((p[2].1, p[3].1), (122.0, 122.0));
        assert_eq!(p[0], (l.nodes["g"].x + 50.0, l.nodes["g"].cy()));
        assert_eq!(p[5], (l.nodes["e"].x, l.nodes["e"].cy()));
        assert_eq!(l.flows["2"].len(), 2, "neighbouring layers on one row: straight");
    }

    #[test]
    fn a_boundary_event_follows_its_activity() {
        let mut b = node(
            "b",
            NodeKind::BoundaryTimer {
                attached_to: "a".into(),
                interrupting: false,
                wait: Ok(crate::definitions::timer::Wait::Calendar(60)),
            },
        );
        b.name = Some("Late".into());
        let d = def(
            vec![node("s", NodeKind::Start { message: None }), task("a"), node("e", NodeKind::End), b, task("x")],
            vec![flow("1", "s", "a"), flow("2", "a", "e"), flow("3", "b", "x")],
        );
        let (layer, row, _) = layers(&d);
        assert_eq!(layer, vec![0, 1, 2, 2, 3]);
        assert_eq!((row[2], row[3]), (0, 1), "e before b in document order");
    }

    #[test]
    fn bpmn_di_is_used_when_it_places_every_node() {
        let mut d = def(
            vec![node("s", NodeKind::Start { message: None }), node("e", NodeKind::End)],
            vec![flow("1", "s", "e")],
        );
        d.diagram.shapes.insert("s".into(), (100.0, 200.0, 36.0, 36.0));
        let l = layout(&d);
        assert!(!l.from_di, "one node without a shape: automatic");
        d.diagram.shapes.insert("e".into(), (300.0, 200.0, 36.0, 36.0));
        d.diagram.edges.insert("1".into(), vec![(136.0, 218.0), (300.0, 218.0)]);
        let l = layout(&d);
        assert!(l.from_di);
        // Shifted by (30 − 100, 30 − 200).
        assert_eq!(l.nodes["s"], Bounds { x: 30.0, y: 30.0, w: 36.0, h: 36.0 });
        assert_eq!(l.flows["1"], vec![(66.0, 48.0), (230.0, 48.0)]);
        // Width: 236 wide plus margins; height: 36 + 20 for the label, plus margins.
        assert_eq!((l.width, l.height), (236.0 + 60.0, 56.0 + 60.0));
    }

    #[test]
    fn wrapping_and_the_picture() {
        assert_eq!(wrap("Investigate the complaint", 16), vec!["Investigate the", "complaint"]);
        assert_eq!(wrap("調查投訴個案並作出建議", 8), vec!["調查投訴個案並作", "出建議"]);
        assert_eq!(wrap("", 8), Vec::<String>::new());
        let mut a = task("a");
        a.name = Some("Check <papers> & sign".into());
        let d = def(
            vec![node("s", NodeKind::Start { message: None }), a, node("e", NodeKind::End)],
            vec![flow("1", "s", "a"), flow("2", "a", "e")],
        );
        let counts = BTreeMap::from([("a".to_string(), Counts { tokens: 3, tasks: 3 })]);
        let svg = svg(&d, &layout(&d), &counts, &Labels { title: "T & t", desc: "D", zh: false });
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"bpmn-title\">T &amp; t</title>"));
        assert!(svg.contains("Check &lt;papers&gt; &amp;"), "{svg}");
        assert_eq!(svg.matches("class=\"bpmn-count\"").count(), 1);
        assert!(svg.contains(">3</text>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
    }
}
