//! Day plans from the database: the open inspections and the active inspectors planned by the
//! pure solver, the assignments written in one transaction with an audit entry. The daily job
//! plans today at 07:00 Hong Kong time; an urgent inspection (a triaged complaint) enqueues the
//! same job so that its day is planned again (visits done are not open, so they stay as they are).

use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::identity::Role;

use super::solver::{self, Options};
use super::store::{self, OpenVisit};
use super::{Inspector, Plan, Point, Problem, Visit, parse_hhmm};

/// The department's office in Wan Chai: every inspector starts and ends the day there.
pub const DEPOT: Point = Point { lat: 22.2783, lon: 114.1747 };
/// Every skill a licence type can ask for (demo inspectors have them all).
pub const SKILLS: [&str; 3] = ["pharmacy", "chinese_medicine", "healthcare_facility"];
/// The shift, minutes after midnight (09:00 to 17:30).
pub const SHIFT: (u32, u32) = (9 * 60, 17 * 60 + 30);
/// Minutes on site per visit.
pub const VISIT_MIN: f64 = 45.0;
/// The search's time limit, seconds.
pub const LIMIT_S: f64 = 2.0;

/// The job that plans a day (payload `{"date": "YYYY-MM-DD"}`, today when absent).
pub const JOB: &str = "regulatory.plan-day";

pub fn jobs(r: &mut kernel::jobs::Registry) {
    r.handle(JOB, |ctx, payload| async move {
        let date = payload
            .get("date")
            .and_then(serde_json::Value::as_str)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .unwrap_or_else(kernel::hk::today);
        let plan = plan_day(&ctx.state, date).await.map_err(|e| kernel::jobs::JobError::Retry(e.to_string()))?;
        tracing::info!(%date, unassigned = plan.unassigned.len(), km = plan.total_distance_km, "regulatory day plan");
        Ok(())
    });
    // 07:00 Hong Kong time, every day.
    r.every("regulatory.plan-day-daily", "0 0 7 * * *", JOB, serde_json::json!({}));
}

/// Enqueues a re-plan of `date` in the caller's transaction (after an urgent inspection).
pub async fn enqueue_replan(tx: &mut kernel::db::Tx, date: &str) -> sqlx::Result<bool> {
    kernel::jobs::enqueue(tx, kernel::jobs::NewJob::new(JOB, serde_json::json!({ "date": date }))).await
}

/// The skill a licence type's definition asks for ("pharmacy" when unknown).
pub fn skill_of(definition: &str) -> String {
    serde_json::from_str::<serde_json::Value>(definition)
        .ok()
        .and_then(|v| v.get("skill").and_then(|s| s.as_str()).map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pharmacy".into())
}

/// A stored inspection as a visit to plan.
pub fn visit_of(v: &OpenVisit) -> Visit {
    let ws = parse_hhmm(&v.window_start).unwrap_or(SHIFT.0);
    let we = parse_hhmm(&v.window_end).unwrap_or(SHIFT.1).max(ws);
    Visit {
        id: v.id.clone(),
        at: Point { lat: v.lat, lon: v.lon },
        duration_min: VISIT_MIN,
        skill: skill_of(&v.definition),
        window: (ws, we),
        priority: v.priority.clamp(1, 9) as u32,
    }
}

/// An inspector with every skill on the standard shift.
pub fn inspector(id: &str) -> Inspector {
    Inspector { id: id.into(), skills: SKILLS.iter().map(|s| s.to_string()).collect(), start: SHIFT.0, end: SHIFT.1 }
}

/// Active staff with the inspector role, by id.
pub async fn inspectors(state: &AppState) -> sqlx::Result<Vec<String>> {
    let mut ids: Vec<String> = kernel::identity::staff::store::list(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.status == "active" && u.roles.contains(&Role::Inspector))
        .map(|u| u.id)
        .collect();
    ids.sort();
    Ok(ids)
}

/// Plans `date`: every open inspection due by then, over the active inspectors; writes the
/// assignments (and takes those left out out of any plan) in one transaction. Returns the plan.
pub async fn plan_day(state: &AppState, date: chrono::NaiveDate) -> anyhow::Result<Plan> {
    let day = date.format("%Y-%m-%d").to_string();
    let staff = inspectors(state).await?;
    let mut tx = state.db.begin().await?;
    // One plan of the day at a time (the daily job, a re-plan after an urgent complaint and an
    // officer's button may meet): they would otherwise update the same inspections in different
    // orders, which PostgreSQL ends as a deadlock.
    state.db.lock_in_tx(&mut tx, "regulatory.plan-day").await?;
    let open = store::open_visits(&mut tx, &day).await?;
    let problem = Problem {
        date,
        depot: DEPOT,
        inspectors: staff.iter().map(|s| inspector(s)).collect(),
        visits: open.iter().map(visit_of).collect(),
    };
    let plan = solver::plan(&problem, &Options::seconds(LIMIT_S));
    // Rows are written in id order, like every other writer of many inspections.
    let mut assigned: Vec<(&str, &str)> = plan
        .routes
        .iter()
        .flat_map(|r| r.stops.iter().map(move |s| (s.visit.as_str(), r.inspector.as_str())))
        .collect();
    assigned.sort();
    for (visit, inspector) in assigned {
        store::assign(&mut tx, visit, inspector, &day).await?;
    }
    let mut unassigned: Vec<&String> = plan.unassigned.iter().collect();
    unassigned.sort();
    for id in unassigned {
        store::unassign(&mut tx, id).await?;
    }
    let detail = format!(
        "date={day} visits={} unassigned={} km={}",
        problem.visits.len(),
        plan.unassigned.len(),
        plan.total_distance_km
    );
    kernel::audit::record(
        &state.db,
        &mut tx,
        &Actor::System,
        &Origin::system(),
        Event::new("regulatory.plan.day", "reg_day_plan", &day).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(plan)
}

/// One inspector's route on `date`, scheduled again from their planned inspections (the order
/// is not stored; the solver finds it again for this inspector alone).
pub async fn route_of(state: &AppState, staff_id: &str, date: chrono::NaiveDate) -> anyhow::Result<Plan> {
    let day = date.format("%Y-%m-%d").to_string();
    let mine = store::planned_for(&state.db, staff_id, &day).await?;
    let problem = Problem {
        date,
        depot: DEPOT,
        inspectors: vec![inspector(staff_id)],
        visits: mine.iter().map(visit_of).collect(),
    };
    Ok(solver::plan(&problem, &Options::seconds(0.3)))
}
