//! Instances API: start, look at, deliver a message.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::AppResult;
use kernel::web::{Access, Routes};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::service::{self, InstanceView};

#[derive(Deserialize, ToSchema)]
pub struct StartRequest {
    /// The process key (its latest version is started).
    pub definition: String,
    /// Instance variables (a JSON object).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Value,
}

#[derive(Deserialize, ToSchema)]
pub struct MessageRequest {
    /// Variables the message carries (a JSON object).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Value,
}

/// Start an instance of the latest version of a definition.
#[utoipa::path(post, path = "/api/v1/workflow/instances", tag = "workflow", request_body = StartRequest,
    responses((status = 201, body = InstanceView), (status = 404), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn start(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Json(req): Json<StartRequest>,
) -> AppResult<Response> {
    let v = service::start(&state.db, &req.definition, req.variables, &identity.actor(), &origin).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// An instance with its tasks.
#[utoipa::path(get, path = "/api/v1/workflow/instances/{id}", tag = "workflow",
    params(("id" = String, Path, description = "Instance id")), responses((status = 200, body = InstanceView), (status = 404)))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Json<InstanceView>> {
    Ok(Json(service::view(&state.db, &id).await?))
}

/// Deliver a message to an instance waiting for it (409 `message_not_expected` otherwise).
#[utoipa::path(post, path = "/api/v1/workflow/instances/{id}/messages/{name}", tag = "workflow",
    params(("id" = String, Path, description = "Instance id"), ("name" = String, Path, description = "Message name")),
    request_body = MessageRequest, responses((status = 200, body = InstanceView), (status = 404), (status = 409)))]
pub async fn message(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path((id, name)): Path<(String, String)>,
    Json(req): Json<MessageRequest>,
) -> AppResult<Json<InstanceView>> {
    Ok(Json(service::message(&state.db, &id, &name, req.variables, &identity.actor(), &origin).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CancelRequest {
    /// Why the instance is cancelled (required, at most 500 characters).
    pub reason: String,
}

/// Cancel a running instance with a reason (its open tasks and timers are cancelled).
#[utoipa::path(post, path = "/api/v1/workflow/instances/{id}/cancel", tag = "workflow",
    params(("id" = String, Path, description = "Instance id")), request_body = CancelRequest,
    responses((status = 200, body = InstanceView), (status = 404), (status = 409), (status = 422)))]
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(req): Json<CancelRequest>,
) -> AppResult<Json<InstanceView>> {
    Ok(Json(service::cancel(&state.db, &id, &req.reason, &identity.actor(), &origin).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct MigrationRequest {
    /// The version whose running instances move: `key:version` (e.g. `complaint:1`) or a
    /// definition id.
    pub from: String,
    /// The version they move to (same process).
    pub to: String,
    /// Only report what would happen.
    #[serde(default)]
    pub dry_run: bool,
}

/// Move the running instances of one version to another (administrators). 422 with one
/// `migration_stranded` error per stranded instance and node when any would be stranded
/// (nothing moved); a dry run reports without writing.
#[utoipa::path(post, path = "/api/v1/workflow/migrations", tag = "workflow", request_body = MigrationRequest,
    responses((status = 200, body = super::migrate::Report), (status = 404), (status = 409),
        (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn migrate(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Json(req): Json<MigrationRequest>,
) -> AppResult<Json<super::migrate::Report>> {
    let report =
        super::migrate::migrate(&state.db, &req.from, &req.to, req.dry_run, &identity.actor(), &origin).await?;
    if !report.stranded.is_empty() {
        let errors = report
            .stranded
            .iter()
            .flat_map(|s| {
                s.nodes.iter().map(|n| {
                    kernel::web::FieldError::new(&s.instance, "migration_stranded", &[("node", n.node.clone())])
                })
            })
            .collect();
        return Err(kernel::web::AppError::Validation(errors));
    }
    Ok(Json(report))
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Staff(&[kernel::identity::Role::Admin]), routes!(migrate))
        .api(Access::Staff(&[]), routes!(start))
        .api(Access::Staff(&[]), routes!(get))
        .api(Access::Staff(&[]), routes!(message))
        .api(Access::Staff(&[]), routes!(cancel))
}
