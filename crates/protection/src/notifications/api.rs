//! The notifications JSON API for laboratories and hospitals (partner token with scope
//! `notifications:write`): one at a time, in batches, or as FHIR R4 bundles.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::service::{self, Ack, Outcome, Reporter};
use super::validate::{self, NotificationIn};
use super::{Channel, fhir, store};
use crate::catalogue;
use crate::ui::{parse_json, problem};

/// Most notifications one batch may carry.
pub const MAX_BATCH: usize = 1000;
pub const SCOPE: &str = "notifications:write";

/// The acknowledgement of one notification.
#[derive(Serialize, ToSchema)]
pub struct NotificationAck {
    /// e.g. `NID-2026-000123`.
    pub reference: String,
    /// e.g. `CASE-2026-000045`.
    pub case_reference: String,
    /// True when attached to an existing case of the same person, disease and episode.
    pub merged: bool,
    /// The case it was merged into, when merged.
    pub merged_into: Option<String>,
    pub disease: String,
    /// Also phone the Central Notification Office at once.
    pub immediate_phone: bool,
    /// True when this repeats an earlier notification with the same reporter reference (nothing new was written).
    pub duplicate: bool,
}

impl NotificationAck {
    fn from(a: Ack, duplicate: bool) -> Self {
        NotificationAck {
            merged_into: a.merged.then(|| a.case_reference.clone()),
            reference: a.reference,
            case_reference: a.case_reference,
            merged: a.merged,
            disease: a.disease,
            immediate_phone: a.immediate_phone,
            duplicate,
        }
    }
}

async fn reporter_of(state: &AppState, identity: &Identity) -> AppResult<Reporter> {
    let Identity::Partner(p) = identity else { return Err(AppError::Unauthorized) };
    let (name, org) = store::partner_names(&state.db, &p.client_id).await?.unwrap_or_default();
    Ok(Reporter { kind: "partner", id: p.client_id.clone(), name, institution: org })
}

/// Reads one notification document; a structural problem becomes a field error.
fn read_item(v: serde_json::Value) -> Result<NotificationIn, Vec<FieldError>> {
    serde_json::from_value::<NotificationIn>(v).map_err(|e| {
        let msg: String = e.to_string().chars().take(200).collect();
        vec![FieldError::new("", "invalid_structure", &[("value", msg)])]
    })
}

/// Notify one case. `201` with the acknowledgement (merged or not); `200` when the same
/// `reporter_ref` (or `Idempotency-Key` header) was sent before with the same content;
/// `409 reporter_ref_reused` when it came with different content; `422` with every invalid
/// field named. Nothing is written unless everything is valid.
#[utoipa::path(post, path = "/api/v1/notifications", tag = "protection", request_body = NotificationIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Used as reporter_ref when the body has none")),
    responses((status = 201, body = NotificationAck), (status = 200, body = NotificationAck),
        (status = 409, body = kernel::web::error::ProblemBody), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn notify(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let reporter = reporter_of(&state, &identity).await?;
    let mut item = read_item(parse_json(&body)?).map_err(AppError::Validation)?;
    if item.reporter_ref.is_none() {
        item.reporter_ref = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    }
    let diseases = catalogue::store::diseases(&state.db).await?;
    let checked = validate::validate(&item, &diseases, kernel::hk::today());
    let out = service::submit(
        &state,
        &service::Submission {
            diseases: &diseases,
            reporter: &reporter,
            channel: Channel::Api,
            actor: &identity.actor(),
            origin: &origin,
            received_at: kernel::now_ms(),
            atomic: true,
        },
        vec![checked],
    )
    .await?;
    Ok(match out.into_iter().next() {
        Some(Outcome::Created(a)) => (StatusCode::CREATED, Json(NotificationAck::from(a, false))).into_response(),
        Some(Outcome::Replayed(a)) => (StatusCode::OK, Json(NotificationAck::from(a, true))).into_response(),
        Some(Outcome::Rejected(e)) if e.iter().any(|e| e.code == "reporter_ref_reused") => {
            problem(StatusCode::CONFLICT, "reporter_ref_reused", e)
        }
        Some(Outcome::Rejected(e)) => AppError::Validation(e).into_response(),
        None => AppError::Internal(anyhow::anyhow!("no outcome")).into_response(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct BatchRequest {
    /// Up to 1,000 notifications.
    pub notifications: Vec<NotificationIn>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchItem {
    pub index: usize,
    /// `created`, `duplicate` (repeats an earlier reporter_ref: nothing new written) or `rejected`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationAck>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl BatchItem {
    /// The result of the notification at `index`.
    fn of(index: usize, o: Outcome) -> Self {
        let (status, notification, errors) = match o {
            Outcome::Created(a) => ("created", Some(NotificationAck::from(a, false)), vec![]),
            Outcome::Replayed(a) => ("duplicate", Some(NotificationAck::from(a, true)), vec![]),
            Outcome::Rejected(errors) => ("rejected", None, errors),
        };
        BatchItem { index, status, notification, errors }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BatchResult {
    pub created: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// One result per notification, in the order sent.
    pub results: Vec<BatchItem>,
}

/// Notify many cases at once (at most 1,000). Each notification stands alone: valid ones are
/// written (all together, in one transaction), invalid ones are refused with their errors and
/// leave nothing behind. Same-person notifications in one batch are de-duplicated against each
/// other too.
#[utoipa::path(post, path = "/api/v1/notifications/batch", tag = "protection", request_body = BatchRequest,
    responses((status = 200, body = BatchResult), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn notify_batch(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    body: Bytes,
) -> AppResult<Response> {
    let reporter = reporter_of(&state, &identity).await?;
    let v = parse_json(&body)?;
    let Some(list) = v.get("notifications").and_then(|n| n.as_array()) else {
        return Ok(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "batch_shape",
            vec![FieldError::new("notifications", "required", &[])],
        ));
    };
    if list.is_empty() {
        return Ok(problem(StatusCode::UNPROCESSABLE_ENTITY, "batch_empty", vec![]));
    }
    if list.len() > MAX_BATCH {
        let e = FieldError::new("notifications", "too_many", &[("max", MAX_BATCH.to_string())]);
        return Ok(problem(StatusCode::UNPROCESSABLE_ENTITY, "batch_too_large", vec![e]));
    }
    let diseases = catalogue::store::diseases(&state.db).await?;
    let today = kernel::hk::today();
    let items =
        list.iter().map(|x| read_item(x.clone()).and_then(|n| validate::validate(&n, &diseases, today))).collect();
    let out = service::submit(
        &state,
        &service::Submission {
            diseases: &diseases,
            reporter: &reporter,
            channel: Channel::Api,
            actor: &identity.actor(),
            origin: &origin,
            received_at: kernel::now_ms(),
            atomic: false,
        },
        items,
    )
    .await?;
    let mut r = BatchResult { created: 0, duplicates: 0, rejected: 0, results: Vec::with_capacity(out.len()) };
    for (index, o) in out.into_iter().enumerate() {
        let item = BatchItem::of(index, o);
        match item.status {
            "created" => r.created += 1,
            "duplicate" => r.duplicates += 1,
            _ => r.rejected += 1,
        }
        r.results.push(item);
    }
    Ok((StatusCode::OK, Json(r)).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct FhirResult {
    /// One acknowledgement per Condition or Observation, in bundle order.
    pub notifications: Vec<NotificationAck>,
}

/// Notify by a FHIR R4 `Bundle` (type `message`, `transaction`, `collection` or `batch`) with
/// one `Patient` and `Condition` (clinical) or `Observation` (laboratory) resources. Codes map
/// from ICD-10, SNOMED CT or our disease codes; a disease's own questions travel as extensions
/// `https://phos.example/fhir/StructureDefinition/notification-field/{key}`. All or nothing:
/// any problem refuses the whole bundle, with FHIR paths in the errors.
#[utoipa::path(post, path = "/api/v1/notifications/fhir", tag = "protection",
    request_body(content = Object, description = "FHIR R4 Bundle", content_type = "application/fhir+json"),
    responses((status = 201, body = FhirResult), (status = 200, body = FhirResult),
        (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn notify_fhir(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    body: Bytes,
) -> AppResult<Response> {
    let reporter = reporter_of(&state, &identity).await?;
    let v = parse_json(&body)?;
    let diseases = catalogue::store::diseases(&state.db).await?;
    let read = match fhir::read_bundle(&v, &diseases) {
        Ok(r) => r,
        Err(e) => return Ok(problem(StatusCode::UNPROCESSABLE_ENTITY, e.code, e.errors)),
    };
    let today = kernel::hk::today();
    let mut errors = vec![];
    let mut items = vec![];
    for from in &read {
        match validate::validate(&from.notification, &diseases, today) {
            Ok(n) => items.push(Ok(n)),
            Err(es) => errors.extend(es.into_iter().map(|mut e| {
                e.field = fhir::fhir_path(from, &e.field);
                e
            })),
        }
    }
    if !errors.is_empty() {
        errors.dedup_by(|a, b| a.field == b.field && a.code == b.code);
        return Ok(problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", errors));
    }
    let out = service::submit(
        &state,
        &service::Submission {
            diseases: &diseases,
            reporter: &reporter,
            channel: Channel::Fhir,
            actor: &identity.actor(),
            origin: &origin,
            received_at: kernel::now_ms(),
            atomic: true,
        },
        items,
    )
    .await?;
    let mut acks = vec![];
    let mut created = false;
    for o in out {
        match o {
            Outcome::Created(a) => {
                created = true;
                acks.push(NotificationAck::from(a, false));
            }
            Outcome::Replayed(a) => acks.push(NotificationAck::from(a, true)),
            Outcome::Rejected(e) => {
                errors.extend(e.into_iter().map(|mut e| {
                    e.field = "identifier".into();
                    e
                }));
            }
        }
    }
    if !errors.is_empty() {
        return Ok(problem(StatusCode::CONFLICT, "reporter_ref_reused", errors));
    }
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(FhirResult { notifications: acks })).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Partner(SCOPE), routes!(notify))
        .api(Access::Partner(SCOPE), routes!(notify_batch))
        .api(Access::Partner(SCOPE), routes!(notify_fhir))
}
