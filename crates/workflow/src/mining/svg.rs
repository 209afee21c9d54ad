//! The directly-follows graph drawn as SVG: activities in columns by their distance from a
//! start activity, boxes labelled with their counts, arrows labelled with the edge count and
//! its median wait. Pure: a string out, for a page or a file.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write;

use super::performance::EdgeWait;
use super::rules::Dfg;
use super::xes::escape;

const BOX_W: f64 = 170.0;
const BOX_H: f64 = 48.0;
const COL: f64 = 240.0;
const ROW: f64 = 90.0;
const MARGIN: f64 = 40.0;

/// A short human duration: 45 s, 12 min, 3.5 h, 2.1 d.
pub fn short_duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("{seconds:.0} s")
    } else if seconds < 90.0 * 60.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds < 36.0 * 3600.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} d", seconds / 86_400.0)
    }
}

/// Columns: the fewest edges from a start activity (activities no path reaches go last).
fn columns(g: &Dfg) -> BTreeMap<&str, usize> {
    let mut col: BTreeMap<&str, usize> = BTreeMap::new();
    let mut queue: VecDeque<&str> = VecDeque::new();
    for a in g.start.keys() {
        col.insert(a, 0);
        queue.push_back(a);
    }
    while let Some(a) = queue.pop_front() {
        let c = col[a];
        for e in g.edges.iter().filter(|e| e.from == a) {
            if !col.contains_key(e.to.as_str()) {
                col.insert(&e.to, c + 1);
                queue.push_back(&e.to);
            }
        }
    }
    let last = col.values().max().map_or(0, |m| m + 1);
    for a in g.activities.keys() {
        col.entry(a).or_insert(last);
    }
    col
}

/// Draws the graph; `waits` (from [`super::performance`]) adds the median wait to each edge.
/// `title` names the picture for screen readers.
pub fn dfg_svg(g: &Dfg, waits: &[EdgeWait], title: &str) -> String {
    let col = columns(g);
    let mut by_col: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (a, c) in &col {
        by_col.entry(*c).or_default().push(a);
    }
    let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (c, acts) in by_col.iter_mut() {
        acts.sort_by(|a, b| g.activities[*b].cmp(&g.activities[*a]).then(a.cmp(b)));
        for (i, a) in acts.iter().enumerate() {
            pos.insert(a, (MARGIN + *c as f64 * COL, MARGIN + i as f64 * ROW));
        }
    }
    let width = MARGIN * 2.0 + by_col.len().max(1) as f64 * COL;
    let height = MARGIN * 2.0 + by_col.values().map(Vec::len).max().unwrap_or(1) as f64 * ROW;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="dfg-title" font-family="sans-serif" font-size="13"><title id="dfg-title">{}</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#505a5f"/></marker></defs>"##,
        escape(title)
    );
    let wait_of = |from: &str, to: &str| waits.iter().find(|w| w.from == from && w.to == to).map(|w| w.median_wait_s);
    for e in &g.edges {
        let (Some(&(x1, y1)), Some(&(x2, y2))) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) else { continue };
        let label = match wait_of(&e.from, &e.to) {
            Some(w) => format!("{} · {}", e.count, short_duration(w)),
            None => e.count.to_string(),
        };
        if e.from == e.to {
            let (x, y) = (x1 + BOX_W / 2.0, y1);
            let _ = write!(
                s,
                r##"<path d="M {} {y} C {} {} {} {} {} {y}" fill="none" stroke="#505a5f" marker-end="url(#arrow)"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
                x - 20.0,
                x - 30.0,
                y - 40.0,
                x + 30.0,
                y - 40.0,
                x + 20.0,
                y - 34.0,
                escape(&label)
            );
            continue;
        }
        let (sx, sy, tx, ty) = if x2 > x1 {
            (x1 + BOX_W, y1 + BOX_H / 2.0, x2, y2 + BOX_H / 2.0)
        } else if x2 < x1 {
            (x1, y1 + BOX_H / 2.0 + 8.0, x2 + BOX_W, y2 + BOX_H / 2.0 + 8.0)
        } else if y2 > y1 {
            (x1 + BOX_W / 2.0, y1 + BOX_H, x2 + BOX_W / 2.0, y2)
        } else {
            (x1 + BOX_W / 2.0 + 12.0, y1, x2 + BOX_W / 2.0 + 12.0, y2 + BOX_H)
        };
        let _ = write!(
            s,
            r##"<line x1="{sx}" y1="{sy}" x2="{tx}" y2="{ty}" stroke="#505a5f" marker-end="url(#arrow)"/><text x="{}" y="{}" text-anchor="middle">{}</text>"##,
            (sx + tx) / 2.0,
            (sy + ty) / 2.0 - 4.0,
            escape(&label)
        );
    }
    for (a, (x, y)) in &pos {
        let fill = if g.start.contains_key(*a) {
            "#e8f1f8"
        } else if g.end.contains_key(*a) {
            "#f3f2f1"
        } else {
            "#ffffff"
        };
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="#0b0c0c"/><text x="{}" y="{}" text-anchor="middle"><tspan font-weight="bold">{}</tspan><tspan x="{}" dy="16">{}</tspan></text>"##,
            x + BOX_W / 2.0,
            y + 20.0,
            escape(a),
            x + BOX_W / 2.0,
            g.activities[*a]
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mining::rules::dfg;

    #[test]
    fn draws_every_activity_and_edge_as_well_formed_svg() {
        let g = dfg([vec!["收件", "R&D <check>", "R&D <check>", "Close"], vec!["收件", "Close"]]);
        let waits = [EdgeWait { from: "收件".into(), to: "Close".into(), count: 1, median_wait_s: 7200.0 }];
        let svg = dfg_svg(&g, &waits, "Complaints & enquiries");
        let mut r = quick_xml::Reader::from_str(&svg);
        let mut rects = 0;
        loop {
            match r.read_event().expect("well-formed") {
                quick_xml::events::Event::Eof => break,
                quick_xml::events::Event::Empty(e) if e.name().as_ref() == b"rect" => rects += 1,
                _ => {}
            }
        }
        assert_eq!(rects, 3);
        assert!(svg.contains("R&amp;D &lt;check&gt;") && svg.contains("收件"));
        assert!(svg.contains("1 · 2.0 h"), "edge count and median wait");
        assert!(svg.contains("<title id=\"dfg-title\">Complaints &amp; enquiries</title>"));
        assert!(svg.contains("<path d=\"M"), "the self-loop");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(short_duration(45.0), "45 s");
        assert_eq!(short_duration(12.0 * 60.0), "12 min");
        assert_eq!(short_duration(3.5 * 3600.0), "3.5 h");
        assert_eq!(short_duration(2.0 * 86_400.0), "2.0 d");
        assert!(dfg_svg(&Dfg::default(), &[], "empty").ends_with("</svg>"));
    }
}
