//! Walk-in queue pages: the kiosk that issues tickets, the ticket a person follows on their
//! phone (live over server-sent events, or by refreshing without JavaScript), the waiting-hall
//! display board, the staff console (call next, recall, skip, reinstate, transfer, done, issue
//! at the counter, rooms) and the queue analytics.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures_util::Stream;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::directory::ServicePoint;
use kernel::i18n::Locale;
use kernel::identity::{Identity, Role};
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::rules::{self, Priority, WaitStats};
use super::service::{self, Action, IssueRequest, QueueError, QueueService, Standing};
use super::store;
use super::{Room, Ticket};

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];
const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

/// Kiosk tickets per address per minute (one kiosk serves a whole waiting hall).
const KIOSK_PER_MINUTE: i64 = 60;

pub(super) async fn point(state: &AppState, code: &str) -> AppResult<ServicePoint> {
    kernel::directory::service_point(&state.db, code).await?.ok_or(AppError::NotFound)
}

fn service_name(page: &PageCtx, services: &[QueueService], code: &str) -> String {
    services.iter().find(|s| s.code == code).map(|s| page.pick(&s.name_en, &s.name_zh).to_string()).unwrap_or_default()
}

fn refused(field: &str, e: QueueError) -> AppResult<Vec<FieldError>> {
    match e {
        QueueError::Refused(code) => Ok(vec![FieldError::new(field, code, &[])]),
        QueueError::Other(e) => Err(AppError::Internal(e)),
    }
}

/// Waiting count and the estimate for someone joining now, per service.
pub(super) struct Waiting {
    pub(super) service: QueueService,
    pub(super) waiting: i64,
    pub(super) eta_minutes: f64,
}

pub(super) async fn waiting_now(
    state: &AppState,
    point: &ServicePoint,
    services: &[QueueService],
) -> sqlx::Result<Vec<Waiting>> {
    let waiting = store::waiting_tickets(&state.db, &point.code).await?;
    let rooms = store::queue_rooms(&state.db, &point.code).await?;
    let now = kernel::now_ms();
    let mut out = vec![];
    for s in services {
        let n = waiting.iter().filter(|t| t.service == s.code).count();
        let calls = store::queue_calls_since(&state.db, &point.code, &s.code, now - rules::PACE_WINDOW_MS).await?;
        let serving = rooms.iter().filter(|r| r.services.contains(&s.code)).count();
        let eta = rules::eta(n, now, &calls, rules::typical_minutes(&s.code), serving);
        out.push(Waiting { service: s.clone(), waiting: n as i64, eta_minutes: eta.minutes });
    }
    Ok(out)
}

// ---- Kiosk ----

#[derive(Template)]
#[template(path = "clinics/queue/kiosk.html")]
struct KioskPage {
    page: PageCtx,
    point: ServicePoint,
    waiting: Vec<Waiting>,
    priorities: Vec<&'static str>,
    chosen_service: String,
    chosen_priority: String,
    errors: FieldErrors,
}

impl KioskPage {
    fn minutes(&self, m: &f64) -> String {
        kernel::web::text::minutes_label(&self.page, *m)
    }
    fn priority_label(&self, code: &str) -> String {
        self.page.t(&format!("queue-priority-{code}"))
    }
}

async fn kiosk_page(
    state: &AppState,
    page: PageCtx,
    code: &str,
    f: IssueForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let point = point(state, code).await?;
    let services = service::services_of(state, &point.kind).await?;
    let waiting = waiting_now(state, &point, &services).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let priorities = Priority::SELF_DECLARED.iter().map(|p| p.code()).collect();
    let errors = page.errors(errors);
    let p = KioskPage {
        page,
        point,
        waiting,
        priorities,
        chosen_service: f.service,
        chosen_priority: if f.priority.is_empty() { "general".into() } else { f.priority },
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

async fn kiosk(State(state): State<AppState>, page: PageCtx, Path(code): Path<String>) -> AppResult<Response> {
    kiosk_page(&state, page, &code, IssueForm::default(), vec![]).await
}

#[derive(Deserialize, Default, Clone)]
struct IssueForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    priority: String,
}

async fn kiosk_issue(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<IssueForm>,
) -> AppResult<Response> {
    let (hits, _) = kernel::ratelimit::hit(&state.db, &format!("queue-kiosk:{}", origin.ip), 60_000).await?;
    if hits > KIOSK_PER_MINUTE {
        return Err(AppError::TooManyRequests);
    }
    if f.service.is_empty() {
        let e = vec![FieldError::new("service", "queue_choose_service", &[])];
        return kiosk_page(&state, page, &code, f, e).await;
    }
    let req = IssueRequest {
        point: &code,
        service: &f.service,
        priority: if f.priority.is_empty() { "general" } else { &f.priority },
        channel: super::TicketChannel::Kiosk,
        locale: page.locale,
        actor: &kernel::audit::Actor::Anonymous,
        origin: &origin,
    };
    match service::issue(&state, req).await {
        Ok(t) => Ok(Redirect::to(&format!("/queue/t/{}?new=1", t.token)).into_response()),
        Err(e) => {
            let field = if matches!(e, QueueError::Refused("invalid_choice" | "queue_priority_not_allowed")) {
                "priority"
            } else {
                "service"
            };
            let errors = refused(field, e)?;
            kiosk_page(&state, page, &code, f, errors).await
        }
    }
}

// ---- The ticket a person follows ----

#[derive(Template)]
#[template(path = "clinics/queue/ticket_live.html")]
struct TicketLive {
    page: PageCtx,
    s: Standing,
    service: String,
}

impl TicketLive {
    fn minutes(&self, m: &f64) -> String {
        kernel::web::text::minutes_label(&self.page, *m)
    }
    fn around(&self, m: &f64) -> String {
        self.page.datetime(&(kernel::now_ms() + (*m * 60_000.0) as i64)).split(' ').nth(1).unwrap_or("").to_string()
    }
    fn priority_label(&self) -> String {
        self.page.t(&format!("queue-priority-{}", self.s.ticket.priority))
    }
    fn room_name(&self) -> String {
        self.s.room.as_ref().map(|r| self.page.pick(&r.name_en, &r.name_zh).to_string()).unwrap_or_default()
    }
}

async fn ticket_live(state: &AppState, locale: Locale, ticket: Ticket) -> AppResult<String> {
    let point = point(state, &ticket.service_point).await?;
    let services = service::services_of(state, &point.kind).await?;
    let page = PageCtx::new(locale, "/");
    let service = service_name(&page, &services, &ticket.service);
    let s = service::standing(state, ticket).await?;
    Ok(TicketLive { page, s, service }.render()?)
}

#[derive(Template)]
#[template(path = "clinics/queue/ticket.html")]
struct TicketPage {
    page: PageCtx,
    point: ServicePoint,
    ticket: Ticket,
    live: String,
    qr: Option<String>,
    notice: Option<String>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct TicketQuery {
    new: Option<String>,
    left: Option<String>,
}

async fn ticket_page(
    state: &AppState,
    page: PageCtx,
    token: &str,
    q: TicketQuery,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let ticket = store::ticket_by_token(&state.db, token).await?.ok_or(AppError::NotFound)?;
    let point = point(state, &ticket.service_point).await?;
    let live = ticket_live(state, page.locale, ticket.clone()).await?;
    let qr =
        q.new.is_some().then(|| crate::booking::pages::qr_svg(&format!("{}/queue/t/{token}", state.config.base_url())));
    let notice = q.left.map(|_| page.t("queue-left"));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&TicketPage { page, point, ticket, live, qr, notice, errors })?).into_response())
}

async fn ticket(
    State(state): State<AppState>,
    page: PageCtx,
    Path(token): Path<String>,
    Query(q): Query<TicketQuery>,
) -> AppResult<Response> {
    ticket_page(&state, page, &token, q, vec![]).await
}

async fn ticket_leave(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let t = store::ticket_by_token(&state.db, &token).await?.ok_or(AppError::NotFound)?;
    match service::leave(&state, &t, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/queue/t/{token}?left=1")).into_response()),
        Err(e) => {
            let errors = refused("leave", e)?;
            ticket_page(&state, page, &token, TicketQuery { new: None, left: None }, errors).await
        }
    }
}

/// A stream of server-sent events carrying `render()`'s HTML whenever it changes: at once,
/// then after every local change at the service point or, every few seconds, when the service
/// point's version in the database moved (a change on another replica). Ends when the server
/// stops.
fn live_stream<F, Fut>(state: AppState, point: String, render: F) -> impl Stream<Item = Result<SseEvent, Infallible>>
where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = AppResult<String>> + Send,
{
    struct Live<F> {
        state: AppState,
        point: String,
        render: F,
        local: tokio::sync::watch::Receiver<u64>,
        stopping: tokio::sync::watch::Receiver<bool>,
        version: i64,
        last: Option<String>,
    }
    let local = super::live::subscribe(&point);
    let stopping = state.stopping.subscribe();
    let live = Live { state, point, render, local, stopping, version: -1, last: None };
    futures_util::stream::unfold(live, |mut l| async move {
        loop {
            if l.last.is_some() {
                tokio::select! {
                    _ = l.local.changed() => {}
                    _ = tokio::time::sleep(super::live::POLL) => {
                        let v = store::queue_version(&l.state.db, &l.point).await.unwrap_or(l.version);
                        if v == l.version {
                            continue;
                        }
                    }
                    _ = stopped(&mut l.stopping) => return None,
                }
            }
            if stopping_now(&l.stopping) {
                return None;
            }
            l.version = store::queue_version(&l.state.db, &l.point).await.unwrap_or(l.version);
            let html = match (l.render)(l.state.clone()).await {
                Ok(h) => h,
                Err(e) => {
                    tracing::warn!(error = %e, "live page render failed");
                    return None;
                }
            };
            if l.last.as_deref() != Some(html.as_str()) {
                l.last = Some(html.clone());
                return Some((Ok(SseEvent::default().event("update").data(html)), l));
            }
        }
    })
}

async fn stopped(rx: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|s| *s).await;
}

fn stopping_now(rx: &tokio::sync::watch::Receiver<bool>) -> bool {
    *rx.borrow()
}

async fn ticket_events(
    State(state): State<AppState>,
    locale: Locale,
    Path(token): Path<String>,
) -> AppResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let t = store::ticket_by_token(&state.db, &token).await?.ok_or(AppError::NotFound)?;
    let stream = live_stream(state, t.service_point.clone(), move |state| {
        let token = token.clone();
        async move {
            let t = store::ticket_by_token(&state.db, &token).await?.ok_or(AppError::NotFound)?;
            ticket_live(&state, locale, t).await
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

// ---- Display board ----

struct Call {
    number: String,
    room: String,
    at: i64,
}

#[derive(Template)]
#[template(path = "clinics/queue/board_live.html")]
struct BoardLive {
    page: PageCtx,
    calls: Vec<Call>,
    waiting: Vec<Waiting>,
}

impl BoardLive {
    fn name(&self, s: &QueueService) -> String {
        self.page.pick(&s.name_en, &s.name_zh).to_string()
    }
    fn minutes(&self, m: &f64) -> String {
        kernel::web::text::minutes_label(&self.page, *m)
    }
    fn time(&self, at: &i64) -> String {
        self.page.datetime(at).split(' ').nth(1).unwrap_or("").to_string()
    }
}

async fn board_live(state: &AppState, locale: Locale, code: &str) -> AppResult<String> {
    let point = point(state, code).await?;
    let page = PageCtx::new(locale, "/");
    let rooms = store::queue_rooms(&state.db, code).await?;
    let since = kernel::hk::day_range(kernel::hk::today(), 1).0;
    let calls = store::latest_calls(&state.db, code, since, 8)
        .await?
        .into_iter()
        .map(|(number, room, at)| Call {
            number,
            room: rooms
                .iter()
                .find(|r| r.id == room)
                .map(|r| page.pick(&r.name_en, &r.name_zh).to_string())
                .unwrap_or_default(),
            at,
        })
        .collect();
    let services = service::services_of(state, &point.kind).await?;
    let waiting = waiting_now(state, &point, &services).await?;
    Ok(BoardLive { page, calls, waiting }.render()?)
}

#[derive(Template)]
#[template(path = "clinics/queue/board.html")]
struct BoardPage {
    page: PageCtx,
    point: ServicePoint,
    live: String,
}

async fn board(State(state): State<AppState>, page: PageCtx, Path(code): Path<String>) -> AppResult<Html<String>> {
    let point = point(&state, &code).await?;
    let live = board_live(&state, page.locale, &code).await?;
    render(&BoardPage { page, point, live })
}

async fn board_events(
    State(state): State<AppState>,
    locale: Locale,
    Path(code): Path<String>,
) -> AppResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    point(&state, &code).await?;
    let stream = live_stream(state, code.clone(), move |state| {
        let code = code.clone();
        async move { board_live(&state, locale, &code).await }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

// ---- Staff console ----

#[derive(Template)]
#[template(path = "clinics/queue/console.html")]
struct ConsolePage {
    page: PageCtx,
    point: ServicePoint,
    services: Vec<QueueService>,
    rooms: Vec<Room>,
    room: Option<Room>,
    current: Option<Ticket>,
    waiting: Vec<Ticket>,
    called: Vec<Ticket>,
    skipped: Vec<Ticket>,
    notice: Option<String>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

impl ConsolePage {
    fn service(&self, code: &str) -> String {
        service_name(&self.page, &self.services, code)
    }
    fn room_label(&self, id: &Option<String>) -> String {
        id.as_ref()
            .and_then(|id| self.rooms.iter().find(|r| &r.id == id))
            .map(|r| self.page.pick(&r.name_en, &r.name_zh).to_string())
            .unwrap_or_default()
    }
    fn waited(&self, t: &Ticket) -> String {
        kernel::web::text::minutes_label(&self.page, (kernel::now_ms() - t.queued_at) as f64 / 60_000.0)
    }
    fn priority(&self, code: &str) -> String {
        self.page.t(&format!("queue-priority-{code}"))
    }
    fn is_room(&self, id: &str) -> bool {
        self.room.as_ref().is_some_and(|r| r.id == id)
    }
    fn all_priorities(&self) -> Vec<&'static str> {
        Priority::ALL.iter().rev().map(|p| p.code()).collect()
    }
}

#[derive(Deserialize, Default)]
struct ConsoleQuery {
    room: Option<String>,
    issued: Option<String>,
    called: Option<String>,
    empty: Option<String>,
}

async fn console_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    code: &str,
    q: ConsoleQuery,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let db = &state.db;
    let point = point(state, code).await?;
    let services = service::services_of(state, &point.kind).await?;
    let rooms = store::queue_rooms(db, code).await?;
    let room = q.room.as_ref().and_then(|id| rooms.iter().find(|r| &r.id == id).cloned());
    let day = kernel::hk::today().to_string();
    let called = store::tickets_with_status(db, code, &day, "called").await?;
    let current = room.as_ref().and_then(|r| called.iter().find(|t| t.room_id.as_deref() == Some(&r.id)).cloned());
    let waiting = store::waiting_tickets(db, code).await?;
    let skipped = store::tickets_with_status(db, code, &day, "skipped").await?;
    let notice = if let Some(n) = q.issued {
        Some(page.t1("queue-issued-notice", "number", n))
    } else if let Some(n) = q.called {
        Some(page.t1("queue-called-notice", "number", n))
    } else {
        q.empty.map(|_| page.t("queue-nobody-waiting"))
    };
    let can_manage = identity.has_role(Role::ClinicManager) || identity.has_role(Role::Admin);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = ConsolePage {
        page,
        point,
        services,
        rooms,
        room,
        current,
        waiting,
        called,
        skipped,
        notice,
        can_manage,
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

async fn console(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<ConsoleQuery>,
) -> AppResult<Response> {
    console_page(&state, page, &identity, &code, q, vec![]).await
}

fn back(code: &str, room: Option<&str>, extra: &str) -> Response {
    let mut url = format!("/staff/clinics/{code}/queue");
    let mut sep = '?';
    if let Some(r) = room.filter(|r| !r.is_empty()) {
        url.push_str(&format!("{sep}room={}", kernel::web::url::percent_encode(r)));
        sep = '&';
    }
    if !extra.is_empty() {
        url.push(sep);
        url.push_str(extra);
    }
    Redirect::to(&url).into_response()
}

#[derive(Deserialize)]
struct CallForm {
    room: String,
}

async fn call_next(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<CallForm>,
) -> AppResult<Response> {
    let room = store::queue_room(&state.db, &f.room).await?.filter(|r| r.service_point == code);
    let Some(room) = room else {
        let q = ConsoleQuery::default();
        return console_page(
            &state,
            page,
            &identity,
            &code,
            q,
            vec![FieldError::new("room", "queue_room_unknown", &[])],
        )
        .await;
    };
    match service::call_next(&state, &room, &identity.actor(), &origin).await {
        Ok(Some(t)) => Ok(back(&code, Some(&room.id), &format!("called={}", t.number))),
        Ok(None) => Ok(back(&code, Some(&room.id), "empty=1")),
        Err(e) => {
            let errors = refused("room", e)?;
            let q = ConsoleQuery { room: Some(room.id), ..Default::default() };
            console_page(&state, page, &identity, &code, q, errors).await
        }
    }
}

#[derive(Deserialize)]
struct TicketActionForm {
    action: String,
    #[serde(default)]
    room: String,
    /// For a transfer: `service` or `service@room-id`.
    #[serde(default)]
    target: String,
}

async fn ticket_action(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<TicketActionForm>,
) -> AppResult<Response> {
    let t = store::ticket(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let (service, room_id) = match f.target.split_once('@') {
        Some((s, r)) => (s, Some(r)),
        None => (f.target.as_str(), None),
    };
    let action = match f.action.as_str() {
        "recall" => Action::Recall,
        "skip" => Action::Skip,
        "reinstate" => Action::Reinstate,
        "done" => Action::Done,
        "transfer" if !service.is_empty() => Action::Transfer { service, room_id },
        "transfer" => {
            let q = ConsoleQuery { room: Some(f.room.clone()), ..Default::default() };
            let e = FieldError::new(&format!("target-{}", t.id), "queue_choose_target", &[]);
            return console_page(&state, page, &identity, &t.service_point, q, vec![e]).await;
        }
        _ => return Err(AppError::BadRequest("unknown action".into())),
    };
    match service::act(&state, &t, action, &identity.actor(), &origin).await {
        Ok(_) => Ok(back(&t.service_point, Some(&f.room), "")),
        Err(e) => {
            let errors = refused(&format!("target-{}", t.id), e)?;
            let q = ConsoleQuery { room: Some(f.room.clone()), ..Default::default() };
            console_page(&state, page, &identity, &t.service_point, q, errors).await
        }
    }
}

#[derive(Deserialize)]
struct CounterIssueForm {
    #[serde(default)]
    service: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    room: String,
}

async fn counter_issue(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<CounterIssueForm>,
) -> AppResult<Response> {
    let req = IssueRequest {
        point: &code,
        service: &f.service,
        priority: &f.priority,
        channel: super::TicketChannel::Counter,
        locale: page.locale,
        actor: &identity.actor(),
        origin: &origin,
    };
    match service::issue(&state, req).await {
        Ok(t) => Ok(back(&code, Some(&f.room), &format!("issued={}", t.number))),
        Err(e) => {
            let errors = refused("issue-service", e)?;
            let q = ConsoleQuery { room: Some(f.room.clone()), ..Default::default() };
            console_page(&state, page, &identity, &code, q, errors).await
        }
    }
}

async fn add_room(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let point = point(&state, &code).await?;
    let offered = service::services_of(&state, &point.kind).await?;
    let services: Vec<String> =
        offered.iter().filter(|s| f.contains_key(&format!("svc_{}", s.code))).map(|s| s.code.clone()).collect();
    let name_en = f.get("name_en").map(|s| s.trim()).unwrap_or("");
    let name_zh = f.get("name_zh").map(|s| s.trim()).unwrap_or("");
    let mut errors = vec![];
    if name_en.is_empty() || name_en.chars().count() > 60 {
        errors.push(FieldError::new("name_en", "queue_room_name", &[]));
    }
    if name_zh.is_empty() || name_zh.chars().count() > 30 {
        errors.push(FieldError::new("name_zh", "queue_room_name", &[]));
    }
    if services.is_empty() {
        errors.push(FieldError::new(&format!("svc_{}", offered[0].code), "queue_room_services", &[]));
    }
    if !errors.is_empty() {
        return console_page(&state, page, &identity, &code, ConsoleQuery::default(), errors).await;
    }
    match service::add_room(&state, &code, name_en, name_zh, services, &identity.actor(), &origin).await {
        Ok(r) => Ok(back(&code, Some(&r.id), "")),
        Err(e) => {
            let errors = refused("name_en", e)?;
            console_page(&state, page, &identity, &code, ConsoleQuery::default(), errors).await
        }
    }
}

// ---- Analytics ----

/// One row of the analytics: a service on a day (or today, live).
struct StatRow {
    day: String,
    service: String,
    issued: usize,
    waiting: usize,
    stats: Option<WaitStats>,
}

#[derive(Template)]
#[template(path = "clinics/queue/stats.html")]
struct StatsPage {
    page: PageCtx,
    point: ServicePoint,
    today: Vec<StatRow>,
    by_day: Vec<StatRow>,
    days: i64,
}

impl StatsPage {
    fn minutes(&self, m: &f64) -> String {
        format!("{m:.1}")
    }
}

/// Per day and service: tickets issued, still waiting, and wait statistics from issue to first
/// call (tickets that left before being called do not count towards waits).
fn stat_rows(
    history: &[(String, String, i64, Option<i64>, String)],
    services: &[QueueService],
    page: &PageCtx,
) -> Vec<StatRow> {
    let mut keys: Vec<(String, String)> = history.iter().map(|h| (h.0.clone(), h.1.clone())).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|(day, service)| {
            let rows: Vec<_> = history.iter().filter(|h| h.0 == day && h.1 == service).collect();
            let waits: Vec<i64> = rows.iter().filter_map(|h| h.3.map(|c| c - h.2)).collect();
            StatRow {
                service: service_name(page, services, &service),
                day,
                issued: rows.len(),
                waiting: rows.iter().filter(|h| h.4 == "waiting").count(),
                stats: rules::wait_stats(&waits),
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct StatsQuery {
    days: Option<i64>,
}

async fn stats(
    State(state): State<AppState>,
    page: PageCtx,
    Path(code): Path<String>,
    Query(q): Query<StatsQuery>,
) -> AppResult<Html<String>> {
    let point = point(&state, &code).await?;
    let services = service::services_of(&state, &point.kind).await?;
    let days = q.days.unwrap_or(14).clamp(1, 90);
    let today = kernel::hk::today();
    let from = (today - chrono::Duration::days(days)).to_string();
    let history = store::queue_history(&state.db, &code, &from, &today.to_string()).await?;
    let rows = stat_rows(&history, &services, &page);
    let (today_rows, mut by_day): (Vec<StatRow>, Vec<StatRow>) =
        rows.into_iter().partition(|r| r.day == today.to_string());
    by_day.reverse();
    render(&StatsPage { page, point, today: today_rows, by_day, days })
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/queue/{code}", Access::Public, get(kiosk).post(kiosk_issue))
        .page("/queue/{code}/board", Access::Public, get(board))
        .page("/queue/{code}/board/events", Access::Public, get(board_events))
        .page("/queue/t/{token}", Access::Public, get(ticket))
        .page("/queue/t/{token}/leave", Access::Public, post(ticket_leave))
        .page("/queue/t/{token}/events", Access::Public, get(ticket_events))
        .page("/staff/clinics/{code}/queue", Access::Staff(FRONT_DESK), get(console))
        .page("/staff/clinics/{code}/queue/call", Access::Staff(FRONT_DESK), post(call_next))
        .page("/staff/clinics/{code}/queue/issue", Access::Staff(FRONT_DESK), post(counter_issue))
        .page("/staff/clinics/{code}/queue/rooms", Access::Staff(MANAGERS), post(add_room))
        .page("/staff/clinics/{code}/queue/stats", Access::Staff(FRONT_DESK), get(stats))
        .page("/staff/tickets/{id}", Access::Staff(FRONT_DESK), post(ticket_action))
}
