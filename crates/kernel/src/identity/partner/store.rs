//! The partners' SQL (`partner_orgs`, `api_clients`, `api_tokens`), and nothing else.

use sqlx::Row;

use super::Client;
use crate::db::{Db, Tx};
use crate::identity::PartnerIdentity;
use crate::identity::session::{random_token, same_token, token_hash};

/// Registers an organisation (if new) and a pending client. Returns `(client_id, secret)`; the
/// secret is shown once and never stored.
pub async fn register_client(
    tx: &mut Tx,
    org_name: &str,
    org_kind: &str,
    contact_email: &str,
    client_name: &str,
    scopes: &[String],
    rate_limit_per_minute: i64,
) -> sqlx::Result<(String, String)> {
    let now = crate::now_ms();
    sqlx::query("INSERT INTO partner_orgs (id, name, kind, contact_email, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING")
        .bind(crate::new_id())
        .bind(org_name)
        .bind(org_kind)
        .bind(contact_email)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let org_id: String = sqlx::query("SELECT id FROM partner_orgs WHERE name = $1")
        .bind(org_name)
        .fetch_one(&mut **tx)
        .await?
        .try_get("id")?;
    let client_id = format!("phos_{}", &random_token()[..24]);
    let secret = random_token();
    sqlx::query(
        "INSERT INTO api_clients (id, org_id, client_id, secret_hash, name, scopes, status, rate_limit_per_minute, token_ttl_seconds, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, 3600, $8, $8)",
    )
    .bind(crate::new_id())
    .bind(&org_id)
    .bind(&client_id)
    .bind(token_hash(&secret))
    .bind(client_name)
    .bind(scopes.join(" "))
    .bind(rate_limit_per_minute)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok((client_id, secret))
}

/// Approves or revokes a client; revoking also revokes its tokens.
pub async fn set_status(tx: &mut Tx, client_id: &str, status: &str) -> sqlx::Result<bool> {
    let now = crate::now_ms();
    let n = sqlx::query("UPDATE api_clients SET status = $1, updated_at = $2 WHERE client_id = $3")
        .bind(status)
        .bind(now)
        .bind(client_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if status == "revoked" {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(client_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(n == 1)
}

pub async fn clients(db: &Db) -> sqlx::Result<Vec<Client>> {
    let rows = sqlx::query(
        "SELECT c.client_id, c.name, o.name AS org_name, o.kind AS org_kind, c.scopes, c.status, c.rate_limit_per_minute, \
         c.token_ttl_seconds, c.created_at FROM api_clients c JOIN partner_orgs o ON o.id = c.org_id ORDER BY c.created_at DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Client {
                client_id: r.try_get("client_id")?,
                name: r.try_get("name")?,
                org_name: r.try_get("org_name")?,
                org_kind: r.try_get("org_kind")?,
                scopes: r.try_get("scopes")?,
                status: r.try_get("status")?,
                rate_limit_per_minute: r.try_get("rate_limit_per_minute")?,
                token_ttl_seconds: r.try_get("token_ttl_seconds")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// The partner behind a bearer token, if it is live and its client still approved.
pub async fn resolve_token(db: &Db, token: &str) -> sqlx::Result<Option<PartnerIdentity>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT t.client_id, t.scopes, c.org_id, c.rate_limit_per_minute FROM api_tokens t JOIN api_clients c ON c.client_id = t.client_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND c.status = 'approved'",
    )
    .bind(token_hash(token))
    .bind(crate::now_ms())
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        Ok(PartnerIdentity {
            client_id: r.try_get("client_id")?,
            org_id: r.try_get("org_id")?,
            scopes: r.try_get::<String, _>("scopes")?.split(' ').map(str::to_string).collect(),
            rate_limit_per_minute: r.try_get("rate_limit_per_minute")?,
        })
    })
    .transpose()
}

/// RFC 7009 revocation by the client that owns the token. Unknown tokens are not an error.
pub async fn revoke_token(db: &Db, client_id: &str, token: &str) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND client_id = $3 AND revoked_at IS NULL",
    )
    .bind(crate::now_ms())
    .bind(token_hash(token))
    .bind(client_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Checks a client's secret (for revocation requests).
pub async fn authenticate_client(db: &Db, client_id: &str, secret: &str) -> sqlx::Result<bool> {
    let row = sqlx::query("SELECT secret_hash FROM api_clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => same_token(&token_hash(secret), &r.try_get::<String, _>("secret_hash")?),
        None => false,
    })
}

/// What the token endpoint needs to know of a client.
pub struct ClientCredentials {
    pub secret_hash: String,
    /// Granted scopes, space-separated.
    pub scopes: String,
    pub status: String,
    pub token_ttl_seconds: i64,
}

pub async fn client_credentials(db: &Db, client_id: &str) -> sqlx::Result<Option<ClientCredentials>> {
    let row =
        sqlx::query("SELECT secret_hash, scopes, status, token_ttl_seconds FROM api_clients WHERE client_id = $1")
            .bind(client_id)
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| {
        Ok(ClientCredentials {
            secret_hash: r.try_get("secret_hash")?,
            scopes: r.try_get("scopes")?,
            status: r.try_get("status")?,
            token_ttl_seconds: r.try_get("token_ttl_seconds")?,
        })
    })
    .transpose()
}

/// Stores a new access token (by its hash).
pub async fn insert_token(db: &Db, token: &str, client_id: &str, scopes: &str, expires_at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, client_id, scopes, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(token))
    .bind(client_id)
    .bind(scopes)
    .bind(expires_at)
    .bind(crate::now_ms())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The partner calls a client made since `since_ms` (each is in the audit log).
pub async fn calls_since(db: &Db, client_id: &str, since_ms: i64) -> sqlx::Result<i64> {
    sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE actor_type = 'partner' AND actor_id = $1 AND action = 'partner.call' AND at > $2",
    )
    .bind(client_id)
    .bind(since_ms)
    .fetch_one(db.pool())
    .await?
    .try_get("n")
}
