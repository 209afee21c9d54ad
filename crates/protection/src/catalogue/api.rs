//! The catalogue's JSON API (public).

use axum::Json;
use axum::extract::State;
use kernel::AppState;
use kernel::web::AppResult;
use kernel::web::{Access, Routes};
use utoipa_axum::routes;

use super::{Disease, store};

/// The catalogue of notifiable diseases in force, with each one's own notification questions.
#[utoipa::path(get, path = "/api/v1/protection/diseases", tag = "protection",
    responses((status = 200, body = [Disease])))]
pub async fn diseases(State(state): State<AppState>) -> AppResult<Json<Vec<Disease>>> {
    Ok(Json(store::diseases(&state.db).await?.into_iter().filter(|d| d.active).collect()))
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Public, routes!(diseases))
}
