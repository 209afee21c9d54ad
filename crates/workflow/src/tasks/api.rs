//! Tasks API: the worklists, a task with its instance, claim, release, complete, delegate,
//! comments, attachments (upload and download) and bulk reassignment.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::service::{self, Worker};
use super::{Attachment, Comment, WorkItem, rules, store};
use crate::instances::TaskRow;
use crate::instances::service::InstanceView;

#[derive(Deserialize, ToSchema)]
pub struct CompleteRequest {
    /// Form data (a JSON object), merged into the instance variables.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub variables: Value,
}

pub fn roles(identity: &Identity) -> AppResult<(String, Vec<&'static str>)> {
    let s = identity.staff().ok_or(AppError::Unauthorized)?;
    Ok((s.id.clone(), s.roles.iter().map(|r| r.code()).collect()))
}

/// Worklist parameters (all optional).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `all` (default: tasks I hold and open or claimed tasks for my roles), `mine`, `team`
    /// (claimed by others for one of my roles), `unassigned`, `overdue`, `due_soon` (due
    /// within 48 hours).
    pub view: Option<String>,
    /// A process key.
    pub definition: Option<String>,
    /// Text to find in the task's name or its instance (id, variables).
    pub q: Option<String>,
    /// `created` (oldest first, default), `newest`, `due` (soonest first).
    pub sort: Option<String>,
    /// Page number from 1; 25 tasks a page.
    pub page: Option<String>,
}

/// The parameters checked, or the field errors that a page or the API shows.
pub fn parse_params(p: &ListParams) -> AppResult<rules::Query> {
    rules::query(p.view.as_deref(), p.definition.as_deref(), p.q.as_deref(), p.sort.as_deref(), p.page.as_deref())
        .map_err(|bad| AppError::Validation(bad.iter().map(|(f, c)| FieldError::new(f, c, &[])).collect()))
}

/// A worklist: one page of tasks, with `x-total-count` (tasks in all) and `x-page-size`
/// headers.
#[utoipa::path(get, path = "/api/v1/workflow/tasks", tag = "workflow", params(ListParams),
    responses((status = 200, body = [WorkItem]), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(params): Query<ListParams>,
) -> AppResult<impl IntoResponse> {
    let (me, mine) = roles(&identity)?;
    let q = parse_params(&params)?;
    let (items, total) = store::worklist(&state.db, &q, &me, &mine, kernel::now_ms(), rules::PAGE_SIZE).await?;
    let headers = [("x-total-count", total.to_string()), ("x-page-size", rules::PAGE_SIZE.to_string())];
    Ok((headers, Json(items)))
}

/// A task with its instance (name, variables), and the comments and attachments of the
/// instance.
#[derive(Serialize, ToSchema)]
pub struct TaskDetail {
    pub task: WorkItem,
    pub instance: InstanceView,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
}

/// Everything about a task, for those who may see it.
pub async fn detail(db: &kernel::Db, id: &str, w: &Worker<'_>) -> AppResult<TaskDetail> {
    let task = service::visible(db, id, w).await?;
    let item = store::item_by_id(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(TaskDetail {
        task: item,
        instance: crate::instances::service::view(db, &task.instance_id).await?,
        comments: store::comments_of_instance(db, &task.instance_id).await?,
        attachments: store::attachments_of_instance(db, &task.instance_id).await?,
    })
}

/// A task with its instance, comments and attachments (403 `task_not_visible` for someone who
/// may not see it).
#[utoipa::path(get, path = "/api/v1/workflow/tasks/{id}", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskDetail), (status = 403), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<String>,
) -> AppResult<Json<TaskDetail>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(detail(&state.db, &id, &Worker { id: &me, roles: &mine }).await?))
}

/// Claim a task (one of its roles needed). Of two claims at once one wins; the other gets
/// 409 `task_already_claimed`.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/claim", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskRow), (status = 403), (status = 404), (status = 409)))]
pub async fn claim(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Json<TaskRow>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::claim(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await?))
}

/// Give back a task I claimed.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/release", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    responses((status = 200, body = TaskRow), (status = 404), (status = 409)))]
pub async fn release(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Json<TaskRow>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::release(&state.db, &id, &Worker { id: &me, roles: &mine }, &origin).await?))
}

/// Complete a task I claimed, with form data; the instance moves on.
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/complete", tag = "workflow",
    params(("id" = String, Path, description = "Task id")), request_body = CompleteRequest,
    responses((status = 200, body = InstanceView), (status = 403), (status = 404), (status = 409)))]
pub async fn complete(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(req): Json<CompleteRequest>,
) -> AppResult<Json<InstanceView>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::complete(&state.db, &id, req.variables, &Worker { id: &me, roles: &mine }, &origin).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DelegateRequest {
    /// The staff id or e-mail of the person who takes the task over.
    pub to: String,
}

/// Hand a task I claimed to another member of staff holding one of its candidate roles
/// (422 `assignee_unknown`, `assignee_lacks_role`, `assignee_four_eyes`, `assignee_is_you`).
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/delegate", tag = "workflow",
    params(("id" = String, Path, description = "Task id")), request_body = DelegateRequest,
    responses((status = 200, body = TaskRow), (status = 404), (status = 409), (status = 422)))]
pub async fn delegate(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(req): Json<DelegateRequest>,
) -> AppResult<Json<TaskRow>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::delegate(&state.db, &id, &req.to, &Worker { id: &me, roles: &mine }, &origin).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct CommentRequest {
    /// At most 2,000 characters.
    pub text: String,
}

/// Comment on a task (shown with every task of its instance).
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/comments", tag = "workflow",
    params(("id" = String, Path, description = "Task id")), request_body = CommentRequest,
    responses((status = 201, body = Comment), (status = 403), (status = 404), (status = 422)))]
pub async fn comment(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Json(req): Json<CommentRequest>,
) -> AppResult<(StatusCode, Json<Comment>)> {
    let (me, mine) = roles(&identity)?;
    let c = service::comment(&state.db, &id, &req.text, &Worker { id: &me, roles: &mine }, &origin).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

impl From<service::AttachError> for AppError {
    fn from(e: service::AttachError) -> Self {
        match e {
            service::AttachError::Engine(e) => e.into(),
            service::AttachError::Refused(r) => AppError::Validation(vec![FieldError::new("file", r.code(), &[])]),
            service::AttachError::Files(kernel::files::FileError::NotFound) => AppError::NotFound,
            service::AttachError::Files(e) => AppError::Internal(e.into()),
        }
    }
}

/// The file part of a multipart upload: its name and bytes (None when there is no `file` part
/// or it is empty and nameless, as a form sends when nothing was chosen).
pub async fn file_part(mut form: Multipart) -> AppResult<Option<(String, bytes::Bytes)>> {
    while let Some(field) = form.next_field().await.map_err(|_| AppError::Malformed("bad_multipart"))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_string();
            let bytes =
                field.bytes().await.map_err(|_| AppError::Code(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"))?;
            if name.is_empty() && bytes.is_empty() {
                return Ok(None);
            }
            return Ok(Some((name, bytes)));
        }
    }
    Ok(None)
}

/// Attach a file to a task (multipart/form-data, part `file`): PDF, PNG, JPEG, GIF, CSV or
/// plain text, checked by content; at most the configured size (10 MiB by default).
#[utoipa::path(post, path = "/api/v1/workflow/tasks/{id}/attachments", tag = "workflow",
    params(("id" = String, Path, description = "Task id")),
    request_body(content_type = "multipart/form-data", description = "part `file`"),
    responses((status = 201, body = Attachment), (status = 403), (status = 404), (status = 422)))]
pub async fn attach(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    form: Multipart,
) -> AppResult<(StatusCode, Json<Attachment>)> {
    let (me, mine) = roles(&identity)?;
    let files = kernel::files::FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let (name, bytes) = file_part(form)
        .await?
        .ok_or_else(|| AppError::Validation(vec![FieldError::new("file", "file_missing", &[])]))?;
    let w = Worker { id: &me, roles: &mine };
    let a = service::attach(&state.db, &files, &id, &name, bytes, &w, &origin).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The response that downloads an attachment (always as a download, never shown inline).
pub fn file_response(a: &Attachment, bytes: bytes::Bytes) -> axum::response::Response {
    let ascii: String =
        a.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let encoded = percent_encoding::utf8_percent_encode(&a.file_name, percent_encoding::NON_ALPHANUMERIC).to_string();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, a.media_type.clone()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Download an attachment (for those who may see its task).
#[utoipa::path(get, path = "/api/v1/workflow/attachments/{id}", tag = "workflow",
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "the file"), (status = 403), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<axum::response::Response> {
    let (me, mine) = roles(&identity)?;
    let files = kernel::files::FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let (a, bytes) = service::download(&state.db, &files, &id, &Worker { id: &me, roles: &mine }, &origin).await?;
    Ok(file_response(&a, bytes))
}

#[derive(Deserialize, ToSchema)]
pub struct ReassignRequest {
    /// Task ids (at most 100).
    pub tasks: Vec<String>,
    /// The staff id or e-mail of the person who gets them.
    pub to: String,
}

impl From<service::ReassignError> for AppError {
    fn from(e: service::ReassignError) -> Self {
        match e {
            service::ReassignError::Engine(e) => e.into(),
            service::ReassignError::Refused(refusals) => AppError::Validation(
                refusals
                    .iter()
                    .map(|r| {
                        FieldError::new(
                            &format!("tasks.{}", r.task),
                            &format!("reassign_{}", r.code),
                            &[("task", r.name.clone())],
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// A team lead or administrator gives the selected tasks to one person, all or nothing: if any
/// task cannot go to them, nothing changes and 422 lists every refusal (`errors[].field` is
/// `tasks.<id>`, `code` why).
#[utoipa::path(post, path = "/api/v1/workflow/tasks/reassign", tag = "workflow", request_body = ReassignRequest,
    responses((status = 200, body = [TaskRow]), (status = 403), (status = 422)))]
pub async fn reassign(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Json(req): Json<ReassignRequest>,
) -> AppResult<Json<Vec<TaskRow>>> {
    let (me, mine) = roles(&identity)?;
    Ok(Json(service::reassign(&state.db, &req.tasks, &req.to, &Worker { id: &me, roles: &mine }, &origin).await?))
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Staff(&[]), routes!(list))
        .api(Access::Staff(&[]), routes!(show))
        .api(Access::Staff(&[]), routes!(delegate))
        .api(Access::Staff(&[]), routes!(comment))
        .api(Access::Staff(&[]), routes!(attach))
        .api(Access::Staff(&[]), routes!(download))
        .api(Access::Staff(rules::MANAGERS), routes!(reassign))
        .api(Access::Staff(&[]), routes!(claim))
        .api(Access::Staff(&[]), routes!(release))
        .api(Access::Staff(&[]), routes!(complete))
}
