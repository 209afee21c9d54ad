//! The register's pages (no sign-in, no JavaScript): the search `/register` with paged results,
//! a premises' public record `/register/premises/{id}`, and the CSV download `/register.csv` of
//! the same search.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::audit::Origin;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::paging::Pager;
use kernel::web::{Access, AppError, AppResult, PageCtx, Routes};

use super::rules::{self, Entry, PublishedOutcome, Search, SearchParams};
use super::service;
use crate::licence_types::LicenceType;

/// One result as shown.
pub struct Item {
    pub premises_id: String,
    pub name: String,
    pub number: String,
    pub kind: String,
    pub status: String,
    pub expires: String,
    pub district: String,
    pub address: String,
    pub holder: Option<String>,
    pub outcome: Option<String>,
}

fn district_name(page: &PageCtx, code: &str) -> String {
    kernel::hk::district(code).map(|d| d.name(page.locale).to_string()).unwrap_or_else(|| code.to_string())
}

fn outcome_text(page: &PageCtx, o: &PublishedOutcome) -> String {
    format!("{} ({})", page.t(&format!("reg-register-outcome-{}", o.outcome)), o.inspected_on)
}

fn item(page: &PageCtx, e: &Entry) -> Item {
    Item {
        premises_id: e.premises_id.clone(),
        name: page.pick(&e.premises_name_en, &e.premises_name_zh).to_string(),
        number: e.licence_number.clone(),
        kind: page.pick(&e.licence_type_en, &e.licence_type_zh).to_string(),
        status: page.t(&format!("reg-register-status-{}", e.status)),
        expires: e.expires_on.clone(),
        district: district_name(page, &e.district),
        address: page.pick(&e.address_en, &e.address_zh).to_string(),
        holder: match (&e.holder_en, &e.holder_zh) {
            (Some(en), Some(zh)) => Some(page.pick(en, zh).to_string()),
            _ => None,
        },
        outcome: e.latest_outcome.as_ref().map(|o| outcome_text(page, o)),
    }
}

#[derive(Template)]
#[template(path = "regulatory/register/search.html")]
struct SearchPage {
    page: PageCtx,
    errors: FieldErrors,
    q: String,
    district: String,
    licence_type: String,
    status: String,
    districts: Vec<(String, String)>,
    types: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    items: Vec<Item>,
    total: i64,
    searched: bool,
    pager: Pager,
    csv_href: String,
    json_href: String,
}

async fn types(state: &AppState) -> AppResult<(Vec<LicenceType>, Vec<String>)> {
    let types = crate::licence_types::store::all(&state.db).await?;
    let codes = types.iter().map(|t| t.code.clone()).collect();
    Ok((types, codes))
}

async fn search_page(
    State(state): State<AppState>,
    page: PageCtx,
    Query(p): Query<SearchParams>,
) -> AppResult<Response> {
    let (types, codes) = types(&state).await?;
    // The page always shows 20 a page.
    let p = SearchParams { per_page: None, ..p };
    let (s, errors) = match rules::parse(&p, &codes) {
        Ok(s) => (s, vec![]),
        Err(e) => (Search { page: 1, per_page: rules::PAGE_SIZE, ..Search::default() }, e),
    };
    let today = kernel::hk::today().to_string();
    let searched = errors.is_empty();
    let (entries, total) =
        if searched { service::search(&state.db, &s, &types, &today, false).await? } else { (vec![], 0) };
    let qs = s.query_string();
    let pager = Pager::new(total, Some(s.page), rules::PAGE_SIZE, "/register", &qs);
    let sep = if qs.is_empty() { "" } else { "?" };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_string();
    let html = render(&SearchPage {
        errors: page.errors(errors),
        q: text(&p.q),
        district: text(&p.district),
        licence_type: text(&p.licence_type),
        status: text(&p.status),
        districts: kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect(),
        types: types.iter().map(|t| (t.code.clone(), t.name.get(page.locale).to_string())).collect(),
        statuses: rules::STATUSES
            .iter()
            .map(|c| (c.to_string(), page.t(&format!("reg-register-status-{c}"))))
            .collect(),
        items: entries.iter().map(|e| item(&page, e)).collect(),
        total,
        searched,
        pager,
        csv_href: format!("/register.csv{sep}{qs}"),
        json_href: format!("/api/v1/regulatory/register{sep}{qs}"),
        page,
    })?;
    Ok((status, html).into_response())
}

/// The whole search as CSV (rate-limited; bad parameters get problem+json).
async fn download(State(state): State<AppState>, origin: Origin, Query(p): Query<SearchParams>) -> AppResult<Response> {
    super::rate_limit(&state, &origin.ip).await?;
    let (types, codes) = types(&state).await?;
    let s = rules::parse(&SearchParams { page: None, per_page: None, ..p }, &codes).map_err(AppError::Validation)?;
    let today = kernel::hk::today().to_string();
    let (entries, _) = service::search(&state.db, &s, &types, &today, true).await?;
    let body = rules::csv(&entries)?;
    let name = format!("attachment; filename=\"phos-register-{today}.csv\"");
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], body)
        .into_response())
}

#[derive(Template)]
#[template(path = "regulatory/register/premises.html")]
struct PremisesPage {
    page: PageCtx,
    name: String,
    other_name: String,
    address: String,
    district: String,
    licences: Vec<Item>,
    outcomes: Vec<String>,
}

async fn premises_page(State(state): State<AppState>, page: PageCtx, Path(id): Path<String>) -> AppResult<Response> {
    let (types, _) = types(&state).await?;
    let today = kernel::hk::today().to_string();
    let (entries, published) = service::premises(&state.db, &id, &types, &today).await?.ok_or(AppError::NotFound)?;
    let first = &entries[0];
    Ok(render(&PremisesPage {
        name: page.pick(&first.premises_name_en, &first.premises_name_zh).to_string(),
        other_name: page.pick(&first.premises_name_zh, &first.premises_name_en).to_string(),
        address: page.pick(&first.address_en, &first.address_zh).to_string(),
        district: district_name(&page, &first.district),
        licences: entries.iter().map(|e| item(&page, e)).collect(),
        outcomes: published.iter().map(|o| outcome_text(&page, o)).collect(),
        page,
    })?
    .into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/register", Access::Public, get(search_page))
        .page("/register.csv", Access::Public, get(download))
        .page("/register/premises/{id}", Access::Public, get(premises_page))
}
