//! Risk pages: a premises (details, licences, inspections, and its score with every factor's
//! value, points and weight), the weights (managers change them with a reason; the history),
//! and the due list of inspections.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::{FieldErrors, single};
use kernel::web::page::render;
use kernel::web::paging::Pager;
use kernel::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;

use super::api::{RiskView, view};
use super::rules::{self, FACTORS, Weights};
use super::service::{self, ChangeError};
use super::{MANAGERS, store};
use crate::licence_types::LicenceType;
use crate::premises::Premises;

fn type_name(page: &PageCtx, types: &[LicenceType], code: &str) -> String {
    types
        .iter()
        .find(|t| t.code == code)
        .map(|t| t.name.get(page.locale).to_string())
        .unwrap_or_else(|| code.to_string())
}

fn district_name(page: &PageCtx, code: &str) -> String {
    kernel::hk::district(code).map(|d| d.name(page.locale).to_string()).unwrap_or_else(|| code.to_string())
}

fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

// ---------------------------------------------------------------------------------------------
// The premises page

pub struct FactorRow {
    pub label: String,
    pub value: String,
    pub points: String,
    pub weight: String,
    pub weighted: String,
}

/// A score's factors as rows of text in the page's language.
pub fn factor_rows(page: &PageCtx, r: &RiskView, types: &[LicenceType]) -> Vec<FactorRow> {
    r.factors
        .iter()
        .map(|f| FactorRow {
            label: page.t(&format!("reg-risk-factor-{}", f.factor)),
            value: match (f.factor.as_str(), f.value, &f.value_code) {
                ("time_since", None, _) => page.t("reg-risk-never-inspected"),
                ("time_since", Some(m), _) => page.t1("reg-risk-months", "n", num(m)),
                ("licence_type", _, Some(code)) => type_name(page, types, code),
                ("licence_type", _, None) => page.t("reg-risk-no-licence"),
                (_, Some(v), _) => num(v),
                _ => String::new(),
            },
            points: num(f.points),
            weight: num(f.weight),
            weighted: num(f.weighted),
        })
        .collect()
}

struct LicenceRow {
    number: String,
    kind: String,
    status: String,
    issued: String,
    expires: String,
}

struct InspectionRow {
    due_on: String,
    kind: String,
    status: String,
    outcome: String,
    done: String,
}

#[derive(Template)]
#[template(path = "regulatory/risk/premises.html")]
struct PremisesPage {
    page: PageCtx,
    p: Premises,
    district: String,
    licences: Vec<LicenceRow>,
    inspections: Vec<InspectionRow>,
    risk: RiskView,
    band_label: String,
    factors: Vec<FactorRow>,
    computed: String,
}

async fn premises_page(State(state): State<AppState>, page: PageCtx, Path(id): Path<String>) -> AppResult<Response> {
    let p = crate::premises::store::get(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let types = crate::licence_types::store::all(&state.db).await?;
    let licences = crate::licences::store::of_premises(&state.db, &id)
        .await?
        .into_iter()
        .map(|l| LicenceRow {
            kind: type_name(&page, &types, &l.type_code),
            status: page.t(&format!("reg-risk-licence-{}", l.status)),
            number: l.number,
            issued: l.issued_on,
            expires: l.expires_on,
        })
        .collect();
    let inspections = crate::inspections::store::of_premises(&state.db, &id)
        .await?
        .into_iter()
        .map(|i| InspectionRow {
            kind: page.t(&format!("reg-risk-kind-{}", i.kind)),
            status: page.t(&format!("reg-risk-status-{}", i.status)),
            outcome: i.outcome.as_ref().map(|o| page.t(&format!("reg-risk-outcome-{o}"))).unwrap_or_default(),
            done: i.done_at.map(|d| page.datetime(&d)).unwrap_or_default(),
            due_on: i.due_on,
        })
        .collect();
    let risk = view(&state, &id).await?;
    let factors = factor_rows(&page, &risk, &types);
    Ok(render(&PremisesPage {
        district: district_name(&page, &p.district),
        band_label: page.t(&format!("reg-risk-band-{}", risk.band)),
        computed: page.datetime(&risk.computed_at),
        factors,
        risk,
        licences,
        inspections,
        p,
        page,
    })?
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// The weights page

pub struct FieldRow {
    pub name: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

struct HistoryRow {
    version: i64,
    when: String,
    who: String,
    reason: String,
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "regulatory/risk/weights.html")]
struct WeightsPage {
    page: PageCtx,
    errors: FieldErrors,
    saved: bool,
    version: i64,
    weights: Vec<FieldRow>,
    bands: Vec<FieldRow>,
    types: Vec<FieldRow>,
    reason: String,
    history: Vec<HistoryRow>,
}

/// (field name, value) pairs of a form.
type Fields = Vec<(String, String)>;

/// The form's numeric fields of a set of weights: (name, label key or type, value).
fn field_values(w: &Weights, types: &[LicenceType]) -> (Fields, Fields, Fields) {
    let weights = FACTORS.iter().map(|f| (f.to_string(), num(w.weight(f)))).collect();
    let bands = vec![
        ("half_life_months".to_string(), num(w.half_life_months)),
        ("band_a_min".to_string(), num(w.band_a_min)),
        ("band_b_min".to_string(), num(w.band_b_min)),
        ("months_a".to_string(), w.months_a.to_string()),
        ("months_b".to_string(), w.months_b.to_string()),
        ("months_c".to_string(), w.months_c.to_string()),
    ];
    let mut codes: Vec<String> = types.iter().map(|t| t.code.clone()).collect();
    for k in w.type_points.keys() {
        if !codes.contains(k) {
            codes.push(k.clone());
        }
    }
    let types = codes
        .into_iter()
        .map(|c| {
            let v = w.type_points.get(&c).copied().unwrap_or(0.0);
            (format!("type_{c}"), num(v))
        })
        .collect();
    (weights, bands, types)
}

fn rows(errors: &FieldErrors, fields: Vec<(String, String)>, label: impl Fn(&str) -> String) -> Vec<FieldRow> {
    fields
        .into_iter()
        .map(|(name, value)| FieldRow { label: label(&name), error: errors.all_for(&name), value, name })
        .collect()
}

/// Lines "Complaints: 1 → 1.5" for what changed between two sets of weights.
fn changes(page: &PageCtx, old: Option<&Weights>, new: &Weights, types: &[LicenceType]) -> Vec<String> {
    let Some(old) = old else { return vec![] };
    let (a1, b1, c1) = field_values(old, types);
    let (a2, b2, c2) = field_values(new, types);
    let before: HashMap<String, String> = a1.into_iter().chain(b1).chain(c1).collect();
    a2.into_iter()
        .chain(b2)
        .chain(c2)
        .filter_map(|(k, v)| {
            let was = before.get(&k).cloned().unwrap_or_else(|| "0".into());
            (was != v).then(|| format!("{}: {was} → {v}", field_label(page, types, &k)))
        })
        .collect()
}

fn field_label(page: &PageCtx, types: &[LicenceType], name: &str) -> String {
    match name.strip_prefix("type_") {
        Some(code) => type_name(page, types, code),
        None if FACTORS.contains(&name) => page.t(&format!("reg-risk-factor-{name}")),
        None => page.t(&format!("reg-risk-field-{}", name.replace('_', "-"))),
    }
}

async fn weights_page_with(
    state: &AppState,
    page: PageCtx,
    shown: Option<(Vec<(String, String)>, String)>,
    errors: Vec<FieldError>,
    saved: bool,
    version: Option<i64>,
) -> AppResult<Response> {
    let types = crate::licence_types::store::all(&state.db).await?;
    let (current_version, current) = service::weights(&state.db).await?;
    let (mut weights, mut bands, mut type_fields) = field_values(&current, &types);
    let mut reason = String::new();
    if let Some((values, r)) = shown {
        reason = r;
        for f in weights.iter_mut().chain(bands.iter_mut()).chain(type_fields.iter_mut()) {
            if let Some((_, v)) = values.iter().find(|(k, _)| *k == f.0) {
                f.1 = v.clone();
            }
        }
    }
    let history_rows = store::weight_history(&state.db, 50).await?;
    let ids: Vec<String> = history_rows.iter().map(|h| h.changed_by.clone()).collect();
    let names: HashMap<String, String> = kernel::identity::staff::store::names(&state.db, &ids)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();
    let history = history_rows
        .iter()
        .map(|h| {
            let new: Weights = serde_json::from_str(&h.weights).unwrap_or_default();
            let old: Option<Weights> = h.old_weights.as_deref().and_then(|o| serde_json::from_str(o).ok());
            HistoryRow {
                version: h.version,
                when: page.datetime(&h.changed_at),
                who: names.get(&h.changed_by).cloned().unwrap_or_else(|| h.changed_by.clone()),
                reason: h.reason.clone(),
                changes: changes(&page, old.as_ref(), &new, &types),
            }
        })
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    let label = |n: &str| field_label(&page, &types, n);
    let p = WeightsPage {
        weights: rows(&errors, weights, label),
        bands: rows(&errors, bands, label),
        types: rows(&errors, type_fields, label),
        version: version.unwrap_or(current_version),
        reason,
        history,
        saved,
        errors,
        page,
    };
    Ok((status, render(&p)?).into_response())
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    saved: Option<String>,
}

async fn weights_page(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    weights_page_with(&state, page, None, vec![], q.saved.is_some(), None).await
}

/// Reads the form into weights, with an error for each field that is not a number.
pub fn parse_weights(body: &[(String, String)], types: &[String]) -> (Weights, Vec<FieldError>) {
    let mut errors = vec![];
    let mut w = Weights::default();
    let mut number = |name: &str| -> Option<f64> {
        let raw = single(body, name).trim();
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(FieldError::new(name, "reg_risk_number", &[]));
                None
            }
        }
    };
    for f in FACTORS {
        let v = number(f).unwrap_or(f64::NAN);
        match f {
            "compliance" => w.compliance = v,
            "time_since" => w.time_since = v,
            "complaints" => w.complaints = v,
            "risk_class" => w.risk_class = v,
            "volume" => w.volume = v,
            _ => w.licence_type = v,
        }
    }
    w.half_life_months = number("half_life_months").unwrap_or(f64::NAN);
    w.band_a_min = number("band_a_min").unwrap_or(f64::NAN);
    w.band_b_min = number("band_b_min").unwrap_or(f64::NAN);
    let mut months = |name: &str| -> u32 {
        match single(body, name).trim().parse::<u32>() {
            Ok(v) => v,
            Err(_) => {
                errors.push(FieldError::new(name, "reg_risk_whole_months", &[]));
                1
            }
        }
    };
    w.months_a = months("months_a");
    w.months_b = months("months_b");
    w.months_c = months("months_c");
    let mut points = std::collections::BTreeMap::new();
    for t in types {
        let name = format!("type_{t}");
        let raw = single(body, &name).trim();
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                points.insert(t.clone(), v);
            }
            _ => errors.push(FieldError::new(&name, "reg_risk_number", &[])),
        }
    }
    w.type_points = points;
    (w, errors)
}

async fn save_weights(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let types: Vec<String> = {
        let mut v: Vec<String> =
            crate::licence_types::store::all(&state.db).await?.into_iter().map(|t| t.code).collect();
        for k in service::weights(&state.db).await?.1.type_points.into_keys() {
            if !v.contains(&k) {
                v.push(k);
            }
        }
        v
    };
    let (w, mut errors) = parse_weights(&body, &types);
    let reason = single(&body, "reason").to_string();
    let seen: i64 = single(&body, "version").trim().parse().unwrap_or(-1);
    if errors.is_empty() {
        errors.extend(w.problems().into_iter().map(|p| problem_error(&p)));
    }
    if reason.trim().is_empty() {
        errors.push(FieldError::new("reason", "reg_risk_reason_missing", &[]));
    } else if let Some(e) = kernel::web::form::too_long("reason", &reason, service::MAX_REASON) {
        errors.push(e);
    }
    let shown = || (body.clone(), reason.clone());
    if !errors.is_empty() {
        return weights_page_with(&state, page, Some(shown()), errors, false, Some(seen)).await;
    }
    match service::change_weights(&state, &identity.actor(), &origin, seen, &w, &reason).await {
        Ok(_) => Ok(Redirect::to("/staff/regulatory/risk/weights?saved=1").into_response()),
        Err(ChangeError::Invalid(p)) => {
            let e = p.iter().map(problem_error).collect();
            weights_page_with(&state, page, Some(shown()), e, false, Some(seen)).await
        }
        Err(ChangeError::NoReason) => {
            let e = vec![FieldError::new("reason", "reg_risk_reason_missing", &[])];
            weights_page_with(&state, page, Some(shown()), e, false, Some(seen)).await
        }
        Err(ChangeError::Stale) => {
            let e = vec![FieldError::new("reason", "reg_risk_stale", &[])];
            weights_page_with(&state, page, Some(shown()), e, false, None).await
        }
        Err(ChangeError::Db(e)) => Err(e.into()),
    }
}

fn problem_error(p: &rules::WeightProblem) -> FieldError {
    let args: Vec<(&'static str, String)> = match p.code {
        "reg_risk_weight_range" => vec![("max", num(rules::MAX_WEIGHT))],
        "reg_risk_type_points_range" => vec![("max", num(rules::MAX_TYPE_POINTS))],
        "reg_risk_band_range" => vec![("max", num(rules::MAX_BAND_POINTS))],
        "reg_risk_months_range" => vec![("max", rules::MAX_MONTHS.to_string())],
        _ => vec![],
    };
    FieldError::new(&p.field, p.code, &args)
}

// ---------------------------------------------------------------------------------------------
// The due list

struct DueItem {
    premises_id: String,
    name: String,
    district: String,
    kind: String,
    priority: i64,
    due_on: String,
    band: String,
    total: String,
}

#[derive(Template)]
#[template(path = "regulatory/risk/due.html")]
struct DuePage {
    page: PageCtx,
    rows: Vec<DueItem>,
    pager: Pager,
    districts: Vec<(String, String)>,
    district: String,
    manager: bool,
    queued: bool,
}

#[derive(Deserialize, Default)]
struct DueQuery {
    district: Option<String>,
    page: Option<String>,
    queued: Option<String>,
}

const DUE_PAGE_SIZE: i64 = 50;

async fn due_page(State(state): State<AppState>, page: PageCtx, Query(q): Query<DueQuery>) -> AppResult<Response> {
    let district =
        q.district.as_deref().map(str::trim).filter(|d| kernel::hk::district(d).is_some()).map(str::to_string);
    let requested = q.page.as_deref().and_then(|p| p.trim().parse().ok());
    let (_, total) = store::due_list(&state.db, district.as_deref(), 0, 0).await?;
    let query = district.as_ref().map(|d| format!("district={d}")).unwrap_or_default();
    let pager = Pager::new(total, requested, DUE_PAGE_SIZE, "/staff/regulatory/inspections/due", &query);
    let (items, _) = store::due_list(&state.db, district.as_deref(), DUE_PAGE_SIZE, pager.offset()).await?;
    let rows = items
        .into_iter()
        .map(|r| DueItem {
            name: page.pick(&r.name_en, &r.name_zh).to_string(),
            district: district_name(&page, &r.district),
            kind: page.t(&format!("reg-risk-kind-{}", r.kind)),
            band: r.band.as_ref().map(|b| page.t(&format!("reg-risk-band-{b}"))).unwrap_or_default(),
            total: r.total.map(num).unwrap_or_default(),
            premises_id: r.premises_id,
            priority: r.priority,
            due_on: r.due_on,
        })
        .collect();
    let districts = kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect();
    let manager = MANAGERS.iter().any(|r| page.identity.has_role(*r));
    render(&DuePage {
        rows,
        pager,
        districts,
        district: district.unwrap_or_default(),
        manager,
        queued: q.queued.is_some(),
        page,
    })
    .map(IntoResponse::into_response)
}

/// A manager asks for a full recompute now (queued as a job).
async fn refresh_due(State(state): State<AppState>, identity: Identity, origin: Origin) -> AppResult<Response> {
    service::queue_full(&state, &identity.actor(), &origin).await?;
    Ok(Redirect::to("/staff/regulatory/inspections/due?queued=1").into_response())
}

pub fn routes() -> Routes {
    let staff = Access::Staff(crate::STAFF);
    Routes::new()
        .page("/staff/regulatory/premises/{id}", staff, get(premises_page))
        .page("/staff/regulatory/risk/weights", Access::Staff(MANAGERS), get(weights_page).post(save_weights))
        .page("/staff/regulatory/inspections/due", staff, get(due_page))
        .page("/staff/regulatory/inspections/due/refresh", Access::Staff(MANAGERS), post(refresh_due))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_the_form_and_names_each_bad_number() {
        let b = body(&[
            ("compliance", "1.5"),
            ("time_since", "abc"),
            ("complaints", "2"),
            ("risk_class", "1"),
            ("volume", "1"),
            ("licence_type", "0"),
            ("half_life_months", "12"),
            ("band_a_min", "45"),
            ("band_b_min", "25"),
            ("months_a", "6"),
            ("months_b", "x"),
            ("months_c", "24"),
            ("type_cm_retail", "3"),
        ]);
        let (w, errors) = parse_weights(&b, &["cm_retail".to_string(), "phf_hospital".to_string()]);
        assert_eq!(w.compliance, 1.5);
        assert_eq!(w.type_points.get("cm_retail"), Some(&3.0));
        let fields: Vec<_> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(
            fields,
            vec![
                ("time_since", "reg_risk_number"),
                ("months_b", "reg_risk_whole_months"),
                ("type_phf_hospital", "reg_risk_number")
            ]
        );
    }

    #[test]
    fn numbers_are_shown_without_trailing_zeros() {
        assert_eq!((num(1.0), num(1.5), num(8.75), num(0.0)), ("1".into(), "1.5".into(), "8.75".into(), "0".into()));
    }
}
