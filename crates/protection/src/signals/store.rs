//! SQL of signals: detection counts and history, signals, their events and runs.

use kernel::db::{Db, MAX_BINDS, Tx, list_placeholders, rows_per_statement, values_placeholders};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, FromRow, Row};

use super::{HistoryRow, Signal, SignalEvent, SignalFilter, SignalRun};

/// Weekly counts for detection: imported history plus the live weekly counts without discarded
/// cases, per (disease, week start, district), for weeks `from..=to`.
pub async fn detection_counts(db: &Db, from: &str, to: &str) -> sqlx::Result<Vec<HistoryRow>> {
    let rows = sqlx::query(
        "SELECT disease, week_start, district, CAST(SUM(n) AS BIGINT) AS n FROM ( \
           SELECT disease, week_start, district, n FROM protection_history_counts WHERE week_start >= $1 AND week_start <= $2 \
           UNION ALL \
           SELECT disease, week_start, district, n FROM protection_weekly_counts \
           WHERE classification <> 'discarded' AND week_start >= $1 AND week_start <= $2 \
         ) c GROUP BY disease, week_start, district HAVING SUM(n) <> 0",
    )
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("disease")?, r.try_get("week_start")?, r.try_get("district")?, r.try_get("n")?)))
        .collect()
}

/// Writes imported history rows (disease, week start, district, n); a row already there takes
/// the new count.
pub async fn upsert_history(tx: &mut Tx, rows: &[HistoryRow]) -> sqlx::Result<()> {
    const COLS: usize = 4;
    for chunk in rows.chunks(rows_per_statement(COLS)) {
        let sql = format!(
            "INSERT INTO protection_history_counts (disease, week_start, district, n) VALUES {} \
             ON CONFLICT (disease, week_start, district) DO UPDATE SET n = excluded.n",
            values_placeholders(chunk.len(), COLS)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (d, w, k, n) in chunk {
            q = q.bind(d).bind(w).bind(k).bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Rows of imported history.
pub async fn history_rows(db: &Db) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM protection_history_counts").fetch_one(db.pool()).await
}

/// A signal to insert.
pub struct NewSignal<'a> {
    pub id: &'a str,
    pub disease: &'a str,
    pub area: &'a str,
    pub method: &'a str,
    pub week_start: &'a str,
    pub observed: f64,
    pub upperbound: Option<f64>,
    pub evidence: &'a str,
    pub run_id: &'a str,
    pub at: i64,
}

/// Inserts a new signal unless one for the same disease, area, method and week exists; true
/// when inserted.
pub async fn insert_signal(tx: &mut Tx, s: &NewSignal<'_>) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO protection_signals (id, disease, area, method, week_start, observed, upperbound, evidence, status, \
         reason, run_id, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'new', '', $9, $10, $10, 1) \
         ON CONFLICT (disease, area, method, week_start) DO NOTHING",
    )
    .bind(s.id)
    .bind(s.disease)
    .bind(s.area)
    .bind(s.method)
    .bind(s.week_start)
    .bind(s.observed)
    .bind(s.upperbound)
    .bind(s.evidence)
    .bind(s.run_id)
    .bind(s.at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_signal_event(
    tx: &mut Tx,
    signal_id: &str,
    from: Option<&str>,
    to: &str,
    reason: &str,
    by: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_signal_events (id, signal_id, from_status, to_status, reason, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(kernel::new_id())
    .bind(signal_id)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(by)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves a signal to `status` if it is still at `version`; false when someone changed it since.
pub async fn update_signal(
    tx: &mut Tx,
    id: &str,
    version: i64,
    status: &str,
    reason: &str,
    cluster_id: Option<&str>,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE protection_signals SET status = $3, reason = $4, cluster_id = COALESCE($5, cluster_id), \
         updated_at = $6, version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(status)
    .bind(reason)
    .bind(cluster_id)
    .bind(kernel::now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_signal_run(tx: &mut Tx, r: &SignalRun) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO protection_signal_runs (id, started_at, week_start, weeks_evaluated, series, signals_raised, \
         milliseconds, started_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&r.id)
    .bind(r.started_at)
    .bind(&r.week_start)
    .bind(r.weeks_evaluated)
    .bind(r.series)
    .bind(r.signals_raised)
    .bind(r.milliseconds)
    .bind(&r.started_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn signal_runs(db: &Db, limit: i64) -> sqlx::Result<Vec<SignalRun>> {
    sqlx::query_as::<_, SignalRun>(
        "SELECT id, started_at, week_start, weeks_evaluated, series, signals_raised, milliseconds, started_by \
         FROM protection_signal_runs ORDER BY started_at DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await
}

const SIGNAL_SELECT: &str = "SELECT s.id, s.disease, s.area, s.method, s.week_start, s.observed, s.upperbound, s.evidence, \
     s.status, s.reason, s.cluster_id, cl.reference AS cluster_reference, s.created_at, s.updated_at, s.version \
     FROM protection_signals s LEFT JOIN protection_clusters cl ON cl.id = s.cluster_id";

/// The WHERE clause of a filter, binding from `$first`; the values to bind in order.
fn signal_where(f: &SignalFilter, with_status: bool, first: usize) -> (String, Vec<String>) {
    let mut clauses = vec![];
    let mut binds = vec![];
    let mut add = |col: &str, v: &Option<String>| {
        if let Some(v) = v {
            binds.push(v.clone());
            clauses.push(format!("s.{col} = ${}", first + binds.len() - 1));
        }
    };
    if with_status {
        add("status", &f.status);
    }
    add("disease", &f.disease);
    add("area", &f.area);
    add("method", &f.method);
    let w = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (w, binds)
}

impl FromRow<'_, AnyRow> for Signal {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        let evidence: String = r.try_get("evidence")?;
        Ok(Signal {
            id: r.try_get("id")?,
            disease: r.try_get("disease")?,
            area: r.try_get("area")?,
            method: r.try_get("method")?,
            week_start: r.try_get("week_start")?,
            observed: r.try_get("observed")?,
            upperbound: r.try_get("upperbound")?,
            evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
            status: r.try_get("status")?,
            reason: r.try_get("reason")?,
            cluster_id: r.try_get("cluster_id")?,
            cluster_reference: r.try_get("cluster_reference")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
            version: r.try_get("version")?,
        })
    }
}

/// Signals matching `f`, the latest week first, a page at a time.
pub async fn signals(db: &Db, f: &SignalFilter, limit: i64, offset: i64) -> sqlx::Result<Vec<Signal>> {
    let (w, binds) = signal_where(f, true, 3);
    let sql = format!(
        "{SIGNAL_SELECT}{w} ORDER BY s.week_start DESC, CASE s.status WHEN 'new' THEN 0 WHEN 'assessing' THEN 1 ELSE 2 END, \
         s.disease, s.area, s.method LIMIT $1 OFFSET $2"
    );
    let mut q = sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset);
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(db.pool()).await?.iter().map(Signal::from_row).collect()
}

/// Signals matching `f` except its status, counted per status.
pub async fn signal_status_counts(db: &Db, f: &SignalFilter) -> sqlx::Result<Vec<(String, i64)>> {
    let (w, binds) = signal_where(f, false, 1);
    let sql = format!("SELECT s.status, COUNT(*) AS n FROM protection_signals s{w} GROUP BY s.status");
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b);
    }
    q.fetch_all(db.pool()).await?.iter().map(|r| Ok((r.try_get("status")?, r.try_get("n")?))).collect()
}

pub async fn signal(db: &Db, id: &str) -> sqlx::Result<Option<Signal>> {
    let r = sqlx::query(AssertSqlSafe(format!("{SIGNAL_SELECT} WHERE s.id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    r.as_ref().map(Signal::from_row).transpose()
}

/// Signals by id, in the transaction that wrote them (the new ones of a run, for the duty
/// officer's summary).
pub async fn signals_by_ids_in(tx: &mut Tx, ids: &[String]) -> sqlx::Result<Vec<Signal>> {
    let mut out = vec![];
    for chunk in ids.chunks(MAX_BINDS) {
        let list = list_placeholders(1, chunk.len());
        let sql = format!("{SIGNAL_SELECT} WHERE s.id IN ({list}) ORDER BY s.disease, s.area, s.method");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id);
        }
        for r in q.fetch_all(&mut **tx).await? {
            out.push(Signal::from_row(&r)?);
        }
    }
    Ok(out)
}

pub async fn signal_events(db: &Db, id: &str) -> sqlx::Result<Vec<SignalEvent>> {
    sqlx::query_as::<_, SignalEvent>(
        "SELECT e.from_status, e.to_status, e.reason, COALESCE(u.display_name, e.changed_by) AS changed_by, e.changed_at \
         FROM protection_signal_events e LEFT JOIN staff_users u ON u.id = e.changed_by \
         WHERE e.signal_id = $1 ORDER BY e.changed_at, e.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await
}
