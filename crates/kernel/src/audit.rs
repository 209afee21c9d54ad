//! The audit log: an append-only record of every write and every read of personal data.
//! Each entry carries the hash of the one before it, so an edited or deleted row breaks the
//! chain at that row. Appends are serialised (an advisory lock on PostgreSQL, the write lock on
//! SQLite) so that the chain stays one line across replicas.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db::{Db, Tx};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Staff(String),
    Citizen(String),
    Partner(String),
    System,
    Anonymous,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::Staff(_) => "staff",
            Actor::Citizen(_) => "citizen",
            Actor::Partner(_) => "partner",
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Actor::Staff(id) | Actor::Citizen(id) | Actor::Partner(id) => id,
            Actor::System => "system",
            Actor::Anonymous => "-",
        }
    }
}

/// Where a request came from.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub request_id: String,
    pub ip: String,
}

impl Origin {
    pub fn system() -> Origin {
        Origin { request_id: "-".into(), ip: "-".into() }
    }
}

/// One thing to record.
#[derive(Clone, Debug)]
pub struct Event<'a> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    /// The citizen whose personal data this touches, for their access log.
    pub person_id: Option<&'a str>,
    pub purpose: &'a str,
    pub detail: &'a str,
}

impl<'a> Event<'a> {
    pub fn new(action: &'a str, subject_type: &'a str, subject_id: &'a str) -> Self {
        Event { action, subject_type, subject_id, person_id: None, purpose: "", detail: "" }
    }

    pub fn person(mut self, id: &'a str) -> Self {
        self.person_id = Some(id);
        self
    }

    pub fn purpose(mut self, p: &'a str) -> Self {
        self.purpose = p;
        self
    }

    pub fn detail(mut self, d: &'a str) -> Self {
        self.detail = d;
        self
    }
}

/// A stored entry.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: i64,
    pub actor_type: String,
    pub actor_id: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub person_id: Option<String>,
    pub purpose: String,
    pub request_id: String,
    pub ip: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The hash this entry must carry: SHA-256 over the previous hash and every field, as a JSON
    /// array (unambiguous, whatever the fields contain).
    pub fn compute_hash(&self) -> String {
        let material = serde_json::json!([
            self.prev_hash,
            self.seq,
            self.at,
            self.actor_type,
            self.actor_id,
            self.action,
            self.subject_type,
            self.subject_id,
            self.person_id,
            self.purpose,
            self.request_id,
            self.ip,
            self.detail
        ]);
        hex::encode(Sha256::digest(material.to_string().as_bytes()))
    }
}

fn row_to_entry(r: &AnyRow) -> sqlx::Result<Entry> {
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

/// The entry after `(prev_seq, prev_hash)`, with its hash.
fn entry(actor: &Actor, origin: &Origin, e: &Event<'_>, prev_seq: i64, prev_hash: String) -> Entry {
    let mut entry = Entry {
        seq: prev_seq + 1,
        at: crate::now_ms(),
        actor_type: actor.kind().into(),
        actor_id: actor.id().into(),
        action: e.action.into(),
        subject_type: e.subject_type.into(),
        subject_id: e.subject_id.into(),
        person_id: e.person_id.map(str::to_string),
        purpose: e.purpose.into(),
        request_id: origin.request_id.clone(),
        ip: origin.ip.clone(),
        detail: e.detail.into(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry.compute_hash();
    entry
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

/// The outcome of checking the whole chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Intact {
        entries: i64,
    },
    /// The first entry whose hash, link or sequence number is wrong.
    Broken {
        seq: i64,
        reason: String,
    },
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

/// Filters for the auditor's search.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub person_id: Option<String>,
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
}

pub async fn search(db: &Db, s: &Search) -> sqlx::Result<Vec<Entry>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_log WHERE ($1 IS NULL OR person_id = $1) AND ($2 IS NULL OR actor_id = $2) \
         AND ($3 IS NULL OR action = $3) AND ($4 IS NULL OR at >= $4) AND ($5 IS NULL OR at < $5) \
         ORDER BY seq DESC LIMIT $6"
    )))
    .bind(&s.person_id)
    .bind(&s.actor_id)
    .bind(&s.action)
    .bind(s.from_ms)
    .bind(s.to_ms)
    .bind(if s.limit > 0 { s.limit } else { 200 })
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(row_to_entry).collect()
}

/// CSV of entries (RFC 4180 quoting).
pub fn to_csv(entries: &[Entry]) -> String {
    fn q(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    let mut out = String::from(
        "seq,at_utc,actor_type,actor_id,action,subject_type,subject_id,person_id,purpose,request_id,ip,detail,hash\n",
    );
    for e in entries {
        let at = chrono::DateTime::from_timestamp_millis(e.at).map(|t| t.to_rfc3339()).unwrap_or_default();
        let fields = [
            e.seq.to_string(),
            at,
            e.actor_type.clone(),
            e.actor_id.clone(),
            e.action.clone(),
            e.subject_type.clone(),
            e.subject_id.clone(),
            e.person_id.clone().unwrap_or_default(),
            e.purpose.clone(),
            e.request_id.clone(),
            e.ip.clone(),
            e.detail.clone(),
            e.hash.clone(),
        ];
        out.push_str(&fields.iter().map(|f| q(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            seq: 1,
            at: 1,
            actor_type: "staff".into(),
            actor_id: "u1".into(),
            action: "citizen.view".into(),
            subject_type: "citizen".into(),
            subject_id: "c1".into(),
            person_id: Some("c1".into()),
            purpose: "care".into(),
            request_id: "r".into(),
            ip: "127.0.0.1".into(),
            detail: String::new(),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn any_field_changes_the_hash() {
        let base = entry().compute_hash();
        let mut e = entry();
        e.purpose = "curiosity".into();
        assert_ne!(e.compute_hash(), base);
        let mut e = entry();
        e.prev_hash = "1".repeat(64);
        assert_ne!(e.compute_hash(), base);
        assert_eq!(entry().compute_hash(), base, "deterministic");
    }

    #[test]
    fn csv_quotes() {
        let mut e = entry();
        e.detail = "said \"hi\", left".into();
        let csv = to_csv(&[e]);
        assert!(csv.contains("\"said \"\"hi\"\", left\""), "{csv}");
    }
}
