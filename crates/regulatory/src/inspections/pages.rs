//! Inspection pages: an inspector's list (today and upcoming) and the checklist page, which
//! records the outcome with a plain multipart form (no JavaScript needed: findings, notes,
//! photos, the typed signature, the outcome). With JavaScript, a canvas adds a drawn signature
//! and, offline, the record is queued and sent to the JSON API when back online; a service
//! worker keeps the page and its assets, and a web manifest makes it installable.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::files::FileStore;
use kernel::identity::Role;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, FieldError, PageCtx, Routes};
use serde::Deserialize;

use super::rules::{self, Answer, Finding, Record};
use super::service::{self, InspError, Upload};
use super::{OUTCOMES, checklist, store};

/// Who records inspections.
pub const INSPECTORS: &[Role] = &[Role::Inspector];

/// Who may open the inspectors' list (administrators see every staff page; theirs is empty).
const LIST: &[Role] = &[Role::Inspector, Role::Admin];

/// The inspector's card on the staff home page.
pub const CARD: kernel::area::HomeCard =
    kernel::area::HomeCard::staff("reg-insp-card-title", "reg-insp-card-text", "/staff/regulatory/inspections/mine");

struct Row {
    id: String,
    day: String,
    window: String,
    premises: String,
    address: String,
    kind: String,
    priority: i64,
}

#[derive(Template)]
#[template(path = "regulatory/inspections/mine.html")]
struct MinePage {
    page: PageCtx,
    today: Vec<Row>,
    upcoming: Vec<Row>,
}

fn staff_id(page: &PageCtx) -> AppResult<String> {
    page.identity.staff().map(|s| s.id.clone()).ok_or(AppError::Forbidden)
}

async fn mine(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let today = kernel::hk::today().format("%Y-%m-%d").to_string();
    let rows = store::mine(&state.db, &me, &today, 200).await?;
    let (mut t, mut u) = (vec![], vec![]);
    for (i, name_en, name_zh, addr_en, addr_zh) in rows {
        let day = i.planned_on.clone().unwrap_or_else(|| i.due_on.clone());
        let row = Row {
            id: i.id.clone(),
            window: format!("{}–{}", i.window_start, i.window_end),
            premises: page.pick(&name_en, &name_zh).to_string(),
            address: page.pick(&addr_en, &addr_zh).to_string(),
            kind: page.t(&format!("reg-insp-kind-{}", i.kind)),
            priority: i.priority,
            day: day.clone(),
        };
        if day == today { t.push(row) } else { u.push(row) }
    }
    Ok(render(&MinePage { page, today: t, upcoming: u })?.into_response())
}

struct ItemView {
    code: String,
    provision: String,
    text: String,
    result: String,
    note: String,
}

struct FindingView {
    text: String,
    provision: String,
    result: String,
    note: String,
}

#[derive(Template)]
#[template(path = "regulatory/inspections/checklist.html")]
struct ChecklistPage {
    page: PageCtx,
    errors: FieldErrors,
    id: String,
    premises: String,
    address: String,
    day: String,
    window: String,
    kind: String,
    source_ref: String,
    done: bool,
    outcome_label: String,
    done_at: String,
    signed_by: String,
    late_reason: String,
    findings: Vec<FindingView>,
    photos: Vec<(String, String)>,
    follow_up: bool,
    items: Vec<ItemView>,
    outcomes: Vec<(&'static str, String)>,
    results: Vec<(&'static str, String)>,
    form: Form,
    submission_id: String,
    max_mib: String,
    notice: bool,
    /// The premises' enforcement case notes: (kind, when, note).
    notes: Vec<(String, String, String)>,
}

#[derive(Default, Clone)]
struct Form {
    answers: Vec<Answer>,
    outcome: String,
    signed_by: String,
    late: bool,
    late_reason: String,
    submission_id: String,
}

async fn checklist_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    form: Form,
    errors: Vec<FieldError>,
    notice: bool,
) -> AppResult<Response> {
    let i = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let p = crate::premises::store::get(&state.db, &i.premises_id).await?.ok_or(AppError::NotFound)?;
    let list = checklist::for_type(store::licence_type(&state.db, &i).await?.as_deref());
    let rec = store::recording(&state.db, id).await?.unwrap_or_default();
    let findings: Vec<Finding> = serde_json::from_str(&i.findings).unwrap_or_default();
    let text_of = |code: &str| {
        checklist::for_type(None)
            .iter()
            .chain(list.iter())
            .find(|c| c.code == code)
            .map(|c| c.text(page.locale).to_string())
            .unwrap_or_else(|| code.to_string())
    };
    let files = FileStore::of(state).map_err(|e| AppError::Internal(e.into()))?;
    let done = i.status == "done";
    let items = list
        .iter()
        .map(|c| {
            let a = form.answers.iter().find(|a| a.item == c.code);
            ItemView {
                code: c.code.into(),
                provision: c.provision.into(),
                text: c.text(page.locale).into(),
                result: a.map(|a| a.result.clone()).unwrap_or_default(),
                note: a.map(|a| a.note.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let submission_id = if form.submission_id.is_empty() { kernel::new_id() } else { form.submission_id.clone() };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page_t = ChecklistPage {
        id: i.id.clone(),
        premises: p.name(page.locale).into(),
        address: p.address(page.locale).into(),
        day: i.planned_on.clone().unwrap_or_else(|| i.due_on.clone()),
        window: format!("{}–{}", i.window_start, i.window_end),
        kind: page.t(&format!("reg-insp-kind-{}", i.kind)),
        source_ref: i.source_ref.clone().unwrap_or_default(),
        done,
        outcome_label: i.outcome.as_deref().map(|o| page.t(&format!("reg-insp-outcome-{o}"))).unwrap_or_default(),
        done_at: i.done_at.map(|t| page.datetime(&t)).unwrap_or_default(),
        signed_by: rec.signed_by.unwrap_or_default(),
        late_reason: rec.late_reason.unwrap_or_default(),
        findings: findings
            .iter()
            .map(|f| FindingView {
                text: text_of(&f.item),
                provision: f.provision.clone(),
                result: page.t(&format!("reg-insp-result-{}", f.result)),
                note: f.note.clone(),
            })
            .collect(),
        photos: if done {
            store::photos(&state.db, id).await?.into_iter().map(|p| (p.id, p.file_name)).collect()
        } else {
            vec![]
        },
        follow_up: matches!(i.outcome.as_deref(), Some("warning" | "prosecution")),
        items,
        outcomes: OUTCOMES.iter().map(|o| (*o, page.t(&format!("reg-insp-outcome-{o}")))).collect(),
        results: rules::RESULTS.iter().map(|r| (*r, page.t(&format!("reg-insp-result-{r}")))).collect(),
        form,
        submission_id,
        max_mib: format!("{:.1}", files.max_bytes as f64 / 1_048_576.0),
        notice,
        notes: store::notes_of_premises(&state.db, &i.premises_id)
            .await?
            .into_iter()
            .map(|n| (page.t(&format!("reg-insp-note-kind-{}", n.kind)), page.datetime(&n.created_at), n.note))
            .collect(),
        errors: page.errors(errors),
        page,
    };
    Ok((status, render(&page_t)?).into_response())
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> AppResult<Response> {
    checklist_page(&state, page, &id, Form::default(), vec![], q.done.is_some()).await
}

/// The signature drawn on the canvas, sent as a `data:image/png;base64,` URL.
pub fn signature_bytes(data_url: &str) -> Result<Option<Bytes>, FieldError> {
    let s = data_url.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let b64 = s
        .strip_prefix("data:image/png;base64,")
        .ok_or_else(|| FieldError::new("signed_by", "reg_insp_signature_invalid", &[]))?;
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map(|b| Some(Bytes::from(b)))
        .map_err(|_| FieldError::new("signed_by", "reg_insp_signature_invalid", &[]))
}

async fn submit(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    mut mp: Multipart,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let i = store::get(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let list = checklist::for_type(store::licence_type(&state.db, &i).await?.as_deref());
    let mut fields: Vec<(String, String)> = vec![];
    let mut photos = vec![];
    while let Some(field) = mp.next_field().await.map_err(|_| AppError::Malformed("bad_multipart"))? {
        let name = field.name().unwrap_or("").to_string();
        if name == "photos" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes =
                field.bytes().await.map_err(|_| AppError::Code(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"))?;
            if !(file_name.is_empty() && bytes.is_empty()) {
                photos.push(Upload { name: file_name, bytes });
            }
        } else {
            let text = field.text().await.map_err(|_| AppError::Malformed("bad_multipart"))?;
            fields.push((name, text));
        }
    }
    let single = |k: &str| kernel::web::form::single(&fields, k).to_string();
    let form = Form {
        answers: list
            .iter()
            .map(|c| Answer {
                item: c.code.into(),
                result: single(&format!("item-{}", c.code)),
                note: single(&format!("note-{}", c.code)),
            })
            .filter(|a| !a.result.is_empty() || !a.note.is_empty())
            .collect(),
        outcome: single("outcome"),
        signed_by: single("signed_by"),
        late: single("late") == "1",
        late_reason: single("late_reason"),
        submission_id: single("submission_id"),
    };
    let signature = match signature_bytes(&single("signature_png")) {
        Ok(s) => s,
        Err(e) => return checklist_page(&state, page, &id, form, vec![e], false).await,
    };
    let record = Record {
        answers: form.answers.clone(),
        outcome: form.outcome.clone(),
        signed_by: form.signed_by.clone(),
        late: form.late,
        late_reason: form.late_reason.clone(),
        at: kernel::now_ms(),
    };
    let files = FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let sub = Some(form.submission_id.as_str());
    match service::record(&state, &files, &id, &me, sub, &record, photos, signature, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/regulatory/inspections/{id}/checklist?done=1")).into_response()),
        Err(InspError::Invalid(e)) => checklist_page(&state, page, &id, form, e, false).await,
        Err(e) => Err(e.into()),
    }
}

async fn photo(State(state): State<AppState>, Path(id): Path<String>) -> AppResult<Response> {
    let p = store::photo(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let files = FileStore::of(&state).map_err(|e| AppError::Internal(e.into()))?;
    let bytes = files.get(&p.file_key).await.map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, p.media_type.clone()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

const SW: &str = include_str!("../../../../web/regulatory-sw.js");
const MANIFEST: &str = include_str!("../../../../web/regulatory-manifest.webmanifest");

/// The service worker, served under the inspections path so that its scope covers the pages.
async fn sw() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], SW)
        .into_response()
}

async fn manifest() -> Response {
    ([(header::CONTENT_TYPE, "application/manifest+json")], MANIFEST).into_response()
}

pub fn routes() -> Routes {
    let insp = Access::Staff(INSPECTORS);
    Routes::new()
        .page("/staff/regulatory/inspections/mine", Access::Staff(LIST), get(mine))
        .page("/staff/regulatory/inspections/{id}/checklist", insp, get(show).post(submit))
        .page("/staff/regulatory/inspections/photos/{id}", Access::Staff(crate::STAFF), get(photo))
        .page("/staff/regulatory/inspections/sw.js", Access::Public, get(sw))
        .page("/staff/regulatory/inspections/manifest.webmanifest", Access::Public, get(manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_png_data_urls() {
        assert_eq!(signature_bytes("").unwrap(), None);
        let png = base64::engine::general_purpose::STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        assert_eq!(signature_bytes(&format!("data:image/png;base64,{png}")).unwrap().unwrap().len(), 12);
        assert_eq!(signature_bytes("data:image/jpeg;base64,AAAA").unwrap_err().code, "reg_insp_signature_invalid");
        assert_eq!(signature_bytes("data:image/png;base64,%%%").unwrap_err().code, "reg_insp_signature_invalid");
    }
}
