//! Assisted booking at the counter: staff find a person by HKID (or register them), see their
//! no-show standing, and book a slot for them through the same capacity guard as online
//! booking (channel "counter", the staff member as actor), then print the reference and QR code.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::directory::ServicePoint;
use kernel::hkid::{Hkid, HkidError};
use kernel::identity::{Identity, Role};
use kernel::people::NewCitizen;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::service::{self, ActionError, BookRequest};
use super::store;
use super::{Service, Slot};
use crate::noshow::rules::Standing;

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];

/// The person being served.
struct Person {
    id: String,
    name: String,
    hkid_masked: String,
    birth_date: String,
    standing: Standing,
}

#[derive(Default, Deserialize, Clone)]
struct RegisterForm {
    hkid: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    service: String,
}

#[derive(Template)]
#[template(path = "clinics/booking/counter.html")]
struct CounterPage {
    page: PageCtx,
    point: ServicePoint,
    services: Vec<Service>,
    service: Option<Service>,
    person: Option<Person>,
    slots: Vec<Slot>,
    /// Show the registration form (HKID not found).
    register: Option<RegisterForm>,
    booked: Option<(String, String)>,
    errors: Vec<FieldError>,
}

impl CounterPage {
    fn standing_text(&self, p: &Person) -> String {
        match p.standing {
            Standing::Good => self.page.t("noshow-standing-good"),
            Standing::Warned { count } => self.page.t1("noshow-standing-warned", "count", count),
            Standing::Penalised { until, .. } => {
                self.page.t1("noshow-standing-penalised", "until", self.page.datetime(&until))
            }
        }
    }
    fn selected(&self, code: &str) -> bool {
        self.service.as_ref().is_some_and(|s| s.code == code)
            || self.register.as_ref().is_some_and(|r| r.service == code)
    }
}

#[derive(Deserialize, Default)]
struct CounterQuery {
    citizen: Option<String>,
    service: Option<String>,
    booked: Option<String>,
}

struct View<'a> {
    citizen: Option<&'a str>,
    service: Option<&'a str>,
    register: Option<RegisterForm>,
    booked: Option<&'a str>,
    errors: Vec<FieldError>,
}

async fn counter_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    origin: &Origin,
    code: &str,
    v: View<'_>,
) -> AppResult<Response> {
    let db = &state.db;
    let point = kernel::directory::service_point(db, code).await?.ok_or(AppError::NotFound)?;
    let services = store::services_at(db, &point.kind).await?;
    let service = v.service.and_then(|s| services.iter().find(|x| x.code == s).cloned());
    let mut person = None;
    if let Some(id) = v.citizen {
        let card = service::counter_person(state, id, &identity.actor(), origin).await?;
        let Some((en, zh, masked, birth_date)) = card else { return Err(AppError::NotFound) };
        person = Some(Person {
            id: id.to_string(),
            name: [zh, en].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" "),
            hkid_masked: masked.unwrap_or_default(),
            birth_date,
            standing: crate::noshow::service::standing_of(db, id).await?,
        });
    }
    let mut slots = vec![];
    if let (Some(_), Some(s)) = (&person, &service) {
        let (from, to) = kernel::hk::day_range(kernel::hk::today(), 21);
        let earliest = kernel::now_ms() + s.min_notice_minutes * 60_000;
        slots = store::slots(db, &point.code, &s.code, from, to)
            .await?
            .into_iter()
            .filter(|x| x.status == "open" && x.starts_at >= earliest && x.elderly_left() > 0)
            .collect();
    }
    let booked = match v.booked {
        Some(r) => store::booking_by_reference(db, r)
            .await?
            .map(|b| (b.reference.clone(), crate::booking::pages::qr_svg(&b.reference))),
        None => None,
    };
    let status = if v.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p =
        CounterPage { page, point, services, service, person, slots, register: v.register, booked, errors: v.errors };
    Ok((status, render(&p)?).into_response())
}

async fn counter(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Query(q): Query<CounterQuery>,
) -> AppResult<Response> {
    let v = View {
        citizen: q.citizen.as_deref(),
        service: q.service.as_deref(),
        register: None,
        booked: q.booked.as_deref(),
        errors: vec![],
    };
    counter_page(&state, page, &identity, &origin, &code, v).await
}

fn parse_hkid(input: &str) -> Result<Hkid, FieldError> {
    Hkid::parse(input.trim()).map_err(|e| match e {
        HkidError::CheckDigit => FieldError::new("hkid", "hkid_check_digit", &[]),
        _ => FieldError::new("hkid", "hkid_format", &[]),
    })
}

/// Finds a person by HKID: to their page, or to the registration form when unknown.
async fn find(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<RegisterForm>,
) -> AppResult<Response> {
    let empty = |errors| View { citizen: None, service: Some(&f.service), register: None, booked: None, errors };
    let hkid = match parse_hkid(&f.hkid) {
        Ok(h) => h,
        Err(e) => return counter_page(&state, page, &identity, &origin, &code, empty(vec![e])).await,
    };
    let id = kernel::people::id_by_hkid_hmac(&state.db, &hkid.hmac(&state.keys.hkid)).await?;
    match id {
        Some(id) => Ok(Redirect::to(&format!(
            "/staff/clinics/{code}/counter?citizen={id}&service={}",
            kernel::web::url::percent_encode(&f.service)
        ))
        .into_response()),
        None => {
            let v = View { register: Some(RegisterForm { hkid: hkid.masked(), ..f.clone() }), ..empty(vec![]) };
            let v = View { register: v.register.map(|r| RegisterForm { hkid: f.hkid.trim().to_string(), ..r }), ..v };
            counter_page(&state, page, &identity, &origin, &code, v).await
        }
    }
}

/// Registers a person at the counter (HKID, names, date of birth, sex, optional mobile).
async fn register(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<RegisterForm>,
) -> AppResult<Response> {
    let point = kernel::directory::service_point(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let hkid = parse_hkid(&f.hkid).map_err(|e| errors.push(e)).ok();
    let (en, zh) = (f.name_en.trim(), f.name_zh.trim());
    if (en.is_empty() && zh.is_empty()) || en.chars().count() > 100 || zh.chars().count() > 50 {
        errors.push(FieldError::new("name_en", "name_required", &[]));
    }
    let birth = kernel::hk::parse_date(&f.birth_date).filter(|d| *d <= kernel::hk::today());
    if birth.is_none() {
        errors.push(FieldError::new("birth_date", "birth_date", &[]));
    }
    let sex = match f.sex.as_str() {
        "F" => 'F',
        "M" => 'M',
        _ => {
            errors.push(FieldError::new("sex", "invalid_choice", &[]));
            'F'
        }
    };
    let phone = f.phone.trim().replace(' ', "");
    let phone = (!phone.is_empty()).then(|| phone.trim_start_matches("+852").to_string());
    if phone.as_deref().is_some_and(|p| {
        p.len() != 8 || !p.chars().all(|c| c.is_ascii_digit()) || !p.starts_with(['4', '5', '6', '7', '8', '9'])
    }) {
        errors.push(FieldError::new("phone", "hk_mobile", &[]));
    }
    let Some(hkid) = hkid.filter(|_| errors.is_empty()) else {
        let v = View { citizen: None, service: Some(&f.service), register: Some(f.clone()), booked: None, errors };
        return counter_page(&state, page, &identity, &origin, &code, v).await;
    };
    let id = kernel::new_id();
    let citizen = NewCitizen {
        id: id.clone(),
        name_en: en.to_string(),
        name_zh: zh.to_string(),
        sex,
        birth_date: birth.map(|d| d.to_string()).unwrap_or_default(),
        district: point.district.clone(),
        email: None,
        phone: phone.map(|p| format!("+852{p}")),
        preferred_lang: if page.is_zh() { "zh-Hant-HK" } else { "en" },
        hkid_masked: Some(hkid.masked()),
        hkid_hmac: Some(hkid.hmac(&state.keys.hkid)),
        synthetic: false,
    };
    if !service::register_at_counter(&state, &citizen, &code, &identity.actor(), &origin).await? {
        let e = FieldError::new("hkid", "hkid_taken", &[]);
        let v =
            View { citizen: None, service: Some(&f.service), register: Some(f.clone()), booked: None, errors: vec![e] };
        return counter_page(&state, page, &identity, &origin, &code, v).await;
    }
    Ok(Redirect::to(&format!(
        "/staff/clinics/{code}/counter?citizen={id}&service={}",
        kernel::web::url::percent_encode(&f.service)
    ))
    .into_response())
}

#[derive(Deserialize)]
struct BookForm {
    citizen_id: String,
    slot_id: String,
}

async fn book(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<BookForm>,
) -> AppResult<Response> {
    let slot = store::slot(&state.db, &f.slot_id).await?.filter(|s| s.service_point == code);
    let Some(slot) = slot else { return Err(AppError::NotFound) };
    let req = BookRequest {
        slot_id: &slot.id,
        citizen_id: &f.citizen_id,
        actor: identity.actor(),
        channel: crate::booking::BookingChannel::Counter,
        origin: &origin,
    };
    match service::book(&state, req).await {
        Ok(b) => Ok(Redirect::to(&format!(
            "/staff/clinics/{code}/counter?citizen={}&service={}&booked={}",
            f.citizen_id, slot.service, b.reference
        ))
        .into_response()),
        Err(ActionError::Refused(r)) => {
            let e = FieldError::new("slots", r.code(), &[]);
            let v = View {
                citizen: Some(&f.citizen_id),
                service: Some(&slot.service),
                register: None,
                booked: None,
                errors: vec![e],
            };
            counter_page(&state, page, &identity, &origin, &code, v).await
        }
        Err(ActionError::Other(e)) => Err(AppError::Internal(e)),
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/clinics/{code}/counter", Access::Staff(FRONT_DESK), get(counter))
        .page("/staff/clinics/{code}/counter/find", Access::Staff(FRONT_DESK), post(find))
        .page("/staff/clinics/{code}/counter/register", Access::Staff(FRONT_DESK), post(register))
        .page("/staff/clinics/{code}/counter/book", Access::Staff(FRONT_DESK), post(book))
}
