//! The staff outbox: every message queued or sent, one page of 50 at a time, searchable by
//! recipient, template and status, with recipients masked. Only administrators open a
//! message to read its body, and each such view is audited.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

use super::store::{self, Filter, OutboxEntry};
use crate::AppState;
use crate::audit::{self, Event, Origin};
use crate::identity::{Identity, Role};
use crate::web::page::render;
use crate::web::paging::Pager;
use crate::web::{Access, AppError, AppResult, PageCtx, Routes};

/// Messages a page.
pub const PAGE_SIZE: i64 = 50;
const STATUSES: [&str; 5] = ["queued", "sending", "delivered", "temporary_failure", "permanent_failure"];

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    page: PageCtx,
    entries: Vec<OutboxEntry>,
    pager: Pager,
    q: OutboxQuery,
    templates: Vec<String>,
    statuses: [&'static str; 5],
    /// Administrators may open a message.
    can_read: bool,
}

impl OutboxPage {
    fn masked(&self, r: &str) -> String {
        super::mask_recipient(r)
    }
    fn is(&self, v: &Option<String>, code: &str) -> bool {
        v.as_deref() == Some(code)
    }
}

#[derive(Deserialize, Default, Clone)]
struct OutboxQuery {
    recipient: Option<String>,
    template: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

impl OutboxQuery {
    fn v(&self, s: &Option<String>) -> String {
        s.clone().unwrap_or_default()
    }
}

fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(100).collect())
}

/// The staff outbox (administrators and communications officers).
async fn outbox(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<OutboxQuery>,
) -> AppResult<Html<String>> {
    let filter = Filter {
        recipient: clean(&q.recipient),
        template: clean(&q.template),
        status: clean(&q.status).filter(|s| STATUSES.contains(&s.as_str())),
    };
    let pairs: Vec<(&str, String)> =
        [("recipient", &filter.recipient), ("template", &filter.template), ("status", &filter.status)]
            .into_iter()
            .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
            .collect();
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    let (_, total) = store::search(&state.db, &filter, 0, 0).await?;
    let requested = q.page.as_deref().and_then(|p| p.parse().ok());
    let pager = Pager::new(total, requested, PAGE_SIZE, "/staff/outbox", &query);
    let (entries, _) = store::search(&state.db, &filter, PAGE_SIZE, pager.offset()).await?;
    audit::record_now(&state.db, &identity.actor(), &origin, Event::new("outbox.view", "outbox", "-").detail(&query))
        .await?;
    let templates = store::templates(&state.db).await?;
    let can_read = identity.has_role(Role::Admin);
    render(&OutboxPage { page, entries, pager, q, templates, statuses: STATUSES, can_read })
}

#[derive(Template)]
#[template(path = "outbox_message.html")]
struct MessagePage {
    page: PageCtx,
    msg: OutboxEntry,
}

impl MessagePage {
    fn masked(&self, r: &str) -> String {
        super::mask_recipient(r)
    }
    fn status_label(&self) -> String {
        self.page.t(&format!("outbox-status-{}", self.msg.status))
    }
}

/// One message with its body (administrators; audited).
async fn message(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let msg = store::by_id(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    audit::record_now(&state.db, &identity.actor(), &origin, Event::new("outbox.body_view", "outbox", &msg.id)).await?;
    render(&MessagePage { page, msg })
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/outbox", Access::Staff(&[Role::Admin, Role::CommsOfficer]), get(outbox)).page(
        "/staff/outbox/{id}",
        Access::Staff(&[Role::Admin]),
        get(message),
    )
}
