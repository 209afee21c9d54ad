//! SQL for booking: services, sessions and the slots they generate, places, bookings and their
//! views, capacity and attendance. One function per query.

use chrono::NaiveDate;
use kernel::db::{Db, Tx, rows_per_statement, values_placeholders};
use kernel::hk::calendar::Calendar;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::rules::Refusal;
use super::{Booking, BookingChannel, BookingStatus, Service, Session, Slot};

pub async fn services(db: &Db) -> sqlx::Result<Vec<Service>> {
    let rows = sqlx::query("SELECT * FROM clinic_services ORDER BY code").fetch_all(db.pool()).await?;
    rows.iter().map(Service::from_row).collect()
}

pub async fn service(db: &Db, code: &str) -> sqlx::Result<Option<Service>> {
    let r = sqlx::query("SELECT * FROM clinic_services WHERE code = $1").bind(code).fetch_optional(db.pool()).await?;
    r.as_ref().map(Service::from_row).transpose()
}

/// Services offered at a service point (by its kind).
pub async fn services_at(db: &Db, point_kind: &str) -> sqlx::Result<Vec<Service>> {
    let rows = sqlx::query("SELECT * FROM clinic_services WHERE point_kind = $1 ORDER BY code")
        .bind(point_kind)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(Service::from_row).collect()
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
    rows.iter().map(Session::from_row).collect()
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
    let mut values: Vec<(String, Session, String, crate::booking::schedule::PlannedSlot)> = vec![];
    for r in &rows {
        let s = Session::from_row(r)?;
        let district: String = r.try_get("district")?;
        for p in crate::booking::schedule::expand(&s, &district, from, to, &calendar) {
            values.push((kernel::new_id(), s.clone(), district.clone(), p));
        }
    }
    let mut created = 0;
    let mut tx = db.begin().await?;
    for chunk in values.chunks(rows_per_statement(14)) {
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

pub(crate) const SLOT_COLUMNS: &str = "id, service_point, service, day, starts_at, ends_at, capacity, pool_walkin, pool_elderly, booked, booked_elderly, status";

/// The slot to book with its service and clinic names, in one read.
pub struct SlotContext {
    pub slot: Slot,
    pub service: Service,
    pub clinic_en: String,
    pub clinic_zh: String,
}

pub async fn slot_context(db: &Db, slot_id: &str) -> sqlx::Result<Option<SlotContext>> {
    let r = sqlx::query(
        "SELECT sl.*, sv.*, sp.name_en AS sp_en, sp.name_zh AS sp_zh \
         FROM clinic_slots sl JOIN clinic_services sv ON sv.code = sl.service \
         JOIN service_points sp ON sp.code = sl.service_point WHERE sl.id = $1",
    )
    .bind(slot_id)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = r else { return Ok(None) };
    Ok(Some(SlotContext {
        slot: Slot::from_row(&r)?,
        service: Service::from_row(&r)?,
        clinic_en: r.try_get("sp_en")?,
        clinic_zh: r.try_get("sp_zh")?,
    }))
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
    rows.iter().map(Slot::from_row).collect()
}

pub async fn slot(db: &Db, id: &str) -> sqlx::Result<Option<Slot>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(Slot::from_row).transpose()
}

pub async fn slots_on_day(db: &Db, point: &str, day: &str) -> sqlx::Result<Vec<Slot>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE service_point = $1 AND day = $2 ORDER BY starts_at, service"
    )))
    .bind(point)
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(Slot::from_row).collect()
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
    channel: BookingChannel,
    pool: &str,
) -> Result<Booking, Refusal> {
    let now = kernel::now_ms();
    let b = Booking {
        id: kernel::new_id(),
        reference: crate::booking::rules::new_reference(),
        slot_id: slot.id.clone(),
        service: slot.service.clone(),
        service_point: slot.service_point.clone(),
        citizen_id: citizen_id.into(),
        status: BookingStatus::Booked,
        channel,
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
    .bind(channel.as_str())
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

/// Which of these people already hold an active booking: `(citizen id, service)` pairs.
pub async fn active_bookings_of(tx: &mut Tx, citizens: &[&str]) -> sqlx::Result<Vec<(String, String)>> {
    let mut out = vec![];
    for chunk in citizens.chunks(kernel::db::MAX_BINDS) {
        let list = kernel::db::list_placeholders(1, chunk.len());
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(format!(
            "SELECT citizen_id, service FROM clinic_bookings WHERE status = 'booked' AND citizen_id IN ({list})"
        )));
        for c in chunk {
            q = q.bind(*c);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Inserts bookings `(booking, booked by, pool)` with multi-row statements, skipping any that
/// would break a unique rule (one active booking per person and service); returns the ids
/// inserted.
pub async fn insert_bookings(tx: &mut Tx, rows: &[(&Booking, &str, &str)]) -> sqlx::Result<Vec<String>> {
    const COLS: usize = 10;
    let now = kernel::now_ms();
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(rows_per_statement(COLS)) {
        let values = (0..chunk.len())
            .map(|r| {
                let b = r * COLS;
                let p = |k: usize| format!("${}", b + k);
                format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, 'booked', 0, {}, {})",
                    p(1),
                    p(2),
                    p(3),
                    p(4),
                    p(5),
                    p(6),
                    p(7),
                    p(8),
                    p(9),
                    p(10),
                    p(10)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, \
             status, reschedules, created_at, updated_at) VALUES {values} ON CONFLICT DO NOTHING RETURNING id"
        )));
        for (b, booked_by, pool) in chunk {
            q = q
                .bind(b.id.clone())
                .bind(b.reference.clone())
                .bind(b.slot_id.clone())
                .bind(b.service.clone())
                .bind(b.service_point.clone())
                .bind(b.citizen_id.clone())
                .bind(booked_by.to_string())
                .bind(b.channel.as_str())
                .bind(pool.to_string())
                .bind(now);
        }
        inserted.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(inserted)
}

/// A booking with what pages show about it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BookingView {
    pub reference: String,
    pub status: BookingStatus,
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
    pub channel: BookingChannel,
}

const VIEW_SQL: &str = "SELECT b.reference, b.status, b.citizen_id, b.service, \
    s.name_en AS s_en, s.name_zh AS s_zh, b.service_point, p.name_en AS p_en, p.name_zh AS p_zh, p.address_en, p.address_zh, \
    b.slot_id, t.starts_at, b.reschedules, b.pool, b.channel \
    FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN clinic_services s ON s.code = b.service \
    JOIN service_points p ON p.code = b.service_point";

/// A booking without the person's name (`with_names` fills it in from `kernel::people`).
fn row_view(r: &AnyRow) -> sqlx::Result<BookingView> {
    Ok(BookingView {
        reference: r.try_get("reference")?,
        status: decode(r.try_get("status")?)?,
        citizen_id: r.try_get("citizen_id")?,
        citizen_name: String::new(),
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
        channel: decode(r.try_get("channel")?)?,
    })
}

pub async fn booking_by_reference(db: &Db, reference: &str) -> sqlx::Result<Option<BookingView>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{VIEW_SQL} WHERE b.reference = $1")))
        .bind(reference)
        .fetch_optional(db.pool())
        .await?;
    let views: Vec<BookingView> = r.as_ref().map(row_view).transpose()?.into_iter().collect();
    Ok(with_names(db, views).await?.pop())
}

/// Fills in each booking's person's name (Chinese and English, else their e-mail or phone).
async fn with_names(db: &Db, mut views: Vec<BookingView>) -> sqlx::Result<Vec<BookingView>> {
    let ids: Vec<&str> = views.iter().map(|v| v.citizen_id.as_str()).collect();
    let names = kernel::people::display_names_of(db, &ids).await?;
    for v in &mut views {
        v.citizen_name = names.get(&v.citizen_id).cloned().unwrap_or_default();
    }
    Ok(views)
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
    with_names(db, rows.iter().map(row_view).collect::<sqlx::Result<_>>()?).await
}

pub async fn bookings_in_slots(db: &Db, point: &str, day: &str) -> sqlx::Result<Vec<BookingView>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{VIEW_SQL} WHERE b.service_point = $1 AND t.day = $2 ORDER BY t.starts_at, b.reference"
    )))
    .bind(point)
    .bind(day)
    .fetch_all(db.pool())
    .await?;
    with_names(db, rows.iter().map(row_view).collect::<sqlx::Result<_>>()?).await
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

pub async fn set_attendance(tx: &mut Tx, reference: &str, status: BookingStatus) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "UPDATE clinic_bookings SET status = $1, updated_at = $2 WHERE reference = $3 AND status IN ('booked', 'attended', 'no_show', 'late')",
    )
    .bind(status.as_str())
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

/// The slot, read inside a transaction.
pub async fn slot_in_tx(tx: &mut Tx, id: &str) -> sqlx::Result<Option<Slot>> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SLOT_COLUMNS} FROM clinic_slots WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    r.as_ref().map(Slot::from_row).transpose()
}

pub async fn service_in_tx(tx: &mut Tx, code: &str) -> sqlx::Result<Option<Service>> {
    let r = sqlx::query("SELECT * FROM clinic_services WHERE code = $1").bind(code).fetch_optional(&mut **tx).await?;
    r.as_ref().map(Service::from_row).transpose()
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

/// Records that the person confirmed an active booking.
pub async fn confirm_booking(tx: &mut Tx, reference: &str, at: i64) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_bookings SET confirmed_at = $1 WHERE reference = $2 AND status = 'booked'")
        .bind(at)
        .bind(reference)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Closes every slot overlapping a closed period (in a district, or everywhere).
pub async fn close_slots_between(db: &Db, from: i64, to: i64, district: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_slots SET status = 'closed' WHERE starts_at < $1 AND ends_at > $2 AND ($3 IS NULL OR district = $3)")
        .bind(to)
        .bind(from)
        .bind(district)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A booking in a closed period.
pub struct Affected {
    pub reference: String,
    pub citizen_id: String,
    pub booked_by: String,
    pub service: String,
    pub service_point: String,
    pub starts_at: i64,
}

/// The active bookings in slots overlapping a closed period, earliest first.
pub async fn booked_between(db: &Db, from: i64, to: i64, district: Option<&str>) -> sqlx::Result<Vec<Affected>> {
    let rows = sqlx::query(
        "SELECT b.reference, b.citizen_id, b.booked_by, b.service, b.service_point, t.starts_at FROM clinic_bookings b \
         JOIN clinic_slots t ON t.id = b.slot_id WHERE b.status = 'booked' AND t.starts_at < $1 AND t.ends_at > $2 AND ($3 IS NULL OR t.district = $3) \
         ORDER BY t.starts_at, b.created_at",
    )
    .bind(to)
    .bind(from)
    .bind(district)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Affected {
                reference: r.try_get("reference")?,
                citizen_id: r.try_get("citizen_id")?,
                booked_by: r.try_get("booked_by")?,
                service: r.try_get("service")?,
                service_point: r.try_get("service_point")?,
                starts_at: r.try_get("starts_at")?,
            })
        })
        .collect()
}

/// Open slots of a service at a clinic from `earliest` with a general place left.
pub async fn open_general_slots_from(
    db: &Db,
    point: &str,
    service: &str,
    earliest: i64,
    limit: i64,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT id FROM clinic_slots WHERE service_point = $1 AND service = $2 AND status = 'open' AND starts_at >= $3 \
         AND booked - booked_elderly < capacity - pool_walkin - pool_elderly ORDER BY starts_at LIMIT $4",
    )
    .bind(point)
    .bind(service)
    .bind(earliest)
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

/// A reminder due: the booking with its service and clinic names.
pub struct DueReminder {
    pub reference: String,
    pub booked_by: String,
    pub citizen_id: String,
    pub starts_at: i64,
    pub service_en: String,
    pub service_zh: String,
    pub point_en: String,
    pub point_zh: String,
}

/// Which reminder marker a query reads or sets.
fn reminder_column(column: &str) -> &'static str {
    match column {
        "reminded_2h_at" => "reminded_2h_at",
        _ => "reminded_24h_at",
    }
}

/// Active bookings starting in (`after`, `until`] whose reminder `column` is not yet sent.
pub async fn due_reminders(db: &Db, column: &str, after: i64, until: i64) -> sqlx::Result<Vec<DueReminder>> {
    let column = reminder_column(column);
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT b.reference, b.booked_by, b.citizen_id, t.starts_at, s.name_en, s.name_zh, p.name_en AS p_en, p.name_zh AS p_zh \
         FROM clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN clinic_services s ON s.code = b.service \
         JOIN service_points p ON p.code = b.service_point \
         WHERE b.status = 'booked' AND b.{column} IS NULL AND t.starts_at > $1 AND t.starts_at <= $2 LIMIT 500"
    )))
    .bind(after)
    .bind(until)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueReminder {
                reference: r.try_get("reference")?,
                booked_by: r.try_get("booked_by")?,
                citizen_id: r.try_get("citizen_id")?,
                starts_at: r.try_get("starts_at")?,
                service_en: r.try_get("name_en")?,
                service_zh: r.try_get("name_zh")?,
                point_en: r.try_get("p_en")?,
                point_zh: r.try_get("p_zh")?,
            })
        })
        .collect()
}

/// Sets a reminder marker once; false when another run set it first.
pub async fn mark_reminded(tx: &mut Tx, column: &str, reference: &str, at: i64) -> sqlx::Result<bool> {
    let column = reminder_column(column);
    let won = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE clinic_bookings SET {column} = $1 WHERE reference = $2 AND {column} IS NULL AND status = 'booked'"
    )))
    .bind(at)
    .bind(reference)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(won == 1)
}

/// Decodes a stored text into its enum (a column decode error when unknown).
fn decode<T: TryFrom<String, Error = crate::UnknownText>>(text: String) -> sqlx::Result<T> {
    T::try_from(text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// Who made a booking (the person, a caregiver, or staff at the counter), read in `tx`.
pub async fn booked_by_in_tx(tx: &mut Tx, reference: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT booked_by FROM clinic_bookings WHERE reference = $1")
        .bind(reference)
        .fetch_optional(&mut **tx)
        .await
}

/// Sessions of a service at a clinic given out by ballot and still open for registration, for
/// the times list: (ballot id, the session's start, registration closes), soonest first.
pub async fn open_ballots_for(db: &Db, point: &str, service: &str, now: i64) -> sqlx::Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT b.id, t.starts_at, b.closes_at FROM clinic_ballots b JOIN clinic_slots t ON t.id = b.slot_id \
         WHERE b.service_point = $1 AND b.service = $2 AND b.status = 'open' AND b.closes_at > $3 ORDER BY t.starts_at",
    )
    .bind(point)
    .bind(service)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("starts_at")?, r.try_get("closes_at")?))).collect()
}
