//! Open data: the public surveillance page `/surveillance` (no sign-in), the downloads
//! `GET /api/v1/surveillance/weekly-counts` (JSON, or CSV with `format=csv`) and the data
//! stewards' page setting the suppression threshold. Only confirmed and probable cases per
//! disease, report week and district are published, small cells suppressed (see `opendata`).

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppResult, FieldError, Form, PageCtx};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use super::{self as opendata, PublicCell, Total, service, store};
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease, STEWARDS};
use crate::counts::weeks::week_start;
use crate::dashboard;
use crate::dashboard::chart::{self as charts, ChartText, Series};
use crate::ui::{Labels, problem};

/// The suppression threshold in force.
pub async fn threshold(state: &AppState) -> AppResult<i64> {
    Ok(kernel::settings::get(&state.db, opendata::THRESHOLD_SETTING)
        .await?
        .and_then(|v| opendata::parse_threshold(&v))
        .unwrap_or(opendata::DEFAULT_THRESHOLD))
}

/// The 18 districts and "unknown", as published.
fn district_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = kernel::hk::districts().iter().map(|d| d.code.as_str()).collect();
    v.push("UNK");
    v
}

// ---------------------------------------------------------------------------------------------
// Downloads

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct CountsQuery {
    /// Disease code (see `/api/v1/protection/diseases`); all diseases when absent.
    pub disease: Option<String>,
    /// First day, `YYYY-MM-DD`: the report week containing it is the first one (default: 11
    /// weeks before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`: the report week containing it is the last one (default: this week).
    pub to: Option<String>,
    /// District code (`KT`, … or `UNK`); all districts when absent.
    pub district: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The open data for a range of report weeks.
#[derive(Serialize, ToSchema)]
pub struct WeeklyCounts {
    /// Monday of the first report week.
    pub from: String,
    /// Monday of the last report week.
    pub to: String,
    pub disease: Option<String>,
    pub district: Option<String>,
    /// Cells with 1 to threshold − 1 cases are suppressed.
    pub threshold: i64,
    /// What is counted.
    pub classification: &'static str,
    /// Cells not listed have no cases.
    pub cells: Vec<PublicCell>,
}

struct Checked {
    disease: Option<String>,
    district: Option<String>,
    from: NaiveDate,
    to: NaiveDate,
    csv: bool,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn check(q: &CountsQuery, diseases: &[Disease], today: NaiveDate) -> Result<Checked, Vec<FieldError>> {
    let mut errors = vec![];
    let disease = nonempty(&q.disease);
    if let Some(d) = &disease
        && !diseases.iter().any(|x| x.code == *d)
    {
        errors.push(FieldError::new("disease", "unknown_disease", &[("value", d.clone())]));
    }
    let district = nonempty(&q.district);
    if let Some(d) = &district
        && d != "UNK"
        && kernel::hk::district(d).is_none()
    {
        errors.push(FieldError::new("district", "unknown_district", &[("value", d.clone())]));
    }
    let day = |name: &str, v: &Option<String>, errors: &mut Vec<FieldError>| -> Option<NaiveDate> {
        let s = nonempty(v)?;
        match (s.len() == 10).then(|| s.parse::<NaiveDate>().ok()).flatten() {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(name, "date_format", &[]));
                None
            }
        }
    };
    let to_day = day("to", &q.to, &mut errors);
    let from_day = day("from", &q.from, &mut errors);
    let to = week_start(to_day.unwrap_or(today));
    let from = week_start(from_day.unwrap_or(to - Duration::weeks(11)));
    if from > to {
        errors.push(FieldError::new("from", "from_after_to", &[]));
    } else if (to - from).num_weeks() + 1 > opendata::MAX_WEEKS {
        errors.push(FieldError::new("from", "range_too_long", &[("max", opendata::MAX_WEEKS.to_string())]));
    }
    let csv = match nonempty(&q.format).as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            errors.push(FieldError::new("format", "unknown_format", &[("value", other.to_string())]));
            false
        }
    };
    if errors.is_empty() { Ok(Checked { disease, district, from, to, csv }) } else { Err(errors) }
}

/// Weekly confirmed and probable cases by disease, report week and district, small cells
/// suppressed; no personal data. `format=csv` gives the same as CSV.
#[utoipa::path(get, path = "/api/v1/surveillance/weekly-counts", tag = "surveillance", params(CountsQuery),
    responses((status = 200, body = WeeklyCounts, description = "JSON, or text/csv with format=csv"),
        (status = 400, body = kernel::web::error::ProblemBody, description = "invalid_parameters")))]
pub async fn weekly_counts(State(state): State<AppState>, Query(q): Query<CountsQuery>) -> AppResult<Response> {
    let diseases = catalogue::store::diseases(&state.db).await?;
    let c = match check(&q, &diseases, kernel::hk::today()) {
        Ok(c) => c,
        Err(errors) => return Ok(problem(StatusCode::BAD_REQUEST, "invalid_parameters", errors)),
    };
    let t = threshold(&state).await?;
    let rows = store::public_cells(
        &state.db,
        &c.from.to_string(),
        &c.to.to_string(),
        c.disease.as_deref(),
        c.district.as_deref(),
    )
    .await?;
    let cells = opendata::publish(rows, t);
    if c.csv {
        let name = format!("attachment; filename=\"phos-weekly-counts-{}-{}.csv\"", c.from, c.to);
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)],
            opendata::csv(&cells, t),
        )
            .into_response());
    }
    Ok(Json(WeeklyCounts {
        from: c.from.to_string(),
        to: c.to.to_string(),
        disease: c.disease,
        district: c.district,
        threshold: t,
        classification: "confirmed+probable",
        cells,
    })
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The public page

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub disease: Option<String>,
    pub weeks: Option<String>,
}

#[derive(Template)]
#[template(path = "protection/opendata/surveillance.html")]
struct PublicPage {
    page: PageCtx,
    diseases: Vec<Disease>,
    disease: String,
    weeks: i64,
    threshold: i64,
    districts: Vec<(String, String)>,
    /// (week start, ISO week, cells as shown, row total)
    rows: Vec<(String, String, Vec<String>, Total)>,
    column_totals: Vec<Total>,
    total: Total,
    svg: String,
    csv_href: String,
    json_href: String,
}

impl PublicPage {
    fn periods(&self) -> &'static [i64] {
        &dashboard::PERIODS
    }
    fn disease_label(&self) -> String {
        self.page.disease_name(&self.diseases, &self.disease)
    }
}

async fn public_page(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<PageQuery>,
) -> AppResult<Html<String>> {
    let diseases: Vec<Disease> = catalogue::store::diseases(&state.db).await?;
    let weeks_n = q.weeks.and_then(|w| w.trim().parse().ok()).filter(|w| dashboard::PERIODS.contains(w)).unwrap_or(12);
    let weeks = dashboard::period(kernel::hk::today(), weeks_n);
    let (from, to) = (weeks[0].to_string(), weeks[weeks.len() - 1].to_string());
    let t = threshold(&state).await?;
    let chosen = nonempty(&q.disease).filter(|d| diseases.iter().any(|x| x.code == *d));
    let disease = match chosen {
        Some(d) => d,
        None => {
            // The disease with the most published cases in the period (else the first listed).
            let mut best: Vec<(i64, String)> = vec![];
            for c in opendata::publish(store::public_cells(&state.db, &from, &to, None, None).await?, t) {
                match best.iter_mut().find(|(_, d)| *d == c.disease) {
                    Some(b) => b.0 += c.cases.unwrap_or(0),
                    None => best.push((c.cases.unwrap_or(0), c.disease)),
                }
            }
            best.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            best.into_iter()
                .next()
                .map(|b| b.1)
                .or_else(|| diseases.first().map(|d| d.code.clone()))
                .unwrap_or_default()
        }
    };
    let cells = opendata::publish(store::public_cells(&state.db, &from, &to, Some(&disease), None).await?, t);
    let codes = district_codes();
    let table = opendata::table(&weeks, &codes, &cells, t);
    let labels = dashboard::week_labels(&weeks);
    let name = page.disease_name(&diseases, &disease);
    let desc = page.locale.t_args(
        "prot-open-curve-desc",
        &[("what", name.clone()), ("from", labels[0].clone()), ("to", labels[labels.len() - 1].clone())],
    );
    let title = page.locale.t_args("prot-open-curve-title", &[("what", name)]);
    let svg = charts::epi_curve(
        &labels,
        &[Series { label: page.t("prot-open-series"), values: table.rows.iter().map(|r| r.3.published).collect() }],
        &ChartText {
            title: &title,
            desc: &desc,
            x_label: &page.t("prot-dash-axis-week"),
            y_label: &page.t("prot-dash-axis-cases"),
        },
    );
    let districts = codes
        .iter()
        .map(|c| (c.to_string(), if *c == "UNK" { page.t("prot-district-unknown") } else { page.district_name(c) }))
        .collect();
    let q = format!("disease={disease}&from={from}&to={to}");
    render(&PublicPage {
        page,
        diseases: diseases.into_iter().filter(|d| d.active).collect(),
        disease,
        weeks: weeks_n,
        threshold: t,
        districts,
        rows: table.rows,
        column_totals: table.column_totals,
        total: table.total,
        svg,
        csv_href: format!("/api/v1/surveillance/weekly-counts?{q}&format=csv"),
        json_href: format!("/api/v1/surveillance/weekly-counts?{q}"),
    })
}

// ---------------------------------------------------------------------------------------------
// The threshold (data stewards)

#[derive(Template)]
#[template(path = "protection/opendata/settings.html")]
struct SettingsPage {
    page: PageCtx,
    threshold: String,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn settings_page(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<SavedQuery>,
) -> AppResult<Html<String>> {
    let t = threshold(&state).await?;
    let errors = page.errors(vec![]);
    render(&SettingsPage { page, threshold: t.to_string(), errors, saved: q.saved.is_some() })
}

#[derive(Deserialize)]
struct ThresholdForm {
    threshold: String,
}

async fn save_settings(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<ThresholdForm>,
) -> AppResult<Response> {
    let Some(t) = opendata::parse_threshold(&f.threshold) else {
        let e = FieldError::new(
            "threshold",
            "threshold_range",
            &[("min", opendata::MIN_THRESHOLD.to_string()), ("max", opendata::MAX_THRESHOLD.to_string())],
        );
        let errors = page.errors(vec![e]);
        let html = render(&SettingsPage { page, threshold: f.threshold, errors, saved: false })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    };
    let old = threshold(&state).await?;
    service::save_threshold(&state.db, &identity.actor(), &origin, old, t).await?;
    Ok(Redirect::to("/staff/protection/open-data?saved=1").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(weekly_counts))
        .page("/surveillance", Access::Public, get(public_page))
        .page("/staff/protection/open-data", Access::Staff(STEWARDS), get(settings_page).post(save_settings))
}
