//! The staffing what-if page: choose a process, then up to three scenarios (people per role,
//! a role left empty is not limited); each is simulated over the process's recorded log with
//! [`super::rules`] and the reports are shown side by side. Reading only: a GET form.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::web::page::render;
use kernel::web::{Access, AppResult, FieldError, PageCtx, Routes};

use super::rules::{Model, Report, Scenario, simulate};
use crate::mining::engine_log;

/// Scenarios on the page.
pub const SCENARIOS: usize = 3;
pub const DEFAULT_CASES: usize = 500;
pub const MAX_CASES: usize = 5_000;
pub const MAX_PEOPLE: u32 = 500;

/// The form, as the page reads it: the people per role of each scenario (as typed), cases,
/// SLA hours and seed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimForm {
    pub definition: String,
    pub run: bool,
    pub people: BTreeMap<(usize, String), String>,
    pub cases: String,
    pub sla_hours: String,
    pub seed: String,
}

impl SimForm {
    pub fn from_query(q: &[(String, String)]) -> SimForm {
        let mut f = SimForm::default();
        for (k, v) in q {
            match k.as_str() {
                "definition" => f.definition = v.clone(),
                "run" => f.run = true,
                "cases" => f.cases = v.trim().into(),
                "sla_hours" => f.sla_hours = v.trim().into(),
                "seed" => f.seed = v.trim().into(),
                _ => {
                    // p{n}_{role}
                    if let Some((n, role)) = k.strip_prefix('p').and_then(|r| r.split_once('_'))
                        && let Ok(n) = n.parse::<usize>()
                        && (1..=SCENARIOS).contains(&n)
                    {
                        f.people.insert((n, role.to_string()), v.trim().to_string());
                    }
                }
            }
        }
        f
    }

    pub fn value(&self, n: &usize, role: &str) -> String {
        self.people.get(&(*n, role.to_string())).cloned().unwrap_or_default()
    }
}

/// What to simulate: the scenarios, cases, SLA (ms) and seed.
pub type Run = (Vec<Scenario>, usize, Option<i64>, u64);

/// The scenarios, cases, SLA (ms) and seed of a form, or its field errors. A scenario with no
/// role filled in is left out; at least one must be given.
pub fn parse(f: &SimForm, roles: &BTreeSet<String>) -> Result<Run, Vec<FieldError>> {
    let mut errors = vec![];
    let mut scenarios = vec![];
    for n in 1..=SCENARIOS {
        let mut staff = BTreeMap::new();
        for role in roles {
            let v = f.value(&n, role);
            if v.is_empty() {
                continue;
            }
            match v.parse::<u32>() {
                Ok(p) if (1..=MAX_PEOPLE).contains(&p) => {
                    staff.insert(role.clone(), p);
                }
                _ => errors.push(FieldError::new(
                    &format!("p{n}_{role}"),
                    "wf_people_invalid",
                    &[("max", MAX_PEOPLE.to_string())],
                )),
            }
        }
        if !staff.is_empty() {
            let name = staff.iter().map(|(r, p)| format!("{r}={p}")).collect::<Vec<_>>().join(", ");
            scenarios.push(Scenario { name, staff });
        }
    }
    let cases = if f.cases.is_empty() {
        Some(DEFAULT_CASES)
    } else {
        f.cases.parse::<usize>().ok().filter(|c| (1..=MAX_CASES).contains(c))
    };
    if cases.is_none() {
        errors.push(FieldError::new("cases", "wf_cases_invalid", &[("max", MAX_CASES.to_string())]));
    }
    let sla = if f.sla_hours.is_empty() {
        Some(None)
    } else {
        f.sla_hours.parse::<i64>().ok().filter(|h| (1..=10_000).contains(h)).map(|h| Some(h * 3_600_000))
    };
    if sla.is_none() {
        errors.push(FieldError::new("sla_hours", "wf_sla_hours_invalid", &[]));
    }
    let seed = if f.seed.is_empty() { Some(42) } else { f.seed.parse::<u64>().ok() };
    if seed.is_none() {
        errors.push(FieldError::new("seed", "wf_seed_invalid", &[]));
    }
    if scenarios.is_empty() && errors.is_empty() {
        let field = roles.iter().next().map(|r| format!("p1_{r}")).unwrap_or_else(|| "cases".into());
        errors.push(FieldError::new(&field, "wf_scenario_required", &[]));
    }
    match (errors.is_empty(), cases, sla, seed) {
        (true, Some(c), Some(s), Some(seed)) => Ok((scenarios, c, s, seed)),
        _ => Err(errors),
    }
}

/// The roles that appear in a model's steps.
pub fn roles_of(model: &Model) -> BTreeSet<String> {
    model.variants.iter().flat_map(|(steps, _)| steps.iter().filter_map(|s| s.role.clone())).collect()
}

#[derive(Template)]
#[template(path = "workflow/simulation/page.html")]
struct SimPage {
    page: PageCtx,
    keys: Vec<(String, String)>,
    form: SimForm,
    roles: Vec<String>,
    recorded_cases: u64,
    scenario_numbers: Vec<usize>,
    reports: Vec<Report>,
    errors: Vec<FieldError>,
}

impl SimPage {
    fn dur(&self, s: &f64) -> String {
        kernel::web::text::duration_label(&self.page, (*s * 1000.0).round() as i64)
    }
    fn util(&self, r: &Report, role: &str) -> String {
        r.utilisation.get(role).map(|u| format!("{:.0} %", u * 100.0)).unwrap_or_else(|| "–".into())
    }
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<Vec<(String, String)>>,
) -> AppResult<Response> {
    let keys = crate::mining::pages::keys(&state.db, &page).await?;
    let form = SimForm::from_query(&q);
    let (mut roles, mut reports, mut errors, mut recorded_cases) = (BTreeSet::new(), vec![], vec![], 0);
    if keys.iter().any(|k| k.0 == form.definition) {
        let (traces, _) = engine_log::traces_of(&state.db, &form.definition).await?;
        let model = Model::from_traces(&traces);
        recorded_cases = model.variants.iter().map(|v| v.1).sum();
        roles = roles_of(&model);
        if form.run && recorded_cases > 0 {
            match parse(&form, &roles) {
                Ok((scenarios, cases, sla, seed)) => {
                    reports = scenarios.iter().map(|s| simulate(&model, s, cases, sla, seed)).collect();
                }
                Err(e) => errors = e,
            }
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = SimPage {
        page,
        keys,
        form,
        roles: roles.into_iter().collect(),
        recorded_cases,
        scenario_numbers: (1..=SCENARIOS).collect(),
        reports,
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/workflow/simulation", Access::Staff(crate::definitions::PROCESS_STAFF), get(show))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> SimForm {
        SimForm::from_query(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn the_form_reads_scenarios_and_refuses_bad_numbers() {
        let roles: BTreeSet<String> = ["clerk", "officer"].iter().map(|s| s.to_string()).collect();
        let f = form(&[
            ("definition", "x"),
            ("run", "1"),
            ("p1_officer", "2"),
            ("p2_officer", "3"),
            ("p2_clerk", "1"),
            ("p3_unknown", "9"),
        ]);
        let (s, cases, sla, seed) = parse(&f, &roles).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "officer=2");
        assert_eq!(s[1].staff, BTreeMap::from([("clerk".to_string(), 1), ("officer".to_string(), 3)]));
        assert_eq!((cases, sla, seed), (DEFAULT_CASES, None, 42));

        let f = form(&[("p1_officer", "0"), ("cases", "999999"), ("sla_hours", "x"), ("seed", "-1")]);
        let e = parse(&f, &roles).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["p1_officer", "cases", "sla_hours", "seed"]);
        let e = parse(&form(&[("sla_hours", "72")]), &roles).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("p1_clerk", "wf_scenario_required"));
        let (_, _, sla, _) = parse(&form(&[("p1_clerk", "1"), ("sla_hours", "72")]), &roles).unwrap();
        assert_eq!(sla, Some(72 * 3_600_000));
    }
}
