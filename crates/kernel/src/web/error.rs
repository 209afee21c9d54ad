//! Errors: handlers return `AppError`; one middleware turns every error response — ours, axum's
//! extractor rejections, body-limit and panic responses — into RFC 9457 problem+json for APIs or
//! a friendly bilingual page for people. Internals are logged, never shown.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::i18n::{Arg, BTreeTexts, Locale};

/// One invalid field, with a stable code that the catalogue translates (`field-error-<code>`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: BTreeTexts,
}

impl FieldError {
    /// A field error; its arguments are texts, and those that are whole numbers (written as
    /// Rust writes them, e.g. "3", not "007") travel to Fluent as numbers, so that plural
    /// selectors choose ("1 character", "2 characters").
    pub fn new(field: &str, code: &str, args: &[(&'static str, String)]) -> Self {
        let args: Vec<(&'static str, Arg)> = args.iter().map(|(k, v)| (*k, Arg::text_or_count(v))).collect();
        FieldError {
            field: field.into(),
            code: code.into(),
            message: Locale::both(&format!("field-error-{code}"), &args),
        }
    }

    /// The message in `locale`.
    pub fn text(&self, locale: Locale) -> &str {
        if locale == Locale::ZhHant { &self.message.zh_hant } else { &self.message.en }
    }
}

/// The error every handler returns.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A request that cannot be read, with a stable code (e.g. `invalid_encoding`).
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    #[error("invalid fields")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Any status with a stable code (e.g. 403 `csrf_failed`, 401 `invalid_token`).
    #[error("{1}")]
    Code(StatusCode, &'static str),
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("too many requests")]
    TooManyRequests,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// What the renderer needs to know about an error, carried in response extensions.
#[derive(Clone, Debug)]
pub struct Problem {
    pub code: String,
    pub detail: Option<String>,
    pub errors: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, detail, errors) = match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "not_found".to_string(), None, vec![]),
            AppError::BadRequest(d) => (StatusCode::BAD_REQUEST, "bad_request".into(), Some(d), vec![]),
            AppError::Malformed(code) => (StatusCode::BAD_REQUEST, code.to_string(), None, vec![]),
            AppError::Validation(errs) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed".into(), None, errs),
            AppError::Conflict(code) => (StatusCode::CONFLICT, code.to_string(), None, vec![]),
            AppError::Code(status, code) => (status, code.to_string(), None, vec![]),
            AppError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized".into(), None, vec![]),
            AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden".into(), None, vec![]),
            AppError::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests".into(), None, vec![]),
            AppError::Unavailable(d) => {
                (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable".into(), Some(d), vec![])
            }
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal".into(), None, vec![])
            }
        };
        let mut res = status.into_response();
        res.extensions_mut().insert(Problem { code, detail, errors });
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        408 => "request_timeout",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "validation_failed",
        429 => "too_many_requests",
        503 => "service_unavailable",
        s if s >= 500 => "internal",
        _ => "bad_request",
    }
}

/// Whether a request wants machine-readable errors.
pub fn wants_json(path: &str, headers: &HeaderMap) -> bool {
    if path.starts_with("/api/") || path.starts_with("/fhir/") || path.starts_with("/oauth/") || path == "/readyz" {
        return true;
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    (accept.contains("application/json") || accept.contains("application/problem+json"))
        && !accept.contains("text/html")
}

fn already_rendered(res: &Response) -> bool {
    let ct = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    ct.starts_with("text/html")
        || ct.starts_with("application/problem+json")
        || ct.starts_with("application/json")
        || ct.starts_with("application/fhir+json")
        || ct.starts_with("text/event-stream")
}

/// The RFC 9457 body.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable snake_case code for programs.
    pub code: String,
    /// The title in both languages.
    pub titles: BTreeTexts,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Middleware: renders every error response as problem+json or an HTML page.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let json = wants_json(&path, req.headers());
    let locale = super::locale_of(req.headers());
    let request_id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
    let here = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_else(|| "/".into());
    let mut res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let problem = res.extensions_mut().remove::<Problem>();
    if problem.is_none() && already_rendered(&res) {
        return res;
    }
    let problem = match problem {
        Some(p) => p,
        None => {
            // A response from axum or a layer: keep its text as the detail of client errors.
            let body = std::mem::take(res.body_mut());
            let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_string();
            if status.is_server_error() {
                tracing::error!(status = status.as_u16(), "server error response");
            }
            Problem {
                code: code_for_status(status).into(),
                detail: (status.is_client_error() && !text.is_empty()).then_some(text),
                errors: vec![],
            }
        }
    };
    let titles = Locale::both::<Arg>(&format!("error-{}-title", problem.code), &[]);
    let keep = [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE];
    let kept: Vec<_> = keep.iter().filter_map(|h| res.headers().get(h).map(|v| (h.clone(), v.clone()))).collect();
    let mut out = if path.starts_with("/fhir/") {
        fhir_outcome(status, &problem.code, &titles, request_id.as_deref())
    } else if json {
        let body = ProblemBody {
            type_: format!("/problems/{}", problem.code),
            title: match locale {
                Locale::En => titles.en.clone(),
                Locale::ZhHant => titles.zh_hant.clone(),
            },
            status: status.as_u16(),
            detail: problem.detail,
            code: problem.code,
            titles,
            errors: problem.errors,
            request_id,
        };
        let mut r = (status, axum::Json(body)).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        r
    } else {
        let mut page = super::error_page::ErrorPage::new(locale, status.as_u16(), &problem.code, request_id);
        // The header of whoever is signed in (the guard leaves them on the response).
        page.page.here = here;
        page.page.identity = res.extensions_mut().remove::<crate::identity::Identity>().unwrap_or_default();
        page.page.csrf = res.extensions_mut().remove::<super::cookie::CsrfToken>().map(|c| c.0).unwrap_or_default();
        match askama::Template::render(&page) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, "Error / 錯誤").into_response(),
        }
    };
    for (h, v) in kept {
        out.headers_mut().insert(h, v);
    }
    out
}

/// FHIR clients expect an OperationOutcome, so under `/fhir/` the errors that FHIR handlers did not
/// render themselves (refused access, unknown paths and methods, panics) become one: the stable
/// code in `details.coding`, the English title in `details.text` and the Traditional Chinese in
/// its `translation` extension (as the FHIR handlers in `clinics::fhir` do).
fn fhir_outcome(status: StatusCode, code: &str, titles: &BTreeTexts, request_id: Option<&str>) -> Response {
    let issue = match status.as_u16() {
        401 => "login",
        403 => "forbidden",
        404 => "not-found",
        405 | 406 | 415 => "not-supported",
        408 => "timeout",
        409 => "conflict",
        413 => "too-long",
        429 => "throttled",
        400..=499 => "invalid",
        _ => "exception",
    };
    let mut issue = serde_json::json!({
        "severity": "error",
        "code": issue,
        "details": {
            "coding": [{ "system": "https://phos.example/fhir/CodeSystem/error", "code": code }],
            "text": titles.en,
            "_text": { "extension": [{
                "url": "http://hl7.org/fhir/StructureDefinition/translation",
                "extension": [
                    { "url": "lang", "valueCode": "zh-Hant-HK" },
                    { "url": "content", "valueString": titles.zh_hant }
                ]
            }] }
        }
    });
    if let Some(id) = request_id.filter(|id| !id.trim().is_empty()) {
        issue["diagnostics"] = format!("request id {id}").into();
    }
    // `resourceType` first, as FHIR JSON readers expect.
    let body = format!(r#"{{"resourceType":"OperationOutcome","issue":[{issue}]}}"#);
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/fhir+json; charset=utf-8"));
    r
}
