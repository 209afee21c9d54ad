//! The walk-in queue: tickets issued at the kiosk or the counter, called to rooms by staff
//! (call next, recall, skip, reinstate, transfer, done), and what a ticket holder or the
//! waiting-hall board sees. Each change is one transaction with its event and audit entry, and
//! bumps the service point's version so live pages on every replica refresh.

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;

use super::rules::{self, Eta, Priority};
use super::store;
use super::store::TicketChange;
use super::{Room, Ticket, TicketChannel, TicketStatus};

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// A refusal with a stable code (`field-error-<code>` in the catalogue).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<sqlx::Error> for QueueError {
    fn from(e: sqlx::Error) -> Self {
        QueueError::Other(e.into())
    }
}

/// A queue service at a service point, with its names.
#[derive(Clone, Debug)]
pub struct QueueService {
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    pub letter: char,
}

/// The queue services of a service point: its clinic services and registration/enquiries.
pub async fn services_of(state: &AppState, point_kind: &str) -> sqlx::Result<Vec<QueueService>> {
    let clinic = crate::booking::store::services_at(&state.db, point_kind).await?;
    let mut codes: Vec<String> = clinic.iter().map(|s| s.code.clone()).collect();
    codes.push(rules::ENQUIRY.to_string());
    let mut out: Vec<QueueService> = clinic
        .into_iter()
        .map(|s| QueueService {
            letter: rules::letter(&codes, &s.code),
            code: s.code,
            name_en: s.name_en,
            name_zh: s.name_zh,
        })
        .collect();
    out.push(QueueService {
        code: rules::ENQUIRY.into(),
        name_en: Locale::En.t("queue-service-enquiry"),
        name_zh: Locale::ZhHant.t("queue-service-enquiry"),
        letter: rules::letter(&codes, rules::ENQUIRY),
    });
    out.sort_by_key(|s| s.letter);
    Ok(out)
}

/// Who asks for a ticket, and how.
pub struct IssueRequest<'a> {
    pub point: &'a str,
    pub service: &'a str,
    pub priority: &'a str,
    pub channel: TicketChannel,
    pub locale: Locale,
    pub actor: &'a Actor,
    pub origin: &'a Origin,
}

/// Issues a ticket. At the kiosk people choose general or a priority they declare (aged 65+,
/// pregnant, disability); only staff at the counter may mark a ticket urgent.
pub async fn issue(state: &AppState, r: IssueRequest<'_>) -> Result<Ticket, QueueError> {
    let db = &state.db;
    let point =
        kernel::directory::service_point(db, r.point).await?.ok_or(QueueError::Refused("queue_unknown_point"))?;
    let services = services_of(state, &point.kind).await?;
    let service = services.iter().find(|s| s.code == r.service).ok_or(QueueError::Refused("queue_unknown_service"))?;
    let priority = Priority::parse(r.priority).ok_or(QueueError::Refused("invalid_choice"))?;
    if r.channel == TicketChannel::Kiosk && !Priority::SELF_DECLARED.contains(&priority) {
        return Err(QueueError::Refused("queue_priority_not_allowed"));
    }
    let now = kernel::now_ms();
    let closures = kernel::hk::store::current_closures(db, now).await?;
    if closures.iter().any(|c| c.covers(now, &point.district)) {
        return Err(QueueError::Refused("queue_closed"));
    }
    let day = kernel::hk::today().to_string();
    let mut tx = db.begin().await?;
    let n = store::next_ticket_number(&mut tx, &point.code, &day, service.letter).await?;
    let ticket = Ticket {
        id: kernel::new_id(),
        token: kernel::identity::session::random_token(),
        service_point: point.code.clone(),
        service: service.code.clone(),
        day,
        number: rules::number(service.letter, n),
        priority: priority.code().into(),
        rank: priority.rank(),
        channel: r.channel,
        status: TicketStatus::Waiting,
        room_id: None,
        lang: r.locale.tag().into(),
        issued_at: now,
        queued_at: now,
        first_called_at: None,
        called_at: None,
        done_at: None,
        calls: 0,
    };
    store::insert_ticket(&mut tx, &ticket, r.actor.id()).await?;
    store::insert_queue_event(&mut tx, &ticket, "issued", r.actor.id(), now).await?;
    store::bump_queue_version(&mut tx, &point.code).await?;
    let detail = format!("{} {} ({}, {})", ticket.number, ticket.service, ticket.priority, ticket.channel);
    audit::record(db, &mut tx, r.actor, r.origin, Event::new("queue.issue", "ticket", &ticket.id).detail(&detail))
        .await?;
    tx.commit().await?;
    super::live::changed(&point.code);
    Ok(ticket)
}

/// Finishes the ticket a room is serving and calls the next one it may take. `Ok(None)` when
/// nobody is waiting for this room.
pub async fn call_next(
    state: &AppState,
    room: &Room,
    actor: &Actor,
    origin: &Origin,
) -> Result<Option<Ticket>, QueueError> {
    let db = &state.db;
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    store::lock_room(&mut tx, &room.id).await?;
    if let Some(t) = store::finish_room_ticket(&mut tx, &room.id, now).await? {
        store::insert_queue_event(&mut tx, &t, "done", actor.id(), now).await?;
    }
    let next = store::call_next_ticket(db, &mut tx, room, now).await?;
    if let Some(t) = &next {
        store::insert_queue_event(&mut tx, t, "called", actor.id(), now).await?;
        let detail = format!("{} to {}", t.number, room.id);
        audit::record(db, &mut tx, actor, origin, Event::new("queue.call", "ticket", &t.id).detail(&detail)).await?;
    }
    store::bump_queue_version(&mut tx, &room.service_point).await?;
    tx.commit().await?;
    super::live::changed(&room.service_point);
    Ok(next)
}

/// A staff action on one ticket.
#[derive(Clone, Copy, Debug)]
pub enum Action<'a> {
    Recall,
    Skip,
    Reinstate,
    Done,
    Transfer { service: &'a str, room_id: Option<&'a str> },
}

impl Action<'_> {
    fn event(&self) -> &'static str {
        match self {
            Action::Recall => "recalled",
            Action::Skip => "skipped",
            Action::Reinstate => "reinstated",
            Action::Done => "done",
            Action::Transfer { .. } => "transferred",
        }
    }
}

/// Recall (announce again), skip (did not come), reinstate (came back), done, or transfer to
/// another service or room (keeping their place by time in the queue).
pub async fn act(
    state: &AppState,
    ticket: &Ticket,
    action: Action<'_>,
    actor: &Actor,
    origin: &Origin,
) -> Result<Ticket, QueueError> {
    let db = &state.db;
    let (from, change): (&[&str], TicketChange) = match action {
        Action::Recall => (&["called"], TicketChange::Recall),
        Action::Skip => (&["called"], TicketChange::Skip),
        Action::Reinstate => (&["skipped"], TicketChange::Reinstate),
        Action::Done => (&["called"], TicketChange::Done),
        Action::Transfer { service, room_id } => {
            let point = kernel::directory::service_point(db, &ticket.service_point)
                .await?
                .ok_or(QueueError::Refused("queue_unknown_point"))?;
            if !services_of(state, &point.kind).await?.iter().any(|s| s.code == service) {
                return Err(QueueError::Refused("queue_unknown_service"));
            }
            if let Some(room) = room_id {
                let r = store::queue_room(db, room).await?;
                if !r
                    .is_some_and(|r| r.service_point == ticket.service_point && r.services.iter().any(|s| s == service))
                {
                    return Err(QueueError::Refused("queue_room_unknown"));
                }
            }
            (&["called", "waiting", "skipped"], TicketChange::Transfer { service, room_id })
        }
    };
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let Some(t) = store::move_ticket(&mut tx, &ticket.id, from, change, now).await? else {
        tx.rollback().await?;
        return Err(QueueError::Refused("queue_ticket_moved"));
    };
    store::insert_queue_event(&mut tx, &t, action.event(), actor.id(), now).await?;
    store::bump_queue_version(&mut tx, &t.service_point).await?;
    let detail = format!("{} {}", t.number, action.event());
    audit::record(db, &mut tx, actor, origin, Event::new("queue.update", "ticket", &t.id).detail(&detail)).await?;
    tx.commit().await?;
    super::live::changed(&t.service_point);
    Ok(t)
}

/// The holder leaves the queue (from their ticket page).
pub async fn leave(state: &AppState, ticket: &Ticket, origin: &Origin) -> Result<Ticket, QueueError> {
    let db = &state.db;
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let Some(t) = store::move_ticket(&mut tx, &ticket.id, &["waiting"], TicketChange::Cancel, now).await? else {
        tx.rollback().await?;
        return Err(QueueError::Refused("queue_ticket_moved"));
    };
    store::insert_queue_event(&mut tx, &t, "cancelled", "holder", now).await?;
    store::bump_queue_version(&mut tx, &t.service_point).await?;
    audit::record(db, &mut tx, &Actor::Anonymous, origin, Event::new("queue.leave", "ticket", &t.id).detail(&t.number))
        .await?;
    tx.commit().await?;
    super::live::changed(&t.service_point);
    Ok(t)
}

/// Adds a room (counter or consultation room) that calls from the given services.
pub async fn add_room(
    state: &AppState,
    point: &str,
    name_en: &str,
    name_zh: &str,
    services: Vec<String>,
    actor: &Actor,
    origin: &Origin,
) -> Result<Room, QueueError> {
    let room = Room {
        id: kernel::new_id(),
        service_point: point.into(),
        name_en: name_en.into(),
        name_zh: name_zh.into(),
        services,
    };
    let db = &state.db;
    let mut tx = db.begin().await?;
    store::insert_room(&mut tx, &room, kernel::now_ms()).await?;
    store::bump_queue_version(&mut tx, point).await?;
    audit::record(db, &mut tx, actor, origin, Event::new("queue.room.add", "room", &room.id).detail(name_en)).await?;
    tx.commit().await?;
    super::live::changed(point);
    Ok(room)
}

/// Where a ticket stands: its place in line and estimated wait while waiting.
#[derive(Clone, Debug)]
pub struct Standing {
    pub ticket: Ticket,
    /// 1 = next; 0 when not waiting.
    pub position: i64,
    pub eta: Option<Eta>,
    pub room: Option<Room>,
}

pub async fn standing(state: &AppState, ticket: Ticket) -> sqlx::Result<Standing> {
    let db = &state.db;
    let room = match &ticket.room_id {
        Some(id) => store::queue_room(db, id).await?,
        None => None,
    };
    if ticket.status != TicketStatus::Waiting {
        return Ok(Standing { ticket, position: 0, eta: None, room });
    }
    let ahead = store::tickets_ahead(db, &ticket).await?;
    let now = kernel::now_ms();
    let calls =
        store::queue_calls_since(db, &ticket.service_point, &ticket.service, now - rules::PACE_WINDOW_MS).await?;
    let rooms = store::queue_rooms(db, &ticket.service_point)
        .await?
        .iter()
        .filter(|r| r.services.contains(&ticket.service))
        .count();
    let eta = rules::eta(ahead as usize, now, &calls, rules::typical_minutes(&ticket.service), rooms);
    Ok(Standing { ticket, position: ahead + 1, eta: Some(eta), room })
}
