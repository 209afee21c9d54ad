//! The web shell: routing, layout, locale, errors, static assets, operations endpoints and
//! the server with graceful shutdown.

pub mod access;
pub mod assets;
pub mod cookie;
pub mod error;
pub mod error_page;
pub mod form;
pub mod guard;
pub mod html;
pub mod openapi;
pub mod ops;
pub mod page;
pub mod paging;
pub mod redirect;
pub mod routes;
pub mod server;
pub mod text;
pub mod url;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use access::{Access, Rule};
pub use error::{AppError, AppResult, FieldError};
pub use form::{FieldErrors, Form};
pub use page::PageCtx;
pub use routes::Routes;

use crate::AppState;
use crate::i18n::Locale;
use access::AccessTable;
use guard::Guard;

/// The locale of a request: the language cookie, else `Accept-Language`, else English.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    for value in headers.get_all(header::COOKIE) {
        if let Ok(s) = value.to_str() {
            for pair in s.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=')
                    && k == Locale::COOKIE
                    && let Some(l) = Locale::parse(v)
                {
                    return l;
                }
            }
        }
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default()
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Locale {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(locale_of(&parts.headers))
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "PHOS API",
        description = "Public Health Operations Suite: JSON API. Errors are RFC 9457 problem+json with a stable `code` and titles in English and Traditional Chinese.",
        license(name = "Apache-2.0")
    ),
    servers((url = "/")),
    components(schemas(error::ProblemBody))
)]
struct ApiDoc;

async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe_request(&method, &route, res.status().as_u16(), start.elapsed().as_secs_f64());
    res
}

/// Builds the whole application: every area's routes, the operations endpoints, the OpenAPI
/// document and the middleware stack, with every route's declared access enforced.
pub fn app(state: AppState, areas: Vec<Routes>) -> Router {
    let mut all = ops::routes().page("/static/{*path}", Access::Public, axum::routing::get(assets::serve)).page(
        "/favicon.ico",
        Access::Public,
        axum::routing::get(assets::favicon),
    );
    all.rules.push(Rule { path: "/api/v1/openapi.json".into(), access: Access::Public });
    for area in areas {
        all = all.merge(area);
    }
    let table = AccessTable::from_rules(&all.rules);
    let _ = state.access.set(table.clone());
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(all.router);
    let (router, doc) = api.split_for_parts();
    let mut doc = serde_json::to_value(&doc).expect("OpenAPI document serialises");
    openapi::complete(&mut doc, &table);
    let methods = openapi::methods(&doc);
    let doc_json = serde_json::to_string_pretty(&doc).expect("OpenAPI document serialises");
    let guard = std::sync::Arc::new(Guard { state: state.clone(), table, methods });
    let x_request_id = HeaderName::from_static("x-request-id");
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
               connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";
    let mut router = router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc_json) }),
        )
        .fallback(|| async { AppError::NotFound })
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(guard, guard::guard))
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")));
    if state.config.tls {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ));
    }
    router
        .layer(middleware::from_fn(error::render_errors))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // The path only: query strings may carry personal data.
                    let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(|res: &Response, latency: Duration, _span: &tracing::Span| {
                    tracing::info!(status = res.status().as_u16(), ms = latency.as_millis() as u64, "response");
                }),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}
