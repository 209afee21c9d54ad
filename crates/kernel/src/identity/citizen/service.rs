//! Citizen use cases: issue a code (with its outbox message, in one transaction), check a code,
//! sign in (finding or registering the citizen), save a profile and register a dependant; each
//! change one transaction with its audit entry.

use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use super::store::{self, NewCode};
use super::{CODE_TTL_MS, Check, Destination, Issue, MAX_ATTEMPTS, MAX_CODES_PER_HOUR, ProfileUpdate, UpdateOutcome};
use crate::audit::{self, Actor, Event, Origin};
use crate::db::{Db, Tx};
use crate::i18n::Locale;
use crate::identity::CitizenIdentity;
use crate::notify;
use crate::people;

fn code_hash(key: &[u8], otp_id: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(otp_id.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Creates a code and queues it to the destination in `locale`, in one transaction.
pub async fn issue_code(db: &Db, key: &[u8], dest: &Destination, locale: Locale) -> anyhow::Result<Issue> {
    let now = crate::now_ms();
    let mut tx = db.begin().await?;
    if store::codes_sent_since(&mut tx, dest.value(), now - 3_600_000).await? >= MAX_CODES_PER_HOUR {
        tx.rollback().await?;
        return Ok(Issue::TooMany);
    }
    let otp_id = crate::new_id();
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let hash = code_hash(key, &otp_id, &code);
    let new = NewCode {
        id: &otp_id,
        channel: dest.channel().code(),
        destination: dest.value(),
        code_hash: &hash,
        expires_at: now + CODE_TTL_MS,
        created_at: now,
    };
    store::insert_code(&mut tx, &new).await?;
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

/// Checks a code. Each try counts, atomically; after `MAX_ATTEMPTS` the code is dead.
pub async fn check_code(db: &Db, key: &[u8], otp_id: &str, code: &str) -> sqlx::Result<Check> {
    let now = crate::now_ms();
    let Some(a) = store::count_attempt(db, otp_id).await? else {
        return Ok(if store::code_exists(db, otp_id).await? { Check::Used } else { Check::Unknown });
    };
    if now >= a.expires_at {
        return Ok(Check::Expired);
    }
    if a.attempts > MAX_ATTEMPTS {
        return Ok(Check::TooManyAttempts);
    }
    let given = code.trim();
    if given.len() != 6 || !crate::identity::session::same_token(&code_hash(key, otp_id, given), &a.code_hash) {
        return Ok(if a.attempts >= MAX_ATTEMPTS {
            Check::TooManyAttempts
        } else {
            Check::Wrong { attempts_left: MAX_ATTEMPTS - a.attempts }
        });
    }
    if !store::consume(db, otp_id, now).await? {
        return Ok(Check::Used);
    }
    Ok(Check::Ok { destination: a.destination, channel: a.channel })
}

/// The citizen with this e-mail or mobile number, created if new. Returns `(id, created)`.
pub async fn find_or_create(
    tx: &mut Tx,
    channel: &str,
    destination: &str,
    locale: Locale,
) -> sqlx::Result<(String, bool)> {
    if let Some(id) = people::find_by_contact(tx, channel, destination).await? {
        return Ok((id, false));
    }
    Ok((people::create_with_contact(tx, channel, destination, locale).await?, true))
}

pub async fn identity(db: &Db, id: &str) -> sqlx::Result<Option<CitizenIdentity>> {
    Ok(people::profile(db, id).await?.map(|p| CitizenIdentity { name: p.display_name(), id: p.id }))
}

/// Signs in the owner of a checked code: finds or registers the citizen and starts a session,
/// audited, in one transaction. Returns `(citizen id, session token, newly registered)`.
pub async fn start_session(
    db: &Db,
    origin: &Origin,
    channel: &str,
    destination: &str,
    locale: Locale,
) -> sqlx::Result<(String, String, bool)> {
    let mut tx = db.begin().await?;
    let (id, created) = find_or_create(&mut tx, channel, destination, locale).await?;
    let token = crate::identity::session::create(&mut tx, "citizen", &id, &origin.ip).await?;
    let action = if created { "citizen.register" } else { "citizen.login" };
    audit::record(db, &mut tx, &Actor::Citizen(id.clone()), origin, Event::new(action, "citizen", &id).person(&id))
        .await?;
    tx.commit().await?;
    Ok((id, token, created))
}

/// Saves a citizen's profile, audited; nothing is written when the HKID belongs to another.
pub async fn save_profile(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    id: &str,
    update: &ProfileUpdate<'_>,
) -> sqlx::Result<UpdateOutcome> {
    let mut tx = db.begin().await?;
    let outcome = people::update_profile(&mut tx, id, update).await?;
    if outcome == UpdateOutcome::HkidTaken {
        tx.rollback().await?;
        return Ok(outcome);
    }
    let detail = if update.hkid.is_some() { "profile and HKID" } else { "profile" };
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("citizen.profile_update", "citizen", id).person(id).detail(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A dependant a caregiver registers, with the consent statement they affirmed.
pub struct NewDependant<'a> {
    pub name: &'a str,
    pub birth_date: &'a str,
    pub relationship: &'a str,
    pub consent_statement: &'a str,
    pub locale: Locale,
}

/// Registers a dependant under a caregiver, audited, in one transaction. Returns its id.
pub async fn register_dependant(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    caregiver_id: &str,
    d: &NewDependant<'_>,
) -> sqlx::Result<String> {
    let mut tx = db.begin().await?;
    let id = people::add_dependant(
        &mut tx,
        caregiver_id,
        d.name,
        d.birth_date,
        d.relationship,
        d.consent_statement,
        d.locale,
    )
    .await?;
    let detail = format!("relationship {}; consent: {}", d.relationship, d.consent_statement);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("citizen.dependant_add", "citizen", &id).person(&id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
