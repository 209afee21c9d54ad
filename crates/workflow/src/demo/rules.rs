//! The demo's history, pure: weeks of backdated complaint-handling and document-review cases
//! planned from a seed, cut at `now` (what lies after `now` has not happened: those cases are
//! still running). Waits are drawn so that the investigation (inspectors) and the four-eyes
//! approval (the one clinic manager) are the bottlenecks the mining page shows; a few
//! investigations run past their five-business-day deadline, and one is overdue with its
//! deadline timer still pending.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

pub const COMPLAINTS: &str = "complaint_handling";
pub const DOCUMENTS: &str = "document_approval";
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
/// How far back the history goes.
pub const HISTORY_DAYS: i64 = 42;
/// The investigation deadline (five business days are about a week).
pub const DEADLINE: i64 = 7 * DAY;

/// One event of the log.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedEvent {
    pub node: &'static str,
    pub lifecycle: &'static str,
    pub actor: Option<String>,
    pub role: Option<&'static str>,
    pub at: i64,
}

/// One user task, as it stands at `now`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedTask {
    pub node: &'static str,
    pub role: &'static str,
    pub created: i64,
    /// Who claimed it and when (if by `now`).
    pub claimed: Option<(String, i64)>,
    pub completed: Option<i64>,
}

/// One instance, as it stands at `now`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedInstance {
    pub key: &'static str,
    pub started_at: i64,
    /// None while running.
    pub ended_at: Option<i64>,
    pub waiting: Vec<&'static str>,
    pub variables: Value,
    pub events: Vec<PlannedEvent>,
    pub tasks: Vec<PlannedTask>,
    /// Pending timers: (node, due, created).
    pub timers: Vec<(&'static str, i64, i64)>,
}

struct Builder<'r> {
    now: i64,
    rng: &'r mut ChaCha8Rng,
    i: PlannedInstance,
}

fn exp(rng: &mut ChaCha8Rng, mean: i64) -> i64 {
    let u: f64 = rng.random_range(0.0..1.0);
    (-(mean as f64) * (1.0 - u).ln()).round() as i64
}

fn pick(rng: &mut ChaCha8Rng, people: &[&str]) -> String {
    format!("demo-{}", people[rng.random_range(0..people.len())])
}

/// The people of each role in the demo log.
fn people(role: &str) -> &'static [&'static str] {
    match role {
        "service_agent" => &["agent-chan", "agent-wong", "agent-lee"],
        "inspector" => &["inspector-ho", "inspector-lam"],
        "licensing_officer" => &["officer-cheung"],
        "clinic_staff" => &["clerk-ng", "clerk-yip", "clerk-tsang"],
        _ => &["manager-kwok"],
    }
}

impl Builder<'_> {
    fn event(
        &mut self,
        node: &'static str,
        lifecycle: &'static str,
        actor: Option<String>,
        role: Option<&'static str>,
        at: i64,
    ) {
        if at <= self.now {
            self.i.events.push(PlannedEvent { node, lifecycle, actor, role, at });
        }
    }

    /// An automatic step or event at `at`.
    fn auto(&mut self, node: &'static str, at: i64) {
        self.event(node, "complete", Some("system".into()), None, at);
    }

    /// A user task created at `at`: claimed after a wait, completed after its work. The end
    /// time, or None when the task is still open or claimed at `now` (the instance waits there).
    fn task(&mut self, node: &'static str, role: &'static str, at: i64, wait: i64, work: i64) -> Option<i64> {
        if at > self.now {
            return None;
        }
        let who = pick(self.rng, people(role));
        let claimed = at + exp(self.rng, wait);
        let done = claimed + exp(self.rng, work).max(5 * MIN);
        self.event(node, "schedule", None, Some(role), at);
        self.event(node, "start", Some(who.clone()), Some(role), claimed);
        self.event(node, "complete", Some(who.clone()), Some(role), done);
        let t = PlannedTask {
            node,
            role,
            created: at,
            claimed: (claimed <= self.now).then_some((who, claimed)),
            completed: (done <= self.now).then_some(done),
        };
        self.i.tasks.push(t);
        if done <= self.now {
            Some(done)
        } else {
            self.i.waiting.push(node);
            None
        }
    }

    fn finish(mut self, ends: &[Option<i64>]) -> PlannedInstance {
        if self.i.waiting.is_empty() {
            self.i.ended_at = ends.iter().flatten().copied().max();
        }
        self.i
    }
}

fn complaint(rng: &mut ChaCha8Rng, now: i64, start: i64, n: usize, overdue: bool) -> PlannedInstance {
    let substantiated = rng.random_bool(0.35);
    let district = ["Kwun Tong", "Sha Tin", "Yuen Long", "Central and Western", "Tuen Mun"][rng.random_range(0..5)];
    let variables =
        json!({"reference": format!("C-{:04}", n + 1), "district": district, "substantiated": substantiated});
    let i = PlannedInstance {
        key: COMPLAINTS,
        started_at: start,
        ended_at: None,
        waiting: vec![],
        variables,
        events: vec![],
        tasks: vec![],
        timers: vec![],
    };
    let mut b = Builder { now, rng, i };
    b.auto("received", start);
    let Some(registered) = b.task("register", "service_agent", start, 40 * MIN, 15 * MIN) else {
        return b.finish(&[]);
    };
    // The investigation: inspectors are few, so cases wait days for one.
    let due = registered + DEADLINE;
    let wait = if overdue { 30 * DAY } else { 2 * DAY + 12 * HOUR };
    let investigated = b.task("investigate", "inspector", registered, wait, 3 * HOUR);
    let mut chase_end = None;
    let still_open = investigated.is_none();
    let finished_late = investigated.is_some_and(|d| d > due);
    if overdue && still_open {
        // The deadline has passed and its timer has not fired yet: overdue.
        b.i.timers.push(("deadline", due, registered));
        b.i.waiting.push("deadline");
    } else if (still_open && due <= now) || finished_late {
        b.auto("deadline", due);
        chase_end = b.task("chase", "licensing_officer", due, 4 * HOUR, 10 * MIN);
        if let Some(c) = chase_end {
            b.auto("chased", c);
        }
    } else if still_open {
        // The deadline waits beside the task, as the engine has it.
        b.i.timers.push(("deadline", due, registered));
        b.i.waiting.push("deadline");
    }
    let Some(investigated) = investigated else {
        return b.finish(&[chase_end]);
    };
    b.auto("substantiated", investigated);
    let mut at = investigated;
    if substantiated {
        match b.task("action", "licensing_officer", at, DAY, 4 * HOUR) {
            Some(t) => at = t,
            None => return b.finish(&[chase_end]),
        }
    }
    let Some(replied) = b.task("reply", "service_agent", at, 3 * HOUR, 30 * MIN) else {
        return b.finish(&[chase_end]);
    };
    b.auto("answered", replied);
    b.finish(&[Some(replied), chase_end])
}

fn document(rng: &mut ChaCha8Rng, now: i64, start: i64, n: usize) -> PlannedInstance {
    let kinds = ["Food hygiene guidance", "Clinic notice", "Vaccination leaflet", "Inspection checklist"];
    let title = format!("{} #{}", kinds[rng.random_range(0..kinds.len())], n + 1);
    let i = PlannedInstance {
        key: DOCUMENTS,
        started_at: start,
        ended_at: None,
        waiting: vec![],
        variables: json!({"title": title}),
        events: vec![],
        tasks: vec![],
        timers: vec![],
    };
    let mut b = Builder { now, rng, i };
    b.auto("submitted", start);
    let Some(mut at) = b.task("prepare", "clinic_staff", start, 2 * HOUR, 2 * HOUR) else {
        return b.finish(&[]);
    };
    let mut rounds = 0;
    loop {
        // The four-eyes approval waits for the one manager: the bottleneck.
        let Some(approved_at) = b.task("approve", "clinic_manager", at, 2 * DAY, 30 * MIN) else {
            return b.finish(&[]);
        };
        rounds += 1;
        b.auto("approved", approved_at);
        let approved = rounds >= 3 || b.rng.random_bool(0.7);
        if approved {
            b.i.variables["approved"] = json!(true);
            b.i.variables["stamps"] = json!(1);
            b.auto("publish", approved_at);
            b.auto("published", approved_at);
            return b.finish(&[Some(approved_at)]);
        }
        b.i.variables["approved"] = json!(false);
        match b.task("revise", "clinic_staff", approved_at, 6 * HOUR, HOUR) {
            Some(t) => at = t,
            None => return b.finish(&[]),
        }
    }
}

/// The whole demo history at `now`, from `seed`.
pub fn plan(seed: u64, now: i64) -> Vec<PlannedInstance> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5746_4c4f_5744_454d);
    let from = now - HISTORY_DAYS * DAY;
    let mut out = vec![];
    let mut t = from;
    let mut n = 0;
    let mut overdue_chosen = false;
    loop {
        t += exp(&mut rng, 3 * HOUR + 30 * MIN);
        if t >= now - HOUR {
            break;
        }
        // The first complaint received in the last 12 days is the overdue one.
        let overdue = !overdue_chosen && t >= now - 12 * DAY;
        overdue_chosen |= overdue;
        out.push(complaint(&mut rng, now, t, n, overdue));
        n += 1;
    }
    let mut t = from;
    let mut n = 0;
    loop {
        t += exp(&mut rng, 6 * HOUR);
        if t >= now - HOUR {
            break;
        }
        out.push(document(&mut rng, now, t, n));
        n += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    #[test]
    fn the_history_is_deterministic_and_cut_at_now() {
        let a = plan(42, NOW);
        assert_eq!(a, plan(42, NOW));
        assert_ne!(a, plan(43, NOW));
        let complaints = a.iter().filter(|i| i.key == COMPLAINTS).count();
        let documents = a.iter().filter(|i| i.key == DOCUMENTS).count();
        // About 42 days × 24 h / 3.5 h = 288 complaints and 42 × 4 = 168 documents.
        assert!((220..360).contains(&complaints), "{complaints}");
        assert!((120..220).contains(&documents), "{documents}");
        for i in &a {
            assert!(i.events.iter().all(|e| e.at <= NOW && e.at >= i.started_at));
            assert_eq!(i.ended_at.is_none(), !i.waiting.is_empty(), "running exactly when waiting somewhere");
            for (node, _, _) in &i.timers {
                assert!(i.waiting.contains(node), "a pending timer is where the instance waits");
            }
            for t in i.tasks.iter().filter(|t| t.completed.is_none()) {
                assert!(i.waiting.contains(&t.node), "an open task is where the instance waits");
            }
        }
        let running = a.iter().filter(|i| i.ended_at.is_none()).count();
        assert!(running >= 10, "{running}");
        // Exactly one overdue timer, already due.
        let overdue: Vec<_> = a.iter().flat_map(|i| &i.timers).filter(|t| t.1 <= NOW).collect();
        assert_eq!(overdue.len(), 1, "{overdue:?}");
        // Four eyes: whoever prepared never approved the same document.
        for i in a.iter().filter(|i| i.key == DOCUMENTS) {
            let by = |node: &str| -> Vec<String> {
                i.events
                    .iter()
                    .filter(|e| e.node == node && e.lifecycle == "complete")
                    .filter_map(|e| e.actor.clone())
                    .collect()
            };
            let approvers = by("approve");
            assert!(by("prepare").iter().all(|p| !approvers.contains(p)));
        }
    }
}
