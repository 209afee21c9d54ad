//! Staff multi-factor sign-in: TOTP (RFC 6238) with single-use recovery codes. Required for
//! the roles in [`rules::REQUIRED_FOR`] (such a member of staff enrols during sign-in before
//! reaching anything else), optional for others (from `/staff/account/mfa`). A password-checked
//! sign-in waits in `staff_mfa_challenges` (its own short-lived cookie) until the code is given;
//! only then does a staff session start, so the session guard needs no change.

pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

/// The cookie of a sign-in that waits for its second factor.
pub const CHALLENGE_COOKIE: &str = "phos_mfa";
/// How long a sign-in may wait for its second factor.
pub const CHALLENGE_MS: i64 = 10 * 60 * 1000;
/// Code attempts (right or wrong) per account per five minutes.
pub const MAX_ATTEMPTS: i64 = 10;

/// The outcome of checking a code.
#[derive(Debug)]
pub enum Verdict {
    /// Accepted: the recovery codes to show once (after enrolment), and the new session's
    /// token (when a sign-in was completed).
    Ok {
        recovery_codes: Vec<String>,
        session: Option<String>,
    },
    Wrong,
    /// The code of a step already used.
    Replayed,
    TooMany,
}
