//! Conformance API: the instances of a deployed definition checked against it.

use axum::Json;
use axum::extract::{Path, State};
use kernel::AppState;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult};
use utoipa_axum::routes;

use super::conformance_service::{self, Report};

/// Every instance of this definition version replayed on it (token-based replay): deviations
/// per instance (skipped, repeated, out-of-order, unexpected, unknown activities) and fitness.
#[utoipa::path(get, path = "/api/v1/workflow/definitions/{id}/conformance", tag = "workflow",
    params(("id" = String, Path, description = "Definition id")), responses((status = 200, body = Report), (status = 404)))]
pub async fn conformance(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<Report>> {
    conformance_service::check_deployed(&state.db, &id).await?.map(Json).ok_or(AppError::NotFound)
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(&[]), routes!(conformance))
}
