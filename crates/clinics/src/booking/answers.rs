//! The pages behind reminder links: confirm ("Yes") or cancel ("No") without signing in.
//! Opening a link changes nothing; the button on the page does.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::audit::{Actor, Origin};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::reminders::{self, LinkError};
use super::store;
use super::store::BookingView;

#[derive(Template)]
#[template(path = "clinics/booking/answer.html")]
struct AnswerPage {
    page: PageCtx,
    booking: Option<BookingView>,
    ask: bool,
    answer: String,
    exp: i64,
    sig: String,
    done: Option<String>,
    errors: Vec<FieldError>,
}

impl AnswerPage {
    fn status_label(&self) -> String {
        self.booking.as_ref().map(|b| self.page.t(&format!("clinics-status-{}", b.status))).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Link {
    a: String,
    exp: i64,
    sig: String,
}

fn link_error(e: LinkError) -> (StatusCode, FieldError) {
    let status = match e {
        LinkError::Forged => StatusCode::FORBIDDEN,
        LinkError::Expired => StatusCode::GONE,
    };
    (status, FieldError::new("answer", e.code(), &[]))
}

async fn respond(
    state: &AppState,
    page: PageCtx,
    reference: &str,
    link: Link,
    origin: Option<&Origin>,
) -> AppResult<Response> {
    let booking = store::booking_by_reference(&state.db, reference).await?;
    let base = AnswerPage {
        page,
        booking: None,
        ask: false,
        answer: link.a.clone(),
        exp: link.exp,
        sig: link.sig.clone(),
        done: None,
        errors: vec![],
    };
    if let Err(e) = reminders::check(&state.keys.csrf, reference, &link.a, link.exp, &link.sig, kernel::now_ms()) {
        let (status, err) = link_error(e);
        return Ok((status, render(&AnswerPage { errors: vec![err], ..base })?).into_response());
    }
    let Some(b) = booking else { return Err(AppError::NotFound) };
    if b.status != crate::booking::BookingStatus::Booked {
        let err = FieldError::new("answer", "booking_not_active", &[]);
        return Ok((StatusCode::CONFLICT, render(&AnswerPage { booking: Some(b), errors: vec![err], ..base })?)
            .into_response());
    }
    let Some(origin) = origin else {
        // Opening the link: show the booking and ask.
        return Ok(render(&AnswerPage { booking: Some(b), ask: true, ..base })?.into_response());
    };
    let actor = Actor::Citizen(b.citizen_id.clone());
    let done = if link.a == "yes" {
        crate::booking::service::confirm(state, reference, &b.citizen_id, &actor, origin).await?;
        base.page.t("answer-confirmed")
    } else {
        crate::booking::service::cancel(state, reference, &actor, origin).await?;
        base.page.t("answer-cancelled")
    };
    let b = store::booking_by_reference(&state.db, reference).await?;
    Ok(render(&AnswerPage { booking: b, done: Some(done), ..base })?.into_response())
}

async fn open(
    State(state): State<AppState>,
    page: PageCtx,
    Path(reference): Path<String>,
    Query(link): Query<Link>,
) -> AppResult<Response> {
    respond(&state, page, &reference, link, None).await
}

async fn answer(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(reference): Path<String>,
    Form(link): Form<Link>,
) -> AppResult<Response> {
    respond(&state, page, &reference, link, Some(&origin)).await
}

pub fn routes() -> Routes {
    Routes::new().page("/bookings/{reference}/answer", Access::Public, get(open).post(answer))
}
