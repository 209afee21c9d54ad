//! Two-way reminders: 24 hours and 2 hours before an appointment each person is sent links to
//! confirm or cancel. Links carry a signed token (HMAC of reference, answer and expiry), so they
//! work without signing in but cannot be forged or reused after the appointment.

use hmac::{Hmac, Mac};
use kernel::AppState;
use kernel::jobs::{JobCtx, JobError};
use kernel::notify;
use sha2::Sha256;
use sqlx::Row;

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
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT b.reference, b.booked_by, b.citizen_id, t.starts_at, s.name_en, s.name_zh, p.name_en AS p_en, p.name_zh AS p_zh \
             FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN clinic_services s ON s.code = b.service \
             JOIN service_points p ON p.code = b.service_point \
             WHERE b.status = 'booked' AND b.{column} IS NULL AND t.starts_at > $1 AND t.starts_at <= $2 LIMIT 500"
        )))
        .bind(now + floor_ms)
        .bind(now + lead_ms)
        .fetch_all(state.db.pool())
        .await?;
        for r in rows {
            let reference: String = r.try_get("reference")?;
            let starts_at: i64 = r.try_get("starts_at")?;
            let booked_by: String = r.try_get("booked_by")?;
            let citizen: String = r.try_get("citizen_id")?;
            let contact = kernel::directory::contact(&state.db, &booked_by, &citizen).await?;
            let mut tx = state.db.begin().await?;
            let won = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE clinic_bookings SET {column} = $1 WHERE reference = $2 AND {column} IS NULL AND status = 'booked'"
            )))
            .bind(now)
            .bind(&reference)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if won && let Some(kernel::directory::Contact { channel, recipient, locale, .. }) = contact {
                let zh = locale == kernel::i18n::Locale::ZhHant;
                let svc: String = r.try_get(if zh { "name_zh" } else { "name_en" })?;
                let clinic: String = r.try_get(if zh { "p_zh" } else { "p_en" })?;
                let when = chrono::DateTime::from_timestamp_millis(starts_at)
                    .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                let (yes, no) = links(state, &reference, starts_at);
                notify::enqueue(
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
