//! The catalogue pages: everyone in health protection sees the diseases; data stewards (and
//! administrators) add a newly gazetted disease or edit one — names, codes, case definition,
//! time frame, phone rule, episode and incubation, the notification form's own questions and
//! the detection settings — with no code change. Every save is validated and audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::audit::{self, Event, Origin};
use kernel::identity::{Access, Identity, Role, Routes};
use kernel::web::page::render;
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};

use crate::catalogue::{self, DiseaseForm};
use crate::model::{Disease, FormField, NOTIFY_WITHIN};
use crate::store;
use crate::ui::Labels;

pub const STEWARDS: &[Role] = &[Role::DataSteward, Role::Admin];
pub const READERS: &[Role] = &[Role::DataSteward, Role::Admin, Role::Epidemiologist, Role::LeadEpidemiologist];

#[derive(Template)]
#[template(path = "protection/diseases.html")]
struct ListPage {
    page: PageCtx,
    diseases: Vec<Disease>,
    source: &'static str,
    count: usize,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Html<String>> {
    let diseases = store::diseases(&state.db).await?;
    let (source, count) = catalogue::source();
    let can_edit = identity.has_role(Role::DataSteward) || identity.has_role(Role::Admin);
    render(&ListPage { page, diseases, source, count, can_edit })
}

#[derive(Template)]
#[template(path = "protection/disease_edit.html")]
struct EditPage {
    page: PageCtx,
    /// None when adding.
    existing: Option<Disease>,
    form: DiseaseForm,
    library: Vec<FormField>,
    errors: Vec<FieldError>,
}

impl EditPage {
    fn error_for(&self, id: &str) -> Option<String> {
        let msgs: Vec<String> =
            self.errors.iter().filter(|e| e.field == id).map(|e| self.page.field_message(e)).collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    }
    fn checked(&self, v: &Option<String>) -> bool {
        DiseaseForm::checked(v)
    }
    fn within(&self) -> &'static [&'static str] {
        &NOTIFY_WITHIN
    }
    fn library_lines(&self) -> String {
        catalogue::format_fields(&self.library)
    }
}

fn edit_page(
    page: PageCtx,
    existing: Option<Disease>,
    form: DiseaseForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&EditPage { page, existing, form, library: catalogue::field_library(), errors })?)
        .into_response())
}

async fn new_form(page: PageCtx) -> AppResult<Response> {
    let form = DiseaseForm {
        notify_within: "24h".into(),
        episode_days: "90".into(),
        incubation_max_days: "14".into(),
        detection: r#"{"methods":["threshold"],"threshold_min":1}"#.into(),
        ..Default::default()
    };
    edit_page(page, None, form, vec![])
}

async fn create(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<DiseaseForm>,
) -> AppResult<Response> {
    let taken: Vec<String> = store::diseases(&state.db).await?.into_iter().map(|d| d.code).collect();
    let d = match catalogue::validate_disease(&f, None, &taken) {
        Ok(d) => d,
        Err(errors) => return edit_page(page, None, f, errors),
    };
    let by = identity.actor().id().to_string();
    let mut tx = state.db.begin().await?;
    if !store::insert_disease(&mut tx, &d, &by).await? {
        tx.rollback().await?;
        return edit_page(page, None, f, vec![FieldError::new("code", "disease_code_taken", &[])]);
    }
    let detail = format!("added {} ({}), {} form fields", d.code, d.icd10, d.form_fields.len());
    audit::record(
        &state.db,
        &mut tx,
        &identity.actor(),
        &origin,
        Event::new("disease.create", "disease", &d.code).purpose("reference data").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/protection/diseases").into_response())
}

async fn edit(State(state): State<AppState>, page: PageCtx, Path(code): Path<String>) -> AppResult<Response> {
    let d = store::disease(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let form = DiseaseForm::from_disease(&d);
    edit_page(page, Some(d), form, vec![])
}

async fn save(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<DiseaseForm>,
) -> AppResult<Response> {
    let old = store::disease(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let new = match catalogue::validate_disease(&f, Some(&old), &[]) {
        Ok(d) => d,
        Err(errors) => return edit_page(page, Some(old), f, errors),
    };
    let changed = catalogue::changed_fields(&old, &new);
    let by = identity.actor().id().to_string();
    let mut tx = state.db.begin().await?;
    if !store::update_disease(&mut tx, &new, &by).await? {
        tx.rollback().await?;
        return edit_page(page, Some(old), f, vec![FieldError::new("name_en", "edited_meanwhile", &[])]);
    }
    let detail = format!(
        "version {}: {}",
        new.version,
        if changed.is_empty() { "no change".into() } else { changed.join(", ") }
    );
    audit::record(
        &state.db,
        &mut tx,
        &identity.actor(),
        &origin,
        Event::new("disease.update", "disease", &code).purpose("reference data").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/protection/diseases").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/protection/diseases", Access::Staff(READERS), get(list))
        .page("/staff/protection/diseases/new", Access::Staff(STEWARDS), get(new_form).post(create))
        .page("/staff/protection/diseases/{code}", Access::Staff(STEWARDS), get(edit).post(save))
}
