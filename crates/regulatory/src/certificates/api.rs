//! Certificates' JSON: verification (public, no personal data) and the published keys (JWKS).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use kernel::AppState;
use kernel::web::{AppError, AppResult, FieldError};
use serde::{Deserialize, Serialize};

use super::service::{self, Verification};
use super::token;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyParams {
    /// The token from a certificate (its QR code holds the verify address with it).
    pub token: Option<String>,
}

/// The token of `q`, or the bilingual field error of a missing one.
pub fn token_of(q: &VerifyParams) -> Result<&str, FieldError> {
    match q.token.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => Ok(t),
        _ => Err(FieldError::new("token", "reg_cert_token_required", &[])),
    }
}

/// Verify a licence certificate's token. Answers exactly one of valid, expired, suspended,
/// revoked or forged, with the licence's public details for every answer but forged. When the
/// database cannot be reached, the signature is still checked with the cached published keys
/// and the answer says `"status_checked": false`. A malformed token is forged, not an error.
#[utoipa::path(get, path = "/api/v1/regulatory/verify", tag = "regulatory", params(VerifyParams),
    responses((status = 200, body = Verification), (status = 422, body = kernel::web::error::ProblemBody),
        (status = 503, body = kernel::web::error::ProblemBody)))]
pub async fn verify(State(state): State<AppState>, Query(q): Query<VerifyParams>) -> AppResult<Json<Verification>> {
    let t = token_of(&q).map_err(|e| AppError::Validation(vec![e]))?;
    Ok(Json(service::verify(&state, t, kernel::hk::today()).await?))
}

/// One published key (RFC 8037 OKP).
#[derive(Serialize)]
pub struct Jwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub x: String,
    pub kid: String,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub alg: &'static str,
}

#[derive(Serialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// `GET /.well-known/phos-certificate-keys.json`: the public keys that verify certificate tokens,
/// newest first (served from the cache when the database is unreachable).
pub async fn jwks(State(state): State<AppState>) -> AppResult<impl IntoResponse> {
    let (keys, _) = service::published_keys(&state, None).await?;
    let keys = keys
        .iter()
        .map(|k| Jwk {
            kty: "OKP",
            crv: "Ed25519",
            x: token::jwk_x(&k.key),
            kid: k.kid.clone(),
            use_: "sig",
            alg: "EdDSA",
        })
        .collect();
    Ok((
        [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "public, max-age=300")],
        Json(Jwks { keys }),
    ))
}
