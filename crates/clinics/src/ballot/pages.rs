//! Ballot pages: the public page of each ballot (commitment before, seed, rules, result and a
//! live verification after), registration for citizens, and the staff's create and draw actions.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::{Identity, Role, citizen};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::service::{self, RegisterError};
use super::store::{self, Ballot};

const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

#[derive(Template)]
#[template(path = "clinics/ballot/ballots.html")]
struct ListPage {
    page: PageCtx,
    ballots: Vec<Ballot>,
}

async fn list(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    render(&ListPage { page, ballots: store::ballots(&state.db).await? })
}

#[derive(Template)]
#[template(path = "clinics/ballot/ballot.html")]
struct BallotPage {
    page: PageCtx,
    b: Ballot,
    ranking: Vec<(i64, String, i64, String)>,
    verified: Option<bool>,
    people: Vec<(String, String)>,
    /// The viewer's and their dependants' entries: name, registration number, outcome once
    /// drawn, the booking of a place won.
    mine: Vec<(String, String, Option<String>, Option<String>)>,
    open_now: bool,
    errors: Vec<FieldError>,
    /// The service's and clinic's names (English, Chinese) and the session's start.
    service_name: (String, String),
    clinic_name: (String, String),
    starts_at: i64,
}

impl BallotPage {
    fn percent(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{:.1} %", x * 100.0)).unwrap_or_default()
    }
    fn cap_percent(&self) -> String {
        format!("{:.0} %", self.b.cap_fraction * 100.0)
    }
    fn outcome(&self, o: &str) -> String {
        self.page.t(&format!("ballot-outcome-{o}"))
    }
}

async fn ballot_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    id: &str,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let b = store::ballot(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let ranking = store::published_ranking(&state.db, id).await?;
    let verified = if b.status == "drawn" { Some(service::verify(&state.db, id).await?.is_ok()) } else { None };
    let now = kernel::now_ms();
    let open_now = b.status == "open" && now >= b.opens_at && now < b.closes_at;
    let (people, mine) = match identity.citizen() {
        Some(me) => {
            let mut people = vec![(me.id.clone(), me.name.clone())];
            for d in citizen::dependants(&state.db, &me.id).await? {
                people.push((d.id, d.name));
            }
            let mut mine = vec![];
            for (pid, name) in &people {
                if let Some((reg, outcome, reference)) = store::entry_of(&state.db, id, pid).await? {
                    mine.push((name.clone(), reg, outcome, reference));
                }
            }
            (people, mine)
        }
        None => (vec![], vec![]),
    };
    let service_name = crate::booking::store::service(&state.db, &b.service)
        .await?
        .map(|s| (s.name_en, s.name_zh))
        .unwrap_or_default();
    let clinic_name = kernel::directory::service_point(&state.db, &b.service_point)
        .await?
        .map(|p| (p.name_en, p.name_zh))
        .unwrap_or_default();
    let starts_at = crate::booking::store::slot(&state.db, &b.slot_id).await?.map(|s| s.starts_at).unwrap_or_default();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view =
        BallotPage { page, b, ranking, verified, people, mine, open_now, errors, service_name, clinic_name, starts_at };
    Ok((status, render(&view)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Response> {
    ballot_page(&state, page, &identity, &id, vec![]).await
}

#[derive(Deserialize)]
struct RegisterForm {
    for_citizen: String,
}

async fn register(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<RegisterForm>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    if !citizen::can_act_for(&state.db, &me, &f.for_citizen).await? {
        return ballot_page(&state, page, &identity, &id, vec![FieldError::new("for_citizen", "not_yours", &[])]).await;
    }
    match service::register(&state.db, &id, &f.for_citizen, &identity.actor(), &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/ballots/{id}")).into_response()),
        Err(RegisterError::NotFound) => Err(AppError::NotFound),
        Err(RegisterError::Db(e)) => Err(e.into()),
        Err(e) => ballot_page(&state, page, &identity, &id, vec![FieldError::new("for_citizen", e.code(), &[])]).await,
    }
}

#[derive(Deserialize)]
struct CreateForm {
    closes_at: String,
}

async fn create(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(slot_id): Path<String>,
    Form(f): Form<CreateForm>,
) -> AppResult<Response> {
    let slot = crate::booking::store::slot(&state.db, &slot_id).await?.ok_or(AppError::NotFound)?;
    let closes = chrono::NaiveDateTime::parse_from_str(f.closes_at.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| t.and_local_timezone(kernel::hk::tz()).single())
        .map(|t| t.timestamp_millis());
    let now = kernel::now_ms();
    let Some(closes) = closes.filter(|c| *c > now && *c < slot.starts_at) else {
        return Err(AppError::Validation(vec![FieldError::new("closes_at", "ballot_close_time", &[])]));
    };
    let places = slot.general_left();
    if places == 0 {
        return Err(crate::booking::api::refusal(crate::booking::rules::Refusal::SlotFull));
    }
    let id = service::create(&state.db, &slot_id, places, now, closes, &identity.actor(), &origin).await?;
    Ok(Redirect::to(&format!("/ballots/{id}")).into_response())
}

async fn draw(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let b = store::ballot(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    if b.status != "open" {
        return Err(AppError::Conflict("ballot_already_drawn"));
    }
    if kernel::now_ms() < b.closes_at {
        return Err(AppError::Conflict("ballot_still_open"));
    }
    service::draw(&state.db, &id, &identity.actor(), &origin).await?;
    state.wake_worker();
    Ok(Redirect::to(&format!("/ballots/{id}")).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/ballots", Access::Public, get(list))
        .page("/ballots/{id}", Access::Public, get(show))
        .page("/ballots/{id}/register", Access::Citizen, post(register))
        .page("/staff/ballots/{id}/draw", Access::Staff(MANAGERS), post(draw))
        .page("/staff/slots/{id}/ballot", Access::Staff(MANAGERS), post(create))
}
