//! Waitlist pages: join from a clinic's times, see my position and estimated wait, answer an
//! offer (from the message link, without signing in), leave; for staff, a clinic's waitlist.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::{Identity, Role};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::rules::{self, Estimate};
use super::service::{self, WaitError};
use super::store;
use super::store::{OfferView, WaitEntry};

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];
const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

/// One of my waitlist entries with where it stands.
struct MyEntry {
    e: WaitEntry,
    position: i64,
    estimate: Option<Estimate>,
}

/// A pending offer with its link signature and names.
struct MyOffer {
    o: OfferView,
    sig: String,
    service: String,
    clinic: String,
}

#[derive(Template)]
#[template(path = "clinics/waitlist/mine.html")]
struct MinePage {
    page: PageCtx,
    entries: Vec<MyEntry>,
    offers: Vec<MyOffer>,
    notice: Option<String>,
}

impl MinePage {
    fn days(&self, d: &f64) -> String {
        days_text(&self.page, *d)
    }
}

/// A wait in days, weeks or months, in the page's language.
fn days_text(page: &PageCtx, d: f64) -> String {
    if d < 1.0 {
        page.t("waitlist-under-a-day")
    } else if d < 14.0 {
        page.t1("waitlist-days", "count", d.round() as i64)
    } else if d < 120.0 {
        page.t1("waitlist-weeks", "count", (d / 7.0).round() as i64)
    } else {
        page.t1("waitlist-months", "count", (d / 30.4).round() as i64)
    }
}

#[derive(Deserialize)]
struct MineQuery {
    joined: Option<String>,
    left: Option<String>,
    accepted: Option<String>,
    declined: Option<String>,
}

async fn mine(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<MineQuery>,
) -> AppResult<Html<String>> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let db = &state.db;
    let since = kernel::now_ms() - rules::WINDOW_DAYS * 86_400_000;
    let mut entries = vec![];
    for e in store::wait_entries_of(db, &me).await? {
        let position = store::ahead_of(db, &e).await? + 1;
        let freed = store::places_freed(db, &e.service_point, &e.service, since).await?;
        let estimate = if e.slot_id.is_none() { rules::estimate(position, freed, rules::WINDOW_DAYS) } else { None };
        entries.push(MyEntry { e, position, estimate });
    }
    let mut offers = vec![];
    for o in store::pending_offers_of(db, &me).await? {
        let (service, clinic) = names(&state, &page, &o).await?;
        offers.push(MyOffer { sig: service::offer_sig(&state, &o.id), o, service, clinic });
    }
    service::list_viewed(&state, &me, &identity.actor(), &origin).await?;
    let notice = [
        (q.joined, "waitlist-joined"),
        (q.left, "waitlist-left"),
        (q.accepted, "waitlist-accepted"),
        (q.declined, "waitlist-declined"),
    ]
    .into_iter()
    .find_map(|(v, k)| v.map(|_| page.t(k)));
    render(&MinePage { page, entries, offers, notice })
}

async fn names(state: &AppState, page: &PageCtx, o: &OfferView) -> AppResult<(String, String)> {
    let service = crate::booking::store::service(&state.db, &o.service).await?;
    let point = kernel::directory::service_point(&state.db, &o.service_point).await?;
    Ok((
        service.map(|s| page.pick(&s.name_en, &s.name_zh).to_string()).unwrap_or_default(),
        point.map(|p| page.pick(&p.name_en, &p.name_zh).to_string()).unwrap_or_default(),
    ))
}

#[derive(Deserialize)]
struct JoinForm {
    point: String,
    service: String,
    for_citizen: String,
}

async fn join(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<JoinForm>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let refused = |code: &str| vec![FieldError::new("waitlist", code, &[])];
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &f.for_citizen).await? {
        return crate::booking::pages::slots_page(&state, page, &identity, &f.point, &f.service, refused("not_yours"))
            .await;
    }
    match service::join(&state, &f.point, &f.service, &f.for_citizen, &identity.actor(), &origin).await {
        Ok(_) => Ok(Redirect::to("/waitlist?joined=1").into_response()),
        Err(WaitError::Other(e)) => Err(AppError::Internal(e)),
        Err(e) => {
            crate::booking::pages::slots_page(&state, page, &identity, &f.point, &f.service, refused(e.code())).await
        }
    }
}

async fn leave(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let e = store::wait_entry(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    if !kernel::identity::citizen::can_act_for(&state.db, &me, &e.citizen_id).await? {
        return Err(AppError::NotFound);
    }
    match service::leave(&state, &id, &identity.actor(), &origin).await {
        Ok(()) => Ok(Redirect::to("/waitlist?left=1").into_response()),
        Err(WaitError::Other(e)) => Err(AppError::Internal(e)),
        Err(e) => Err(AppError::Code(StatusCode::CONFLICT, e.code())),
    }
}

#[derive(Template)]
#[template(path = "clinics/waitlist/offer.html")]
struct OfferPage {
    page: PageCtx,
    offer: Option<MyOffer>,
    done: Option<String>,
    booking: Option<String>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct Sig {
    sig: String,
    action: Option<String>,
}

async fn offer_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    sig: &Sig,
    origin: Option<&Origin>,
) -> AppResult<Response> {
    let empty =
        |page: PageCtx, errors: Vec<FieldError>| OfferPage { page, offer: None, done: None, booking: None, errors };
    if !kernel::identity::session::same_token(&service::offer_sig(state, id), &sig.sig) {
        let e = FieldError::new("offer", "link_forged", &[]);
        return Ok((StatusCode::FORBIDDEN, render(&empty(page, vec![e]))?).into_response());
    }
    let o = store::offer(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let (service, clinic) = names(state, &page, &o).await?;
    let offer = MyOffer { sig: sig.sig.clone(), o, service, clinic };
    let Some(origin) = origin else {
        // Opening the link shows the offer; only the buttons act.
        return Ok(
            render(&OfferPage { page, offer: Some(offer), done: None, booking: None, errors: vec![] })?.into_response()
        );
    };
    let actor = kernel::audit::Actor::Citizen(offer.o.citizen_id.clone());
    let result = match sig.action.as_deref() {
        Some("accept") => service::accept(state, id, &actor, origin).await.map(Some),
        Some("decline") => service::decline(state, id, &actor, origin).await.map(|_| None),
        _ => return Err(AppError::Validation(vec![FieldError::new("action", "invalid_choice", &[])])),
    };
    let fresh = store::offer(&state.db, id).await?.map(|o| MyOffer { o, ..offer });
    match result {
        Ok(reference) => {
            let done = Some(page.t(if reference.is_some() { "waitlist-accepted" } else { "waitlist-declined" }));
            Ok(render(&OfferPage { page, offer: fresh, done, booking: reference, errors: vec![] })?.into_response())
        }
        Err(WaitError::Other(e)) => Err(AppError::Internal(e)),
        Err(e) => {
            let status = if matches!(e, WaitError::OfferExpired) { StatusCode::GONE } else { StatusCode::CONFLICT };
            let errors = vec![FieldError::new("offer", e.code(), &[])];
            Ok((status, render(&OfferPage { page, offer: fresh, done: None, booking: None, errors })?).into_response())
        }
    }
}

async fn open_offer(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
    Query(sig): Query<Sig>,
) -> AppResult<Response> {
    offer_page(&state, page, &id, &sig, None).await
}

async fn answer_offer(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(sig): Form<Sig>,
) -> AppResult<Response> {
    offer_page(&state, page, &id, &sig, Some(&origin)).await
}

/// A waitlist line for staff.
struct StaffLine {
    e: WaitEntry,
    position: i64,
}

#[derive(Template)]
#[template(path = "clinics/waitlist/staff.html")]
struct StaffPage {
    page: PageCtx,
    point: kernel::directory::ServicePoint,
    lines: Vec<StaffLine>,
    offers: Vec<OfferView>,
    can_manage: bool,
}

async fn staff_waitlist(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
) -> AppResult<Html<String>> {
    let point = kernel::directory::service_point(&state.db, &code).await?.ok_or(AppError::NotFound)?;
    let entries = store::waitlist_at(&state.db, &code, 500).await?;
    // Positions count within each queue (service, and slot for a ballot's waitlist).
    let mut lines: Vec<StaffLine> = Vec::with_capacity(entries.len());
    for e in entries {
        let position = match lines.last() {
            Some(l) if l.e.service == e.service && l.e.slot_id == e.slot_id => l.position + 1,
            _ => 1,
        };
        lines.push(StaffLine { e, position });
    }
    let offers = store::offers_at(&state.db, &code, 50).await?;
    service::staff_list_viewed(&state, &code, &identity.actor(), &origin).await?;
    let can_manage = identity.has_role(Role::ClinicManager) || identity.has_role(Role::Admin);
    render(&StaffPage { page, point, lines, offers, can_manage })
}

async fn staff_remove(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let e = store::wait_entry(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    match service::leave(&state, &id, &identity.actor(), &origin).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/clinics/{}/waitlist", e.service_point)).into_response()),
        Err(WaitError::Other(e)) => Err(AppError::Internal(e)),
        Err(err) => Err(AppError::Code(StatusCode::CONFLICT, err.code())),
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/waitlist", Access::Citizen, get(mine).post(join))
        .page("/waitlist/{id}/leave", Access::Citizen, post(leave))
        .page("/offers/{id}", Access::Public, get(open_offer).post(answer_offer))
        .page("/staff/clinics/{code}/waitlist", Access::Staff(FRONT_DESK), get(staff_waitlist))
        .page("/staff/waitlist/{id}/remove", Access::Staff(MANAGERS), post(staff_remove))
}
