//! The `staff_users` SQL, and nothing else.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{INVITE_MS, StaffError, StaffUser, normalise_email};
use crate::db::{Db, Tx};
use crate::identity::{Role, parse_roles, roles_to_string, session};

const COLUMNS: &str =
    "id, email, display_name, roles, scopes, password_hash, status, failed_logins, lockouts, locked_until, created_at";

fn row_to_user(r: &AnyRow) -> sqlx::Result<StaffUser> {
    let roles: String = r.try_get("roles")?;
    Ok(StaffUser {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        roles: parse_roles(&roles).unwrap_or_default(),
        scopes: super::rules::parse_scopes(&r.try_get::<String, _>("scopes")?),
        status: r.try_get("status")?,
        failed_logins: r.try_get("failed_logins")?,
        lockouts: r.try_get("lockouts")?,
        locked_until: r.try_get("locked_until")?,
        created_at: r.try_get("created_at")?,
        password_hash: r.try_get("password_hash")?,
    })
}

/// Creates an account: active with a password, or invited (returns the invitation token).
pub async fn create(
    tx: &mut Tx,
    email: &str,
    display_name: &str,
    roles: &[Role],
    password_hash: Option<String>,
) -> Result<(StaffUser, Option<String>), StaffError> {
    let email = normalise_email(email);
    let now = crate::now_ms();
    let id = crate::new_id();
    let invite = password_hash.is_none().then(session::random_token);
    let status = if password_hash.is_some() { "active" } else { "invited" };
    let inserted = sqlx::query(
        "INSERT INTO staff_users (id, email, display_name, roles, password_hash, status, invite_token_hash, invite_expires_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (email) DO NOTHING",
    )
    .bind(&id)
    .bind(&email)
    .bind(display_name)
    .bind(roles_to_string(roles))
    .bind(&password_hash)
    .bind(status)
    .bind(invite.as_deref().map(session::token_hash))
    .bind(invite.as_ref().map(|_| now + INVITE_MS))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StaffError::Exists);
    }
    let user = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1")))
        .bind(&id)
        .fetch_one(&mut **tx)
        .await?;
    Ok((row_to_user(&user)?, invite))
}

pub async fn by_id(db: &Db, id: &str) -> sqlx::Result<Option<StaffUser>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM staff_users WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_to_user).transpose()
}

pub async fn by_email(db: &Db, email: &str) -> sqlx::Result<Option<StaffUser>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM staff_users WHERE email = $1")))
        .bind(normalise_email(email))
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_to_user).transpose()
}

pub async fn list(db: &Db) -> sqlx::Result<Vec<StaffUser>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM staff_users ORDER BY email")))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_to_user).collect()
}

const MATCHES: &str = "(LOWER(email) LIKE $1 ESCAPE '\\' OR LOWER(display_name) LIKE $1 ESCAPE '\\')";

/// Accounts whose name or e-mail contains `text` (all when empty): one page in a stable order
/// (e-mail, then id), and how many match.
pub async fn search(db: &Db, text: &str, limit: i64, offset: i64) -> sqlx::Result<(Vec<StaffUser>, i64)> {
    let pattern = crate::db::contains_pattern(text);
    let total: i64 =
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM staff_users WHERE {MATCHES}")))
            .bind(&pattern)
            .fetch_one(db.pool())
            .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM staff_users WHERE {MATCHES} ORDER BY email, id LIMIT $2 OFFSET $3"
    )))
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((rows.iter().map(row_to_user).collect::<sqlx::Result<_>>()?, total))
}

/// Ids of the accounts whose name or e-mail contains `text` (for searching the audit log by
/// actor), at most `limit`.
pub async fn ids_matching(db: &Db, text: &str, limit: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM staff_users WHERE {MATCHES} ORDER BY email, id LIMIT $2"
    )))
    .bind(crate::db::contains_pattern(text))
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// `(id, display name, e-mail)` of these accounts (to show names instead of ids).
pub async fn names(db: &Db, ids: &[String]) -> sqlx::Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(crate::db::MAX_BINDS / 2) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT id, display_name, email FROM staff_users WHERE id IN ({})", marks.join(", "));
        let mut q = sqlx::query_as::<_, (String, String, String)>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id);
        }
        out.extend(q.fetch_all(db.pool()).await?);
    }
    Ok(out)
}

/// Where a member of staff works (e.g. `district:KT`, `service_point:<code>`), for areas that
/// limit what staff see to their clinics or districts.
pub async fn scopes_of(db: &Db, id: &str) -> sqlx::Result<Vec<String>> {
    let s: Option<String> =
        sqlx::query_scalar("SELECT scopes FROM staff_users WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(s.map(|s| super::rules::parse_scopes(&s)).unwrap_or_default())
}

pub async fn set_scopes(tx: &mut Tx, id: &str, scopes: &[String]) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE staff_users SET scopes = $1, updated_at = $2 WHERE id = $3")
        .bind(scopes.join(","))
        .bind(crate::now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

pub async fn set_roles(tx: &mut Tx, id: &str, roles: &[Role]) -> sqlx::Result<bool> {
    let n = sqlx::query("UPDATE staff_users SET roles = $1, updated_at = $2 WHERE id = $3")
        .bind(roles_to_string(roles))
        .bind(crate::now_ms())
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Disables or re-enables an account; disabling ends its sessions.
pub async fn set_disabled(tx: &mut Tx, id: &str, disabled: bool) -> sqlx::Result<bool> {
    let sql = if disabled {
        "UPDATE staff_users SET status = 'disabled', updated_at = $1 WHERE id = $2"
    } else {
        "UPDATE staff_users SET status = CASE WHEN password_hash IS NULL THEN 'invited' ELSE 'active' END, \
         failed_logins = 0, locked_until = NULL, updated_at = $1 WHERE id = $2"
    };
    let n = sqlx::query(sql).bind(crate::now_ms()).bind(id).execute(&mut **tx).await?.rows_affected();
    if disabled {
        session::destroy_all_for(tx, id).await?;
    }
    Ok(n == 1)
}

/// Sets the password of an invited account from its invitation token. Returns the account.
pub async fn accept_invite(tx: &mut Tx, token: &str, password_hash: &str) -> sqlx::Result<Option<StaffUser>> {
    let now = crate::now_ms();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE staff_users SET password_hash = $1, status = 'active', invite_token_hash = NULL, invite_expires_at = NULL, updated_at = $2 \
         WHERE invite_token_hash = $3 AND invite_expires_at > $2 AND status = 'invited' RETURNING {COLUMNS}"
    )))
    .bind(password_hash)
    .bind(now)
    .bind(session::token_hash(token))
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(row_to_user).transpose()
}

/// Whether an invitation token is live (for showing the set-password page).
pub async fn invite_is_live(db: &Db, token: &str) -> sqlx::Result<Option<String>> {
    let row = sqlx::query(
        "SELECT email FROM staff_users WHERE invite_token_hash = $1 AND invite_expires_at > $2 AND status = 'invited'",
    )
    .bind(session::token_hash(token))
    .bind(crate::now_ms())
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| r.try_get("email")).transpose()
}

/// A good sign-in: the failure count starts again.
pub async fn clear_failures(db: &Db, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Counts a failed sign-in and locks the account until `lock_until` when it is the
/// `max_failures`-th in a row (one statement, so concurrent failures cannot skip the lock).
/// Returns the failures in a row, counting this one.
pub async fn record_failure(db: &Db, id: &str, max_failures: i64, lock_until: i64) -> sqlx::Result<i64> {
    let row = sqlx::query(
        "UPDATE staff_users SET failed_logins = failed_logins + 1, \
         locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END, \
         lockouts = CASE WHEN failed_logins + 1 >= $1 THEN lockouts + 1 ELSE lockouts END \
         WHERE id = $3 RETURNING failed_logins, locked_until",
    )
    .bind(max_failures)
    .bind(lock_until)
    .bind(id)
    .fetch_one(db.pool())
    .await?;
    row.try_get("failed_logins")
}

/// After a lock-out the count starts again.
pub async fn reset_failures(db: &Db, id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE staff_users SET failed_logins = 0 WHERE id = $1").bind(id).execute(db.pool()).await?;
    Ok(())
}
