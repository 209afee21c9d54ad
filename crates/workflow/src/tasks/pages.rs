//! Task pages: the worklist (views as tabs, filters, sort, paging; team leads reassign the
//! selected tasks) and a task (its instance's variables; claim, release, delegate, complete
//! with form data; comments; attachments). Every form works without JavaScript; refusals
//! come back as an error summary on the same page.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::identity::staff::store as staff;
use kernel::web::form::{FieldErrors, repeated, single};
use kernel::web::page::render;
use kernel::web::paging::Pager;
use kernel::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;
use serde_json::Value;

use super::api::{ListParams, TaskDetail, detail, file_part, file_response, parse_params, roles};
use super::rules::{self, MANAGERS, PAGE_SIZE, Sort, View};
use super::service::{self, Worker};
use super::store;
use crate::instances::EngineError;

/// The worklist card on the staff home page.
pub const CARD: kernel::area::HomeCard =
    kernel::area::HomeCard::staff("wf-worklist-card-title", "wf-worklist-card-text", "/staff/workflow/tasks");

/// Rows of the generic form-data fields on the task page.
const FORM_ROWS: usize = 3;

/// One task as a row of the worklist.
struct Row {
    id: String,
    name: String,
    process: String,
    status: String,
    assignee: String,
    created: String,
    due: String,
    overdue: bool,
}

struct Tab {
    code: &'static str,
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "workflow/tasks/list.html")]
struct ListPage {
    page: PageCtx,
    errors: FieldErrors,
    notice: Option<String>,
    tabs: Vec<Tab>,
    view: &'static str,
    view_label: String,
    rows: Vec<Row>,
    definitions: Vec<String>,
    definition: String,
    q: String,
    sort: &'static str,
    sorts: Vec<(&'static str, String)>,
    pager: Pager,
    manager: bool,
    people: Vec<(String, String)>,
    to: String,
    selected: Vec<String>,
}

fn worker_of(identity: &Identity) -> AppResult<(String, Vec<&'static str>)> {
    roles(identity)
}

/// Active staff as `(id, "name (email)")`, those holding one of `roles` when given.
async fn people(state: &AppState, roles: Option<&str>, except: Option<&str>) -> AppResult<Vec<(String, String)>> {
    Ok(staff::list(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.status == "active" && Some(u.id.as_str()) != except)
        .filter(|u| match roles {
            Some(r) => {
                let codes: Vec<&str> = u.roles.iter().map(|r| r.code()).collect();
                rules::holds_candidate_role(r, &codes).is_some()
            }
            None => true,
        })
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.email)))
        .collect())
}

/// Display names by staff id.
async fn names(state: &AppState, ids: Vec<String>) -> AppResult<std::collections::HashMap<String, String>> {
    let mut ids = ids;
    ids.sort();
    ids.dedup();
    Ok(staff::names(&state.db, &ids).await?.into_iter().map(|(id, name, _)| (id, name)).collect())
}

fn done_notice(page: &PageCtx, done: Option<&str>) -> Option<String> {
    let code = match done? {
        c @ ("claimed" | "released" | "completed" | "delegated" | "reassigned" | "commented" | "attached") => c,
        _ => return None,
    };
    Some(page.t(&format!("wf-task-done-{code}")))
}

fn status_label(page: &PageCtx, status: &str) -> String {
    page.t(&format!("wf-task-status-{status}"))
}

fn query_string(p: &ListParams) -> String {
    let pairs: Vec<(&str, &str)> = [
        ("view", p.view.as_deref()),
        ("definition", p.definition.as_deref()),
        ("q", p.q.as_deref()),
        ("sort", p.sort.as_deref()),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.trim().is_empty()).map(|v| (k, v)))
    .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(flatten)]
    params: ListParams,
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    page: PageCtx,
    params: &ListParams,
    notice: Option<String>,
    mut errors: Vec<FieldError>,
    to: String,
    selected: Vec<String>,
) -> AppResult<Response> {
    let identity = page.identity.clone();
    let (me, mine) = worker_of(&identity)?;
    let q = match parse_params(params) {
        Ok(q) => q,
        Err(AppError::Validation(e)) => {
            errors.extend(e);
            rules::Query { view: View::All, definition: None, text: String::new(), sort: Sort::Created, page: 1 }
        }
        Err(e) => return Err(e),
    };
    let now = kernel::now_ms();
    let (items, total) = store::worklist(&state.db, &q, &me, &mine, now, PAGE_SIZE).await?;
    let who = names(state, items.iter().filter_map(|t| t.assignee.clone()).collect()).await?;
    let rows = items
        .iter()
        .map(|t| Row {
            id: t.id.clone(),
            name: page.pick(&t.name, t.name_zh.as_deref().unwrap_or(&t.name)).to_string(),
            process: page
                .pick(
                    t.definition_name.as_deref().unwrap_or(&t.definition),
                    t.definition_name_zh.as_deref().or(t.definition_name.as_deref()).unwrap_or(&t.definition),
                )
                .to_string(),
            status: status_label(&page, &t.status),
            assignee: t.assignee.as_ref().map(|a| who.get(a).cloned().unwrap_or_else(|| a.clone())).unwrap_or_default(),
            created: page.datetime(&t.created_at),
            due: t.due_at.map(|d| page.datetime(&d)).unwrap_or_default(),
            overdue: rules::overdue(t.due_at, now),
        })
        .collect();
    let base = ListParams { view: None, page: None, ..clone_params(params) };
    let tabs = View::ALL
        .iter()
        .map(|v| {
            let p = ListParams { view: Some(v.code().into()), ..clone_params(&base) };
            Tab {
                code: v.code(),
                label: page.t(&format!("wf-view-{}", v.code())),
                href: format!("/staff/workflow/tasks?{}", query_string(&p)),
            }
        })
        .collect();
    let here = ListParams { page: None, ..clone_params(params) };
    let pager = Pager::new(total, Some(q.page), PAGE_SIZE, "/staff/workflow/tasks", &query_string(&here));
    let manager = MANAGERS.iter().any(|r| mine.contains(&r.code()));
    let people = if manager { people(state, None, None).await? } else { vec![] };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = ListPage {
        view: q.view.code(),
        view_label: page.t(&format!("wf-view-{}", q.view.code())),
        tabs,
        rows,
        definitions: store::definition_keys(&state.db).await?,
        definition: q.definition.clone().unwrap_or_default(),
        q: q.text.clone(),
        sort: q.sort.code(),
        sorts: Sort::ALL.iter().map(|s| (s.code(), page.t(&format!("wf-sort-{}", s.code())))).collect(),
        pager,
        manager,
        people,
        to,
        selected,
        notice,
        errors: page.errors(errors),
        page,
    };
    Ok((status, render(&p)?).into_response())
}

fn clone_params(p: &ListParams) -> ListParams {
    ListParams {
        view: p.view.clone(),
        definition: p.definition.clone(),
        q: p.q.clone(),
        sort: p.sort.clone(),
        page: p.page.clone(),
    }
}

async fn list(State(state): State<AppState>, page: PageCtx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let notice = done_notice(&page, q.done.as_deref());
    list_page(&state, page, &q.params, notice, vec![], String::new(), vec![]).await
}

/// A team lead's bulk reassignment from the worklist.
async fn reassign(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&identity)?;
    let tasks = repeated(&body, "task");
    let to = single(&body, "to").to_string();
    let params = ListParams {
        view: Some(single(&body, "view").to_string()),
        definition: Some(single(&body, "definition").to_string()),
        q: Some(single(&body, "q").to_string()),
        sort: Some(single(&body, "sort").to_string()),
        page: None,
    };
    let mut errors = Vec::new();
    if to.trim().is_empty() {
        errors.push(FieldError::new("to", "assignee_required", &[]));
    }
    if tasks.is_empty() {
        errors.push(FieldError::new("tasks", "reassign_none_selected", &[]));
    }
    if errors.is_empty() {
        match service::reassign(&state.db, &tasks, &to, &Worker { id: &me, roles: &mine }, &origin).await {
            Ok(done) => {
                let back = ListParams { page: None, ..params };
                let qs = query_string(&back);
                let sep = if qs.is_empty() { "" } else { "&" };
                let _ = done;
                return Ok(Redirect::to(&format!("/staff/workflow/tasks?{qs}{sep}done=reassigned")).into_response());
            }
            Err(service::ReassignError::Refused(refusals)) => {
                errors.extend(refusals.iter().map(|r| {
                    FieldError::new(
                        &format!("task-{}", r.task),
                        &format!("reassign_{}", r.code),
                        &[("task", r.name.clone())],
                    )
                }));
            }
            Err(service::ReassignError::Engine(EngineError::Refused(code, _))) => {
                let field = if code.starts_with("assignee") { "to" } else { "tasks" };
                errors.push(FieldError::new(field, code, &[]));
            }
            Err(service::ReassignError::Engine(e)) => return Err(e.into()),
        }
    }
    list_page(&state, page, &params, None, errors, to, tasks).await
}

#[derive(Template)]
#[template(path = "workflow/tasks/task.html")]
struct TaskPage {
    page: PageCtx,
    errors: FieldErrors,
    notice: Option<String>,
    d: TaskDetail,
    name: String,
    process: String,
    status: String,
    assignee: String,
    due: String,
    overdue: bool,
    variables: Vec<(String, String)>,
    can_claim: bool,
    mine: bool,
    open: bool,
    /// (author, when, text)
    comments: Vec<(String, String, String)>,
    /// (id, name, size, by, when)
    attachments: Vec<(String, String, String, String, String)>,
    delegates: Vec<(String, String)>,
    form: TaskForm,
    max_mib: String,
}

#[derive(Default, Clone)]
struct TaskForm {
    to: String,
    comment: String,
    keys: Vec<String>,
    values: Vec<String>,
}

fn size_text(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / 1_048_576.0)
    } else if bytes >= 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn task_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    notice: Option<String>,
    errors: Vec<FieldError>,
    status_on_error: StatusCode,
    form: TaskForm,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    let w = Worker { id: &me, roles: &mine };
    let d = detail(&state.db, id, &w).await?;
    let t = &d.task;
    let mut ids: Vec<String> = d.comments.iter().map(|c| c.author.clone()).collect();
    ids.extend(d.attachments.iter().map(|a| a.uploaded_by.clone()));
    ids.extend(t.assignee.clone());
    let who = names(state, ids).await?;
    let name_of = |id: &str| who.get(id).cloned().unwrap_or_else(|| id.to_string());
    let now = kernel::now_ms();
    let open = t.status == "open" || t.status == "claimed";
    let mine_now = t.status == "claimed" && t.assignee.as_deref() == Some(me.as_str());
    let variables = match &d.instance.variables {
        Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), value_text(v))).collect(),
        _ => vec![],
    };
    let delegates = if mine_now { people(state, Some(&t.roles), Some(&me)).await? } else { vec![] };
    let mut form = form;
    form.keys.resize(FORM_ROWS, String::new());
    form.values.resize(FORM_ROWS, String::new());
    let files = kernel::files::FileStore::of(state).map_err(|e| AppError::Internal(e.into()))?;
    let p = TaskPage {
        name: page.pick(&t.name, t.name_zh.as_deref().unwrap_or(&t.name)).to_string(),
        process: page
            .pick(
                t.definition_name.as_deref().unwrap_or(&t.definition),
                t.definition_name_zh.as_deref().or(t.definition_name.as_deref()).unwrap_or(&t.definition),
            )
            .to_string(),
        status: status_label(&page, &t.status),
        assignee: t.assignee.as_deref().map(name_of).unwrap_or_default(),
        due: t.due_at.map(|x| page.datetime(&x)).unwrap_or_default(),
        overdue: open && rules::overdue(t.due_at, now),
        variables,
        can_claim: t.status == "open" && rules::holds_candidate_role(&t.roles, &mine).is_some(),
        mine: mine_now,
        open,
        comments: d
            .comments
            .iter()
            .map(|c| (name_of(&c.author), page.datetime(&c.created_at), c.body.clone()))
            .collect(),
        attachments: d
            .attachments
            .iter()
            .map(|a| {
                (
                    a.id.clone(),
                    a.file_name.clone(),
                    size_text(a.size_bytes),
                    name_of(&a.uploaded_by),
                    page.datetime(&a.uploaded_at),
                )
            })
            .collect(),
        delegates,
        form,
        max_mib: format!("{:.0}", files.max_bytes as f64 / 1_048_576.0),
        notice,
        errors: page.errors(errors.clone()),
        page,
        d,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { status_on_error };
    Ok((status, render(&p)?).into_response())
}

#[derive(Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let notice = done_notice(&page, q.done.as_deref());
    task_page(&state, page, &id, notice, vec![], StatusCode::OK, TaskForm::default()).await
}

/// The page again with a refusal in its error summary, or the refusal as an error page when
/// the task cannot be shown.
async fn refused(
    state: &AppState,
    page: PageCtx,
    id: &str,
    field: &str,
    e: EngineError,
    form: TaskForm,
) -> AppResult<Response> {
    match e {
        EngineError::Refused(code, status) if code != "task_not_visible" => {
            task_page(state, page, id, None, vec![FieldError::new(field, code, &[])], status, form).await
        }
        other => Err(other.into()),
    }
}

fn to_task(id: &str, done: &str) -> Response {
    Redirect::to(&format!("/staff/workflow/tasks/{id}?done={done}")).into_response()
}

async fn claim(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    match service::claim(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(to_task(&id, "claimed")),
        Err(e) => refused(&state, page, &id, "actions", e, TaskForm::default()).await,
    }
}

async fn release(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    match service::release(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(to_task(&id, "released")),
        Err(e) => refused(&state, page, &id, "actions", e, TaskForm::default()).await,
    }
}

async fn delegate(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    let to = single(&body, "to").to_string();
    let form = TaskForm { to: to.clone(), ..Default::default() };
    if to.trim().is_empty() {
        let e = vec![FieldError::new("to", "assignee_required", &[])];
        return task_page(&state, page, &id, None, e, StatusCode::UNPROCESSABLE_ENTITY, form).await;
    }
    match service::delegate(&state.db, &id, &to, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(Redirect::to("/staff/workflow/tasks?done=delegated").into_response()),
        Err(e) => refused(&state, page, &id, "to", e, form).await,
    }
}

/// A form value as JSON: whole numbers, decimals, `true` and `false` as such, anything else as
/// text.
pub fn form_value(v: &str) -> Value {
    let t = v.trim();
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => t
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| t.parse::<f64>().ok().filter(|f| f.is_finite()).map(Value::from))
            .unwrap_or_else(|| Value::String(t.to_string())),
    }
}

/// The generic form data: rows of name and value (blank rows skipped), names of letters,
/// digits and `_` (at most 50), values at most 500 characters.
fn form_data(keys: &[String], values: &[String]) -> Result<Value, Vec<FieldError>> {
    let mut out = serde_json::Map::new();
    let mut errors = Vec::new();
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() && v.is_empty() {
            continue;
        }
        let ok = !k.is_empty() && k.len() <= 50 && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            errors.push(FieldError::new(&format!("key{}", i + 1), "form_key_invalid", &[]));
            continue;
        }
        if v.chars().count() > 500 {
            errors.push(FieldError::new(&format!("value{}", i + 1), "too_long", &[("max", "500".into())]));
            continue;
        }
        out.insert(k.to_string(), form_value(v));
    }
    if errors.is_empty() { Ok(Value::Object(out)) } else { Err(errors) }
}

async fn complete(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    let keys: Vec<String> = (1..=FORM_ROWS).map(|i| single(&body, &format!("key{i}")).to_string()).collect();
    let values: Vec<String> = (1..=FORM_ROWS).map(|i| single(&body, &format!("value{i}")).to_string()).collect();
    let form = TaskForm { keys: keys.clone(), values: values.clone(), ..Default::default() };
    let data = match form_data(&keys, &values) {
        Ok(d) => d,
        Err(e) => return task_page(&state, page, &id, None, e, StatusCode::UNPROCESSABLE_ENTITY, form).await,
    };
    match service::complete(&state.db, &id, data, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(Redirect::to("/staff/workflow/tasks?done=completed").into_response()),
        Err(e) => refused(&state, page, &id, "actions", e, form).await,
    }
}

async fn comment(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    let text = single(&body, "comment").to_string();
    let form = TaskForm { comment: text.clone(), ..Default::default() };
    match service::comment(&state.db, &id, &text, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(to_task(&id, "commented")),
        Err(e) => refused(&state, page, &id, "comment", e, form).await,
    }
}

async fn attach(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    form: Multipart,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&page.identity)?;
    let files = kernel::files::FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let Some((name, bytes)) = file_part(form).await? else {
        let e = vec![FieldError::new("file", "file_missing", &[])];
        return task_page(&state, page, &id, None, e, StatusCode::UNPROCESSABLE_ENTITY, TaskForm::default()).await;
    };
    match service::attach(&state.db, &files, &id, &name, bytes, &Worker { id: &me, roles: &mine }, &origin).await {
        Ok(_) => Ok(to_task(&id, "attached")),
        Err(service::AttachError::Refused(r)) => {
            let e = vec![FieldError::new("file", r.code(), &[])];
            task_page(&state, page, &id, None, e, StatusCode::UNPROCESSABLE_ENTITY, TaskForm::default()).await
        }
        Err(service::AttachError::Engine(e)) => refused(&state, page, &id, "file", e, TaskForm::default()).await,
        Err(e) => Err(e.into()),
    }
}

async fn download(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (me, mine) = worker_of(&identity)?;
    let files = kernel::files::FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let (a, bytes) = service::download(&state.db, &files, &id, &Worker { id: &me, roles: &mine }, &origin).await?;
    Ok(file_response(&a, bytes))
}

pub fn routes() -> Routes {
    let staff = Access::Staff(&[]);
    Routes::new()
        .page("/staff/workflow/tasks", staff, get(list))
        .page("/staff/workflow/tasks/reassign", Access::Staff(MANAGERS), post(reassign))
        .page("/staff/workflow/tasks/{id}", staff, get(show))
        .page("/staff/workflow/tasks/{id}/claim", staff, post(claim))
        .page("/staff/workflow/tasks/{id}/release", staff, post(release))
        .page("/staff/workflow/tasks/{id}/delegate", staff, post(delegate))
        .page("/staff/workflow/tasks/{id}/complete", staff, post(complete))
        .page("/staff/workflow/tasks/{id}/comments", staff, post(comment))
        .page("/staff/workflow/tasks/{id}/attachments", staff, post(attach))
        .page("/staff/workflow/attachments/{id}", staff, get(download))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_keep_their_kind() {
        assert_eq!(form_value(" 42 "), Value::from(42));
        assert_eq!(form_value("2.5"), Value::from(2.5));
        assert_eq!(form_value("true"), Value::Bool(true));
        assert_eq!(form_value("approved"), Value::from("approved"));
        assert_eq!(form_value("NaN"), Value::from("NaN"));
        let keys = ["outcome".to_string(), String::new(), "bad key".to_string()];
        let values = ["ok".to_string(), String::new(), "x".to_string()];
        let e = form_data(&keys, &values).unwrap_err();
        assert_eq!((e.len(), e[0].field.as_str(), e[0].code.as_str()), (1, "key3", "form_key_invalid"));
        let d = form_data(&keys[..2], &values[..2]).unwrap();
        assert_eq!(d, serde_json::json!({"outcome": "ok"}));
    }
}
