//! The inspector's day page (`/staff/regulatory/plan/today`): their route for today from the
//! stored plan (ordered stops, arrival and departure, distance), its calendar file, and for
//! licensing officers and managers a button that plans the day again. No JavaScript.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::identity::Role;
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, PageCtx, Routes};

use super::service::{self, route_of};
use super::{Route, ics};

/// Who sees a day page: inspectors (their own route) and administrators.
pub const VIEWERS: &[Role] = &[Role::Admin, Role::Inspector, Role::LicensingOfficer, Role::LicensingManager];
/// Who may plan the day again.
pub const REPLANNERS: &[Role] = &[Role::Admin, Role::LicensingOfficer, Role::LicensingManager];

#[derive(Template)]
#[template(path = "regulatory/planning/today.html")]
struct TodayPage {
    page: PageCtx,
    date: String,
    route: Route,
    can_replan: bool,
}

fn staff_id(page: &PageCtx) -> AppResult<String> {
    page.identity.staff().map(|s| s.id.clone()).ok_or(AppError::Forbidden)
}

fn may_replan(page: &PageCtx) -> bool {
    REPLANNERS.iter().any(|r| page.identity.has_role(*r))
}

async fn show(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let today = kernel::hk::today();
    let mut plan = route_of(&state, &me, today).await?;
    let route = plan.routes.pop().unwrap_or(Route { inspector: me, stops: vec![], distance_km: 0.0 });
    let can_replan = may_replan(&page);
    let p = TodayPage { page, date: today.format("%Y-%m-%d").to_string(), route, can_replan };
    Ok(render(&p)?.into_response())
}

async fn calendar(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let today = kernel::hk::today();
    let day = today.format("%Y-%m-%d").to_string();
    let mine = super::store::planned_for(&state.db, &me, &day).await?;
    let visits: Vec<_> = mine.iter().map(service::visit_of).collect();
    let mut plan = route_of(&state, &me, today).await?;
    let route = plan.routes.pop().unwrap_or(Route { inspector: me, stops: vec![], distance_km: 0.0 });
    let text = ics::route_ics(today, &route, &visits, kernel::now_ms());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"plan-{day}.ics\"")),
        ],
        text,
    )
        .into_response())
}

/// Plans today again (the form carries only the CSRF token, checked by the kernel).
async fn replan(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    if !may_replan(&page) {
        return Err(AppError::Forbidden);
    }
    service::plan_day(&state, kernel::hk::today()).await?;
    Ok(Redirect::to("/staff/regulatory/plan/today").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/regulatory/plan/today", Access::Staff(VIEWERS), get(show))
        .page("/staff/regulatory/plan/today/replan", Access::Staff(REPLANNERS), post(replan))
        .page("/staff/regulatory/plan/today.ics", Access::Staff(VIEWERS), get(calendar))
}
