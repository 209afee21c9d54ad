//! Process mining over event logs: the engine's own log and logs imported from other systems
//! (XES, CSV). The pure cores ([`rules`] for the directly-follows graph and variants,
//! [`performance`] for waiting times, throughput and bottlenecks) work on plain [`Trace`]s; the
//! readers ([`xes`], [`csv`]) stream a file one case at a time so that memory stays bounded by
//! the largest case, not the log.

pub mod conformance;
pub mod conformance_api;
pub mod conformance_service;
pub mod csv;
pub mod engine_log;
pub mod ocel;
pub mod pages;
pub mod performance;
pub mod rules;
pub mod service;
pub mod store;
pub mod svg;
pub mod xes;

use std::path::Path;

pub use performance::Performance;

/// One event of a case, as read from a log. `at` is microseconds since the Unix epoch (UTC).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub activity: String,
    pub at: i64,
    /// `lifecycle:transition` (start, complete, …) when the log has it.
    pub lifecycle: Option<String>,
    /// `org:role` when the log has it.
    pub role: Option<String>,
    /// `org:resource` when the log has it.
    pub resource: Option<String>,
}

/// One case: the events of one `<trace>` (or one case id of a CSV), in file order until
/// [`Trace::order`] sorts them by time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// The trace's `concept:name`, when it has one (only used in messages: two traces with the
    /// same name stay two cases).
    pub name: Option<String>,
    pub events: Vec<Event>,
}

impl Trace {
    /// Orders the events by time; events with equal times keep their file order (stable sort).
    pub fn order(&mut self) {
        self.events.sort_by_key(|e| e.at);
    }
}

/// Why a log could not be read: always names the file position, trace and event concerned.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}")]
    Invalid(String),
}

impl LogError {
    /// A stable code for the kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            LogError::Io { .. } => "log_unreadable",
            LogError::Invalid(_) => "log_invalid",
        }
    }
}

/// The format of a log file, from its extension (`.csv` is CSV, anything else XES).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Xes,
    Csv,
}

impl LogFormat {
    pub fn of(path: &Path) -> LogFormat {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => LogFormat::Csv,
            _ => LogFormat::Xes,
        }
    }
}

/// Reads the log at `path` case by case: every non-empty case is ordered by time and handed to
/// `on_trace`. Returns the number of cases handed over.
pub fn read_log(path: &Path, format: LogFormat, mut on_trace: impl FnMut(Trace)) -> Result<u64, LogError> {
    let io = |source| LogError::Io { path: path.display().to_string(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut cases = 0u64;
    let mut each = |mut t: Trace| {
        if !t.events.is_empty() {
            t.order();
            cases += 1;
            on_trace(t);
        }
    };
    match format {
        LogFormat::Xes => xes::read(reader, &mut each)?,
        LogFormat::Csv => csv::read(reader, &mut each)?,
    }
    Ok(cases)
}

/// Parses an `xs:dateTime` as XES writes it (`2026-01-05T09:00:00.000+08:00`, `…Z`, `…+0800`)
/// into microseconds since the epoch. No offset means UTC.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z"] {
        if let Ok(t) = chrono::DateTime::parse_from_str(s, f) {
            return Some(t.timestamp_micros());
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc().timestamp_micros());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros());
    }
    None
}

/// Formats microseconds since the epoch as an `xs:dateTime` in Hong Kong time
/// (`2026-01-05T09:00:00.000+08:00`).
pub fn format_timestamp(at_us: i64) -> String {
    let t = chrono::DateTime::from_timestamp_micros(at_us).unwrap_or_default().with_timezone(&kernel::hk::tz());
    t.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_honour_their_offset_and_default_to_utc() {
        let utc = parse_timestamp("2026-01-05T01:00:00Z").unwrap();
        assert_eq!(parse_timestamp("2026-01-05T09:00:00+08:00"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-05T09:00:00.000+08:00"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-05T09:00:00+0800"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-05T01:00:00"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-05T01:00:00.000"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-04T20:00:00-05:00"), Some(utc));
        assert_eq!(parse_timestamp("2026-01-05T01:00:00.123456Z"), Some(utc + 123_456));
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn formatted_timestamps_read_back() {
        let t = parse_timestamp("2026-12-25T23:59:58.250Z").unwrap();
        assert_eq!(format_timestamp(t), "2026-12-26T07:59:58.250+08:00");
        assert_eq!(parse_timestamp(&format_timestamp(t)), Some(t));
    }

    #[test]
    fn ordering_is_stable_for_equal_times() {
        let ev = |a: &str, at| Event { activity: a.into(), at, lifecycle: None, role: None, resource: None };
        let mut t = Trace { name: None, events: vec![ev("C", 5), ev("A", 1), ev("B", 1), ev("D", 0)] };
        t.order();
        let order: Vec<&str> = t.events.iter().map(|e| e.activity.as_str()).collect();
        assert_eq!(order, ["D", "A", "B", "C"]);
    }

    fn fixture(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
    }

    fn dfg_of(name: &str) -> Result<serde_json::Value, LogError> {
        let mut b = rules::DfgBuilder::new();
        let path = fixture(name);
        read_log(&path, LogFormat::of(&path), |t| b.add_trace(&t))?;
        Ok(serde_json::to_value(b.finish()).unwrap())
    }

    fn expected() -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(fixture("contract.dfg.json")).unwrap()).unwrap()
    }

    /// The hand-built log covers every rule of the contract (see the comment at its top).
    #[test]
    fn the_contract_log_gives_the_hand_computed_graph() {
        assert_eq!(dfg_of("contract.xes").unwrap(), expected());
    }

    #[test]
    fn the_same_log_as_csv_gives_the_same_graph() {
        assert_eq!(dfg_of("contract.csv").unwrap(), expected());
    }

    #[test]
    fn a_missing_timestamp_names_the_trace_and_event() {
        let e = dfg_of("missing_timestamp.xes").unwrap_err().to_string();
        assert_eq!(e, "trace 2 (\"application 42\"), event 2 (\"Approve\"): the event has no time:timestamp");
        let e = dfg_of("no-such-file.xes").unwrap_err();
        assert_eq!(e.code(), "log_unreadable");
    }

    #[test]
    fn reading_counts_only_non_empty_cases() {
        let path = fixture("contract.xes");
        let mut names = Vec::new();
        let n = read_log(&path, LogFormat::Xes, |t| names.push(t.name.clone().unwrap_or_default())).unwrap();
        assert_eq!(n, 4);
        assert_eq!(names, ["case-1", "case-1", "case-3", "case-6"]);
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(LogFormat::of(Path::new("a/log.CSV")), LogFormat::Csv);
        assert_eq!(LogFormat::of(Path::new("a/log.xes")), LogFormat::Xes);
        assert_eq!(LogFormat::of(Path::new("log")), LogFormat::Xes);
    }
}
