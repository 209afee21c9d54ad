//! Certificate pages: the public verify page (a form to paste a token; no JavaScript) and a
//! licence's printable certificate with its QR code, also as PDF.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{AppResult, PageCtx};

use super::api::{VerifyParams, token_of};
use super::rules::Outcome;
use super::service::{self, Certificate, Verification};

/// One labelled value of a result or a certificate.
struct Row {
    label: String,
    value: String,
    /// The value's language when it differs from the page's (Chinese names on an English page).
    lang: Option<&'static str>,
}

/// A verification as the page shows it.
struct ResultView {
    code: &'static str,
    title: String,
    message: String,
    status_checked: bool,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "regulatory/certificates/verify.html")]
struct VerifyPage {
    page: PageCtx,
    errors: FieldErrors,
    token: String,
    result: Option<ResultView>,
}

fn status_label(page: &PageCtx, status: &str) -> String {
    page.t(&format!("reg-cert-status-{status}"))
}

fn date_label(page: &PageCtx, s: &str) -> String {
    s.parse::<chrono::NaiveDate>().map(|d| page.date_long(&d)).unwrap_or_else(|_| s.to_string())
}

fn row(page: &PageCtx, key: &str, value: String) -> Row {
    Row { label: page.t(key), value, lang: None }
}

fn result_view(page: &PageCtx, v: &Verification) -> ResultView {
    let mut rows = Vec::new();
    if let Some(l) = &v.licence {
        rows.push(row(page, "reg-cert-field-number", l.number.clone()));
        let type_name =
            l.type_name.as_ref().map(|t| t.get(page.locale).to_string()).unwrap_or_else(|| l.type_code.clone());
        rows.push(row(page, "reg-cert-field-type", type_name));
        match (&l.premises_name, &l.premises_address) {
            (Some(n), Some(a)) => {
                rows.push(row(page, "reg-cert-field-premises", n.get(page.locale).to_string()));
                rows.push(row(page, "reg-cert-field-address", a.get(page.locale).to_string()));
            }
            _ => rows.push(row(page, "reg-cert-field-premises-id", l.premises_id.clone())),
        }
        rows.push(row(page, "reg-cert-field-issued-on", date_label(page, &l.issued_on)));
        rows.push(row(page, "reg-cert-field-expires-on", date_label(page, &l.expires_on)));
        if let Some(cur) = l.current_expires_on.as_ref().filter(|c| **c != l.expires_on) {
            rows.push(row(page, "reg-cert-field-current-expires-on", date_label(page, cur)));
        }
        if let Some(s) = &l.status {
            rows.push(row(page, "reg-cert-field-status", status_label(page, s)));
        }
        rows.push(row(page, "reg-cert-field-certificate-issued", page.datetime(&(l.certificate_issued_at * 1000))));
    }
    ResultView {
        code: v.result.code(),
        title: page.t(&format!("reg-cert-title-{}", v.result.code())),
        message: if page.is_zh() { v.message.zh_hant.clone() } else { v.message.en.clone() },
        status_checked: v.status_checked || v.result == Outcome::Forged,
        rows,
    }
}

/// `GET /verify[?token=…]`: the form, and the answer for a token.
pub async fn verify(
    State(state): State<AppState>,
    page: PageCtx,
    Query(q): Query<VerifyParams>,
) -> AppResult<Response> {
    let Some(raw) = q.token.as_deref() else {
        let p = VerifyPage { errors: page.errors(vec![]), token: String::new(), result: None, page };
        return Ok(render(&p)?.into_response());
    };
    let (errors, result) = match token_of(&q) {
        Ok(t) => (vec![], Some(result_view(&page, &service::verify(&state, t, kernel::hk::today()).await?))),
        Err(e) => (vec![e], None),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = VerifyPage { errors: page.errors(errors), token: raw.trim().to_string(), result, page };
    Ok((status, render(&p)?).into_response())
}

#[derive(Template)]
#[template(path = "regulatory/certificates/certificate.html")]
struct CertificatePage {
    page: PageCtx,
    number: String,
    type_en: String,
    type_zh: String,
    ordinance: String,
    rows: Vec<Row>,
    status: String,
    in_force: bool,
    conditions: Vec<(String, String)>,
    qr_svg: String,
    token: String,
    pdf_href: String,
}

/// The QR code of `text` as inline SVG (error correction M).
fn qr_svg(text: &str) -> String {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map(|c| c.render::<qrcode::render::svg::Color>().min_dimensions(220, 220).quiet_zone(true).build())
        .unwrap_or_default()
        .replace("<?xml version=\"1.0\" standalone=\"yes\"?>", "")
}

fn certificate_page(page: PageCtx, c: &Certificate) -> CertificatePage {
    let l = &c.licence;
    let (type_en, type_zh) = c
        .licence_type
        .as_ref()
        .map(|t| (t.name.en.clone(), t.name.zh.clone()))
        .unwrap_or((l.type_code.clone(), l.type_code.clone()));
    let other = if page.is_zh() { "en" } else { "zh-Hant-HK" };
    let both = |page: &PageCtx, key: &str, en: &str, zh: &str| {
        vec![
            Row { label: page.t(key), value: page.pick(en, zh).to_string(), lang: None },
            Row { label: String::new(), value: page.pick(zh, en).to_string(), lang: Some(other) },
        ]
    };
    let mut rows = Vec::new();
    rows.extend(both(&page, "reg-cert-field-licensee", &c.licensee.name_en, &c.licensee.name_zh));
    rows.extend(both(&page, "reg-cert-field-premises", &c.premises.name_en, &c.premises.name_zh));
    rows.extend(both(&page, "reg-cert-field-address", &c.premises.address_en, &c.premises.address_zh));
    rows.push(row(&page, "reg-cert-field-issued-on", date_label(&page, &l.issued_on)));
    rows.push(row(&page, "reg-cert-field-expires-on", date_label(&page, &l.expires_on)));
    if let (Some(reg), Some(num)) = (&l.responsible_register, &l.responsible_number) {
        rows.push(row(&page, "reg-cert-field-responsible", format!("{reg} {num}")));
    }
    CertificatePage {
        number: l.number.clone(),
        type_en,
        type_zh,
        ordinance: c.licence_type.as_ref().map(|t| t.ordinance.clone()).unwrap_or_default(),
        rows,
        status: status_label(&page, &l.status),
        in_force: l.status == "active",
        conditions: c.conditions.iter().map(|t| (t.en.clone(), t.zh.clone())).collect(),
        qr_svg: qr_svg(&c.verify_url),
        token: c.token.clone(),
        pdf_href: format!("/licences/{}/certificate.pdf", kernel::web::url::percent_encode(&l.number)),
        page,
    }
}

/// `GET /licences/{number}/certificate`: the printable certificate (regulatory staff, or the
/// licensee's citizen; 404 for everyone else).
pub async fn certificate(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let c = service::certificate(&state, &identity, &origin, &number, "html").await?;
    Ok(render(&certificate_page(page, &c))?.into_response())
}

/// `GET /licences/{number}/certificate.pdf`: the same certificate as a one-page A4 PDF.
pub async fn certificate_pdf(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(number): Path<String>,
) -> AppResult<Response> {
    let c = service::certificate(&state, &identity, &origin, &number, "pdf").await?;
    let bytes = super::pdf::render(&super::pdf::Sheet::of(&c));
    let disposition = format!("inline; filename=\"licence-{}.pdf\"", super::pdf::ascii(&c.licence.number));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
