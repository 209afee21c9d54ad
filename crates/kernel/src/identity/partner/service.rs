//! Partner use cases: register a client, approve or revoke it (each one transaction with its
//! audit entry), and the client-credentials grant.

use super::{Issued, TokenError, store};
use crate::audit::{self, Actor, Event, Origin};
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

/// An organisation's new API client, as staff register it.
pub struct NewClient<'a> {
    pub org_name: &'a str,
    pub org_kind: &'a str,
    pub contact_email: &'a str,
    pub client_name: &'a str,
    pub scopes: &'a [String],
    pub rate_limit_per_minute: i64,
}

/// Registers the organisation (if new) and a pending client, audited. Returns `(client_id,
/// secret)`; the secret is shown once and never stored.
pub async fn register(db: &Db, actor: &Actor, origin: &Origin, c: &NewClient<'_>) -> sqlx::Result<(String, String)> {
    let mut tx = db.begin().await?;
    let (client_id, secret) = store::register_client(
        &mut tx,
        c.org_name,
        c.org_kind,
        c.contact_email,
        c.client_name,
        c.scopes,
        c.rate_limit_per_minute,
    )
    .await?;
    audit::record(db, &mut tx, actor, origin, Event::new("partner.register", "api_client", &client_id)).await?;
    tx.commit().await?;
    Ok((client_id, secret))
}

/// Approves (`approved`) or revokes (`revoked`) a client, audited. False when there is no such
/// client.
pub async fn change_status(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    client_id: &str,
    status: &str,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::set_status(&mut tx, client_id, status).await? {
        return Ok(false);
    }
    audit::record(db, &mut tx, actor, origin, Event::new(&format!("partner.{status}"), "api_client", client_id))
        .await?;
    tx.commit().await?;
    Ok(true)
}
