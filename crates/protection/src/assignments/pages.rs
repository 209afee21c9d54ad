//! Need-to-know assignments: a lead epidemiologist (or an administrator) assigns cases and
//! clusters to epidemiologists; only those assigned see the people named.

use askama::Template;
use axum::extract::{Path, State};
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

use super::service::{self, NewAssignment};
use super::{Assignment, LEADS, store};
use crate::clusters;
use crate::ui::Labels;

#[derive(Template)]
#[template(path = "protection/assignments/list.html")]
struct AssignmentsPage {
    page: PageCtx,
    assignments: Vec<Assignment>,
    people: Vec<(String, String)>,
    errors: FieldErrors,
    form: AssignForm,
}

#[derive(Deserialize, Default, Clone)]
struct AssignForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    reference: String,
    /// Where to return after assigning (the case page's own form); a local path only.
    #[serde(default)]
    back: String,
}

/// Active staff who can be assigned: epidemiologists and lead epidemiologists.
async fn epidemiologists(state: &AppState) -> AppResult<Vec<(String, String)>> {
    Ok(service::assignable_staff(&state.db).await?)
}

async fn page_with(state: &AppState, page: PageCtx, errors: Vec<FieldError>, form: AssignForm) -> AppResult<Response> {
    let assignments = store::assignments(&state.db, None).await?;
    let people = epidemiologists(state).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((status, render(&AssignmentsPage { page, assignments, people, errors, form })?).into_response())
}

async fn list(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    page_with(&state, page, vec![], AssignForm { subject_type: "case".into(), ..Default::default() }).await
}

async fn assign(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<AssignForm>,
) -> AppResult<Response> {
    let mut errors = vec![];
    let people = epidemiologists(&state).await?;
    if !people.iter().any(|(id, _)| *id == f.staff_id) {
        errors.push(FieldError::new("staff_id", "not_an_epidemiologist", &[]));
    }
    let reference = f.reference.trim().to_uppercase();
    let subject = match f.subject_type.as_str() {
        "case" => store::case_subject(&state.db, &reference).await?,
        "cluster" => clusters::store::cluster_by_reference(&state.db, &reference).await?.map(|c| (c.id, String::new())),
        _ => {
            errors.push(FieldError::new("subject_type", "invalid_choice", &[]));
            None
        }
    };
    if subject.is_none() && matches!(f.subject_type.as_str(), "case" | "cluster") {
        errors.push(FieldError::new(
            "reference",
            "unknown_reference",
            &[("value", reference.chars().take(30).collect())],
        ));
    }
    let (Some((subject_id, person)), true) = (subject, errors.is_empty()) else {
        return page_with(&state, page, errors, f).await;
    };
    let a = NewAssignment {
        staff_id: &f.staff_id,
        subject_type: &f.subject_type,
        subject_id: &subject_id,
        reference: &reference,
        person_id: &person,
    };
    if !service::assign(&state.db, &identity.actor(), &origin, &a).await? {
        return page_with(&state, page, vec![FieldError::new("reference", "already_assigned", &[])], f).await;
    }
    let back = kernel::web::redirect::safe_local(
        Some(f.back.as_str()).filter(|b| !b.is_empty()),
        "/staff/protection/assignments",
    );
    Ok(Redirect::to(back).into_response())
}

async fn end(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !service::end(&state.db, &identity.actor(), &origin, &id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/protection/assignments").into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/protection/assignments", Access::Staff(LEADS), get(list).post(assign)).page(
        "/staff/protection/assignments/{id}/end",
        Access::Staff(LEADS),
        post(end),
    )
}
