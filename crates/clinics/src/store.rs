//! SQL for the clinics area: one function per query.

use chrono::NaiveDate;
use kernel::db::{Db, Tx, values_placeholders};
use kernel::hk::calendar::Calendar;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::booking::Refusal;
use crate::model::{Booking, Service, Session, Slot};

fn row_service(r: &AnyRow) -> sqlx::Result<Service> {
    Ok(Service {
        code: r.try_get("code")?,
        point_kind: r.try_get("point_kind")?,
        name_en: r.try_get("name_en")?,
        name_zh: r.try_get("name_zh")?,
        eligibility_en: r.try_get("eligibility_en")?,
        eligibility_zh: r.try_get("eligibility_zh")?,
        min_notice_minutes: r.try_get("min_notice_minutes")?,
        max_reschedules: r.try_get("max_reschedules")?,
        min_age: r.try_get("min_age")?,
        max_age: r.try_get("max_age")?,
    })
}

pub async fn services(db: &Db) -> sqlx::Result<Vec<Service>> {
    let rows = sqlx::query("SELECT * FROM clinic_services ORDER BY code").fetch_all(db.pool()).await?;
    rows.iter().map(row_service).collect()
}

pub async fn service(db: &Db, code: &str) -> sqlx::Result<Option<Service>> {
    let r = sqlx::query("SELECT * FROM clinic_services WHERE code = $1").bind(code).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_service).transpose()
}

/// Services offered at a service point (by its kind).
pub async fn services_at(db: &Db, point_kind: &str) -> sqlx::Result<Vec<Service>> {
    let rows = sqlx::query("SELECT * FROM clinic_services WHERE point_kind = $1 ORDER BY code")
        .bind(point_kind)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_service).collect()
}

fn row_session(r: &AnyRow) -> sqlx::Result<Session> {
    Ok(Session {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        service: r.try_get("service")?,
        weekday: r.try_get("weekday")?,
        start_time: r.try_get("start_time")?,
        end_time: r.try_get("end_time")?,
        slot_minutes: r.try_get("slot_minutes")?,
        capacity: r.try_get("capacity")?,
        pool_walkin: r.try_get("pool_walkin")?,
        pool_elderly: r.try_get("pool_elderly")?,
        valid_from: r.try_get("valid_from")?,
        valid_to: r.try_get("valid_to")?,
    })
}

pub async fn insert_session(tx: &mut Tx, s: &Session, created_by: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_sessions (id, service_point, service, weekday, start_time, end_time, slot_minutes, capacity, \
         pool_walkin, pool_elderly, valid_from, valid_to, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&s.id)
    .bind(&s.service_point)
    .bind(&s.service)
    .bind(s.weekday)
    .bind(&s.start_time)
    .bind(&s.end_time)
    .bind(s.slot_minutes)
    .bind(s.capacity)
    .bind(s.pool_walkin)
    .bind(s.pool_elderly)
    .bind(&s.valid_from)
    .bind(&s.valid_to)
    .bind(created_by)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn sessions_at(db: &Db, point: &str) -> sqlx::Result<Vec<Session>> {
    let rows =
        sqlx::query("SELECT * FROM clinic_sessions WHERE service_point = $1 ORDER BY service, weekday, start_time")
            .bind(point)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(row_session).collect()
}

/// Creates the slots of every session (or of one) for days in `[from, to]`; existing slots are
/// kept as they are. Returns how many were created.
pub async fn generate_slots(db: &Db, only_session: Option<&str>, from: NaiveDate, to: NaiveDate) -> sqlx::Result<u64> {
    let rows = sqlx::query(
        "SELECT s.*, p.district FROM clinic_sessions s JOIN service_points p ON p.code = s.service_point \
         WHERE ($1 IS NULL OR s.id = $1)",
    )
    .bind(only_session)
    .fetch_all(db.pool())
    .await?;
    let tz = kernel::hk::tz();
    let from_ms = from
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let closures = kernel::hk::store::closures_between(db, from_ms, i64::MAX).await?;
    let calendar = Calendar::hong_kong(&closures);
    let mut values: Vec<(String, Session, String, crate::schedule::PlannedSlot)> = vec![];
    for r in &rows {
        let s = row_session(r)?;
        let district: String = r.try_get("district")?;
        for p in crate::schedule::expand(&s, &district, from, to, &calendar) {
            values.push((kernel::new_id(), s.clone(), district.clone(), p));
        }
    }
    let mut created = 0;
    let mut tx = db.begin().await?;
    for chunk in values.chunks(300) {
        let sql = format!(
            "INSERT INTO clinic_slots (id, session_id, service_point, service, district, day, starts_at, ends_at, capacity, \
             pool_walkin, pool_elderly, booked, booked_elderly, status) VALUES {} ON CONFLICT (session_id, starts_at) DO NOTHING",
            values_placeholders(chunk.len(), 14)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, s, district, p) in chunk {
            q = q
                .bind(id)
                .bind(&s.id)
                .bind(&s.service_point)
                .bind(&s.service)
                .bind(district)
                .bind(p.day.to_string())
                .bind(p.starts_at)
                .bind(p.ends_at)
                .bind(s.capacity)
                .bind(s.pool_walkin)
                .bind(s.pool_elderly)
                .bind(0i64)
                .bind(0i64)
                .bind("open");
        }
        created += q.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(created)
}

const SLOT_COLUMNS: &str = "id, service_point, service, day, starts_at, ends_at, capacity, pool_walkin, pool_elderly, booked, booked_elderly, status";

fn row_slot(r: &AnyRow) -> sqlx::Result<Slot> {
    Ok(Slot {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        service: r.try_get("service")?,
        day: r.try_get("day")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        capacity: r.try_get("capacity")?,
        pool_walkin: r.try_get("pool_walkin")?,
        pool_elderly: r.try_get("pool_elderly")?,
        booked: r.try_get("booked")?,
        booked_elderly: r.try_get("booked_elderly")?,
        status: r.try_get("status")?,
    })
}

/// Open slots of a service at a service point starting in `[from, to)`.
pub async fn slots(db: &Db, point: &str, service: &str, from: i64, to: i64) -> sqlx::Result<Vec<Slot>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE service_point = $1 AND service = $2 AND starts_at >= $3 AND starts_at < $4 \
         ORDER BY starts_at"
    )))
    .bind(point)
    .bind(service)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_slot).collect()
}

pub async fn slot(db: &Db, id: &str) -> sqlx::Result<Option<Slot>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_slot).transpose()
}

pub async fn slots_on_day(db: &Db, point: &str, day: &str) -> sqlx::Result<Vec<Slot>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE service_point = $1 AND day = $2 ORDER BY starts_at, service"
    )))
    .bind(point)
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_slot).collect()
}

/// Takes one place in a slot, if there is room: the elderly pool first for people aged 65+,
/// else the general pool. One conditional statement each, so no slot is ever overbooked.
/// Returns the pool used.
pub async fn take_place(
    tx: &mut Tx,
    slot_id: &str,
    elderly: bool,
    earliest_start: i64,
) -> sqlx::Result<Option<&'static str>> {
    if elderly {
        let r = sqlx::query(
            "UPDATE clinic_slots SET booked = booked + 1, booked_elderly = booked_elderly + 1 \
             WHERE id = $1 AND status = 'open' AND starts_at >= $2 AND booked_elderly < pool_elderly AND booked < capacity - pool_walkin",
        )
        .bind(slot_id)
        .bind(earliest_start)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Some("elderly"));
        }
    }
    let r = sqlx::query(
        "UPDATE clinic_slots SET booked = booked + 1 \
         WHERE id = $1 AND status = 'open' AND starts_at >= $2 AND booked - booked_elderly < capacity - pool_walkin - pool_elderly",
    )
    .bind(slot_id)
    .bind(earliest_start)
    .execute(&mut **tx)
    .await?;
    Ok((r.rows_affected() == 1).then_some("general"))
}

/// Gives a place back to its pool.
pub async fn release_place(tx: &mut Tx, slot_id: &str, pool: &str) -> sqlx::Result<()> {
    let sql = if pool == "elderly" {
        "UPDATE clinic_slots SET booked = booked - 1, booked_elderly = booked_elderly - 1 WHERE id = $1 AND booked_elderly > 0"
    } else {
        "UPDATE clinic_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0"
    };
    sqlx::query(sql).bind(slot_id).execute(&mut **tx).await?;
    Ok(())
}

/// The booking row; a unique violation means the person already has an active booking for the
/// service.
pub async fn insert_booking(
    tx: &mut Tx,
    slot: &Slot,
    citizen_id: &str,
    booked_by: &str,
    channel: &str,
    pool: &str,
) -> Result<Booking, Refusal> {
    let now = kernel::now_ms();
    let b = Booking {
        id: kernel::new_id(),
        reference: crate::booking::new_reference(),
        slot_id: slot.id.clone(),
        service: slot.service.clone(),
        service_point: slot.service_point.clone(),
        citizen_id: citizen_id.into(),
        status: "booked".into(),
        channel: channel.into(),
        reschedules: 0,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
    };
    let r = sqlx::query(
        "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
         reschedules, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'booked', 0, $10, $10)",
    )
    .bind(&b.id)
    .bind(&b.reference)
    .bind(&b.slot_id)
    .bind(&b.service)
    .bind(&b.service_point)
    .bind(citizen_id)
    .bind(booked_by)
    .bind(channel)
    .bind(pool)
    .bind(now)
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(b),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(Refusal::AlreadyBooked),
        Err(e) => {
            tracing::error!(error = %e, "inserting a booking failed");
            Err(Refusal::SlotClosed)
        }
    }
}

/// A booking with what pages show about it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BookingView {
    pub reference: String,
    pub status: String,
    pub citizen_id: String,
    pub citizen_name: String,
    pub service: String,
    pub service_en: String,
    pub service_zh: String,
    pub point: String,
    pub point_en: String,
    pub point_zh: String,
    pub address_en: String,
    pub address_zh: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub reschedules: i64,
    pub pool: String,
    pub channel: String,
}

const VIEW_SQL: &str = "SELECT b.reference, b.status, b.citizen_id, c.name_en AS c_en, c.name_zh AS c_zh, \
    COALESCE(c.email, c.phone, '') AS c_contact, b.service, \
    s.name_en AS s_en, s.name_zh AS s_zh, b.service_point, p.name_en AS p_en, p.name_zh AS p_zh, p.address_en, p.address_zh, \
    b.slot_id, t.starts_at, b.reschedules, b.pool, b.channel \
    FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN clinic_services s ON s.code = b.service \
    JOIN service_points p ON p.code = b.service_point JOIN citizens c ON c.id = b.citizen_id";

fn row_view(r: &AnyRow) -> sqlx::Result<BookingView> {
    let en: String = r.try_get("c_en")?;
    let zh: String = r.try_get("c_zh")?;
    Ok(BookingView {
        reference: r.try_get("reference")?,
        status: r.try_get("status")?,
        citizen_id: r.try_get("citizen_id")?,
        citizen_name: match (en.is_empty(), zh.is_empty()) {
            (false, false) => format!("{zh} {en}"),
            (true, true) => r.try_get("c_contact")?,
            (true, false) => zh,
            (false, true) => en,
        },
        service: r.try_get("service")?,
        service_en: r.try_get("s_en")?,
        service_zh: r.try_get("s_zh")?,
        point: r.try_get("service_point")?,
        point_en: r.try_get("p_en")?,
        point_zh: r.try_get("p_zh")?,
        address_en: r.try_get("address_en")?,
        address_zh: r.try_get("address_zh")?,
        slot_id: r.try_get("slot_id")?,
        starts_at: r.try_get("starts_at")?,
        reschedules: r.try_get("reschedules")?,
        pool: r.try_get("pool")?,
        channel: r.try_get("channel")?,
    })
}

pub async fn booking_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<BookingView>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{VIEW_SQL} WHERE b.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_view).transpose()
}

/// Bookings of a caregiver and the people they act for, soonest first.
pub async fn bookings_of(db: &Db, caregiver: &str) -> sqlx::Result<Vec<BookingView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{VIEW_SQL} WHERE b.citizen_id = $1 OR b.citizen_id IN \
         (SELECT dependant_id FROM caregiver_links WHERE caregiver_id = $1 AND status = 'active') ORDER BY t.starts_at"
    )))
    .bind(caregiver)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_view).collect()
}

pub async fn bookings_in_slots(db: &Db, point: &str, day: &str) -> sqlx::Result<Vec<BookingView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{VIEW_SQL} WHERE b.service_point = $1 AND t.day = $2 ORDER BY t.starts_at, b.reference"
    )))
    .bind(point)
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_view).collect()
}

/// Marks an active booking cancelled and returns `(slot_id, pool)` to release, or `None`.
pub async fn cancel_booking(tx: &mut Tx, reference: &str) -> sqlx::Result<Option<(String, String)>> {
    let r = sqlx::query(
        "UPDATE clinic_bookings SET status = 'cancelled', updated_at = $1 WHERE reference = $2 AND status = 'booked' RETURNING slot_id, pool",
    )
    .bind(kernel::now_ms())
    .bind(reference)
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| Ok((r.try_get("slot_id")?, r.try_get("pool")?))).transpose()
}

/// Moves an active booking to another slot (whose place the caller has taken), counting the change.
pub async fn move_booking(
    tx: &mut Tx,
    reference: &str,
    slot_id: &str,
    pool: &str,
    max_reschedules: i64,
) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_bookings SET slot_id = $1, pool = $2, reschedules = reschedules + 1, updated_at = $3 \
         WHERE reference = $4 AND status = 'booked' AND reschedules < $5",
    )
    .bind(slot_id)
    .bind(pool)
    .bind(kernel::now_ms())
    .bind(reference)
    .bind(max_reschedules)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Sets a slot's capacity unless that would drop below its bookings or its reserved pools.
pub async fn set_capacity(tx: &mut Tx, slot_id: &str, capacity: i64) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_slots SET capacity = $1 WHERE id = $2 AND $1 >= pool_walkin + pool_elderly \
         AND $1 - pool_walkin >= booked AND $1 - pool_walkin - pool_elderly >= booked - booked_elderly",
    )
    .bind(capacity)
    .bind(slot_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub async fn set_attendance(tx: &mut Tx, reference: &str, status: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_bookings SET status = $1, updated_at = $2 WHERE reference = $3 AND status IN ('booked', 'attended', 'no_show', 'late')",
    )
    .bind(status)
    .bind(kernel::now_ms())
    .bind(reference)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Slot counters recomputed from bookings and held offers: `(slot_id, capacity, booked counter, places in use)`
/// for slots where the counter disagrees or exceeds capacity (the benchmark's oversold check).
pub async fn inconsistent_slots(db: &Db) -> sqlx::Result<Vec<(String, i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT id, capacity, booked, n FROM (SELECT t.id, t.capacity, t.booked, \
         (SELECT COUNT(*) FROM clinic_bookings b WHERE b.slot_id = t.id AND b.status IN ('booked', 'attended', 'no_show', 'late')) \
         + (SELECT COUNT(*) FROM clinic_offers o WHERE o.slot_id = t.id AND o.status = 'pending') AS n FROM clinic_slots t) x \
         WHERE n <> booked OR n > capacity",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("capacity")?, r.try_get("booked")?, r.try_get("n")?))).collect()
}

// ---- Waitlists and offers -------------------------------------------------------------------

/// A waitlist entry with what pages show about it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WaitEntry {
    pub id: String,
    pub service_point: String,
    pub point_en: String,
    pub point_zh: String,
    pub service: String,
    pub service_en: String,
    pub service_zh: String,
    pub slot_id: Option<String>,
    pub ballot_id: Option<String>,
    pub citizen_id: String,
    pub citizen_name: String,
    pub tier: i64,
    pub ranking: i64,
    pub status: String,
    pub joined_at: i64,
    pub booking_reference: Option<String>,
}

const WAIT_SQL: &str = "SELECT w.id, w.service_point, p.name_en AS p_en, p.name_zh AS p_zh, w.service, \
    s.name_en AS s_en, s.name_zh AS s_zh, w.slot_id, w.ballot_id, w.citizen_id, c.name_en AS c_en, c.name_zh AS c_zh, \
    w.tier, w.ranking, w.status, w.joined_at, w.booking_reference \
    FROM clinic_waitlist w JOIN service_points p ON p.code = w.service_point \
    JOIN clinic_services s ON s.code = w.service JOIN citizens c ON c.id = w.citizen_id";

fn row_wait(r: &AnyRow) -> sqlx::Result<WaitEntry> {
    let en: String = r.try_get("c_en")?;
    let zh: String = r.try_get("c_zh")?;
    Ok(WaitEntry {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        point_en: r.try_get("p_en")?,
        point_zh: r.try_get("p_zh")?,
        service: r.try_get("service")?,
        service_en: r.try_get("s_en")?,
        service_zh: r.try_get("s_zh")?,
        slot_id: r.try_get("slot_id")?,
        ballot_id: r.try_get("ballot_id")?,
        citizen_id: r.try_get("citizen_id")?,
        citizen_name: [zh, en].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" "),
        tier: r.try_get("tier")?,
        ranking: r.try_get("ranking")?,
        status: r.try_get("status")?,
        joined_at: r.try_get("joined_at")?,
        booking_reference: r.try_get("booking_reference")?,
    })
}

/// Adds a person to a waitlist; `false` when they are already on it.
#[allow(clippy::too_many_arguments)]
pub async fn insert_wait_entry(
    tx: &mut Tx,
    id: &str,
    point: &str,
    service: &str,
    slot_and_ballot: Option<(&str, &str)>,
    citizen_id: &str,
    joined_by: &str,
    tier: i64,
    ranking: i64,
) -> sqlx::Result<bool> {
    let now = kernel::now_ms();
    let r = sqlx::query(
        "INSERT INTO clinic_waitlist (id, service_point, service, slot_id, ballot_id, citizen_id, joined_by, tier, ranking, \
         status, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'waiting', $10, $10)",
    )
    .bind(id)
    .bind(point)
    .bind(service)
    .bind(slot_and_ballot.map(|(s, _)| s))
    .bind(slot_and_ballot.map(|(_, b)| b))
    .bind(citizen_id)
    .bind(joined_by)
    .bind(tier)
    .bind(ranking)
    .bind(now)
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn wait_entry(db: &Db, id: &str) -> sqlx::Result<Option<WaitEntry>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{WAIT_SQL} WHERE w.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_wait).transpose()
}

/// The current waitlist entries of a caregiver and the people they act for.
pub async fn wait_entries_of(db: &Db, caregiver: &str) -> sqlx::Result<Vec<WaitEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WAIT_SQL} WHERE w.status IN ('waiting', 'offered') AND (w.citizen_id = $1 OR w.citizen_id IN \
         (SELECT dependant_id FROM caregiver_links WHERE caregiver_id = $1 AND status = 'active')) ORDER BY w.joined_at"
    )))
    .bind(caregiver)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_wait).collect()
}

/// A clinic's waiting people in the order places are offered (per service).
pub async fn waitlist_at(db: &Db, point: &str, limit: i64) -> sqlx::Result<Vec<WaitEntry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{WAIT_SQL} WHERE w.service_point = $1 AND w.status IN ('waiting', 'offered') \
         ORDER BY w.service, CASE WHEN w.slot_id IS NULL THEN 1 ELSE 0 END, w.slot_id, w.tier, w.ranking LIMIT $2"
    )))
    .bind(point)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_wait).collect()
}

/// How many people are ahead of an entry in its queue.
pub async fn ahead_of(db: &Db, e: &WaitEntry) -> sqlx::Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_waitlist WHERE status IN ('waiting', 'offered') AND service_point = $1 AND service = $2 \
         AND ((slot_id IS NULL AND $3 = '') OR slot_id = $3) AND (tier < $4 OR (tier = $4 AND ranking < $5))",
    )
    .bind(&e.service_point)
    .bind(&e.service)
    .bind(e.slot_id.clone().unwrap_or_default())
    .bind(e.tier)
    .bind(e.ranking)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}

/// Places freed (bookings cancelled before their time) of a service at a clinic since `since`.
pub async fn places_freed(db: &Db, point: &str, service: &str, since: i64) -> sqlx::Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id WHERE b.service_point = $1 \
         AND b.service = $2 AND b.status = 'cancelled' AND b.updated_at >= $3 AND b.updated_at < t.starts_at",
    )
    .bind(point)
    .bind(service)
    .bind(since)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
}

/// The slot, read inside a transaction.
pub async fn slot_in_tx(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Slot>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    r.as_ref().map(row_slot).transpose()
}

pub async fn service_in_tx(tx: &mut Tx, code: &str) -> sqlx::Result<Option<Service>> {
    let r = sqlx::query("SELECT * FROM clinic_services WHERE code = $1").bind(code).fetch_optional(&mut **tx).await?;
    r.as_ref().map(row_service).transpose()
}

/// The next people a place in `slot` may be offered to: its ballot's waitlist first (in draw
/// order), then the clinic's waitlist for the service (by tier, then time of joining). People
/// who already hold a booking for the service are offered only an earlier time.
pub async fn next_candidates(tx: &mut Tx, slot: &Slot, limit: i64) -> sqlx::Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT w.id, w.citizen_id, c.birth_date FROM clinic_waitlist w JOIN citizens c ON c.id = w.citizen_id \
         WHERE w.status = 'waiting' AND (w.slot_id = $1 OR (w.slot_id IS NULL AND w.service_point = $2 AND w.service = $3)) \
         AND NOT EXISTS (SELECT 1 FROM clinic_bookings b JOIN clinic_slots bs ON bs.id = b.slot_id \
           WHERE b.citizen_id = w.citizen_id AND b.service = w.service AND b.status = 'booked' AND bs.starts_at <= $4) \
         ORDER BY CASE WHEN w.slot_id IS NULL THEN 1 ELSE 0 END, w.tier, w.ranking LIMIT $5",
    )
    .bind(&slot.id)
    .bind(&slot.service_point)
    .bind(&slot.service)
    .bind(slot.starts_at)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("citizen_id")?, r.try_get("birth_date")?))).collect()
}

/// Moves a waitlist entry between states; `false` when it was not in `from`.
pub async fn set_wait_status(
    tx: &mut Tx,
    entry_id: &str,
    from: &[&str],
    to: &str,
    booking_reference: Option<&str>,
) -> sqlx::Result<bool> {
    let placeholders: Vec<String> = (0..from.len()).map(|i| format!("${}", i + 5)).collect();
    let sql = format!(
        "UPDATE clinic_waitlist SET status = $1, updated_at = $2, booking_reference = COALESCE($3, booking_reference) \
         WHERE id = $4 AND status IN ({})",
        placeholders.join(", ")
    );
    let mut q =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to).bind(kernel::now_ms()).bind(booking_reference).bind(entry_id);
    for f in from {
        q = q.bind(*f);
    }
    Ok(q.execute(&mut **tx).await?.rows_affected() == 1)
}

/// Holds a place for an offer: like [`take_place`], and also in a drawn ballot's slot (closed to
/// first-come booking, but its freed places go to the ballot's waitlist).
pub async fn hold_place(
    tx: &mut Tx,
    slot_id: &str,
    elderly: bool,
    earliest_start: i64,
) -> sqlx::Result<Option<&'static str>> {
    const OPEN: &str = "(status = 'open' OR EXISTS (SELECT 1 FROM clinic_ballots b WHERE b.slot_id = clinic_slots.id AND b.status = 'drawn'))";
    if elderly {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE clinic_slots SET booked = booked + 1, booked_elderly = booked_elderly + 1 \
             WHERE id = $1 AND {OPEN} AND starts_at >= $2 AND booked_elderly < pool_elderly AND booked < capacity - pool_walkin"
        )))
        .bind(slot_id)
        .bind(earliest_start)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Some("elderly"));
        }
    }
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE clinic_slots SET booked = booked + 1 \
         WHERE id = $1 AND {OPEN} AND starts_at >= $2 AND booked - booked_elderly < capacity - pool_walkin - pool_elderly"
    )))
    .bind(slot_id)
    .bind(earliest_start)
    .execute(&mut **tx)
    .await?;
    Ok((r.rows_affected() == 1).then_some("general"))
}

pub async fn insert_offer(
    tx: &mut Tx,
    id: &str,
    entry_id: &str,
    slot_id: &str,
    pool: &str,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_offers (id, entry_id, slot_id, pool, status, offered_at, expires_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
    )
    .bind(id)
    .bind(entry_id)
    .bind(slot_id)
    .bind(pool)
    .bind(kernel::now_ms())
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An offer with its slot and waitlist entry.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OfferView {
    pub id: String,
    pub entry_id: String,
    pub slot_id: String,
    pub pool: String,
    pub status: String,
    pub offered_at: i64,
    pub expires_at: i64,
    pub booking_reference: Option<String>,
    pub citizen_id: String,
    pub starts_at: i64,
    pub service_point: String,
    pub service: String,
}

const OFFER_SQL: &str = "SELECT o.id, o.entry_id, o.slot_id, o.pool, o.status, o.offered_at, o.expires_at, o.booking_reference, \
    w.citizen_id, t.starts_at, t.service_point, t.service FROM clinic_offers o JOIN clinic_waitlist w ON w.id = o.entry_id \
    JOIN clinic_slots t ON t.id = o.slot_id";

fn row_offer(r: &AnyRow) -> sqlx::Result<OfferView> {
    Ok(OfferView {
        id: r.try_get("id")?,
        entry_id: r.try_get("entry_id")?,
        slot_id: r.try_get("slot_id")?,
        pool: r.try_get("pool")?,
        status: r.try_get("status")?,
        offered_at: r.try_get("offered_at")?,
        expires_at: r.try_get("expires_at")?,
        booking_reference: r.try_get("booking_reference")?,
        citizen_id: r.try_get("citizen_id")?,
        starts_at: r.try_get("starts_at")?,
        service_point: r.try_get("service_point")?,
        service: r.try_get("service")?,
    })
}

pub async fn offer(db: &Db, id: &str) -> sqlx::Result<Option<OfferView>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{OFFER_SQL} WHERE o.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_offer).transpose()
}

/// Pending offers of a waitlist entry's holder (and the people they act for).
pub async fn pending_offers_of(db: &Db, caregiver: &str) -> sqlx::Result<Vec<OfferView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OFFER_SQL} WHERE o.status = 'pending' AND (w.citizen_id = $1 OR w.citizen_id IN \
         (SELECT dependant_id FROM caregiver_links WHERE caregiver_id = $1 AND status = 'active')) ORDER BY o.expires_at"
    )))
    .bind(caregiver)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_offer).collect()
}

/// Recent offers at a clinic (staff view).
pub async fn offers_at(db: &Db, point: &str, limit: i64) -> sqlx::Result<Vec<OfferView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{OFFER_SQL} WHERE t.service_point = $1 ORDER BY o.offered_at DESC LIMIT $2"
    )))
    .bind(point)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_offer).collect()
}

/// Ends a pending offer (accepted, declined, expired or withdrawn); `false` when it was no longer pending.
pub async fn close_offer(tx: &mut Tx, id: &str, status: &str, booking_reference: Option<&str>) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_offers SET status = $1, answered_at = $2, booking_reference = $3 WHERE id = $4 AND status = 'pending'",
    )
    .bind(status)
    .bind(kernel::now_ms())
    .bind(booking_reference)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Pending offers whose accept window has passed.
pub async fn due_offers(db: &Db, now: i64) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT id FROM clinic_offers WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at")
        .bind(now)
        .fetch_all(db.pool())
        .await
}

/// The active booking of a person for a service, if any: `(reference, slot_id, pool)`.
pub async fn active_booking_in_tx(
    tx: &mut Tx,
    citizen_id: &str,
    service: &str,
) -> sqlx::Result<Option<(String, String, String)>> {
    let r = sqlx::query("SELECT reference, slot_id, pool FROM clinic_bookings WHERE citizen_id = $1 AND service = $2 AND status = 'booked'")
        .bind(citizen_id)
        .bind(service)
        .fetch_optional(&mut **tx)
        .await?;
    r.map(|r| Ok((r.try_get("reference")?, r.try_get("slot_id")?, r.try_get("pool")?))).transpose()
}

// ---- No-shows -------------------------------------------------------------------------------

/// A person's no-shows: `(reference, starts_at, point, service, excused_at, excuse)`, newest first.
pub async fn no_shows_of(db: &Db, citizen_id: &str) -> sqlx::Result<Vec<NoShow>> {
    let rows = sqlx::query(
        "SELECT b.reference, t.starts_at, b.service_point, b.service, b.excused_at, b.excuse FROM clinic_bookings b \
         JOIN clinic_slots t ON t.id = b.slot_id WHERE b.citizen_id = $1 AND b.status = 'no_show' ORDER BY t.starts_at DESC",
    )
    .bind(citizen_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(NoShow {
                reference: r.try_get("reference")?,
                starts_at: r.try_get("starts_at")?,
                service_point: r.try_get("service_point")?,
                service: r.try_get("service")?,
                excused_at: r.try_get("excused_at")?,
                excuse: r.try_get("excuse")?,
            })
        })
        .collect()
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct NoShow {
    pub reference: String,
    pub starts_at: i64,
    pub service_point: String,
    pub service: String,
    pub excused_at: Option<i64>,
    pub excuse: Option<String>,
}

/// Excuses a no-show on appeal; `false` when it is not an unexcused no-show.
pub async fn excuse_no_show(tx: &mut Tx, reference: &str, by: &str, reason: &str) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_bookings SET excused_at = $1, excused_by = $2, excuse = $3, updated_at = $1 \
         WHERE reference = $4 AND status = 'no_show' AND excused_at IS NULL",
    )
    .bind(kernel::now_ms())
    .bind(by)
    .bind(reason)
    .bind(reference)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

// ---- FHIR -----------------------------------------------------------------------------------
//
// Searches behind `/fhir/R4` (see `fhir.rs`). Each query struct is an AND of OR-groups: every
// `Vec<Vec<_>>` field holds one inner list per occurrence of a search parameter, whose values
// are alternatives. An empty inner list matches nothing. Results come in a total order (so that
// offset paging visits each row once) with the total count.

use crate::fhir::params::{InstantCond, PeriodCond, StrMatch};

/// What a reference search parameter points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FhirTarget {
    /// A service point (`Location/{code}`).
    Point(String),
    /// A service at a service point (`HealthcareService/…`, `Schedule/…`).
    Pair(String, String),
    /// A citizen (`Patient/{id}`).
    Patient(String),
}

/// Slot states as FHIR sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FhirSlotState {
    /// Open with a place left online (`free`).
    Free,
    /// Open with no place left online (`busy`).
    Busy,
    /// Closed: to first-come booking (a ballot) or by a closure (`busy-unavailable`).
    Unavailable,
}

#[derive(Clone, Debug)]
enum Arg {
    Text(String),
    Int(i64),
}

/// A WHERE clause under construction, with its binds in order.
#[derive(Default)]
struct Conds {
    sql: Vec<String>,
    args: Vec<Arg>,
}

impl Conds {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn text(&mut self, s: &str) -> String {
        self.arg(Arg::Text(s.to_string()))
    }

    fn int(&mut self, i: i64) -> String {
        self.arg(Arg::Int(i))
    }

    fn any_of(&mut self, col: &str, values: &[String]) -> String {
        if values.is_empty() {
            return "1 = 0".into();
        }
        let ph: Vec<String> = values.iter().map(|v| self.text(v)).collect();
        format!("{col} IN ({})", ph.join(", "))
    }

    /// One AND-ed clause per OR-group.
    fn groups<T>(&mut self, groups: &[Vec<T>], mut one: impl FnMut(&mut Self, &T) -> String) {
        for g in groups {
            let alts: Vec<String> = g.iter().map(|v| one(self, v)).collect();
            self.sql.push(if alts.is_empty() { "1 = 0".into() } else { format!("({})", alts.join(" OR ")) });
        }
    }

    fn in_groups(&mut self, col: &str, groups: &[Vec<String>]) {
        for g in groups {
            let c = self.any_of(col, g);
            self.sql.push(c);
        }
    }

    fn instant(&mut self, col: &str, c: &InstantCond) -> String {
        match *c {
            InstantCond::Within(a, b) => format!("({col} >= {} AND {col} < {})", self.int(a), self.int(b)),
            InstantCond::Outside(a, b) => format!("({col} < {} OR {col} >= {})", self.int(a), self.int(b)),
            InstantCond::AtLeast(a) => format!("{col} >= {}", self.int(a)),
            InstantCond::Before(b) => format!("{col} < {}", self.int(b)),
        }
    }

    fn period(&mut self, first: &str, last: &str, c: &PeriodCond) -> String {
        match c {
            PeriodCond::Overlaps(a, b) => format!("({first} <= {} AND {last} >= {})", self.text(b), self.text(a)),
            PeriodCond::Disjoint(a, b) => format!("({first} > {} OR {last} < {})", self.text(b), self.text(a)),
            PeriodCond::EndsOnOrAfter(a) => format!("{last} >= {}", self.text(a)),
            PeriodCond::EndsAfter(b) => format!("{last} > {}", self.text(b)),
            PeriodCond::StartsOnOrBefore(b) => format!("{first} <= {}", self.text(b)),
            PeriodCond::StartsBefore(a) => format!("{first} < {}", self.text(a)),
        }
    }

    /// A target on a table with these columns (`None`: the target cannot match there).
    fn target(&mut self, t: &FhirTarget, point: &str, service: &str, patient: Option<&str>) -> String {
        match (t, patient) {
            (FhirTarget::Point(p), _) => format!("{point} = {}", self.text(p)),
            (FhirTarget::Pair(p, s), _) => format!("({point} = {} AND {service} = {})", self.text(p), self.text(s)),
            (FhirTarget::Patient(c), Some(col)) => format!("{col} = {}", self.text(c)),
            (FhirTarget::Patient(_), None) => "1 = 0".into(),
        }
    }

    fn where_sql(&self) -> String {
        if self.sql.is_empty() { String::new() } else { format!(" WHERE {}", self.sql.join(" AND ")) }
    }

    fn bind<'q>(
        &self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    fn bind_scalar<'q>(
        &self,
        mut q: sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// Runs `SELECT COUNT(*) {from}{where}` and `SELECT {cols} {from}{where} ORDER BY … LIMIT … OFFSET …`.
async fn fhir_page(
    db: &Db,
    cols: &str,
    from: &str,
    order: &str,
    mut c: Conds,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<AnyRow>, i64)> {
    let where_sql = c.where_sql();
    let total = c
        .bind_scalar(sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {from}{where_sql}"))))
        .fetch_one(db.pool())
        .await?;
    if limit == 0 {
        return Ok((vec![], total));
    }
    let (l, o) = (c.int(i64::from(limit)), c.int(i64::try_from(offset).unwrap_or(i64::MAX)));
    let rows = c
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM {from}{where_sql} ORDER BY {order} LIMIT {l} OFFSET {o}"
        ))))
        .fetch_all(db.pool())
        .await?;
    Ok((rows, total))
}

/// `LIKE` pattern for a case-insensitive match (the value lower-cased, wildcards escaped).
fn like_pattern(how: StrMatch, value: &str) -> String {
    let escaped = value.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    match how {
        StrMatch::Contains => format!("%{escaped}%"),
        _ => format!("{escaped}%"),
    }
}

/// Location search.
#[derive(Clone, Debug, Default)]
pub struct FhirLocationQuery {
    pub codes: Vec<Vec<String>>,
    /// Matched against the English and the Chinese name.
    pub names: Vec<(StrMatch, Vec<String>)>,
    pub districts: Vec<Vec<String>>,
    pub kinds: Vec<Vec<String>>,
}

pub async fn fhir_locations(
    db: &Db,
    q: &FhirLocationQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<kernel::directory::ServicePoint>, i64)> {
    let mut c = Conds::default();
    c.in_groups("code", &q.codes);
    for (how, values) in &q.names {
        let how = *how;
        c.groups(std::slice::from_ref(values), |c, v| match how {
            StrMatch::Exact => {
                let p = c.text(v);
                format!("(name_en = {p} OR name_zh = {p})")
            }
            _ => {
                let p = c.text(&like_pattern(how, v));
                format!("(LOWER(name_en) LIKE {p} ESCAPE '\\' OR LOWER(name_zh) LIKE {p} ESCAPE '\\')")
            }
        });
    }
    c.in_groups("district", &q.districts);
    c.in_groups("kind", &q.kinds);
    let (rows, total) = fhir_page(
        db,
        "code, kind, name_en, name_zh, district, address_en, address_zh",
        "service_points",
        "code",
        c,
        limit,
        offset,
    )
    .await?;
    let points = rows
        .iter()
        .map(|r| {
            Ok(kernel::directory::ServicePoint {
                code: r.try_get("code")?,
                kind: r.try_get("kind")?,
                name_en: r.try_get("name_en")?,
                name_zh: r.try_get("name_zh")?,
                district: r.try_get("district")?,
                address_en: r.try_get("address_en")?,
                address_zh: r.try_get("address_zh")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((points, total))
}

/// The weekly sessions of these service points (for opening hours and available times).
pub async fn fhir_sessions_of(db: &Db, points: &[String]) -> sqlx::Result<Vec<Session>> {
    if points.is_empty() {
        return Ok(vec![]);
    }
    let mut c = Conds::default();
    let clause = c.any_of("service_point", points);
    let rows = c
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM clinic_sessions WHERE {clause} ORDER BY service_point, service, weekday, start_time"
        ))))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_session).collect()
}

/// A service offered at a service point (a HealthcareService and its Schedule), with the days
/// its weekly sessions cover.
#[derive(Clone, Debug)]
pub struct FhirPointService {
    pub point: kernel::directory::ServicePoint,
    pub service: Service,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// HealthcareService and Schedule search: every service point × service of its kind.
#[derive(Clone, Debug, Default)]
pub struct FhirPointServiceQuery {
    /// Service points or point × service pairs.
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    /// Conditions on the days the sessions cover (a service without sessions matches none).
    pub horizon: Vec<Vec<PeriodCond>>,
}

pub async fn fhir_point_services(
    db: &Db,
    q: &FhirPointServiceQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<FhirPointService>, i64)> {
    let mut c = Conds::default();
    c.groups(&q.targets, |c, t| c.target(t, "p.code", "s.code", None));
    c.in_groups("s.code", &q.services);
    c.groups(&q.horizon, |c, h| c.period("h.first_day", "h.last_day", h));
    let (rows, total) = fhir_page(
        db,
        "p.code AS p_code, p.kind AS p_kind, p.name_en AS p_en, p.name_zh AS p_zh, p.district AS p_district, \
         p.address_en AS p_address_en, p.address_zh AS p_address_zh, s.*, h.first_day, h.last_day",
        "service_points p JOIN clinic_services s ON s.point_kind = p.kind \
         LEFT JOIN (SELECT service_point, service, MIN(valid_from) AS first_day, MAX(valid_to) AS last_day \
         FROM clinic_sessions GROUP BY service_point, service) h ON h.service_point = p.code AND h.service = s.code",
        "p.code, s.code",
        c,
        limit,
        offset,
    )
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(FhirPointService {
                point: kernel::directory::ServicePoint {
                    code: r.try_get("p_code")?,
                    kind: r.try_get("p_kind")?,
                    name_en: r.try_get("p_en")?,
                    name_zh: r.try_get("p_zh")?,
                    district: r.try_get("p_district")?,
                    address_en: r.try_get("p_address_en")?,
                    address_zh: r.try_get("p_address_zh")?,
                },
                service: row_service(r)?,
                first_day: r.try_get("first_day")?,
                last_day: r.try_get("last_day")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((items, total))
}

/// Slot search.
#[derive(Clone, Debug, Default)]
pub struct FhirSlotQuery {
    pub ids: Vec<Vec<String>>,
    /// Service points (`location`) or point × service pairs (`schedule`).
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    pub states: Vec<Vec<FhirSlotState>>,
    pub start: Vec<Vec<InstantCond>>,
}

pub async fn fhir_slots(db: &Db, q: &FhirSlotQuery, limit: u32, offset: u64) -> sqlx::Result<(Vec<Slot>, i64)> {
    let mut c = Conds::default();
    c.in_groups("id", &q.ids);
    c.groups(&q.targets, |c, t| c.target(t, "service_point", "service", None));
    c.in_groups("service", &q.services);
    c.groups(&q.states, |_, s| {
        match s {
            FhirSlotState::Free => "(status = 'open' AND booked < capacity - pool_walkin)",
            FhirSlotState::Busy => "(status = 'open' AND booked >= capacity - pool_walkin)",
            FhirSlotState::Unavailable => "status = 'closed'",
        }
        .to_string()
    });
    c.groups(&q.start, |c, t| c.instant("starts_at", t));
    let (rows, total) = fhir_page(db, SLOT_COLUMNS, "clinic_slots", "starts_at, id", c, limit, offset).await?;
    Ok((rows.iter().map(row_slot).collect::<sqlx::Result<Vec<_>>>()?, total))
}

/// A booking as an Appointment sees it.
#[derive(Clone, Debug)]
pub struct FhirBooking {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub citizen_id: String,
    pub service: String,
    pub service_point: String,
    pub point_en: String,
    pub point_zh: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Appointment search.
#[derive(Clone, Debug, Default)]
pub struct FhirBookingQuery {
    pub ids: Vec<Vec<String>>,
    /// Booking references (`identifier`).
    pub references: Vec<Vec<String>>,
    /// Stored statuses (`booked`, `cancelled`, `attended`, `late`, `no_show`).
    pub statuses: Vec<Vec<String>>,
    /// Service points, point × service pairs or citizens (`location`, `patient`, `actor`).
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    pub slots: Vec<Vec<String>>,
    pub start: Vec<Vec<InstantCond>>,
}

pub async fn fhir_bookings(
    db: &Db,
    q: &FhirBookingQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<FhirBooking>, i64)> {
    let mut c = Conds::default();
    c.in_groups("b.id", &q.ids);
    c.in_groups("b.reference", &q.references);
    c.in_groups("b.status", &q.statuses);
    // Clinic and service through the slot, whose index (service_point, service, starts_at) serves them.
    c.groups(&q.targets, |c, t| c.target(t, "t.service_point", "t.service", Some("b.citizen_id")));
    c.in_groups("t.service", &q.services);
    c.in_groups("b.slot_id", &q.slots);
    c.groups(&q.start, |c, s| c.instant("t.starts_at", s));
    let (rows, total) = fhir_page(
        db,
        "b.id, b.reference, b.status, b.citizen_id, b.service, b.service_point, p.name_en AS p_en, p.name_zh AS p_zh, \
         b.slot_id, t.starts_at, t.ends_at, b.created_at, b.updated_at",
        "clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN service_points p ON p.code = b.service_point",
        "t.starts_at, b.id",
        c,
        limit,
        offset,
    )
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(FhirBooking {
                id: r.try_get("id")?,
                reference: r.try_get("reference")?,
                status: r.try_get("status")?,
                citizen_id: r.try_get("citizen_id")?,
                service: r.try_get("service")?,
                service_point: r.try_get("service_point")?,
                point_en: r.try_get("p_en")?,
                point_zh: r.try_get("p_zh")?,
                slot_id: r.try_get("slot_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((items, total))
}
