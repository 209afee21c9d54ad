//! The audit log's SQL: appending entries to the chain (serialised per engine), reading it
//! back to verify it, and searching it; nothing else.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Actor, Entry, Event, GENESIS, Origin, Search, Verdict, entry};
use crate::db::{Db, Tx};

pub(super) fn row_to_entry(r: &AnyRow) -> sqlx::Result<Entry> {
    Ok(Entry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor_type: r.try_get("actor_type")?,
        actor_id: r.try_get("actor_id")?,
        action: r.try_get("action")?,
        subject_type: r.try_get("subject_type")?,
        subject_id: r.try_get("subject_id")?,
        person_id: r.try_get("person_id")?,
        purpose: r.try_get("purpose")?,
        request_id: r.try_get("request_id")?,
        ip: r.try_get("ip")?,
        detail: r.try_get("detail")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor_type, actor_id, action, subject_type, subject_id, person_id, purpose, request_id, ip, detail, prev_hash, hash";

/// Appends an entry inside `tx` (the transaction of the change it records).
///
/// The chain's head is remembered per database handle, so the usual append is one statement:
/// an insert that only happens if that remembered entry is still the last one (same sequence
/// number and hash, nothing after it). When another process or a rolled-back transaction moved
/// the head, it falls back to reading the head and inserting after it.
pub async fn record(db: &Db, tx: &mut Tx, actor: &Actor, origin: &Origin, e: Event<'_>) -> sqlx::Result<i64> {
    db.lock_in_tx(tx, "audit_log").await?;
    let remembered = db.audit_head.lock().map(|h| h.clone()).unwrap_or(None);
    if let Some((seq, hash)) = remembered {
        let candidate = entry(actor, origin, &e, seq, hash.clone());
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_log ({COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 \
             WHERE EXISTS (SELECT 1 FROM audit_log WHERE seq = $15 AND hash = $13) \
             AND NOT EXISTS (SELECT 1 FROM audit_log WHERE seq > $15)"
        )));
        let r = bind_entry(q, &candidate).bind(seq).execute(&mut **tx).await?;
        if r.rows_affected() == 1 {
            remember(db, &candidate);
            return Ok(candidate.seq);
        }
    }
    let seqs = record_many(db, tx, &[(actor.clone(), origin.clone(), e)]).await?;
    Ok(seqs[0])
}

/// Appends several entries inside `tx`, chained in order, with multi-row inserts (one read
/// of the head, then the rows). Returns their sequence numbers.
pub async fn record_many(db: &Db, tx: &mut Tx, events: &[(Actor, Origin, Event<'_>)]) -> sqlx::Result<Vec<i64>> {
    const COLS: usize = 14;
    if events.is_empty() {
        return Ok(vec![]);
    }
    db.lock_in_tx(tx, "audit_log").await?;
    let last =
        sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(&mut **tx).await?;
    let (mut seq, mut hash) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_string()),
    };
    let mut entries = Vec::with_capacity(events.len());
    for (actor, origin, e) in events {
        let next = entry(actor, origin, e, seq, hash);
        seq = next.seq;
        hash = next.hash.clone();
        entries.push(next);
    }
    for chunk in entries.chunks(crate::db::rows_per_statement(COLS)) {
        let q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES {}",
            crate::db::values_placeholders(chunk.len(), COLS)
        )));
        let mut q = q;
        for e in chunk {
            q = bind_entry(q, e);
        }
        q.execute(&mut **tx).await?;
    }
    if let Some(last) = entries.last() {
        remember(db, last);
    }
    Ok(entries.iter().map(|e| e.seq).collect())
}

fn remember(db: &Db, e: &Entry) {
    if let Ok(mut h) = db.audit_head.lock() {
        *h = Some((e.seq, e.hash.clone()));
    }
}

fn bind_entry<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    e: &Entry,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    q.bind(e.seq)
        .bind(e.at)
        .bind(e.actor_type.clone())
        .bind(e.actor_id.clone())
        .bind(e.action.clone())
        .bind(e.subject_type.clone())
        .bind(e.subject_id.clone())
        .bind(e.person_id.clone())
        .bind(e.purpose.clone())
        .bind(e.request_id.clone())
        .bind(e.ip.clone())
        .bind(e.detail.clone())
        .bind(e.prev_hash.clone())
        .bind(e.hash.clone())
}

pub async fn record_now(db: &Db, actor: &Actor, origin: &Origin, e: Event<'_>) -> sqlx::Result<i64> {
    let mut tx = db.begin().await?;
    let seq = record(db, &mut tx, actor, origin, e).await?;
    tx.commit().await?;
    Ok(seq)
}

/// Walks the chain in order and names the first broken entry.
pub async fn verify(db: &Db) -> sqlx::Result<Verdict> {
    let mut prev_hash = GENESIS.to_string();
    let mut expected_seq = 1;
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"
        )))
        .bind(after)
        .fetch_all(db.pool())
        .await?;
        if rows.is_empty() {
            return Ok(Verdict::Intact { entries: expected_seq - 1 });
        }
        for r in &rows {
            let e = row_to_entry(r)?;
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("entry {expected_seq} is missing (next is {})", e.seq),
                });
            }
            if e.prev_hash != prev_hash {
                return Ok(Verdict::Broken { seq: e.seq, reason: "does not link to the entry before it".into() });
            }
            if e.compute_hash() != e.hash {
                return Ok(Verdict::Broken { seq: e.seq, reason: "its content does not match its hash".into() });
            }
            prev_hash = e.hash;
            expected_seq += 1;
            after = e.seq;
        }
    }
}

/// The `WHERE` clause of a search and its text binds (`None` binds NULL), from `$1`; the two
/// instants bind after them.
fn filter(s: &Search) -> (String, Vec<Option<String>>) {
    let mut binds = vec![s.person_id.clone(), s.actor_id.clone(), s.action.clone()];
    let mut sql = String::from(
        "($1 IS NULL OR person_id = $1) AND ($2 IS NULL OR actor_id = $2) AND ($3 IS NULL OR action = $3)",
    );
    if let Some(ids) = &s.actor_ids {
        if ids.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
            sql.push_str(&format!(" AND actor_id IN ({})", marks.join(", ")));
            binds.extend(ids.iter().map(|i| Some(i.clone())));
        }
    }
    let n = binds.len();
    sql.push_str(&format!(" AND (${a} IS NULL OR at >= ${a}) AND (${b} IS NULL OR at < ${b})", a = n + 1, b = n + 2));
    (sql, binds)
}

/// Entries matching a search, newest first: `limit` of them after skipping `offset`.
async fn entries(db: &Db, s: &Search, limit: i64, offset: i64) -> sqlx::Result<Vec<Entry>> {
    let (filter, binds) = filter(s);
    let n = binds.len();
    let sql =
        format!("SELECT {COLUMNS} FROM audit_log WHERE {filter} ORDER BY seq DESC LIMIT ${} OFFSET ${}", n + 3, n + 4);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.bind(s.from_ms).bind(s.to_ms).bind(limit).bind(offset).fetch_all(db.pool()).await?;
    rows.iter().map(row_to_entry).collect()
}

pub async fn search(db: &Db, s: &Search) -> sqlx::Result<Vec<Entry>> {
    entries(db, s, if s.limit > 0 { s.limit } else { 200 }, 0).await
}

/// How many entries match a search.
pub async fn count(db: &Db, s: &Search) -> sqlx::Result<i64> {
    let (filter, binds) = filter(s);
    let mut q =
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM audit_log WHERE {filter}")));
    for b in binds {
        q = q.bind(b);
    }
    q.bind(s.from_ms).bind(s.to_ms).fetch_one(db.pool()).await
}

/// One page of a search (newest first) and how many entries match in all.
pub async fn search_page(db: &Db, s: &Search, limit: i64, offset: i64) -> sqlx::Result<(Vec<Entry>, i64)> {
    Ok((entries(db, s, limit, offset).await?, count(db, s).await?))
}
