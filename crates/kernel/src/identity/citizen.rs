//! Citizens: sign-in with a one-time code sent to an e-mail address or a Hong Kong mobile
//! number (no passwords), profiles with an optional HKID (validated, stored masked and
//! keyed-hashed), and dependants a caregiver may act for, with the consent recorded.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use sqlx::Row;

use super::CitizenIdentity;
use crate::db::{Db, Tx};
use crate::i18n::Locale;
use crate::notify::{self, Channel};

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

fn code_hash(key: &[u8], otp_id: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(otp_id.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Debug, PartialEq, Eq)]
pub enum Issue {
    Sent { otp_id: String },
    TooMany,
}

/// Creates a code and queues it to the destination in `locale`, in one transaction.
pub async fn issue_code(db: &Db, key: &[u8], dest: &Destination, locale: Locale) -> anyhow::Result<Issue> {
    let now = crate::now_ms();
    let mut tx = db.begin().await?;
    let recent: i64 = sqlx::query("SELECT COUNT(*) AS n FROM citizen_otps WHERE destination = $1 AND created_at > $2")
        .bind(dest.value())
        .bind(now - 3_600_000)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
    if recent >= MAX_CODES_PER_HOUR {
        tx.rollback().await?;
        return Ok(Issue::TooMany);
    }
    let otp_id = crate::new_id();
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    sqlx::query(
        "INSERT INTO citizen_otps (id, channel, destination, code_hash, attempts, expires_at, created_at) VALUES ($1, $2, $3, $4, 0, $5, $6)",
    )
    .bind(&otp_id)
    .bind(dest.channel().code())
    .bind(dest.value())
    .bind(code_hash(key, &otp_id, &code))
    .bind(now + CODE_TTL_MS)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    notify::enqueue(
        &mut tx,
        &notify::Message {
            channel: dest.channel(),
            recipient: dest.value(),
            locale,
            template: "otp",
            values: &[("code", &code), ("minutes", "10")],
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Issue::Sent { otp_id })
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

/// Checks a code. Each try counts, atomically; after `MAX_ATTEMPTS` the code is dead.
pub async fn check_code(db: &Db, key: &[u8], otp_id: &str, code: &str) -> sqlx::Result<Check> {
    let now = crate::now_ms();
    let row = sqlx::query(
        "UPDATE citizen_otps SET attempts = attempts + 1 WHERE id = $1 AND consumed_at IS NULL \
         RETURNING attempts, code_hash, expires_at, destination, channel",
    )
    .bind(otp_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = row else {
        let used =
            sqlx::query("SELECT 1 AS x FROM citizen_otps WHERE id = $1").bind(otp_id).fetch_optional(db.pool()).await?;
        return Ok(if used.is_some() { Check::Used } else { Check::Unknown });
    };
    let attempts: i64 = r.try_get("attempts")?;
    let expires_at: i64 = r.try_get("expires_at")?;
    let stored: String = r.try_get("code_hash")?;
    if now >= expires_at {
        return Ok(Check::Expired);
    }
    if attempts > MAX_ATTEMPTS {
        return Ok(Check::TooManyAttempts);
    }
    let given = code.trim();
    if given.len() != 6 || !super::session::same_token(&code_hash(key, otp_id, given), &stored) {
        return Ok(if attempts >= MAX_ATTEMPTS {
            Check::TooManyAttempts
        } else {
            Check::Wrong { attempts_left: MAX_ATTEMPTS - attempts }
        });
    }
    let won = sqlx::query("UPDATE citizen_otps SET consumed_at = $1 WHERE id = $2 AND consumed_at IS NULL")
        .bind(now)
        .bind(otp_id)
        .execute(db.pool())
        .await?
        .rows_affected();
    if won == 0 {
        return Ok(Check::Used);
    }
    Ok(Check::Ok { destination: r.try_get("destination")?, channel: r.try_get("channel")? })
}

/// The citizen with this e-mail or mobile number, created if new. Returns `(id, created)`.
pub async fn find_or_create(
    tx: &mut Tx,
    channel: &str,
    destination: &str,
    locale: Locale,
) -> sqlx::Result<(String, bool)> {
    let column = if channel == "email" { "email" } else { "phone" };
    let existing = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM citizens WHERE {column} = $1 ORDER BY created_at LIMIT 1"
    )))
    .bind(destination)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(r) = existing {
        return Ok((r.try_get("id")?, false));
    }
    let id = crate::new_id();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, {column}, preferred_lang, contact_channel, synthetic, created_at) \
         VALUES ($1, '', '', 'F', '', '', $2, $3, $4, 0, $5)"
    )))
    .bind(&id)
    .bind(destination)
    .bind(locale.tag())
    .bind(channel)
    .bind(crate::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok((id, true))
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

/// How a citizen is named on pages: both names, either one, else how we reach them.
pub fn display_name(en: &str, zh: &str, email: Option<String>, phone: Option<String>) -> String {
    match (en.is_empty(), zh.is_empty()) {
        (false, false) => format!("{zh} {en}"),
        (false, true) => en.to_string(),
        (true, false) => zh.to_string(),
        (true, true) => email.or(phone).unwrap_or_default(),
    }
}

pub async fn profile(db: &Db, id: &str) -> sqlx::Result<Option<Profile>> {
    let r = sqlx::query(
        "SELECT id, name_en, name_zh, birth_date, district, email, phone, preferred_lang, contact_channel, hkid_masked FROM citizens WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    r.map(|r| {
        Ok(Profile {
            id: r.try_get("id")?,
            name_en: r.try_get("name_en")?,
            name_zh: r.try_get("name_zh")?,
            birth_date: r.try_get("birth_date")?,
            district: r.try_get("district")?,
            email: r.try_get("email")?,
            phone: r.try_get("phone")?,
            preferred_lang: r.try_get("preferred_lang")?,
            contact_channel: r.try_get("contact_channel")?,
            hkid_masked: r.try_get("hkid_masked")?,
        })
    })
    .transpose()
}

pub async fn identity(db: &Db, id: &str) -> sqlx::Result<Option<CitizenIdentity>> {
    Ok(profile(db, id).await?.map(|p| CitizenIdentity { name: p.display_name(), id: p.id }))
}

/// Changes to a profile, already validated.
pub struct ProfileUpdate<'a> {
    pub name_en: &'a str,
    pub name_zh: &'a str,
    pub preferred_lang: Locale,
    pub contact_channel: &'a str,
    /// `Some((masked, hmac))` to set an HKID.
    pub hkid: Option<(String, String)>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Saved,
    HkidTaken,
}

pub async fn update_profile(tx: &mut Tx, id: &str, u: &ProfileUpdate<'_>) -> sqlx::Result<UpdateOutcome> {
    if let Some((_, hmac)) = &u.hkid {
        let taken = sqlx::query("SELECT id FROM citizens WHERE hkid_hmac = $1 AND id <> $2")
            .bind(hmac)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            return Ok(UpdateOutcome::HkidTaken);
        }
    }
    sqlx::query(
        "UPDATE citizens SET name_en = $1, name_zh = $2, preferred_lang = $3, contact_channel = $4, \
         hkid_masked = COALESCE($5, hkid_masked), hkid_hmac = COALESCE($6, hkid_hmac) WHERE id = $7",
    )
    .bind(u.name_en)
    .bind(u.name_zh)
    .bind(u.preferred_lang.tag())
    .bind(u.contact_channel)
    .bind(u.hkid.as_ref().map(|h| h.0.clone()))
    .bind(u.hkid.as_ref().map(|h| h.1.clone()))
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(UpdateOutcome::Saved)
}

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

pub async fn dependants(db: &Db, caregiver_id: &str) -> sqlx::Result<Vec<Dependant>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name_en, c.name_zh, c.birth_date, l.relationship, l.consent_statement, l.consent_recorded_at \
         FROM caregiver_links l JOIN citizens c ON c.id = l.dependant_id \
         WHERE l.caregiver_id = $1 AND l.status = 'active' ORDER BY l.created_at",
    )
    .bind(caregiver_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let en: String = r.try_get("name_en")?;
            let zh: String = r.try_get("name_zh")?;
            Ok(Dependant {
                id: r.try_get("id")?,
                name: if zh.is_empty() {
                    en
                } else if en.is_empty() {
                    zh
                } else {
                    format!("{zh} {en}")
                },
                birth_date: r.try_get("birth_date")?,
                relationship: r.try_get("relationship")?,
                consent_statement: r.try_get("consent_statement")?,
                consent_recorded_at: r.try_get("consent_recorded_at")?,
            })
        })
        .collect()
}

/// Registers a dependant (a new citizen record) under a caregiver with the consent statement
/// the caregiver affirmed. Returns the dependant's id.
pub async fn add_dependant(
    tx: &mut Tx,
    caregiver_id: &str,
    name: &str,
    birth_date: &str,
    relationship: &str,
    consent_statement: &str,
    locale: Locale,
) -> sqlx::Result<String> {
    let now = crate::now_ms();
    let id = crate::new_id();
    let ascii = name.is_ascii();
    sqlx::query(
        "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, preferred_lang, contact_channel, synthetic, created_at) \
         VALUES ($1, $2, $3, 'F', $4, '', $5, 'email', 0, $6)",
    )
    .bind(&id)
    .bind(if ascii { name } else { "" })
    .bind(if ascii { "" } else { name })
    .bind(birth_date)
    .bind(locale.tag())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO caregiver_links (id, caregiver_id, dependant_id, relationship, consent_statement, consent_recorded_at, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $6)",
    )
    .bind(crate::new_id())
    .bind(caregiver_id)
    .bind(&id)
    .bind(relationship)
    .bind(consent_statement)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Whether `caregiver_id` may act for `citizen_id` (themselves, or an active dependant).
pub async fn can_act_for(db: &Db, caregiver_id: &str, citizen_id: &str) -> sqlx::Result<bool> {
    if caregiver_id == citizen_id {
        return Ok(true);
    }
    let r = sqlx::query(
        "SELECT 1 AS x FROM caregiver_links WHERE caregiver_id = $1 AND dependant_id = $2 AND status = 'active'",
    )
    .bind(caregiver_id)
    .bind(citizen_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.is_some())
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
