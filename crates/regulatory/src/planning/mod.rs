//! Inspection planning: each inspector's day plan for due and urgent inspections with time
//! windows, skills and shift length, minimising travel (issue 13 item 7).
//!
//! The command-line contract (`phos regulatory plan --input PROBLEM.json`) is implemented by
//! [`Problem::parse`] (the input), [`solver::plan`] (the search) and [`Plan`] (the output).
//! Everything here is pure: no IO, no clock except the search's time limit.
//!
//! - [`rules`]: the travel model, schedules, the priority-ordered greedy plan and the lower bound;
//! - [`solver`]: regret insertion by priority level, then ruin-and-recreate within the time limit;
//! - [`replan`]: keep what is done or under way, re-plan the rest around a new urgent visit;
//! - [`ics`]: one inspector's route as an iCalendar file.

pub mod day;
pub mod ics;
pub mod pages;
pub mod replan;
pub mod rules;
pub mod service;
pub mod solver;
pub mod store;

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

/// A point on the map (WGS 84 degrees).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// An inspector's shift and skills, as given in PROBLEM.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectorIn {
    pub id: String,
    #[serde(default)]
    pub skills: Vec<String>,
    pub start: String,
    pub end: String,
}

/// A visit to plan, as given in PROBLEM.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VisitIn {
    pub id: String,
    pub lat: f64,
    pub lon: f64,
    pub duration_min: f64,
    pub skill: String,
    /// `["HH:MM", "HH:MM"]`; absent means the inspector's shift is the only limit.
    #[serde(default)]
    pub window: Option<[String; 2]>,
    /// 1 is the highest; absent means 1.
    #[serde(default = "one")]
    pub priority: u32,
}

fn one() -> u32 {
    1
}

/// PROBLEM.json as read. Unknown fields are ignored (documented in docs/regulatory/planning.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProblemIn {
    pub date: String,
    pub depot: Point,
    pub inspectors: Vec<InspectorIn>,
    pub visits: Vec<VisitIn>,
}

/// A validated inspector: times in minutes after midnight.
#[derive(Clone, Debug, PartialEq)]
pub struct Inspector {
    pub id: String,
    pub skills: Vec<String>,
    pub start: u32,
    pub end: u32,
}

/// A validated visit: times in minutes after midnight.
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    pub id: String,
    pub at: Point,
    pub duration_min: f64,
    pub skill: String,
    pub window: (u32, u32),
    pub priority: u32,
}

/// A validated planning problem.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub date: chrono::NaiveDate,
    pub depot: Point,
    pub inspectors: Vec<Inspector>,
    pub visits: Vec<Visit>,
}

/// Why a problem cannot be planned at all (bad input), with the place it was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProblemError {
    #[error("invalid JSON: {0}")]
    Json(String),
    /// `code` and `args` name the problem for translation (`field-error-reg_plan_<code>` with
    /// `$at` and the args); `what` says it in English (the command line).
    #[error("{at}: {what}")]
    Invalid { at: String, code: &'static str, args: Vec<(&'static str, String)>, what: String },
}

fn invalid(
    at: impl Into<String>,
    code: &'static str,
    args: &[(&'static str, String)],
    what: impl Into<String>,
) -> ProblemError {
    ProblemError::Invalid { at: at.into(), code, args: args.to_vec(), what: what.into() }
}

/// Reads "HH:MM" (00:00 to 23:59) into minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Minutes after midnight as "HH:MM", rounded to the nearest minute (halves up).
pub fn format_hhmm(minutes: f64) -> String {
    let m = (minutes + 0.5).floor().max(0.0) as u32;
    format!("{:02}:{:02}", m / 60, m % 60)
}

impl Problem {
    /// Parses and validates PROBLEM.json.
    pub fn parse(json: &str) -> Result<Problem, ProblemError> {
        let raw: ProblemIn = serde_json::from_str(json).map_err(|e| ProblemError::Json(e.to_string()))?;
        Problem::validate(raw)
    }

    /// Validates a problem as read.
    pub fn validate(raw: ProblemIn) -> Result<Problem, ProblemError> {
        let date = chrono::NaiveDate::parse_from_str(&raw.date, "%Y-%m-%d").map_err(|_| {
            invalid("date", "date", &[("value", raw.date.clone())], format!("{:?} is not a date YYYY-MM-DD", raw.date))
        })?;
        check_point("depot", raw.depot)?;
        let mut seen = HashSet::new();
        let mut inspectors = Vec::with_capacity(raw.inspectors.len());
        for (i, x) in raw.inspectors.into_iter().enumerate() {
            let at = format!("inspectors[{i}] ({:?})", x.id);
            if x.id.is_empty() {
                return Err(invalid(at, "empty_id", &[], "id is empty"));
            }
            if !seen.insert(x.id.clone()) {
                return Err(invalid(at, "duplicate_id", &[], "the same id appears twice"));
            }
            let start = time(&at, "start", &x.start)?;
            let end = time(&at, "end", &x.end)?;
            if end < start {
                return Err(invalid(
                    at,
                    "shift",
                    &[("start", x.start.clone()), ("end", x.end.clone())],
                    format!("end {} is before start {}", x.end, x.start),
                ));
            }
            inspectors.push(Inspector { id: x.id, skills: x.skills, start, end });
        }
        let mut seen = HashSet::new();
        let mut visits = Vec::with_capacity(raw.visits.len());
        for (i, v) in raw.visits.into_iter().enumerate() {
            let at = format!("visits[{i}] ({:?})", v.id);
            if v.id.is_empty() {
                return Err(invalid(at, "empty_id", &[], "id is empty"));
            }
            if !seen.insert(v.id.clone()) {
                return Err(invalid(at, "duplicate_id", &[], "the same id appears twice"));
            }
            check_point(&at, Point { lat: v.lat, lon: v.lon })?;
            if !v.duration_min.is_finite() || v.duration_min < 0.0 || v.duration_min > 24.0 * 60.0 {
                return Err(invalid(
                    at,
                    "duration",
                    &[("value", v.duration_min.to_string())],
                    format!("duration_min {} is not between 0 and 1440", v.duration_min),
                ));
            }
            if v.priority == 0 {
                return Err(invalid(at, "priority", &[], "priority must be 1 (highest) or more"));
            }
            let window = match &v.window {
                None => (0, 23 * 60 + 59),
                Some([a, b]) => {
                    let (ws, we) = (time(&at, "window[0]", a)?, time(&at, "window[1]", b)?);
                    if we < ws {
                        return Err(invalid(
                            at,
                            "window",
                            &[("start", a.clone()), ("end", b.clone())],
                            format!("window end {b} is before its start {a}"),
                        ));
                    }
                    (ws, we)
                }
            };
            visits.push(Visit {
                id: v.id,
                at: Point { lat: v.lat, lon: v.lon },
                duration_min: v.duration_min,
                skill: v.skill,
                window,
                priority: v.priority,
            });
        }
        Ok(Problem { date, depot: raw.depot, inspectors, visits })
    }
}

fn time(at: &str, field: &str, s: &str) -> Result<u32, ProblemError> {
    parse_hhmm(s).ok_or_else(|| {
        invalid(
            at,
            "time",
            &[("field", field.to_string()), ("value", s.to_string())],
            format!("{field} {s:?} is not a time HH:MM between 00:00 and 23:59"),
        )
    })
}

fn check_point(at: &str, p: Point) -> Result<(), ProblemError> {
    if !(p.lat.is_finite() && p.lon.is_finite() && (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon))
    {
        return Err(invalid(
            at,
            "point",
            &[("lat", p.lat.to_string()), ("lon", p.lon.to_string())],
            format!("({}, {}) is not a latitude and longitude in degrees", p.lat, p.lon),
        ));
    }
    Ok(())
}

/// One stop of a route: the visit, arrival and departure ("HH:MM").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stop {
    pub visit: String,
    pub arrive: String,
    pub depart: String,
}

/// One inspector's route (empty `stops` and 0 km when unused).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub inspector: String,
    pub stops: Vec<Stop>,
    pub distance_km: f64,
}

/// Why a visit is not in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// No inspector has the visit's skill.
    NoSkill,
    /// No inspector with the skill can reach it within its window and be back by the end of the
    /// shift, even with nothing else to do.
    WindowUnreachable,
    /// It could be served alone, but not together with the visits of higher (or equal) priority
    /// and less travel chosen instead.
    NoTime,
}

/// Figures about a plan that are not part of the contract (printed with `--stats`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Visits served per priority ("1": n, "2": n, …), and how many there were.
    pub served_by_priority: BTreeMap<String, usize>,
    pub visits_by_priority: BTreeMap<String, usize>,
    /// Total distance of the priority-ordered greedy plan (cheapest insertion, visits in order of
    /// priority then window end), its served counts.
    pub greedy_distance_km: f64,
    pub greedy_served_by_priority: BTreeMap<String, usize>,
    /// A lower bound on the distance of any plan serving exactly the visits this plan serves.
    pub lower_bound_km: f64,
    /// (total − bound) / bound.
    pub gap_to_bound: f64,
    pub iterations: u64,
    pub search_ms: u64,
}

/// The day plan: the contract's output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub routes: Vec<Route>,
    pub unassigned: Vec<String>,
    pub reasons: BTreeMap<String, Reason>,
    pub total_distance_km: f64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stats: Option<Stats>,
}

#[cfg(test)]
mod tests;
