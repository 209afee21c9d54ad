//! The client-credentials grant.

use super::{Issued, TokenError, store};
use crate::db::Db;
use crate::identity::session::{random_token, same_token, token_hash};

/// The client-credentials grant: checks the secret and status, narrows scopes on request.
pub async fn issue_token(
    db: &Db,
    client_id: &str,
    secret: &str,
    requested: Option<&str>,
) -> sqlx::Result<Result<Issued, TokenError>> {
    let Some(c) = store::client_credentials(db, client_id).await? else { return Ok(Err(TokenError::InvalidClient)) };
    if !same_token(&token_hash(secret), &c.secret_hash) {
        return Ok(Err(TokenError::InvalidClient));
    }
    if c.status != "approved" {
        return Ok(Err(TokenError::UnauthorizedClient));
    }
    let granted: Vec<String> = c.scopes.split(' ').map(str::to_string).collect();
    let scopes = match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => granted,
        Some(req) => {
            let want: Vec<String> = req.split(' ').filter(|s| !s.is_empty()).map(str::to_string).collect();
            if !want.iter().all(|w| granted.contains(w)) {
                return Ok(Err(TokenError::InvalidScope));
            }
            want
        }
    };
    let ttl = c.token_ttl_seconds;
    let token = random_token();
    store::insert_token(db, &token, client_id, &scopes.join(" "), crate::now_ms() + ttl * 1000).await?;
    Ok(Ok(Issued { access_token: token, expires_in: ttl, scope: scopes.join(" ") }))
}
