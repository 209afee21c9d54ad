//! The notification web form for registered medical practitioners and laboratories: choose the
//! disease, fill in the form (with the disease's own questions), get a reference. Works without
//! JavaScript; a repeated submission of the same form is answered with the first reference.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::service::{self, Outcome, Reporter};
use super::validate::{self, LabIn, NotificationIn, PatientIn, ReporterIn};
use super::{Channel, NotificationRow, REPORTERS, store};
use crate::cases::{Classification, EXPOSURE_SETTINGS, LAB_RESULTS};
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease, FieldKind};
use crate::ui::{self, Labels};

#[derive(Template)]
#[template(path = "protection/notifications/start.html")]
struct StartPage {
    page: PageCtx,
    diseases: Vec<Disease>,
    recent: Vec<(NotificationRow, String)>,
    errors: Vec<FieldError>,
}

async fn start_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Unauthorized)?;
    let mut diseases: Vec<Disease> =
        catalogue::store::diseases(&state.db).await?.into_iter().filter(|d| d.active).collect();
    if page.is_zh() {
        diseases.sort_by(|a, b| a.name_zh.cmp(&b.name_zh));
    }
    let recent = store::notifications_by_reporter(&state.db, &me.id, 20).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&StartPage { page, diseases, recent, errors })?).into_response())
}

async fn start(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Response> {
    start_page(&state, page, &identity, vec![]).await
}

#[derive(Template)]
#[template(path = "protection/notifications/form.html")]
struct FormPage {
    page: PageCtx,
    disease: Disease,
    values: BTreeMap<String, String>,
    errors: FieldErrors,
    districts: Vec<(String, String)>,
}

impl FormPage {
    fn v(&self, key: &str) -> String {
        self.values.get(key).cloned().unwrap_or_default()
    }
    fn is(&self, key: &str, value: &str) -> bool {
        self.values.get(key).is_some_and(|v| v == value)
    }
    fn settings(&self) -> &'static [&'static str] {
        &EXPOSURE_SETTINGS
    }
    fn results(&self) -> &'static [&'static str] {
        &LAB_RESULTS
    }
    fn classes(&self) -> [&'static str; 3] {
        [Classification::Suspected.code(), Classification::Probable.code(), Classification::Confirmed.code()]
    }
    fn kind_code(&self, k: &FieldKind) -> &'static str {
        k.code()
    }
}

#[derive(Deserialize)]
struct DiseaseQuery {
    disease: Option<String>,
}

fn form_page(
    page: PageCtx,
    disease: Disease,
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let districts = ui::district_options(&page);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((status, render(&FormPage { page, disease, values, errors, districts })?).into_response())
}

async fn new_form(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Query(q): Query<DiseaseQuery>,
) -> AppResult<Response> {
    let code = q.disease.unwrap_or_default();
    let Some(disease) = catalogue::store::disease(&state.db, code.trim()).await?.filter(|d| d.active) else {
        let e = if code.trim().is_empty() {
            FieldError::new("disease", "choose_disease", &[])
        } else {
            FieldError::new("disease", "unknown_disease", &[("value", code.chars().take(40).collect())])
        };
        return start_page(&state, page, &identity, vec![e]).await;
    };
    let mut values = BTreeMap::new();
    values.insert("form_id".to_string(), kernel::new_id());
    values.insert("kind".to_string(), "clinical".to_string());
    values.insert("classification".to_string(), "suspected".to_string());
    values.insert("exposure_setting".to_string(), "unknown".to_string());
    form_page(page, disease, values, vec![])
}

/// The form's fields as a notification document.
fn notification_of(values: &BTreeMap<String, String>, reporter_name: &str) -> NotificationIn {
    let get = |k: &str| values.get(k).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let lab = (get("lab_test").is_some() || get("lab_result").is_some()).then(|| LabIn {
        test: get("lab_test"),
        specimen_date: get("lab_specimen_date"),
        result: get("lab_result"),
        organism: get("lab_organism"),
    });
    NotificationIn {
        reporter_ref: get("form_id").map(|f| format!("web:{f}")),
        disease: get("disease"),
        icd10: None,
        kind: get("kind"),
        classification: get("classification"),
        patient: PatientIn {
            hkid: get("hkid"),
            name_en: get("name_en"),
            name_zh: get("name_zh"),
            sex: get("sex"),
            birth_date: get("birth_date"),
            phone: get("phone"),
            address: get("address"),
            district: get("district"),
        },
        onset_date: get("onset_date"),
        exposure_setting: get("exposure_setting"),
        lab,
        fields: values
            .iter()
            .filter_map(|(k, v)| {
                Some((k.strip_prefix("f_")?.to_string(), serde_json::Value::String(v.trim().to_string())))
            })
            .filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
            .collect(),
        reporter: Some(ReporterIn { name: Some(reporter_name.to_string()), institution: get("institution") }),
    }
}

async fn submit(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Unauthorized)?.clone();
    let mut values: BTreeMap<String, String> =
        pairs.into_iter().filter(|(k, _)| k != "csrf").map(|(k, v)| (k, v.chars().take(2000).collect())).collect();
    let code = values.get("disease").cloned().unwrap_or_default();
    let diseases = catalogue::store::diseases(&state.db).await?;
    let Some(disease) = diseases.iter().find(|d| d.code == code && d.active).cloned() else {
        let e = FieldError::new("disease", "unknown_disease", &[("value", code.chars().take(40).collect())]);
        return start_page(&state, page, &identity, vec![e]).await;
    };
    let n = notification_of(&values, &me.display_name);
    let checked = validate::validate(&n, &diseases, kernel::hk::today());
    let reporter =
        Reporter { kind: "staff", id: me.id.clone(), name: me.display_name.clone(), institution: String::new() };
    let out = match checked {
        Err(errors) => Outcome::Rejected(errors),
        Ok(v) => service::submit(
            &state,
            &service::Submission {
                diseases: &diseases,
                reporter: &reporter,
                channel: Channel::Web,
                actor: &identity.actor(),
                origin: &origin,
                received_at: kernel::now_ms(),
                atomic: true,
            },
            vec![Ok(v)],
        )
        .await?
        .remove(0),
    };
    match out {
        Outcome::Created(a) | Outcome::Replayed(a) => {
            Ok(Redirect::to(&format!("/notify/done/{}", a.reference)).into_response())
        }
        Outcome::Rejected(errors) => {
            let mut errors: Vec<FieldError> = errors
                .into_iter()
                .map(|mut e| {
                    e.field = ui::form_id(&e.field);
                    e
                })
                .collect();
            if errors.iter().any(|e| e.field == "reporter_ref") {
                // The same form was sent before with other answers: this is a new notification.
                errors = vec![FieldError::new("hkid", "form_already_sent", &[])];
                values.insert("form_id".into(), kernel::new_id());
            }
            form_page(page, disease, values, errors)
        }
    }
}

#[derive(Template)]
#[template(path = "protection/notifications/done.html")]
struct DonePage {
    page: PageCtx,
    n: NotificationRow,
    case_reference: String,
    disease: Option<Disease>,
}

async fn done(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(reference): Path<String>,
) -> AppResult<Html<String>> {
    let me = identity.staff().ok_or(AppError::Unauthorized)?;
    let (n, case_reference) =
        store::notification_of_reporter(&state.db, &reference, &me.id).await?.ok_or(AppError::NotFound)?;
    let disease = catalogue::store::disease(&state.db, &n.disease).await?;
    render(&DonePage { page, n, case_reference, disease })
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/notify", Access::Staff(REPORTERS), get(start))
        .page("/notify/new", Access::Staff(REPORTERS), get(new_form).post(submit))
        .page("/notify/done/{reference}", Access::Staff(REPORTERS), get(done))
}
