//! Clinic data as FHIR R4 resources (pure, no IO), built with `fhir-sdk`'s R4B models, which
//! are identical to R4 for these resources.
//!
//! Texts are English, with the Traditional Chinese in the standard `translation` extension on
//! the same element (and the Chinese name as the Location's `alias`). Instants carry the Hong
//! Kong offset (`+08:00`).

use std::collections::BTreeMap;

use fhir_sdk::r4b::codes::{
    AddressType, AddressUse, AppointmentStatus, DaysOfWeek, LocationMode, LocationStatus, ParticipantRequired,
    ParticipationStatus, SlotStatus,
};
use fhir_sdk::r4b::resources as r;
use fhir_sdk::r4b::types::{
    Address, CodeableConcept, Coding, Extension, ExtensionValue, FieldExtension, Identifier, Meta, Period, Reference,
};
use fhir_sdk::time::{OffsetDateTime, UtcOffset};
use fhir_sdk::{BuilderError, Date, DateTime, Instant, Time};
use kernel::directory::ServicePoint;

use super::store::{FhirBooking, FhirPointService};
use crate::booking::{Service, Session, Slot};

/// Where PHOS's own code systems and identifiers live (a reserved `.example` name: nothing
/// resolves there; a deployment would publish these under its own domain).
pub const NS: &str = "https://phos.example/fhir";
pub const CS_SERVICE: &str = "https://phos.example/fhir/CodeSystem/clinic-service";
pub const CS_POINT_KIND: &str = "https://phos.example/fhir/CodeSystem/service-point-kind";
pub const CS_ERROR: &str = "https://phos.example/fhir/CodeSystem/error";
pub const ID_SERVICE_POINT: &str = "https://phos.example/fhir/NamingSystem/service-point";
pub const ID_BOOKING: &str = "https://phos.example/fhir/NamingSystem/booking-reference";
pub const TRANSLATION: &str = "http://hl7.org/fhir/StructureDefinition/translation";
pub const ZH: &str = "zh-Hant-HK";
const DH: &str = "Department of Health, HKSAR";
const DH_ZH: &str = "香港特別行政區衞生署";

/// The id of a HealthcareService or Schedule: `{point}.{service}` with `_` as `-` (FHIR ids
/// allow letters, digits, `-` and `.` only), e.g. `DC-KC.dental-gp`.
pub fn pair_id(point: &str, service: &str) -> String {
    format!("{point}.{}", service.replace('_', "-"))
}

/// The service point and service code of a [`pair_id`], if the service exists.
pub fn parse_pair_id(id: &str, services: &[Service]) -> Option<(String, String)> {
    let (point, svc) = id.rsplit_once('.')?;
    let s = services.iter().find(|s| s.code.replace('_', "-") == svc)?;
    (!point.is_empty()).then(|| (point.to_string(), s.code.clone()))
}

/// A Unix-ms instant in Hong Kong time.
pub fn instant(ms: i64) -> Instant {
    let hk = UtcOffset::from_hms(8, 0, 0).unwrap_or(UtcOffset::UTC);
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Instant(t.to_offset(hk))
}

/// A `YYYY-MM-DD` text as a FHIR date(Time).
fn date(day: &str) -> Option<DateTime> {
    day.parse::<Date>().ok().map(DateTime::Date)
}

/// An `HH:MM` text as a FHIR time.
fn time(hhmm: &str) -> Option<Time> {
    let (h, m) = hhmm.split_once(':')?;
    fhir_sdk::time::Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok().map(Time)
}

fn weekday(n: i64) -> Option<DaysOfWeek> {
    Some(match n {
        1 => DaysOfWeek::Mon,
        2 => DaysOfWeek::Tue,
        3 => DaysOfWeek::Wed,
        4 => DaysOfWeek::Thu,
        5 => DaysOfWeek::Fri,
        6 => DaysOfWeek::Sat,
        7 => DaysOfWeek::Sun,
        _ => return None,
    })
}

/// The `translation` extension carrying `text` in `lang`.
pub fn translation(lang: &str, text: &str) -> Result<Extension, BuilderError> {
    Extension::builder()
        .url(TRANSLATION.into())
        .extension(vec![
            Extension::builder().url("lang".into()).value(ExtensionValue::Code(lang.into())).build()?,
            Extension::builder().url("content".into()).value(ExtensionValue::String(text.into())).build()?,
        ])
        .build()
}

/// The Chinese text of an element, as its `_element` extension (none when there is no text).
pub fn zh(text: &str) -> Result<Option<FieldExtension>, BuilderError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    FieldExtension::builder().extension(vec![translation(ZH, text)?]).build().map(Some)
}

fn reference(kind: &str, id: &str, display: Option<(&str, &str)>) -> Result<Reference, BuilderError> {
    let mut b = Reference::builder().reference(format!("{kind}/{id}"));
    if let Some((en, zh_text)) = display {
        b = b.display(en.to_string());
        if let Some(ext) = zh(zh_text)? {
            b = b.display_ext(ext);
        }
    }
    b.build()
}

fn department() -> Result<Reference, BuilderError> {
    let mut b = Reference::builder().display(DH.into());
    if let Some(ext) = zh(DH_ZH)? {
        b = b.display_ext(ext);
    }
    b.build()
}

/// The service as a CodeableConcept (`serviceType`, HealthcareService `type`).
pub fn service_concept(s: &Service) -> Result<CodeableConcept, BuilderError> {
    let coding = Coding::builder().system(CS_SERVICE.into()).code(s.code.clone()).display(s.name_en.clone()).build()?;
    let mut b = CodeableConcept::builder().coding(vec![Some(coding)]).text(s.name_en.clone());
    if let Some(ext) = zh(&s.name_zh)? {
        b = b.text_ext(ext);
    }
    b.build()
}

/// A service code without its row (should not happen: slots and bookings refer to services).
fn bare_service_concept(code: &str) -> Result<CodeableConcept, BuilderError> {
    let coding = Coding::builder().system(CS_SERVICE.into()).code(code.to_string()).build()?;
    CodeableConcept::builder().coding(vec![Some(coding)]).build()
}

fn service_type(code: &str, services: &[Service]) -> Result<CodeableConcept, BuilderError> {
    match services.iter().find(|s| s.code == code) {
        Some(s) => service_concept(s),
        None => bare_service_concept(code),
    }
}

/// The kind of a service point, with its names.
fn kind_concept(kind: &str) -> Result<CodeableConcept, BuilderError> {
    let (en, zh_text) = match kind {
        "dental" => ("Dental clinic", "牙科診所"),
        "ehc" => ("Elderly Health Centre", "長者健康中心"),
        "mchc" => ("Maternal and Child Health Centre", "母嬰健康院"),
        "vaccination" => ("Vaccination centre", "疫苗接種中心"),
        other => (other, ""),
    };
    let coding = Coding::builder().system(CS_POINT_KIND.into()).code(kind.to_string()).display(en.into()).build()?;
    let mut b = CodeableConcept::builder().coding(vec![Some(coding)]).text(en.into());
    if let Some(ext) = zh(zh_text)? {
        b = b.text_ext(ext);
    }
    b.build()
}

/// Sessions valid on or after `today`, grouped into `(days, start, end)` with the days sorted.
fn weekly(sessions: &[&Session], today: &str) -> Vec<(Vec<i64>, String, String)> {
    let mut by_time: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for s in sessions.iter().filter(|s| s.valid_to.as_str() >= today) {
        let days = by_time.entry((s.start_time.clone(), s.end_time.clone())).or_default();
        if !days.contains(&s.weekday) {
            days.push(s.weekday);
        }
    }
    let mut out: Vec<_> = by_time
        .into_iter()
        .map(|((a, b), mut d)| {
            d.sort_unstable();
            (d, a, b)
        })
        .collect();
    out.sort();
    out
}

/// A service point as a Location. Opening hours span each weekday's sessions (first start to
/// last end) among sessions still valid `today`.
pub fn location(p: &ServicePoint, sessions: &[Session], today: &str) -> Result<r::Location, BuilderError> {
    let district = kernel::hk::district(&p.district);
    let mut address = Address::builder()
        .r#use(AddressUse::Work)
        .r#type(AddressType::Physical)
        .text(p.address_en.clone())
        .line(vec![Some(p.address_en.clone())])
        .country("HK".into());
    if let Some(ext) = zh(&p.address_zh)? {
        address = address.text_ext(ext);
    }
    if let Some(d) = district {
        // Hong Kong has no cities: `city` carries the district (what `address-city` searches).
        address = address.city(d.name_en.clone()).district(d.name_en.clone());
        if let Some(ext) = zh(&d.name_zh)? {
            address = address.city_ext(ext.clone()).district_ext(ext);
        }
    }
    let mine: Vec<&Session> = sessions.iter().filter(|s| s.service_point == p.code).collect();
    let mut per_day: BTreeMap<i64, (String, String)> = BTreeMap::new();
    for s in mine.iter().filter(|s| s.valid_to.as_str() >= today) {
        let e = per_day.entry(s.weekday).or_insert_with(|| (s.start_time.clone(), s.end_time.clone()));
        if s.start_time < e.0 {
            e.0 = s.start_time.clone();
        }
        if s.end_time > e.1 {
            e.1 = s.end_time.clone();
        }
    }
    let mut by_hours: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    for (day, hours) in per_day {
        by_hours.entry(hours).or_default().push(day);
    }
    let mut hours = vec![];
    for ((open, close), days) in by_hours {
        let mut h = r::LocationHoursOfOperation::builder()
            .days_of_week(days.into_iter().filter_map(weekday).map(Some).collect());
        if let Some(t) = time(&open) {
            h = h.opening_time(t);
        }
        if let Some(t) = time(&close) {
            h = h.closing_time(t);
        }
        hours.push(Some(h.build()?));
    }
    let identifier = Identifier::builder().system(ID_SERVICE_POINT.into()).value(p.code.clone()).build()?;
    let mut b = r::Location::builder()
        .id(p.code.clone())
        .language("en".into())
        .identifier(vec![Some(identifier)])
        .status(LocationStatus::Active)
        .name(p.name_en.clone())
        .alias(
            vec![Some(p.name_zh.clone())].into_iter().filter(|n| n.as_deref().is_some_and(|n| !n.is_empty())).collect(),
        )
        .mode(LocationMode::Instance)
        .r#type(vec![Some(kind_concept(&p.kind)?)])
        .address(address.build()?)
        .managing_organization(department()?)
        .hours_of_operation(hours);
    if let Some(ext) = zh(&p.name_zh)? {
        b = b.name_ext(ext);
    }
    b.build()
}

/// A service at a service point as a HealthcareService, with its eligibility statement and
/// the times of its weekly sessions.
pub fn healthcare_service(
    ps: &FhirPointService,
    sessions: &[Session],
    today: &str,
) -> Result<r::HealthcareService, BuilderError> {
    let (p, s) = (&ps.point, &ps.service);
    let mut eligibility = r::HealthcareServiceEligibility::builder().comment(s.eligibility_en.clone());
    if let Some(ext) = zh(&s.eligibility_zh)? {
        eligibility = eligibility.comment_ext(ext);
    }
    let mine: Vec<&Session> = sessions.iter().filter(|x| x.service_point == p.code && x.service == s.code).collect();
    let mut available = vec![];
    for (days, start, end) in weekly(&mine, today) {
        let mut a = r::HealthcareServiceAvailableTime::builder()
            .days_of_week(days.into_iter().filter_map(weekday).map(Some).collect());
        if let Some(t) = time(&start) {
            a = a.available_start_time(t);
        }
        if let Some(t) = time(&end) {
            a = a.available_end_time(t);
        }
        available.push(Some(a.build()?));
    }
    let mut b = r::HealthcareService::builder()
        .id(pair_id(&p.code, &s.code))
        .language("en".into())
        .active(true)
        .provided_by(department()?)
        .r#type(vec![Some(service_concept(s)?)])
        .location(vec![Some(reference("Location", &p.code, Some((&p.name_en, &p.name_zh)))?)])
        .name(s.name_en.clone())
        .eligibility(vec![Some(eligibility.build()?)])
        .appointment_required(true)
        .available_time(available);
    if let Some(ext) = zh(&s.name_zh)? {
        b = b.name_ext(ext);
    }
    b.build()
}

/// A service at a service point as a Schedule: its actors are the Location and the
/// HealthcareService, its planning horizon the days its weekly sessions cover. It is active
/// while a session is valid `today` or later.
pub fn schedule(ps: &FhirPointService, today: &str) -> Result<r::Schedule, BuilderError> {
    let (p, s) = (&ps.point, &ps.service);
    let mut b = r::Schedule::builder()
        .id(pair_id(&p.code, &s.code))
        .active(ps.last_day.as_deref().is_some_and(|d| d >= today))
        .service_type(vec![Some(service_concept(s)?)])
        .actor(vec![
            Some(reference("Location", &p.code, Some((&p.name_en, &p.name_zh)))?),
            Some(reference("HealthcareService", &pair_id(&p.code, &s.code), Some((&s.name_en, &s.name_zh)))?),
        ]);
    if let (Some(first), Some(last)) = (ps.first_day.as_deref().and_then(date), ps.last_day.as_deref().and_then(date)) {
        b = b.planning_horizon(Period::builder().start(first).end(last).build()?);
    }
    b.build()
}

/// The FHIR status of a slot: closed → `busy-unavailable`; open with a place left for online
/// booking (any place not kept for walk-ins) → `free`; else `busy`.
pub fn slot_status(s: &Slot) -> SlotStatus {
    if s.status != "open" {
        SlotStatus::BusyUnavailable
    } else if s.booked < s.capacity - s.pool_walkin {
        SlotStatus::Free
    } else {
        SlotStatus::Busy
    }
}

pub fn slot(s: &Slot, services: &[Service]) -> Result<r::Slot, BuilderError> {
    r::Slot::builder()
        .id(s.id.clone())
        .service_type(vec![Some(service_type(&s.service, services)?)])
        .schedule(reference("Schedule", &pair_id(&s.service_point, &s.service), None)?)
        .status(slot_status(s))
        .start(instant(s.starts_at))
        .end(instant(s.ends_at))
        .build()
}

/// The FHIR status of a booking: attended and late → `fulfilled`, no show → `noshow`.
pub fn appointment_status(stored: &str) -> AppointmentStatus {
    match stored {
        "booked" => AppointmentStatus::Booked,
        "cancelled" => AppointmentStatus::Cancelled,
        "attended" | "late" => AppointmentStatus::Fulfilled,
        "no_show" => AppointmentStatus::Noshow,
        _ => AppointmentStatus::EnteredInError,
    }
}

/// The stored statuses a FHIR appointment status stands for (none for statuses we never use).
pub fn stored_statuses(status: AppointmentStatus) -> &'static [&'static str] {
    match status {
        AppointmentStatus::Booked => &["booked"],
        AppointmentStatus::Cancelled => &["cancelled"],
        AppointmentStatus::Fulfilled => &["attended", "late"],
        AppointmentStatus::Noshow => &["no_show"],
        _ => &[],
    }
}

/// A booking as an Appointment. The patient is referenced by id only (no name: the display is
/// left out so a bundle shows no names), the clinic by its Location.
pub fn appointment(b: &FhirBooking, services: &[Service]) -> Result<r::Appointment, BuilderError> {
    let identifier = Identifier::builder().system(ID_BOOKING.into()).value(b.reference.clone()).build()?;
    let patient = r::AppointmentParticipant::builder()
        .actor(reference("Patient", &b.citizen_id, None)?)
        .required(ParticipantRequired::Required)
        .status(ParticipationStatus::Accepted)
        .build()?;
    let clinic = r::AppointmentParticipant::builder()
        .actor(reference("Location", &b.service_point, Some((&b.point_en, &b.point_zh)))?)
        .required(ParticipantRequired::Required)
        .status(ParticipationStatus::Accepted)
        .build()?;
    let service = services.iter().find(|s| s.code == b.service);
    let mut a = r::Appointment::builder()
        .id(b.id.clone())
        .meta(Meta::builder().last_updated(instant(b.updated_at)).build()?)
        .identifier(vec![Some(identifier)])
        .status(appointment_status(&b.status))
        .service_type(vec![Some(service_type(&b.service, services)?)])
        .start(instant(b.starts_at))
        .end(instant(b.ends_at))
        .slot(vec![Some(reference("Slot", &b.slot_id, None)?)])
        .created(DateTime::DateTime(instant(b.created_at)))
        .participant(vec![Some(patient), Some(clinic)]);
    if let Some(s) = service {
        a = a.description(s.name_en.clone());
        if let Some(ext) = zh(&s.name_zh)? {
            a = a.description_ext(ext);
        }
    }
    a.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> Service {
        Service {
            code: "dental_gp".into(),
            point_kind: "dental".into(),
            name_en: "Dental general public session".into(),
            name_zh: "牙科街症".into(),
            eligibility_en: "Pain relief.".into(),
            eligibility_zh: "止痛。".into(),
            min_notice_minutes: 60,
            max_reschedules: 0,
            min_age: None,
            max_age: None,
        }
    }

    fn slot_row(status: &str, capacity: i64, walkin: i64, booked: i64) -> Slot {
        Slot {
            id: "0190f5a2-7b1c-7cc0-9d2e-3f4a5b6c7d8e".into(),
            service_point: "DC-KC".into(),
            service: "dental_gp".into(),
            day: "2025-03-04".into(),
            starts_at: 1_741_050_000_000,
            ends_at: 1_741_053_600_000,
            capacity,
            pool_walkin: walkin,
            pool_elderly: 0,
            booked,
            booked_elderly: 0,
            status: status.into(),
        }
    }

    #[test]
    fn pair_ids_round_trip() {
        let services = [service()];
        assert_eq!(pair_id("DC-KC", "dental_gp"), "DC-KC.dental-gp");
        assert_eq!(parse_pair_id("DC-KC.dental-gp", &services), Some(("DC-KC".into(), "dental_gp".into())));
        assert_eq!(parse_pair_id("DC-KC.dental_gp", &services), None);
        assert_eq!(parse_pair_id(".dental-gp", &services), None);
        assert_eq!(parse_pair_id("DC-KC", &services), None);
    }

    #[test]
    fn slot_status_from_capacity_and_status() {
        assert_eq!(slot_status(&slot_row("open", 6, 1, 4)), SlotStatus::Free);
        // The last place is kept for walk-ins: nothing left online.
        assert_eq!(slot_status(&slot_row("open", 6, 1, 5)), SlotStatus::Busy);
        assert_eq!(slot_status(&slot_row("closed", 6, 1, 0)), SlotStatus::BusyUnavailable);
    }

    #[test]
    fn instants_in_hong_kong_time() {
        let json = serde_json::to_value(slot(&slot_row("open", 6, 1, 0), &[service()]).unwrap()).unwrap();
        assert_eq!(json["start"], "2025-03-04T09:00:00+08:00");
        assert_eq!(json["end"], "2025-03-04T10:00:00+08:00");
        assert_eq!(json["schedule"]["reference"], "Schedule/DC-KC.dental-gp");
        assert_eq!(json["serviceType"][0]["coding"][0]["code"], "dental_gp");
        assert_eq!(json["serviceType"][0]["_text"]["extension"][0]["extension"][1]["valueString"], "牙科街症");
        assert_eq!(serde_json::to_value(instant(1_741_050_000_123)).unwrap(), "2025-03-04T09:00:00.123+08:00");
    }

    #[test]
    fn appointment_statuses_map_both_ways() {
        for stored in ["booked", "cancelled", "attended", "late", "no_show"] {
            assert!(stored_statuses(appointment_status(stored)).contains(&stored), "{stored}");
        }
        assert!(stored_statuses(AppointmentStatus::Proposed).is_empty());
    }
}
