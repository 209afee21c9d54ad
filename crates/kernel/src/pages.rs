//! The kernel's pages: home, language switch, holidays and closures, and the service-point
//! directory. (The staff outbox is in `notify::pages`.)

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::AppState;
use crate::area::{Audience, HomeCard};
use crate::directory::{self, ServicePoint};
use crate::hk::{self, Closure, District, Holiday};
use crate::i18n::Locale;
use crate::identity::Role;
use crate::web::page::render;
use crate::web::{Access, Routes};
use crate::web::{AppError, AppResult, FieldError, FieldErrors, PageCtx};

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: PageCtx,
    public: Vec<HomeCard>,
    partner: Vec<HomeCard>,
    closures: Vec<Closure>,
}

/// The public home: the public's and partners' services (staff find theirs on `/staff`).
async fn home(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    let closures = hk::store::closures_between(&state.db, crate::now_ms(), crate::now_ms() + 1).await?;
    render(&HomePage {
        public: state.cards_for(Audience::Public),
        partner: state.cards_for(Audience::Partner),
        closures,
        page,
    })
}

#[derive(Deserialize)]
struct BackQuery {
    back: Option<String>,
}

/// Only local paths are followed, so the switch cannot be used as an open redirect.
fn safe_back(back: Option<&str>) -> &str {
    crate::web::redirect::safe_local(back, "/")
}

async fn switch_language(
    Path(tag): Path<String>,
    Query(q): Query<BackQuery>,
    state: State<AppState>,
) -> AppResult<Response> {
    let locale = Locale::parse(&tag).ok_or(AppError::NotFound)?;
    let secure = if state.config.tls { "; Secure" } else { "" };
    let cookie =
        format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", Locale::COOKIE, locale.tag());
    let mut res = Redirect::to(safe_back(q.back.as_deref())).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, cookie.parse().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?);
    Ok(res)
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    page: PageCtx,
    year: i32,
    years: Vec<i32>,
    holidays: Vec<Holiday>,
    closures: Vec<Closure>,
    today: chrono::NaiveDate,
}

impl CalendarPage {
    fn district_name(&self, code: &Option<String>) -> String {
        match code.as_deref().and_then(hk::district) {
            Some(d) => d.name(self.page.locale).to_string(),
            None => self.page.t("closure-territory-wide"),
        }
    }

    fn holiday_name<'a>(&self, h: &'a Holiday) -> &'a str {
        self.page.pick(&h.name_en, &h.name_zh)
    }
}

#[derive(Deserialize)]
struct CalendarQuery {
    year: Option<i32>,
}

async fn calendar(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<CalendarQuery>,
) -> AppResult<Html<String>> {
    let today = hk::today();
    let year = q
        .year
        .filter(|y| (2024..=2027).contains(y))
        .unwrap_or_else(|| chrono::Datelike::year(&today).clamp(2024, 2027));
    let holidays = hk::holidays().iter().filter(|h| chrono::Datelike::year(&h.date) == year).cloned().collect();
    let closures = hk::store::current_closures(&state.db, crate::now_ms()).await?;
    render(&CalendarPage { page, year, years: (2024..=2027).collect(), holidays, closures, today })
}

#[derive(Template)]
#[template(path = "service_points.html")]
struct ServicePointsPage {
    page: PageCtx,
    districts: &'static [District],
    kinds: [&'static str; 4],
    district: String,
    kind: String,
    errors: FieldErrors,
    points: Vec<ServicePoint>,
}

impl ServicePointsPage {
    fn district_name(&self, code: &str) -> String {
        hk::district(code).map(|d| d.name(self.page.locale).to_string()).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct ServicePointForm {
    district: Option<String>,
    kind: Option<String>,
}

async fn service_points(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<ServicePointForm>,
) -> AppResult<Response> {
    let district = q.district.unwrap_or_default();
    let kind = q.kind.unwrap_or_default();
    let d = (!district.is_empty()).then_some(district.as_str());
    let k = (!kind.is_empty()).then_some(kind.as_str());
    let errors: Vec<FieldError> = [crate::api::check_district("district", d), crate::api::check_kind("kind", k)]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    let points = if errors.is_empty() { directory::service_points(&state.db, d, k).await? } else { vec![] };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    let html = render(&ServicePointsPage {
        page,
        districts: hk::districts(),
        kinds: directory::KINDS,
        district,
        kind,
        errors,
        points,
    })?;
    Ok((status, html).into_response())
}

#[derive(Template)]
#[template(path = "staff_closures.html")]
struct ClosuresPage {
    page: PageCtx,
    closures: Vec<Closure>,
    districts: &'static [District],
    errors: Vec<FieldError>,
    now_local: String,
}

impl ClosuresPage {
    fn district_name(&self, code: &Option<String>) -> String {
        match code.as_deref().and_then(hk::district) {
            Some(d) => d.name(self.page.locale).to_string(),
            None => self.page.t("closure-territory-wide"),
        }
    }
    fn dname(&self, code: &str) -> String {
        hk::district(code).map(|d| d.name(self.page.locale).to_string()).unwrap_or_default()
    }
}

const CLOSURE_ROLES: &[Role] = &[Role::Admin, Role::ClinicManager, Role::CommsOfficer];

async fn closures_page(state: &AppState, page: PageCtx, errors: Vec<FieldError>) -> AppResult<Response> {
    let closures = hk::store::recent_closures(&state.db, 50).await?;
    let now_local = chrono::Utc::now().with_timezone(&hk::tz()).format("%Y-%m-%dT%H:%M").to_string();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&ClosuresPage { page, closures, districts: hk::districts(), errors, now_local })?)
        .into_response())
}

async fn staff_closures(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    closures_page(&state, page, vec![]).await
}

#[derive(Deserialize)]
struct ClosureForm {
    kind: Option<String>,
    district: String,
    starts: String,
    ends: String,
    note: String,
}

fn local_ms(s: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| t.and_local_timezone(hk::tz()).single())
        .map(|t| t.timestamp_millis())
}

async fn declare_closure(
    State(state): State<AppState>,
    page: PageCtx,
    identity: crate::identity::Identity,
    origin: crate::audit::Origin,
    crate::web::Form(f): crate::web::Form<ClosureForm>,
) -> AppResult<Response> {
    let mut errors = vec![];
    let kind = f.kind.as_deref().and_then(crate::hk::ClosureKind::parse);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "invalid_choice", &[]));
    }
    let district = (!f.district.is_empty()).then(|| f.district.clone());
    if let Err(e) = crate::api::check_district("district", district.as_deref()) {
        errors.push(e);
    }
    let starts = local_ms(&f.starts);
    if starts.is_none() {
        errors.push(FieldError::new("starts", "invalid_datetime_local", &[]));
    }
    let ends = if f.ends.trim().is_empty() { Ok(None) } else { local_ms(&f.ends).map(Some).ok_or(()) };
    match (&ends, starts) {
        (Err(()), _) => errors.push(FieldError::new("ends", "invalid_datetime_local", &[])),
        (Ok(Some(e)), Some(s)) if *e <= s => errors.push(FieldError::new("ends", "end_after_start", &[])),
        _ => {}
    }
    if f.note.chars().count() > 200 {
        errors.push(FieldError::new("note", "too_long", &[("max", "200".into())]));
    }
    if !errors.is_empty() {
        return closures_page(&state, page, errors).await;
    }
    let who = identity.staff().map(|s| s.display_name.clone()).unwrap_or_default();
    let new = hk::store::NewClosure {
        kind: kind.unwrap_or(crate::hk::ClosureKind::Other),
        district,
        starts_at: starts.unwrap_or_else(crate::now_ms),
        ends_at: ends.ok().flatten(),
        note: f.note.trim().to_string(),
        declared_by: who,
    };
    hk::service::declare(&state, &identity.actor(), &origin, &new).await?;
    Ok(Redirect::to("/staff/closures").into_response())
}

async fn lift_closure(
    State(state): State<AppState>,
    identity: crate::identity::Identity,
    origin: crate::audit::Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if hk::service::lift(&state.db, &identity.actor(), &origin, &id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/closures").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/closures", Access::Staff(CLOSURE_ROLES), get(staff_closures).post(declare_closure))
        .page("/staff/closures/{id}/lift", Access::Staff(CLOSURE_ROLES), axum::routing::post(lift_closure))
        .page("/", Access::Public, get(home))
        .page("/lang/{tag}", Access::Public, get(switch_language))
        .page("/calendar", Access::Public, get(calendar))
        .page("/service-points", Access::Public, get(service_points))
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn language_switch_never_leaves_the_site() {
        assert_eq!(safe_back(Some("/calendar?year=2025")), "/calendar?year=2025");
        assert_eq!(safe_back(Some("//evil.example")), "/");
        assert_eq!(safe_back(Some("https://evil.example")), "/");
        assert_eq!(safe_back(Some("/\\evil.example")), "/");
        assert_eq!(safe_back(None), "/");
    }
}
