//! No-show pages for staff: a person's no-show record and standing, and excusing a no-show on
//! appeal.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::{Identity, Role};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::{NoShow, Standing, service};

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];
const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

#[derive(Template)]
#[template(path = "clinics/noshow/no_shows.html")]
struct NoShowsPage {
    page: PageCtx,
    name: String,
    standing: Standing,
    no_shows: Vec<NoShow>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

impl NoShowsPage {
    fn standing_text(&self) -> String {
        match self.standing {
            Standing::Good => self.page.t("noshow-standing-good"),
            Standing::Warned { count } => self.page.t1("noshow-standing-warned", "count", count),
            Standing::Penalised { until, .. } => {
                self.page.t1("noshow-standing-penalised", "until", self.page.datetime(&until))
            }
        }
    }
}

async fn no_shows_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    origin: &Origin,
    citizen_id: &str,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let Some(record) = service::record_of(state, citizen_id, &identity.actor(), origin).await? else {
        return Err(AppError::NotFound);
    };
    let service::Record { name_en: en, name_zh: zh, standing, no_shows } = record;
    let can_manage = identity.has_role(Role::ClinicManager) || identity.has_role(Role::Admin);
    let name = [zh, en].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" ");
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = NoShowsPage { page, name, standing, no_shows, can_manage, errors };
    Ok((status, render(&p)?).into_response())
}

async fn no_shows(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(citizen_id): Path<String>,
) -> AppResult<Response> {
    no_shows_page(&state, page, &identity, &origin, &citizen_id, vec![]).await
}

#[derive(Deserialize)]
struct ExcuseForm {
    reason: String,
}

async fn excuse(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<ExcuseForm>,
) -> AppResult<Response> {
    let citizen_id = super::store::citizen_of_booking(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    let reason = f.reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        let e = FieldError::new(&format!("reason-{reference}"), "excuse_reason", &[]);
        return no_shows_page(&state, page, &identity, &origin, &citizen_id, vec![e]).await;
    }
    if !service::excuse(&state, &reference, reason, &identity.actor(), &origin).await? {
        return Err(AppError::Code(StatusCode::CONFLICT, "not_an_unexcused_no_show"));
    }
    Ok(Redirect::to(&format!("/staff/people/{citizen_id}/no-shows")).into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/people/{id}/no-shows", Access::Staff(FRONT_DESK), get(no_shows)).page(
        "/staff/bookings/{reference}/excuse",
        Access::Staff(MANAGERS),
        post(excuse),
    )
}
