//! Partners (ventures, universities): organisations, API clients approved by staff, and the
//! OAuth 2.0 client-credentials grant (`api`). Client secrets and tokens are random 256-bit
//! values, stored only as SHA-256 hashes.

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

pub use service::issue_token;
pub use store::{authenticate_client, clients, register_client, resolve_token, revoke_token, set_status};

use serde::Serialize;

/// Scopes a client may be granted.
pub const SCOPES: [&str; 3] = ["sandbox:read", "sandbox:usage", "notifications:write"];
pub const ORG_KINDS: [&str; 4] = ["venture", "university", "ngo", "government"];

#[derive(Clone, Debug, Serialize)]
pub struct Client {
    pub client_id: String,
    pub name: String,
    pub org_name: String,
    pub org_kind: String,
    pub scopes: String,
    pub status: String,
    pub rate_limit_per_minute: i64,
    pub token_ttl_seconds: i64,
    pub created_at: i64,
}

pub fn valid_scopes(list: &str) -> Option<Vec<String>> {
    let scopes: Vec<String> = list.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_string).collect();
    (!scopes.is_empty() && scopes.iter().all(|s| SCOPES.contains(&s.as_str()))).then_some(scopes)
}

/// RFC 6749 §5.2 error codes.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    InvalidClient,
    UnauthorizedClient,
    InvalidScope,
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidClient => "invalid_client",
            TokenError::UnauthorizedClient => "unauthorized_client",
            TokenError::InvalidScope => "invalid_scope",
        }
    }
}

#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}
