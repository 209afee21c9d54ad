//! The plan page over HTTP, on both engines: a pasted problem planned into ordered routes, the
//! route's .ics download, bad input in an error summary (422), and access (inspectors, licensing
//! officers, administrators only).

use kernel::identity::Role;

use crate::harness::spawn_app;

fn north(km: f64) -> f64 {
    (km / (6371.0 * 1.35)).to_degrees()
}

fn problem() -> String {
    serde_json::json!({
        "date": "2026-12-08",
        "depot": {"lat": 0.0, "lon": 0.0},
        "inspectors": [{"id": "INS-1", "skills": ["pharmacy"], "start": "09:00", "end": "17:30"}],
        "visits": [
            {"id": "V-wait", "lat": north(12.5), "lon": 0.0, "duration_min": 45, "skill": "pharmacy", "window": ["10:00", "11:00"], "priority": 1},
            {"id": "V-nobody", "lat": north(1.0), "lon": 0.0, "duration_min": 30, "skill": "devices", "window": ["09:00", "17:00"], "priority": 1}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn a_pasted_problem_becomes_routes_and_a_calendar() {
    let app = spawn_app().await;
    let inspector = app.staff_browser(&[Role::Inspector]).await;
    let res = inspector.get("/staff/regulatory/plan").await;
    assert_eq!(res.status(), 200);
    let res = inspector.post_form("/staff/regulatory/plan", &[("problem", &problem())]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<strong>V-wait</strong>: arrive 09:30, depart 10:45"), "{html}");
    assert!(html.contains("25.0 km") && html.contains("No inspector has the skill"), "{html}");
    // The route's calendar: the inspection 10:00–10:45 Hong Kong time, 02:00–02:45 UTC.
    let route =
        r#"{"inspector":"INS-1","stops":[{"visit":"V-wait","arrive":"09:30","depart":"10:45"}],"distance_km":25.0}"#;
    let res = inspector.post_form("/staff/regulatory/plan/ics", &[("problem", &problem()), ("route", route)]).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("plan-2026-12-08-INS-1.ics"));
    let ics = res.text().await.unwrap();
    assert!(ics.contains("DTSTART:20261208T020000Z\r\nDTEND:20261208T024500Z"), "{ics}");
    app.shutdown().await;
}

#[tokio::test]
async fn bad_problems_are_listed_and_only_planners_may_plan() {
    let app = spawn_app().await;
    let officer = app.staff_browser(&[Role::LicensingOfficer]).await;
    let bad = problem().replace("\"11:00\"", "\"25:00\"");
    let res = officer.post_form("/staff/regulatory/plan", &[("problem", &bad)]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("class=\"error-summary\"") && html.contains("window[1] &#34;25:00&#34; is not a time HH:MM"),
        "{html}"
    );
    let res = officer.post_form("/staff/regulatory/plan", &[("problem", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Paste a planning problem."));
    // Other staff are refused; the anonymous public is sent to sign in.
    let other = app.staff_browser(&[Role::Epidemiologist]).await;
    let status = other.get("/staff/regulatory/plan").await.status();
    assert_eq!(status, 403, "epidemiologist");
    let res = app.get("/staff/regulatory/plan").await;
    assert_ne!(res.status(), 200);
    app.shutdown().await;
}
