//! Two-way reminders: 24 hours and 2 hours before an appointment each person is sent links to
//! confirm or cancel. Links carry a signed token (HMAC of reference, answer and expiry), so they
//! work without signing in but cannot be forged or reused after the appointment.

use super::store;
use hmac::{Hmac, Mac};
use kernel::AppState;
use kernel::jobs::{JobCtx, JobError};
use kernel::notify;
use sha2::Sha256;

pub const REMIND_JOB: &str = "clinics.send-reminders";

/// The signature of an answer link.
pub fn sign(key: &[u8], reference: &str, answer: &str, expires_ms: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("booking-answer:{reference}:{answer}:{expires_ms}").as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[derive(Debug, PartialEq, Eq)]
pub enum LinkError {
    Forged,
    Expired,
}

impl LinkError {
    pub fn code(&self) -> &'static str {
        match self {
            LinkError::Forged => "link_forged",
            LinkError::Expired => "link_expired",
        }
    }
}

/// Checks a link's signature and expiry.
pub fn check(
    key: &[u8],
    reference: &str,
    answer: &str,
    expires_ms: i64,
    sig: &str,
    now_ms: i64,
) -> Result<(), LinkError> {
    if !matches!(answer, "yes" | "no")
        || !kernel::identity::session::same_token(&sign(key, reference, answer, expires_ms), sig)
    {
        return Err(LinkError::Forged);
    }
    if now_ms >= expires_ms {
        return Err(LinkError::Expired);
    }
    Ok(())
}

/// The answer links of a booking, valid until the appointment starts.
pub fn links(state: &AppState, reference: &str, starts_at: i64) -> (String, String) {
    let base = state.config.base_url();
    let key = &state.keys.csrf;
    let link = |answer: &str| {
        format!(
            "{base}/bookings/{reference}/answer?a={answer}&exp={starts_at}&sig={}",
            sign(key, reference, answer, starts_at)
        )
    };
    (link("yes"), link("no"))
}

/// Sends the reminders that are due: 24 hours ahead (sent when less than 24 h and more than 2 h
/// remain) and 2 hours ahead. Each is sent once; the marker is set in the same transaction.
pub async fn send_due(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let state = &ctx.state;
    let now = kernel::now_ms();
    let mut sent = 0;
    for (column, lead_ms, floor_ms, template) in [
        ("reminded_24h_at", 24 * 3_600_000i64, 2 * 3_600_000i64, "clinic-reminder-24h"),
        ("reminded_2h_at", 2 * 3_600_000, 0, "clinic-reminder-2h"),
    ] {
        let rows = store::due_reminders(&state.db, column, now + floor_ms, now + lead_ms).await?;
        for r in rows {
            let store::DueReminder { reference, starts_at, booked_by, citizen_id: citizen, .. } = &r;
            let (reference, starts_at) = (reference.clone(), *starts_at);
            let contact = kernel::people::contact(&state.db, booked_by, citizen).await?;
            let mut tx = state.db.begin().await?;
            let won = store::mark_reminded(&mut tx, column, &reference, now).await?;
            if won && let Some(kernel::people::Contact { channel, recipient, locale, .. }) = contact {
                let zh = locale == kernel::i18n::Locale::ZhHant;
                let svc = if zh { r.service_zh.clone() } else { r.service_en.clone() };
                let clinic = if zh { r.point_zh.clone() } else { r.point_en.clone() };
                let when = kernel::hk::local_datetime(starts_at);
                // "today" or "tomorrow" as of when the message goes out (after the quiet hours).
                let day = kernel::hk::day_word(locale, starts_at, notify::after_quiet_hours(now));
                let (yes, no) = links(state, &reference, starts_at);
                notify::enqueue_polite(
                    &mut tx,
                    &notify::Message {
                        channel,
                        recipient: &recipient,
                        locale,
                        template,
                        values: &[
                            ("service", &svc),
                            ("clinic", &clinic),
                            ("when", &when),
                            ("day", &day),
                            ("reference", &reference),
                            ("yes", &yes),
                            ("no", &no),
                        ],
                    },
                )
                .await?;
                sent += 1;
            }
            tx.commit().await?;
        }
    }
    if sent > 0 {
        state.wake_worker();
        tracing::info!(sent, "booking reminders queued");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_signed_and_expire() {
        let key = b"k";
        let sig = sign(key, "DH-AAAA-BBBB", "no", 1_000);
        assert_eq!(check(key, "DH-AAAA-BBBB", "no", 1_000, &sig, 999), Ok(()));
        assert_eq!(check(key, "DH-AAAA-BBBB", "no", 1_000, &sig, 1_000), Err(LinkError::Expired));
        assert_eq!(check(key, "DH-AAAA-BBBB", "yes", 1_000, &sig, 0), Err(LinkError::Forged), "answer changed");
        assert_eq!(check(key, "DH-AAAA-CCCC", "no", 1_000, &sig, 0), Err(LinkError::Forged), "other booking");
        assert_eq!(check(key, "DH-AAAA-BBBB", "no", 9_000, &sig, 0), Err(LinkError::Forged), "expiry extended");
        assert_eq!(check(b"other", "DH-AAAA-BBBB", "no", 1_000, &sig, 0), Err(LinkError::Forged));
        assert_eq!(check(key, "DH-AAAA-BBBB", "maybe", 1_000, &sig, 0), Err(LinkError::Forged));
    }
}
