//! Epidemiologists' pages: the overview, the line list, the case page (person named or
//! pseudonymised by need-to-know, classification with history, investigation, laboratory
//! results, the notifications merged into it, contacts) and the contact follow-up page.
//! Every view of a case or a contact is audited; every change is one transaction with its audit
//! entry and, when a case moves between weekly-count cells, the counts.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::{Identity, Role};
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::followup::{self, Stage};
use super::pseudonym::{self, PersonView};
use super::store::{self, CaseFilter, CaseNotification, ClusterRef, Investigation, NewContact, NewLab};
use super::{
    CONTACT_OUTCOMES, Case, CaseLine, Classification, ClassificationChange, Contact, EPI, EXPOSURE_SETTINGS, FollowUp,
    LAB_RESULTS, LabResult, OUTCOMES, service,
};
use crate::assignments::{self, Assignment};
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease};
use crate::counts;
use crate::ui::{self, Labels};

pub const PAGE_SIZE: i64 = 50;
/// What `?saved=` may announce after a change.
const SAVED: [&str; 6] = ["classification", "investigation", "lab", "cluster", "follow_up", "outcome"];

/// Whether this staff member may see the case named: an active assignment to the case or its cluster.
pub async fn need_to_know(state: &AppState, identity: &Identity, case: &Case) -> AppResult<bool> {
    let Some(me) = identity.staff() else { return Ok(false) };
    Ok(assignments::store::is_assigned(&state.db, &me.id, &case.id, case.cluster_id.as_deref()).await?)
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    (s.len() == 10).then(|| s.parse::<NaiveDate>().ok()).flatten()
}

// ---------------------------------------------------------------------------------------------
// Overview

#[derive(Template)]
#[template(path = "protection/cases/overview.html")]
struct Overview {
    page: PageCtx,
    diseases: Vec<Disease>,
    mine: Vec<Assignment>,
    /// (disease, [suspected, probable, confirmed, discarded]) over the last four report weeks.
    recent: Vec<(String, [i64; 4])>,
    since: String,
    is_lead: bool,
    is_steward: bool,
}

async fn overview(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Html<String>> {
    let me = identity.staff().ok_or(AppError::Unauthorized)?;
    let diseases = catalogue::store::diseases(&state.db).await?;
    let mine =
        assignments::store::assignments(&state.db, None).await?.into_iter().filter(|a| a.staff_id == me.id).collect();
    let since = counts::weeks::week_start(kernel::hk::today() - chrono::Duration::days(21)).to_string();
    let mut recent: Vec<(String, [i64; 4])> = vec![];
    for (disease, class, n) in counts::store::recent_counts(&state.db, &since).await? {
        let i = Classification::ALL.iter().position(|c| c.code() == class).unwrap_or(0);
        match recent.iter_mut().find(|(d, _)| *d == disease) {
            Some((_, row)) => row[i] += n,
            None => {
                let mut row = [0; 4];
                row[i] = n;
                recent.push((disease, row));
            }
        }
    }
    let is_lead = identity.has_role(Role::LeadEpidemiologist) || identity.has_role(Role::Admin);
    let is_steward = identity.has_role(Role::DataSteward) || identity.has_role(Role::Admin);
    render(&Overview { page, diseases, mine, recent, since, is_lead, is_steward })
}

// ---------------------------------------------------------------------------------------------
// Line list

#[derive(Deserialize, Default)]
struct ListQuery {
    disease: Option<String>,
    classification: Option<String>,
    district: Option<String>,
    onset_from: Option<String>,
    onset_to: Option<String>,
    cluster: Option<String>,
    assigned: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "protection/cases/list.html")]
struct LineList {
    page: PageCtx,
    diseases: Vec<Disease>,
    districts: Vec<(String, String)>,
    lines: Vec<CaseLine>,
    counts: [i64; 4],
    total: i64,
    q: ListQuery,
    page_no: i64,
    pages: i64,
    errors: Vec<FieldError>,
}

impl LineList {
    fn sel(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
    fn val(&self, v: &Option<String>) -> String {
        v.clone().unwrap_or_default()
    }
    fn classes(&self) -> [Classification; 4] {
        Classification::ALL
    }
    fn page_of(&self) -> String {
        format!("{} / {}", self.page_no, self.pages)
    }
    /// The query string of this filter, for the pager.
    fn query_for(&self, page_no: i64) -> String {
        let mut parts = vec![];
        for (k, v) in [
            ("disease", &self.q.disease),
            ("classification", &self.q.classification),
            ("district", &self.q.district),
            ("onset_from", &self.q.onset_from),
            ("onset_to", &self.q.onset_to),
            ("cluster", &self.q.cluster),
            ("assigned", &self.q.assigned),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", kernel::web::url::percent_encode(v)));
            }
        }
        parts.push(format!("page={page_no}"));
        parts.join("&")
    }
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(64).collect())
}

async fn line_list(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Unauthorized)?;
    let mut errors = vec![];
    let mut date = |field: &str, v: &Option<String>| -> Option<String> {
        let v = blank(v)?;
        match parse_day(&v) {
            Some(d) => Some(d.to_string()),
            None => {
                errors.push(FieldError::new(field, "date_format", &[]));
                None
            }
        }
    };
    let f = CaseFilter {
        disease: blank(&q.disease),
        classification: blank(&q.classification).filter(|c| Classification::parse(c).is_some()),
        district: blank(&q.district),
        onset_from: date("onset_from", &q.onset_from),
        onset_to: date("onset_to", &q.onset_to),
        cluster: blank(&q.cluster),
        assigned: blank(&q.assigned).filter(|a| a == "mine" || a == "none"),
    };
    let mut counts = [0i64; 4];
    for (class, n) in store::case_counts(&state.db, &me.id, &f).await? {
        if let Some(i) = Classification::ALL.iter().position(|c| c.code() == class) {
            counts[i] = n;
        }
    }
    let total: i64 = counts.iter().sum();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page_no = q.page.unwrap_or(1).clamp(1, pages);
    let today = kernel::hk::today();
    let lines = store::case_lines(&state.db, &me.id, &f, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?
        .into_iter()
        .map(|(mut l, birth)| {
            l.age_band = pseudonym::age_band(birth.and_then(|b| b.parse().ok()), today);
            l
        })
        .collect();
    let detail =
        format!("{total} cases; filter {:?}", (&f.disease, &f.classification, &f.district, &f.cluster, &f.assigned));
    service::record_list_view(&state.db, &identity.actor(), &origin, &detail).await?;
    let diseases = catalogue::store::diseases(&state.db).await?;
    let districts = ui::district_options(&page);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&LineList { page, diseases, districts, lines, counts, total, q, page_no, pages, errors })?)
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// The case page

#[derive(Template)]
#[template(path = "protection/cases/case.html")]
struct CasePage {
    page: PageCtx,
    case: Case,
    disease: Option<Disease>,
    person: PersonView,
    history: Vec<ClassificationChange>,
    notifications: Vec<CaseNotification>,
    labs: Vec<LabResult>,
    contacts: Vec<Contact>,
    cluster: Option<ClusterRef>,
    open_clusters: Vec<ClusterRef>,
    assigned: Vec<Assignment>,
    /// Who a lead may assign this case to (empty for others), and the viewer's own id.
    assignable: Vec<(String, String)>,
    me: String,
    districts: Vec<(String, String)>,
    errors: FieldErrors,
    notice: Option<String>,
    today: String,
}

impl CasePage {
    fn named(&self) -> bool {
        self.person.is_named()
    }
    /// Whether the viewer may be assigned this case and is not yet.
    fn can_take(&self) -> bool {
        self.assignable.iter().any(|(id, _)| *id == self.me) && !self.assigned.iter().any(|a| a.staff_id == self.me)
    }
    fn classes(&self) -> [Classification; 4] {
        Classification::ALL
    }
    fn settings(&self) -> &'static [&'static str] {
        &EXPOSURE_SETTINGS
    }
    fn outcomes(&self) -> &'static [&'static str] {
        &OUTCOMES
    }
    fn results(&self) -> &'static [&'static str] {
        &LAB_RESULTS
    }
    fn disease_label(&self) -> String {
        self.disease
            .as_ref()
            .map(|d| d.name(self.page.is_zh()).to_string())
            .unwrap_or_else(|| self.case.disease.clone())
    }
    fn tri(&self, v: &Option<bool>) -> &'static str {
        match v {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        }
    }
    /// The disease's own answers from the first notification, with their labels.
    fn details(&self) -> Vec<(String, String)> {
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&self.case.details).unwrap_or_default();
        let fields = self.disease.as_ref().map(|d| d.form_fields.clone()).unwrap_or_default();
        map.into_iter()
            .map(|(k, v)| {
                let label = fields
                    .iter()
                    .find(|f| f.key == k)
                    .map(|f| self.page.pick(&f.label_en, &f.label_zh).to_string())
                    .unwrap_or(k);
                let v = match v.as_str() {
                    "yes" => self.page.t("prot-yes"),
                    "no" => self.page.t("prot-no"),
                    _ => v,
                };
                (label, v)
            })
            .collect()
    }
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

pub(crate) async fn case_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    origin: &Origin,
    case: Case,
    errors: Vec<FieldError>,
    saved: Option<String>,
) -> AppResult<Response> {
    let named = need_to_know(state, identity, &case).await?;
    let person = store::person(&state.db, &case.person_id).await?.ok_or(AppError::NotFound)?;
    let today = kernel::hk::today();
    service::record_case_view(&state.db, &identity.actor(), origin, &case, named).await?;
    let view = pseudonym::person_view(&person, &case.district, named, today);
    let disease = catalogue::store::disease(&state.db, &case.disease).await?;
    let history = store::classification_history(&state.db, &case.id).await?;
    let notifications = store::notifications_of(&state.db, &case.id).await?;
    let labs = store::lab_results(&state.db, &case.id).await?;
    let contacts = if named { store::contacts_of(&state.db, &case.id).await? } else { vec![] };
    let cluster = match &case.cluster_id {
        Some(id) => store::cluster_ref(&state.db, id).await?,
        None => None,
    };
    let open_clusters = store::open_clusters(&state.db).await?;
    let assigned = assignments::store::assignments(&state.db, Some(("case", &case.id))).await?;
    let lead = assignments::LEADS.iter().any(|r| identity.has_role(*r));
    let assignable = if lead { assignments::service::assignable_staff(&state.db).await? } else { vec![] };
    let me = identity.staff().map(|s| s.id.clone()).unwrap_or_default();
    let districts = ui::district_options(&page);
    let notice = saved.filter(|s| SAVED.contains(&s.as_str())).map(|s| page.t(&format!("prot-saved-{s}")));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((
        status,
        render(&CasePage {
            page,
            case,
            disease,
            person: view,
            history,
            notifications,
            labs,
            contacts,
            cluster,
            open_clusters,
            assigned,
            assignable,
            me,
            districts,
            errors,
            notice,
            today: today.to_string(),
        })?,
    )
        .into_response())
}

async fn case_view(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Query(s): Query<Saved>,
) -> AppResult<Response> {
    let case = store::case_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    case_page(&state, page, &identity, &origin, case, vec![], s.saved).await
}

/// The case, if this staff member may change it (assigned to it or its cluster).
pub(crate) async fn case_to_change(state: &AppState, identity: &Identity, reference: &str) -> AppResult<Case> {
    let case = store::case_by_reference(&state.db, reference).await?.ok_or(AppError::NotFound)?;
    if !need_to_know(state, identity, &case).await? {
        return Err(AppError::Code(StatusCode::FORBIDDEN, "not_assigned"));
    }
    Ok(case)
}

pub(crate) fn back(reference: &str, what: &str) -> Response {
    Redirect::to(&format!("/staff/protection/cases/{reference}?saved={what}")).into_response()
}

#[derive(Deserialize)]
struct ClassForm {
    classification: String,
    #[serde(default)]
    reason: String,
}

async fn reclassify(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<ClassForm>,
) -> AppResult<Response> {
    let case = case_to_change(&state, &identity, &reference).await?;
    let mut errors = vec![];
    let to = Classification::parse(&f.classification);
    match to {
        None => errors.push(FieldError::new("classification", "invalid_choice", &[])),
        Some(t) if t == case.classification => {
            errors.push(FieldError::new("classification", "same_classification", &[]))
        }
        _ => {}
    }
    let reason = f.reason.trim().to_string();
    if reason.is_empty() {
        errors.push(FieldError::new("reason", "reason_required", &[]));
    } else if reason.chars().count() > 500 {
        errors.push(FieldError::new("reason", "too_long", &[("max", "500".into())]));
    }
    let Some(to) = to.filter(|_| errors.is_empty()) else {
        return case_page(&state, page, &identity, &origin, case, errors, None).await;
    };
    match service::reclassify_case(&state.db, &identity.actor(), &origin, &case.id, to, &reason).await? {
        Ok(()) => {}
        Err(fresh) => {
            let e = FieldError::new("classification", "changed_meanwhile", &[]);
            return case_page(&state, page, &identity, &origin, *fresh, vec![e], None).await;
        }
    }
    Ok(back(&reference, "classification"))
}

#[derive(Deserialize)]
struct InvestigationForm {
    #[serde(default)]
    onset_date: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    exposure_setting: String,
    #[serde(default)]
    hospitalised: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    imported: String,
    #[serde(default)]
    notes: String,
}

fn tri_state(v: &str) -> Result<Option<bool>, ()> {
    match v {
        "yes" => Ok(Some(true)),
        "no" => Ok(Some(false)),
        "unknown" | "" => Ok(None),
        _ => Err(()),
    }
}

async fn investigate(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<InvestigationForm>,
) -> AppResult<Response> {
    let case = case_to_change(&state, &identity, &reference).await?;
    let today = kernel::hk::today();
    let mut errors = vec![];
    let onset = match f.onset_date.trim() {
        "" => None,
        s => match parse_day(s) {
            Some(d) if d > today => {
                errors.push(FieldError::new("onset_date", "onset_in_future", &[]));
                None
            }
            Some(d) => Some(d.to_string()),
            None => {
                errors.push(FieldError::new("onset_date", "date_format", &[]));
                None
            }
        },
    };
    if !super::valid_district(&f.district) {
        errors.push(FieldError::new(
            "district",
            "unknown_district",
            &[("value", f.district.chars().take(20).collect())],
        ));
    }
    if !EXPOSURE_SETTINGS.contains(&f.exposure_setting.as_str()) {
        errors.push(FieldError::new("exposure_setting", "invalid_choice", &[]));
    }
    if !OUTCOMES.contains(&f.outcome.as_str()) {
        errors.push(FieldError::new("outcome", "invalid_choice", &[]));
    }
    let hospitalised = tri_state(&f.hospitalised)
        .map_err(|_| errors.push(FieldError::new("hospitalised", "invalid_choice", &[])))
        .ok()
        .flatten();
    let imported = tri_state(&f.imported)
        .map_err(|_| errors.push(FieldError::new("imported", "invalid_choice", &[])))
        .ok()
        .flatten();
    let notes = f.notes.trim().to_string();
    if notes.chars().count() > 4000 {
        errors.push(FieldError::new("notes", "too_long", &[("max", "4000".into())]));
    }
    if !errors.is_empty() {
        return case_page(&state, page, &identity, &origin, case, errors, None).await;
    }
    let inv = Investigation {
        onset_date: onset.clone(),
        district: f.district.clone(),
        exposure_setting: f.exposure_setting.clone(),
        hospitalised,
        outcome: f.outcome.clone(),
        imported,
        notes,
    };
    let mut changed = vec![];
    for (name, same) in [
        ("onset_date", inv.onset_date == case.onset_date),
        ("district", inv.district == case.district),
        ("exposure_setting", inv.exposure_setting == case.exposure_setting),
        ("hospitalised", inv.hospitalised == case.hospitalised),
        ("outcome", inv.outcome == case.outcome),
        ("imported", inv.imported == case.imported),
        ("notes", inv.notes == case.investigation_notes),
    ] {
        if !same {
            changed.push(name);
        }
    }
    service::save_investigation(&state.db, &identity.actor(), &origin, &case.id, &inv, &changed).await?;
    Ok(back(&reference, "investigation"))
}

#[derive(Deserialize)]
struct LabForm {
    #[serde(default)]
    test: String,
    #[serde(default)]
    specimen_date: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    organism: String,
}

async fn add_lab(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<LabForm>,
) -> AppResult<Response> {
    let case = case_to_change(&state, &identity, &reference).await?;
    let mut errors = vec![];
    let test = f.test.trim().to_string();
    if test.is_empty() {
        errors.push(FieldError::new("test", "required", &[]));
    } else if test.chars().count() > 200 {
        errors.push(FieldError::new("test", "too_long", &[("max", "200".into())]));
    }
    if !LAB_RESULTS.contains(&f.result.as_str()) {
        errors.push(FieldError::new("result", "invalid_choice", &[]));
    }
    let specimen = match f.specimen_date.trim() {
        "" => None,
        s => match parse_day(s) {
            Some(d) if d <= kernel::hk::today() => Some(d.to_string()),
            Some(_) => {
                errors.push(FieldError::new("specimen_date", "date_in_future", &[]));
                None
            }
            None => {
                errors.push(FieldError::new("specimen_date", "date_format", &[]));
                None
            }
        },
    };
    let organism: String = f.organism.trim().chars().take(200).collect();
    if !errors.is_empty() {
        return case_page(&state, page, &identity, &origin, case, errors, None).await;
    }
    let lab = NewLab {
        case_id: case.id.clone(),
        notification_id: None,
        test,
        specimen_date: specimen,
        result: f.result.clone(),
        organism,
        added_by: identity.actor().id().to_string(),
        at: kernel::now_ms(),
    };
    service::add_lab_result(&state.db, &identity.actor(), &origin, &case, lab).await?;
    Ok(back(&reference, "lab"))
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    relationship: String,
    #[serde(default)]
    last_exposure: String,
}

async fn add_contact(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<ContactForm>,
) -> AppResult<Response> {
    let case = case_to_change(&state, &identity, &reference).await?;
    let disease = catalogue::store::disease(&state.db, &case.disease).await?.ok_or(AppError::NotFound)?;
    let today = kernel::hk::today();
    let mut errors = vec![];
    let text = |field: &str, v: &str, max: usize, required: bool, errors: &mut Vec<FieldError>| -> String {
        let v = v.trim().to_string();
        if required && v.is_empty() {
            errors.push(FieldError::new(field, "required", &[]));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, "too_long", &[("max", max.to_string())]));
        }
        v
    };
    let name = text("contact_name", &f.name, 100, true, &mut errors);
    let phone = text("contact_phone", &f.phone, 30, false, &mut errors);
    let relationship = text("relationship", &f.relationship, 100, true, &mut errors);
    let exposure = match parse_day(&f.last_exposure) {
        Some(d) if d > today => {
            errors.push(FieldError::new("last_exposure", "date_in_future", &[]));
            None
        }
        Some(d) => Some(d),
        None => {
            errors.push(FieldError::new("last_exposure", "date_format", &[]));
            None
        }
    };
    let Some(exposure) = exposure.filter(|_| errors.is_empty()) else {
        return case_page(&state, page, &identity, &origin, case, errors, None).await;
    };
    let until = followup::follow_up_until(exposure, disease.incubation_max_days);
    let contact = NewContact {
        id: kernel::new_id(),
        case_id: case.id.clone(),
        name,
        phone,
        relationship,
        last_exposure: exposure.to_string(),
        follow_up_until: until.to_string(),
        by: identity.actor().id().to_string(),
        at: kernel::now_ms(),
    };
    let id = contact.id.clone();
    service::add_contact(&state.db, &identity.actor(), &origin, &case, &contact).await?;
    Ok(Redirect::to(&format!("/staff/protection/contacts/{id}")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Contacts and daily follow-up

#[derive(Template)]
#[template(path = "protection/cases/contact.html")]
struct ContactPage {
    page: PageCtx,
    contact: Contact,
    case: Case,
    disease: Option<Disease>,
    records: Vec<FollowUp>,
    stage: Stage,
    missing: Vec<String>,
    today: String,
    errors: FieldErrors,
    notice: Option<String>,
}

impl ContactPage {
    fn active(&self) -> bool {
        matches!(self.stage, Stage::Active { .. })
    }
    fn days_left(&self) -> i64 {
        match self.stage {
            Stage::Active { days_left } => days_left,
            Stage::Ended => 0,
        }
    }
    fn outcomes(&self) -> &'static [&'static str] {
        &CONTACT_OUTCOMES
    }
}

async fn contact_and_case(state: &AppState, identity: &Identity, id: &str) -> AppResult<(Contact, Case)> {
    let contact = store::contact(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let case = store::case_by_id(&state.db, &contact.case_id).await?.ok_or(AppError::NotFound)?;
    if !need_to_know(state, identity, &case).await? {
        return Err(AppError::Code(StatusCode::FORBIDDEN, "not_assigned"));
    }
    Ok((contact, case))
}

async fn contact_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    origin: &Origin,
    id: &str,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> AppResult<Response> {
    let (contact, case) = contact_and_case(state, identity, id).await?;
    service::record_contact_view(&state.db, &identity.actor(), origin, &contact, &case).await?;
    let records = store::followups(&state.db, &contact.id).await?;
    let today = kernel::hk::today();
    let exposure: NaiveDate = contact.last_exposure.parse().unwrap_or(today);
    let until: NaiveDate = contact.follow_up_until.parse().unwrap_or(today);
    let recorded: Vec<NaiveDate> = records.iter().filter_map(|r| r.day.parse().ok()).collect();
    let missing =
        followup::missing_days(exposure, until, today, &recorded).into_iter().map(|d| d.to_string()).collect();
    let disease = catalogue::store::disease(&state.db, &case.disease).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((
        status,
        render(&ContactPage {
            page,
            stage: followup::stage(today, until),
            contact,
            case,
            disease,
            records,
            missing,
            today: today.to_string(),
            errors,
            notice,
        })?,
    )
        .into_response())
}

async fn contact_view(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Query(s): Query<Saved>,
) -> AppResult<Response> {
    let notice = s.saved.filter(|s| SAVED.contains(&s.as_str())).map(|s| page.t(&format!("prot-saved-{s}")));
    contact_page(&state, page, &identity, &origin, &id, vec![], notice).await
}

#[derive(Deserialize)]
struct FollowUpForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    symptoms: String,
    #[serde(default)]
    notes: String,
}

async fn record_followup(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<FollowUpForm>,
) -> AppResult<Response> {
    let (contact, case) = contact_and_case(&state, &identity, &id).await?;
    let today = kernel::hk::today();
    let mut errors = vec![];
    let exposure: NaiveDate = contact.last_exposure.parse().unwrap_or(today);
    let until: NaiveDate = contact.follow_up_until.parse().unwrap_or(today);
    let day = match parse_day(&f.day) {
        Some(d) if followup::recordable(d, exposure, until, today) => Some(d),
        Some(_) => {
            errors.push(FieldError::new("day", "outside_follow_up", &[("date", contact.follow_up_until.clone())]));
            None
        }
        None => {
            errors.push(FieldError::new("day", "date_format", &[]));
            None
        }
    };
    let symptoms = match f.symptoms.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.push(FieldError::new("symptoms", "yes_no", &[]));
            None
        }
    };
    let notes = f.notes.trim().to_string();
    if notes.chars().count() > 1000 {
        errors.push(FieldError::new("notes", "too_long", &[("max", "1000".into())]));
    }
    let (Some(day), Some(symptoms), true) = (day, symptoms, errors.is_empty()) else {
        return contact_page(&state, page, &identity, &origin, &id, errors, None).await;
    };
    let fu = service::FollowUpEntry { day, symptoms, notes };
    if !service::record_followup(&state.db, &identity.actor(), &origin, &contact, &case, &fu).await? {
        let e = FieldError::new("day", "already_recorded", &[("date", day.to_string())]);
        return contact_page(&state, page, &identity, &origin, &id, vec![e], None).await;
    }
    Ok(Redirect::to(&format!("/staff/protection/contacts/{}?saved=follow_up", contact.id)).into_response())
}

#[derive(Deserialize)]
struct OutcomeForm {
    #[serde(default)]
    outcome: String,
}

async fn contact_outcome(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> AppResult<Response> {
    let (contact, case) = contact_and_case(&state, &identity, &id).await?;
    if !CONTACT_OUTCOMES.contains(&f.outcome.as_str()) {
        let e = FieldError::new("outcome", "invalid_choice", &[]);
        return contact_page(&state, page, &identity, &origin, &id, vec![e], None).await;
    }
    service::set_contact_outcome(&state.db, &identity.actor(), &origin, &contact, &case, &f.outcome).await?;
    Ok(Redirect::to(&format!("/staff/protection/contacts/{}?saved=outcome", contact.id)).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/protection", Access::Staff(EPI), get(overview))
        .page("/staff/protection/cases", Access::Staff(EPI), get(line_list))
        .page("/staff/protection/cases/{reference}", Access::Staff(EPI), get(case_view))
        .page("/staff/protection/cases/{reference}/classification", Access::Staff(EPI), post(reclassify))
        .page("/staff/protection/cases/{reference}/investigation", Access::Staff(EPI), post(investigate))
        .page("/staff/protection/cases/{reference}/lab-results", Access::Staff(EPI), post(add_lab))
        .page("/staff/protection/cases/{reference}/contacts", Access::Staff(EPI), post(add_contact))
        .page("/staff/protection/contacts/{id}", Access::Staff(EPI), get(contact_view))
        .page("/staff/protection/contacts/{id}/follow-ups", Access::Staff(EPI), post(record_followup))
        .page("/staff/protection/contacts/{id}/outcome", Access::Staff(EPI), post(contact_outcome))
}
