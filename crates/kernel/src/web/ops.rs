//! Operations endpoints: liveness, readiness, Prometheus metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::AppState;
use crate::web::{Access, Routes};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, `ready` or `not_ready`.
    pub status: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok".into(), problems: vec![] })
}

/// The database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut problems = vec![];
    if let Err(e) = state.db.ping().await {
        problems.push(format!("database unreachable: {e}"));
    } else {
        match crate::db::migrate::pending(&state.db, &state.migrations).await {
            Ok(p) if p.is_empty() => {}
            Ok(p) => problems.push(format!("pending migrations: {}", p.join(", "))),
            Err(e) => problems.push(format!("cannot read migrations: {e}")),
        }
    }
    if problems.is_empty() {
        (StatusCode::OK, Json(Health { status: "ready".into(), problems })).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "not_ready".into(), problems })).into_response()
    }
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.render(&state.db).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(healthz))
        .api(Access::Public, routes!(readyz))
        .api(Access::Public, routes!(metrics))
}
