//! Checking the weekly counts and the delay counts against the cases they summarise
//! (`phos protection counts`).

use std::collections::BTreeMap;

use kernel::Db;

use super::delays::{CaseTimes, DelayCell, DelayDeltas};
use super::store;
use super::weeks::Cell;

/// A cell where the table and a recount of the cases disagree: (cell, table, recount).
pub type Difference = (Cell, i64, i64);

fn recount(rows: Vec<(String, String, String, String, i64)>) -> sqlx::Result<BTreeMap<Cell, i64>> {
    let mut out: BTreeMap<Cell, i64> = BTreeMap::new();
    for (disease, date, district, class, n) in rows {
        let day = date.parse().map_err(|e: chrono::ParseError| sqlx::Error::Decode(e.into()))?;
        *out.entry(Cell::new(&disease, day, &district, &class)).or_insert(0) += n;
    }
    out.retain(|_, n| *n != 0);
    Ok(out)
}

/// Every cell where the weekly counts differ from the cases (empty when they agree).
pub async fn differences(db: &Db) -> sqlx::Result<Vec<Difference>> {
    let fresh = recount(store::case_day_counts(db).await?)?;
    let table: BTreeMap<Cell, i64> = store::weekly_counts(db, None).await?.into_iter().collect();
    let mut out = vec![];
    for (cell, n) in &fresh {
        let t = table.get(cell).copied().unwrap_or(0);
        if t != *n {
            out.push((cell.clone(), t, *n));
        }
    }
    for (cell, t) in &table {
        if !fresh.contains_key(cell) {
            out.push((cell.clone(), *t, 0));
        }
    }
    Ok(out)
}

fn recount_delays(rows: Vec<store::CaseTimesRow>) -> BTreeMap<DelayCell, i64> {
    let mut d = DelayDeltas::default();
    for (disease, notified, district, class, onset, follow, n) in &rows {
        let t = CaseTimes {
            disease,
            notified_date: notified,
            district,
            classification: class,
            onset_date: onset.as_deref(),
            first_followup_date: follow.as_deref(),
        };
        d.add(&t, *n);
    }
    d.into_vec().into_iter().collect()
}

/// A cell of the delay counts where the table and a recount disagree: (cell, table, recount).
pub type DelayDifference = (DelayCell, i64, i64);

/// Every cell where the delay counts differ from the cases, and how many cases' first follow-up
/// day differs from their contacts' records.
pub async fn delay_differences(db: &Db) -> sqlx::Result<(Vec<DelayDifference>, i64)> {
    let fresh = recount_delays(store::case_times(db).await?);
    let table: BTreeMap<DelayCell, i64> = store::delay_counts(db).await?.into_iter().collect();
    let mut out = vec![];
    for (cell, n) in &fresh {
        let t = table.get(cell).copied().unwrap_or(0);
        if t != *n {
            out.push((cell.clone(), t, *n));
        }
    }
    for (cell, t) in &table {
        if !fresh.contains_key(cell) {
            out.push((cell.clone(), *t, 0));
        }
    }
    Ok((out, store::stale_first_followups(db).await?))
}

/// Rewrites the weekly counts, the cases' first follow-up days and the delay counts from the
/// cases and follow-ups, under the same lock as every change to cases: (weekly cells, delay cells).
pub async fn repair(db: &Db) -> sqlx::Result<(usize, usize)> {
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "protection_intake").await?;
    let cells: Vec<(Cell, i64)> = recount(store::case_day_counts_in(&mut tx).await?)?.into_iter().collect();
    store::rebuild_weekly_counts(&mut tx, &cells).await?;
    store::refresh_first_followups(&mut tx).await?;
    let delays: Vec<(DelayCell, i64)> = recount_delays(store::case_times_in(&mut tx).await?).into_iter().collect();
    store::rebuild_delay_counts(&mut tx, &delays).await?;
    tx.commit().await?;
    Ok((cells.len(), delays.len()))
}
