//! Clinic pages: find a clinic, see what it offers (eligibility first), pick a time and book,
//! manage my bookings; for staff, the day's list, capacity, attendance and sessions.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::directory::{self, ServicePoint};
use kernel::identity::{Identity, Role, citizen};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::rules::{self, Refusal};
use super::service::{self, ActionError, BookRequest};
use super::store;
use super::store::BookingView;
use super::{Service, Session, Slot};
use kernel::hk::day_range;

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];
const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

async fn point(state: &AppState, code: &str) -> AppResult<ServicePoint> {
    directory::service_points(&state.db, None, None)
        .await?
        .into_iter()
        .find(|p| p.code == code)
        .ok_or(AppError::NotFound)
}

#[derive(Template)]
#[template(path = "clinics/booking/clinic.html")]
struct ClinicPage {
    page: PageCtx,
    point: ServicePoint,
    district: String,
    services: Vec<Service>,
}

async fn clinic(State(state): State<AppState>, page: PageCtx, Path(code): Path<String>) -> AppResult<Html<String>> {
    let point = point(&state, &code).await?;
    let district = kernel::hk::district(&point.district).map(|d| d.name(page.locale).to_string()).unwrap_or_default();
    let services = store::services_at(&state.db, &point.kind).await?;
    render(&ClinicPage { page, point, district, services })
}

/// One line of the slot list: the slot and whether/how the visitor can book it.
struct SlotLine {
    slot: Slot,
    left: i64,
}

#[derive(Template)]
#[template(path = "clinics/booking/slots.html")]
struct SlotsPage {
    page: PageCtx,
    point: ServicePoint,
    service: Service,
    lines: Vec<SlotLine>,
    /// Sessions given out by ballot: (ballot id, session start, registration closes).
    ballots: Vec<(String, i64, i64)>,
    people: Vec<(String, String)>,
    errors: Vec<FieldError>,
}

impl SlotsPage {
    fn time(&self, s: &Slot) -> String {
        let t = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.with_timezone(&kernel::hk::tz()).format("%H:%M").to_string())
                .unwrap_or_default()
        };
        format!("{}–{}", t(s.starts_at), t(s.ends_at))
    }
    fn day(&self, s: &Slot) -> String {
        s.day.parse::<chrono::NaiveDate>().map(|d| self.page.date_long(&d)).unwrap_or_default()
    }
}

async fn people_of(state: &AppState, identity: &Identity) -> AppResult<Vec<(String, String)>> {
    let Some(me) = identity.citizen() else { return Ok(vec![]) };
    let mut people = vec![(me.id.clone(), me.name.clone())];
    for d in citizen::dependants(&state.db, &me.id).await? {
        people.push((d.id, d.name));
    }
    Ok(people)
}

pub(crate) async fn slots_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    code: &str,
    service: &str,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let point = point(state, code).await?;
    let service =
        store::service(&state.db, service).await?.filter(|s| s.point_kind == point.kind).ok_or(AppError::NotFound)?;
    let (from, to) = day_range(kernel::hk::today(), 21);
    let earliest = kernel::now_ms() + service.min_notice_minutes * 60_000;
    let lines = store::slots(&state.db, &point.code, &service.code, from, to)
        .await?
        .into_iter()
        .filter(|s| s.starts_at >= earliest && s.status == "open")
        .map(|slot| SlotLine { left: slot.general_left(), slot })
        .collect();
    let ballots = store::open_ballots_for(&state.db, &point.code, &service.code, kernel::now_ms()).await?;
    let people = people_of(state, identity).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&SlotsPage { page, point, service, lines, ballots, people, errors })?).into_response())
}

async fn slots(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path((code, service)): Path<(String, String)>,
) -> AppResult<Response> {
    slots_page(&state, page, &identity, &code, &service, vec![]).await
}

#[derive(Deserialize)]
struct BookForm {
    slot_id: String,
    for_citizen: String,
    /// `yes` from the "check your answers" page; without it that page is shown first.
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "clinics/booking/check.html")]
struct CheckPage {
    page: PageCtx,
    slot: Slot,
    who: String,
    for_citizen: String,
    service: (String, String),
    clinic: (String, String),
    address: (String, String),
}

async fn book(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<BookForm>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let slot = store::slot(&state.db, &f.slot_id.chars().take(64).collect::<String>()).await?;
    let Some(slot) = slot else { return Err(AppError::NotFound) };
    let refused = |r: Refusal| FieldError::new("slot_id", r.code(), &[]);
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &f.for_citizen).await? {
        return slots_page(
            &state,
            page,
            &identity,
            &slot.service_point,
            &slot.service,
            vec![refused(Refusal::NotYours)],
        )
        .await;
    }
    if f.confirm != "yes" {
        // Check your answers: who, what, where and when, before anything is booked.
        let who = kernel::people::display_name_of(&state.db, &f.for_citizen).await?.unwrap_or_default();
        let svc = store::service(&state.db, &slot.service).await?.ok_or(AppError::NotFound)?;
        let point =
            kernel::directory::service_point(&state.db, &slot.service_point).await?.ok_or(AppError::NotFound)?;
        let view = CheckPage {
            page,
            who,
            for_citizen: f.for_citizen.clone(),
            service: (svc.name_en, svc.name_zh),
            clinic: (point.name_en, point.name_zh),
            address: (point.address_en, point.address_zh),
            slot,
        };
        return Ok(render(&view)?.into_response());
    }
    match service::book(
        &state,
        BookRequest {
            slot_id: &slot.id,
            citizen_id: &f.for_citizen,
            actor: identity.actor(),
            channel: crate::booking::BookingChannel::Online,
            origin: &origin,
        },
    )
    .await
    {
        Ok(b) => Ok(Redirect::to(&format!("/bookings/{}?new=1", b.reference)).into_response()),
        Err(ActionError::Refused(r)) => {
            slots_page(&state, page, &identity, &slot.service_point, &slot.service, vec![refused(r)]).await
        }
        Err(ActionError::Other(e)) => Err(AppError::Internal(e)),
    }
}

#[derive(Template)]
#[template(path = "clinics/booking/bookings.html")]
struct BookingsPage {
    page: PageCtx,
    bookings: Vec<BookingView>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct Notice {
    cancelled: Option<String>,
}

async fn my_bookings(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<Notice>,
) -> AppResult<Html<String>> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let bookings = service::bookings_of(&state, &me, &identity.actor(), &origin).await?;
    let notice = q.cancelled.map(|_| page.t("clinics-cancelled"));
    render(&BookingsPage { page, bookings, notice })
}

#[derive(Template)]
#[template(path = "clinics/booking/booking.html")]
struct BookingPage {
    page: PageCtx,
    b: BookingView,
    qr: String,
    is_new: bool,
    changed: bool,
}

impl BookingPage {
    fn status_label(&self) -> String {
        self.page.t(&format!("clinics-status-{}", self.b.status))
    }
}

/// A QR code of the booking reference as inline SVG (scanned at the clinic counter).
pub(crate) fn qr_svg(reference: &str) -> String {
    qrcode::QrCode::new(reference.as_bytes())
        .map(|c| c.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
        .unwrap_or_default()
        .replace("<?xml version=\"1.0\" standalone=\"yes\"?>", "")
}

#[derive(Deserialize)]
struct NewQuery {
    new: Option<String>,
    changed: Option<String>,
}

async fn booking(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Query(q): Query<NewQuery>,
) -> AppResult<Html<String>> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let b = service::booking_for(&state, &me, &reference, &identity.actor(), &origin).await?;
    let b = b.ok_or(AppError::NotFound)?;
    let qr = qr_svg(&b.reference);
    render(&BookingPage { page, b, qr, is_new: q.new.is_some(), changed: q.changed.is_some() })
}

/// "Add to calendar": the booking as an iCalendar file, for the person or their caregiver.
async fn booking_ics(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let reference = reference.trim_end_matches(".ics").to_string();
    let b = service::booking_for(&state, &me, &reference, &identity.actor(), &origin).await?;
    let b = b.filter(|b| b.status == super::BookingStatus::Booked).ok_or(AppError::NotFound)?;
    let slot = store::slot(&state.db, &b.slot_id).await?.ok_or(AppError::NotFound)?;
    let service = page.pick(&b.service_en, &b.service_zh);
    let clinic = page.pick(&b.point_en, &b.point_zh);
    let summary = format!("{service} – {clinic}");
    let description = format!("{} {}", page.t("clinics-reference"), b.reference);
    let url = format!("{}/bookings/{}", state.config.base_url(), b.reference);
    let uid = format!("{}@phos", b.reference);
    let text = super::calendar::ics(&super::calendar::Event {
        uid: &uid,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        stamp: kernel::now_ms(),
        summary: &summary,
        location: page.pick(&b.address_en, &b.address_zh),
        description: &description,
        url: &url,
    });
    let disposition = format!("attachment; filename=\"{}.ics\"", b.reference);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        text,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "clinics/booking/cancel.html")]
struct CancelPage {
    page: PageCtx,
    b: BookingView,
}

/// "Cancel this booking?": what will be cancelled, and a button to confirm it.
async fn cancel_confirm(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let b = service::booking_for(&state, &me, &reference, &identity.actor(), &origin).await?;
    let b = b.ok_or(AppError::NotFound)?;
    if b.status != super::BookingStatus::Booked {
        return Ok(Redirect::to(&format!("/bookings/{}", b.reference)).into_response());
    }
    Ok(render(&CancelPage { page, b })?.into_response())
}

#[derive(Deserialize, Default)]
struct CancelForm {
    #[serde(default)]
    confirm: String,
}

async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    // Nothing is cancelled without the confirmation step.
    if f.confirm != "yes" {
        return Ok(Redirect::to(&format!("/bookings/{reference}/cancel")).into_response());
    }
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let b = store::booking_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &b.citizen_id).await? {
        return Err(AppError::NotFound);
    }
    service::cancel(&state, &reference, &identity.actor(), &origin).await?;
    Ok(Redirect::to("/bookings?cancelled=1").into_response())
}

#[derive(Template)]
#[template(path = "clinics/booking/change.html")]
struct ChangePage {
    page: PageCtx,
    b: BookingView,
    left: i64,
    slots: Vec<Slot>,
    errors: Vec<FieldError>,
}

/// The booking if the signed-in citizen may manage it.
async fn my_booking(state: &AppState, identity: &Identity, reference: &str) -> AppResult<BookingView> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let b = store::booking_by_reference(&state.db, reference).await?.ok_or(AppError::NotFound)?;
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &b.citizen_id).await? {
        return Err(AppError::NotFound);
    }
    Ok(b)
}

async fn change_page(state: &AppState, page: PageCtx, b: BookingView, errors: Vec<FieldError>) -> AppResult<Response> {
    let service = store::service(&state.db, &b.service).await?.ok_or(AppError::NotFound)?;
    let left = (service.max_reschedules - b.reschedules).max(0);
    let (from, to) = day_range(kernel::hk::today(), 21);
    let earliest = kernel::now_ms() + service.min_notice_minutes * 60_000;
    let elderly = b.pool == "elderly";
    let slots = if left > 0 && b.status == crate::booking::BookingStatus::Booked {
        store::slots(&state.db, &b.point, &b.service, from, to)
            .await?
            .into_iter()
            .filter(|s| s.id != b.slot_id && s.status == "open" && s.starts_at >= earliest)
            .filter(|s| if elderly { s.elderly_left() > 0 } else { s.general_left() > 0 })
            .collect()
    } else {
        vec![]
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&ChangePage { page, b, left, slots, errors })?).into_response())
}

async fn change(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let b = my_booking(&state, &identity, &reference).await?;
    change_page(&state, page, b, vec![]).await
}

#[derive(Deserialize)]
struct ChangeForm {
    slot_id: String,
}

async fn change_to(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<ChangeForm>,
) -> AppResult<Response> {
    let b = my_booking(&state, &identity, &reference).await?;
    // Moves stay at the same clinic (the list above offers only its times).
    let same_clinic = store::slot(&state.db, &f.slot_id).await?.is_some_and(|s| s.service_point == b.point);
    let result = if same_clinic {
        service::reschedule(&state, &reference, &f.slot_id, &identity.actor(), &origin).await
    } else {
        Err(ActionError::Refused(Refusal::SlotNotFound))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/bookings/{reference}?changed=1")).into_response()),
        Err(ActionError::Refused(r)) => {
            change_page(&state, page, b, vec![FieldError::new("slots", r.code(), &[])]).await
        }
        Err(ActionError::Other(e)) => Err(AppError::Internal(e)),
    }
}

#[derive(Template)]
#[template(path = "clinics/booking/staff_day.html")]
struct StaffDay {
    page: PageCtx,
    point: ServicePoint,
    day: String,
    slots: Vec<Slot>,
    bookings: Vec<BookingView>,
    sessions: Vec<Session>,
    services: Vec<Service>,
    errors: kernel::web::form::FieldErrors,
    can_manage: bool,
}

impl StaffDay {
    fn time(&self, ms: &i64) -> String {
        chrono::DateTime::from_timestamp_millis(*ms)
            .map(|t| t.with_timezone(&kernel::hk::tz()).format("%H:%M").to_string())
            .unwrap_or_default()
    }
    fn in_slot(&self, slot: &Slot) -> Vec<&BookingView> {
        self.bookings.iter().filter(|b| b.slot_id == slot.id).collect()
    }
    fn service_name(&self, code: &str) -> String {
        self.services
            .iter()
            .find(|s| s.code == code)
            .map(|s| self.page.pick(&s.name_en, &s.name_zh).to_string())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct DayQuery {
    day: Option<String>,
    /// A booking reference typed or scanned (a QR scanner types the code it reads, the
    /// reference itself or a link ending in it).
    find: Option<String>,
}

/// The booking reference in what was typed or scanned: the last path segment of a link, trimmed,
/// upper case.
fn scanned_reference(input: &str) -> String {
    let s = input.trim().trim_end_matches('/');
    let s = s.rsplit('/').next().unwrap_or(s);
    s.split(['?', '#']).next().unwrap_or(s).trim().to_uppercase()
}

async fn staff_day_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    origin: &Origin,
    code: &str,
    day: Option<&str>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let point = point(state, code).await?;
    let day = day.and_then(|d| d.parse::<chrono::NaiveDate>().ok()).unwrap_or_else(kernel::hk::today).to_string();
    let (slots, bookings) = service::day_list(state, code, &day, &identity.actor(), origin).await?;
    let sessions = store::sessions_at(&state.db, code).await?;
    let services = store::services_at(&state.db, &point.kind).await?;
    let can_manage = identity.has_role(Role::ClinicManager) || identity.has_role(Role::Admin);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((
        status,
        render(&StaffDay {
            errors: page.errors(errors),
            page,
            point,
            day,
            slots,
            bookings,
            sessions,
            services,
            can_manage,
        })?,
    )
        .into_response())
}

async fn staff_day(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    if let Some(find) = q.find.as_deref().filter(|f| !f.trim().is_empty()) {
        let reference = scanned_reference(find);
        let found = match reference.len() {
            1..=40 => store::booking_by_reference(&state.db, &reference).await?,
            _ => None,
        };
        let Some(b) = found else {
            let e = FieldError::new("find", "booking_not_found", &[("value", reference.chars().take(40).collect())]);
            return staff_day_page(&state, page, &identity, &origin, &code, q.day.as_deref(), vec![e]).await;
        };
        let day: String = kernel::hk::local_datetime(b.starts_at).chars().take(10).collect();
        let to = format!("/staff/clinics/{}?day={day}#booking-{}", b.point, b.reference);
        return Ok(Redirect::to(&to).into_response());
    }
    staff_day_page(&state, page, &identity, &origin, &code, q.day.as_deref(), vec![]).await
}

#[derive(Deserialize)]
struct CapacityForm {
    capacity: String,
}

async fn set_capacity(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(slot_id): Path<String>,
    Form(f): Form<CapacityForm>,
) -> AppResult<Response> {
    let slot = store::slot(&state.db, &slot_id).await?.ok_or(AppError::NotFound)?;
    let capacity: Option<i64> = f.capacity.trim().parse().ok().filter(|c| (0..=10_000).contains(c));
    let Some(capacity) = capacity else {
        let e = FieldError::new("capacity", "capacity_number", &[]);
        return staff_day_page(&state, page, &identity, &origin, &slot.service_point, Some(&slot.day), vec![e]).await;
    };
    if !service::set_capacity(&state, &slot, capacity, &identity.actor(), &origin).await? {
        let e = FieldError::new("capacity", "capacity_below_bookings", &[("count", slot.booked.to_string())]);
        return staff_day_page(&state, page, &identity, &origin, &slot.service_point, Some(&slot.day), vec![e]).await;
    }
    Ok(Redirect::to(&format!("/staff/clinics/{}?day={}", slot.service_point, slot.day)).into_response())
}

#[derive(Deserialize)]
struct AttendanceForm {
    status: String,
}

async fn attendance(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<AttendanceForm>,
) -> AppResult<Response> {
    use crate::booking::BookingStatus;
    let b = store::booking_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    // Attendance has no default: nothing chosen is a field error on the day list, as is a
    // no-show before the appointment's time.
    let status = BookingStatus::parse(&f.status)
        .filter(|s| matches!(s, BookingStatus::Attended | BookingStatus::NoShow | BookingStatus::Late));
    let refused = match status {
        None => Some("attendance_choose"),
        Some(s) => rules::attendance_allowed(s == BookingStatus::NoShow, b.starts_at, kernel::now_ms()).err(),
    };
    let day: String = chrono::DateTime::from_timestamp_millis(b.starts_at)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive().to_string())
        .unwrap_or_default();
    if let Some(code) = refused {
        let e = FieldError::new(&format!("att-{}", b.reference), code, &[("reference", b.reference.clone())]);
        return staff_day_page(&state, page, &identity, &origin, &b.point, Some(&day), vec![e]).await;
    }
    let Some(status) = status else { return Err(AppError::NotFound) };
    if !service::record_attendance(&state, &b, status, &identity.actor(), &origin).await? {
        return Err(crate::booking::api::refusal(Refusal::NotActive));
    }
    Ok(Redirect::to(&format!("/staff/clinics/{}?day={day}", b.point)).into_response())
}

#[derive(Deserialize)]
struct SessionForm {
    service: String,
    weekday: String,
    start_time: String,
    end_time: String,
    slot_minutes: String,
    capacity: String,
    pool_walkin: String,
    pool_elderly: String,
    valid_from: String,
    valid_to: String,
}

/// Validates a new recurring session; the field errors name what is wrong.
fn parse_session(point: &ServicePoint, services: &[Service], f: &SessionForm) -> Result<Session, Vec<FieldError>> {
    let mut errors = vec![];
    let num = |field: &str, v: &str, lo: i64, hi: i64, errors: &mut Vec<FieldError>| -> i64 {
        match v.trim().parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    field,
                    "number_between",
                    &[("min", lo.to_string()), ("max", hi.to_string())],
                ));
                0
            }
        }
    };
    if !services.iter().any(|s| s.code == f.service) {
        errors.push(FieldError::new("service", "invalid_choice", &[]));
    }
    let weekday = num("weekday", &f.weekday, 1, 7, &mut errors);
    let slot_minutes = num("slot_minutes", &f.slot_minutes, 5, 480, &mut errors);
    let capacity = num("capacity", &f.capacity, 1, 1000, &mut errors);
    let walkin = num("pool_walkin", &f.pool_walkin, 0, 1000, &mut errors);
    let elderly = num("pool_elderly", &f.pool_elderly, 0, 1000, &mut errors);
    let start = crate::booking::schedule::parse_time(&f.start_time);
    let end = crate::booking::schedule::parse_time(&f.end_time);
    match (start, end) {
        (None, _) => errors.push(FieldError::new("start_time", "time_format", &[])),
        (_, None) => errors.push(FieldError::new("end_time", "time_format", &[])),
        (Some(s), Some(e)) if e <= s => errors.push(FieldError::new("end_time", "end_after_start", &[])),
        _ => {}
    }
    let from = f.valid_from.parse::<chrono::NaiveDate>();
    let to = f.valid_to.parse::<chrono::NaiveDate>();
    match (&from, &to) {
        (Err(_), _) => errors.push(FieldError::new("valid_from", "invalid_date", &[])),
        (_, Err(_)) => errors.push(FieldError::new("valid_to", "invalid_date", &[])),
        (Ok(a), Ok(b)) if b < a || (*b - *a).num_days() > 366 => {
            errors.push(FieldError::new("valid_to", "date_range", &[]))
        }
        _ => {}
    }
    if walkin + elderly > capacity {
        errors.push(FieldError::new("pool_walkin", "pools_exceed_capacity", &[]));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Session {
        id: kernel::new_id(),
        service_point: point.code.clone(),
        service: f.service.clone(),
        weekday,
        start_time: f.start_time.trim().to_string(),
        end_time: f.end_time.trim().to_string(),
        slot_minutes,
        capacity,
        pool_walkin: walkin,
        pool_elderly: elderly,
        valid_from: f.valid_from.clone(),
        valid_to: f.valid_to.clone(),
    })
}

async fn add_session(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<SessionForm>,
) -> AppResult<Response> {
    let point = point(&state, &code).await?;
    let services = store::services_at(&state.db, &point.kind).await?;
    let session = match parse_session(&point, &services, &f) {
        Ok(s) => s,
        Err(errors) => return staff_day_page(&state, page, &identity, &origin, &code, None, errors).await,
    };
    service::add_session(&state, &session, &identity.actor(), &origin).await?;
    Ok(Redirect::to(&format!("/staff/clinics/{code}")).into_response())
}

#[derive(Template)]
#[template(path = "clinics/booking/staff_list.html")]
struct StaffList {
    page: PageCtx,
    points: Vec<ServicePoint>,
}

async fn staff_list(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    let points = directory::service_points(&state.db, None, None).await?;
    render(&StaffList { page, points })
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/clinics/{code}", Access::Public, get(clinic))
        .page("/clinics/{code}/{service}", Access::Public, get(slots))
        .page("/bookings", Access::Citizen, get(my_bookings).post(book))
        .page("/bookings/{reference}", Access::Citizen, get(booking))
        .page("/bookings/{reference}/cancel", Access::Citizen, get(cancel_confirm).post(cancel))
        .page("/bookings/{reference}/calendar", Access::Citizen, get(booking_ics))
        .page("/bookings/{reference}/change", Access::Citizen, get(change).post(change_to))
        .page("/staff/clinics", Access::Staff(FRONT_DESK), get(staff_list))
        .page("/staff/clinics/{code}", Access::Staff(FRONT_DESK), get(staff_day))
        .page("/staff/clinics/{code}/sessions", Access::Staff(MANAGERS), post(add_session))
        .page("/staff/slots/{id}/capacity", Access::Staff(MANAGERS), post(set_capacity))
        .page("/staff/bookings/{reference}/attendance", Access::Staff(FRONT_DESK), post(attendance))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_scanned_or_typed_reference_is_read_from_a_link_too() {
        assert_eq!(super::scanned_reference(" ab12cd34 "), "AB12CD34");
        assert_eq!(super::scanned_reference("https://phos.example/bookings/ab12cd34?new=1"), "AB12CD34");
        assert_eq!(super::scanned_reference("/bookings/AB12CD34/"), "AB12CD34");
    }
}
