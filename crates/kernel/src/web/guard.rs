//! The one middleware that decides: resolve who is calling (bearer token or session cookie),
//! look up the route's declared access, refuse what is not allowed, check CSRF on
//! state-changing requests that cookies authenticate, rate-limit and audit partner calls.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::access::{Access, AccessTable};
use super::cookie::{self, CsrfToken, SessionToken};

use super::error::{AppError, wants_json};
use crate::AppState;
use crate::audit::{self, Origin};
use crate::identity::session::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::identity::{CitizenIdentity, Identity, PartnerIdentity, StaffIdentity, parse_roles, partner};

pub struct Guard {
    pub state: AppState,
    pub table: AccessTable,
    /// The methods each documented API path answers (lower case); pages are not listed.
    pub methods: BTreeMap<String, Vec<String>>,
}

fn is_unguarded_asset(path: &str) -> bool {
    path.starts_with("/static/") || matches!(path, "/favicon.ico" | "/healthz" | "/readyz" | "/metrics")
}

/// Paths where cookie-less, token-less POSTs are expected: OAuth clients and devices
/// authenticate themselves (a cookie never authenticates these routes).
fn csrf_exempt(path: &str) -> bool {
    path.starts_with("/oauth/") || path.starts_with("/api/v1/iot/")
}

/// Who a session cookie belongs to: the session and its staff member or citizen in one query
/// (this runs on every signed-in request).
async fn resolve_session(state: &AppState, token: &str) -> sqlx::Result<Option<(Identity, String)>> {
    let Some(found) = session::lookup_with_holder(&state.db, token).await? else { return Ok(None) };
    let s = found.session;
    let identity = match (s.kind.as_str(), found.holder) {
        ("staff", session::Holder::Staff(email, display_name, roles, status)) if status == "active" => {
            Identity::Staff(StaffIdentity {
                id: s.subject_id.clone(),
                email,
                display_name,
                roles: parse_roles(&roles).unwrap_or_default(),
            })
        }
        ("staff", _) => return Ok(None),
        (_, session::Holder::Citizen(name)) => Identity::Citizen(CitizenIdentity { id: s.subject_id.clone(), name }),
        _ => return Ok(None),
    };
    let Some(s) = session::live(&state.db, s).await? else { return Ok(None) };
    Ok(Some((identity, s.id_hash)))
}

fn login_redirect(access: Access, here: &str) -> Response {
    let login = if matches!(access, Access::Citizen) { "/signin" } else { "/staff/login" };
    Redirect::to(&format!("{login}?next={}", super::url::percent_encode(here))).into_response()
}

fn bearer_challenge(mut res: Response, error: Option<&str>) -> Response {
    let v = match error {
        Some(e) => format!("Bearer realm=\"phos\", error=\"{e}\""),
        None => "Bearer realm=\"phos\"".into(),
    };
    if let Ok(v) = HeaderValue::from_str(&v) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    res
}

async fn provided_csrf(req: Request, limit: usize) -> Result<(Request, Option<String>), Response> {
    if let Some(v) = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_multipart = content_type.starts_with("multipart/form-data");
    if !is_form && !is_multipart {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return Err(StatusCode::PAYLOAD_TOO_LARGE.into_response()),
    };
    if is_multipart {
        // A file upload form: the token is its `csrf` part (which the form puts first).
        let token = multipart_csrf(&content_type, bytes.clone()).await;
        return Ok((Request::from_parts(parts, Body::from(bytes)), token));
    }
    let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The `csrf` part of a multipart body, if it has one.
async fn multipart_csrf(content_type: &str, bytes: axum::body::Bytes) -> Option<String> {
    use axum::extract::FromRequest;
    let req = Request::builder().header(header::CONTENT_TYPE, content_type).body(Body::from(bytes)).ok()?;
    let mut form = axum::extract::Multipart::from_request(req, &()).await.ok()?;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// 405 with `Allow` for a method an API path does not answer, before any sign-in or CSRF check
/// (which would otherwise answer 401 or 403 for a request that can never succeed).
fn method_not_allowed(g: &Guard, path: &str, method: &Method) -> Option<Response> {
    let allowed = g.methods.get(path)?;
    let m = method.as_str();
    let answers = |name: &str| allowed.iter().any(|a| a.eq_ignore_ascii_case(name));
    if answers(m) || (method == Method::HEAD && answers("get")) {
        return None;
    }
    let mut res = AppError::Code(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").into_response();
    if let Ok(v) = HeaderValue::from_str(&allowed.iter().map(|a| a.to_ascii_uppercase()).collect::<Vec<_>>().join(", "))
    {
        res.headers_mut().insert(header::ALLOW, v);
    }
    Some(res)
}

/// Who is calling: a partner's bearer token or a session cookie.
struct Caller {
    identity: Identity,
    /// The session's id hash, to which the CSRF token is bound.
    binding: Option<String>,
    bearer: bool,
}

/// Step 1: who is calling. A bad bearer token is refused at once.
async fn identify(state: &AppState, req: &mut Request) -> Result<Caller, Response> {
    let auth = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(token) = auth.as_deref().and_then(|a| a.strip_prefix("Bearer ")).map(str::trim) {
        return match partner::resolve_token(&state.db, token).await {
            Ok(Some(p)) => Ok(Caller { identity: Identity::Partner(p), binding: None, bearer: true }),
            Ok(None) => Err(bearer_challenge(
                AppError::Code(StatusCode::UNAUTHORIZED, "invalid_token").into_response(),
                Some("invalid_token"),
            )),
            Err(e) => Err(AppError::from(e).into_response()),
        };
    }
    let mut caller = Caller { identity: Identity::Anonymous, binding: None, bearer: false };
    if let Some(token) = cookie::value(req.headers(), SESSION_COOKIE) {
        match resolve_session(state, &token).await {
            Ok(Some((id, hash))) => {
                caller.identity = id;
                caller.binding = Some(hash);
                req.extensions_mut().insert(SessionToken(token));
            }
            Ok(None) => {}
            Err(e) => return Err(AppError::from(e).into_response()),
        }
    }
    Ok(caller)
}

/// Step 2: what the route allows. Refusals: a bearer challenge for partner routes, sign-in for
/// anonymous people, 403 (audited) for everyone else.
async fn authorise(
    g: &Guard,
    path: &str,
    identity: &Identity,
    origin: &Origin,
    json: bool,
    method: &Method,
    uri: &axum::http::Uri,
) -> Result<(), Response> {
    let Some(access) = g.table.0.get(path).copied() else {
        return Err(AppError::Internal(anyhow::anyhow!("route {path} has no declared access; it refuses everyone"))
            .into_response());
    };
    // Device routes check the device's own key in the handler.
    if access == Access::Device || identity.allows(access) {
        return Ok(());
    }
    Err(match (identity, access) {
        (Identity::Anonymous, Access::Partner(_)) => bearer_challenge(AppError::Unauthorized.into_response(), None),
        (Identity::Partner(_), Access::Partner(_)) => bearer_challenge(
            AppError::Code(StatusCode::FORBIDDEN, "insufficient_scope").into_response(),
            Some("insufficient_scope"),
        ),
        (Identity::Anonymous, _) if json => AppError::Unauthorized.into_response(),
        (Identity::Anonymous, _) => login_redirect(access, uri.path_and_query().map(|p| p.as_str()).unwrap_or("/")),
        _ => {
            let _ = audit::record_now(
                &g.state.db,
                &identity.actor(),
                origin,
                audit::Event::new("access.denied", "route", path).detail(method.as_str()),
            )
            .await;
            AppError::Forbidden.into_response()
        }
    })
}

/// The value the CSRF token is bound to: the session, else the CSRF cookie, else a new one
/// (returned second, to be set on the response).
fn csrf_binding(req: &Request, session_binding: Option<String>) -> (String, Option<String>) {
    if let Some(b) = session_binding {
        return (b, None);
    }
    match cookie::value(req.headers(), CSRF_COOKIE).filter(|v| v.len() == 64) {
        Some(v) => (v, None),
        None => {
            let v = session::random_token();
            (v.clone(), Some(v))
        }
    }
}

/// Step 3: state-changing requests that a cookie could have authenticated need the token.
async fn check_csrf(state: &AppState, req: Request, expected: &str) -> Result<Request, Response> {
    let (req, provided) = provided_csrf(req, state.config.max_body_bytes).await?;
    if !provided.is_some_and(|p| session::same_token(&p, expected)) {
        return Err(AppError::Code(StatusCode::FORBIDDEN, "csrf_failed").into_response());
    }
    Ok(req)
}

/// Step 4: partners get a per-client rate limit, and every call is audited.
async fn meter_partner(
    state: &AppState,
    p: &PartnerIdentity,
    identity: &Identity,
    origin: &Origin,
    path: &str,
    detail: &str,
) -> Result<(), Response> {
    match crate::ratelimit::hit(&state.db, &format!("client:{}", p.client_id), 60_000).await {
        Ok((hits, reset_ms)) if hits > p.rate_limit_per_minute => {
            let mut res = AppError::TooManyRequests.into_response();
            let secs = (reset_ms + 999) / 1000;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
            return Err(res);
        }
        Ok(_) => {}
        Err(e) => return Err(AppError::from(e).into_response()),
    }
    audit::record_now(
        &state.db,
        &identity.actor(),
        origin,
        audit::Event::new("partner.call", "route", path).detail(detail),
    )
    .await
    .map(|_| ())
    .map_err(|e| AppError::from(e).into_response())
}

fn origin_of(req: &Request) -> Origin {
    Origin {
        request_id: req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-").to_string(),
        ip: req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "-".into()),
    }
}

/// Error responses carry who is signed in (and the page's CSRF token, for the header's sign-out
/// form), so that the error page outside the guard shows that person's header.
fn signed_in(mut res: Response, identity: &Identity, csrf: &str) -> Response {
    if res.status().is_client_error() || res.status().is_server_error() {
        res.extensions_mut().insert(identity.clone());
        res.extensions_mut().insert(CsrfToken(csrf.to_string()));
    }
    res
}

pub async fn guard(State(g): State<Arc<Guard>>, mut req: Request, next: Next) -> Response {
    let state = &g.state;
    let uri_path = req.uri().path().to_string();
    let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let json = wants_json(&uri_path, req.headers());
    let origin = origin_of(&req);
    if is_unguarded_asset(&uri_path) {
        return next.run(req).await;
    }
    if let Some(res) = matched.as_deref().and_then(|p| method_not_allowed(&g, p, req.method())) {
        return res;
    }
    let caller = match identify(state, &mut req).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let identity = caller.identity;
    let (binding, new_csrf_cookie) = csrf_binding(&req, caller.binding);
    let expected = session::csrf_token(&state.keys.csrf, &binding);
    if let Some(path) = matched.as_deref() {
        let (method, uri) = (req.method().clone(), req.uri().clone());
        if let Err(res) = authorise(&g, path, &identity, &origin, json, &method, &uri).await {
            return signed_in(res, &identity, &expected);
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !caller.bearer && !csrf_exempt(&uri_path) && matched.is_some() {
        req = match check_csrf(state, req, &expected).await {
            Ok(r) => r,
            Err(res) => return signed_in(res, &identity, &expected),
        };
    }
    if let (Identity::Partner(p), Some(path)) = (&identity, matched.as_deref()) {
        let detail = format!("{} {}", req.method(), uri_path);
        if let Err(res) = meter_partner(state, p, &identity, &origin, path, &detail).await {
            return res;
        }
    }
    req.extensions_mut().insert(identity.clone());
    req.extensions_mut().insert(CsrfToken(expected.clone()));
    req.extensions_mut().insert(origin);
    let mut res = signed_in(next.run(req).await, &identity, &expected);
    if let Some(v) = new_csrf_cookie
        && let Ok(h) = HeaderValue::from_str(&cookie::set_cookie(CSRF_COOKIE, &v, None, state.config.tls))
    {
        res.headers_mut().append(header::SET_COOKIE, h);
    }
    res
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Identity {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Identity>().cloned().unwrap_or_default())
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Origin>().cloned().unwrap_or_default())
    }
}
