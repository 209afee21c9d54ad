//! SQL for the clinics area: one function per query.

use chrono::NaiveDate;
use kernel::db::{BindOptF64, Db, Tx, rows_per_statement, values_placeholders};
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

/// Everything a booking needs to know, read in one query before its transaction: the slot,
/// its service, the clinic's names, the booked person's date of birth, and how to reach
/// `notify` (the person who booked: a caregiver hears about their dependant's booking).
pub struct BookingContext {
    pub slot: Slot,
    pub service: Service,
    pub clinic_en: String,
    pub clinic_zh: String,
    /// `None` when the person does not exist.
    pub birth_date: Option<String>,
    pub contact: Option<kernel::directory::Contact>,
}

pub async fn booking_context(
    db: &Db,
    slot_id: &str,
    citizen_id: &str,
    notify: &str,
) -> sqlx::Result<Option<BookingContext>> {
    let r = sqlx::query(
        "SELECT sl.*, sv.*, sp.name_en AS sp_en, sp.name_zh AS sp_zh, b.birth_date AS b_birth, \
         n.email AS n_email, n.phone AS n_phone, n.contact_channel AS n_channel, n.preferred_lang AS n_lang, \
         n.name_en AS n_en, n.name_zh AS n_zh \
         FROM clinic_slots sl JOIN clinic_services sv ON sv.code = sl.service \
         JOIN service_points sp ON sp.code = sl.service_point \
         LEFT JOIN citizens b ON b.id = $2 LEFT JOIN citizens n ON n.id = $3 \
         WHERE sl.id = $1",
    )
    .bind(slot_id)
    .bind(citizen_id)
    .bind(notify)
    .fetch_optional(db.pool())
    .await?;
    let Some(r) = r else { return Ok(None) };
    let contact = match r.try_get::<Option<String>, _>("n_lang")? {
        Some(lang) => kernel::directory::contact_of(
            r.try_get("n_email")?,
            r.try_get("n_phone")?,
            &r.try_get::<Option<String>, _>("n_channel")?.unwrap_or_default(),
            &lang,
            r.try_get::<Option<String>, _>("n_en")?.unwrap_or_default(),
            r.try_get::<Option<String>, _>("n_zh")?.unwrap_or_default(),
        ),
        None => None,
    };
    Ok(Some(BookingContext {
        slot: row_slot(&r)?,
        service: row_service(&r)?,
        clinic_en: r.try_get("sp_en")?,
        clinic_zh: r.try_get("sp_zh")?,
        birth_date: r.try_get("b_birth")?,
        contact,
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
                .bind(b.channel.clone())
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
    let sql = format!(
        "UPDATE clinic_waitlist SET status = $1, updated_at = $2, booking_reference = COALESCE($3, booking_reference) \
         WHERE id = $4 AND status IN ({})",
        kernel::db::list_placeholders(5, from.len())
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

// ---- Walk-in queue ----

fn row_room(r: &AnyRow) -> sqlx::Result<crate::model::Room> {
    let services: String = r.try_get("services")?;
    Ok(crate::model::Room {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        name_en: r.try_get("name_en")?,
        name_zh: r.try_get("name_zh")?,
        services: services.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
    })
}

/// The active rooms of a service point, in the order they were set up.
pub async fn queue_rooms(db: &Db, point: &str) -> sqlx::Result<Vec<crate::model::Room>> {
    let rows =
        sqlx::query("SELECT * FROM clinic_queue_rooms WHERE service_point = $1 AND active = 1 ORDER BY created_at, id")
            .bind(point)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(row_room).collect()
}

pub async fn queue_room(db: &Db, id: &str) -> sqlx::Result<Option<crate::model::Room>> {
    let r = sqlx::query("SELECT * FROM clinic_queue_rooms WHERE id = $1 AND active = 1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(row_room).transpose()
}

pub async fn insert_room(tx: &mut Tx, room: &crate::model::Room, at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_rooms (id, service_point, name_en, name_zh, services, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&room.id)
    .bind(&room.service_point)
    .bind(&room.name_en)
    .bind(&room.name_zh)
    .bind(room.services.join(","))
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The next ticket number of a letter at a service point on a day (1, 2, 3 …).
pub async fn next_ticket_number(tx: &mut Tx, point: &str, day: &str, letter: char) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO clinic_queue_numbers (service_point, day, letter, last) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (service_point, day, letter) DO UPDATE SET last = clinic_queue_numbers.last + 1 RETURNING last",
    )
    .bind(point)
    .bind(day)
    .bind(letter.to_string())
    .fetch_one(&mut **tx)
    .await
}

/// Sets the last ticket number given (demo history).
pub async fn set_ticket_number(tx: &mut Tx, point: &str, day: &str, letter: char, last: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_numbers (service_point, day, letter, last) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (service_point, day, letter) DO UPDATE SET last = $4",
    )
    .bind(point)
    .bind(day)
    .bind(letter.to_string())
    .bind(last)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn row_ticket(r: &AnyRow) -> sqlx::Result<crate::model::Ticket> {
    Ok(crate::model::Ticket {
        id: r.try_get("id")?,
        token: r.try_get("token")?,
        service_point: r.try_get("service_point")?,
        service: r.try_get("service")?,
        day: r.try_get("day")?,
        number: r.try_get("number")?,
        priority: r.try_get("priority")?,
        rank: r.try_get("rank")?,
        channel: r.try_get("channel")?,
        status: r.try_get("status")?,
        room_id: r.try_get("room_id")?,
        lang: r.try_get("lang")?,
        issued_at: r.try_get("issued_at")?,
        queued_at: r.try_get("queued_at")?,
        first_called_at: r.try_get("first_called_at")?,
        called_at: r.try_get("called_at")?,
        done_at: r.try_get("done_at")?,
        calls: r.try_get("calls")?,
    })
}

pub async fn insert_ticket(tx: &mut Tx, t: &crate::model::Ticket, issued_by: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_tickets (id, token, service_point, service, day, number, priority, rank, channel, status, \
         room_id, lang, issued_at, queued_at, first_called_at, called_at, done_at, calls, transfers, issued_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, $19, $13)",
    )
    .bind(&t.id)
    .bind(&t.token)
    .bind(&t.service_point)
    .bind(&t.service)
    .bind(&t.day)
    .bind(&t.number)
    .bind(&t.priority)
    .bind(t.rank)
    .bind(&t.channel)
    .bind(&t.status)
    .bind(&t.room_id)
    .bind(&t.lang)
    .bind(t.issued_at)
    .bind(t.queued_at)
    .bind(t.first_called_at)
    .bind(t.called_at)
    .bind(t.done_at)
    .bind(t.calls)
    .bind(issued_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn ticket(db: &Db, id: &str) -> sqlx::Result<Option<crate::model::Ticket>> {
    let r = sqlx::query("SELECT * FROM clinic_tickets WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_ticket).transpose()
}

pub async fn ticket_by_token(db: &Db, token: &str) -> sqlx::Result<Option<crate::model::Ticket>> {
    let r = sqlx::query("SELECT * FROM clinic_tickets WHERE token = $1").bind(token).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_ticket).transpose()
}

/// Waiting tickets at a service point in the order they will be called.
pub async fn waiting_tickets(db: &Db, point: &str) -> sqlx::Result<Vec<crate::model::Ticket>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' ORDER BY rank, queued_at, id",
    )
    .bind(point)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_ticket).collect()
}

/// Tickets currently called to a room, and those skipped today.
pub async fn tickets_with_status(
    db: &Db,
    point: &str,
    day: &str,
    status: &str,
) -> sqlx::Result<Vec<crate::model::Ticket>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_tickets WHERE service_point = $1 AND day = $2 AND status = $3 ORDER BY called_at DESC, queued_at",
    )
    .bind(point)
    .bind(day)
    .bind(status)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_ticket).collect()
}

/// How many waiting tickets a room serving this ticket would call first.
pub async fn tickets_ahead(db: &Db, t: &crate::model::Ticket) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' AND service = $2 \
         AND (room_id IS NULL OR room_id = $3) AND (rank < $4 OR (rank = $4 AND (queued_at < $5 OR (queued_at = $5 AND id < $6))))",
    )
    .bind(&t.service_point)
    .bind(&t.service)
    .bind(t.room_id.as_deref().unwrap_or(""))
    .bind(t.rank)
    .bind(t.queued_at)
    .bind(&t.id)
    .fetch_one(db.pool())
    .await
}

/// Serialises calls at one room (a row lock on PostgreSQL; SQLite has one writer anyway), so
/// that a double click never leaves a room with two tickets called.
pub async fn lock_room(tx: &mut Tx, room_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE clinic_queue_rooms SET active = active WHERE id = $1").bind(room_id).execute(&mut **tx).await?;
    Ok(())
}

/// Marks the ticket a room is serving as done, and returns it.
pub async fn finish_room_ticket(tx: &mut Tx, room_id: &str, now: i64) -> sqlx::Result<Option<crate::model::Ticket>> {
    let r = sqlx::query(
        "UPDATE clinic_tickets SET status = 'done', done_at = $2, updated_at = $2 \
         WHERE room_id = $1 AND status = 'called' RETURNING *",
    )
    .bind(room_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    r.as_ref().map(row_ticket).transpose()
}

/// Calls the first waiting ticket this room may take (transferred to it, or of a service it
/// serves), by priority then time in the queue. Two rooms never get the same ticket: the
/// update is conditional on the ticket still waiting (and rows are claimed with SKIP LOCKED
/// on PostgreSQL).
pub async fn call_next_ticket(
    db: &Db,
    tx: &mut Tx,
    room: &crate::model::Room,
    now: i64,
) -> sqlx::Result<Option<crate::model::Ticket>> {
    if room.services.is_empty() {
        return Ok(None);
    }
    let list = kernel::db::list_placeholders(3, room.services.len());
    let sql = format!(
        "SELECT id FROM clinic_tickets WHERE service_point = $1 AND status = 'waiting' \
         AND (room_id = $2 OR (room_id IS NULL AND service IN ({list}))) ORDER BY rank, queued_at, id LIMIT 1{}",
        db.skip_locked()
    );
    for _ in 0..5 {
        let mut q =
            sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone())).bind(&room.service_point).bind(&room.id);
        for s in &room.services {
            q = q.bind(s);
        }
        let Some(id) = q.fetch_optional(&mut **tx).await? else { return Ok(None) };
        let r = sqlx::query(
            "UPDATE clinic_tickets SET status = 'called', room_id = $2, called_at = $3, \
             first_called_at = COALESCE(first_called_at, $3), calls = calls + 1, updated_at = $3 \
             WHERE id = $1 AND status = 'waiting' RETURNING *",
        )
        .bind(&id)
        .bind(&room.id)
        .bind(now)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(r) = r {
            return row_ticket(&r).map(Some);
        }
    }
    Ok(None)
}

/// Moves a ticket from one of `from` statuses to `to`, with the given column changes;
/// `None` when the ticket is not in one of those statuses (someone else acted first).
pub async fn move_ticket(
    tx: &mut Tx,
    id: &str,
    from: &[&str],
    change: TicketChange<'_>,
    now: i64,
) -> sqlx::Result<Option<crate::model::Ticket>> {
    let from_list = from.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let set = match change {
        TicketChange::Recall => "calls = calls + 1, called_at = $2".to_string(),
        TicketChange::Skip => "status = 'skipped'".to_string(),
        TicketChange::Reinstate => "status = 'waiting', room_id = NULL".to_string(),
        TicketChange::Done => "status = 'done', done_at = $2".to_string(),
        TicketChange::Cancel => "status = 'cancelled', done_at = $2".to_string(),
        TicketChange::Transfer { .. } => {
            "status = 'waiting', service = $3, room_id = $4, transfers = transfers + 1".to_string()
        }
    };
    let sql = format!(
        "UPDATE clinic_tickets SET {set}, updated_at = $2 WHERE id = $1 AND status IN ({from_list}) RETURNING *"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(now);
    if let TicketChange::Transfer { service, room_id } = change {
        q = q.bind(service).bind(room_id);
    }
    let r = q.fetch_optional(&mut **tx).await?;
    r.as_ref().map(row_ticket).transpose()
}

/// What a queue action changes on a ticket.
#[derive(Clone, Copy, Debug)]
pub enum TicketChange<'a> {
    Recall,
    Skip,
    Reinstate,
    Done,
    Cancel,
    Transfer { service: &'a str, room_id: Option<&'a str> },
}

pub async fn insert_queue_event(
    tx: &mut Tx,
    t: &crate::model::Ticket,
    kind: &str,
    by: &str,
    now: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_events (id, ticket_id, service_point, kind, room_id, service, at, by_actor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(kernel::new_id())
    .bind(&t.id)
    .bind(&t.service_point)
    .bind(kind)
    .bind(&t.room_id)
    .bind(&t.service)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks a change at a service point, for live pages on every replica.
pub async fn bump_queue_version(tx: &mut Tx, point: &str) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_queue_versions (service_point, version) VALUES ($1, 1) \
         ON CONFLICT (service_point) DO UPDATE SET version = clinic_queue_versions.version + 1",
    )
    .bind(point)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn queue_version(db: &Db, point: &str) -> sqlx::Result<i64> {
    Ok(sqlx::query_scalar("SELECT version FROM clinic_queue_versions WHERE service_point = $1")
        .bind(point)
        .fetch_optional(db.pool())
        .await?
        .unwrap_or(0))
}

/// When tickets of a service were called at a service point since `since` (first calls only).
pub async fn queue_calls_since(db: &Db, point: &str, service: &str, since: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT at FROM clinic_queue_events WHERE service_point = $1 AND service = $2 AND kind = 'called' AND at >= $3",
    )
    .bind(point)
    .bind(service)
    .bind(since)
    .fetch_all(db.pool())
    .await
}

/// The latest calls and recalls at a service point, newest first: (number, room id, at).
pub async fn latest_calls(db: &Db, point: &str, since: i64, limit: i64) -> sqlx::Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT t.number, e.room_id, e.at FROM clinic_queue_events e JOIN clinic_tickets t ON t.id = e.ticket_id \
         WHERE e.service_point = $1 AND e.kind IN ('called', 'recalled') AND e.at >= $2 AND e.room_id IS NOT NULL \
         ORDER BY e.at DESC LIMIT $3",
    )
    .bind(point)
    .bind(since)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("number")?, r.try_get("room_id")?, r.try_get("at")?))).collect()
}

/// Per ticket issued between two days (inclusive): day, service, issued and first called
/// (NULL while still waiting or never called), and status.
pub async fn queue_history(
    db: &Db,
    point: &str,
    from_day: &str,
    to_day: &str,
) -> sqlx::Result<Vec<(String, String, i64, Option<i64>, String)>> {
    let rows = sqlx::query(
        "SELECT day, service, issued_at, first_called_at, status FROM clinic_tickets \
         WHERE service_point = $1 AND day >= $2 AND day <= $3 ORDER BY day, issued_at",
    )
    .bind(point)
    .bind(from_day)
    .bind(to_day)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("day")?,
                r.try_get("service")?,
                r.try_get("issued_at")?,
                r.try_get("first_called_at")?,
                r.try_get("status")?,
            ))
        })
        .collect()
}

// ---- Cold chain ----

fn row_fridge(r: &AnyRow) -> sqlx::Result<crate::model::Fridge> {
    Ok(crate::model::Fridge {
        id: r.try_get("id")?,
        service_point: r.try_get("service_point")?,
        name: r.try_get("name")?,
        device_id: r.try_get("device_id")?,
        min_c: r.try_get("min_c")?,
        max_c: r.try_get("max_c")?,
        contact: r.try_get("contact")?,
        contact_lang: r.try_get("contact_lang")?,
        last_reading_at: r.try_get("last_reading_at")?,
        last_temp: r.try_get("last_temp")?,
        excursion_kind: r.try_get("excursion_kind")?,
        excursion_alarm_id: r.try_get("excursion_alarm_id")?,
        offline_alarm_id: r.try_get("offline_alarm_id")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert_fridge(tx: &mut Tx, f: &crate::model::Fridge, key_hash: &str, by: &str) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO clinic_fridges (id, service_point, name, device_id, key_hash, min_c, max_c, contact, contact_lang, \
         active, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11)",
    )
    .bind(&f.id)
    .bind(&f.service_point)
    .bind(&f.name)
    .bind(&f.device_id)
    .bind(key_hash)
    .bind(f.min_c)
    .bind(f.max_c)
    .bind(&f.contact)
    .bind(&f.contact_lang)
    .bind(f.created_at)
    .bind(by)
    .execute(&mut **tx)
    .await;
    match r {
        Ok(_) => Ok(true),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn fridges_at(db: &Db, point: &str) -> sqlx::Result<Vec<crate::model::Fridge>> {
    let rows = sqlx::query("SELECT * FROM clinic_fridges WHERE service_point = $1 AND active = 1 ORDER BY name, id")
        .bind(point)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_fridge).collect()
}

pub async fn fridge(db: &Db, id: &str) -> sqlx::Result<Option<crate::model::Fridge>> {
    let r = sqlx::query("SELECT * FROM clinic_fridges WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_fridge).transpose()
}

/// An active fridge by its device id, with the hash of its key.
pub async fn fridge_by_device(db: &Db, device_id: &str) -> sqlx::Result<Option<(crate::model::Fridge, String)>> {
    let r = sqlx::query("SELECT * FROM clinic_fridges WHERE device_id = $1 AND active = 1")
        .bind(device_id)
        .fetch_optional(db.pool())
        .await?;
    match r {
        Some(r) => Ok(Some((row_fridge(&r)?, r.try_get("key_hash")?))),
        None => Ok(None),
    }
}

/// The alarm state of the active fridges with these device ids, read inside the ingest
/// transaction.
pub async fn fridge_states(
    tx: &mut Tx,
    devices: &[&str],
) -> sqlx::Result<Vec<(crate::model::Fridge, crate::coldchain::State)>> {
    let mut rows = vec![];
    for chunk in devices.chunks(kernel::db::MAX_BINDS) {
        let list = kernel::db::list_placeholders(1, chunk.len());
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM clinic_fridges WHERE active = 1 AND device_id IN ({list})"
        )));
        for d in chunk {
            q = q.bind(*d);
        }
        rows.extend(q.fetch_all(&mut **tx).await?);
    }
    rows.iter()
        .map(|r| {
            let f = row_fridge(r)?;
            let kind: Option<String> = r.try_get("excursion_kind")?;
            let excursion = match (
                r.try_get::<Option<String>, _>("excursion_alarm_id")?,
                kind.as_deref().and_then(crate::coldchain::Kind::parse),
            ) {
                (Some(alarm_id), Some(kind)) => Some(crate::coldchain::Excursion {
                    alarm_id,
                    kind,
                    started_at: r.try_get::<Option<i64>, _>("excursion_started_at")?.unwrap_or(0),
                    min: r.try_get::<Option<f64>, _>("excursion_min")?.unwrap_or(f64::NAN),
                    max: r.try_get::<Option<f64>, _>("excursion_max")?.unwrap_or(f64::NAN),
                }),
                _ => None,
            };
            let state = crate::coldchain::State {
                last_reading_at: f.last_reading_at,
                last_temp: f.last_temp,
                excursion,
                offline_alarm: f.offline_alarm_id.clone(),
            };
            Ok((f, state))
        })
        .collect()
}

pub async fn save_fridge_state(tx: &mut Tx, id: &str, s: &crate::coldchain::State) -> sqlx::Result<()> {
    let e = s.excursion.as_ref();
    sqlx::query(
        "UPDATE clinic_fridges SET last_reading_at = $2, last_temp = $3, excursion_alarm_id = $4, excursion_kind = $5, \
         excursion_started_at = $6, excursion_min = $7, excursion_max = $8, offline_alarm_id = $9 WHERE id = $1",
    )
    .bind(id)
    .bind(s.last_reading_at)
    .bind_opt_f64(s.last_temp)
    .bind(e.map(|e| e.alarm_id.clone()))
    .bind(e.map(|e| e.kind.code()))
    .bind(e.map(|e| e.started_at))
    .bind_opt_f64(e.map(|e| e.min))
    .bind_opt_f64(e.map(|e| e.max))
    .bind(&s.offline_alarm)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records the latest reading of fridges whose alarm state did not otherwise change, many in
/// one statement: `(fridge id, at, °C)`.
pub async fn save_last_readings(tx: &mut Tx, rows: &[(&str, i64, f64)]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(3)) {
        let n = chunk.len();
        let mut at = String::from("CASE id");
        let mut temp = String::from("CASE id");
        for i in 0..n {
            at.push_str(&format!(" WHEN ${} THEN ${}", 3 * i + 1, 3 * i + 2));
            temp.push_str(&format!(" WHEN ${} THEN ${}", 3 * i + 1, 3 * i + 3));
        }
        let ids = (0..n).map(|i| format!("${}", 3 * i + 1)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "UPDATE clinic_fridges SET last_reading_at = {at} ELSE last_reading_at END, \
             last_temp = {temp} ELSE last_temp END WHERE id IN ({ids})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, at, t) in chunk {
            q = q.bind(*id).bind(*at).bind(*t);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Appends readings `(fridge id, at, °C, received at)` with multi-row inserts.
pub async fn insert_readings(tx: &mut Tx, rows: &[(&str, i64, f64, i64)]) -> sqlx::Result<()> {
    for chunk in rows.chunks(rows_per_statement(4)) {
        let sql = format!(
            "INSERT INTO clinic_fridge_readings (fridge_id, at, temp_c, received_at) VALUES {}",
            values_placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (f, at, t, rec) in chunk {
            q = q.bind(*f).bind(*at).bind(*t).bind(*rec);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_alarm(
    tx: &mut Tx,
    id: &str,
    fridge_id: &str,
    point: &str,
    kind: &str,
    started_at: i64,
    min_max: Option<(f64, f64)>,
    opened_at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_fridge_alarms (id, fridge_id, service_point, kind, started_at, min_c, max_c, opened_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(fridge_id)
    .bind(point)
    .bind(kind)
    .bind(started_at)
    .bind_opt_f64(min_max.map(|m| m.0))
    .bind_opt_f64(min_max.map(|m| m.1))
    .bind(opened_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Updates an alarm's extremes and, when it is over, its end.
pub async fn update_alarm(
    tx: &mut Tx,
    id: &str,
    min_max: Option<(f64, f64)>,
    ended_at: Option<i64>,
) -> sqlx::Result<()> {
    if let Some((min, max)) = min_max {
        sqlx::query("UPDATE clinic_fridge_alarms SET min_c = $2, max_c = $3 WHERE id = $1")
            .bind(id)
            .bind(min)
            .bind(max)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(at) = ended_at {
        sqlx::query("UPDATE clinic_fridge_alarms SET ended_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn row_alarm(r: &AnyRow) -> sqlx::Result<crate::model::FridgeAlarm> {
    Ok(crate::model::FridgeAlarm {
        id: r.try_get("id")?,
        fridge_id: r.try_get("fridge_id")?,
        service_point: r.try_get("service_point")?,
        kind: r.try_get("kind")?,
        started_at: r.try_get("started_at")?,
        ended_at: r.try_get("ended_at")?,
        min_c: r.try_get("min_c")?,
        max_c: r.try_get("max_c")?,
        opened_at: r.try_get("opened_at")?,
        acknowledged_at: r.try_get("acknowledged_at")?,
        acknowledged_by: r.try_get("acknowledged_by")?,
        note: r.try_get("note")?,
        escalated_at: r.try_get("escalated_at")?,
    })
}

pub async fn alarm(db: &Db, id: &str) -> sqlx::Result<Option<crate::model::FridgeAlarm>> {
    let r = sqlx::query("SELECT * FROM clinic_fridge_alarms WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_alarm).transpose()
}

/// A fridge's alarms, newest first.
pub async fn alarms_of(db: &Db, fridge_id: &str, limit: i64) -> sqlx::Result<Vec<crate::model::FridgeAlarm>> {
    let rows = sqlx::query("SELECT * FROM clinic_fridge_alarms WHERE fridge_id = $1 ORDER BY started_at DESC LIMIT $2")
        .bind(fridge_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_alarm).collect()
}

/// Alarms still needing attention at a clinic: ongoing or not yet acknowledged.
pub async fn open_alarms_at(db: &Db, point: &str) -> sqlx::Result<Vec<crate::model::FridgeAlarm>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridge_alarms WHERE service_point = $1 AND (ended_at IS NULL OR acknowledged_at IS NULL) \
         ORDER BY started_at DESC",
    )
    .bind(point)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_alarm).collect()
}

/// Unacknowledged alarms opened before `before` and not yet escalated.
pub async fn alarms_to_escalate(db: &Db, before: i64) -> sqlx::Result<Vec<crate::model::FridgeAlarm>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridge_alarms WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND opened_at <= $1 \
         ORDER BY opened_at",
    )
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_alarm).collect()
}

pub async fn mark_escalated(tx: &mut Tx, id: &str, at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query("UPDATE clinic_fridge_alarms SET escalated_at = $2 WHERE id = $1 AND escalated_at IS NULL")
        .bind(id)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn acknowledge_alarm(tx: &mut Tx, id: &str, by: &str, note: &str, at: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE clinic_fridge_alarms SET acknowledged_at = $2, acknowledged_by = $3, note = $4 \
         WHERE id = $1 AND acknowledged_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(by)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Active fridges silent since `before` without an offline alarm.
pub async fn silent_fridges(db: &Db, before: i64) -> sqlx::Result<Vec<crate::model::Fridge>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridges WHERE active = 1 AND offline_alarm_id IS NULL \
         AND COALESCE(last_reading_at, created_at) <= $1",
    )
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_fridge).collect()
}

/// Records an offline alarm on a fridge, unless a reading or another replica got there first.
pub async fn set_offline(tx: &mut Tx, fridge_id: &str, alarm_id: &str, before: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE clinic_fridges SET offline_alarm_id = $2 WHERE id = $1 AND offline_alarm_id IS NULL \
         AND COALESCE(last_reading_at, created_at) <= $3",
    )
    .bind(fridge_id)
    .bind(alarm_id)
    .bind(before)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Readings of a fridge in `[from, to]`, in time order.
pub async fn readings(db: &Db, fridge_id: &str, from: i64, to: i64) -> sqlx::Result<Vec<(i64, f64)>> {
    let rows = sqlx::query(
        "SELECT at, temp_c FROM clinic_fridge_readings WHERE fridge_id = $1 AND at >= $2 AND at <= $3 ORDER BY at",
    )
    .bind(fridge_id)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok((r.try_get("at")?, r.try_get("temp_c")?))).collect()
}

fn row_lot(r: &AnyRow) -> sqlx::Result<crate::model::VaccineLot> {
    Ok(crate::model::VaccineLot {
        id: r.try_get("id")?,
        fridge_id: r.try_get("fridge_id")?,
        product: r.try_get("product")?,
        lot_number: r.try_get("lot_number")?,
        doses: r.try_get("doses")?,
        expiry: r.try_get("expiry")?,
        status: r.try_get("status")?,
        alarm_id: r.try_get("alarm_id")?,
        status_at: r.try_get("status_at")?,
        reason: r.try_get("reason")?,
    })
}

pub async fn lots_of(db: &Db, fridge_id: &str) -> sqlx::Result<Vec<crate::model::VaccineLot>> {
    let rows = sqlx::query("SELECT * FROM clinic_vaccine_lots WHERE fridge_id = $1 ORDER BY expiry, lot_number")
        .bind(fridge_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(row_lot).collect()
}

pub async fn lot(db: &Db, id: &str) -> sqlx::Result<Option<crate::model::VaccineLot>> {
    let r = sqlx::query("SELECT * FROM clinic_vaccine_lots WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(row_lot).transpose()
}

pub async fn insert_lot(tx: &mut Tx, l: &crate::model::VaccineLot, at: i64) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO clinic_vaccine_lots (id, fridge_id, product, lot_number, doses, expiry, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'available', $7)",
    )
    .bind(&l.id)
    .bind(&l.fridge_id)
    .bind(&l.product)
    .bind(&l.lot_number)
    .bind(l.doses)
    .bind(&l.expiry)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a lot from one of `from` statuses to `to`; `false` when it was not in one of them.
#[allow(clippy::too_many_arguments)]
pub async fn set_lot_status(
    tx: &mut Tx,
    id: &str,
    from: &[&str],
    to: &str,
    alarm_id: Option<&str>,
    by: &str,
    reason: &str,
    at: i64,
) -> sqlx::Result<bool> {
    let list = from.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE clinic_vaccine_lots SET status = $2, alarm_id = COALESCE($3, alarm_id), status_by = $4, reason = $5, \
         status_at = $6 WHERE id = $1 AND status IN ({list})"
    )))
    .bind(id)
    .bind(to)
    .bind(alarm_id)
    .bind(by)
    .bind(reason)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
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

/// Open slots starting between `from_ms` and `to_ms` with no booking yet, soonest first:
/// (slot id, service, service point, general places = capacity less the walk-in and 65+ pools).
pub async fn unbooked_slots_between(
    db: &Db,
    from_ms: i64,
    to_ms: i64,
) -> sqlx::Result<Vec<(String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.id, s.service, s.service_point, s.capacity - s.pool_walkin - s.pool_elderly AS general FROM clinic_slots s \
         WHERE s.status = 'open' AND s.booked = 0 AND s.starts_at >= $1 AND s.starts_at < $2 \
         AND NOT EXISTS (SELECT 1 FROM clinic_ballots b WHERE b.slot_id = s.id) ORDER BY s.starts_at, s.id",
    )
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("service")?, r.try_get("service_point")?, r.try_get("general")?)))
        .collect()
}

/// Synthetic citizens born between `born_from` and `born_to` (`YYYY-MM-DD`, inclusive) with no
/// active booking for `service` and not on its waitlists, by id.
pub async fn citizens_free_for(db: &Db, service: &str, born_from: &str, born_to: &str) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT c.id FROM citizens c WHERE c.synthetic = 1 AND c.birth_date >= $1 AND c.birth_date <= $2 \
         AND NOT EXISTS (SELECT 1 FROM clinic_bookings b WHERE b.citizen_id = c.id AND b.service = $3 AND b.status = 'booked') \
         AND NOT EXISTS (SELECT 1 FROM clinic_waitlist w WHERE w.citizen_id = c.id AND w.service = $3) ORDER BY c.id DESC",
    )
    .bind(born_from)
    .bind(born_to)
    .bind(service)
    .fetch_all(db.pool())
    .await
}

/// Demo bookings made at the counter or online in the past few days: (slot id, service,
/// service point, citizen id, channel, made at). Counts each slot's places in the same transaction.
pub async fn insert_demo_bookings(
    tx: &mut Tx,
    rows: &[(String, String, String, String, &str, i64)],
) -> sqlx::Result<()> {
    const COLS: usize = 12;
    for chunk in rows.chunks(rows_per_statement(COLS)) {
        let sql = format!(
            "INSERT INTO clinic_bookings (id, reference, slot_id, service, service_point, citizen_id, booked_by, channel, pool, status, \
             created_at, updated_at) VALUES {}",
            values_placeholders(chunk.len(), COLS)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (slot, service, point, citizen, channel, at) in chunk {
            q = q
                .bind(kernel::new_id())
                .bind(crate::booking::new_reference())
                .bind(slot)
                .bind(service)
                .bind(point)
                .bind(citizen)
                .bind("demo")
                .bind(*channel)
                .bind("general")
                .bind("booked")
                .bind(*at)
                .bind(*at);
        }
        q.execute(&mut **tx).await?;
    }
    let mut per_slot: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for r in rows {
        *per_slot.entry(r.0.as_str()).or_insert(0) += 1;
    }
    for (slot, n) in per_slot {
        let done = sqlx::query(
            "UPDATE clinic_slots SET booked = booked + $1 WHERE id = $2 AND booked + $1 <= capacity - pool_walkin - pool_elderly",
        )
        .bind(n)
        .bind(slot)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(sqlx::Error::Protocol(format!("slot {slot} has no room for {n} demo bookings")));
        }
    }
    Ok(())
}
