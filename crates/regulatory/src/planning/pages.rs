//! The plan page (`/staff/regulatory/plan`): paste a planning problem (the `phos regulatory plan`
//! format; a form, no JavaScript), see each inspector's route as an ordered list with times and
//! distances, the visits left out with their reasons, and download a route as an iCalendar file.
//! Nothing is stored: the lead wires the page to the due list later.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::web::page::render;
use kernel::web::{Access, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;

use super::solver::{Options, plan};
use super::{Plan, Problem, Reason, Route, ics};

/// The largest problem accepted on the page, in bytes (larger: `phos regulatory plan`).
pub const MAX_PROBLEM_BYTES: usize = 200_000;
/// The page's search time, seconds.
const PAGE_SECONDS: f64 = 2.0;

/// Who may plan: inspectors, licensing officers and administrators.
pub const PLANNERS: &[kernel::identity::Role] =
    &[kernel::identity::Role::Admin, kernel::identity::Role::Inspector, kernel::identity::Role::LicensingOfficer];

#[derive(Template)]
#[template(path = "regulatory/planning/page.html")]
struct PlanPage {
    page: PageCtx,
    problem: String,
    date: String,
    plan: Option<Plan>,
    errors: Vec<FieldError>,
}

impl PlanPage {
    fn route_json(&self, r: &Route) -> String {
        serde_json::to_string(r).unwrap_or_default()
    }
    fn reason(&self, id: &str) -> String {
        let key = match self.plan.as_ref().and_then(|p| p.reasons.get(id)) {
            Some(Reason::NoSkill) => "reg-plan-reason-no_skill",
            Some(Reason::WindowUnreachable) => "reg-plan-reason-window_unreachable",
            _ => "reg-plan-reason-no_time",
        };
        self.page.t(key)
    }
}

/// Reads a pasted problem, or the field error to show.
pub fn read_pasted(text: &str) -> Result<Problem, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new("problem", "reg_plan_required", &[]));
    }
    if text.len() > MAX_PROBLEM_BYTES {
        return Err(FieldError::new(
            "problem",
            "reg_plan_too_large",
            &[("max", (MAX_PROBLEM_BYTES / 1000).to_string())],
        ));
    }
    Problem::parse(text).map_err(|e| match e {
        super::ProblemError::Json(detail) => FieldError::new("problem", "reg_plan_json", &[("detail", detail)]),
        super::ProblemError::Invalid { at, code, mut args, .. } => {
            args.push(("at", at));
            FieldError::new("problem", &format!("reg_plan_{code}"), &args)
        }
    })
}

async fn show(page: PageCtx) -> AppResult<Response> {
    let p = PlanPage { page, problem: String::new(), date: String::new(), plan: None, errors: vec![] };
    Ok(render(&p)?.into_response())
}

#[derive(Deserialize, Default)]
struct Paste {
    #[serde(default)]
    problem: String,
}

async fn submit(page: PageCtx, Form(f): Form<Paste>) -> AppResult<Response> {
    match read_pasted(&f.problem) {
        Ok(problem) => {
            let date = problem.date.to_string();
            let planned = tokio::task::spawn_blocking(move || {
                let mut p = plan(&problem, &Options::seconds(PAGE_SECONDS));
                p.stats = None;
                p
            })
            .await
            .map_err(|e| anyhow::anyhow!("planning stopped: {e}"))?;
            let p = PlanPage { page, problem: f.problem, date, plan: Some(planned), errors: vec![] };
            Ok(render(&p)?.into_response())
        }
        Err(e) => {
            let keep = if f.problem.len() <= MAX_PROBLEM_BYTES { f.problem } else { String::new() };
            let p = PlanPage { page, problem: keep, date: String::new(), plan: None, errors: vec![e] };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
struct IcsForm {
    #[serde(default)]
    problem: String,
    #[serde(default)]
    route: String,
}

/// One route as a calendar file (the route as planned on the page travels in the form).
async fn calendar(page: PageCtx, Form(f): Form<IcsForm>) -> AppResult<Response> {
    let problem = read_pasted(&f.problem);
    let route: Result<Route, _> = serde_json::from_str(&f.route);
    let (Ok(problem), Ok(route)) = (problem, route) else {
        let e = FieldError::new("problem", "reg_plan_invalid", &[("detail", "route".to_string())]);
        let p = PlanPage { page, problem: String::new(), date: String::new(), plan: None, errors: vec![e] };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response());
    };
    let text = ics::route_ics(problem.date, &route, &problem.visits, kernel::now_ms());
    let name: String =
        route.inspector.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(40).collect();
    let disposition = format!("attachment; filename=\"plan-{}-{name}.ics\"", problem.date);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/regulatory/plan", Access::Staff(PLANNERS), get(show).post(submit)).page(
        "/staff/regulatory/plan/ics",
        Access::Staff(PLANNERS),
        post(calendar),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_problems_are_read_or_refused_in_both_languages() {
        kernel::i18n::register_catalogue(&crate::CATALOGUE);
        assert_eq!(read_pasted("  ").unwrap_err().code, "reg_plan_required");
        let big = "x".repeat(MAX_PROBLEM_BYTES + 1);
        let e = read_pasted(&big).unwrap_err();
        assert_eq!(e.code, "reg_plan_too_large");
        assert!(e.message.en.contains("200 kB"), "{}", e.message.en);
        let e = read_pasted("{\"date\": 1}").unwrap_err();
        assert_eq!(e.code, "reg_plan_json");
        assert!(e.message.en.starts_with("The problem is not valid JSON: invalid type"), "{}", e.message.en);
        assert!(e.message.zh_hant.starts_with("規劃資料不是有效的 JSON："), "{}", e.message.zh_hant);
        // Every kind of invalid problem has its message in both languages.
        let ok = r#"{"date": "2026-12-08", "depot": {"lat": 22.3, "lon": 114.17},
            "inspectors": [{"id": "A", "skills": ["pharmacy"], "start": "09:00", "end": "17:30"}],
            "visits": [{"id": "v1", "lat": 22.3, "lon": 114.1, "duration_min": 30, "skill": "pharmacy",
                        "window": ["09:00", "12:00"], "priority": 1}]}"#;
        for (from, to, code, en, zh) in [
            ("2026-12-08", "2026-02-30", "reg_plan_date", "date: \"2026-02-30\" is not a date", "不是 YYYY-MM-DD"),
            ("\"12:00\"", "\"25:00\"", "reg_plan_time", "window[1] \"25:00\" is not a time", "不是 00:00 至 23:59"),
            (
                "[\"09:00\", \"12:00\"]",
                "[\"12:00\", \"09:00\"]",
                "reg_plan_window",
                "the window ends (09:00) before it starts (12:00)",
                "時段結束時間（09:00）早於開始時間（12:00）",
            ),
            (
                "\"17:30\"",
                "\"08:00\"",
                "reg_plan_shift",
                "the shift ends (08:00) before it starts (09:00)",
                "值勤結束時間（08:00）",
            ),
            ("\"id\": \"v1\"", "\"id\": \"\"", "reg_plan_empty_id", "the id is empty", "編號是空的"),
            (
                "\"duration_min\": 30",
                "\"duration_min\": -5",
                "reg_plan_duration",
                "duration_min -5 is not between",
                "不在 0 至 1440 之間",
            ),
            ("\"priority\": 1", "\"priority\": 0", "reg_plan_priority", "priority must be 1", "優先次序必須是 1"),
            (
                "\"lat\": 22.3, \"lon\": 114.1,",
                "\"lat\": 122.3, \"lon\": 114.1,",
                "reg_plan_point",
                "is not a latitude and longitude",
                "不是以度為單位的緯度及經度",
            ),
        ] {
            let e = read_pasted(&ok.replace(from, to)).unwrap_err();
            assert_eq!(e.code, code, "{from} → {to}");
            assert!(e.message.en.contains(en), "{}", e.message.en);
            assert!(e.message.zh_hant.contains(zh), "{}", e.message.zh_hant);
        }
        let twice = ok.replace(
            r#""inspectors": [{"id": "A""#,
            r#""inspectors": [{"id": "A", "start": "09:00", "end": "10:00"}, {"id": "A""#,
        );
        assert_eq!(read_pasted(&twice).unwrap_err().code, "reg_plan_duplicate_id");
    }

    #[test]
    fn the_route_fragment_lists_stops_in_order_with_times_and_distance() {
        kernel::i18n::register_catalogue(&crate::CATALOGUE);
        let route = Route {
            inspector: "INS-001".into(),
            stops: vec![
                super::super::Stop { visit: "V1".into(), arrive: "09:30".into(), depart: "10:45".into() },
                super::super::Stop { visit: "V2".into(), arrive: "11:02".into(), depart: "11:32".into() },
            ],
            distance_km: 31.26,
        };
        let problem =
            r#"{"date": "2026-12-08", "depot": {"lat": 22.3, "lon": 114.17}, "inspectors": [], "visits": []}"#
                .to_string();
        let plan = Plan {
            routes: vec![route, Route { inspector: "INS-002".into(), stops: vec![], distance_km: 0.0 }],
            unassigned: vec!["V3".into()],
            reasons: [("V3".to_string(), Reason::NoSkill)].into(),
            total_distance_km: 31.26,
            stats: None,
        };
        for (locale, words) in [
            (
                kernel::i18n::Locale::En,
                ["arrive 09:30, depart 10:45", "31.3 km", "2 visits", "No inspector has the skill"],
            ),
            (
                kernel::i18n::Locale::ZhHant,
                ["09:30 到達, 10:45 離開", "31.3 公里", "2 項巡查", "沒有巡查人員具備所需專長"],
            ),
        ] {
            let page = PageCtx::new(locale, "/staff/regulatory/plan");
            let html = PlanPage {
                page,
                problem: problem.clone(),
                date: "2026-12-08".into(),
                plan: Some(plan.clone()),
                errors: vec![],
            }
            .render()
            .unwrap();
            for w in words {
                assert!(html.contains(w), "{w:?} missing");
            }
            let (first, second) =
                (html.find("<strong>V1</strong>").unwrap(), html.find("<strong>V2</strong>").unwrap());
            assert!(first < second && html.contains("<ol class=\"route\">"));
            assert!(html.contains("action=\"/staff/regulatory/plan/ics\""));
        }
    }
}
