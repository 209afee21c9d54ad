//! The JSON API the offline checklist syncs to: the same validation as the page, idempotent by
//! the client-made `submission_id` (a re-sync answers 200 with `replayed: true`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::files::FileStore;
use kernel::identity::Identity;
use kernel::web::{Access, AppError, AppResult, FieldError, Routes};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::pages::{INSPECTORS, signature_bytes};
use super::rules::{Answer, Record};
use super::service::{self, Recorded, Upload};

/// A photo in a JSON record.
#[derive(Deserialize, ToSchema)]
pub struct PhotoIn {
    pub name: String,
    /// Standard base64 of the bytes.
    pub data: String,
}

/// An inspection's outcome as the offline page queues it.
#[derive(Deserialize, ToSchema)]
pub struct RecordIn {
    /// Made by the client once per filled form; the same id recorded twice records once.
    pub submission_id: String,
    /// When the inspection was done (Unix ms, the device's clock); now when absent.
    pub recorded_at: Option<i64>,
    pub items: Vec<Answer>,
    /// compliant, advice, warning or prosecution.
    pub outcome: String,
    /// The person in charge's name.
    pub signed_by: String,
    /// The drawn signature, `data:image/png;base64,…`.
    #[serde(default)]
    pub signature_png: String,
    #[serde(default)]
    pub late: bool,
    #[serde(default)]
    pub late_reason: String,
    #[serde(default)]
    pub photos: Vec<PhotoIn>,
}

/// Record an inspection's outcome (findings linked to legal provisions, photos, signature).
#[utoipa::path(post, path = "/api/v1/regulatory/inspections/{id}/record", tag = "regulatory",
    params(("id" = String, Path, description = "Inspection id")),
    request_body = RecordIn,
    responses((status = 201, body = Recorded), (status = 200, body = Recorded, description = "already recorded by this submission id"),
        (status = 403), (status = 404), (status = 422, description = "problem+json with every invalid field")))]
pub async fn record(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(body): Json<RecordIn>,
) -> AppResult<Response> {
    let me = identity.staff().map(|s| s.id.clone()).ok_or(AppError::Forbidden)?;
    if body.submission_id.trim().is_empty() {
        return Err(AppError::Validation(vec![FieldError::new("submission_id", "required", &[])]));
    }
    let signature = signature_bytes(&body.signature_png).map_err(|e| AppError::Validation(vec![e]))?;
    let mut photos = Vec::with_capacity(body.photos.len());
    for p in &body.photos {
        let bytes = base64::engine::general_purpose::STANDARD.decode(p.data.trim()).map_err(|_| {
            AppError::Validation(vec![FieldError::new("photos", "reg_insp_photo_type", &[("name", p.name.clone())])])
        })?;
        photos.push(Upload { name: p.name.clone(), bytes: Bytes::from(bytes) });
    }
    let r = Record {
        answers: body.items,
        outcome: body.outcome,
        signed_by: body.signed_by,
        late: body.late,
        late_reason: body.late_reason,
        at: body.recorded_at.unwrap_or_else(kernel::now_ms),
    };
    let files = FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let done =
        service::record(&state, &files, &id, &me, Some(&body.submission_id), &r, photos, signature, &origin).await?;
    let status = if done.replayed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(done)).into_response())
}

pub fn routes() -> Routes {
    Routes::new().api(Access::Staff(INSPECTORS), routes!(record))
}
