//! The applicant portal: my licences and applications, apply, fill in and save, upload
//! documents, check and pay, follow the application and answer requests for information. Every
//! form works without JavaScript; refusals come back as an error summary listing every problem.

use askama::Template;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::web::page::render;
use kernel::web::{Access, AppError, AppResult, FieldError, FieldErrors, Form, PageCtx, Routes};

use super::payment::FakeProvider;
use super::service::{self, AppError as SvcError};
use super::{Application, Document, Form as Answers, STAGES, store};
use crate::licence_types::{self, LicenceType};
use crate::licences::Licence;

pub fn routes() -> Routes {
    Routes::new()
        .page("/licensing", Access::Citizen, get(home))
        .page("/licensing/apply", Access::Citizen, get(choose).post(create))
        .page("/licensing/applications/{case_ref}", Access::Citizen, get(show).post(save))
        .page("/licensing/applications/{case_ref}/documents", Access::Citizen, post(upload))
        .page("/licensing/applications/{case_ref}/answer", Access::Citizen, post(answer))
        .page("/licensing/licences/{number}/renew", Access::Citizen, get(renew_page).post(renew))
}

fn me(page: &PageCtx) -> AppResult<String> {
    Ok(page.identity.citizen().ok_or(AppError::Unauthorized)?.id.clone())
}

#[derive(Template)]
#[template(path = "regulatory/applications/home.html")]
struct HomePage {
    page: PageCtx,
    applications: Vec<(Application, String)>,
    licences: Vec<(Licence, String)>,
}

impl HomePage {
    fn status(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-status-{s}"))
    }
}

async fn home(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    let me = me(&page)?;
    let types = licence_types::store::all(&state.db).await?;
    let name = |code: &str| {
        types.iter().find(|t| t.code == code).map(|t| t.name.get(page.locale).to_string()).unwrap_or_default()
    };
    let applications = store::of_account(&state.db, &me)
        .await?
        .into_iter()
        .map(|a| {
            let n = name(&a.type_code);
            (a, n)
        })
        .collect();
    let licences = crate::licences::store::of_account(&state.db, &me)
        .await?
        .into_iter()
        .map(|l| {
            let n = name(&l.type_code);
            (l, n)
        })
        .collect();
    render(&HomePage { page, applications, licences })
}

#[derive(Template)]
#[template(path = "regulatory/applications/choose.html")]
struct ChoosePage {
    page: PageCtx,
    types: Vec<LicenceType>,
    errors: FieldErrors,
}

async fn choose(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    let types = licence_types::store::all(&state.db).await?;
    let errors = FieldErrors::none(page.locale);
    render(&ChoosePage { page, types, errors })
}

#[derive(serde::Deserialize)]
struct ChooseForm {
    #[serde(default)]
    licence_type: String,
}

async fn create(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Form(f): Form<ChooseForm>,
) -> AppResult<Response> {
    let me = me(&page)?;
    match service::start_draft(&state.db, &me, &f.licence_type, &origin).await {
        Ok(a) => Ok(Redirect::to(&format!("/licensing/applications/{}", a.case_ref)).into_response()),
        Err(SvcError::Refused(..)) => {
            let types = licence_types::store::all(&state.db).await?;
            let errors =
                FieldErrors::new(page.locale, vec![FieldError::new("licence_type", "licence_type_missing", &[])]);
            let html = render(&ChoosePage { page, types, errors })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A required document and what was uploaded for it.
struct DocLine {
    code: String,
    name: String,
    certificate: bool,
    uploaded: Option<Document>,
}

#[derive(Template)]
#[template(path = "regulatory/applications/application.html")]
struct ApplicationPage {
    page: PageCtx,
    a: Application,
    t: LicenceType,
    form: Answers,
    docs: Vec<DocLine>,
    fees: Vec<(String, String)>,
    total: String,
    errors: FieldErrors,
    notice: Option<String>,
    districts: Vec<(String, String)>,
    stages: Vec<(String, bool, bool)>,
}

impl ApplicationPage {
    fn status(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-status-{s}"))
    }
    fn has_error(&self, field: &str) -> bool {
        self.errors.get(field).is_some()
    }
    /// The text fields of a group of the form: (field, label key, value).
    fn fields(&self, group: &str) -> Vec<(&'static str, &'static str, String)> {
        let f = &self.form;
        match group {
            "licensee" => vec![
                ("licensee_name_en", "reg-app-licensee-name-en", f.licensee_name_en.clone()),
                ("licensee_name_zh", "reg-app-licensee-name-zh", f.licensee_name_zh.clone()),
                ("br_number", "reg-app-br-number", f.br_number.clone()),
            ],
            "premises" => vec![
                ("premises_name_en", "reg-app-premises-name-en", f.premises_name_en.clone()),
                ("premises_name_zh", "reg-app-premises-name-zh", f.premises_name_zh.clone()),
                ("address_en", "reg-app-address-en", f.address_en.clone()),
                ("address_zh", "reg-app-address-zh", f.address_zh.clone()),
            ],
            _ => vec![
                ("responsible_name", "reg-app-responsible-name", f.responsible_name.clone()),
                ("responsible_number", "reg-app-responsible-number", f.responsible_number.clone()),
            ],
        }
    }
    fn reading(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-reading-{s}"))
    }
}

pub use crate::licence_types::money;

async fn page_for(
    state: &AppState,
    page: PageCtx,
    a: Application,
    form: Option<Answers>,
    errors: Vec<FieldError>,
    notice: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let t = licence_types::store::get(&state.db, &a.type_code).await?.ok_or(AppError::NotFound)?;
    let uploaded = store::documents(&state.db, &a.id).await?;
    let docs = t
        .definition
        .documents
        .iter()
        .map(|d| DocLine {
            code: d.code.clone(),
            name: d.name.get(page.locale).to_string(),
            certificate: d.responsible_certificate,
            uploaded: uploaded.iter().rev().find(|u| u.requirement == d.code).cloned(),
        })
        .collect();
    let (lines, total) = t.fees_for(&a.kind);
    let fees = lines.iter().map(|f| (f.name.get(page.locale).to_string(), money(f.cents))).collect();
    let districts = kernel::hk::districts().iter().map(|d| (d.code.clone(), d.name(page.locale).to_string())).collect();
    let at = STAGES.iter().position(|s| *s == a.status || (a.status == "info_requested" && *s == "screening"));
    let finished = matches!(a.status.as_str(), "granted" | "refused");
    let stages = STAGES
        .iter()
        .enumerate()
        .map(|(i, s)| (s.to_string(), finished || at.is_some_and(|at| i < at), at == Some(i) && !finished))
        .collect();
    let form = form.unwrap_or_else(|| a.form());
    // A missing document is named: the error summary would otherwise list the same words once
    // per document, links that cannot be told apart.
    let errors = errors
        .into_iter()
        .map(|e| {
            match t
                .definition
                .documents
                .iter()
                .find(|d| e.code == "document_missing" && e.field == format!("doc_{}", d.code))
            {
                Some(d) => FieldError::new(
                    &e.field,
                    "document_missing_named",
                    &[("document", d.name.get(page.locale).to_string())],
                ),
                None => e,
            }
        })
        .collect();
    let errors = FieldErrors::new(page.locale, errors);
    let html = render(&ApplicationPage {
        page,
        total: money(total),
        a,
        t,
        form,
        docs,
        fees,
        errors,
        notice,
        districts,
        stages,
    })?;
    Ok((status, html).into_response())
}

async fn show(
    State(state): State<AppState>,
    page: PageCtx,
    Path(case_ref): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let me = me(&page)?;
    let a = service::mine(&state.db, &me, &case_ref).await?;
    let notice = match q.as_deref() {
        Some(q) if q.contains("saved") => Some(page.t("reg-app-saved")),
        Some(q) if q.contains("submitted") => Some(page.t("reg-app-submitted")),
        Some(q) if q.contains("uploaded") => Some(page.t("reg-app-uploaded")),
        Some(q) if q.contains("answered") => Some(page.t("reg-app-answered")),
        _ => None,
    };
    page_for(&state, page, a, None, vec![], notice, StatusCode::OK).await
}

#[derive(serde::Deserialize)]
struct SaveForm {
    #[serde(flatten)]
    answers: Answers,
    #[serde(default)]
    action: String,
}

async fn save(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(case_ref): Path<String>,
    Form(f): Form<SaveForm>,
) -> AppResult<Response> {
    let me = me(&page)?;
    let a = match service::save(&state.db, &me, &case_ref, &f.answers, &origin).await {
        Ok(a) => a,
        Err(SvcError::Refused(code, status)) => {
            let a = service::mine(&state.db, &me, &case_ref).await?;
            return page_for(
                &state,
                page,
                a,
                Some(f.answers),
                vec![FieldError::new("action", code, &[])],
                None,
                status,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    if f.action != "submit" {
        return Ok(Redirect::to(&format!("/licensing/applications/{case_ref}?saved")).into_response());
    }
    match service::submit(&state, &me, &case_ref, &FakeProvider, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/licensing/applications/{case_ref}?submitted")).into_response()),
        Err(SvcError::Incomplete(ps)) => {
            let errors = ps.into_iter().map(|p| FieldError::new(&p.field, &p.code, &[])).collect();
            page_for(&state, page, a, None, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(SvcError::Refused(code, status)) => {
            page_for(&state, page, a, None, vec![FieldError::new("action", code, &[])], None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn upload(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(case_ref): Path<String>,
    mut form: Multipart,
) -> AppResult<Response> {
    let me = me(&page)?;
    let a = service::mine(&state.db, &me, &case_ref).await?;
    let mut requirement = String::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|_| AppError::Malformed("bad_multipart"))? {
        match field.name() {
            Some("requirement") => requirement = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes =
                    field.bytes().await.map_err(|_| AppError::Code(StatusCode::PAYLOAD_TOO_LARGE, "file_too_large"))?;
                if !(name.is_empty() && bytes.is_empty()) {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    let field = format!("doc_{requirement}");
    let Some((name, bytes)) = file else {
        return page_for(
            &state,
            page,
            a,
            None,
            vec![FieldError::new(&field, "file_missing", &[])],
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match service::upload(&state, &me, &case_ref, &requirement, &name, bytes, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/licensing/applications/{case_ref}?uploaded")).into_response()),
        Err(SvcError::File(r)) => {
            page_for(
                &state,
                page,
                a,
                None,
                vec![FieldError::new(&field, r.code(), &[])],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(SvcError::Refused(code, status)) => {
            page_for(&state, page, a, None, vec![FieldError::new(&field, code, &[])], None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(case_ref): Path<String>,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let me = me(&page)?;
    match service::answer(&state, &me, &case_ref, &f.answer, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/licensing/applications/{case_ref}?answered")).into_response()),
        Err(SvcError::Incomplete(ps)) => {
            let a = service::mine(&state.db, &me, &case_ref).await?;
            let errors = ps.into_iter().map(|p| FieldError::new(&p.field, &p.code, &[])).collect();
            page_for(&state, page, a, None, errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(SvcError::Refused(code, status)) => {
            let a = service::mine(&state.db, &me, &case_ref).await?;
            page_for(&state, page, a, None, vec![FieldError::new("answer", code, &[])], None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Staff pages: applications by status, and one application with its answers, documents (and
/// what reading them found), the checks as they stand and its process.
pub fn staff_routes() -> Routes {
    Routes::new()
        .page("/staff/regulatory/applications", Access::Staff(crate::STAFF), get(staff_list))
        .page("/staff/regulatory/applications/{case_ref}", Access::Staff(crate::STAFF), get(staff_show))
        .page("/staff/regulatory/documents/{id}", Access::Staff(crate::STAFF), get(document))
}

#[derive(Template)]
#[template(path = "regulatory/applications/staff_list.html")]
struct StaffListPage {
    page: PageCtx,
    applications: Vec<(Application, String)>,
    status: String,
    statuses: Vec<&'static str>,
}

impl StaffListPage {
    fn status_label(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-status-{s}"))
    }
}

const STAFF_STATUSES: [&str; 9] =
    ["submitted", "screening", "info_requested", "assessment", "inspection", "decision", "granted", "refused", "draft"];

#[derive(serde::Deserialize, Default)]
struct StatusQuery {
    #[serde(default)]
    status: String,
}

async fn staff_list(
    State(state): State<AppState>,
    page: PageCtx,
    axum::extract::Query(q): axum::extract::Query<StatusQuery>,
) -> AppResult<Html<String>> {
    let wanted: Vec<&str> = if STAFF_STATUSES.contains(&q.status.as_str()) {
        vec![q.status.as_str()]
    } else {
        STAFF_STATUSES[..6].to_vec()
    };
    let types = licence_types::store::all(&state.db).await?;
    let applications = store::in_status(&state.db, &wanted, 200)
        .await?
        .into_iter()
        .map(|a| {
            let n = types
                .iter()
                .find(|t| t.code == a.type_code)
                .map(|t| t.name.get(page.locale).to_string())
                .unwrap_or_default();
            (a, n)
        })
        .collect();
    render(&StaffListPage { page, applications, status: q.status, statuses: STAFF_STATUSES.to_vec() })
}

#[derive(Template)]
#[template(path = "regulatory/applications/staff_show.html")]
struct StaffShowPage {
    page: PageCtx,
    a: Application,
    t: LicenceType,
    form: Answers,
    docs: Vec<Document>,
    problems: Vec<String>,
    fee: String,
}

impl StaffShowPage {
    fn status_label(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-status-{s}"))
    }
    fn reading(&self, s: &str) -> String {
        self.page.t(&format!("reg-app-reading-{s}"))
    }
    fn district(&self) -> String {
        kernel::hk::district(&self.form.district).map(|d| d.name(self.page.locale).to_string()).unwrap_or_default()
    }
}

async fn staff_show(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(case_ref): Path<String>,
) -> AppResult<Html<String>> {
    let a = store::by_ref(&state.db, &case_ref).await?.ok_or(AppError::NotFound)?;
    let t = licence_types::store::get(&state.db, &a.type_code).await?.ok_or(AppError::NotFound)?;
    service::staff_read(&state.db, &page.identity.actor(), &origin, &a).await?;
    let docs = store::documents(&state.db, &a.id).await?;
    let problems = service::problems(&state.db, &a)
        .await?
        .into_iter()
        .map(|p| FieldError::new(&p.field, &p.code, &[]).text(page.locale).to_string())
        .collect();
    let form = a.form();
    let fee = money(a.fee_cents);
    render(&StaffShowPage { page, a, t, form, docs, problems, fee })
}

async fn document(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (d, bytes) = service::document(&state, &page.identity.actor(), &origin, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", d.file_name.replace('"', ""));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, d.media_type.clone()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "regulatory/licences/renew.html")]
struct RenewPage {
    page: PageCtx,
    l: Licence,
    t: LicenceType,
    fee: String,
    open: bool,
    new_expiry: String,
    errors: FieldErrors,
    done: bool,
}

async fn renew_view(
    state: &AppState,
    page: PageCtx,
    number: &str,
    errors: Vec<FieldError>,
    done: bool,
    status: StatusCode,
) -> AppResult<Response> {
    let me = page.identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    let l = crate::licences::store::by_number(&state.db, number).await?.ok_or(AppError::NotFound)?;
    let mine = crate::licences::store::of_account(&state.db, &me).await?.iter().any(|x| x.id == l.id);
    if !mine {
        return Err(AppError::NotFound);
    }
    let t = crate::licence_types::store::get(&state.db, &l.type_code).await?.ok_or(AppError::NotFound)?;
    let today = kernel::hk::today();
    let open = super::renewal::renewable(&l, t.definition.renewal_window_days, today);
    let new_expiry = l
        .expires_on
        .parse()
        .map(|e| crate::licences::rules::renewed_expiry(e, today, t.definition.validity_months).to_string())
        .unwrap_or_default();
    let fee = money(t.fees_for("renew").1);
    let errors = FieldErrors::new(page.locale, errors);
    let html = render(&RenewPage { page, l, t, fee, open, new_expiry, errors, done })?;
    Ok((status, html).into_response())
}

async fn renew_page(
    State(state): State<AppState>,
    page: PageCtx,
    Path(number): Path<String>,
    RawQuery(q): RawQuery,
) -> AppResult<Response> {
    let done = q.as_deref() == Some("renewed");
    renew_view(&state, page, &number, vec![], done, StatusCode::OK).await
}

async fn renew(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let me = page.identity.citizen().ok_or(AppError::Unauthorized)?.id.clone();
    match super::renewal::renew(&state, &me, &number, &FakeProvider, &origin).await {
        Ok(_) => Ok(Redirect::to(&format!("/licensing/licences/{number}/renew?renewed")).into_response()),
        Err(SvcError::Refused(code, status)) => {
            renew_view(&state, page, &number, vec![FieldError::new("renew", code, &[])], false, status).await
        }
        Err(e) => Err(e.into()),
    }
}
