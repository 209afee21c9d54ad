//! Tasks API: the worklist, claim, release, complete.

use axum::Json;
use axum::extract::{Path, State};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::service::{self, Worker};
use super::store;
use crate::instances::TaskRow;
use crate::instances::service::InstanceView;

#[derive(Deserialize, ToSchema)]
pub struct CompleteRequest {
    /// Form data (a JSON object), merged into the instance variables.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Value,
}

fn roles(identity: &Identity) -> AppResult<(String, Vec<&'static str>)> {
    let s = identity.staff().ok_or(AppError::Unauthorized)?;
    Ok((s.id.clone(), s.roles.iter().map(|r| r.code()).collect()))
}

/// Open and claimed tasks that I may work on (one of my roles) or that I hold, oldest first.
#[utoipa::path(get, path = "/api/v1/workflow/tasks", tag = "workflow", responses((status = 200, body = [TaskRow])))]
pub async fn list(State(state): State<AppState>, identity: Identity) -> AppResult<Json<Vec<TaskRow>>> {
    let (me, mine) = roles(&identity)?;
    let tasks = store::active(&state.db, 500).await?;
    Ok(Json(
        tasks
            .into_iter()
            .filter(|t| {
                t.assignee.as_deref() == Some(me.as_str()) || t.roles.split(',').any(|r| mine.contains(&r.trim()))
            })
            .collect(),
    ))
}

/// Claim a task (one of its roles needed). Of two claims at once one wins; the other gets
/// 409 `task_already_claimed`.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/claim", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskRow), (status = 403), (status = 404), (status = 409)))]
pub async fn claim(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Json<TaskRow>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::claim(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await?))
}

/// Give back a task I claimed.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/release", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskRow), (status = 404), (status = 409)))]
pub async fn release(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Json<TaskRow>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::release(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await?))
}

/// Complete a task I claimed, with form data; the instance moves on.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/complete", tag = "workflow",
    params(("id" = String, Path, description = "Task id")), request_body = CompleteRequest,
    responses((status = 200, body = InstanceView), (status = 403), (status = 404), (status = 409)))]
pub async fn complete(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(req): Json<CompleteRequest>,
) -> AppResult<Json<InstanceView>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::complete(&state.db, &id, req.variables, &Worker { id: &me, roles: &mine }, &origin).await?))
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Staff(&[]), routes!(list))
        .api(Access::Staff(&[]), routes!(claim))
        .api(Access::Staff(&[]), routes!(release))
        .api(Access::Staff(&[]), routes!(complete))
}
