//! Complaint pages: the public form (with a search of the register to choose the premises),
//! the confirmation and the public status page by reference; staff's triage list and a
//! complaint with its group and the triage actions. Every form works without JavaScript;
//! refusals come back as an error summary on the same page.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::web::form::{FieldErrors, single};
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;

use super::rules::{CATEGORIES, Draft, STATUSES};
use super::service::{self, CmpError};
use super::{Complaint, store};

/// Premises shown from a search of the register.
pub struct Choice {
    pub id: String,
    pub name: String,
    pub address: String,
}

fn districts(page: &PageCtx) -> Vec<(String, String)> {
    kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect()
}

async fn choices(state: &AppState, page: &PageCtx, q: &str, district: &str) -> AppResult<Vec<Choice>> {
    if q.trim().is_empty() && district.trim().is_empty() {
        return Ok(vec![]);
    }
    Ok(store::search_premises(&state.db, q, district, 20)
        .await?
        .into_iter()
        .map(|p| Choice {
            id: p.id.clone(),
            name: p.name(page.locale).to_string(),
            address: p.address(page.locale).to_string(),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "regulatory/complaints/new.html")]
struct NewPage {
    page: PageCtx,
    errors: FieldErrors,
    form: Draft,
    q: String,
    searched: bool,
    choices: Vec<Choice>,
    categories: Vec<(&'static str, String)>,
    districts: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    q: Option<String>,
    district: Option<String>,
}

async fn new_page(
    state: &AppState,
    page: PageCtx,
    form: Draft,
    q: String,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let searched = !q.trim().is_empty() || !form.district.trim().is_empty();
    let mut choices = choices(state, &page, &q, &form.district).await?;
    if !form.premises_id.is_empty()
        && !choices.iter().any(|c| c.id == form.premises_id)
        && let Some(p) = crate::premises::store::get(&state.db, &form.premises_id).await?
    {
        choices.insert(
            0,
            Choice { id: p.id.clone(), name: p.name(page.locale).into(), address: p.address(page.locale).into() },
        );
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = NewPage {
        categories: CATEGORIES.iter().map(|c| (*c, page.t(&format!("reg-cmp-category-{c}")))).collect(),
        districts: districts(&page),
        errors: page.errors(errors),
        form,
        q,
        searched,
        choices,
        page,
    };
    Ok((status, render(&p)?).into_response())
}

async fn new_form(State(state): State<AppState>, page: PageCtx, Query(s): Query<SearchQuery>) -> AppResult<Response> {
    let form = Draft { district: s.district.unwrap_or_default(), ..Default::default() };
    new_page(&state, page, form, s.q.unwrap_or_default(), vec![]).await
}

fn draft_of(body: &[(String, String)]) -> Draft {
    Draft {
        premises_id: single(body, "premises_id").to_string(),
        premises_text: single(body, "premises_text").to_string(),
        district: single(body, "district").to_string(),
        category: single(body, "category").to_string(),
        description: single(body, "description").to_string(),
        email: single(body, "email").to_string(),
        phone: single(body, "phone").to_string(),
    }
}

async fn submit(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = draft_of(&body);
    let q = single(&body, "q").to_string();
    let account = page.identity.citizen().map(|c| c.id.clone());
    match service::submit(&state, &form, page.locale, account.as_deref(), &origin).await {
        Ok(c) => Ok(Redirect::to(&format!("/complaints/status?ref={}&sent=1", c.reference)).into_response()),
        Err(CmpError::Invalid(e)) => new_page(&state, page, form, q, e).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "regulatory/complaints/status.html")]
struct StatusPage {
    page: PageCtx,
    errors: FieldErrors,
    reference: String,
    sent: bool,
    found: Option<Complaint>,
    status: String,
    outcome: String,
    contact: bool,
    received: String,
}

#[derive(Deserialize, Default)]
struct StatusQuery {
    r#ref: Option<String>,
    sent: Option<String>,
}

async fn status(State(state): State<AppState>, page: PageCtx, Query(q): Query<StatusQuery>) -> AppResult<Response> {
    let reference = q.r#ref.unwrap_or_default().trim().to_uppercase();
    let found = if reference.is_empty() { None } else { service::public_status(&state, &reference).await? };
    let mut errors = vec![];
    if !reference.is_empty() && found.is_none() {
        errors.push(FieldError::new("ref", "reg_cmp_ref_unknown", &[]));
    }
    let code = if errors.is_empty() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    let p = StatusPage {
        status: found.as_ref().map(|c| page.t(&format!("reg-cmp-status-{}", c.status))).unwrap_or_default(),
        outcome: found
            .as_ref()
            .and_then(|c| c.outcome.as_deref())
            .map(|o| {
                if o == "rejected" {
                    page.t("reg-cmp-status-rejected")
                } else {
                    page.t(&format!("reg-insp-outcome-{o}"))
                }
            })
            .unwrap_or_default(),
        received: found.as_ref().map(|c| page.datetime(&c.created_at)).unwrap_or_default(),
        contact: found.as_ref().is_some_and(|c| c.contact_email.is_some() || c.contact_phone.is_some()),
        sent: q.sent.is_some() && found.is_some(),
        errors: page.errors(errors),
        reference,
        found,
        page,
    };
    Ok((code, render(&p)?).into_response())
}

// ---- Staff ----

struct Row {
    id: String,
    reference: String,
    group: String,
    group_size: usize,
    lead: bool,
    premises: String,
    category: String,
    status: String,
    priority: i64,
    received: String,
}

#[derive(Template)]
#[template(path = "regulatory/complaints/list.html")]
struct ListPage {
    page: PageCtx,
    rows: Vec<Row>,
    status: String,
    district: String,
    q: String,
    statuses: Vec<(&'static str, String)>,
    districts: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    status: Option<String>,
    district: Option<String>,
    q: Option<String>,
}

async fn premises_names(
    state: &AppState,
    page: &PageCtx,
    list: &[Complaint],
) -> AppResult<std::collections::HashMap<String, String>> {
    let mut out = std::collections::HashMap::new();
    for c in list {
        if let Some(p) = &c.premises_id
            && !out.contains_key(p)
            && let Some(x) = crate::premises::store::get(&state.db, p).await?
        {
            out.insert(p.clone(), x.name(page.locale).to_string());
        }
    }
    Ok(out)
}

async fn list(State(state): State<AppState>, page: PageCtx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let status = q.status.unwrap_or_default().filter_status();
    let district = q.district.unwrap_or_default();
    let text = q.q.unwrap_or_default();
    let found = store::list(&state.db, Some(&status), Some(&district), &text, 500).await?;
    let names = premises_names(&state, &page, &found).await?;
    let mut sizes = std::collections::HashMap::<String, usize>::new();
    for c in &found {
        *sizes.entry(c.group().to_string()).or_default() += 1;
    }
    let rows = found
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            reference: c.reference.clone(),
            group: c.group().to_string(),
            group_size: sizes.get(c.group()).copied().unwrap_or(1),
            lead: c.group() == c.id,
            premises: c
                .premises_id
                .as_ref()
                .and_then(|p| names.get(p).cloned())
                .unwrap_or_else(|| c.premises_text.clone()),
            category: page.t(&format!("reg-cmp-category-{}", c.category)),
            status: page.t(&format!("reg-cmp-status-{}", c.status)),
            priority: c.priority,
            received: page.datetime(&c.created_at),
        })
        .collect();
    let p = ListPage {
        rows,
        statuses: STATUSES.iter().map(|s| (*s, page.t(&format!("reg-cmp-status-{s}")))).collect(),
        districts: districts(&page),
        status,
        district,
        q: text,
        page,
    };
    Ok(render(&p)?.into_response())
}

trait FilterStatus {
    fn filter_status(self) -> String;
}

impl FilterStatus for String {
    fn filter_status(self) -> String {
        if STATUSES.contains(&self.as_str()) { self } else { String::new() }
    }
}

#[derive(Template)]
#[template(path = "regulatory/complaints/show.html")]
struct ShowPage {
    page: PageCtx,
    errors: FieldErrors,
    notice: Option<String>,
    c: Complaint,
    premises: String,
    category: String,
    status: String,
    outcome: String,
    open: bool,
    group: Vec<(String, String, String)>,
    q: String,
    choices: Vec<Choice>,
    reason: String,
    other: String,
    received: String,
    priorities: Vec<(i64, String)>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    q: Option<String>,
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    page: PageCtx,
    id: &str,
    q: String,
    notice: Option<String>,
    errors: Vec<FieldError>,
    reason: String,
    other: String,
) -> AppResult<Response> {
    let c = store::get(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let premises = match &c.premises_id {
        Some(p) => crate::premises::store::get(&state.db, p)
            .await?
            .map(|x| format!("{} ({})", x.name(page.locale), x.address(page.locale)))
            .unwrap_or_default(),
        None => String::new(),
    };
    let group = store::group(&state.db, c.group())
        .await?
        .into_iter()
        .filter(|g| g.id != c.id)
        .map(|g| (g.id.clone(), g.reference.clone(), page.t(&format!("reg-cmp-status-{}", g.status))))
        .collect();
    let choices = choices(state, &page, &q, "").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = ShowPage {
        premises,
        category: page.t(&format!("reg-cmp-category-{}", c.category)),
        status: page.t(&format!("reg-cmp-status-{}", c.status)),
        outcome: c
            .outcome
            .as_deref()
            .filter(|o| *o != "rejected")
            .map(|o| page.t(&format!("reg-insp-outcome-{o}")))
            .unwrap_or_default(),
        open: matches!(c.status.as_str(), "received" | "triaged"),
        received: page.datetime(&c.created_at),
        priorities: (1..=3).map(|p| (p, page.t(&format!("reg-cmp-priority-{p}")))).collect(),
        group,
        choices,
        q,
        notice: notice.map(|n| page.t(&format!("reg-cmp-done-{n}"))),
        errors: page.errors(errors),
        reason,
        other,
        c,
        page,
    };
    Ok((status, render(&p)?).into_response())
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let done =
        q.done.filter(|d| ["matched", "triaged", "rejected", "inspection", "linked", "unlinked"].contains(&d.as_str()));
    show_page(&state, page, &id, q.q.unwrap_or_default(), done, vec![], String::new(), String::new()).await
}

fn staff_id(page: &PageCtx) -> AppResult<String> {
    page.identity.staff().map(|s| s.id.clone()).ok_or(AppError::Forbidden)
}

fn back(id: &str, done: &str) -> Response {
    Redirect::to(&format!("/staff/regulatory/complaints/{id}?done={done}")).into_response()
}

async fn after(
    state: &AppState,
    page: PageCtx,
    id: &str,
    r: Result<(), CmpError>,
    done: &str,
    reason: String,
    other: String,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(back(id, done)),
        Err(CmpError::Invalid(e)) => show_page(state, page, id, String::new(), None, e, reason, other).await,
        Err(e) => Err(e.into()),
    }
}

async fn do_match(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let premises = single(&body, "premises_id").to_string();
    let r = if premises.trim().is_empty() {
        Err(CmpError::Invalid(vec![FieldError::new("premises", "reg_cmp_premises_choose", &[])]))
    } else {
        service::match_premises(&state, &id, &premises, &me, &origin).await.map(|_| ())
    };
    after(&state, page, &id, r, "matched", String::new(), String::new()).await
}

async fn do_triage(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let priority: i64 = single(&body, "priority").parse().unwrap_or(0);
    let inspect = single(&body, "action") == "inspect";
    let r = service::triage(&state, &id, priority, inspect, &me, &origin).await.map(|_| ());
    after(&state, page, &id, r, if inspect { "inspection" } else { "triaged" }, String::new(), String::new()).await
}

async fn do_reject(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let reason = single(&body, "reason").to_string();
    let r = service::reject(&state, &id, &reason, &me, &origin).await.map(|_| ());
    after(&state, page, &id, r, "rejected", reason, String::new()).await
}

async fn do_link(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let other = single(&body, "other").to_string();
    let r = service::link(&state, &id, &other, &me, &origin).await.map(|_| ());
    after(&state, page, &id, r, "linked", String::new(), other).await
}

async fn do_unlink(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let me = staff_id(&page)?;
    let r = service::unlink(&state, &id, &me, &origin).await.map(|_| ());
    after(&state, page, &id, r, "unlinked", String::new(), String::new()).await
}

/// The complaints card on the staff home page.
pub const CARD: kernel::area::HomeCard =
    kernel::area::HomeCard::staff("reg-cmp-card-title", "reg-cmp-card-text", "/staff/regulatory/complaints");

/// The public card: make a complaint.
pub const PUBLIC_CARD: kernel::area::HomeCard =
    kernel::area::HomeCard::public("reg-cmp-public-card-title", "reg-cmp-public-card-text", "/complaints/new");

pub fn routes() -> Routes {
    let staff = Access::Staff(crate::STAFF);
    Routes::new()
        .page("/complaints/new", Access::Public, get(new_form).post(submit))
        .page("/complaints/status", Access::Public, get(status))
        .page("/staff/regulatory/complaints", staff, get(list))
        .page("/staff/regulatory/complaints/{id}", staff, get(show))
        .page("/staff/regulatory/complaints/{id}/match", staff, post(do_match))
        .page("/staff/regulatory/complaints/{id}/triage", staff, post(do_triage))
        .page("/staff/regulatory/complaints/{id}/reject", staff, post(do_reject))
        .page("/staff/regulatory/complaints/{id}/link", staff, post(do_link))
        .page("/staff/regulatory/complaints/{id}/unlink", staff, post(do_unlink))
}
