//! Staff pages: sign-in (throttled, with lock-out, then the second factor in `mfa`), sign-out,
//! the staff home, invitations and the access matrix. Account administration is in `accounts`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Actor, Event, Origin};
use crate::identity::session::{self, SESSION_COOKIE};
use crate::identity::staff::{self, Login, mfa};
use crate::identity::{Identity, Role, password};
use crate::web::cookie::SessionToken;
use crate::web::cookie::{set_cookie, with_cookie};
use crate::web::form::too_long;
use crate::web::page::render;
use crate::web::redirect::safe_local;
use crate::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};

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
            if mfa::rules::required(&user.roles) || mfa::service::enrolled(&state.db, &user.id).await? {
                // The password was right; the session starts only after the second factor.
                let token = mfa::service::start_challenge(&state.db, &user.id, &next).await?;
                let res = Redirect::to("/staff/login/code").into_response();
                let age = Some(mfa::CHALLENGE_MS / 1000);
                return Ok(with_cookie(res, &set_cookie(mfa::CHALLENGE_COOKIE, &token, age, state.config.tls)));
            }
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
        .page("/staff/invite/{token}", Access::Public, get(invite_form).post(accept_invite))
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
