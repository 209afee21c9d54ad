//! Second-factor use cases: enrolment, checking a code at sign-in (rate-limited, no replay,
//! single-use recovery codes), and an administrator's reset; each change one transaction with
//! its audit entry.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{CHALLENGE_MS, MAX_ATTEMPTS, Verdict, rules, store};
use crate::audit::{self, Actor, Event, Origin};
use crate::db::Db;
use crate::identity::session;

/// The stored form of a recovery code: HMAC-SHA-256 under the server's OTP key, bound to the
/// account.
pub fn recovery_hash(key: &[u8], staff_id: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(b"staff-recovery:");
    mac.update(staff_id.as_bytes());
    mac.update(b":");
    mac.update(rules::normalise_code(code).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The secret to enrol with: the pending one, or a new one. `None` when already enrolled.
pub async fn begin_enrolment(db: &Db, staff_id: &str) -> sqlx::Result<Option<String>> {
    let mut tx = db.begin().await?;
    let t = store::begin(&mut tx, staff_id, &rules::new_secret()).await?;
    tx.commit().await?;
    Ok(t.confirmed_at.is_none().then_some(t.secret))
}

/// Whether the account has a confirmed second factor.
pub async fn enrolled(db: &Db, staff_id: &str) -> sqlx::Result<bool> {
    Ok(store::totp(db, staff_id).await?.is_some_and(|t| t.confirmed_at.is_some()))
}

/// Starts a password-checked sign-in that waits for its second factor; returns the token of
/// its cookie.
pub async fn start_challenge(db: &Db, staff_id: &str, next: &str) -> sqlx::Result<String> {
    let token = session::random_token();
    let mut tx = db.begin().await?;
    store::create_challenge(&mut tx, &session::token_hash(&token), staff_id, next, CHALLENGE_MS).await?;
    tx.commit().await?;
    Ok(token)
}

pub async fn challenge(db: &Db, token: &str) -> sqlx::Result<Option<store::Challenge>> {
    if token.len() != 64 {
        return Ok(None);
    }
    store::challenge(db, &session::token_hash(token)).await
}

/// Checks a code (a TOTP, or a recovery code once enrolled), with a limit on attempts per
/// account. On success a pending enrolment is confirmed (and new recovery codes made) and,
/// when `challenge_token` is given, the challenge ends and a staff session starts, all in one
/// transaction with the audit entry.
pub async fn check(
    db: &Db,
    key: &[u8],
    origin: &Origin,
    staff_id: &str,
    code: &str,
    challenge_token: Option<&str>,
) -> sqlx::Result<Verdict> {
    let (hits, _) = crate::ratelimit::hit(db, &format!("mfa:{staff_id}"), 5 * 60 * 1000).await?;
    if hits > MAX_ATTEMPTS {
        return Ok(Verdict::TooMany);
    }
    let Some(t) = store::totp(db, staff_id).await? else { return Ok(Verdict::Wrong) };
    let actor = Actor::Staff(staff_id.to_string());
    let enrolling = t.confirmed_at.is_none();
    let mut tx = db.begin().await?;
    let (ok, action) = if rules::is_recovery_code(code) && !enrolling {
        (store::use_recovery_code(&mut tx, staff_id, &recovery_hash(key, staff_id, code)).await?, "staff.mfa_recovery")
    } else {
        let secret = rules::base32_decode(&t.secret).unwrap_or_default();
        let now_step = rules::step_of(crate::now_ms() / 1000);
        match rules::matching_step(&secret, code, now_step) {
            Some(step) if store::use_step(&mut tx, staff_id, step).await? => {
                (true, if enrolling { "staff.mfa_enrol" } else { "staff.mfa_ok" })
            }
            Some(_) => (false, "staff.mfa_replay"),
            None => (false, "staff.mfa_failed"),
        }
    };
    if !ok {
        tx.rollback().await?;
        audit::record_now(db, &actor, origin, Event::new(action, "staff", staff_id)).await?;
        return Ok(if action == "staff.mfa_replay" { Verdict::Replayed } else { Verdict::Wrong });
    }
    let codes = if enrolling {
        let codes = rules::new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(key, staff_id, c)).collect();
        store::replace_recovery_codes(&mut tx, staff_id, &hashes).await?;
        codes
    } else {
        vec![]
    };
    audit::record(db, &mut tx, &actor, origin, Event::new(action, "staff", staff_id)).await?;
    let session = match challenge_token {
        Some(token) => {
            store::end_challenge(&mut tx, &session::token_hash(token)).await?;
            let s = session::create(&mut tx, "staff", staff_id, &origin.ip).await?;
            audit::record(db, &mut tx, &actor, origin, Event::new("staff.login", "staff", staff_id)).await?;
            Some(s)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(Verdict::Ok { recovery_codes: codes, session })
}

/// An administrator removes a member of staff's second factor (they enrol again), ending
/// their sessions, audited. False when there was nothing to reset.
pub async fn reset(db: &Db, actor: &Actor, origin: &Origin, staff_id: &str) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::reset(&mut tx, staff_id).await? {
        return Ok(false);
    }
    session::destroy_all_for(&mut tx, staff_id).await?;
    audit::record(db, &mut tx, actor, origin, Event::new("staff.mfa_reset", "staff", staff_id)).await?;
    tx.commit().await?;
    Ok(true)
}
