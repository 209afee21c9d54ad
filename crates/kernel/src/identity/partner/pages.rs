//! The staff pages for partners: register an organisation's API client (its secret shown once)
//! and approve or revoke clients.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::audit::Origin;
use crate::identity::{Identity, Role, partner};
use crate::web::form::{repeated, single};
use crate::web::page::render;
use crate::web::{Access, AppError, AppResult, FieldError, Form, PageCtx, Routes};

const PARTNERS: &[Role] = &[Role::Admin, Role::DataSteward];

#[derive(Template)]
#[template(path = "identity/partner/partners.html")]
struct PartnersPage {
    page: PageCtx,
    clients: Vec<partner::Client>,
    scopes: [&'static str; 3],
    kinds: [&'static str; 4],
    errors: Vec<FieldError>,
    created: Option<(String, String)>,
}

async fn partners(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    render(&PartnersPage {
        page,
        clients: partner::clients(&state.db).await?,
        scopes: partner::SCOPES,
        kinds: partner::ORG_KINDS,
        errors: vec![],
        created: None,
    })
}

async fn register_partner(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let org = single(&body, "org_name").trim().to_string();
    let kind = single(&body, "org_kind").to_string();
    let contact = single(&body, "contact_email").trim().to_string();
    let name = single(&body, "client_name").trim().to_string();
    let checked = partner::rules::check_client(&partner::rules::ClientForm {
        org_name: &org,
        org_kind: &kind,
        contact_email: &contact,
        client_name: &name,
        scopes: &repeated(&body, "scope").join(" "),
        rate_limit: single(&body, "rate_limit"),
    });
    let (status, created, errors) = match checked {
        Ok(c) => {
            let new = partner::service::NewClient {
                org_name: &org,
                org_kind: &kind,
                contact_email: &contact,
                client_name: &name,
                scopes: &c.scopes,
                rate_limit_per_minute: c.rate_limit_per_minute,
            };
            let (client_id, secret) = partner::service::register(&state.db, &identity.actor(), &origin, &new).await?;
            (StatusCode::CREATED, Some((client_id, secret)), vec![])
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, None, errors),
    };
    let html = render(&PartnersPage {
        page,
        clients: partner::clients(&state.db).await?,
        scopes: partner::SCOPES,
        kinds: partner::ORG_KINDS,
        errors,
        created,
    })?;
    Ok((status, html).into_response())
}

async fn partner_status(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(client_id): Path<String>,
    Form(body): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let status = match single(&body, "action") {
        "approve" => "approved",
        "revoke" => "revoked",
        _ => return Err(AppError::Validation(vec![FieldError::new("action", "invalid_choice", &[])])),
    };
    if !partner::service::change_status(&state.db, &identity.actor(), &origin, &client_id, status).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/staff/partners").into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/partners", Access::Staff(PARTNERS), get(partners).post(register_partner)).page(
        "/staff/partners/{client_id}/status",
        Access::Staff(PARTNERS),
        post(partner_status),
    )
}
