//! Hand-computed cases. Points lie on the meridian through (0, 0), so a visit `km` road
//! kilometres north of the depot is at latitude km / (6371 × 1.35) radians and travel there takes
//! km / 25 h: 12.5 km is 30 minutes, 10 km is 24 minutes.

use super::rules::{self, Model};
use super::solver::{Options, plan};
use super::*;

/// Latitude (degrees) of the point `km` road kilometres north of the equator on meridian 0.
fn north(km: f64) -> f64 {
    (km / (6371.0 * 1.35)).to_degrees()
}

fn visit(id: &str, km: f64, dur: f64, skill: &str, window: (&str, &str), priority: u32) -> serde_json::Value {
    serde_json::json!({"id": id, "lat": north(km), "lon": 0.0, "duration_min": dur, "skill": skill,
        "window": [window.0, window.1], "priority": priority})
}

fn inspector(id: &str, skills: &[&str], start: &str, end: &str) -> serde_json::Value {
    serde_json::json!({"id": id, "skills": skills, "start": start, "end": end})
}

fn problem(inspectors: Vec<serde_json::Value>, visits: Vec<serde_json::Value>) -> Problem {
    let j = serde_json::json!({"date": "2026-12-08", "depot": {"lat": 0.0, "lon": 0.0},
        "inspectors": inspectors, "visits": visits});
    Problem::parse(&j.to_string()).expect("valid problem")
}

fn run(p: &Problem) -> Plan {
    plan(p, &Options::seconds(2.0))
}

fn stop(v: &str, a: &str, d: &str) -> Stop {
    Stop { visit: v.into(), arrive: a.into(), depart: d.into() }
}

#[test]
fn travel_is_haversine_times_1_35_at_25_kmh() {
    let a = Point { lat: 22.3, lon: 114.17 };
    let b = Point { lat: 22.28, lon: 114.16 };
    // By hand (flat approximation, good to metres here): dlat 0.02° = 2.2239 km, dlon 0.01° at
    // cos 22.29° = 1.0288 km, hypotenuse 2.4504 km.
    let g = rules::haversine_km(a, b);
    assert!((g - 2.4504).abs() < 1e-3, "{g}");
    assert!((rules::travel_km(a, b) - g * 1.35).abs() < 1e-12);
    assert!((rules::travel_min(12.5) - 30.0).abs() < 1e-12);
    assert!((rules::travel_km(Point { lat: 0.0, lon: 0.0 }, Point { lat: north(10.0), lon: 0.0 }) - 10.0).abs() < 1e-9);
}

#[test]
fn times_are_rounded_to_the_nearest_minute() {
    // 10.25 km: 24.6 min → arrive 09:24.6 → "09:25"; depart 09:24.6 + 45 = 10:09.6 → "10:10".
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![visit("v1", 10.25, 45.0, "pharmacy", ("09:00", "12:00"), 1)],
    );
    let out = run(&p);
    assert_eq!(out.routes[0].stops, vec![stop("v1", "09:25", "10:10")]);
    assert_eq!(out.routes[0].distance_km, 20.5);
    assert_eq!(out.total_distance_km, 20.5);
    assert!(out.unassigned.is_empty() && out.reasons.is_empty());
    // 10.2 km: 24.48 min → "09:24", depart 10:09.48 → "10:09".
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![visit("v1", 10.2, 45.0, "pharmacy", ("09:00", "12:00"), 1)],
    );
    assert_eq!(run(&p).routes[0].stops, vec![stop("v1", "09:24", "10:09")]);
    assert_eq!(format_hhmm(600.5), "10:01");
    assert_eq!(format_hhmm(600.49), "10:00");
}

#[test]
fn an_early_inspector_waits_for_the_window() {
    // 30 min away, arrives 09:30, waits until 10:00, 45 min: departs 10:45.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![visit("v1", 12.5, 45.0, "pharmacy", ("10:00", "11:00"), 1)],
    );
    assert_eq!(run(&p).routes[0].stops, vec![stop("v1", "09:30", "10:45")]);
}

#[test]
fn service_must_start_by_the_window_end_but_may_run_past_it() {
    // Arrives 09:30 for a window closing 09:30: served, departs 10:15 after the window closed.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![visit("v1", 12.5, 45.0, "pharmacy", ("09:00", "09:30"), 1)],
    );
    assert_eq!(run(&p).routes[0].stops, vec![stop("v1", "09:30", "10:15")]);
    // A window that closes at 09:29 cannot be met: window_unreachable.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![visit("v1", 12.5, 45.0, "pharmacy", ("09:00", "09:29"), 1)],
    );
    let out = run(&p);
    assert!(out.routes[0].stops.is_empty());
    assert_eq!(out.routes[0].distance_km, 0.0);
    assert_eq!(out.unassigned, vec!["v1".to_string()]);
    assert_eq!(out.reasons["v1"], Reason::WindowUnreachable);
}

#[test]
fn no_skill_and_a_shift_too_short_are_reported_per_visit() {
    // B's shift of 60 minutes cannot hold 30 + 45 + 30 minutes; nobody inspects devices.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30"), inspector("B", &["chinese_medicine"], "09:00", "10:00")],
        vec![
            visit("dev", 5.0, 30.0, "devices", ("09:00", "17:00"), 1),
            visit("cm", 12.5, 45.0, "chinese_medicine", ("09:00", "17:00"), 1),
            visit("ph", 5.0, 30.0, "pharmacy", ("09:00", "17:00"), 2),
        ],
    );
    let out = run(&p);
    assert_eq!(out.reasons["dev"], Reason::NoSkill);
    assert_eq!(out.reasons["cm"], Reason::WindowUnreachable);
    assert_eq!(out.unassigned, vec!["dev".to_string(), "cm".to_string()]);
    // Every inspector is listed, B with nothing.
    assert_eq!(out.routes.iter().map(|r| r.inspector.as_str()).collect::<Vec<_>>(), vec!["A", "B"]);
    assert_eq!(out.routes[0].stops, vec![stop("ph", "09:12", "09:42")]);
    assert_eq!((out.routes[1].stops.len(), out.routes[1].distance_km), (0, 0.0));
    assert_eq!(out.total_distance_km, 10.0);
    // The reasons serialise as the contract's words.
    let j = serde_json::to_value(&out).unwrap();
    assert_eq!(j["reasons"]["dev"], "no_skill");
    assert_eq!(j["reasons"]["cm"], "window_unreachable");
    assert!(j.get("stats").is_none() || !j["stats"].is_null());
}

#[test]
fn priority_beats_distance() {
    // Shift 09:00–11:00 (120 min). "far" (priority 1): 20 km south, 48 + 20 + 48 = 116 min alone.
    // "near" (priority 2): 5 km north, 12 + 20 + 12 = 44 min alone. Both: at least
    // 12 + 20 + 60 + 20 + 48 = 160 min. The plan serves "far" (40 km) rather than "near" (10 km).
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "11:00")],
        vec![
            visit("near", 5.0, 20.0, "pharmacy", ("09:00", "11:00"), 2),
            visit("far", -20.0, 20.0, "pharmacy", ("09:00", "11:00"), 1),
        ],
    );
    let out = run(&p);
    assert_eq!(out.routes[0].stops, vec![stop("far", "09:48", "10:08")]);
    assert_eq!(out.routes[0].distance_km, 40.0);
    assert_eq!(out.unassigned, vec!["near".to_string()]);
    assert_eq!(out.reasons["near"], Reason::NoTime);
}

#[test]
fn distance_is_minimised_and_bounded_below() {
    // Three visits 5, 10 and 15 km north, no windows to speak of: the best route is out and
    // back, 30 km, stops in order 5, 10, 15.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "08:00", "18:00"), inspector("B", &["pharmacy"], "08:00", "18:00")],
        vec![
            visit("c", 15.0, 10.0, "pharmacy", ("08:00", "18:00"), 1),
            visit("a", 5.0, 10.0, "pharmacy", ("08:00", "18:00"), 1),
            visit("b", 10.0, 10.0, "pharmacy", ("08:00", "18:00"), 1),
        ],
    );
    let out = run(&p);
    assert_eq!(out.total_distance_km, 30.0);
    let used: Vec<&Route> = out.routes.iter().filter(|r| !r.stops.is_empty()).collect();
    assert_eq!(used.len(), 1);
    let order: Vec<&str> = used[0].stops.iter().map(|s| s.visit.as_str()).collect();
    assert!(order == ["a", "b", "c"] || order == ["c", "b", "a"], "{order:?}");
    // Lower bound by hand: MST 15 + cheapest edge 5 = 20; two cheapest edges: a 5+5, b 5+5,
    // c 5+10 → 35 / 2 + cheapest depot edge 5 = 22.5; the radial bound (below) is 30, the
    // bound is the largest of the three.
    let m = Model::new(&p);
    assert!((rules::lower_bound(&m, &[1, 2, 3]) - 30.0).abs() < 1e-6);
    // The radial bound: one route can hold all three (600 min shift), so it is 2 × 15 = 30 km.
    assert!((rules::radial_bound(&m, &[1, 2, 3]) - 30.0).abs() < 1e-6);
    let stats = out.stats.unwrap();
    assert_eq!(stats.lower_bound_km, 30.0);
    assert!(stats.greedy_distance_km >= 30.0);
    assert_eq!(stats.served_by_priority["1"], 3);
}

#[test]
fn the_radial_bound_counts_the_trips_that_short_shifts_force() {
    // Shifts of 120 min; "a" 20 km north (48 min each way) and "b" 19 km north (45.6 min), 20 min
    // each: a route out to 20 km has 120 − 96 = 24 min left, room for one visit. So two routes:
    // at least 2 × 20 + 2 × 19 = 78 km, which is also what the plan travels.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "11:00"), inspector("B", &["pharmacy"], "09:00", "11:00")],
        vec![
            visit("a", 20.0, 20.0, "pharmacy", ("09:00", "11:00"), 1),
            visit("b", 19.0, 20.0, "pharmacy", ("09:00", "11:00"), 1),
        ],
    );
    let m = Model::new(&p);
    assert!((rules::radial_bound(&m, &[1, 2]) - 78.0).abs() < 1e-6);
    let out = run(&p);
    assert_eq!(out.total_distance_km, 78.0);
    assert_eq!(out.stats.unwrap().lower_bound_km, 78.0);
}

#[test]
fn bad_problems_are_refused_with_where_and_what() {
    let ok = |visits: serde_json::Value, inspectors: serde_json::Value| {
        serde_json::json!({"date": "2026-12-08", "depot": {"lat": 22.3, "lon": 114.17},
            "inspectors": inspectors, "visits": visits})
        .to_string()
    };
    let insp = serde_json::json!([{"id": "A", "skills": ["pharmacy"], "start": "09:00", "end": "17:30"}]);
    let v = |window: serde_json::Value| {
        serde_json::json!([{"id": "v1", "lat": 22.3, "lon": 114.1, "duration_min": 30, "skill": "pharmacy",
            "window": window, "priority": 1}])
    };
    let err = Problem::parse(&ok(v(serde_json::json!(["25:00", "26:00"])), insp.clone())).unwrap_err();
    assert!(err.to_string().contains("visits[0] (\"v1\")") && err.to_string().contains("\"25:00\""), "{err}");
    let err = Problem::parse(&ok(v(serde_json::json!(["12:00", "09:00"])), insp.clone())).unwrap_err();
    assert!(err.to_string().contains("window end 09:00 is before its start 12:00"), "{err}");
    let bad_shift = serde_json::json!([{"id": "A", "skills": [], "start": "17:00", "end": "09:00"}]);
    assert!(Problem::parse(&ok(serde_json::json!([]), bad_shift)).unwrap_err().to_string().contains("inspectors[0]"));
    assert!(matches!(Problem::parse("{\"date\": "), Err(ProblemError::Json(_))));
    assert!(Problem::parse(&ok(v(serde_json::json!(["9:00", "10:00"])), insp.clone())).is_err());
    let twice = serde_json::json!([{"id": "A", "start": "09:00", "end": "10:00"}, {"id": "A", "start": "09:00", "end": "10:00"}]);
    assert!(Problem::parse(&ok(serde_json::json!([]), twice)).unwrap_err().to_string().contains("twice"));
    let bad_date = ok(serde_json::json!([]), insp.clone()).replace("2026-12-08", "2026-02-30");
    assert!(Problem::parse(&bad_date).unwrap_err().to_string().contains("date"));
    // Unknown fields are ignored.
    let extra =
        ok(v(serde_json::json!(["09:00", "10:00"])), insp).replace("\"priority\"", "\"note\": \"x\", \"priority\"");
    assert!(Problem::parse(&extra).is_ok());
    assert_eq!(parse_hhmm("23:59"), Some(1439));
    assert_eq!(parse_hhmm("24:00"), None);
}

/// A random instance over Hong Kong for properties (deterministic).
fn random_problem(inspectors: usize, visits: usize, seed: u64) -> Problem {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let skills = ["pharmacy", "clinic", "chinese_medicine"];
    let ins: Vec<serde_json::Value> = (0..inspectors)
        .map(|i| inspector(&format!("I{i}"), &[skills[i % 3], skills[(i + 1) % 3]], "09:00", "17:30"))
        .collect();
    let vs: Vec<serde_json::Value> = (0..visits)
        .map(|i| {
            let ws = rng.random_range(9..15) * 60;
            serde_json::json!({"id": format!("V{i}"), "lat": rng.random_range(22.2..22.5), "lon": rng.random_range(113.9..114.3),
                "duration_min": rng.random_range(20..60), "skill": skills[rng.random_range(0..3)],
                "window": [format_hhmm(f64::from(ws)), format_hhmm(f64::from(ws + 120))], "priority": rng.random_range(1..4)})
        })
        .collect();
    let j = serde_json::json!({"date": "2026-12-08", "depot": {"lat": 22.3, "lon": 114.17}, "inspectors": ins, "visits": vs});
    Problem::parse(&j.to_string()).unwrap()
}

#[test]
fn plans_of_random_instances_keep_every_rule_and_beat_greedy() {
    let p = random_problem(4, 40, 7);
    let out = plan(
        &p,
        &Options {
            deadline: std::time::Instant::now() + std::time::Duration::from_secs(60),
            seed: 3,
            max_iterations: Some(3000),
        },
    );
    let m = Model::new(&p);
    let mut seen = std::collections::HashSet::new();
    let mut total = 0.0;
    for (k, r) in out.routes.iter().enumerate() {
        let nodes: Vec<usize> =
            r.stops.iter().map(|s| p.visits.iter().position(|v| v.id == s.visit).unwrap() + 1).collect();
        for &v in &nodes {
            assert!(seen.insert(v), "visit served twice");
            assert!(p.inspectors[k].skills.contains(&p.visits[v - 1].skill));
        }
        let state = rules::RouteState::new(&m, k, nodes, 0, f64::NEG_INFINITY);
        assert!(state.feasible, "route {k} breaks a window or the shift");
        total += r.distance_km;
    }
    assert_eq!(seen.len() + out.unassigned.len(), p.visits.len());
    assert!((out.total_distance_km - total).abs() < 1e-6);
    let s = out.stats.unwrap();
    // Lexicographically no worse than greedy, and the bound below the distance.
    let served: Vec<usize> = s.served_by_priority.values().copied().collect();
    let greedy: Vec<usize> = s.greedy_served_by_priority.values().copied().collect();
    assert!(served > greedy || (served == greedy && out.total_distance_km <= s.greedy_distance_km + 1e-6), "{s:?}");
    assert!(s.lower_bound_km <= out.total_distance_km);
    // Same seed, same rounds: same plan.
    let again = plan(
        &p,
        &Options {
            deadline: std::time::Instant::now() + std::time::Duration::from_secs(60),
            seed: 3,
            max_iterations: Some(3000),
        },
    );
    assert_eq!(again.routes, out.routes);
}

#[test]
fn replanning_keeps_what_has_started_and_fits_the_urgent_visit() {
    // One inspector, visits 5 km north (09:12–09:42, its window closes at 09:20 so it comes
    // first), then 10 km north, then back.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30")],
        vec![
            visit("a", 5.0, 30.0, "pharmacy", ("09:00", "09:20"), 2),
            visit("b", 10.0, 30.0, "pharmacy", ("09:00", "17:00"), 2),
        ],
    );
    let before = run(&p);
    assert_eq!(before.routes[0].stops[0], stop("a", "09:12", "09:42"));
    // At 09:30 the inspector is at "a"; an urgent visit 5 km south must be done by 11:00.
    let urgent = Visit {
        id: "u".into(),
        at: Point { lat: north(-5.0), lon: 0.0 },
        duration_min: 20.0,
        skill: "pharmacy".into(),
        window: (9 * 60, 11 * 60),
        priority: 1,
    };
    let (p2, after) = replan::replan(&p, &before, 9 * 60 + 30, urgent.clone(), &Options::seconds(1.0)).unwrap();
    assert_eq!(p2.visits.len(), 3);
    let stops = &after.routes[0].stops;
    assert_eq!(stops[0], stop("a", "09:12", "09:42"), "the stop under way stays");
    assert!(stops.iter().any(|s| s.visit == "u"));
    assert!(after.unassigned.is_empty(), "{after:?}");
    // Best: a (5 N) → u (5 S, 24 min) → b (10 N, 36 min) → depot: 5+10+15+10 = 40 km;
    // or a → b → u → depot is 5+5+15+5 = 30 km and meets the window (09:42+12=09:54 at b,
    // depart 10:24, 36 min to u: 11:00). Both are feasible; the shorter is chosen.
    assert_eq!(after.total_distance_km, 30.0);
    assert_eq!(stops.iter().map(|s| s.visit.as_str()).collect::<Vec<_>>(), vec!["a", "b", "u"]);
    assert_eq!(stops[2], stop("u", "11:00", "11:20"));
    // Nothing started before 09:00: everything may move, and a duplicate id is refused.
    assert!(matches!(
        replan::replan(&p, &before, 8 * 60, Visit { id: "a".into(), ..urgent }, &Options::seconds(0.5)),
        Err(replan::ReplanError::DuplicateVisit(_))
    ));
}

#[test]
fn a_route_as_icalendar_has_one_event_per_inspection_in_utc() {
    let route = Route { inspector: "A".into(), stops: vec![stop("v1", "09:30", "10:45")], distance_km: 25.0 };
    let visits = vec![Visit {
        id: "v1".into(),
        at: Point { lat: 22.3, lon: 114.1 },
        duration_min: 45.0,
        skill: "pharmacy".into(),
        window: (600, 660),
        priority: 1,
    }];
    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
    let text = ics::route_ics(date, &route, &visits, 1_765_000_000_000);
    // Service 10:00–10:45 Hong Kong time is 02:00–02:45 UTC.
    assert!(text.contains("\r\nDTSTART:20261208T020000Z\r\nDTEND:20261208T024500Z\r\n"), "{text}");
    assert!(text.contains("SUMMARY:Inspection v1 (pharmacy)\r\n"));
    assert!(text.contains("DESCRIPTION:Stop 1 of 1\\; arrive 09:30\\, depart 10:45\r\n"), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
}

#[test]
fn after_replanning_nobody_leaves_before_now() {
    // A did "a" (5 km north, 09:12–09:42); B has done nothing. At 10:00 an urgent visit 5 km
    // south arrives: whoever takes it leaves (the depot or "a") at 10:00 at the earliest, so it
    // cannot be reached before 10:12.
    let p = problem(
        vec![inspector("A", &["pharmacy"], "09:00", "17:30"), inspector("B", &["pharmacy"], "09:00", "17:30")],
        vec![visit("a", 5.0, 30.0, "pharmacy", ("09:00", "09:20"), 1)],
    );
    let before = run(&p);
    let urgent = Visit {
        id: "u".into(),
        at: Point { lat: north(-5.0), lon: 0.0 },
        duration_min: 20.0,
        skill: "pharmacy".into(),
        window: (9 * 60, 12 * 60),
        priority: 1,
    };
    let (_, after) = replan::replan(&p, &before, 10 * 60, urgent, &Options::seconds(1.0)).unwrap();
    let u = after.routes.iter().flat_map(|r| r.stops.iter()).find(|s| s.visit == "u").expect("planned");
    assert!(u.arrive.as_str() >= "10:12", "{u:?}");
    let a = after.routes.iter().flat_map(|r| r.stops.iter()).find(|s| s.visit == "a").unwrap();
    assert_eq!(a, &stop("a", "09:12", "09:42"), "done stays done");
}
