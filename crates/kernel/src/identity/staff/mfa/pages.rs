//! Second-factor pages: the code (or enrolment) step of staff sign-in, the account page where
//! any member of staff can enrol, and an administrator's reset.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::{CHALLENGE_COOKIE, Verdict, rules, service};
use crate::AppState;
use crate::audit::Origin;
use crate::identity::session::SESSION_COOKIE;
use crate::identity::{Identity, Role, staff};
use crate::web::cookie::{self, set_cookie, with_cookie};
use crate::web::page::render;
use crate::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};

/// What an authenticator app needs to enrol.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    /// The URI as a QR code (SVG), when it could be drawn.
    pub qr_svg: Option<String>,
}

impl Enrolment {
    fn new(issuer: &str, account: &str, secret: String) -> Enrolment {
        let uri = rules::otpauth_uri(issuer, account, &secret);
        let qr_svg = qrcode::QrCode::new(uri.as_bytes())
            .map(|c| c.render::<qrcode::render::svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
            .ok()
            .map(|svg| svg.split_once("?>").map(|(_, s)| s.trim().to_string()).unwrap_or(svg));
        Enrolment {
            secret: secret
                .chars()
                .collect::<Vec<_>>()
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join(" "),
            uri,
            qr_svg,
        }
    }
}

#[derive(Template)]
#[template(path = "identity/staff/mfa.html")]
struct MfaPage {
    page: PageCtx,
    /// `signin` (the code step of sign-in) or `account`.
    mode: &'static str,
    action: &'static str,
    enrol: Option<Enrolment>,
    errors: Vec<FieldError>,
    /// Shown once, after enrolment.
    recovery_codes: Vec<String>,
    next: String,
    enrolled: bool,
    codes_left: i64,
}

impl MfaPage {
    fn new(page: PageCtx, mode: &'static str) -> MfaPage {
        let action = if mode == "signin" { "/staff/login/code" } else { "/staff/account/mfa" };
        MfaPage {
            page,
            mode,
            action,
            enrol: None,
            errors: vec![],
            recovery_codes: vec![],
            next: "/staff".into(),
            enrolled: false,
            codes_left: 0,
        }
    }
}

const ISSUER: &str = "PHOS";

async fn pending(state: &AppState, headers: &HeaderMap) -> AppResult<(String, super::store::Challenge)> {
    let token =
        cookie::value(headers, CHALLENGE_COOKIE).ok_or(AppError::Code(StatusCode::UNAUTHORIZED, "mfa_expired"))?;
    let c =
        service::challenge(&state.db, &token).await?.ok_or(AppError::Code(StatusCode::UNAUTHORIZED, "mfa_expired"))?;
    Ok((token, c))
}

/// The code step: a code form, or (a member of staff who must enrol) the enrolment.
async fn signin_page(state: &AppState, page: PageCtx, staff_id: &str) -> AppResult<MfaPage> {
    let user = staff::by_id(&state.db, staff_id).await?.ok_or(AppError::NotFound)?;
    let mut p = MfaPage::new(page, "signin");
    if let Some(secret) = service::begin_enrolment(&state.db, staff_id).await? {
        p.enrol = Some(Enrolment::new(ISSUER, &user.email, secret));
    } else {
        p.enrolled = true;
    }
    Ok(p)
}

async fn code_form(State(state): State<AppState>, page: PageCtx, headers: HeaderMap) -> AppResult<Response> {
    let Ok((_, c)) = pending(&state, &headers).await else {
        return Ok(Redirect::to("/staff/login").into_response());
    };
    Ok(render(&signin_page(&state, page, &c.staff_id).await?)?.into_response())
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
}

fn refusal(v: &Verdict) -> (StatusCode, FieldError) {
    match v {
        Verdict::TooMany => (StatusCode::TOO_MANY_REQUESTS, FieldError::new("code", "mfa_too_many", &[])),
        Verdict::Replayed => (StatusCode::UNPROCESSABLE_ENTITY, FieldError::new("code", "mfa_replayed", &[])),
        _ => (StatusCode::UNPROCESSABLE_ENTITY, FieldError::new("code", "mfa_wrong", &[])),
    }
}

fn code_errors(code: &str) -> Vec<FieldError> {
    if code.trim().is_empty() {
        vec![FieldError::new("code", "required", &[])]
    } else {
        crate::web::form::too_long("code", code, 20).into_iter().collect()
    }
}

async fn code_submit(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let Ok((token, c)) = pending(&state, &headers).await else {
        return Ok(Redirect::to("/staff/login").into_response());
    };
    let errors = code_errors(&f.code);
    let verdict = if errors.is_empty() {
        Some(service::check(&state.db, &state.keys.otp, &origin, &c.staff_id, &f.code, Some(&token)).await?)
    } else {
        None
    };
    let (status, errors) = match verdict {
        Some(Verdict::Ok { recovery_codes, session: Some(session) }) => {
            let tls = state.config.tls;
            let res = if recovery_codes.is_empty() {
                Redirect::to(&c.next).into_response()
            } else {
                let mut p = MfaPage::new(page, "signin");
                p.recovery_codes = recovery_codes;
                p.next = c.next.clone();
                p.enrolled = true;
                render(&p)?.into_response()
            };
            let res = with_cookie(res, &set_cookie(SESSION_COOKIE, &session, None, tls));
            return Ok(with_cookie(res, &set_cookie(CHALLENGE_COOKIE, "", Some(0), tls)));
        }
        Some(v) => {
            let (s, e) = refusal(&v);
            (s, vec![e])
        }
        None => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let mut p = signin_page(&state, page, &c.staff_id).await?;
    p.errors = errors;
    Ok((status, render(&p)?).into_response())
}

async fn account_page(state: &AppState, page: PageCtx, identity: &Identity) -> AppResult<MfaPage> {
    let me = identity.staff().ok_or(AppError::Forbidden)?;
    let mut p = MfaPage::new(page, "account");
    p.enrolled = service::enrolled(&state.db, &me.id).await?;
    if p.enrolled {
        p.codes_left = super::store::recovery_codes_left(&state.db, &me.id).await?;
    } else if let Some(secret) = service::begin_enrolment(&state.db, &me.id).await? {
        p.enrol = Some(Enrolment::new(ISSUER, &me.email, secret));
    }
    Ok(p)
}

async fn account(State(state): State<AppState>, page: PageCtx, identity: Identity) -> AppResult<Html<String>> {
    render(&account_page(&state, page, &identity).await?)
}

async fn account_enrol(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let me = identity.staff().ok_or(AppError::Forbidden)?;
    let mut errors = code_errors(&f.code);
    if errors.is_empty() {
        if service::enrolled(&state.db, &me.id).await? {
            return Ok(Redirect::to("/staff/account/mfa").into_response());
        }
        match service::check(&state.db, &state.keys.otp, &origin, &me.id, &f.code, None).await? {
            Verdict::Ok { recovery_codes, .. } => {
                let mut p = MfaPage::new(page, "account");
                p.recovery_codes = recovery_codes;
                p.enrolled = true;
                return Ok(render(&p)?.into_response());
            }
            v => errors.push(refusal(&v).1),
        }
    }
    let mut p = account_page(&state, page, &identity).await?;
    p.errors = errors;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)?).into_response())
}

async fn reset(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    staff::by_id(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    service::reset(&state.db, &identity.actor(), &origin, &id).await?;
    Ok(Redirect::to(&format!("/staff/users/{id}?notice=mfa-reset")).into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/login/code", Access::Public, get(code_form).post(code_submit))
        .page("/staff/account/mfa", Access::Staff(&[]), get(account).post(account_enrol))
        .page("/staff/users/{id}/mfa-reset", Access::Staff(&[Role::Admin]), post(reset))
}
