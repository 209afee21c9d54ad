//! The clinics JSON API.

use axum::Json;
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

use super::rules::Refusal;
use super::service::{self, ActionError, BookRequest};
use super::store;
use super::{BookingChannel, Service, Slot};

/// A refusal as a problem+json error with its bilingual title.
pub fn refusal(r: Refusal) -> AppError {
    AppError::Code(StatusCode::from_u16(r.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY), r.code())
}

impl From<ActionError> for AppError {
    fn from(e: ActionError) -> Self {
        match e {
            ActionError::Refused(r) => refusal(r),
            ActionError::Other(e) => AppError::Internal(e),
        }
    }
}

/// Services with their eligibility statements and booking rules.
#[utoipa::path(get, path = "/api/v1/clinics/services", tag = "clinics", responses((status = 200, body = [Service])))]
pub async fn services(State(state): State<AppState>) -> AppResult<Json<Vec<Service>>> {
    Ok(Json(store::services(&state.db).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// Service point code, e.g. `EHC-KT`.
    pub service_point: String,
    /// Service code, e.g. `ehc_assessment`.
    pub service: String,
    /// First day (YYYY-MM-DD, Hong Kong); today when absent.
    pub from: Option<String>,
    /// Number of days (1–60, default 14).
    pub days: Option<i64>,
}

/// Slots of a service at a service point, with the places left.
#[utoipa::path(get, path = "/api/v1/clinics/slots", tag = "clinics", params(SlotQuery),
    responses((status = 200, body = [Slot]), (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn slots(State(state): State<AppState>, Query(q): Query<SlotQuery>) -> AppResult<Json<Vec<Slot>>> {
    let days = q.days.unwrap_or(14);
    let from = match q.from.as_deref() {
        None => kernel::hk::today(),
        Some(s) => s.parse().map_err(|_| AppError::Validation(vec![FieldError::new("from", "invalid_date", &[])]))?,
    };
    if !(1..=60).contains(&days) {
        return Err(AppError::Validation(vec![FieldError::new("days", "out_of_range", &[])]));
    }
    let (start, end) = kernel::hk::day_range(from, days);
    Ok(Json(store::slots(&state.db, &q.service_point, &q.service, start, end).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct BookingRequest {
    pub slot_id: String,
    /// The citizen to book for: yourself (default) or a dependant you act for.
    pub for_citizen: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BookingCreated {
    pub reference: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub status: String,
}

/// Book a slot (signed-in citizens; a caregiver may book for a dependant). Never oversells:
/// a full slot answers 409 `slot_full`.
#[utoipa::path(post, path = "/api/v1/bookings", tag = "clinics", request_body = BookingRequest,
    responses((status = 201, body = BookingCreated), (status = 409, body = kernel::web::error::ProblemBody),
        (status = 422, body = kernel::web::error::ProblemBody)))]
pub async fn create_booking(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Json(req): Json<BookingRequest>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let for_citizen = req.for_citizen.clone().unwrap_or_else(|| me.clone());
    if req.slot_id.len() > 64 || for_citizen.len() > 64 {
        return Err(AppError::Validation(vec![FieldError::new("slot_id", "too_long", &[("max", "64".into())])]));
    }
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &for_citizen).await? {
        return Err(refusal(Refusal::NotYours));
    }
    let b = service::book(
        &state,
        BookRequest {
            slot_id: &req.slot_id,
            citizen_id: &for_citizen,
            actor: identity.actor(),
            channel: BookingChannel::Online,
            origin: &origin,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(BookingCreated {
            reference: b.reference,
            slot_id: b.slot_id,
            starts_at: b.starts_at,
            status: b.status.to_string(),
        }),
    )
        .into_response())
}

/// Cancel a booking you made (its place is freed at once).
#[utoipa::path(post, path = "/api/v1/bookings/{reference}/cancel", tag = "clinics",
    params(("reference" = String, Path, description = "Booking reference")),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn cancel_booking(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let view = store::booking_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &view.citizen_id).await? {
        return Err(refusal(Refusal::NotYours));
    }
    service::cancel(&state, &reference, &identity.actor(), &origin).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(services))
        .api(Access::Public, routes!(slots))
        .api(Access::Citizen, routes!(create_booking))
        .api(Access::Citizen, routes!(cancel_booking))
}
