//! Licence pages: for staff, a licence with its history and the actions open to them
//! (suspend, reinstate, surrender, propose a revocation, approve or reject one as the second
//! officer). (The holder's renewal page is the portal's: `applications::pages`.) Forms work without JavaScript; refusals come back
//! as an error summary.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, FieldError, FieldErrors, Form, PageCtx, Routes};

use super::rules::Action;
use super::service;
use super::store::{self, Proposal};
use super::{Licence, LicenceEvent};
use crate::errors::AppError as SvcError;
use crate::licence_types::LicenceType;
use crate::premises::Premises;

pub fn routes() -> Routes {
    Routes::new().page("/staff/regulatory/licences/{number}", Access::Staff(crate::STAFF), get(show)).page(
        "/staff/regulatory/licences/{number}/actions",
        Access::Staff(crate::STAFF),
        post(act),
    )
}

#[derive(Template)]
#[template(path = "regulatory/licences/licence.html")]
struct LicencePage {
    page: PageCtx,
    l: Licence,
    t: LicenceType,
    p: Premises,
    events: Vec<LicenceEvent>,
    proposal: Option<Proposal>,
    errors: FieldErrors,
    notice: Option<String>,
    reason: String,
    legal_basis: String,
}

impl LicencePage {
    fn label(&self, prefix: &str, code: &str) -> String {
        self.page.t(&format!("{prefix}-{code}"))
    }
    fn has_error(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }
}

async fn licence_page(
    state: &AppState,
    page: PageCtx,
    number: &str,
    errors: Vec<FieldError>,
    notice: Option<String>,
    form: (String, String),
    status: StatusCode,
) -> AppResult<Response> {
    let l = store::by_number(&state.db, number).await?.ok_or(AppError::NotFound)?;
    let t = crate::licence_types::store::get(&state.db, &l.type_code).await?.ok_or(AppError::NotFound)?;
    let p = crate::premises::store::get(&state.db, &l.premises_id).await?.ok_or(AppError::NotFound)?;
    let events = store::events(&state.db, &l.id).await?;
    let proposal = store::pending_proposal(&state.db, &l.id).await?;
    let errors = FieldErrors::new(page.locale, errors);
    let html =
        render(&LicencePage { page, l, t, p, events, proposal, errors, notice, reason: form.0, legal_basis: form.1 })?;
    Ok((status, html).into_response())
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Path(number): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let notice = q.as_deref().and_then(|q| q.strip_prefix("done=")).map(|a| page.t(&format!("reg-lic-done-{a}")));
    licence_page(&state, page, &number, vec![], notice, Default::default(), StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    legal_basis: String,
}

async fn act(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(number): Path<String>,
    Form(f): Form<ActionForm>,
) -> AppResult<Response> {
    let staff = page.identity.staff().ok_or(AppError::Unauthorized)?.clone();
    let done = match f.action.as_str() {
        "propose-revoke" => {
            service::propose_revocation(&state, &staff, &number, &f.reason, &f.legal_basis, &origin).await.map(|_| ())
        }
        "approve-revoke" => service::decide_revocation(&state, &staff, &number, true, &origin).await.map(|_| ()),
        "reject-revoke" => service::decide_revocation(&state, &staff, &number, false, &origin).await.map(|_| ()),
        a => match Action::parse(a) {
            Some(action) => {
                service::act(&state, &staff, &number, action, &f.reason, &f.legal_basis, &origin).await.map(|_| ())
            }
            None => Err(SvcError::Refused("transition_not_allowed", StatusCode::UNPROCESSABLE_ENTITY)),
        },
    };
    let form = (f.reason.clone(), f.legal_basis.clone());
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/staff/regulatory/licences/{number}?done={}", f.action)).into_response()),
        Err(SvcError::Incomplete(ps)) => {
            let errors = ps.into_iter().map(|p| FieldError::new(&p.field, &p.code, &[])).collect();
            licence_page(&state, page, &number, errors, None, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(SvcError::Refused(code, status)) => {
            licence_page(&state, page, &number, vec![FieldError::new("action", code, &[])], None, form, status).await
        }
        Err(e) => Err(e.into()),
    }
}
