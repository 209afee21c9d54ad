//! Instance pages: the list (filter by definition and status; overdue ones marked) and one
//! instance (status, variables, the timeline from the event log, its tasks, pending timers,
//! cancellation with a reason).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;

use super::store::{self, Listed, TimelineRow};
use super::{EngineError, TaskRow};
use crate::definitions::store as defs;

pub const STATUSES: [&str; 3] = ["running", "completed", "cancelled"];

fn listed_name<'a>(page: &PageCtx, l: &'a Listed) -> &'a str {
    let en = l.name.as_deref().unwrap_or(&l.process_key);
    if page.is_zh() { l.name_zh.as_deref().unwrap_or(en) } else { en }
}

#[derive(Deserialize, Default)]
struct Filter {
    #[serde(default)]
    definition: String,
    #[serde(default)]
    status: String,
}

struct Line {
    l: Listed,
    name: String,
}

#[derive(Template)]
#[template(path = "workflow/instances/list.html")]
struct ListPage {
    page: PageCtx,
    keys: Vec<(String, String)>,
    definition: String,
    status: String,
    statuses: [&'static str; 3],
    lines: Vec<Line>,
    limit: usize,
}

const LIMIT: i64 = 200;

async fn list(State(state): State<AppState>, page: PageCtx, Query(f): Query<Filter>) -> AppResult<Response> {
    let mut keys: Vec<(String, String)> = vec![];
    for d in defs::all(&state.db).await? {
        if keys.last().is_none_or(|k| k.0 != d.process_key) {
            keys.push((d.process_key.clone(), crate::definitions::pages::name_of(&page, &d).to_string()));
        }
    }
    let definition = if keys.iter().any(|k| k.0 == f.definition) { f.definition } else { String::new() };
    let status = if STATUSES.contains(&f.status.as_str()) { f.status } else { String::new() };
    let found = store::list(
        &state.db,
        Some(definition.as_str()).filter(|s| !s.is_empty()),
        Some(status.as_str()).filter(|s| !s.is_empty()),
        kernel::now_ms(),
        LIMIT,
    )
    .await?;
    let lines = found.into_iter().map(|l| Line { name: listed_name(&page, &l).to_string(), l }).collect();
    Ok(render(&ListPage { page, keys, definition, status, statuses: STATUSES, lines, limit: LIMIT as usize })?
        .into_response())
}

#[derive(Template)]
#[template(path = "workflow/instances/show.html")]
struct ShowPage {
    page: PageCtx,
    i: store::InstanceRow,
    d: defs::Deployed,
    name: String,
    variables: Vec<(String, String)>,
    waiting: Vec<String>,
    timeline: Vec<TimelineRow>,
    tasks: Vec<TaskRow>,
    timers: Vec<(String, i64)>,
    now: i64,
    reason: String,
    errors: Vec<FieldError>,
}

impl ShowPage {
    fn status_label(&self) -> String {
        self.page.t(&format!("wfp-status-{}", self.i.status))
    }
    fn task_name(&self, t: &TaskRow) -> String {
        if self.page.is_zh() { t.name_zh.clone().unwrap_or_else(|| t.name.clone()) } else { t.name.clone() }
    }
}

async fn show_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    reason: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let i = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let d = defs::by_id(&state.db, &i.definition_id).await?.ok_or(AppError::NotFound)?;
    let model = crate::definitions::bpmn::parse(&d.bpmn).0;
    let label = |node: &str| -> String {
        model
            .as_ref()
            .and_then(|m| m.node(node))
            .map(|n| n.label(page.is_zh()).to_string())
            .unwrap_or_else(|| node.into())
    };
    let variables = match serde_json::from_str::<serde_json::Value>(&i.variables) {
        Ok(serde_json::Value::Object(m)) => m
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    match v {
                        serde_json::Value::String(s) => s,
                        v => v.to_string(),
                    },
                )
            })
            .collect(),
        _ => vec![],
    };
    let waiting: Vec<String> =
        serde_json::from_str::<Vec<String>>(&i.waiting).unwrap_or_default().iter().map(|n| label(n)).collect();
    let timeline = store::timeline(&state.db, &i.id).await?;
    let tasks = store::tasks_of_instance(&state.db, &i.id).await?;
    let timers = store::timers(&state.db, &i.id).await?.into_iter().map(|(n, at)| (label(&n), at)).collect();
    let name = crate::definitions::pages::name_of(&page, &d).to_string();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = ShowPage {
        page,
        i,
        d,
        name,
        variables,
        waiting,
        timeline,
        tasks,
        timers,
        now: kernel::now_ms(),
        reason,
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

async fn show(State(state): State<AppState>, page: PageCtx, Path(id): Path<String>) -> AppResult<Response> {
    show_page(&state, page, &id, String::new(), vec![]).await
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    match super::service::cancel(&state.db, &id, &f.reason, &identity.actor(), &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/workflow/instances/{id}")).into_response()),
        Err(EngineError::Refused(code, _)) => {
            let e = vec![FieldError::new("reason", code, &[])];
            show_page(&state, page, &id, f.reason, e).await
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/workflow/instances", Access::Staff(crate::definitions::PROCESS_STAFF), get(list))
        .page("/staff/workflow/instances/{id}", Access::Staff(crate::definitions::PROCESS_STAFF), get(show))
        .page("/staff/workflow/instances/{id}/cancel", Access::Staff(crate::definitions::PROCESS_STAFF), post(cancel))
}
