//! Account administration pages (administrators): the searchable, paged list of staff with
//! the invitation form, and one page per account for its roles, status, scopes (clinics and
//! districts) and second factor. Nobody can disable their own account or remove their own
//! administrator role. Every change is audited (in `service`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{StaffUser, mfa, rules, service};
use crate::AppState;
use crate::audit::Origin;
use crate::identity::{Identity, Role, parse_roles, staff};
use crate::web::form::{repeated, single, too_long};
use crate::web::page::render;
use crate::web::paging::Pager;
use crate::web::{Access, AppError, AppResult, FieldError, FieldErrors, Form, PageCtx, Routes};

const ADMIN: &[Role] = &[Role::Admin];

/// A notice named in the query (`?notice=roles-saved`), in the page's language.
fn notice(page: &PageCtx, n: Option<String>) -> Option<String> {
    n.filter(|n| n.len() < 40 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(|n| page.t(&format!("staff-notice-{n}")))
}

#[derive(Template)]
#[template(path = "identity/staff/users.html")]
struct UsersPage {
    page: PageCtx,
    users: Vec<StaffUser>,
    q: String,
    pager: Pager,
    all_roles: [Role; 14],
    errors: FieldErrors,
    form_email: String,
    form_name: String,
    form_roles: Vec<Role>,
    notice: Option<String>,
}

impl UsersPage {
    fn role_name(&self, r: &Role) -> String {
        self.page.t(&r.label_key())
    }
    fn role_names(&self, u: &StaffUser) -> String {
        u.roles.iter().map(|r| self.role_name(r)).collect::<Vec<_>>().join(self.page.pick(", ", "、"))
    }
    fn checked(&self, r: &Role) -> bool {
        self.form_roles.contains(r)
    }
}

#[derive(Deserialize, Default)]
struct UsersQuery {
    q: Option<String>,
    page: Option<String>,
    notice: Option<String>,
}

async fn list_page(state: &AppState, page: PageCtx, q: UsersQuery) -> AppResult<UsersPage> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(100).collect();
    let requested = q.page.as_deref().and_then(|p| p.parse().ok());
    let query =
        if text.is_empty() { String::new() } else { serde_urlencoded::to_string([("q", &text)]).unwrap_or_default() };
    let (_, total) = staff::search(&state.db, &text, 0, 0).await?;
    let pager = Pager::new(total, requested, rules::PAGE_SIZE, "/staff/users", &query);
    let (users, _) = staff::search(&state.db, &text, rules::PAGE_SIZE, pager.offset()).await?;
    let notice = notice(&page, q.notice);
    let errors = page.errors(vec![]);
    Ok(UsersPage {
        page,
        users,
        q: text,
        pager,
        all_roles: Role::ALL,
        errors,
        form_email: String::new(),
        form_name: String::new(),
        form_roles: vec![],
        notice,
    })
}

async fn users(State(state): State<AppState>, page: PageCtx, Query(q): Query<UsersQuery>) -> AppResult<Html<String>> {
    render(&list_page(&state, page, q).await?)
}

async fn invite(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let email = single(&body, "email").trim().to_string();
    let name = single(&body, "display_name").trim().to_string();
    let roles = parse_roles(&repeated(&body, "role").join(","));
    let mut errors = vec![];
    if !staff::valid_email(&email) {
        errors.push(FieldError::new("email", "invalid_email", &[]));
    }
    if name.is_empty() {
        errors.push(FieldError::new("display_name", "required", &[]));
    }
    errors.extend(too_long("display_name", &name, 100));
    if roles.is_none() {
        errors.push(FieldError::new("roles", "choose_role", &[]));
    }
    if errors.is_empty() {
        let roles = roles.clone().unwrap_or_default();
        let invite = service::Invite {
            email: &email,
            display_name: &name,
            roles: &roles,
            locale: page.locale,
            base_url: &state.config.base_url(),
        };
        if service::invite(&state.db, &identity.actor(), &origin, &invite).await?.is_some() {
            state.wake_worker();
            return Ok(Redirect::to("/staff/users?notice=invited").into_response());
        }
        errors.push(FieldError::new("email", "email_taken", &[]));
    }
    let errors = page.errors(errors);
    let mut p = list_page(&state, page, UsersQuery::default()).await?;
    p.errors = errors;
    p.form_email = email.chars().take(254).collect();
    p.form_name = name.chars().take(100).collect();
    p.form_roles = roles.unwrap_or_default();
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

#[derive(Template)]
#[template(path = "identity/staff/user.html")]
struct UserPage {
    page: PageCtx,
    user: StaffUser,
    /// The administrator looking at the page is this account.
    is_me: bool,
    all_roles: [Role; 14],
    /// The roles ticked on the form (the account's, or what was submitted).
    form_roles: Vec<Role>,
    districts: Vec<(String, String)>,
    form_districts: Vec<String>,
    form_points: String,
    mfa_enrolled: bool,
    mfa_required: bool,
    errors: FieldErrors,
    notice: Option<String>,
}

impl UserPage {
    fn role_name(&self, r: &Role) -> String {
        self.page.t(&r.label_key())
    }
    fn has(&self, r: &Role) -> bool {
        self.form_roles.contains(r)
    }
    fn status_label(&self) -> String {
        self.page.t(&format!("staff-status-{}", self.user.status))
    }
    fn in_district(&self, code: &str) -> bool {
        self.form_districts.iter().any(|d| d == code)
    }
}

async fn user_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    id: &str,
    errors: Vec<FieldError>,
) -> AppResult<UserPage> {
    let user = staff::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let is_me = identity.staff().is_some_and(|s| s.id == user.id);
    let districts = crate::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect();
    let form_districts = rules::scopes_of_kind(&user.scopes, "district").into_iter().map(String::from).collect();
    let form_points = rules::scopes_of_kind(&user.scopes, "service_point").join(", ");
    let mfa_enrolled = mfa::service::enrolled(&state.db, &user.id).await?;
    let errors = page.errors(errors);
    Ok(UserPage {
        page,
        form_roles: user.roles.clone(),
        mfa_required: mfa::rules::required(&user.roles),
        user,
        is_me,
        all_roles: Role::ALL,
        districts,
        form_districts,
        form_points,
        mfa_enrolled,
        errors,
        notice: None,
    })
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn user_detail(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    let notice = notice(&page, q.notice);
    let mut p = user_page(&state, page, &identity, &id, vec![]).await?;
    p.notice = notice;
    render(&p)
}

fn refused(p: UserPage) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

async fn set_roles(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Forbidden)?.id.clone();
    let codes = repeated(&body, "role");
    let roles = parse_roles(&codes.join(","));
    let error = match &roles {
        None => Some(FieldError::new("roles", "choose_role", &[])),
        Some(r) => rules::check_own_roles(&me, &id, r),
    };
    if let Some(e) = error {
        let mut p = user_page(&state, page, &identity, &id, vec![e]).await?;
        p.form_roles = codes.iter().filter_map(|c| Role::parse(c)).collect();
        return refused(p);
    }
    let roles = roles.unwrap_or_default();
    if !service::change_roles(&state.db, &identity.actor(), &origin, &id, &roles).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/staff/users/{id}?notice=roles-saved")).into_response())
}

async fn set_status(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Forbidden)?.id.clone();
    let disable = match single(&body, "action") {
        "disable" => Ok(true),
        "enable" => Ok(false),
        _ => Err(FieldError::new("status", "invalid_choice", &[])),
    };
    let error = match &disable {
        Err(e) => Some(e.clone()),
        Ok(d) => rules::check_own_status(&me, &id, *d),
    };
    if let Some(e) = error {
        return refused(user_page(&state, page, &identity, &id, vec![e]).await?);
    }
    let disable = disable.unwrap_or(false);
    if !service::change_status(&state.db, &identity.actor(), &origin, &id, disable).await? {
        return Err(AppError::NotFound);
    }
    let n = if disable { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/staff/users/{id}?notice={n}")).into_response())
}

async fn set_scopes(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let districts = repeated(&body, "district");
    let points_text = single(&body, "service_points").to_string();
    let points = crate::directory::service_points(&state.db, None, None).await?;
    let scopes = rules::scopes_from_form(
        &districts,
        &points_text,
        |d| crate::hk::district(d).is_some(),
        |c| points.iter().any(|p| p.code.eq_ignore_ascii_case(c)),
    );
    match scopes {
        Err(errors) => {
            let mut p = user_page(&state, page, &identity, &id, errors).await?;
            p.form_districts = districts;
            p.form_points = points_text.chars().take(2000).collect();
            refused(p)
        }
        Ok(scopes) => {
            if !service::change_scopes(&state.db, &identity.actor(), &origin, &id, &scopes).await? {
                return Err(AppError::NotFound);
            }
            Ok(Redirect::to(&format!("/staff/users/{id}?notice=scopes-saved")).into_response())
        }
    }
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/users", Access::Staff(ADMIN), get(users).post(invite))
        .page("/staff/users/{id}", Access::Staff(ADMIN), get(user_detail))
        .page("/staff/users/{id}/roles", Access::Staff(ADMIN), post(set_roles))
        .page("/staff/users/{id}/status", Access::Staff(ADMIN), post(set_status))
        .page("/staff/users/{id}/scopes", Access::Staff(ADMIN), post(set_scopes))
}
