//! OAuth 2.0 for partners (RFC 6749 client credentials, RFC 7009 revocation) and the partner
//! sandbox API: synthetic citizens, and each client's own usage.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use crate::AppState;
use crate::audit::Origin;
use crate::identity::Identity;
use crate::identity::partner::{self, TokenError};
use crate::people;
use crate::web::{Access, AppError, AppResult, FieldError, Form, Routes};

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    #[schema(required = true, pattern = "^client_credentials$")]
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// Space-separated subset of the client's scopes.
    pub scope: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
}

/// An RFC 6749 §5.2 error that is also RFC 9457 problem+json.
fn oauth_error(status: StatusCode, error: &'static str, description: &str) -> Response {
    let titles = crate::i18n::Locale::both::<crate::i18n::Arg>(&format!("error-{error}-title"), &[]);
    let body = serde_json::json!({
        "type": format!("/problems/{error}"),
        "title": titles.en,
        "titles": titles,
        "status": status.as_u16(),
        "code": error,
        "error": error,
        "error_description": description,
    });
    let mut res = (status, Json(body)).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    res
}

/// Client id and secret from HTTP Basic or the form.
fn client_credentials(headers: &HeaderMap, form: &TokenRequest) -> Option<(String, String)> {
    if let Some(basic) =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Basic "))
        && let Some(decoded) = decode_base64(basic.trim())
        && let Some((id, secret)) = decoded.split_once(':')
    {
        return Some((id.to_string(), secret.to_string()));
    }
    Some((form.client_id.clone()?, form.client_secret.clone()?))
}

/// The text of a standard (RFC 4648) base64 value, as HTTP Basic credentials carry.
fn decode_base64(s: &str) -> Option<String> {
    // Padding is optional: some clients leave it out.
    let bytes = base64::engine::general_purpose::STANDARD_NO_PAD.decode(s.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()
}

/// Issue an access token (client credentials grant).
#[utoipa::path(post, path = "/oauth/token", tag = "partners",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenResponse), (status = 400), (status = 401), (status = 429)))]
pub async fn token(
    State(state): State<AppState>,
    origin: Origin,
    headers: HeaderMap,
    Form(f): Form<TokenRequest>,
) -> AppResult<Response> {
    let (hits, _) = crate::ratelimit::hit(&state.db, &format!("token-ip:{}", origin.ip), 60_000).await?;
    if hits > 120 {
        return Err(AppError::TooManyRequests);
    }
    if f.grant_type.as_deref() != Some("client_credentials") {
        return Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        ));
    }
    let Some((client_id, secret)) = client_credentials(&headers, &f) else {
        return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication is required"));
    };
    if client_id.len() > 100 || secret.len() > 200 || f.scope.as_deref().is_some_and(|s| s.len() > 500) {
        return Ok(oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "a parameter is too long"));
    }
    match partner::issue_token(&state.db, &client_id, &secret, f.scope.as_deref()).await? {
        Ok(issued) => {
            crate::audit::record_now(
                &state.db,
                &crate::audit::Actor::Partner(client_id.clone()),
                &origin,
                crate::audit::Event::new("partner.token", "api_client", &client_id).detail(&issued.scope),
            )
            .await?;
            let mut res = Json(TokenResponse {
                access_token: issued.access_token,
                token_type: "Bearer",
                expires_in: issued.expires_in,
                scope: issued.scope,
            })
            .into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
            Ok(res)
        }
        Err(TokenError::InvalidClient) => {
            Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret"))
        }
        Err(TokenError::UnauthorizedClient) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "the client is not approved, or was revoked",
        )),
        Err(TokenError::InvalidScope) => Ok(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "a requested scope was not granted to this client",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RevokeRequest {
    pub token: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Revoke an access token (RFC 7009).
#[utoipa::path(post, path = "/oauth/revoke", tag = "partners",
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200), (status = 401)))]
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<RevokeRequest>,
) -> AppResult<Response> {
    let creds = TokenRequest {
        grant_type: None,
        client_id: f.client_id.clone(),
        client_secret: f.client_secret.clone(),
        scope: None,
    };
    let Some((client_id, secret)) = client_credentials(&headers, &creds) else {
        return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication is required"));
    };
    if !partner::authenticate_client(&state.db, &client_id, &secret).await? {
        return Ok(oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client or wrong secret"));
    }
    partner::revoke_token(&state.db, &client_id, f.token.trim()).await?;
    Ok(StatusCode::OK.into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most 1000 (default 100).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A synthetic citizen as the sandbox shows it: no names, contacts or identity numbers.
#[derive(Serialize, ToSchema)]
pub struct SandboxCitizen {
    pub id: String,
    pub sex: String,
    pub birth_year: i64,
    pub district: String,
    pub preferred_lang: String,
}

/// Synthetic citizens for partners building and testing services (scope `sandbox:read`).
#[utoipa::path(get, path = "/api/v1/sandbox/citizens", tag = "partners", params(PageQuery),
    responses((status = 200, body = [SandboxCitizen]), (status = 401), (status = 403), (status = 429)))]
pub async fn sandbox_citizens(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> AppResult<Json<Vec<SandboxCitizen>>> {
    let limit = q.limit.unwrap_or(100);
    let offset = q.offset.unwrap_or(0);
    if !(1..=1000).contains(&limit) || offset < 0 {
        return Err(AppError::Validation(vec![FieldError::new("limit", "out_of_range", &[])]));
    }
    let out = people::synthetic_page(&state.db, limit, offset)
        .await?
        .into_iter()
        .map(|c| SandboxCitizen {
            birth_year: c.birth_date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0),
            id: c.id,
            sex: c.sex,
            district: c.district,
            preferred_lang: c.preferred_lang,
        })
        .collect();
    Ok(Json(out))
}

#[derive(Serialize, ToSchema)]
pub struct Usage {
    pub client_id: String,
    pub rate_limit_per_minute: i64,
    /// API calls in the last 24 hours.
    pub calls_last_24h: i64,
}

/// The calling client's own usage (scope `sandbox:usage`).
#[utoipa::path(get, path = "/api/v1/sandbox/usage", tag = "partners",
    responses((status = 200, body = Usage), (status = 401), (status = 403)))]
pub async fn usage(State(state): State<AppState>, identity: Identity) -> AppResult<Json<Usage>> {
    let Identity::Partner(p) = identity else { return Err(AppError::Unauthorized) };
    let since = crate::now_ms() - 24 * 3600 * 1000;
    let calls = partner::store::calls_since(&state.db, &p.client_id, since).await?;
    Ok(Json(Usage { client_id: p.client_id, rate_limit_per_minute: p.rate_limit_per_minute, calls_last_24h: calls }))
}

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(token))
        .api(Access::Public, routes!(revoke))
        .api(Access::Partner("sandbox:read"), routes!(sandbox_citizens))
        .api(Access::Partner("sandbox:usage"), routes!(usage))
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64() {
        assert_eq!(super::decode_base64("cGhvc19hYmM6czNjcmV0").as_deref(), Some("phos_abc:s3cret"));
        assert_eq!(super::decode_base64("!!"), None);
        assert_eq!(super::decode_base64("cGhvc19hYmM6czNjcmV0MQ==").as_deref(), Some("phos_abc:s3cret1"));
        assert_eq!(super::decode_base64("cGhvc19hYmM6czNjcmV0MQ").as_deref(), Some("phos_abc:s3cret1"));
    }
}
