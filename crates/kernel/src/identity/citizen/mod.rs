//! Citizens: sign-in with a one-time code sent to an e-mail address or a Hong Kong mobile
//! number (no passwords), profiles with an optional HKID (validated, stored masked and
//! keyed-hashed), and dependants a caregiver may act for, with the consent recorded. The
//! citizen records themselves live in `crate::people`.

pub mod pages;
pub mod service;
pub mod store;

pub use crate::people::{
    Dependant, Profile, ProfileUpdate, RELATIONSHIPS, UpdateOutcome, add_dependant, can_act_for, dependants,
    display_name, profile, update_profile,
};
pub use service::{NewDependant, check_code, find_or_create, identity, issue_code};

use crate::notify::Channel;

pub const CODE_TTL_MS: i64 = 10 * 60 * 1000;
pub const MAX_ATTEMPTS: i64 = 5;
/// Codes one destination may be sent per hour.
pub const MAX_CODES_PER_HOUR: i64 = 5;

/// Where a code goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    Email(String),
    Mobile(String),
}

impl Destination {
    /// An e-mail address, or a Hong Kong mobile number (8 digits starting 4–9, `+852` optional).
    pub fn parse(input: &str) -> Option<Destination> {
        let s = input.trim();
        if s.contains('@') {
            return super::staff::valid_email(s).then(|| Destination::Email(s.to_lowercase()));
        }
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let local = digits
            .strip_prefix("+852")
            .or_else(|| digits.strip_prefix("852").filter(|d| d.len() == 8))
            .unwrap_or(&digits);
        (local.len() == 8 && local.chars().all(|c| c.is_ascii_digit()) && matches!(local.as_bytes()[0], b'4'..=b'9'))
            .then(|| Destination::Mobile(format!("+852 {} {}", &local[..4], &local[4..])))
    }

    pub fn channel(&self) -> Channel {
        match self {
            Destination::Email(_) => Channel::Email,
            Destination::Mobile(_) => Channel::Sms,
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Destination::Email(v) | Destination::Mobile(v) => v,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Issue {
    Sent { otp_id: String },
    TooMany,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Check {
    Ok { destination: String, channel: String },
    Wrong { attempts_left: i64 },
    Expired,
    TooManyAttempts,
    Used,
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations() {
        assert_eq!(Destination::parse(" Chan@Example.com "), Some(Destination::Email("chan@example.com".into())));
        assert_eq!(Destination::parse("9123 4567"), Some(Destination::Mobile("+852 9123 4567".into())));
        assert_eq!(Destination::parse("+852-6123-4567"), Some(Destination::Mobile("+852 6123 4567".into())));
        assert_eq!(Destination::parse("2123 4567"), None, "a landline cannot receive SMS");
        assert_eq!(Destination::parse("912345"), None);
        assert_eq!(Destination::parse("not an address"), None);
    }
}
