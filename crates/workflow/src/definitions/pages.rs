//! Definition pages: the list (key, names in the page language, versions, running instances),
//! one version with its diagram as inline SVG and live counts per node (with the same counts as
//! a table), and the deploy page (administrators) that shows every validation problem in an
//! error summary.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::i18n::Arg;
use kernel::identity::{Identity, Role};
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, Form, PageCtx, Routes};
use serde::Deserialize;

use super::diagram::{self, Counts};
use super::store::{self, Deployed};
use super::{DeployError, bpmn};

/// The name of a deployed definition in the page's language (falls back to English, then the key).
pub fn name_of<'a>(page: &PageCtx, d: &'a Deployed) -> &'a str {
    let en = d.name.as_deref().unwrap_or(&d.process_key);
    if page.is_zh() { d.name_zh.as_deref().unwrap_or(en) } else { en }
}

// ---- The list ----

struct KeyLine {
    latest: Deployed,
    name: String,
    versions: Vec<(String, i64, i64)>,
    running: i64,
}

#[derive(Template)]
#[template(path = "workflow/definitions/list.html")]
struct ListPage {
    page: PageCtx,
    keys: Vec<KeyLine>,
    can_deploy: bool,
}

async fn list(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Response> {
    let running: BTreeMap<String, i64> = store::running_counts(&state.db).await?.into_iter().collect();
    let mut keys: Vec<KeyLine> = vec![];
    for d in store::all(&state.db).await? {
        let n = running.get(&d.id).copied().unwrap_or(0);
        match keys.last_mut() {
            Some(k) if k.latest.process_key == d.process_key => {
                k.versions.push((d.id.clone(), d.version, n));
                k.running += n;
            }
            _ => keys.push(KeyLine {
                name: name_of(&page, &d).to_string(),
                versions: vec![(d.id.clone(), d.version, n)],
                running: n,
                latest: d,
            }),
        }
    }
    let can_deploy = identity.has_role(Role::Admin);
    Ok(render(&ListPage { page, keys, can_deploy })?.into_response())
}

// ---- One version ----

struct NodeLine {
    id: String,
    name: String,
    kind: &'static str,
    tokens: u64,
    tasks: u64,
}

#[derive(Template)]
#[template(path = "workflow/definitions/show.html")]
struct ShowPage {
    page: PageCtx,
    d: Deployed,
    name: String,
    svg: String,
    from_di: bool,
    nodes: Vec<NodeLine>,
    running: i64,
    versions: Vec<(String, i64)>,
}

fn kind_code(k: &super::NodeKind) -> &'static str {
    use super::NodeKind::*;
    match k {
        Start { .. } => "start",
        End => "end",
        UserTask { .. } => "user_task",
        ServiceTask { .. } => "service_task",
        Exclusive { .. } => "exclusive",
        Parallel => "parallel",
        Timer { .. } => "timer",
        Message { .. } => "message",
        BoundaryTimer { .. } => "boundary_timer",
        BoundaryMessage { .. } => "boundary_message",
        SubProcess => "subprocess",
    }
}

/// Live counts per node of a deployed version: tokens waiting and open tasks.
pub async fn counts(db: &kernel::Db, definition_id: &str) -> AppResult<BTreeMap<String, Counts>> {
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for w in store::waiting_of(db, definition_id).await? {
        let nodes: Vec<String> = serde_json::from_str(&w).unwrap_or_default();
        for n in nodes {
            counts.entry(n).or_default().tokens += 1;
        }
    }
    for (node, n) in store::open_tasks_by_node(db, definition_id).await? {
        counts.entry(node).or_default().tasks = n.max(0) as u64;
    }
    Ok(counts)
}

async fn show(State(state): State<AppState>, page: PageCtx, Path(id): Path<String>) -> AppResult<Response> {
    let d = store::by_id(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let def = bpmn::parse(&d.bpmn).0.ok_or(AppError::NotFound)?;
    let counts = counts(&state.db, &d.id).await?;
    let layout = diagram::layout(&def);
    let name = name_of(&page, &d).to_string();
    let title = page.t1("wfp-diagram-title", "name", name.clone());
    let total: u64 = counts.values().map(|c| c.tokens).sum();
    let desc =
        page.locale.t_args("wfp-diagram-desc", &[("nodes", Arg::from(def.nodes.len())), ("tokens", Arg::from(total))]);
    let svg = diagram::svg(&def, &layout, &counts, &diagram::Labels { title: &title, desc: &desc, zh: page.is_zh() });
    let nodes = def
        .nodes
        .iter()
        .map(|n| {
            let c = counts.get(&n.id).copied().unwrap_or_default();
            NodeLine {
                id: n.id.clone(),
                name: n.label(page.is_zh()).to_string(),
                kind: kind_code(&n.kind),
                tokens: c.tokens,
                tasks: c.tasks,
            }
        })
        .collect();
    let running: BTreeMap<String, i64> = store::running_counts(&state.db).await?.into_iter().collect();
    let versions = store::all(&state.db)
        .await?
        .into_iter()
        .filter(|v| v.process_key == d.process_key)
        .map(|v| (v.id, v.version))
        .collect();
    let p = ShowPage {
        running: running.get(&d.id).copied().unwrap_or(0),
        page,
        name,
        svg,
        from_di: layout.from_di,
        nodes,
        versions,
        d,
    };
    Ok(render(&p)?.into_response())
}

// ---- Deploy ----

/// One validation problem as the page lists it.
struct ProblemLine {
    text: String,
    element: Option<String>,
}

#[derive(Template)]
#[template(path = "workflow/definitions/deploy.html")]
struct DeployPage {
    page: PageCtx,
    bpmn: String,
    problems: Vec<ProblemLine>,
}

#[derive(Deserialize, Default)]
struct DeployForm {
    #[serde(default)]
    bpmn: String,
}

async fn deploy_form(page: PageCtx) -> AppResult<Response> {
    Ok(render(&DeployPage { page, bpmn: String::new(), problems: vec![] })?.into_response())
}

async fn deploy(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<DeployForm>,
) -> AppResult<Response> {
    let problems = if f.bpmn.trim().is_empty() {
        vec![ProblemLine { text: page.t("field-error-wf_bpmn_required"), element: None }]
    } else {
        match super::service::deploy(&state.db, &f.bpmn, &identity.actor(), &origin).await {
            Ok(d) => return Ok(Redirect::to(&format!("/staff/workflow/definitions/{}", d.id)).into_response()),
            Err(DeployError::Invalid(problems)) => problems
                .into_iter()
                .map(|p| ProblemLine { text: page.t(&format!("field-error-bpmn_{}", p.code)), element: p.element })
                .collect(),
            Err(DeployError::Db(e)) => return Err(AppError::Internal(e.into())),
        }
    };
    let p = DeployPage { page, bpmn: f.bpmn, problems };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/workflow/definitions", Access::Staff(crate::definitions::PROCESS_STAFF), get(list))
        .page("/staff/workflow/definitions/{id}", Access::Staff(crate::definitions::PROCESS_STAFF), get(show))
        .page("/staff/workflow/deploy", Access::Staff(&[Role::Admin]), get(deploy_form).post(deploy))
}
