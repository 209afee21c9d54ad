//! SLA API: overdue and due-soon clocks (for worklists), breaches per ISO week.

use axum::Json;
use axum::extract::{Query, State};
use kernel::AppState;
use kernel::web::AppResult;
use kernel::web::{Access, Routes};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::routes;

use super::rules::WeekBreaches;
use super::service::{self, ClockView};

const HOUR_MS: i64 = 3_600_000;
const WEEK_MS: i64 = 7 * 24 * HOUR_MS;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// Also clocks due within this many hours from now (default 0: overdue only; at most 8760).
    #[serde(default)]
    pub within_hours: i64,
}

/// Running SLA clocks past their deadline (or due within `within_hours`), soonest first.
#[utoipa::path(get, path = "/api/v1/workflow/sla/due", tag = "workflow", params(DueQuery),
    responses((status = 200, body = [ClockView])))]
pub async fn due(State(state): State<AppState>, Query(q): Query<DueQuery>) -> AppResult<Json<Vec<ClockView>>> {
    let until = kernel::now_ms() + q.within_hours.clamp(0, 8760) * HOUR_MS;
    Ok(Json(service::due_soon(&state.db, until, 500).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreachQuery {
    /// How many weeks back from now (default 12, at most 520).
    pub weeks: Option<i64>,
}

/// SLA breaches (deadline passed while the clock ran) per ISO week of the deadline, process and
/// SLA.
#[utoipa::path(get, path = "/api/v1/workflow/sla/breaches", tag = "workflow", params(BreachQuery),
    responses((status = 200, body = [WeekBreaches])))]
pub async fn breaches(
    State(state): State<AppState>,
    Query(q): Query<BreachQuery>,
) -> AppResult<Json<Vec<WeekBreaches>>> {
    let now = kernel::now_ms();
    let weeks = q.weeks.unwrap_or(12).clamp(1, 520);
    Ok(Json(service::breach_trends(&state.db, now - weeks * WEEK_MS, now + 1).await?))
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(&[]), routes!(due)).api(Access::Staff(&[]), routes!(breaches))
}
