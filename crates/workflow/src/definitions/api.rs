//! Definitions API: deploy (administrators) and list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::{Identity, Role};
use kernel::web::AppResult;
use kernel::web::{Access, Routes};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::store::{self, Deployed};

#[derive(Deserialize, ToSchema)]
pub struct DeployRequest {
    /// The BPMN 2.0 XML document.
    pub bpmn: String,
}

/// Deploy a BPMN definition as the next version of its process key. An invalid definition is
/// refused with every problem listed (422, one error per problem, codes `bpmn_<code>`).
#[utoipa::path(post, path = "/api/v1/workflow/deployments", tag = "workflow", request_body = DeployRequest,
    responses((status = 201, body = Deployed), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn deploy(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Json(req): Json<DeployRequest>,
) -> AppResult<Response> {
    let d = super::service::deploy(&state.db, &req.bpmn, &identity.actor(), &origin).await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// Every deployed version of every definition.
#[utoipa::path(get, path = "/api/v1/workflow/definitions", tag = "workflow", responses((status = 200, body = [Deployed])))]
pub async fn list(State(state): State<AppState>) -> AppResult<Json<Vec<Deployed>>> {
    Ok(Json(store::all(&state.db).await?))
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(&[Role::Admin]), routes!(deploy)).api(Access::Staff(&[]), routes!(list))
}
