//! The kernel's JSON API: districts, the business calendar, closures, service points.

use axum::Json;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::directory::{self, ServicePoint};
use crate::hk::{self, Closure, District, Holiday, calendar::Calendar};
use crate::web::{Access, Routes};
use crate::web::{AppError, AppResult, FieldError};

/// Checks a district filter; `None` passes.
pub fn check_district(field: &str, code: Option<&str>) -> Result<(), FieldError> {
    match code {
        Some(c) if hk::district(c).is_none() => {
            Err(FieldError::new(field, "unknown_district", &[("value", c.chars().take(20).collect())]))
        }
        _ => Ok(()),
    }
}

/// Checks a service-point kind filter; `None` passes.
pub fn check_kind(field: &str, kind: Option<&str>) -> Result<(), FieldError> {
    match kind {
        Some(k) if !directory::KINDS.contains(&k) => {
            Err(FieldError::new(field, "unknown_kind", &[("value", k.chars().take(20).collect())]))
        }
        _ => Ok(()),
    }
}

/// The 18 districts with populations and age profiles.
#[utoipa::path(get, path = "/api/v1/districts", tag = "hong-kong", responses((status = 200, body = [District])))]
pub async fn districts() -> Json<&'static [District]> {
    Json(hk::districts())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// Calendar year (2024–2027); all years when absent.
    pub year: Option<i32>,
}

/// General holidays (Cap 149) other than Sundays.
#[utoipa::path(get, path = "/api/v1/calendar/holidays", tag = "hong-kong", params(YearQuery),
    responses((status = 200, body = [Holiday]), (status = 422, body = crate::web::error::ProblemBody)))]
pub async fn holidays(Query(q): Query<YearQuery>) -> AppResult<Json<Vec<Holiday>>> {
    if let Some(y) = q.year
        && !(2024..=2027).contains(&y)
    {
        return Err(AppError::Validation(vec![FieldError::new("year", "year_out_of_range", &[])]));
    }
    Ok(Json(
        hk::holidays()
            .iter()
            .filter(|h| q.year.is_none_or(|y| chrono::Datelike::year(&h.date) == y))
            .cloned()
            .collect(),
    ))
}

/// Closures in force now or declared for later (typhoon signal No. 8, black rainstorm, …).
#[utoipa::path(get, path = "/api/v1/calendar/closures", tag = "hong-kong", responses((status = 200, body = [Closure])))]
pub async fn closures(State(state): State<AppState>) -> AppResult<Json<Vec<Closure>>> {
    Ok(Json(hk::store::current_closures(&state.db, crate::now_ms()).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BusinessDaysQuery {
    /// Start date, YYYY-MM-DD.
    pub from: String,
    /// Business days to add (negative to go back).
    pub add: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DateAnswer {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
}

fn parse_date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    s.parse::<NaiveDate>()
        .ok()
        .filter(|d| (2024..=2027).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| FieldError::new(field, "invalid_date", &[]))
}

/// The date a number of business days (Monday to Friday, not a general holiday) from a date.
#[utoipa::path(get, path = "/api/v1/calendar/business-days", tag = "hong-kong", params(BusinessDaysQuery),
    responses((status = 200, body = DateAnswer), (status = 422, body = crate::web::error::ProblemBody)))]
pub async fn business_days(Query(q): Query<BusinessDaysQuery>) -> AppResult<Json<DateAnswer>> {
    let from = parse_date("from", &q.from).map_err(|e| AppError::Validation(vec![e]))?;
    if q.add.abs() > 500 {
        return Err(AppError::Validation(vec![FieldError::new("add", "out_of_range", &[])]));
    }
    Ok(Json(DateAnswer { date: Calendar::hong_kong(&[]).add_business_days(from, q.add) }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenQuery {
    /// District code, e.g. `KT`.
    pub district: String,
    /// Instant to ask about (RFC 3339); now when absent.
    pub at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OpenAnswer {
    pub open: bool,
    pub business_day: bool,
    pub closures: Vec<Closure>,
}

/// Whether public services in a district are open at an instant.
#[utoipa::path(get, path = "/api/v1/calendar/open", tag = "hong-kong", params(OpenQuery),
    responses((status = 200, body = OpenAnswer), (status = 422, body = crate::web::error::ProblemBody)))]
pub async fn open(State(state): State<AppState>, Query(q): Query<OpenQuery>) -> AppResult<Json<OpenAnswer>> {
    let mut errors = vec![];
    if let Err(e) = check_district("district", Some(&q.district)) {
        errors.push(e);
    }
    let at = match q.at.as_deref() {
        None => Some(crate::now_ms()),
        Some(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Some(t.timestamp_millis()),
            Err(_) => {
                errors.push(FieldError::new("at", "invalid_datetime", &[]));
                None
            }
        },
    };
    let (Some(at), true) = (at, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let closures = hk::store::closures_between(&state.db, at, at + 1).await?;
    let cal = Calendar::hong_kong(&closures);
    let local = chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.with_timezone(&hk::tz()).date_naive())
        .ok_or(AppError::Validation(vec![FieldError::new("at", "invalid_datetime", &[])]))?;
    let in_force: Vec<Closure> = cal.closures_at(at, &q.district).into_iter().cloned().collect();
    Ok(Json(OpenAnswer {
        open: cal.is_open(at, &q.district),
        business_day: cal.is_business_day(local),
        closures: in_force,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServicePointQuery {
    /// District code.
    pub district: Option<String>,
    /// `dental`, `ehc`, `mchc` or `vaccination`.
    pub kind: Option<String>,
}

/// Department of Health service points.
#[utoipa::path(get, path = "/api/v1/service-points", tag = "directory", params(ServicePointQuery),
    responses((status = 200, body = [ServicePoint]), (status = 422, body = crate::web::error::ProblemBody)))]
pub async fn service_points(
    State(state): State<AppState>,
    Query(q): Query<ServicePointQuery>,
) -> AppResult<Json<Vec<ServicePoint>>> {
    let district = q.district.as_deref().filter(|s| !s.is_empty());
    let kind = q.kind.as_deref().filter(|s| !s.is_empty());
    let errors: Vec<_> =
        [check_district("district", district), check_kind("kind", kind)].into_iter().filter_map(Result::err).collect();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Json(directory::service_points(&state.db, district, kind).await?))
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(districts))
        .api(Access::Public, routes!(holidays))
        .api(Access::Public, routes!(closures))
        .api(Access::Public, routes!(business_days))
        .api(Access::Public, routes!(open))
        .api(Access::Public, routes!(service_points))
}
