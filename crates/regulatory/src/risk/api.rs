//! Risk API: a premises' score with its factor breakdown (staff).

use axum::Json;
use axum::extract::{Path, State};
use kernel::AppState;
use kernel::web::{Access, AppError, AppResult, Routes};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{Factor, service, store};

/// A premises' risk score: the total, its band and inspection frequency, and every factor with
/// its raw value, points, weight and weighted points.
#[derive(Serialize, ToSchema)]
pub struct RiskView {
    pub premises_id: String,
    pub total: f64,
    /// A (high), B or C (low).
    pub band: String,
    /// Months between routine inspections in this band.
    pub frequency_months: i64,
    /// YYYY-MM-DD; absent when never inspected.
    pub last_inspection_on: Option<String>,
    /// YYYY-MM-DD: when the next routine inspection falls due.
    pub next_due_on: String,
    pub factors: Vec<Factor>,
    /// The weights version used (0: the defaults).
    pub weights_version: i64,
    /// When it was computed (Unix milliseconds).
    pub computed_at: i64,
    /// Whether this is the stored score (false: computed for this answer, none stored yet).
    pub stored: bool,
}

/// The stored score of a premises, or one computed now when none is stored yet.
pub async fn view(state: &AppState, id: &str) -> AppResult<RiskView> {
    let (s, stored) = match store::score(&state.db, id).await? {
        Some(s) => (s, true),
        None => {
            let s = service::compute(&state.db, id, kernel::hk::today(), kernel::now_ms())
                .await?
                .ok_or(AppError::NotFound)?;
            (s, false)
        }
    };
    Ok(RiskView {
        premises_id: s.premises_id,
        total: s.total,
        band: s.band,
        frequency_months: s.frequency_months,
        last_inspection_on: s.last_inspection_on,
        next_due_on: s.next_due_on,
        factors: s.factors,
        weights_version: s.weights_version,
        computed_at: s.computed_at,
        stored,
    })
}

/// A premises' risk score and why: each factor's value, points and weight.
#[utoipa::path(get, path = "/api/v1/regulatory/premises/{id}/risk", tag = "regulatory",
    params(("id" = String, Path, description = "Premises id")),
    responses((status = 200, body = RiskView), (status = 404, body = kernel::web::error::ProblemBody)))]
pub async fn premises_risk(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<RiskView>> {
    Ok(Json(view(&state, &id).await?))
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(crate::STAFF), routes!(premises_risk))
}
