//! Checking the weekly counts against the cases they summarise (`phos protection counts`).

use std::collections::BTreeMap;

use kernel::Db;

use crate::store;
use crate::weeks::Cell;

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

/// Rewrites the weekly counts from the cases, under the same lock as every change to cases.
pub async fn repair(db: &Db) -> sqlx::Result<usize> {
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "protection_intake").await?;
    let cells: Vec<(Cell, i64)> = recount(store::case_day_counts_in(&mut tx).await?)?.into_iter().collect();
    store::rebuild_weekly_counts(&mut tx, &cells).await?;
    tx.commit().await?;
    Ok(cells.len())
}
