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
use kernel::audit::Origin;
use kernel::identity::{Identity, Role};
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};

use super::{Disease, DiseaseForm, FormField, NOTIFY_WITHIN, READERS, STEWARDS, service, store};
use crate::ui::Labels;

#[derive(Template)]
#[template(path = "protection/catalogue/list.html")]
struct ListPage {
    page: PageCtx,
    diseases: Vec<Disease>,
    can_edit: bool,
}

async fn list(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Html<String>> {
    let diseases = store::diseases(&state.db).await?;
    let can_edit = identity.has_role(Role::DataSteward) || identity.has_role(Role::Admin);
    render(&ListPage { page, diseases, can_edit })
}

#[derive(Template)]
#[template(path = "protection/catalogue/edit.html")]
struct EditPage {
    page: PageCtx,
    /// None when adding.
    existing: Option<Disease>,
    form: DiseaseForm,
    library: Vec<FormField>,
    errors: FieldErrors,
}

impl EditPage {
    fn checked(&self, v: &Option<String>) -> bool {
        DiseaseForm::checked(v)
    }
    fn within(&self) -> &'static [&'static str] {
        &NOTIFY_WITHIN
    }
    fn library_lines(&self) -> String {
        super::format_fields(&self.library)
    }
}

fn edit_page(
    page: PageCtx,
    existing: Option<Disease>,
    form: DiseaseForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((status, render(&EditPage { page, existing, form, library: super::field_library(), errors })?).into_response())
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
    let d = match super::validate_disease(&f, None, &taken) {
        Ok(d) => d,
        Err(errors) => return edit_page(page, None, f, errors),
    };
    if !service::add_disease(&state.db, &d, &identity.actor(), &origin).await? {
        return edit_page(page, None, f, vec![FieldError::new("code", "disease_code_taken", &[])]);
    }
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
    let new = match super::validate_disease(&f, Some(&old), &[]) {
        Ok(d) => d,
        Err(errors) => return edit_page(page, Some(old), f, errors),
    };
    if !service::update_disease(&state.db, &old, &new, &identity.actor(), &origin).await? {
        return edit_page(page, Some(old), f, vec![FieldError::new("name_en", "edited_meanwhile", &[])]);
    }
    Ok(Redirect::to("/staff/protection/diseases").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/protection/diseases", Access::Staff(READERS), get(list))
        .page("/staff/protection/diseases/new", Access::Staff(STEWARDS), get(new_form).post(create))
        .page("/staff/protection/diseases/{code}", Access::Staff(STEWARDS), get(edit).post(save))
}
