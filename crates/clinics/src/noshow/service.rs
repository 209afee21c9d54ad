//! Applying the no-show policy (`noshow`): a person's standing from their unexcused no-shows,
//! the notice they get when staff record one, and excusing one on appeal.

use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::db::Tx;
use kernel::notify;

use super::NoShow;
use super::rules::{self, Standing};
use super::store;

/// The standing of a person now.
pub async fn standing_of(db: &kernel::Db, citizen_id: &str) -> sqlx::Result<Standing> {
    let times: Vec<i64> = store::no_shows_of(db, citizen_id)
        .await?
        .into_iter()
        .filter(|n| n.excused_at.is_none())
        .map(|n| n.starts_at)
        .collect();
    Ok(rules::standing(&times, kernel::now_ms()))
}

/// Inside the transaction that recorded a no-show: tells the person their standing (a warning,
/// or the lower ballot priority and until when), in their language.
pub async fn notify_no_show(tx: &mut Tx, citizen_id: &str) -> anyhow::Result<Standing> {
    let times = store::unexcused_no_show_times(tx, citizen_id).await?;
    let standing = rules::standing(&times, kernel::now_ms());
    let template = match standing {
        Standing::Good => return Ok(standing),
        Standing::Warned { .. } => "clinic-no-show-warning",
        Standing::Penalised { .. } => "clinic-no-show-penalty",
    };
    let Some(contact) = kernel::people::contact_in_tx(tx, citizen_id, citizen_id).await? else {
        return Ok(standing);
    };
    let until = match standing {
        Standing::Penalised { until, .. } => chrono::DateTime::from_timestamp_millis(until)
            .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let count = match standing {
        Standing::Warned { count } | Standing::Penalised { count, .. } => count.to_string(),
        Standing::Good => "0".into(),
    };
    notify::enqueue(
        tx,
        &notify::Message {
            channel: contact.channel,
            recipient: &contact.recipient,
            locale: contact.locale,
            template,
            values: &[("name", &contact.name), ("count", &count), ("until", &until)],
        },
    )
    .await?;
    Ok(standing)
}

/// Excuses a no-show on appeal (a clinic manager, with a reason); it stops counting at once.
pub async fn excuse(
    state: &AppState,
    reference: &str,
    reason: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<bool> {
    let db = &state.db;
    let Some(citizen_id) = store::citizen_of_booking(db, reference).await? else { return Ok(false) };
    let mut tx = db.begin().await?;
    if !store::excuse_no_show(&mut tx, reference, actor.id(), reason).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("booking.no_show_excused", "booking", reference).person(&citizen_id).detail(reason),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A person's no-show record as staff see it.
pub struct Record {
    pub name_en: String,
    pub name_zh: String,
    pub standing: Standing,
    pub no_shows: Vec<NoShow>,
}

/// Staff open a person's no-show record (audited as a read of personal data).
pub async fn record_of(
    state: &AppState,
    citizen_id: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<Option<Record>> {
    let Some(kernel::people::Names { en: name_en, zh: name_zh }) = kernel::people::names(&state.db, citizen_id).await?
    else {
        return Ok(None);
    };
    let no_shows = store::no_shows_of(&state.db, citizen_id).await?;
    let standing = standing_of(&state.db, citizen_id).await?;
    audit::record_now(
        &state.db,
        actor,
        origin,
        Event::new("noshow.view", "citizen", citizen_id).person(citizen_id).purpose("no-show policy"),
    )
    .await?;
    Ok(Some(Record { name_en, name_zh, standing, no_shows }))
}
