//! The directly-follows graph, start and end activities and variants of an event log. Pure:
//! cases go in one at a time (already ordered), counts come out. Activity names are interned so
//! that a million events cost a few integer updates each.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

/// One directly-follows relation: `from` was immediately followed by `to`, `count` times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub count: u64,
}

/// One variant: a sequence of activities and how many cases followed it exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub activities: Vec<String>,
    pub count: u64,
}

/// The directly-follows graph of a log, as `phos workflow dfg` prints it. Activities, start and
/// end are sorted by name; edges by count (most first), then by names; variants by count (most
/// first), then by their activities.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dfg {
    pub activities: BTreeMap<String, u64>,
    pub edges: Vec<Edge>,
    pub start: BTreeMap<String, u64>,
    pub end: BTreeMap<String, u64>,
    pub variants: Vec<Variant>,
}

impl Dfg {
    /// Number of cases (the sum of the variant counts).
    pub fn cases(&self) -> u64 {
        self.variants.iter().map(|v| v.count).sum()
    }

    /// Number of events (the sum of the activity counts).
    pub fn events(&self) -> u64 {
        self.activities.values().sum()
    }
}

/// Gives each distinct name a small number.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Accumulates cases into a [`Dfg`].
#[derive(Debug, Default)]
pub struct DfgBuilder {
    names: Interner,
    activities: Vec<u64>,
    start: Vec<u64>,
    end: Vec<u64>,
    edges: HashMap<(u32, u32), u64>,
    variants: HashMap<Vec<u32>, u64>,
    seq: Vec<u32>,
}

impl DfgBuilder {
    pub fn new() -> DfgBuilder {
        DfgBuilder::default()
    }

    /// Adds one case, its activities in order. An empty case is left out.
    pub fn add<'a>(&mut self, activities: impl IntoIterator<Item = &'a str>) {
        self.seq.clear();
        for a in activities {
            let id = self.names.id(a);
            if self.activities.len() < self.names.len() {
                self.activities.resize(self.names.len(), 0);
                self.start.resize(self.names.len(), 0);
                self.end.resize(self.names.len(), 0);
            }
            self.activities[id as usize] += 1;
            if let Some(&prev) = self.seq.last() {
                *self.edges.entry((prev, id)).or_default() += 1;
            }
            self.seq.push(id);
        }
        let (Some(&first), Some(&last)) = (self.seq.first(), self.seq.last()) else {
            return;
        };
        self.start[first as usize] += 1;
        self.end[last as usize] += 1;
        if let Some(n) = self.variants.get_mut(self.seq.as_slice()) {
            *n += 1;
        } else {
            self.variants.insert(self.seq.clone(), 1);
        }
    }

    /// Adds one case of a [`super::Trace`] (already ordered).
    pub fn add_trace(&mut self, t: &super::Trace) {
        self.add(t.events.iter().map(|e| e.activity.as_str()));
    }

    pub fn finish(self) -> Dfg {
        let names = &self.names;
        let by_name = |counts: &[u64]| -> BTreeMap<String, u64> {
            counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| (names.name(i as u32).to_string(), *n))
                .collect()
        };
        let mut edges: Vec<Edge> = self
            .edges
            .iter()
            .map(|(&(a, b), &count)| Edge { from: names.name(a).into(), to: names.name(b).into(), count })
            .collect();
        edges.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.from.cmp(&y.from)).then_with(|| x.to.cmp(&y.to)));
        let mut variants: Vec<Variant> = self
            .variants
            .iter()
            .map(|(seq, &count)| Variant {
                activities: seq.iter().map(|&id| names.name(id).to_string()).collect(),
                count,
            })
            .collect();
        variants.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.activities.cmp(&y.activities)));
        Dfg {
            activities: by_name(&self.activities),
            edges,
            start: by_name(&self.start),
            end: by_name(&self.end),
            variants,
        }
    }
}

/// The [`Dfg`] of a set of cases, each given as its ordered activities.
pub fn dfg<'a, C, A>(cases: C) -> Dfg
where
    C: IntoIterator<Item = A>,
    A: IntoIterator<Item = &'a str>,
{
    let mut b = DfgBuilder::new();
    for c in cases {
        b.add(c);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(from: &str, to: &str, count: u64) -> Edge {
        Edge { from: from.into(), to: to.into(), count }
    }

    #[test]
    fn counts_activities_edges_start_end_and_variants() {
        let g = dfg([vec!["A", "B", "C"], vec!["A", "C"], vec!["A", "B", "C"], vec!["B"]]);
        assert_eq!(g.activities, BTreeMap::from([("A".into(), 3), ("B".into(), 3), ("C".into(), 3)]));
        assert_eq!(g.edges, vec![edge("A", "B", 2), edge("B", "C", 2), edge("A", "C", 1)]);
        assert_eq!(g.start, BTreeMap::from([("A".into(), 3), ("B".into(), 1)]));
        assert_eq!(g.end, BTreeMap::from([("B".into(), 1), ("C".into(), 3)]));
        assert_eq!(
            g.variants,
            vec![
                Variant { activities: vec!["A".into(), "B".into(), "C".into()], count: 2 },
                Variant { activities: vec!["A".into(), "C".into()], count: 1 },
                Variant { activities: vec!["B".into()], count: 1 },
            ]
        );
        assert_eq!(g.cases(), 4);
        assert_eq!(g.events(), 9);
    }

    #[test]
    fn self_loops_and_repeats_count_every_time() {
        let g = dfg([vec!["A", "A", "A", "B", "A"]]);
        assert_eq!(g.activities["A"], 4);
        assert_eq!(g.edges, vec![edge("A", "A", 2), edge("A", "B", 1), edge("B", "A", 1)]);
        assert_eq!(g.start["A"], 1);
        assert_eq!(g.end["A"], 1);
    }

    #[test]
    fn empty_cases_are_left_out() {
        let g = dfg([vec![], vec!["X"], vec![]]);
        assert_eq!(g.cases(), 1);
        assert_eq!(g.variants.len(), 1);
        assert_eq!(g.start["X"], 1);
        assert!(g.edges.is_empty());
        assert_eq!(dfg(Vec::<Vec<&str>>::new()), Dfg::default());
    }

    #[test]
    fn json_has_the_contract_shape() {
        let g = dfg([vec!["A", "B"]]);
        let v = serde_json::to_value(&g).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "activities": {"A": 1, "B": 1},
                "edges": [{"from": "A", "to": "B", "count": 1}],
                "start": {"A": 1},
                "end": {"B": 1},
                "variants": [{"activities": ["A", "B"], "count": 1}]
            })
        );
    }

    #[test]
    fn unicode_names_are_kept() {
        let g = dfg([vec!["收件", "審批 & 簽發"]]);
        assert_eq!(g.edges, vec![edge("收件", "審批 & 簽發", 1)]);
    }
}
