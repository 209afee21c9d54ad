//! Staff passwords per NIST SP 800-63B: at least 15 characters (passwords are the only factor),
//! at most 128, any characters, no composition rules, and not a known common or breached
//! password (a bundled list of 30,000, from the MIT-licensed zxcvbn project). Hashed with argon2id.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_LEN: usize = 15;
pub const MAX_LEN: usize = 128;

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../../data/common-passwords.txt").lines().collect());

/// Why a password is refused; `code()` is the i18n/field-error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    TooShort,
    TooLong,
    Common,
    TooSimple,
    ContainsEmail,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::TooShort => "password_too_short",
            Problem::TooLong => "password_too_long",
            Problem::Common => "password_common",
            Problem::TooSimple => "password_too_simple",
            Problem::ContainsEmail => "password_contains_email",
        }
    }
}

/// Checks a new password for the account `email`.
pub fn check(password: &str, email: &str) -> Result<(), Problem> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(Problem::TooShort);
    }
    if len > MAX_LEN {
        return Err(Problem::TooLong);
    }
    let lower = password.to_lowercase();
    if COMMON.contains(lower.as_str()) || COMMON.contains(lower.trim_end_matches(|c: char| c.is_ascii_digit())) {
        return Err(Problem::Common);
    }
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 5 {
        return Err(Problem::TooSimple);
    }
    let local = email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 4 && lower.contains(&local) {
        return Err(Problem::ContainsEmail);
    }
    Ok(())
}

/// An argon2id PHC string.
pub fn hash(password: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok()).unwrap_or(false)
}

/// Hashing costs tens of milliseconds of CPU: run it off the async threads.
pub async fn hash_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash(&password)).await.expect("hashing task")
}

pub async fn verify_async(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &phc)).await.unwrap_or(false)
}

/// A valid hash of a random password, verified against when the account does not exist, so
/// that a wrong e-mail and a wrong password take the same time.
pub static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash("no-such-account-placeholder-secret"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nist_rules() {
        assert_eq!(check("short-pass", "a@x.hk"), Err(Problem::TooShort));
        assert_eq!(check(&"x".repeat(129), "a@x.hk"), Err(Problem::TooLong));
        assert_eq!(check("password1234567890", "a@x.hk"), Err(Problem::Common), "common word plus digits");
        assert_eq!(check("aaaaaaaaaaaaaaaaaaaa", "a@x.hk"), Err(Problem::TooSimple));
        assert_eq!(check("chan.taiman-is-my-password", "chan.taiman@dh.gov.hk"), Err(Problem::ContainsEmail));
        assert_eq!(check("harbour lights at dusk 7", "chan@dh.gov.hk"), Ok(()));
        assert_eq!(check("港島海旁的燈光在黃昏時份亮起來了啊", "chan@dh.gov.hk"), Ok(()), "any characters");
    }

    #[test]
    fn common_passwords_are_refused() {
        // Long entries of the bundled list are refused even when they pass the length rule.
        let long_common =
            COMMON.iter().find(|p| p.chars().count() >= MIN_LEN && p.chars().collect::<HashSet<_>>().len() >= 5);
        let p = long_common.expect("the list has long entries");
        assert_eq!(check(p, "a@x.hk"), Err(Problem::Common), "{p}");
        assert!(COMMON.len() >= 29_000);
    }

    #[test]
    fn hashes_verify() {
        let h = hash("harbour lights at dusk 7");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("harbour lights at dusk 7", &h));
        assert!(!verify("harbour lights at dusk 8", &h));
        assert!(!verify("x", "not a hash"));
    }
}
