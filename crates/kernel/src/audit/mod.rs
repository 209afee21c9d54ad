//! The audit log: an append-only record of every write and every read of personal data.
//! Each entry carries the hash of the one before it, so an edited or deleted row breaks the
//! chain at that row. Appends are serialised (an advisory lock on PostgreSQL, the write lock on
//! SQLite) so that the chain stays one line across replicas.

use serde::Serialize;
use sha2::{Digest, Sha256};

pub mod actions;
pub mod pages;
pub mod store;

pub use store::{record, record_many, record_now, search, search_page, verify};

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

/// The entry after `(prev_seq, prev_hash)`, with its hash.
pub(crate) fn entry(actor: &Actor, origin: &Origin, e: &Event<'_>, prev_seq: i64, prev_hash: String) -> Entry {
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

/// Filters for the auditor's search.
#[derive(Clone, Debug, Default)]
pub struct Search {
    pub person_id: Option<String>,
    pub actor_id: Option<String>,
    /// Any of these actors (e.g. the staff whose name or e-mail matched); none match when empty.
    pub actor_ids: Option<Vec<String>>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
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
