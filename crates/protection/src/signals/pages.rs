//! Signals pages: the list with filters and counts per status, the duty officer setting, and a
//! signal's page with its evidence (SVG chart and the same numbers as a table), the triage form
//! and the history of decisions.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::service::{self, DutyOfficer, TriageError, TriageInput};
use super::{
    Evidence, LEADS, METHODS, STATUSES, Signal, SignalEvent, SignalFilter, SignalRun, TERRITORY, fmt_num, store,
};
use crate::cases::EPI;
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease};
use crate::clusters::{self, Cluster};
use crate::ui::Labels;

/// Signals per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// Labels of the signals pages.
pub trait SignalLabels {
    fn area_label(&self, code: &str) -> String;
    fn method_label(&self, code: &str) -> String;
    fn status_label(&self, code: &str) -> String;
    fn num(&self, v: &f64) -> String;
    fn bound(&self, v: &Option<f64>) -> String;
}

impl SignalLabels for PageCtx {
    fn area_label(&self, code: &str) -> String {
        service::area_name(code, self.locale)
    }
    fn method_label(&self, code: &str) -> String {
        self.t(&format!("prot-sig-method-{code}"))
    }
    fn status_label(&self, code: &str) -> String {
        self.t(&format!("prot-sig-status-{code}"))
    }
    fn num(&self, v: &f64) -> String {
        fmt_num(*v)
    }
    fn bound(&self, v: &Option<f64>) -> String {
        v.map(fmt_num).unwrap_or_else(|| "–".into())
    }
}

/// Areas for a select: the territory, then the 18 districts.
fn area_options(page: &PageCtx) -> Vec<(String, String)> {
    let mut v = vec![(TERRITORY.to_string(), page.area_label(TERRITORY))];
    v.extend(kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())));
    v
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    disease: Option<String>,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Template)]
#[template(path = "protection/signals/list.html")]
struct ListPage {
    page: PageCtx,
    signals: Vec<Signal>,
    diseases: Vec<Disease>,
    filter: SignalFilter,
    counts: Vec<(&'static str, i64)>,
    total: i64,
    page_no: i64,
    more: bool,
    query: String,
    areas: Vec<(String, String)>,
    runs: Vec<SignalRun>,
    duty: DutyOfficer,
    duty_emails: String,
    can_edit_duty: bool,
    saved: bool,
    errors: FieldErrors,
}

impl ListPage {
    fn statuses(&self) -> &'static [&'static str] {
        &STATUSES
    }
    fn methods(&self) -> &'static [&'static str] {
        &METHODS
    }
    fn selected(&self, value: &Option<String>, code: &str) -> bool {
        value.as_deref() == Some(code)
    }
}

async fn list_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    q: ListQuery,
    errors: Vec<FieldError>,
    duty_form: Option<(String, String)>,
) -> AppResult<Response> {
    let filter = SignalFilter { status: q.status, disease: q.disease, area: q.area, method: q.method }.normalised();
    let page_no = q.page.unwrap_or(1).clamp(1, 10_000);
    let mut signals = store::signals(&state.db, &filter, PAGE_SIZE + 1, (page_no - 1) * PAGE_SIZE).await?;
    let more = signals.len() as i64 > PAGE_SIZE;
    signals.truncate(PAGE_SIZE as usize);
    let by_status = store::signal_status_counts(&state.db, &filter).await?;
    let counts: Vec<(&'static str, i64)> =
        STATUSES.iter().map(|s| (*s, by_status.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0))).collect();
    let total = counts.iter().map(|(_, n)| n).sum();
    let mut pairs: Vec<(&str, &str)> = vec![];
    for (k, v) in
        [("status", &filter.status), ("disease", &filter.disease), ("area", &filter.area), ("method", &filter.method)]
    {
        if let Some(v) = v {
            pairs.push((k, v));
        }
    }
    let query =
        pairs.iter().map(|(k, v)| format!("{k}={}", kernel::web::url::percent_encode(v))).collect::<Vec<_>>().join("&");
    let mut duty = service::duty_officer(&state.db).await?;
    let duty_emails = match duty_form {
        Some((emails, locale)) => {
            duty.locale = locale;
            emails
        }
        None => duty.emails.join("\n"),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    let p = ListPage {
        areas: area_options(&page),
        page,
        signals,
        diseases: catalogue::store::diseases(&state.db).await?,
        filter,
        counts,
        total,
        page_no,
        more,
        query,
        runs: store::signal_runs(&state.db, 5).await?,
        duty,
        duty_emails,
        can_edit_duty: LEADS.iter().any(|r| identity.has_role(*r)),
        saved: q.saved.as_deref() == Some("duty"),
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

async fn list(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_page(&state, page, &identity, q, vec![], None).await
}

#[derive(Deserialize)]
struct DutyForm {
    #[serde(default)]
    emails: String,
    #[serde(default)]
    locale: String,
}

async fn save_duty(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<DutyForm>,
) -> AppResult<Response> {
    match service::parse_duty_officer(&state.db, &f.emails, &f.locale).await? {
        Ok(duty) => {
            service::save_duty_officer(&state.db, &duty, &identity.actor(), &origin).await?;
            Ok(Redirect::to("/staff/protection/signals?saved=duty#duty-heading").into_response())
        }
        Err(e) => list_page(&state, page, &identity, ListQuery::default(), vec![e], Some((f.emails, f.locale))).await,
    }
}

#[derive(Template)]
#[template(path = "protection/signals/signal.html")]
struct SignalPage {
    page: PageCtx,
    signal: Signal,
    evidence: Evidence,
    disease_name: String,
    svg: String,
    events: Vec<SignalEvent>,
    next: Vec<&'static str>,
    clusters: Vec<Cluster>,
    form: TriageInput,
    saved: bool,
    errors: FieldErrors,
}

impl SignalPage {
    fn district_names(&self) -> String {
        self.evidence.districts.iter().map(|d| self.page.area_label(d)).collect::<Vec<_>>().join(", ")
    }
    fn p_value(&self) -> String {
        self.evidence.p_value.map(|p| format!("{p:.3}")).unwrap_or_else(|| "–".into())
    }
    fn param_text(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => "–".into(),
            other => other.to_string(),
        }
    }
}

async fn signal_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    form: Option<TriageInput>,
    errors: Vec<FieldError>,
    stale: bool,
    saved: bool,
) -> AppResult<Response> {
    let signal = store::signal(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let evidence = Evidence::parse(&signal.evidence.to_string());
    let disease_name = catalogue::store::disease(&state.db, &signal.disease)
        .await?
        .map(|d| d.name(page.is_zh()).to_string())
        .unwrap_or_else(|| signal.disease.clone());
    let area = page.area_label(&signal.area);
    let title = format!("{disease_name} · {area} · {}", page.method_label(&signal.method));
    let alarms: Vec<String> = evidence.weeks.iter().filter(|w| w.alarm).map(|w| w.week_start.clone()).collect();
    let description = page.t1("prot-sig-chart-desc", "count", evidence.weeks.len())
        + " "
        + &page.t1("prot-sig-chart-alarms", "value", alarms.join(", "));
    let svg = super::evidence_svg(&evidence.weeks, &title, &description, &page.t("prot-sig-upperbound"));
    let clusters = clusters::store::clusters(&state.db).await?.into_iter().filter(|c| c.status == "open").collect();
    let form = form.unwrap_or(TriageInput { version: signal.version, ..Default::default() });
    let status = if stale {
        StatusCode::CONFLICT
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = page.errors(errors);
    let p = SignalPage {
        events: store::signal_events(&state.db, id).await?,
        next: super::next_states(&signal.status),
        signal,
        evidence,
        disease_name,
        svg,
        clusters,
        form,
        saved,
        errors,
        page,
    };
    Ok((status, render(&p)?).into_response())
}

#[derive(Deserialize, Default)]
struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

async fn view(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
    Query(s): Query<Saved>,
) -> AppResult<Response> {
    signal_page(&state, page, &id, None, vec![], false, s.saved.is_some()).await
}

async fn triage(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<TriageInput>,
) -> AppResult<Response> {
    match service::triage(&state.db, &id, &f, &identity.actor(), &origin).await {
        Ok(s) => Ok(Redirect::to(&format!("/staff/protection/signals/{}?saved=1", s.id)).into_response()),
        Err(TriageError::NotFound) => Err(AppError::NotFound),
        Err(TriageError::Stale(_)) => {
            // The form is shown again with the signal as it is now; the decision is not kept.
            let e = FieldError::new("status", "signal_stale", &[]);
            signal_page(&state, page, &id, None, vec![e], true, false).await
        }
        Err(TriageError::Invalid(errors)) => signal_page(&state, page, &id, Some(f), errors, false, false).await,
        Err(TriageError::Other(e)) => Err(AppError::Internal(e)),
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/protection/signals", Access::Staff(EPI), get(list))
        .page("/staff/protection/signals/duty-officer", Access::Staff(LEADS), post(save_duty))
        .page("/staff/protection/signals/{id}", Access::Staff(EPI), get(view))
        .page("/staff/protection/signals/{id}/triage", Access::Staff(EPI), post(triage))
}
