//! What a verification answers, pure: the token's own verdict combined with the licence's
//! status in the database (when the database could be asked).

use chrono::NaiveDate;
use serde::Serialize;

/// The one answer a verification gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Genuine, in force, not expired.
    Valid,
    /// Genuine, but its expiry date has passed (or the licence lapsed).
    Expired,
    /// Genuine, but the licence is suspended.
    Suspended,
    /// Genuine, but the licence was revoked or surrendered, or this certificate was superseded
    /// (the licence now names other premises or another type).
    Revoked,
    /// Not made by us: malformed, unknown key, bad signature, or no such licence.
    Forged,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::Valid, Outcome::Expired, Outcome::Suspended, Outcome::Revoked, Outcome::Forged];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Expired => "expired",
            Outcome::Suspended => "suspended",
            Outcome::Revoked => "revoked",
            Outcome::Forged => "forged",
        }
    }
}

/// The licence as the database has it now, for a genuine token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Current<'a> {
    /// active, suspended, revoked, surrendered or lapsed.
    pub status: &'a str,
    pub expires_on: NaiveDate,
    /// Whether the licence still names the token's premises and type.
    pub same_premises_and_type: bool,
}

/// The answer for a genuine token (`token_expired`: its own expiry date has passed) given the
/// licence's current state, or `None` when the database could not be asked (the answer then
/// rests on the token alone). The status decides first (revoked, surrendered, suspended, lapsed),
/// then expiry by either date: a renewed licence needs its new certificate.
pub fn outcome(token_expired: bool, current: Option<&Current<'_>>, today: NaiveDate) -> Outcome {
    let Some(c) = current else {
        return if token_expired { Outcome::Expired } else { Outcome::Valid };
    };
    match c.status {
        "revoked" | "surrendered" => Outcome::Revoked,
        _ if !c.same_premises_and_type => Outcome::Revoked,
        "suspended" => Outcome::Suspended,
        "lapsed" => Outcome::Expired,
        _ if token_expired || c.expires_on < today => Outcome::Expired,
        "active" => Outcome::Valid,
        // A status this code does not know is never reported as valid.
        _ => Outcome::Revoked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cur<'a>(status: &'a str, expires: &str) -> Current<'a> {
        Current { status, expires_on: d(expires), same_premises_and_type: true }
    }

    #[test]
    fn without_the_database_the_token_decides() {
        assert_eq!(outcome(false, None, d("2026-06-01")), Outcome::Valid);
        assert_eq!(outcome(true, None, d("2026-06-01")), Outcome::Expired);
    }

    #[test]
    fn the_status_decides_first() {
        let today = d("2026-06-01");
        assert_eq!(outcome(false, Some(&cur("active", "2027-01-01")), today), Outcome::Valid);
        assert_eq!(outcome(false, Some(&cur("suspended", "2027-01-01")), today), Outcome::Suspended);
        assert_eq!(outcome(false, Some(&cur("revoked", "2027-01-01")), today), Outcome::Revoked);
        assert_eq!(outcome(false, Some(&cur("surrendered", "2027-01-01")), today), Outcome::Revoked);
        assert_eq!(outcome(false, Some(&cur("lapsed", "2027-01-01")), today), Outcome::Expired);
        assert_eq!(outcome(true, Some(&cur("revoked", "2027-01-01")), today), Outcome::Revoked);
        assert_eq!(outcome(false, Some(&cur("mystery", "2027-01-01")), today), Outcome::Revoked);
    }

    #[test]
    fn expiry_by_either_date() {
        let today = d("2026-06-01");
        assert_eq!(
            outcome(true, Some(&cur("active", "2027-01-01")), today),
            Outcome::Expired,
            "renewed: old certificate"
        );
        assert_eq!(outcome(false, Some(&cur("active", "2026-05-31")), today), Outcome::Expired);
        assert_eq!(outcome(false, Some(&cur("active", "2026-06-01")), today), Outcome::Valid, "last day still valid");
    }

    #[test]
    fn superseded_certificates_are_revoked() {
        let c = Current { status: "active", expires_on: d("2027-01-01"), same_premises_and_type: false };
        assert_eq!(outcome(false, Some(&c), d("2026-06-01")), Outcome::Revoked);
    }
}
