//! Staff accounts: creation and invitation, roles, disabling, and sign-in with throttling and
//! temporary lock-out after repeated failures.

pub mod accounts;
pub mod mfa;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

pub use service::attempt_login;
pub use store::{
    accept_invite, by_email, by_id, create, invite_is_live, list, scopes_of, search, set_disabled, set_roles,
};

use super::Role;

/// Failures in a row that lock an account.
pub const MAX_FAILURES: i64 = 5;
/// First lock-out; each further lock-out doubles it, up to a day.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// How long an invitation link works.
pub const INVITE_MS: i64 = 7 * 24 * 3600 * 1000;

#[derive(Clone, Debug)]
pub struct StaffUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// Where the member of staff works: `district:<code>` or `service_point:<code>`.
    pub scopes: Vec<String>,
    pub status: String,
    pub failed_logins: i64,
    pub lockouts: i64,
    pub locked_until: Option<i64>,
    pub created_at: i64,
    password_hash: Option<String>,
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn valid_email(email: &str) -> bool {
    let e = email.trim();
    e.len() <= 254
        && !e.contains(char::is_whitespace)
        && matches!(e.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.contains('@'))
}

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("an account with this e-mail already exists")]
    Exists,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The result of a sign-in attempt.
#[derive(Debug)]
pub enum Login {
    Ok(StaffUser),
    /// Wrong e-mail or password (never says which).
    Rejected,
    /// This failure locked the account until the given time.
    NowLocked {
        user_id: String,
        until: i64,
    },
    /// Already locked: the password was not even checked.
    Locked {
        until: i64,
    },
    Disabled,
}
