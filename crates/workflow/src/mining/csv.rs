//! Event logs as CSV, one event a row, with a header naming at least the columns `case`,
//! `activity` and `timestamp` (also accepted: `case:concept:name`, `concept:name`,
//! `time:timestamp`), and optionally `lifecycle`, `role`, `resource` (or their XES keys).
//! Columns are found by name, in any order; rows of one case need not be adjacent. Timestamps
//! as in XES (`2026-01-05T09:00:00+08:00`; no offset means UTC). Any bad row refuses the file,
//! naming its line.

use std::collections::HashMap;
use std::io::Read;

use super::{Event, LogError, Trace, parse_timestamp};

fn column(header: &::csv::StringRecord, names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        names.contains(&h.as_str())
    })
}

/// Reads a CSV log, handing each case (in order of first appearance, rows in file order) to
/// `on_trace`. All rows are held until the end, since a case's rows may be anywhere.
pub fn read<R: Read>(input: R, on_trace: &mut dyn FnMut(Trace)) -> Result<(), LogError> {
    let mut r = ::csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(input);
    let header = r.headers().map_err(|e| LogError::Invalid(format!("line 1: {e}")))?.clone();
    let need = |names: &[&str], what: &str| {
        column(&header, names).ok_or_else(|| {
            LogError::Invalid(format!(
                "line 1: no {what} column (the header must name case, activity and timestamp columns)"
            ))
        })
    };
    let case_col = need(&["case", "case_id", "caseid", "case:concept:name"], "case")?;
    let act_col = need(&["activity", "concept:name"], "activity")?;
    let time_col = need(&["timestamp", "time:timestamp", "time"], "timestamp")?;
    let life_col = column(&header, &["lifecycle", "lifecycle:transition"]);
    let role_col = column(&header, &["role", "org:role"]);
    let res_col = column(&header, &["resource", "org:resource"]);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut cases: Vec<Trace> = Vec::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        let more = r.read_record(&mut record).map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            LogError::Invalid(format!("line {line}: {e}"))
        })?;
        if !more {
            break;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: usize| record.get(c).map(str::trim).unwrap_or("");
        let opt = |c: Option<usize>| c.map(get).filter(|v| !v.is_empty()).map(str::to_string);
        let (case, activity, time) = (get(case_col), get(act_col), get(time_col));
        if case.is_empty() {
            return Err(LogError::Invalid(format!("line {line}: the case is empty")));
        }
        if activity.is_empty() {
            return Err(LogError::Invalid(format!("line {line} (case {case:?}): the activity is empty")));
        }
        let Some(at) = parse_timestamp(time) else {
            return Err(LogError::Invalid(if time.is_empty() {
                format!("line {line} (case {case:?}, activity {activity:?}): no timestamp")
            } else {
                format!(
                    "line {line} (case {case:?}, activity {activity:?}): timestamp {time:?} is not a date and time like 2026-01-05T09:00:00+08:00"
                )
            }));
        };
        let event = Event {
            activity: activity.to_string(),
            at,
            lifecycle: opt(life_col),
            role: opt(role_col),
            resource: opt(res_col),
        };
        let i = *index.entry(case.to_string()).or_insert_with(|| {
            cases.push(Trace { name: Some(case.to_string()), events: Vec::new() });
            cases.len() - 1
        });
        cases[i].events.push(event);
    }
    for t in cases {
        on_trace(t);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Vec<Trace>, LogError> {
        let mut out = Vec::new();
        read(text.as_bytes(), &mut |t| out.push(t))?;
        Ok(out)
    }

    #[test]
    fn reads_cases_by_column_name_in_any_order() {
        let t = read_str(
            "timestamp,Activity,case,org:role\n\
             2026-01-05T09:00:00+08:00,A,c1,clerk\n\
             2026-01-05T09:00:00+08:00,A,c2,\n\
             2026-01-05T02:00:00Z,B,c1,officer\n\
             \"2026-01-05T03:00:00Z\",\"C, with comma\",c2,\n",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].name.as_deref(), Some("c1"));
        assert_eq!(t[0].events.len(), 2);
        assert_eq!(t[0].events[0].role.as_deref(), Some("clerk"));
        assert_eq!(t[0].events[1].activity, "B");
        assert_eq!(t[1].events[1].activity, "C, with comma");
        assert_eq!(t[1].events[0].role, None);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = read_str("case,activity,timestamp\nc1,A,2026-01-05T09:00:00Z\nc1,B,\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("no timestamp"), "{e}");
        let e = read_str("case,activity,timestamp\nc1,A,tomorrow\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("\"tomorrow\""), "{e}");
        let e = read_str("case,action,timestamp\n").unwrap_err().to_string();
        assert!(e.contains("no activity column"), "{e}");
        let e = read_str("case,activity,timestamp\n,A,2026-01-05T09:00:00Z\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("case is empty"), "{e}");
    }
}
