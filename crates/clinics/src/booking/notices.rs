//! Telling a person about a change to their booking, in their language, through the outbox, in
//! the transaction of the change: cancelled, moved to another time. The person who made the
//! booking (a caregiver for a dependant) is told; staff at the counter are not, so the person
//! booked for is.

use kernel::AppState;
use kernel::db::Tx;
use kernel::i18n::Locale;
use kernel::notify;

use super::store::{self, BookingView};

/// Queues `template` about booking `b` with the usual values (name, service, clinic, when,
/// reference, link) plus `extra`. Nothing is queued when nobody can be reached.
pub(crate) async fn tell(
    state: &AppState,
    tx: &mut Tx,
    b: &BookingView,
    template: &str,
    extra: &[(&str, &str)],
) -> anyhow::Result<()> {
    let booked_by = store::booked_by_in_tx(tx, &b.reference).await?.unwrap_or_default();
    let Some(c) = kernel::people::contact_in_tx(tx, &booked_by, &b.citizen_id).await? else { return Ok(()) };
    let zh = c.locale == Locale::ZhHant;
    let service = if zh { &b.service_zh } else { &b.service_en };
    let clinic = if zh { &b.point_zh } else { &b.point_en };
    let when = kernel::hk::local_datetime(b.starts_at);
    let link = format!("{}/bookings/{}", state.config.base_url(), b.reference);
    let mut values: Vec<(&str, &str)> = vec![
        ("name", &c.name),
        ("service", service),
        ("clinic", clinic),
        ("when", &when),
        ("reference", &b.reference),
        ("link", &link),
    ];
    values.extend_from_slice(extra);
    let msg =
        notify::Message { channel: c.channel, recipient: &c.recipient, locale: c.locale, template, values: &values };
    notify::enqueue(tx, &msg).await?;
    Ok(())
}
