//! Citizen pages: sign in with a one-time code, my profile (with optional HKID), dependants I
//! act for, and who has accessed my record.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Datelike;
use serde::Deserialize;

use crate::AppState;
use crate::audit::{self, Event, Origin};
use crate::hkid::Hkid;
use crate::i18n::Locale;
use crate::identity::Identity;
use crate::identity::citizen::{self, Check, Destination, Issue, Profile, ProfileUpdate, UpdateOutcome};
use crate::identity::session::{self, SESSION_COOKIE};
use crate::web::cookie::SessionToken;
use crate::web::cookie::{set_cookie, with_cookie};
use crate::web::page::render;
use crate::web::redirect::safe_local;
use crate::web::{Access, AppError, AppResult, FieldError, FieldErrors, Form, PageCtx, Routes};

/// Follows only local paths after sign-in.
fn safe_next(next: Option<&str>) -> String {
    safe_local(next, "/me").to_string()
}

#[derive(Template)]
#[template(path = "identity/citizen/signin.html")]
struct SigninPage {
    page: PageCtx,
    contact: String,
    next: String,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn signin_form(page: PageCtx, Query(q): Query<NextQuery>) -> AppResult<Html<String>> {
    render(&SigninPage { page, contact: String::new(), next: safe_next(q.next.as_deref()), errors: vec![] })
}

#[derive(Deserialize)]
struct SigninForm {
    contact: String,
    next: Option<String>,
}

async fn signin(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Form(f): Form<SigninForm>,
) -> AppResult<Response> {
    let next = safe_next(f.next.as_deref());
    let fail = |status: StatusCode, e: FieldError, page: PageCtx| -> AppResult<Response> {
        let contact = f.contact.chars().take(254).collect();
        Ok((status, render(&SigninPage { page, contact, next: next.clone(), errors: vec![e] })?).into_response())
    };
    if f.contact.chars().count() > 254 {
        return fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldError::new("contact", "too_long", &[("max", "254".into())]),
            page,
        );
    }
    let Some(dest) = Destination::parse(&f.contact) else {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, FieldError::new("contact", "invalid_contact", &[]), page);
    };
    let (hits, _) = crate::ratelimit::hit(&state.db, &format!("otp-ip:{}", origin.ip), 60_000).await?;
    if hits > 20 {
        return fail(StatusCode::TOO_MANY_REQUESTS, FieldError::new("contact", "too_many_codes", &[]), page);
    }
    match citizen::issue_code(&state.db, &state.keys.otp, &dest, page.locale).await? {
        Issue::Sent { otp_id } => {
            state.wake_worker();
            let to =
                serde_urlencoded::to_string([("ref", otp_id.as_str()), ("next", next.as_str())]).unwrap_or_default();
            Ok(Redirect::to(&format!("/signin/code?{to}")).into_response())
        }
        Issue::TooMany => fail(StatusCode::TOO_MANY_REQUESTS, FieldError::new("contact", "too_many_codes", &[]), page),
    }
}

#[derive(Template)]
#[template(path = "identity/citizen/code.html")]
struct CodePage {
    page: PageCtx,
    otp_ref: String,
    next: String,
    errors: Vec<FieldError>,
}

#[derive(Deserialize)]
struct CodeQuery {
    #[serde(rename = "ref")]
    otp_ref: Option<String>,
    next: Option<String>,
}

async fn code_form(page: PageCtx, Query(q): Query<CodeQuery>) -> AppResult<Html<String>> {
    let otp_ref = q.otp_ref.filter(|r| r.len() <= 64).ok_or(AppError::NotFound)?;
    render(&CodePage { page, otp_ref, next: safe_next(q.next.as_deref()), errors: vec![] })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(rename = "ref")]
    otp_ref: String,
    code: String,
    next: Option<String>,
}

async fn code(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    old: Option<axum::Extension<SessionToken>>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let next = safe_next(f.next.as_deref());
    let otp_ref: String = f.otp_ref.chars().take(64).collect();
    let fail = |status: StatusCode, e: FieldError, page: PageCtx| -> AppResult<Response> {
        Ok((status, render(&CodePage { page, otp_ref: otp_ref.clone(), next: next.clone(), errors: vec![e] })?)
            .into_response())
    };
    if f.code.chars().count() > 12 {
        return fail(StatusCode::UNPROCESSABLE_ENTITY, FieldError::new("code", "code_format", &[]), page);
    }
    match citizen::check_code(&state.db, &state.keys.otp, &otp_ref, &f.code).await? {
        Check::Ok { destination, channel } => {
            let (_, token, created) =
                citizen::service::start_session(&state.db, &origin, &channel, &destination, page.locale).await?;
            if let Some(axum::Extension(SessionToken(old))) = old {
                session::destroy(&state.db, &old).await?;
            }
            let target = if created { "/me?welcome=1".to_string() } else { next };
            Ok(with_cookie(
                Redirect::to(&target).into_response(),
                &set_cookie(SESSION_COOKIE, &token, None, state.config.tls),
            ))
        }
        Check::Wrong { attempts_left } => fail(
            StatusCode::UNAUTHORIZED,
            FieldError::new("code", "code_wrong", &[("left", attempts_left.to_string())]),
            page,
        ),
        Check::Expired | Check::Unknown => {
            fail(StatusCode::UNAUTHORIZED, FieldError::new("code", "code_expired", &[]), page)
        }
        Check::Used => fail(StatusCode::UNAUTHORIZED, FieldError::new("code", "code_used", &[]), page),
        Check::TooManyAttempts => {
            fail(StatusCode::TOO_MANY_REQUESTS, FieldError::new("code", "code_attempts", &[]), page)
        }
    }
}

async fn signout(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    token: Option<axum::Extension<SessionToken>>,
) -> AppResult<Response> {
    if let Some(axum::Extension(SessionToken(t))) = token {
        session::destroy(&state.db, &t).await?;
    }
    if let Some(c) = identity.citizen() {
        audit::record_now(
            &state.db,
            &identity.actor(),
            &origin,
            Event::new("citizen.logout", "citizen", &c.id).person(&c.id),
        )
        .await?;
    }
    Ok(with_cookie(Redirect::to("/").into_response(), &set_cookie(SESSION_COOKIE, "", Some(0), state.config.tls)))
}

/// One line of "who accessed my record".
struct AccessLine {
    at: i64,
    who: String,
    action: String,
}

#[derive(Template)]
#[template(path = "identity/citizen/me.html")]
struct MePage {
    page: PageCtx,
    profile: Profile,
    dependants: Vec<citizen::Dependant>,
    access: Vec<AccessLine>,
    errors: FieldErrors,
    notice: Option<String>,
}

impl MePage {
    /// The date of birth on file as people read it (30/06/1950), empty when none.
    fn birth_shown(&self) -> String {
        crate::hk::parse_date(&self.profile.birth_date).map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default()
    }
    /// The consent statement in the page's language when it is one of ours (it is stored in the
    /// language it was affirmed in); a statement of another wording is shown as stored.
    fn consent_text(&self, d: &citizen::Dependant) -> String {
        let key = format!("dependant-consent-{}", d.relationship);
        if Locale::ALL.iter().any(|l| l.t(&key) == d.consent_statement) {
            self.page.t(&key)
        } else {
            d.consent_statement.clone()
        }
    }
}

async fn access_lines(state: &AppState, page: &PageCtx, me: &str) -> sqlx::Result<Vec<AccessLine>> {
    let entries =
        audit::search(&state.db, &audit::Search { person_id: Some(me.to_string()), limit: 50, ..Default::default() })
            .await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let who = match e.actor_type.as_str() {
                "citizen" if e.actor_id == me => page.t("access-you"),
                "citizen" => page.t("access-caregiver"),
                "staff" => page.t("access-staff"),
                "partner" => page.t("access-partner"),
                _ => page.t("access-system"),
            };
            let key = format!("audit-action-{}", e.action.replace('.', "-"));
            let action = match page.t(&key) {
                s if s == key => e.action.clone(),
                s => s,
            };
            AccessLine { at: e.at, who, action }
        })
        .collect())
}

#[derive(Deserialize)]
struct MeQuery {
    saved: Option<String>,
    welcome: Option<String>,
    added: Option<String>,
}

async fn me_page(
    state: &AppState,
    page: PageCtx,
    me: &str,
    errors: Vec<FieldError>,
    notice: Option<String>,
    profile: Option<Profile>,
) -> AppResult<Html<String>> {
    let profile = match profile {
        Some(p) => p,
        None => citizen::profile(&state.db, me).await?.ok_or(AppError::NotFound)?,
    };
    let dependants = citizen::dependants(&state.db, me).await?;
    let access = access_lines(state, &page, me).await?;
    let errors = page.errors(errors);
    render(&MePage { page, profile, dependants, access, errors, notice })
}

async fn me(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<MeQuery>,
) -> AppResult<Html<String>> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    audit::record_now(
        &state.db,
        &identity.actor(),
        &origin,
        Event::new("citizen.profile_view", "citizen", &me).person(&me),
    )
    .await?;
    let notice = if q.saved.is_some() {
        Some(page.t("me-saved"))
    } else if q.welcome.is_some() {
        Some(page.t("me-welcome"))
    } else if q.added.is_some() {
        Some(page.t("me-dependant-added"))
    } else {
        None
    };
    me_page(&state, page, &me, vec![], notice, None).await
}

#[derive(Deserialize)]
struct ProfileForm {
    name_en: String,
    name_zh: String,
    preferred_lang: String,
    contact_channel: String,
    hkid: Option<String>,
    #[serde(default)]
    birth_date: String,
}

async fn update_me(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<ProfileForm>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let current = citizen::profile(&state.db, &me).await?.ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let name_en = f.name_en.trim();
    let name_zh = f.name_zh.trim();
    if name_en.chars().count() > 100 {
        errors.push(FieldError::new("name_en", "too_long", &[("max", "100".into())]));
    }
    if name_zh.chars().count() > 50 {
        errors.push(FieldError::new("name_zh", "too_long", &[("max", "50".into())]));
    }
    if name_en.is_empty() && name_zh.is_empty() {
        errors.push(FieldError::new("name_en", "name_required", &[]));
    }
    let lang = Locale::parse(&f.preferred_lang).filter(|_| f.preferred_lang.len() <= 12);
    if lang.is_none() {
        errors.push(FieldError::new("preferred_lang", "invalid_choice", &[]));
    }
    match f.contact_channel.as_str() {
        "email" if current.email.is_none() => errors.push(FieldError::new("contact_channel", "no_email_on_file", &[])),
        "sms" if current.phone.is_none() => errors.push(FieldError::new("contact_channel", "no_phone_on_file", &[])),
        "email" | "sms" => {}
        _ => errors.push(FieldError::new("contact_channel", "invalid_choice", &[])),
    }
    let hkid = match f.hkid.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if s.chars().count() > 20 => {
            errors.push(FieldError::new("hkid", "hkid_format", &[]));
            None
        }
        Some(s) => match Hkid::parse(s) {
            Ok(h) => Some((h.masked(), h.hmac(&state.keys.hkid))),
            Err(crate::hkid::HkidError::Format) => {
                errors.push(FieldError::new("hkid", "hkid_format", &[]));
                None
            }
            Err(crate::hkid::HkidError::CheckDigit) => {
                errors.push(FieldError::new("hkid", "hkid_check_digit", &[]));
                None
            }
        },
    };
    // The date of birth, self-declared (needed to book age-limited services for oneself); left
    // empty it stays as it was.
    let typed_birth = f.birth_date.trim();
    let birth = if typed_birth.is_empty() {
        None
    } else {
        match crate::hk::parse_date(typed_birth).filter(|d| *d <= crate::hk::today() && d.year() >= 1900) {
            Some(d) => Some(d.to_string()),
            None => {
                errors.push(FieldError::new("birth_date", "invalid_birth_date", &[]));
                None
            }
        }
    };
    if errors.is_empty() {
        let update = ProfileUpdate {
            name_en,
            name_zh,
            preferred_lang: lang.unwrap_or_default(),
            contact_channel: &f.contact_channel,
            hkid: hkid.clone(),
            birth_date: birth,
        };
        match citizen::service::save_profile(&state.db, &identity.actor(), &origin, &me, &update).await? {
            UpdateOutcome::Saved => return Ok(Redirect::to("/me?saved=1").into_response()),
            UpdateOutcome::HkidTaken => errors.push(FieldError::new("hkid", "hkid_taken", &[])),
        }
    }
    let shown = Profile {
        name_en: name_en.chars().take(100).collect(),
        name_zh: name_zh.chars().take(50).collect(),
        preferred_lang: lang.unwrap_or_default().tag().into(),
        ..current
    };
    let html = me_page(&state, page, &me, errors, None, Some(shown)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

#[derive(Template)]
#[template(path = "identity/citizen/dependant.html")]
struct DependantPage {
    page: PageCtx,
    relationships: [&'static str; 4],
    name: String,
    birth_date: String,
    relationship: String,
    errors: FieldErrors,
}

async fn dependant_form(page: PageCtx) -> AppResult<Html<String>> {
    let errors = page.errors(vec![]);
    render(&DependantPage {
        page,
        relationships: citizen::RELATIONSHIPS,
        name: String::new(),
        birth_date: String::new(),
        relationship: String::new(),
        errors,
    })
}

#[derive(Deserialize)]
struct DependantForm {
    name: String,
    birth_date: String,
    relationship: String,
    consent: Option<String>,
}

async fn add_dependant(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<DependantForm>,
) -> AppResult<Response> {
    let me = identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let name = f.name.trim();
    let mut errors = vec![];
    if name.is_empty() {
        errors.push(FieldError::new("name", "required", &[]));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new("name", "too_long", &[("max", "100".into())]));
    }
    let birth =
        crate::hk::parse_date(&f.birth_date).filter(|d| *d <= crate::hk::today() && chrono::Datelike::year(d) >= 1900);
    if birth.is_none() {
        errors.push(FieldError::new("birth_date", "invalid_birth_date", &[]));
    }
    if !citizen::RELATIONSHIPS.contains(&f.relationship.as_str()) {
        errors.push(FieldError::new("relationship", "invalid_choice", &[]));
    }
    if f.consent.as_deref() != Some("yes") {
        errors.push(FieldError::new("consent", "consent_required", &[]));
    }
    if !errors.is_empty() {
        let errors = page.errors(errors);
        let html = render(&DependantPage {
            page,
            relationships: citizen::RELATIONSHIPS,
            name: name.chars().take(100).collect(),
            birth_date: f.birth_date.chars().take(10).collect(),
            relationship: f.relationship.chars().take(10).collect(),
            errors,
        })?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let statement = page.t(&format!("dependant-consent-{}", f.relationship));
    let birth = birth.map(|d| d.to_string()).unwrap_or_default();
    let new = citizen::NewDependant {
        name,
        birth_date: &birth,
        relationship: &f.relationship,
        consent_statement: &statement,
        locale: page.locale,
    };
    citizen::service::register_dependant(&state.db, &identity.actor(), &origin, &me, &new).await?;
    Ok(Redirect::to("/me?added=1").into_response())
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/signin", Access::Public, get(signin_form).post(signin))
        .page("/signin/code", Access::Public, get(code_form).post(code))
        .page("/signout", Access::Citizen, post(signout))
        .page("/me", Access::Citizen, get(me).post(update_me))
        .page("/me/dependants", Access::Citizen, get(dependant_form).post(add_dependant))
}
