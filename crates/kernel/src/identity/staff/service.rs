//! Staff sign-in: the password check with throttling and lock-out.

use super::{LOCKOUT_MS, Login, MAX_FAILURES, store};
use crate::db::Db;
use crate::identity::password;

/// Checks a password, counting failures and locking the account after `MAX_FAILURES` in a row.
pub async fn attempt_login(db: &Db, email: &str, password: &str) -> sqlx::Result<Login> {
    let now = crate::now_ms();
    let Some(user) = store::by_email(db, email).await? else {
        password::verify_async(password.to_string(), password::DUMMY_HASH.clone()).await;
        return Ok(Login::Rejected);
    };
    if let Some(until) = user.locked_until.filter(|u| *u > now) {
        return Ok(Login::Locked { until });
    }
    let Some(hash) = user.password_hash.clone() else {
        password::verify_async(password.to_string(), password::DUMMY_HASH.clone()).await;
        return Ok(Login::Rejected);
    };
    let ok = password::verify_async(password.to_string(), hash).await;
    if ok && user.status == "disabled" {
        return Ok(Login::Disabled);
    }
    if ok && user.status == "active" {
        store::clear_failures(db, &user.id).await?;
        return Ok(Login::Ok(user));
    }
    let lock_ms = (LOCKOUT_MS << user.lockouts.min(6)).min(24 * 3600 * 1000);
    let failures = store::record_failure(db, &user.id, MAX_FAILURES, now + lock_ms).await?;
    if failures >= MAX_FAILURES {
        store::reset_failures(db, &user.id).await?;
        return Ok(Login::NowLocked { user_id: user.id, until: now + lock_ms });
    }
    Ok(Login::Rejected)
}
