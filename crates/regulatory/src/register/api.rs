//! The register's open API: the same search as the page, as JSON (no sign-in; rate-limited).

use axum::Json;
use axum::extract::{Query, State};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::web::{Access, AppError, AppResult, Routes};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::rules::{self, Entry, SearchParams};
use super::service;

/// One page of the register.
#[derive(Serialize, ToSchema)]
pub struct RegisterPage {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<Entry>,
}

/// Searches the public register of licensed premises (by name in English or Chinese or licence
/// number, district, licence type, status). Inspection outcomes appear once their appeal window
/// has passed; individual licence holders are not named.
#[utoipa::path(get, path = "/api/v1/regulatory/register", tag = "regulatory", params(SearchParams),
    responses((status = 200, body = RegisterPage),
        (status = 422, body = kernel::web::error::ProblemBody, description = "validation_failed"),
        (status = 429, body = kernel::web::error::ProblemBody, description = "too_many_requests")))]
pub async fn register(
    State(state): State<AppState>,
    origin: Origin,
    Query(p): Query<SearchParams>,
) -> AppResult<Json<RegisterPage>> {
    super::rate_limit(&state, &origin.ip).await?;
    let types = crate::licence_types::store::all(&state.db).await?;
    let codes: Vec<String> = types.iter().map(|t| t.code.clone()).collect();
    let s = rules::parse(&p, &codes).map_err(AppError::Validation)?;
    let today = kernel::hk::today().to_string();
    let (items, total) = service::search(&state.db, &s, &types, &today, false).await?;
    Ok(Json(RegisterPage { total, page: s.page, per_page: s.per_page, items }))
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Public, routes!(register))
}
