//! SQL for coldchain: the cold chain: fridges, their state, readings, alarms and vaccine lots.

use kernel::db::{BindOptF64, Db, Tx, rows_per_statement, values_placeholders};
use sqlx::{FromRow, Row};

use super::{Fridge, FridgeAlarm, VaccineLot};

pub async fn insert_fridge(tx: &mut Tx, f: &Fridge, key_hash: &str, by: &str) -> sqlx::Result<bool> {
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

pub async fn fridges_at(db: &Db, point: &str) -> sqlx::Result<Vec<Fridge>> {
    let rows = sqlx::query("SELECT * FROM clinic_fridges WHERE service_point = $1 AND active = 1 ORDER BY name, id")
        .bind(point)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(Fridge::from_row).collect()
}

pub async fn fridge(db: &Db, id: &str) -> sqlx::Result<Option<Fridge>> {
    let r = sqlx::query("SELECT * FROM clinic_fridges WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(Fridge::from_row).transpose()
}

/// An active fridge by its device id, with the hash of its key.
pub async fn fridge_by_device(db: &Db, device_id: &str) -> sqlx::Result<Option<(Fridge, String)>> {
    let r = sqlx::query("SELECT * FROM clinic_fridges WHERE device_id = $1 AND active = 1")
        .bind(device_id)
        .fetch_optional(db.pool())
        .await?;
    match r {
        Some(r) => Ok(Some((Fridge::from_row(&r)?, r.try_get("key_hash")?))),
        None => Ok(None),
    }
}

/// The alarm state of the active fridges with these device ids, read inside the ingest
/// transaction.
pub async fn fridge_states(
    tx: &mut Tx,
    devices: &[&str],
) -> sqlx::Result<Vec<(Fridge, crate::coldchain::rules::State)>> {
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
            let f = Fridge::from_row(r)?;
            let kind: Option<String> = r.try_get("excursion_kind")?;
            let excursion = match (
                r.try_get::<Option<String>, _>("excursion_alarm_id")?,
                kind.as_deref().and_then(crate::coldchain::rules::Kind::parse),
            ) {
                (Some(alarm_id), Some(kind)) => Some(crate::coldchain::rules::Excursion {
                    alarm_id,
                    kind,
                    started_at: r.try_get::<Option<i64>, _>("excursion_started_at")?.unwrap_or(0),
                    min: r.try_get::<Option<f64>, _>("excursion_min")?.unwrap_or(f64::NAN),
                    max: r.try_get::<Option<f64>, _>("excursion_max")?.unwrap_or(f64::NAN),
                }),
                _ => None,
            };
            let state = crate::coldchain::rules::State {
                last_reading_at: f.last_reading_at,
                last_temp: f.last_temp,
                excursion,
                offline_alarm: f.offline_alarm_id.clone(),
            };
            Ok((f, state))
        })
        .collect()
}

pub async fn save_fridge_state(tx: &mut Tx, id: &str, s: &crate::coldchain::rules::State) -> sqlx::Result<()> {
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

// One argument per column the statement writes; a struct would only repeat the column list.
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

pub async fn alarm(db: &Db, id: &str) -> sqlx::Result<Option<FridgeAlarm>> {
    let r = sqlx::query("SELECT * FROM clinic_fridge_alarms WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(FridgeAlarm::from_row).transpose()
}

/// A fridge's alarms, newest first.
pub async fn alarms_of(db: &Db, fridge_id: &str, limit: i64) -> sqlx::Result<Vec<FridgeAlarm>> {
    let rows = sqlx::query("SELECT * FROM clinic_fridge_alarms WHERE fridge_id = $1 ORDER BY started_at DESC LIMIT $2")
        .bind(fridge_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(FridgeAlarm::from_row).collect()
}

/// Alarms still needing attention at a clinic: ongoing or not yet acknowledged.
pub async fn open_alarms_at(db: &Db, point: &str) -> sqlx::Result<Vec<FridgeAlarm>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridge_alarms WHERE service_point = $1 AND (ended_at IS NULL OR acknowledged_at IS NULL) \
         ORDER BY started_at DESC",
    )
    .bind(point)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(FridgeAlarm::from_row).collect()
}

/// Unacknowledged alarms opened before `before` and not yet escalated.
pub async fn alarms_to_escalate(db: &Db, before: i64) -> sqlx::Result<Vec<FridgeAlarm>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridge_alarms WHERE acknowledged_at IS NULL AND escalated_at IS NULL AND opened_at <= $1 \
         ORDER BY opened_at",
    )
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(FridgeAlarm::from_row).collect()
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
pub async fn silent_fridges(db: &Db, before: i64) -> sqlx::Result<Vec<Fridge>> {
    let rows = sqlx::query(
        "SELECT * FROM clinic_fridges WHERE active = 1 AND offline_alarm_id IS NULL \
         AND COALESCE(last_reading_at, created_at) <= $1",
    )
    .bind(before)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(Fridge::from_row).collect()
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

pub async fn lots_of(db: &Db, fridge_id: &str) -> sqlx::Result<Vec<VaccineLot>> {
    let rows = sqlx::query("SELECT * FROM clinic_vaccine_lots WHERE fridge_id = $1 ORDER BY expiry, lot_number")
        .bind(fridge_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(VaccineLot::from_row).collect()
}

pub async fn lot(db: &Db, id: &str) -> sqlx::Result<Option<VaccineLot>> {
    let r = sqlx::query("SELECT * FROM clinic_vaccine_lots WHERE id = $1").bind(id).fetch_optional(db.pool()).await?;
    r.as_ref().map(VaccineLot::from_row).transpose()
}

pub async fn insert_lot(tx: &mut Tx, l: &VaccineLot, at: i64) -> sqlx::Result<()> {
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
// The guard (`from`), the new status and the columns it stamps, one argument each; a struct
// would only repeat the column list.
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
