//! Staff pages: sign-in (throttled, with lock-out), sign-out, the staff home, account
//! administration, the audit log, partner clients and the access matrix.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Actor, Event, Origin};
use crate::identity::session::{self, SESSION_COOKIE};
use crate::identity::staff::{self, Login, StaffUser};
use crate::identity::{Identity, Role, parse_roles, password};
use crate::web::cookie::{set_cookie, with_cookie};
use crate::web::form::{repeated, single, too_long};
use crate::web::guard::SessionToken;
use crate::web::page::render;
use crate::web::redirect::safe_local;
use crate::web::{Access, AppError, AppResult, FieldError, FieldErrors, Form, PageCtx, Routes};

const ADMIN: &[Role] = &[Role::Admin];
const AUDIT: &[Role] = &[Role::Auditor, Role::Admin];

#[derive(Template)]
#[template(path = "identity/staff/login.html")]
struct LoginPage {
    page: PageCtx,
    email: String,
    next: String,
    errors: Vec<FieldError>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(page: PageCtx, Query(q): Query<NextQuery>) -> AppResult<Html<String>> {
    let notice = q.done.as_deref().filter(|d| *d == "password-set").map(|_| page.t("staff-password-set"));
    render(&LoginPage {
        page,
        email: String::new(),
        next: safe_local(q.next.as_deref(), "/staff").to_string(),
        errors: vec![],
        notice,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    old: Option<axum::Extension<SessionToken>>,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_local(f.next.as_deref(), "/staff").to_string();
    let mut errors: Vec<FieldError> =
        [too_long("email", &f.email, 254), too_long("password", &f.password, 128)].into_iter().flatten().collect();
    if f.email.trim().is_empty() {
        errors.push(FieldError::new("email", "required", &[]));
    }
    if f.password.is_empty() {
        errors.push(FieldError::new("password", "required", &[]));
    }
    let fail = |status: StatusCode, errors: Vec<FieldError>, page: PageCtx| -> AppResult<Response> {
        let email = f.email.chars().take(254).collect();
        Ok((status, render(&LoginPage { page, email, next: next.clone(), errors, notice: None })?).into_response())
    };
    if !errors.is_empty() {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, errors, page);
    }
    // Throttle by address, whatever the account, so guessing across accounts is slow too.
    let (hits, _) = crate::ratelimit::hit(&state.db, &format!("login:{}", origin.ip), 60_000).await?;
    if hits > 30 {
        return fail(StatusCode::TOO_MANY_REQUESTS, vec![FieldError::new("email", "too_many_attempts", &[])], page);
    }
    match staff::attempt_login(&state.db, &f.email, &f.password).await? {
        Login::Ok(user) => {
            let token = staff::service::start_session(&state.db, &user.id, &origin).await?;
            // A session that existed before sign-in is never reused (no session fixation).
            if let Some(axum::Extension(SessionToken(old))) = old {
                session::destroy(&state.db, &old).await?;
            }
            let res = Redirect::to(&next).into_response();
            Ok(with_cookie(res, &set_cookie(SESSION_COOKIE, &token, None, state.config.tls)))
        }
        Login::Rejected => {
            if let Some(u) = staff::by_email(&state.db, &f.email).await? {
                audit::record_now(
                    &state.db,
                    &Actor::Anonymous,
                    &origin,
                    Event::new("staff.login_failed", "staff", &u.id),
                )
                .await?;
            }
            fail(StatusCode::UNAUTHORIZED, vec![FieldError::new("email", "bad_credentials", &[])], page)
        }
        Login::NowLocked { user_id, until } => {
            let detail = format!("locked until {until}");
            audit::record_now(
                &state.db,
                &Actor::Anonymous,
                &origin,
                Event::new("staff.lockout", "staff", &user_id).detail(&detail),
            )
            .await?;
            let at = page.datetime(&until);
            fail(StatusCode::TOO_MANY_REQUESTS, vec![FieldError::new("email", "locked", &[("until", at)])], page)
        }
        Login::Locked { until } => {
            let at = page.datetime(&until);
            fail(StatusCode::TOO_MANY_REQUESTS, vec![FieldError::new("email", "locked", &[("until", at)])], page)
        }
        Login::Disabled => fail(StatusCode::FORBIDDEN, vec![FieldError::new("email", "account_disabled", &[])], page),
    }
}

async fn logout(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    token: Option<axum::Extension<SessionToken>>,
) -> AppResult<Response> {
    if let Some(axum::Extension(SessionToken(t))) = token {
        session::destroy(&state.db, &t).await?;
    }
    if let Some(s) = identity.staff() {
        audit::record_now(&state.db, &identity.actor(), &origin, Event::new("staff.logout", "staff", &s.id)).await?;
    }
    Ok(with_cookie(Redirect::to("/").into_response(), &set_cookie(SESSION_COOKIE, "", Some(0), state.config.tls)))
}

#[derive(Template)]
#[template(path = "identity/staff/home.html")]
struct StaffHome {
    page: PageCtx,
    roles: Vec<Role>,
    cards: Vec<crate::area::HomeCard>,
}

/// The staff home: a card for each tool the member's roles may open (see `AppState::staff_cards`).
async fn staff_home(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Html<String>> {
    let roles = identity.staff().map(|s| s.roles.clone()).unwrap_or_default();
    let cards = state.staff_cards(&identity);
    render(&StaffHome { page, roles, cards })
}

#[derive(Template)]
#[template(path = "identity/staff/users.html")]
struct UsersPage {
    page: PageCtx,
    users: Vec<StaffUser>,
    all_roles: [Role; 12],
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
    fn checked(&self, r: &Role) -> bool {
        self.form_roles.contains(r)
    }
    fn has(&self, u: &StaffUser, r: &Role) -> bool {
        u.roles.contains(r)
    }
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn users(State(state): State<AppState>, page: PageCtx, Query(q): Query<NoticeQuery>) -> AppResult<Html<String>> {
    let notice = q
        .notice
        .filter(|n| n.len() < 40 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map(|n| page.t(&format!("staff-notice-{n}")));
    let errors = page.errors(vec![]);
    render(&UsersPage {
        page,
        users: staff::list(&state.db).await?,
        all_roles: Role::ALL,
        errors,
        form_email: String::new(),
        form_name: String::new(),
        form_roles: vec![],
        notice,
    })
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
    let role_codes = repeated(&body, "role");
    let roles = parse_roles(&role_codes.join(","));
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
        let invite = staff::service::Invite {
            email: &email,
            display_name: &name,
            roles: &roles,
            locale: page.locale,
            base_url: &state.config.base_url(),
        };
        if staff::service::invite(&state.db, &identity.actor(), &origin, &invite).await?.is_some() {
            state.wake_worker();
            return Ok(Redirect::to("/staff/users?notice=invited").into_response());
        }
        errors.push(FieldError::new("email", "email_taken", &[]));
    }
    let users = staff::list(&state.db).await?;
    let errors = page.errors(errors);
    let html = render(&UsersPage {
        page,
        users,
        all_roles: Role::ALL,
        errors,
        form_email: email.chars().take(254).collect(),
        form_name: name.chars().take(100).collect(),
        form_roles: roles.unwrap_or_default(),
        notice: None,
    })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

async fn set_roles(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let roles = parse_roles(&repeated(&body, "role").join(",")).ok_or(AppError::Validation(vec![FieldError::new(
        "roles",
        "choose_role",
        &[],
    )]))?;
    let me = identity.staff().ok_or(AppError::Forbidden)?;
    if me.id == id && !roles.contains(&Role::Admin) {
        return Err(AppError::Conflict("cannot_remove_own_admin"));
    }
    if !staff::service::change_roles(&state.db, &identity.actor(), &origin, &id, &roles).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/users?notice=roles-saved").into_response())
}

async fn set_status(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let disable = match single(&body, "action") {
        "disable" => true,
        "enable" => false,
        _ => return Err(AppError::Validation(vec![FieldError::new("action", "invalid_choice", &[])])),
    };
    let me = identity.staff().ok_or(AppError::Forbidden)?;
    if me.id == id && disable {
        return Err(AppError::Conflict("cannot_disable_self"));
    }
    if !staff::service::change_status(&state.db, &identity.actor(), &origin, &id, disable).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(if disable { "/staff/users?notice=disabled" } else { "/staff/users?notice=enabled" })
        .into_response())
}

#[derive(Template)]
#[template(path = "identity/staff/invite.html")]
struct InvitePage {
    page: PageCtx,
    email: String,
    errors: Vec<FieldError>,
}

impl InvitePage {
    fn min_len(&self) -> usize {
        password::MIN_LEN
    }
}

async fn invite_form(
    State(state): State<AppState>,
    page: PageCtx,
    Path(token): Path<String>,
) -> AppResult<Html<String>> {
    let email = staff::invite_is_live(&state.db, &token).await?.ok_or(AppError::NotFound)?;
    render(&InvitePage { page, email, errors: vec![] })
}

#[derive(Deserialize)]
struct SetPasswordForm {
    password: String,
    confirm: String,
}

async fn accept_invite(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(token): Path<String>,
    Form(f): Form<SetPasswordForm>,
) -> AppResult<Response> {
    let email = staff::invite_is_live(&state.db, &token).await?.ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    if let Err(p) = password::check(&f.password, &email) {
        errors.push(FieldError::new("password", p.code(), &[("min", password::MIN_LEN.to_string())]));
    } else if f.password != f.confirm {
        errors.push(FieldError::new("confirm", "passwords_differ", &[]));
    }
    if !errors.is_empty() {
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&InvitePage { page, email, errors })?).into_response());
    }
    let hash = password::hash_async(f.password).await;
    staff::service::set_invited_password(&state.db, &origin, &token, &hash).await?.ok_or(AppError::NotFound)?;
    Ok(Redirect::to("/staff/login?done=password-set").into_response())
}

#[derive(Template)]
#[template(path = "identity/staff/audit.html")]
struct AuditPage {
    page: PageCtx,
    entries: Vec<audit::Entry>,
    q: AuditQuery,
    verdict: String,
    csv_href: String,
}

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    person: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl AuditQuery {
    fn search(&self) -> Result<audit::Search, AppError> {
        let day = |field: &str, s: &Option<String>, end: bool| -> Result<Option<i64>, AppError> {
            match s.as_deref().filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => {
                    let d: chrono::NaiveDate = s
                        .parse()
                        .map_err(|_| AppError::Validation(vec![FieldError::new(field, "invalid_date", &[])]))?;
                    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
                    let t = d.and_hms_opt(0, 0, 0).expect("midnight").and_local_timezone(crate::hk::tz()).single();
                    Ok(t.map(|t| t.timestamp_millis()))
                }
            }
        };
        let clean = |s: &Option<String>| {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(100).collect())
        };
        Ok(audit::Search {
            person_id: clean(&self.person),
            actor_id: clean(&self.actor),
            action: clean(&self.action),
            from_ms: day("from", &self.from, false)?,
            to_ms: day("to", &self.to, true)?,
            limit: 500,
        })
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("person", &self.person),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    fn v(&self, s: &Option<String>) -> String {
        s.clone().unwrap_or_default()
    }
}

async fn audit_page(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<AuditQuery>,
) -> AppResult<Html<String>> {
    let search = q.search()?;
    let entries = audit::search(&state.db, &search).await?;
    let detail = q.query_string();
    audit::record_now(
        &state.db,
        &identity.actor(),
        &origin,
        Event::new("audit.search", "audit_log", "-").detail(&detail),
    )
    .await?;
    let verdict = match audit::verify(&state.db).await? {
        audit::Verdict::Intact { entries } => page.t1("audit-intact", "count", entries),
        audit::Verdict::Broken { seq, reason } => format!("{} #{seq}: {reason}", page.t("audit-broken")),
    };
    let csv_href = format!("/staff/audit.csv?{}", q.query_string());
    render(&AuditPage { page, entries, q, verdict, csv_href })
}

async fn audit_csv(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let search = audit::Search { limit: 100_000, ..q.search()? };
    let entries = audit::search(&state.db, &search).await?;
    let detail = q.query_string();
    audit::record_now(
        &state.db,
        &identity.actor(),
        &origin,
        Event::new("audit.export", "audit_log", "-").detail(&detail),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"phos-audit.csv\""),
        ],
        audit::to_csv(&entries),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "identity/staff/access.html")]
struct AccessPage {
    page: PageCtx,
    rows: Vec<(String, String, Vec<bool>)>,
    columns: Vec<String>,
}

async fn access_matrix(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    use crate::web::access::{sample_citizen, sample_partner, sample_staff};
    let mut columns = vec![page.t("access-anonymous"), page.t("access-citizen"), page.t("access-partner")];
    columns.extend(Role::ALL.iter().map(|r| page.t(&r.label_key())));
    let rows = state
        .access
        .get()
        .map(|t| {
            t.0.iter()
                .map(|(path, access)| {
                    let mut allowed = vec![
                        Identity::Anonymous.allows(*access),
                        sample_citizen().allows(*access),
                        sample_partner(*access).allows(*access),
                    ];
                    allowed.extend(Role::ALL.iter().map(|r| sample_staff(*r).allows(*access)));
                    (path.clone(), access.label(page.locale), allowed)
                })
                .collect()
        })
        .unwrap_or_default();
    render(&AccessPage { page, rows, columns })
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/login", Access::Public, get(login_form).post(login))
        .page("/staff/logout", Access::Staff(&[]), post(logout))
        .page("/staff", Access::Staff(&[]), get(staff_home))
        .page("/staff/access", Access::Staff(&[]), get(access_matrix))
        .page("/staff/users", Access::Staff(ADMIN), get(users).post(invite))
        .page("/staff/users/{id}/roles", Access::Staff(ADMIN), post(set_roles))
        .page("/staff/users/{id}/status", Access::Staff(ADMIN), post(set_status))
        .page("/staff/invite/{token}", Access::Public, get(invite_form).post(accept_invite))
        .page("/staff/audit", Access::Staff(AUDIT), get(audit_page))
        .page("/staff/audit.csv", Access::Staff(AUDIT), get(audit_csv))
}

#[cfg(test)]
mod tests {
    use crate::web::redirect::safe_local;

    fn safe_next(next: Option<&str>, default: &str) -> String {
        safe_local(next, default).to_string()
    }

    #[test]
    fn next_is_local() {
        assert_eq!(safe_next(Some("/staff/users"), "/staff"), "/staff/users");
        assert_eq!(safe_next(Some("//evil"), "/staff"), "/staff");
        assert_eq!(safe_next(Some("https://evil"), "/staff"), "/staff");
        assert_eq!(safe_next(None, "/me"), "/me");
    }
}
