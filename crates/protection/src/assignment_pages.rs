//! Need-to-know assignments: a lead epidemiologist (or an administrator) assigns cases and
//! clusters to epidemiologists; only those assigned see the people named.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::{self, Event, Origin};
use kernel::identity::{Access, Identity, Role, Routes, staff};
use kernel::web::page::render;
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use crate::model::Assignment;
use crate::store;
use crate::ui::Labels;

pub const LEADS: &[Role] = &[Role::LeadEpidemiologist, Role::Admin];

#[derive(Template)]
#[template(path = "protection/assignments.html")]
struct AssignmentsPage {
    page: PageCtx,
    assignments: Vec<Assignment>,
    people: Vec<(String, String)>,
    errors: Vec<FieldError>,
    form: AssignForm,
}

impl AssignmentsPage {
    fn error_for(&self, id: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == id).map(|e| self.page.field_message(e))
    }
}

#[derive(Deserialize, Default, Clone)]
struct AssignForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    reference: String,
}

/// Active staff who can be assigned: epidemiologists and lead epidemiologists.
async fn epidemiologists(state: &AppState) -> AppResult<Vec<(String, String)>> {
    Ok(staff::list(&state.db)
        .await?
        .into_iter()
        .filter(|u| {
            u.status == "active"
                && (u.roles.contains(&Role::Epidemiologist) || u.roles.contains(&Role::LeadEpidemiologist))
        })
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.email)))
        .collect())
}

async fn page_with(state: &AppState, page: PageCtx, errors: Vec<FieldError>, form: AssignForm) -> AppResult<Response> {
    let assignments = store::assignments(&state.db, None).await?;
    let people = epidemiologists(state).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
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
        "case" => store::case_by_reference(&state.db, &reference).await?.map(|c| (c.id, c.person_id)),
        "cluster" => store::cluster_by_reference(&state.db, &reference).await?.map(|c| (c.id, String::new())),
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
    let by = identity.actor().id().to_string();
    let mut tx = state.db.begin().await?;
    if !store::assign(&mut tx, &f.staff_id, &f.subject_type, &subject_id, &by).await? {
        tx.rollback().await?;
        return page_with(&state, page, vec![FieldError::new("reference", "already_assigned", &[])], f).await;
    }
    let detail = format!("{} {reference} to {}", f.subject_type, f.staff_id);
    let mut event =
        Event::new("assignment.create", &f.subject_type, &reference).purpose("need-to-know").detail(&detail);
    if !person.is_empty() {
        event = event.person(&person);
    }
    audit::record(&state.db, &mut tx, &identity.actor(), &origin, event).await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/protection/assignments").into_response())
}

async fn end(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    let Some((staff_id, kind, subject)) = store::end_assignment(&mut tx, &id).await? else {
        return Err(AppError::NotFound);
    };
    let detail = format!("{kind} {subject} from {staff_id}");
    audit::record(
        &state.db,
        &mut tx,
        &identity.actor(),
        &origin,
        Event::new("assignment.end", &kind, &subject).purpose("need-to-know").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/staff/protection/assignments").into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/protection/assignments", Access::Staff(LEADS), get(list).post(assign)).page(
        "/staff/protection/assignments/{id}/end",
        Access::Staff(LEADS),
        post(end),
    )
}
