//! The device endpoint: `POST /api/v1/iot/fridges/{device}/readings` for fridges that cannot
//! speak MQTT.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::service::ColdChainError;
use super::{rules, service, store};

pub fn routes() -> Routes {
    Routes::new().api(Access::Device, routes!(device_readings))
}

#[derive(Serialize, ToSchema)]
pub struct ReadingsAccepted {
    /// Readings stored.
    pub stored: usize,
    /// Alarms these readings opened.
    pub alarms_opened: usize,
}

/// Readings from a fridge that cannot speak MQTT. The device authenticates with its key in
/// `X-Device-Key`. Body: `{"temp_c": 4.6, "at": 1764400000000}`, an array of those (up to
/// 1,000), or `{"readings": [...]}`; `at` (Unix ms) defaults to the time of arrival.
#[utoipa::path(post, path = "/api/v1/iot/fridges/{device}/readings", tag = "clinics",
    params(("device" = String, Path, description = "Device id"),
        ("X-Device-Key" = String, Header, description = "The device key shown at registration")),
    request_body(content = String, content_type = "application/json", description = "One reading or many"),
    responses((status = 202, body = ReadingsAccepted), (status = 401, body = kernel::web::error::ProblemBody),
        (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn device_readings(
    State(state): State<AppState>,
    Path(device): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> AppResult<Response> {
    let key = headers.get("x-device-key").and_then(|v| v.to_str().ok()).unwrap_or("");
    let known = if rules::valid_device_id(&device) { store::fridge_by_device(&state.db, &device).await? } else { None };
    let authorised =
        known.as_ref().is_some_and(|(_, hash)| kernel::identity::session::same_token(hash, &service::key_hash(key)));
    if !authorised {
        state.metrics.iot("http", "unauthorized", 1);
        return Err(AppError::Code(StatusCode::UNAUTHORIZED, "device_unauthorized"));
    }
    let readings = rules::parse_payload(&body, kernel::now_ms()).map_err(|e| {
        state.metrics.iot("http", e.code(), 1);
        AppError::Code(StatusCode::UNPROCESSABLE_ENTITY, e.code())
    })?;
    let batch: Vec<_> = readings.into_iter().map(|r| (device.clone(), r)).collect();
    let done = service::ingest(&state, &batch, "http").await.map_err(|e| match e {
        ColdChainError::Refused(code) => AppError::Code(StatusCode::UNPROCESSABLE_ENTITY, code),
        ColdChainError::Other(e) => AppError::Internal(e),
    })?;
    Ok((StatusCode::ACCEPTED, Json(ReadingsAccepted { stored: done.stored, alarms_opened: done.alarms_opened }))
        .into_response())
}
