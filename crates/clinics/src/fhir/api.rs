//! The FHIR R4 handlers: parse the search (`params`), ask `store`, map the rows (`map`), answer
//! with a `searchset` Bundle, a resource, or an OperationOutcome in both languages.

use std::str::FromStr;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fhir_sdk::BuilderError;
use fhir_sdk::r4b::codes::{
    AppointmentStatus, BundleType, CapabilityStatementKind, FHIRVersion, IssueSeverity, IssueType, PublicationStatus,
    ResourceType, ResourceVersionPolicy, RestfulCapabilityMode, SearchEntryMode, SearchParamType, SlotStatus,
};
use fhir_sdk::r4b::resources::{
    Bundle, BundleEntry, BundleEntrySearch, BundleLink, CapabilityStatement, CapabilityStatementImplementation,
    CapabilityStatementRest, CapabilityStatementRestResource, CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceSearchParam, CapabilityStatementRestSecurity, CapabilityStatementSoftware,
    OperationOutcome, OperationOutcomeIssue, Resource,
};
use fhir_sdk::r4b::types::{CodeableConcept, Coding, Meta};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::i18n::Locale;
use kernel::identity::{Identity, Role};
use kernel::web::{Access, Routes};
use serde::Serialize;

use super::map;
use super::params::{self, Kind, ParamError, Search, Spec, Values, valid_id};
use super::store::{
    self, FhirBookingQuery, FhirLocationQuery, FhirPointServiceQuery, FhirSlotQuery, FhirSlotState, FhirTarget,
};
use crate::booking::Service;

pub const BASE_PATH: &str = "/fhir/R4";
pub const CONTENT_TYPE: &str = "application/fhir+json; charset=utf-8";

/// Who may read appointments: the people who run clinics. Appointments name a person, their
/// clinic and time, so they are not public, not for citizens (who see their own bookings at
/// `/bookings`) and not for partners (no partner needs identifiable bookings yet).
pub const APPOINTMENT_READERS: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];

const SP: &str = "http://hl7.org/fhir/SearchParameter/";
const ACTOR_TYPES: &[&str] =
    &["Patient", "Location", "HealthcareService", "Practitioner", "PractitionerRole", "RelatedPerson", "Device"];

const fn spec(name: &'static str, kind: Kind, definition: Option<&'static str>, documentation: &'static str) -> Spec {
    Spec { name, kind, definition, documentation }
}

pub const LOCATION_PARAMS: &[Spec] = &[
    spec("_id", Kind::Token, Some("Resource-id"), "The service point code, e.g. DC-KC."),
    spec(
        "name",
        Kind::String,
        Some("Location-name"),
        "The English or Chinese name (or alias); starts with, case-insensitive; :contains and :exact supported.",
    ),
    spec(
        "address-city",
        Kind::String,
        Some("Location-address-city"),
        "The district (address.city): its English or Chinese name or its code, e.g. Kwun Tong, 觀塘 or KT.",
    ),
    spec("type", Kind::Token, Some("Location-type"), "The kind of service point: dental, ehc, mchc or vaccination."),
];

pub const HEALTHCARE_SERVICE_PARAMS: &[Spec] = &[
    spec("_id", Kind::Token, Some("Resource-id"), "{service point}.{service}, e.g. DC-KC.dental-gp."),
    spec("location", Kind::Reference(&["Location"]), Some("HealthcareService-location"), "Location/{code}."),
    spec("service-type", Kind::Token, Some("HealthcareService-service-type"), "The service code, e.g. dental_gp."),
];

pub const SCHEDULE_PARAMS: &[Spec] = &[
    spec("_id", Kind::Token, Some("Resource-id"), "{service point}.{service}, e.g. DC-KC.dental-gp."),
    spec("actor", Kind::Reference(ACTOR_TYPES), Some("Schedule-actor"), "Location/{code} or HealthcareService/{id}."),
    spec("service-type", Kind::Token, Some("Schedule-service-type"), "The service code, e.g. dental_gp."),
    spec(
        "date",
        Kind::Date,
        Some("Schedule-date"),
        "Days covered by the weekly sessions (planningHorizon); eq overlaps, prefixes eq ne gt lt ge le.",
    ),
];

pub const SLOT_PARAMS: &[Spec] = &[
    spec("_id", Kind::Token, Some("Resource-id"), "The slot id."),
    spec("schedule", Kind::Reference(&["Schedule"]), Some("Slot-schedule"), "Schedule/{service point}.{service}."),
    spec("start", Kind::Date, Some("Slot-start"), "Start instant; prefixes eq ne gt lt ge le on dates or instants."),
    spec("status", Kind::Token, Some("Slot-status"), "free, busy or busy-unavailable."),
    spec("service-type", Kind::Token, Some("Slot-service-type"), "The service code, e.g. dental_gp."),
    spec("location", Kind::Reference(&["Location"]), None, "Location/{code}: slots at this service point (PHOS)."),
];

pub const APPOINTMENT_PARAMS: &[Spec] = &[
    spec("_id", Kind::Token, Some("Resource-id"), "The appointment id."),
    spec("identifier", Kind::Token, Some("Appointment-identifier"), "The booking reference, e.g. DH-7K3M-9Q2P."),
    spec("date", Kind::Date, Some("Appointment-date"), "Start instant; prefixes eq ne gt lt ge le."),
    spec("status", Kind::Token, Some("Appointment-status"), "booked, cancelled, fulfilled (attended) or noshow."),
    spec("location", Kind::Reference(&["Location"]), Some("Appointment-location"), "Location/{code}."),
    spec("service-type", Kind::Token, Some("Appointment-service-type"), "The service code, e.g. dental_gp."),
    spec("patient", Kind::Reference(&["Patient"]), Some("Appointment-patient"), "Patient/{citizen id}."),
    spec(
        "actor",
        Kind::Reference(ACTOR_TYPES),
        Some("Appointment-actor"),
        "Patient/{citizen id}, Location/{code} or HealthcareService/{id}.",
    ),
    spec("slot", Kind::Reference(&["Slot"]), Some("Appointment-slot"), "Slot/{id}."),
];

/// The resource types served, with their parameters and a note for the CapabilityStatement.
const TYPES: &[(ResourceType, &[Spec], &str)] = &[
    (ResourceType::Location, LOCATION_PARAMS, "Department of Health service points (public)."),
    (
        ResourceType::HealthcareService,
        HEALTHCARE_SERVICE_PARAMS,
        "Each service a service point offers, with its eligibility statement (public).",
    ),
    (ResourceType::Schedule, SCHEDULE_PARAMS, "One per service at a service point (public)."),
    (ResourceType::Slot, SLOT_PARAMS, "Bookable times (public)."),
    (
        ResourceType::Appointment,
        APPOINTMENT_PARAMS,
        "Bookings (personal data: clinic staff, clinic managers and administrators; every read is audited).",
    ),
];

pub fn routes() -> Routes {
    Routes::new()
        .page("/fhir/R4/metadata", Access::Public, get(metadata))
        .page("/fhir/R4/Location", Access::Public, get(search_locations))
        .page("/fhir/R4/Location/{id}", Access::Public, get(read_location))
        .page("/fhir/R4/HealthcareService", Access::Public, get(search_healthcare_services))
        .page("/fhir/R4/HealthcareService/{id}", Access::Public, get(read_healthcare_service))
        .page("/fhir/R4/Schedule", Access::Public, get(search_schedules))
        .page("/fhir/R4/Schedule/{id}", Access::Public, get(read_schedule))
        .page("/fhir/R4/Slot", Access::Public, get(search_slots))
        .page("/fhir/R4/Slot/{id}", Access::Public, get(read_slot))
        .page("/fhir/R4/Appointment", Access::Staff(APPOINTMENT_READERS), get(search_appointments))
        .page("/fhir/R4/Appointment/{id}", Access::Staff(APPOINTMENT_READERS), get(read_appointment))
        .page("/fhir/R4/{type}", Access::Public, get(unknown_type))
        .page("/fhir/R4/{type}/{id}", Access::Public, get(unknown_type_read))
}

// ---- Errors ---------------------------------------------------------------------------------

/// What a FHIR handler answers instead of a resource: an OperationOutcome.
#[derive(Debug)]
pub enum FhirError {
    /// Refused, with the HTTP status, the issue type, and a stable code whose bilingual text is
    /// the catalogue message `fhir-error-<code>` (with these arguments).
    Refused {
        status: StatusCode,
        issue: IssueType,
        code: &'static str,
        args: Vec<(&'static str, String)>,
    },
    Internal(anyhow::Error),
}

impl FhirError {
    fn not_found(kind: &str, id: &str) -> FhirError {
        FhirError::Refused {
            status: StatusCode::NOT_FOUND,
            issue: IssueType::NotFound,
            code: "not_found",
            args: vec![("name", kind.to_string()), ("ref", truncate(id))],
        }
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

impl From<sqlx::Error> for FhirError {
    fn from(e: sqlx::Error) -> Self {
        FhirError::Internal(e.into())
    }
}

impl From<BuilderError> for FhirError {
    fn from(e: BuilderError) -> Self {
        FhirError::Internal(anyhow::anyhow!("building a FHIR resource: {e}"))
    }
}

impl From<ParamError> for FhirError {
    fn from(e: ParamError) -> Self {
        let (status, issue, code, args) = match e {
            ParamError::BadValue { param, value } => (
                StatusCode::BAD_REQUEST,
                IssueType::Invalid,
                "bad_value",
                vec![("name", param), ("value", truncate(&value))],
            ),
            ParamError::UnsupportedPrefix { param, prefix } => (
                StatusCode::BAD_REQUEST,
                IssueType::NotSupported,
                "unsupported_prefix",
                vec![("name", param), ("value", prefix)],
            ),
            ParamError::BadModifier { param, modifier } => (
                StatusCode::BAD_REQUEST,
                IssueType::NotSupported,
                "bad_modifier",
                vec![("name", param), ("value", truncate(&modifier))],
            ),
            ParamError::UnknownParam { param } => (
                StatusCode::BAD_REQUEST,
                IssueType::NotSupported,
                "unknown_parameter",
                vec![("name", truncate(&param))],
            ),
            ParamError::Count { value } => {
                (StatusCode::BAD_REQUEST, IssueType::Invalid, "count_out_of_range", vec![("value", truncate(&value))])
            }
            ParamError::Offset { value } => {
                (StatusCode::BAD_REQUEST, IssueType::Invalid, "offset_out_of_range", vec![("value", truncate(&value))])
            }
            ParamError::Format { value } => (
                StatusCode::NOT_ACCEPTABLE,
                IssueType::NotSupported,
                "unsupported_format",
                vec![("value", truncate(&value))],
            ),
        };
        FhirError::Refused { status, issue, code, args }
    }
}

/// An OperationOutcome with one issue: the English text in `details.text`, the Traditional
/// Chinese in its `translation` extension, and the stable code in `details.coding`.
pub fn outcome(
    severity: IssueSeverity,
    issue: IssueType,
    code: &str,
    args: &[(&'static str, String)],
) -> Result<OperationOutcome, BuilderError> {
    let texts = Locale::both(&format!("fhir-error-{code}"), args);
    let coding = Coding::builder().system(map::CS_ERROR.into()).code(code.to_string()).build()?;
    let mut details = CodeableConcept::builder().coding(vec![Some(coding)]).text(texts.en);
    if let Some(ext) = map::zh(&texts.zh_hant)? {
        details = details.text_ext(ext);
    }
    let issue = OperationOutcomeIssue::builder().severity(severity).code(issue).details(details.build()?).build()?;
    OperationOutcome::builder().issue(vec![Some(issue)]).build()
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let (status, issue, code, args) = match self {
            FhirError::Refused { status, issue, code, args } => (status, issue, code, args),
            FhirError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "FHIR request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, IssueType::Exception, "internal", vec![])
            }
        };
        match outcome(IssueSeverity::Error, issue, code, &args) {
            Ok(o) => respond(status, &o),
            Err(_) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], FALLBACK_OUTCOME)
                .into_response(),
        }
    }
}

const FALLBACK_OUTCOME: &str =
    r#"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}"#;

/// A FHIR JSON response.
fn respond<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))], bytes).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "serialising a FHIR resource failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE))],
                FALLBACK_OUTCOME,
            )
                .into_response()
        }
    }
}

type FhirResult = Result<Response, FhirError>;

// ---- Requests -------------------------------------------------------------------------------

/// The base of absolute URLs: `PHOS_BASE_URL` when set, else the Host the client used.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if state.config.base_url.is_some() {
        return format!("{}{BASE_PATH}", state.config.base_url());
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|h| {
        !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
    });
    match host {
        Some(h) => format!("http://{h}{BASE_PATH}"),
        None => format!("{}{BASE_PATH}", state.config.base_url()),
    }
}

/// `Prefer: handling=strict` refuses unknown parameters instead of ignoring them.
fn strict(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split([',', ';']).any(|p| p.trim().eq_ignore_ascii_case("handling=strict")))
}

fn parse_search(raw: Option<&str>, headers: &HeaderMap, specs: &[Spec]) -> Result<Search, FhirError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|_| FhirError::Refused {
            status: StatusCode::BAD_REQUEST,
            issue: IssueType::Invalid,
            code: "bad_query",
            args: vec![],
        })?;
    Ok(params::parse(&pairs, specs, strict(headers))?)
}

/// A searchset Bundle: `total`, `self`/`first`/`previous`/`next` links that keep the parameters
/// used, one `match` entry per resource, and a warning `outcome` entry naming ignored parameters.
fn bundle(base: &str, kind: &str, search: &Search, total: i64, entries: Vec<(String, Resource)>) -> FhirResult {
    let count = u64::from(search.count);
    let total_u = u64::try_from(total).unwrap_or(0);
    let url = |offset: u64| {
        let mut pairs = search.used.clone();
        pairs.push(("_count".into(), count.to_string()));
        if offset > 0 {
            pairs.push(("_offset".into(), offset.to_string()));
        }
        format!("{base}/{kind}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let link = |relation: &str, offset: u64| {
        BundleLink::builder().relation(relation.to_string()).url(url(offset)).build().map(Some)
    };
    let mut links = vec![link("self", search.offset)?];
    if count > 0 {
        links.push(link("first", 0)?);
        if search.offset > 0 {
            links.push(link("previous", search.offset.saturating_sub(count))?);
        }
        if search.offset + count < total_u {
            links.push(link("next", search.offset + count)?);
        }
    }
    let mut entry = Vec::with_capacity(entries.len() + 1);
    for (id, resource) in entries {
        entry.push(Some(
            BundleEntry::builder()
                .full_url(format!("{base}/{kind}/{id}"))
                .resource(resource)
                .search(BundleEntrySearch::builder().mode(SearchEntryMode::Match).build()?)
                .build()?,
        ));
    }
    if !search.ignored.is_empty() {
        let ignored = search.ignored.iter().map(|p| truncate(p)).collect::<Vec<_>>().join(", ");
        let warning =
            outcome(IssueSeverity::Warning, IssueType::NotSupported, "ignored_parameters", &[("value", ignored)])?;
        entry.push(Some(
            BundleEntry::builder()
                .resource(Resource::OperationOutcome(warning))
                .search(BundleEntrySearch::builder().mode(SearchEntryMode::Outcome).build()?)
                .build()?,
        ));
    }
    let b = Bundle::builder()
        .id(kernel::new_id())
        .meta(Meta::builder().last_updated(map::instant(kernel::now_ms())).build()?)
        .r#type(BundleType::Searchset)
        .total(u32::try_from(total).unwrap_or(u32::MAX))
        .link(links)
        .entry(entry)
        .build()?;
    Ok(respond(StatusCode::OK, &b))
}

fn codes(tokens: &[params::Token], system: &str) -> Vec<String> {
    tokens.iter().filter(|t| t.matches_system(system)).map(|t| t.code.clone()).collect()
}

fn ids(tokens: &[params::Token]) -> Vec<String> {
    tokens.iter().map(|t| t.code.clone()).collect()
}

/// Districts whose English or Chinese name (or code) matches, as `address-city` asks.
fn districts_matching(how: params::StrMatch, values: &[String]) -> Vec<String> {
    use params::StrMatch::*;
    kernel::hk::districts()
        .iter()
        .filter(|d| {
            values.iter().any(|v| {
                let v_lower = v.to_lowercase();
                let names = [d.name_en.to_lowercase(), d.name_zh.clone()];
                d.code.eq_ignore_ascii_case(v)
                    || match how {
                        StartsWith => names.iter().any(|n| n.starts_with(&v_lower)),
                        Contains => names.iter().any(|n| n.contains(&v_lower)),
                        Exact => d.name_en == *v || d.name_zh == *v,
                    }
            })
        })
        .map(|d| d.code.clone())
        .collect()
}

/// A reference to a service point, a service at one, or a patient, as the store filters them.
fn targets(refs: &[params::RefValue], services: &[Service]) -> Vec<FhirTarget> {
    let mut out = vec![];
    for r in refs {
        let pair = || map::parse_pair_id(&r.id, services).map(|(p, s)| FhirTarget::Pair(p, s));
        match r.kind.as_deref() {
            Some("Location") => out.push(FhirTarget::Point(r.id.clone())),
            Some("Patient") => out.push(FhirTarget::Patient(r.id.clone())),
            Some("HealthcareService" | "Schedule") => out.extend(pair()),
            Some(_) => {}
            None => {
                out.push(FhirTarget::Point(r.id.clone()));
                out.push(FhirTarget::Patient(r.id.clone()));
                out.extend(pair());
            }
        }
    }
    out
}

fn bad_value(param: &str, value: &str) -> FhirError {
    ParamError::BadValue { param: param.to_string(), value: value.to_string() }.into()
}

// ---- CapabilityStatement ------------------------------------------------------------------

async fn metadata(State(state): State<AppState>, headers: HeaderMap) -> FhirResult {
    let base = base_url(&state, &headers);
    Ok(respond(StatusCode::OK, &capability_statement(&base)?))
}

pub fn capability_statement(base: &str) -> Result<CapabilityStatement, BuilderError> {
    let mut resources = vec![];
    for (kind, specs, documentation) in TYPES {
        let interactions = ["read", "search-type"]
            .into_iter()
            .map(|c| CapabilityStatementRestResourceInteraction::builder().code(c.into()).build().map(Some))
            .collect::<Result<Vec<_>, _>>()?;
        let search_params = specs
            .iter()
            .map(|s| {
                let mut b = CapabilityStatementRestResourceSearchParam::builder()
                    .name(s.name.into())
                    .r#type(match s.kind {
                        Kind::Token => SearchParamType::Token,
                        Kind::String => SearchParamType::String,
                        Kind::Reference(_) => SearchParamType::Reference,
                        Kind::Date => SearchParamType::Date,
                    })
                    .documentation(s.documentation.into());
                if let Some(d) = s.definition {
                    b = b.definition(format!("{SP}{d}"));
                }
                b.build().map(Some)
            })
            .collect::<Result<Vec<_>, _>>()?;
        resources.push(Some(
            CapabilityStatementRestResource::builder()
                .r#type(kind.clone())
                .profile(format!("http://hl7.org/fhir/StructureDefinition/{kind}"))
                .documentation((*documentation).into())
                .interaction(interactions)
                .versioning(ResourceVersionPolicy::NoVersion)
                .read_history(false)
                .update_create(false)
                .search_param(search_params)
                .build()?,
        ));
    }
    let security = CapabilityStatementRestSecurity::builder()
        .cors(false)
        .description(
            "Location, HealthcareService, Schedule and Slot are public. Appointment needs a signed-in staff session \
             with the clinic_staff, clinic_manager or admin role; every appointment returned is audited."
                .into(),
        )
        .build()?;
    let rest = CapabilityStatementRest::builder()
        .mode(RestfulCapabilityMode::Server)
        .documentation(
            "Search: comma = OR, repeated parameter = AND; _count (0-100, default 20) and _offset page; unknown \
             parameters are ignored (listed in an outcome entry) unless Prefer: handling=strict."
                .into(),
        )
        .security(security)
        .resource(resources)
        .build()?;
    CapabilityStatement::builder()
        .id("phos-clinics".into())
        .url(format!("{base}/metadata"))
        .version(env!("CARGO_PKG_VERSION").into())
        .name("PHOSSmartClinics".into())
        .title("PHOS smart clinics FHIR R4 API".into())
        .status(PublicationStatus::Active)
        .experimental(false)
        .date(fhir_sdk::DateTime::DateTime(map::instant(kernel::now_ms())))
        .publisher("Department of Health, HKSAR (PHOS)".into())
        .kind(CapabilityStatementKind::Instance)
        .software(
            CapabilityStatementSoftware::builder()
                .name("PHOS".into())
                .version(env!("CARGO_PKG_VERSION").into())
                .build()?,
        )
        .implementation(
            CapabilityStatementImplementation::builder()
                .description("PHOS smart clinics: service points, services, schedules, slots and bookings".into())
                .url(base.to_string())
                .build()?,
        )
        .fhir_version(FHIRVersion::N401)
        .format(vec![Some("json".into()), Some("application/fhir+json".into())])
        .rest(vec![Some(rest)])
        .build()
}

// ---- Unknown types ----------------------------------------------------------------------------

fn unknown(kind: &str) -> FhirError {
    FhirError::Refused {
        status: StatusCode::NOT_FOUND,
        issue: IssueType::NotSupported,
        code: "unknown_type",
        args: vec![("name", truncate(kind))],
    }
}

async fn unknown_type(Path(kind): Path<String>) -> FhirResult {
    Err(unknown(&kind))
}

async fn unknown_type_read(Path((kind, _id)): Path<(String, String)>) -> FhirResult {
    Err(unknown(&kind))
}

// ---- Location ---------------------------------------------------------------------------------

fn location_query(search: &Search) -> FhirLocationQuery {
    let mut q = FhirLocationQuery::default();
    for p in &search.params {
        match (p.name, &p.values) {
            ("_id", Values::Tokens(t)) => q.codes.push(ids(t)),
            ("name", Values::Strings(how, v)) => q.names.push((*how, v.clone())),
            ("address-city", Values::Strings(how, v)) => q.districts.push(districts_matching(*how, v)),
            ("type", Values::Tokens(t)) => q.kinds.push(codes(t, map::CS_POINT_KIND)),
            _ => {}
        }
    }
    q
}

async fn locations(
    state: &AppState,
    q: &FhirLocationQuery,
    count: u32,
    offset: u64,
) -> Result<(Vec<(String, Resource)>, i64), FhirError> {
    let (points, total) = store::fhir_locations(&state.db, q, count, offset).await?;
    let codes: Vec<String> = points.iter().map(|p| p.code.clone()).collect();
    let sessions = store::fhir_sessions_of(&state.db, &codes).await?;
    let today = kernel::hk::today().to_string();
    let entries = points
        .iter()
        .map(|p| Ok((p.code.clone(), Resource::Location(map::location(p, &sessions, &today)?))))
        .collect::<Result<Vec<_>, BuilderError>>()?;
    Ok((entries, total))
}

async fn search_locations(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> FhirResult {
    let search = parse_search(raw.as_deref(), &headers, LOCATION_PARAMS)?;
    let (entries, total) = locations(&state, &location_query(&search), search.count, search.offset).await?;
    bundle(&base_url(&state, &headers), "Location", &search, total, entries)
}

async fn read_location(State(state): State<AppState>, Path(id): Path<String>) -> FhirResult {
    let q = FhirLocationQuery { codes: vec![vec![id.clone()]], ..Default::default() };
    let found = if valid_id(&id) { locations(&state, &q, 1, 0).await?.0 } else { vec![] };
    match found.into_iter().next() {
        Some((_, r)) => Ok(respond(StatusCode::OK, &r)),
        None => Err(FhirError::not_found("Location", &id)),
    }
}

// ---- HealthcareService and Schedule ---------------------------------------------------------------

fn point_service_query(search: &Search, services: &[Service]) -> FhirPointServiceQuery {
    let mut q = FhirPointServiceQuery::default();
    for p in &search.params {
        match (p.name, &p.values) {
            ("_id", Values::Tokens(t)) => q.targets.push(
                t.iter()
                    .filter_map(|t| map::parse_pair_id(&t.code, services).map(|(p, s)| FhirTarget::Pair(p, s)))
                    .collect(),
            ),
            ("location" | "actor", Values::Refs(r)) => q
                .targets
                .push(targets(r, services).into_iter().filter(|t| !matches!(t, FhirTarget::Patient(_))).collect()),
            ("service-type", Values::Tokens(t)) => q.services.push(codes(t, map::CS_SERVICE)),
            ("date", Values::Dates(d)) => q.horizon.push(d.iter().map(|d| d.period_cond()).collect()),
            _ => {}
        }
    }
    q
}

#[derive(Clone, Copy)]
enum PointService {
    HealthcareService,
    Schedule,
}

impl PointService {
    fn name(self) -> &'static str {
        match self {
            PointService::HealthcareService => "HealthcareService",
            PointService::Schedule => "Schedule",
        }
    }
}

async fn point_services(
    state: &AppState,
    which: PointService,
    q: &FhirPointServiceQuery,
    count: u32,
    offset: u64,
) -> Result<(Vec<(String, Resource)>, i64), FhirError> {
    let (items, total) = store::fhir_point_services(&state.db, q, count, offset).await?;
    let today = kernel::hk::today().to_string();
    let sessions = match which {
        PointService::HealthcareService => {
            let mut codes: Vec<String> = items.iter().map(|i| i.point.code.clone()).collect();
            codes.dedup();
            store::fhir_sessions_of(&state.db, &codes).await?
        }
        PointService::Schedule => vec![],
    };
    let entries = items
        .iter()
        .map(|i| {
            let id = map::pair_id(&i.point.code, &i.service.code);
            let r = match which {
                PointService::HealthcareService => {
                    Resource::HealthcareService(map::healthcare_service(i, &sessions, &today)?)
                }
                PointService::Schedule => Resource::Schedule(map::schedule(i, &today)?),
            };
            Ok((id, r))
        })
        .collect::<Result<Vec<_>, BuilderError>>()?;
    Ok((entries, total))
}

async fn search_point_services(
    state: AppState,
    which: PointService,
    headers: HeaderMap,
    raw: Option<String>,
) -> FhirResult {
    let specs = match which {
        PointService::HealthcareService => HEALTHCARE_SERVICE_PARAMS,
        PointService::Schedule => SCHEDULE_PARAMS,
    };
    let search = parse_search(raw.as_deref(), &headers, specs)?;
    let services = crate::booking::store::services(&state.db).await?;
    let q = point_service_query(&search, &services);
    let (entries, total) = point_services(&state, which, &q, search.count, search.offset).await?;
    bundle(&base_url(&state, &headers), which.name(), &search, total, entries)
}

async fn read_point_service(state: AppState, which: PointService, id: String) -> FhirResult {
    let services = crate::booking::store::services(&state.db).await?;
    let found = match map::parse_pair_id(&id, &services) {
        Some((p, s)) if valid_id(&id) => {
            let q = FhirPointServiceQuery { targets: vec![vec![FhirTarget::Pair(p, s)]], ..Default::default() };
            point_services(&state, which, &q, 1, 0).await?.0
        }
        _ => vec![],
    };
    match found.into_iter().next() {
        Some((_, r)) => Ok(respond(StatusCode::OK, &r)),
        None => Err(FhirError::not_found(which.name(), &id)),
    }
}

async fn search_healthcare_services(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> FhirResult {
    search_point_services(state, PointService::HealthcareService, headers, raw).await
}

async fn read_healthcare_service(State(state): State<AppState>, Path(id): Path<String>) -> FhirResult {
    read_point_service(state, PointService::HealthcareService, id).await
}

async fn search_schedules(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> FhirResult {
    search_point_services(state, PointService::Schedule, headers, raw).await
}

async fn read_schedule(State(state): State<AppState>, Path(id): Path<String>) -> FhirResult {
    read_point_service(state, PointService::Schedule, id).await
}

// ---- Slot -------------------------------------------------------------------------------------------

fn slot_query(search: &Search, services: &[Service]) -> Result<FhirSlotQuery, FhirError> {
    let mut q = FhirSlotQuery::default();
    for p in &search.params {
        match (p.name, &p.values) {
            ("_id", Values::Tokens(t)) => q.ids.push(ids(t)),
            ("schedule" | "location", Values::Refs(r)) => q
                .targets
                .push(targets(r, services).into_iter().filter(|t| !matches!(t, FhirTarget::Patient(_))).collect()),
            ("service-type", Values::Tokens(t)) => q.services.push(codes(t, map::CS_SERVICE)),
            ("status", Values::Tokens(t)) => {
                let mut states = vec![];
                for token in t {
                    let status = SlotStatus::from_str(&token.code).map_err(|_| bad_value("status", &token.code))?;
                    if !token.matches_system("http://hl7.org/fhir/slotstatus") {
                        continue;
                    }
                    states.extend(match status {
                        SlotStatus::Free => Some(FhirSlotState::Free),
                        SlotStatus::Busy => Some(FhirSlotState::Busy),
                        SlotStatus::BusyUnavailable => Some(FhirSlotState::Unavailable),
                        _ => None,
                    });
                }
                q.states.push(states);
            }
            ("start", Values::Dates(d)) => q.start.push(d.iter().map(|d| d.instant_cond()).collect()),
            _ => {}
        }
    }
    Ok(q)
}

async fn slots(
    state: &AppState,
    q: &FhirSlotQuery,
    services: &[Service],
    count: u32,
    offset: u64,
) -> Result<(Vec<(String, Resource)>, i64), FhirError> {
    let (rows, total) = store::fhir_slots(&state.db, q, count, offset).await?;
    let entries = rows
        .iter()
        .map(|s| Ok((s.id.clone(), Resource::Slot(map::slot(s, services)?))))
        .collect::<Result<Vec<_>, BuilderError>>()?;
    Ok((entries, total))
}

async fn search_slots(State(state): State<AppState>, headers: HeaderMap, RawQuery(raw): RawQuery) -> FhirResult {
    let search = parse_search(raw.as_deref(), &headers, SLOT_PARAMS)?;
    let services = crate::booking::store::services(&state.db).await?;
    let q = slot_query(&search, &services)?;
    let (entries, total) = slots(&state, &q, &services, search.count, search.offset).await?;
    bundle(&base_url(&state, &headers), "Slot", &search, total, entries)
}

async fn read_slot(State(state): State<AppState>, Path(id): Path<String>) -> FhirResult {
    let services = crate::booking::store::services(&state.db).await?;
    let q = FhirSlotQuery { ids: vec![vec![id.clone()]], ..Default::default() };
    let found = if valid_id(&id) { slots(&state, &q, &services, 1, 0).await?.0 } else { vec![] };
    match found.into_iter().next() {
        Some((_, r)) => Ok(respond(StatusCode::OK, &r)),
        None => Err(FhirError::not_found("Slot", &id)),
    }
}

// ---- Appointment (personal data) ------------------------------------------------------------------

fn appointment_query(search: &Search, services: &[Service]) -> Result<FhirBookingQuery, FhirError> {
    let mut q = FhirBookingQuery::default();
    for p in &search.params {
        match (p.name, &p.values) {
            ("_id", Values::Tokens(t)) => q.ids.push(ids(t)),
            ("identifier", Values::Tokens(t)) => q.references.push(codes(t, map::ID_BOOKING)),
            ("status", Values::Tokens(t)) => {
                let mut stored = vec![];
                for token in t {
                    let status =
                        AppointmentStatus::from_str(&token.code).map_err(|_| bad_value("status", &token.code))?;
                    if token.matches_system("http://hl7.org/fhir/appointmentstatus") {
                        stored.extend(map::stored_statuses(status).iter().map(|s| s.to_string()));
                    }
                }
                q.statuses.push(stored);
            }
            ("location" | "patient" | "actor", Values::Refs(r)) => q.targets.push(targets(r, services)),
            ("service-type", Values::Tokens(t)) => q.services.push(codes(t, map::CS_SERVICE)),
            ("slot", Values::Refs(r)) => q.slots.push(r.iter().map(|r| r.id.clone()).collect()),
            ("date", Values::Dates(d)) => q.start.push(d.iter().map(|d| d.instant_cond()).collect()),
            _ => {}
        }
    }
    Ok(q)
}

/// Records who read which person's appointment (and the search that found them), in one
/// transaction, before anything is returned.
async fn search_appointments(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> FhirResult {
    let search = parse_search(raw.as_deref(), &headers, APPOINTMENT_PARAMS)?;
    let services = crate::booking::store::services(&state.db).await?;
    let q = appointment_query(&search, &services)?;
    let (rows, total) = store::fhir_bookings(&state.db, &q, search.count, search.offset).await?;
    let query = truncate(raw.as_deref().unwrap_or(""));
    super::service::audit_reads(&state, &identity, &origin, Some(&query), &rows).await?;
    let entries = rows
        .iter()
        .map(|b| Ok((b.id.clone(), Resource::Appointment(map::appointment(b, &services)?))))
        .collect::<Result<Vec<_>, BuilderError>>()?;
    bundle(&base_url(&state, &headers), "Appointment", &search, total, entries)
}

async fn read_appointment(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> FhirResult {
    if !valid_id(&id) {
        return Err(FhirError::not_found("Appointment", &id));
    }
    let services = crate::booking::store::services(&state.db).await?;
    let q = FhirBookingQuery { ids: vec![vec![id.clone()]], ..Default::default() };
    let (rows, _) = store::fhir_bookings(&state.db, &q, 1, 0).await?;
    let Some(b) = rows.first() else { return Err(FhirError::not_found("Appointment", &id)) };
    super::service::audit_reads(&state, &identity, &origin, None, &rows).await?;
    Ok(respond(StatusCode::OK, &map::appointment(b, &services)?))
}
