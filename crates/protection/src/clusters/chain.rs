//! The transmission chain of a cluster as a server-rendered SVG: each case a box, placed in a
//! column by its generation (the longest chain of links leading to it), each link an arrow
//! from source to target. The SVG carries a title and a description; the page shows the same
//! information as a table. Pure.

use std::collections::HashMap;

use kernel::web::html::escape as esc;

/// A case in the diagram.
#[derive(Clone, Debug)]
pub struct Node {
    pub id: String,
    /// First line, e.g. the case reference.
    pub label: String,
    /// Second line, e.g. onset and classification.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: String,
    pub generation: usize,
    pub x: i64,
    pub y: i64,
}

pub const BOX_W: i64 = 200;
pub const BOX_H: i64 = 46;
const GAP_X: i64 = 48;
const GAP_Y: i64 = 18;
const MARGIN: i64 = 12;

/// Whether adding `source → target` would close a loop (target already leads to source).
pub fn creates_cycle(edges: &[(String, String)], source: &str, target: &str) -> bool {
    if source == target {
        return true;
    }
    let mut stack = vec![target.to_string()];
    let mut seen = std::collections::HashSet::new();
    while let Some(n) = stack.pop() {
        if n == source {
            return true;
        }
        if seen.insert(n.clone()) {
            stack.extend(edges.iter().filter(|(s, _)| *s == n).map(|(_, t)| t.clone()));
        }
    }
    false
}

/// Generation of each node: 0 for cases no link leads to, else one more than the deepest
/// source. Loops (refused when links are added) are cut after `n` rounds.
pub fn generations(nodes: &[Node], edges: &[(String, String)]) -> HashMap<String, usize> {
    let mut g: HashMap<String, usize> = nodes.iter().map(|n| (n.id.clone(), 0)).collect();
    for _ in 0..nodes.len() {
        let mut changed = false;
        for (s, t) in edges {
            if let (Some(&gs), Some(&gt)) = (g.get(s), g.get(t))
                && gt < gs + 1
                && gs < nodes.len()
            {
                g.insert(t.clone(), gs + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    g
}

/// Positions: one column per generation, nodes in their given order within a column.
pub fn layout(nodes: &[Node], edges: &[(String, String)]) -> (Vec<Placed>, i64, i64) {
    let gens = generations(nodes, edges);
    let mut rows: HashMap<usize, i64> = HashMap::new();
    let mut placed = vec![];
    for n in nodes {
        let g = gens[&n.id];
        let row = rows.entry(g).or_insert(0);
        placed.push(Placed {
            id: n.id.clone(),
            generation: g,
            x: MARGIN + g as i64 * (BOX_W + GAP_X),
            y: MARGIN + *row * (BOX_H + GAP_Y),
        });
        *row += 1;
    }
    let cols = gens.values().max().map(|m| m + 1).unwrap_or(0) as i64;
    let max_rows = rows.values().max().copied().unwrap_or(0);
    let width = (2 * MARGIN + cols * BOX_W + (cols - 1).max(0) * GAP_X).max(2 * MARGIN + BOX_W);
    let height = (2 * MARGIN + max_rows * BOX_H + (max_rows - 1).max(0) * GAP_Y).max(2 * MARGIN + BOX_H);
    (placed, width, height)
}

/// The SVG. `title` and `description` become its accessible name and description; ids are
/// prefixed with `id_prefix` so several diagrams can share a page.
pub fn svg(nodes: &[Node], edges: &[(String, String)], title: &str, description: &str, id_prefix: &str) -> String {
    let (placed, width, height) = layout(nodes, edges);
    let at: HashMap<&str, &Placed> = placed.iter().map(|p| (p.id.as_str(), p)).collect();
    let p = esc(id_prefix);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{p}-title {p}-desc\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" class=\"chain\">\
         <title id=\"{p}-title\">{}</title><desc id=\"{p}-desc\">{}</desc>\
         <defs><marker id=\"{p}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" \
         orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#0b0c0c\"/></marker></defs>",
        esc(title),
        esc(description)
    );
    for (s, t) in edges {
        let (Some(a), Some(b)) = (at.get(s.as_str()), at.get(t.as_str())) else { continue };
        let (x1, y1) = (a.x + BOX_W, a.y + BOX_H / 2);
        let (x2, y2) = (b.x, b.y + BOX_H / 2);
        if b.generation > a.generation {
            let mid = (x1 + x2) / 2;
            out.push_str(&format!(
                "<path d=\"M {x1} {y1} C {mid} {y1}, {mid} {y2}, {x2} {y2}\" fill=\"none\" stroke=\"#0b0c0c\" \
                 stroke-width=\"2\" marker-end=\"url(#{p}-arrow)\"/>"
            ));
        } else {
            // Not left to right (only with a loop): an arc above the boxes.
            let top = a.y.min(b.y) - 8;
            out.push_str(&format!(
                "<path d=\"M {} {} C {} {top}, {} {top}, {} {}\" fill=\"none\" stroke=\"#0b0c0c\" stroke-width=\"2\" \
                 stroke-dasharray=\"6 4\" marker-end=\"url(#{p}-arrow)\"/>",
                a.x + BOX_W / 2,
                a.y,
                a.x + BOX_W / 2,
                b.x + BOX_W / 2,
                b.x + BOX_W / 2,
                b.y
            ));
        }
    }
    for n in nodes {
        let q = at[n.id.as_str()];
        out.push_str(&format!(
            "<g><rect x=\"{}\" y=\"{}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#0b0c0c\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"14\" font-weight=\"700\" fill=\"#0b0c0c\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#0b0c0c\">{}</text></g>",
            q.x,
            q.y,
            q.x + 8,
            q.y + 19,
            esc(&n.label),
            q.x + 8,
            q.y + 37,
            esc(&n.detail)
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str) -> Node {
        Node { id: id.into(), label: id.into(), detail: "onset 2026-03-01".into() }
    }

    fn e(s: &str, t: &str) -> (String, String) {
        (s.into(), t.into())
    }

    #[test]
    fn generations_follow_the_longest_chain() {
        let nodes: Vec<Node> = ["a", "b", "c", "d", "x"].iter().map(|s| node(s)).collect();
        let edges = vec![e("a", "b"), e("b", "c"), e("a", "c"), e("c", "d")];
        let g = generations(&nodes, &edges);
        assert_eq!((g["a"], g["b"], g["c"], g["d"], g["x"]), (0, 1, 2, 3, 0));
        let (placed, w, h) = layout(&nodes, &edges);
        // a and x share column 0 on different rows; columns move right by generation.
        let pos = |id: &str| placed.iter().find(|p| p.id == id).unwrap().clone();
        assert_eq!(pos("a").x, pos("x").x);
        assert!(pos("x").y > pos("a").y);
        assert!(pos("a").x < pos("b").x && pos("b").x < pos("c").x && pos("c").x < pos("d").x);
        // Every box fits inside the drawing, and no two boxes overlap.
        for p in &placed {
            assert!(p.x >= 0 && p.y >= 0 && p.x + BOX_W <= w && p.y + BOX_H <= h);
        }
        for (i, p) in placed.iter().enumerate() {
            for q in &placed[i + 1..] {
                let apart = p.x + BOX_W <= q.x || q.x + BOX_W <= p.x || p.y + BOX_H <= q.y || q.y + BOX_H <= p.y;
                assert!(apart, "{p:?} overlaps {q:?}");
            }
        }
    }

    #[test]
    fn cycles_are_detected_and_survive_layout() {
        let edges = vec![e("a", "b"), e("b", "c")];
        assert!(creates_cycle(&edges, "c", "a"));
        assert!(creates_cycle(&edges, "a", "a"));
        assert!(!creates_cycle(&edges, "a", "c"));
        assert!(!creates_cycle(&edges, "x", "a"));
        let nodes: Vec<Node> = ["a", "b"].iter().map(|s| node(s)).collect();
        let looped = vec![e("a", "b"), e("b", "a")];
        let g = generations(&nodes, &looped);
        assert!(g.values().all(|v| *v <= nodes.len()), "bounded: {g:?}");
        assert!(svg(&nodes, &looped, "t", "d", "c").contains("stroke-dasharray"));
    }

    #[test]
    fn svg_is_accessible_and_escaped() {
        let nodes = vec![node("CASE-1"), Node { id: "b".into(), label: "<b>&".into(), detail: "x".into() }];
        let s = svg(&nodes, &[e("CASE-1", "b")], "Chain of CL-1", "2 cases, 1 link: CASE-1 → <b>", "cl1");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("role=\"img\"") && s.contains("aria-labelledby=\"cl1-title cl1-desc\""));
        assert!(s.contains("<title id=\"cl1-title\">Chain of CL-1</title>"));
        assert!(s.contains("&lt;b&gt;&amp;") && !s.contains("<b>&"));
        assert_eq!(s.matches("<rect").count(), 2);
        assert_eq!(s.matches("marker-end").count(), 1);
        assert!(!s.contains("style="), "no inline styles (CSP)");
        // An empty cluster still draws a valid, labelled SVG.
        let empty = svg(&[], &[], "t", "no cases", "z");
        assert!(empty.contains("<title id=\"z-title\">t</title>") && empty.ends_with("</svg>"));
    }
}
