//! Certificates' use cases: the signing key (created on first use, rotated, removed), the
//! published keys (cached in the state so that verification works while the database is
//! unreachable), verification, and a licence's certificate for the people allowed to see it.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::i18n::{BTreeTexts, Locale};
use kernel::identity::Identity;
use kernel::web::{AppError, AppResult};
use serde::Serialize;

use super::rules::{self, Current, Outcome};
use super::store::{self, KeyRow};
use super::token::{self, PublicKey, Statement};
use crate::licence_types::{LicenceType, Text};
use crate::licences::Licence;
use crate::premises::{Licensee, Premises};

/// The installation secret (kernel settings) that wraps the private keys.
const WRAP_SECRET: &str = "certificate-keys";
/// How long a verification waits for the database before answering from the token alone.
pub const DB_TIMEOUT: Duration = Duration::from_secs(2);
/// How long the cached published keys are used before they are read again.
const KEYS_TTL: Duration = Duration::from_secs(60);
/// When a token names a kid the cache does not know (a key rotated by another process), the
/// keys are read again at once, but at most once per this interval, so that tokens with made-up
/// kids cannot hammer the database.
const UNKNOWN_KID_RETRY: Duration = Duration::from_secs(1);

/// A published public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublishedKey {
    pub kid: String,
    pub key: [u8; 32],
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl PublishedKey {
    fn public(&self) -> PublicKey {
        PublicKey { kid: self.kid.clone(), key: self.key }
    }
}

fn published_of(rows: Vec<KeyRow>) -> Vec<PublishedKey> {
    rows.into_iter()
        .filter_map(|r| {
            let key: [u8; 32] = hex::decode(&r.public_key).ok()?.try_into().ok()?;
            Some(PublishedKey { kid: r.kid, key, created_at: r.created_at, retired_at: r.retired_at })
        })
        .collect()
}

#[derive(Default)]
struct Cached {
    keys: Vec<PublishedKey>,
    loaded: Option<Instant>,
    /// The last read made for an unknown kid.
    unknown_read: Option<Instant>,
    /// The last read that failed: no other is tried for [`FAILED_BACKOFF`].
    failed: Option<Instant>,
}

/// After a failed read of the keys, answer from the cache without asking for this long.
const FAILED_BACKOFF: Duration = Duration::from_secs(5);

/// The published keys as this process last read them (kept in the state's `ext`). Only a cache:
/// the table is the truth, and every replica reads it again after [`KEYS_TTL`].
#[derive(Default)]
pub struct KeyCache(RwLock<Cached>);

/// The published keys and whether they were just read from the database (false: from the
/// cache, the database being unreachable). `kid`: the key a token names, read again if unknown.
pub async fn published_keys(state: &AppState, kid: Option<&str>) -> AppResult<(Vec<PublishedKey>, bool)> {
    let cache = state.ext.get_or_init(KeyCache::default);
    let (fresh, knows, unknown_ok, backing_off) = {
        let c = cache.0.read().unwrap_or_else(|e| e.into_inner());
        let fresh = c.loaded.is_some_and(|t| t.elapsed() < KEYS_TTL);
        let knows = kid.is_none_or(|k| c.keys.iter().any(|p| p.kid == k));
        let unknown_ok = c.unknown_read.is_none_or(|t| t.elapsed() >= UNKNOWN_KID_RETRY);
        let backing_off = c.failed.is_some_and(|t| t.elapsed() < FAILED_BACKOFF);
        (fresh, knows, unknown_ok, backing_off)
    };
    if (!fresh || (!knows && unknown_ok)) && !backing_off {
        if fresh {
            cache.0.write().unwrap_or_else(|e| e.into_inner()).unknown_read = Some(Instant::now());
        }
        match tokio::time::timeout(DB_TIMEOUT, store::published(&state.db)).await {
            Ok(Ok(rows)) => {
                let keys = published_of(rows);
                let mut c = cache.0.write().unwrap_or_else(|e| e.into_inner());
                c.keys = keys.clone();
                c.loaded = Some(Instant::now());
                c.failed = None;
                return Ok((keys, true));
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "certificate keys: database unreachable, using the cached keys"),
            Err(_) => tracing::warn!("certificate keys: database timed out, using the cached keys"),
        }
        cache.0.write().unwrap_or_else(|e| e.into_inner()).failed = Some(Instant::now());
    }
    let c = cache.0.read().unwrap_or_else(|e| e.into_inner());
    if c.loaded.is_none() {
        return Err(AppError::Unavailable("certificate keys not loaded yet and the database is unreachable".into()));
    }
    Ok((c.keys.clone(), fresh))
}

/// Forgets the cached keys (after a rotation in this process).
pub fn forget_cached_keys(state: &AppState) {
    let cache = state.ext.get_or_init(KeyCache::default);
    *cache.0.write().unwrap_or_else(|e| e.into_inner()) = Cached::default();
}

async fn unwrap_key(db: &kernel::Db, row: &KeyRow) -> anyhow::Result<SigningKey> {
    let secret = kernel::settings::secret(db, WRAP_SECRET).await?;
    let wrapped: [u8; 32] = hex::decode(&row.private_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow::anyhow!("certificate key {} has no private part", row.kid))?;
    let key = SigningKey::from_bytes(&token::wrap_seed(&secret, &row.kid, &wrapped));
    if hex::encode(key.verifying_key().to_bytes()) != row.public_key {
        anyhow::bail!("certificate key {} does not match its public key (was the settings secret changed?)", row.kid);
    }
    Ok(key)
}

async fn new_row(db: &kernel::Db, now: i64) -> anyhow::Result<KeyRow> {
    let secret = kernel::settings::secret(db, WRAP_SECRET).await?;
    let key = token::new_signing_key();
    let public = key.verifying_key().to_bytes();
    let kid = token::kid_of(&public);
    Ok(KeyRow {
        private_key: hex::encode(token::wrap_seed(&secret, &kid, &key.to_bytes())),
        kid,
        public_key: hex::encode(public),
        signing: Some(1),
        created_at: now,
        retired_at: None,
        removed_at: None,
    })
}

/// The key that signs: the newest active one, created (and audited) on first use.
pub async fn signing_key(db: &kernel::Db) -> anyhow::Result<SigningKey> {
    for _ in 0..3 {
        if let Some(row) = store::signing(db).await? {
            return unwrap_key(db, &row).await;
        }
        let row = new_row(db, kernel::now_ms()).await?;
        let mut tx = db.begin().await?;
        if store::insert_signing_if_none(&mut tx, &row).await? {
            kernel::audit::record(
                db,
                &mut tx,
                &Actor::System,
                &Origin::system(),
                Event::new("regulatory.certificate_key.create", "certificate_key", &row.kid),
            )
            .await?;
        }
        tx.commit().await?;
    }
    anyhow::bail!("no certificate signing key could be made")
}

/// Makes a new signing key; the previous one stops signing but stays published.
pub async fn rotate(db: &kernel::Db, actor: &Actor, origin: &Origin) -> anyhow::Result<KeyRow> {
    let row = new_row(db, kernel::now_ms()).await?;
    let mut tx = db.begin().await?;
    let old = store::retire_signing(&mut tx, row.created_at).await?;
    if !store::insert_signing_if_none(&mut tx, &row).await? {
        anyhow::bail!("another key signs already (a rotation at the same moment?); nothing changed");
    }
    let detail = format!("retired {}", old.as_deref().unwrap_or("-"));
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("regulatory.certificate_key.rotate", "certificate_key", &row.kid).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Why a key cannot be removed.
#[derive(Debug, thiserror::Error)]
pub enum RemoveError {
    #[error("no key {0}")]
    NotFound(String),
    #[error("key {0} still signs: rotate first")]
    Signing(String),
    #[error("key {0} was removed already")]
    Removed(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Stops publishing a retired key (its certificates then verify as forged) and forgets its
/// private part.
pub async fn remove(db: &kernel::Db, kid: &str, actor: &Actor, origin: &Origin) -> Result<(), RemoveError> {
    let mut tx = db.begin().await?;
    let row = store::get_in(&mut tx, kid).await?.ok_or_else(|| RemoveError::NotFound(kid.into()))?;
    if row.signing.is_some() {
        return Err(RemoveError::Signing(kid.into()));
    }
    if !store::remove(&mut tx, kid, kernel::now_ms()).await? {
        return Err(RemoveError::Removed(kid.into()));
    }
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("regulatory.certificate_key.remove", "certificate_key", kid),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The public details a verification shows (never the licensee or anything personal).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicLicence {
    pub number: String,
    pub type_code: String,
    /// The licence type's name (from the database, or the built-in types without it).
    pub type_name: Option<Text>,
    pub premises_id: String,
    /// The premises' name and address (only when the database could be asked).
    pub premises_name: Option<Text>,
    pub premises_address: Option<Text>,
    /// YYYY-MM-DD, as certified by the token.
    pub issued_on: String,
    /// YYYY-MM-DD, the last valid day as certified by the token.
    pub expires_on: String,
    /// YYYY-MM-DD, the licence's expiry in the database now (when it could be asked).
    pub current_expires_on: Option<String>,
    /// The licence's status in the database (when it could be asked).
    pub status: Option<String>,
    /// When the certificate was made (seconds since the Unix epoch).
    pub certificate_issued_at: i64,
    /// The key that signed it.
    pub kid: String,
}

/// A verification's answer.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// valid, expired, suspended, revoked or forged.
    pub result: Outcome,
    /// Whether the licence's status was read from the database (false: the answer rests on the
    /// token's signature and dates alone).
    pub status_checked: bool,
    /// Why, for forged (malformed, unknown_key, bad_signature, unknown_licence) and superseded
    /// certificates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    /// The answer in both languages.
    pub message: BTreeTexts,
    /// The licence's public details (none when forged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<PublicLicence>,
}

fn message(result: Outcome, reason: Option<&str>) -> BTreeTexts {
    let key = match reason {
        Some(r) => format!("reg-cert-{}-{}", result.code(), r.replace('_', "-")),
        None => format!("reg-cert-result-{}", result.code()),
    };
    Locale::both::<&str>(&key, &[])
}

fn forged(reason: &'static str, status_checked: bool) -> Verification {
    Verification {
        result: Outcome::Forged,
        status_checked,
        reason: Some(reason),
        message: message(Outcome::Forged, Some(reason)),
        licence: None,
    }
}

/// The licence, its premises and type as the database has them.
type Found = (Licence, Option<Premises>, Option<LicenceType>);

async fn lookup(db: &kernel::Db, number: &str) -> sqlx::Result<Option<Found>> {
    let Some(l) = crate::licences::store::by_number(db, number).await? else { return Ok(None) };
    let p = crate::premises::store::get(db, &l.premises_id).await?;
    let t = crate::licence_types::store::get(db, &l.type_code).await?;
    Ok(Some((l, p, t)))
}

fn day(s: &str) -> Option<NaiveDate> {
    s.parse().ok()
}

/// Verifies a token (`today`: the Hong Kong date).
pub async fn verify(state: &AppState, token_text: &str, today: NaiveDate) -> AppResult<Verification> {
    let kid = token::decode(token_text).ok().map(|(c, _, _)| c.kid);
    let (keys, _) = published_keys(state, kid.as_deref()).await?;
    let public: Vec<PublicKey> = keys.iter().map(PublishedKey::public).collect();
    let checked = match token::verify(token_text, &public, today) {
        Ok(c) => c,
        Err(f) => return Ok(forged(f.code(), false)),
    };
    let s = &checked.claims.statement;
    let found = match tokio::time::timeout(DB_TIMEOUT, lookup(&state.db, &s.number)).await {
        Ok(Ok(Some(found))) => Some(found),
        Ok(Ok(None)) => return Ok(forged("unknown_licence", true)),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "verification: database unreachable, answering from the token alone");
            None
        }
        Err(_) => {
            tracing::warn!("verification: database timed out, answering from the token alone");
            None
        }
    };
    let current = found.as_ref().map(|(l, _, _)| Current {
        status: l.status.as_str(),
        expires_on: day(&l.expires_on).unwrap_or(s.expires_on),
        same_premises_and_type: l.premises_id == s.premises_id && l.type_code == s.type_code,
    });
    let result = rules::outcome(checked.expired, current.as_ref(), today);
    let superseded = current.as_ref().is_some_and(|c| !c.same_premises_and_type)
        && !matches!(current.as_ref().map(|c| c.status), Some("revoked" | "surrendered"));
    let reason = superseded.then_some("superseded");
    let type_name = match &found {
        Some((_, _, Some(t))) => Some(t.name.clone()),
        _ => crate::licence_types::builtin().into_iter().find(|t| t.code == s.type_code).map(|t| t.name),
    };
    let premises = found.as_ref().and_then(|(_, p, _)| p.as_ref());
    let licence = PublicLicence {
        number: s.number.clone(),
        type_code: s.type_code.clone(),
        type_name,
        premises_id: s.premises_id.clone(),
        premises_name: premises.map(|p| Text::new(&p.name_en, &p.name_zh)),
        premises_address: premises.map(|p| Text::new(&p.address_en, &p.address_zh)),
        issued_on: s.issued_on.to_string(),
        expires_on: s.expires_on.to_string(),
        current_expires_on: found.as_ref().map(|(l, _, _)| l.expires_on.clone()),
        status: found.as_ref().map(|(l, _, _)| l.status.clone()),
        certificate_issued_at: s.issued_at,
        kid: checked.claims.kid.clone(),
    };
    Ok(Verification {
        result,
        status_checked: found.is_some(),
        reason,
        message: message(result, reason),
        licence: Some(licence),
    })
}

/// A licence's certificate: what it shows and its signed token.
pub struct Certificate {
    pub licence: Licence,
    pub premises: Premises,
    pub licensee: Licensee,
    pub licence_type: Option<LicenceType>,
    pub conditions: Vec<Text>,
    pub token: String,
    /// The verify page's address with the token: what the QR code holds.
    pub verify_url: String,
}

/// Whether `identity` may see the certificate of a licence held by `licensee`: regulatory staff,
/// or the citizen who acts for the licensee.
pub fn may_see(identity: &Identity, licensee: &Licensee) -> bool {
    if let Some(s) = identity.staff() {
        return s.roles.iter().any(|r| crate::STAFF.contains(r));
    }
    identity.citizen().is_some_and(|c| licensee.account.as_deref() == Some(c.id.as_str()))
}

/// The certificate of licence `number` for `identity` (not found for anyone else). Staff views
/// are audited (`format`: "html" or "pdf").
pub async fn certificate(
    state: &AppState,
    identity: &Identity,
    origin: &Origin,
    number: &str,
    format: &str,
) -> AppResult<Certificate> {
    let db = &state.db;
    let licence = crate::licences::store::by_number(db, number).await?.ok_or(AppError::NotFound)?;
    let licensee = crate::premises::store::licensee(db, &licence.licensee_id).await?.ok_or(AppError::NotFound)?;
    if !may_see(identity, &licensee) {
        return Err(AppError::NotFound);
    }
    let premises = crate::premises::store::get(db, &licence.premises_id).await?.ok_or(AppError::NotFound)?;
    let licence_type = crate::licence_types::store::get(db, &licence.type_code).await?;
    let conditions: Vec<Text> = serde_json::from_str(&licence.conditions).unwrap_or_default();
    let (Some(issued_on), Some(expires_on)) = (day(&licence.issued_on), day(&licence.expires_on)) else {
        return Err(AppError::Internal(anyhow::anyhow!("licence {number} has unreadable dates")));
    };
    let statement = Statement {
        number: licence.number.clone(),
        type_code: licence.type_code.clone(),
        premises_id: licence.premises_id.clone(),
        issued_on,
        expires_on,
        issued_at: kernel::now_ms() / 1000,
    };
    let key = signing_key(db).await?;
    let token = token::sign(&statement, &key).map_err(|e| AppError::Internal(e.into()))?;
    if identity.staff().is_some() {
        let mut event = Event::new("regulatory.certificate.view", "licence", &licence.id).detail(format);
        if licensee.kind == "individual"
            && let Some(account) = licensee.account.as_deref()
        {
            event = event.person(account);
        }
        kernel::audit::record_now(db, &identity.actor(), origin, event).await?;
    }
    let verify_url = format!("{}/verify?token={token}", state.config.base_url());
    Ok(Certificate { licence, premises, licensee, licence_type, conditions, token, verify_url })
}
