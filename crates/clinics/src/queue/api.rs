//! The walk-in queue's JSON API.

use axum::extract::{Path, State};
use kernel::AppState;
use kernel::web::AppResult;
use kernel::web::{Access, Routes};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::pages::{point, waiting_now};
use super::service;

pub fn routes() -> Routes {
    Routes::new().api(Access::Public, routes!(queue_status))
}

#[derive(Serialize, ToSchema)]
pub struct QueueStatus {
    pub service_point: String,
    pub services: Vec<QueueServiceStatus>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueServiceStatus {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    /// Tickets waiting now.
    pub waiting: i64,
    /// Estimated minutes until someone taking a ticket now is called.
    pub estimated_wait_minutes: f64,
}

/// The walk-in queue of a service point now: people waiting and the estimated wait per service.
#[utoipa::path(get, path = "/api/v1/clinics/queue/{code}", tag = "clinics",
    params(("code" = String, Path, description = "Service point code, e.g. `MCHC-WC`")),
    responses((status = 200, body = QueueStatus), (status = 404, body = kernel::web::error::ProblemBody)))]
pub async fn queue_status(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<axum::Json<QueueStatus>> {
    let point = point(&state, &code).await?;
    let services = service::services_of(&state, &point.kind).await?;
    let waiting = waiting_now(&state, &point, &services).await?;
    Ok(axum::Json(QueueStatus {
        service_point: point.code,
        services: waiting
            .into_iter()
            .map(|w| QueueServiceStatus {
                code: w.service.code,
                name_en: w.service.name_en,
                name_zh: w.service.name_zh,
                waiting: w.waiting,
                estimated_wait_minutes: (w.eta_minutes * 10.0).round() / 10.0,
            })
            .collect(),
    }))
}
