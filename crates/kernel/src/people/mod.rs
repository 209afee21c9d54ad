//! The citizen register: the one module that reads or writes the `citizens` table (and the
//! caregiver links between citizens). Identity (sign-in, profiles, dependants), the directory,
//! the partners' sandbox and the areas ask here instead of querying the table themselves.
//! One documented exception: the session lookup (`identity::session::lookup_with_holder`) joins
//! a citizen's name columns into the one query that every signed-in request runs.

pub mod store;

pub use store::*;

use crate::i18n::Locale;
use crate::notify::Channel;

/// How to reach a citizen: their channel, address, language and display name.
#[derive(Clone, Debug)]
pub struct Contact {
    pub channel: Channel,
    pub recipient: String,
    pub locale: Locale,
    pub name: String,
}

/// How to reach a citizen from their stored columns: the chosen channel when it is on file,
/// their language and display name.
pub fn contact_of(
    email: Option<String>,
    phone: Option<String>,
    chosen: &str,
    preferred_lang: &str,
    en: String,
    zh: String,
) -> Option<Contact> {
    let locale = Locale::parse(preferred_lang).unwrap_or_default();
    // Chinese name for Chinese messages when there is one, else whichever name exists.
    let name = if (locale == Locale::ZhHant && !zh.is_empty()) || en.is_empty() { zh } else { en };
    let to = match (chosen, email, phone) {
        ("sms", _, Some(p)) => Some((Channel::Sms, p)),
        (_, Some(e), _) => Some((Channel::Email, e)),
        (_, None, Some(p)) => Some((Channel::Sms, p)),
        _ => None,
    };
    to.map(|(channel, recipient)| Contact { channel, recipient, locale, name })
}

/// How a citizen is named on pages: both names, either one, else how we reach them.
pub fn display_name(en: &str, zh: &str, email: Option<String>, phone: Option<String>) -> String {
    match (en.is_empty(), zh.is_empty()) {
        (false, false) => format!("{zh} {en}"),
        (false, true) => en.to_string(),
        (true, false) => zh.to_string(),
        (true, true) => email.or(phone).unwrap_or_default(),
    }
}

/// A citizen as stored (personal data: read only through audited paths).
#[derive(Clone, Debug)]
pub struct NewCitizen {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub sex: char,
    pub birth_date: String,
    pub district: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_lang: &'static str,
    pub hkid_masked: Option<String>,
    pub hkid_hmac: Option<String>,
    pub synthetic: bool,
}

/// A citizen's own record.
#[derive(Clone, Debug, Default)]
pub struct Profile {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub birth_date: String,
    pub district: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_lang: String,
    pub contact_channel: String,
    pub hkid_masked: Option<String>,
}

impl Profile {
    pub fn display_name(&self) -> String {
        display_name(&self.name_en, &self.name_zh, self.email.clone(), self.phone.clone())
    }
}

/// Changes to a profile, already validated.
pub struct ProfileUpdate<'a> {
    pub name_en: &'a str,
    pub name_zh: &'a str,
    pub preferred_lang: Locale,
    pub contact_channel: &'a str,
    /// `Some((masked, hmac))` to set an HKID.
    pub hkid: Option<(String, String)>,
    /// `Some("YYYY-MM-DD")` to record or correct the date of birth (self-declared).
    pub birth_date: Option<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Saved,
    HkidTaken,
}

/// A dependant a caregiver may act for, with the consent recorded.
#[derive(Clone, Debug)]
pub struct Dependant {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub relationship: String,
    pub consent_statement: String,
    pub consent_recorded_at: i64,
}

pub const RELATIONSHIPS: [&str; 4] = ["child", "parent", "spouse", "other"];

/// A citizen's two names as stored (either may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    pub en: String,
    pub zh: String,
}

impl Names {
    /// Both names (Chinese first), or whichever exists; empty when neither does.
    pub fn joined(&self) -> String {
        [self.zh.as_str(), self.en.as_str()].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" ")
    }
}

/// What a counter clerk sees of a citizen: names, masked HKID and date of birth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub name_en: String,
    pub name_zh: String,
    pub hkid_masked: Option<String>,
    pub birth_date: String,
}

/// A synthetic citizen as the partners' sandbox shows it (no names, no contacts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntheticCitizen {
    pub id: String,
    pub sex: String,
    pub birth_date: String,
    pub district: String,
    pub preferred_lang: String,
}

/// Which synthetic citizens to list (all conditions optional), by id.
#[derive(Clone, Debug, Default)]
pub struct SyntheticFilter<'a> {
    /// Born on or after this date (`YYYY-MM-DD`).
    pub born_from: Option<&'a str>,
    /// Born on or before this date (`YYYY-MM-DD`).
    pub born_to: Option<&'a str>,
    pub district: Option<&'a str>,
    /// Highest ids first.
    pub descending: bool,
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_contacts() {
        assert_eq!(display_name("Chan Tai Man", "陳大文", None, None), "陳大文 Chan Tai Man");
        assert_eq!(display_name("", "", Some("a@b.hk".into()), Some("+852 9123 4567".into())), "a@b.hk");
        assert_eq!(display_name("", "", None, Some("+852 9123 4567".into())), "+852 9123 4567");
        assert_eq!(Names { en: "Chan".into(), zh: String::new() }.joined(), "Chan");
        assert_eq!(Names { en: "Chan".into(), zh: "陳".into() }.joined(), "陳 Chan");
        let c = contact_of(
            Some("a@b.hk".into()),
            Some("+852 9123 4567".into()),
            "sms",
            "zh-Hant-HK",
            "Chan".into(),
            "陳".into(),
        )
        .unwrap();
        assert_eq!((c.channel, c.recipient.as_str(), c.name.as_str()), (Channel::Sms, "+852 9123 4567", "陳"));
        let c = contact_of(None, Some("+852 9123 4567".into()), "email", "en", "".into(), "陳".into()).unwrap();
        assert_eq!((c.channel, c.name.as_str()), (Channel::Sms, "陳"));
        assert!(contact_of(None, None, "email", "en", "A".into(), "".into()).is_none());
    }
}
