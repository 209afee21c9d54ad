//! The signals JSON API for epidemiologists: the list, and triage decisions.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::service::{self, TriageError, TriageInput};
use super::{METHODS, STATUSES, Signal, SignalFilter, store};
use crate::cases::EPI;
use crate::ui::{parse_json, problem};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignalQuery {
    /// `new`, `assessing`, `outbreak` or `dismissed`.
    pub status: Option<String>,
    /// Disease code, e.g. `measles`.
    pub disease: Option<String>,
    /// District code, or `HK` for territory-wide.
    pub area: Option<String>,
    /// `ears-c1`, `ears-c2`, `ears-c3`, `farrington-flexible`, `cusum`, `threshold` or `scan`.
    pub method: Option<String>,
    /// Page, from 1 (default 1).
    pub page: Option<i64>,
    /// Signals per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SignalList {
    pub signals: Vec<Signal>,
    pub page: i64,
    pub per_page: i64,
    /// Signals matching the filters.
    pub total: i64,
    /// Signals matching the filters other than status, per status.
    pub counts: std::collections::BTreeMap<String, i64>,
}

/// Signals of the detection runs, the latest week first, with filters and paging.
#[utoipa::path(get, path = "/api/v1/signals", tag = "protection", params(SignalQuery),
    responses((status = 200, body = SignalList), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn list_signals(State(state): State<AppState>, Query(q): Query<SignalQuery>) -> AppResult<Json<SignalList>> {
    let filter = SignalFilter { status: q.status, disease: q.disease, area: q.area, method: q.method }.normalised();
    let mut errors = vec![];
    if filter.status.as_deref().is_some_and(|s| !STATUSES.contains(&s)) {
        errors.push(FieldError::new("status", "invalid_choice", &[]));
    }
    if filter.method.as_deref().is_some_and(|m| !METHODS.contains(&m)) {
        errors.push(FieldError::new("method", "invalid_choice", &[]));
    }
    let per_page = q.per_page.unwrap_or(50);
    if !(1..=200).contains(&per_page) {
        errors.push(FieldError::new("per_page", "out_of_range", &[("min", "1".into()), ("max", "200".into())]));
    }
    let page = q.page.unwrap_or(1);
    if page < 1 {
        errors.push(FieldError::new("page", "out_of_range", &[("min", "1".into()), ("max", "100000".into())]));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let signals = store::signals(&state.db, &filter, per_page, (page - 1) * per_page).await?;
    let by_status = store::signal_status_counts(&state.db, &filter).await?;
    let total = by_status.iter().filter(|(s, _)| filter.status.as_ref().is_none_or(|f| f == s)).map(|(_, n)| n).sum();
    Ok(Json(SignalList { signals, page, per_page, total, counts: by_status.into_iter().collect() }))
}

/// Decide on a signal: `assessing`, `outbreak` (opens a cluster, or links `cluster`) or
/// `dismissed` (`reason` required), sending back the `version` read. `409 signal_stale` when
/// someone decided since; `422` with the invalid fields named. Nothing changes unless valid.
#[utoipa::path(post, path = "/api/v1/signals/{id}/triage", tag = "protection", request_body = TriageInput,
    params(("id" = String, Path, description = "The signal's id")),
    responses((status = 200, body = Signal), (status = 404, body = kernel::web::error::ProblemBody),
        (status = 409, body = kernel::web::error::ProblemBody), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn triage_signal(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let input: TriageInput = serde_json::from_value(parse_json(&body)?).map_err(|e| {
        let msg: String = e.to_string().chars().take(200).collect();
        AppError::Validation(vec![FieldError::new("", "invalid_structure", &[("value", msg)])])
    })?;
    match service::triage(&state.db, &id, &input, &identity.actor(), &origin).await {
        Ok(s) => Ok(Json(s).into_response()),
        Err(TriageError::NotFound) => Err(AppError::NotFound),
        Err(TriageError::Stale(_)) => {
            Ok(problem(StatusCode::CONFLICT, "signal_stale", vec![FieldError::new("version", "signal_stale", &[])]))
        }
        Err(TriageError::Invalid(e)) => Err(AppError::Validation(e)),
        Err(TriageError::Other(e)) => Err(AppError::Internal(e)),
    }
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(EPI), routes!(list_signals)).api(Access::Staff(EPI), routes!(triage_signal))
}
