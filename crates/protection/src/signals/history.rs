//! Reading a file of past weekly counts from a legacy system (`phos protection history import`):
//! CSV read with the `csv` crate, so a quoted field may hold a comma, and every line checked.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

/// One row of past weekly counts: (disease, week start, district, n).
pub type HistoryRow = (String, String, String, i64);

/// Most problems listed when a history file is refused.
const MAX_PROBLEMS: usize = 20;

/// The columns, in order.
const HEADER: [&str; 4] = ["disease", "week_start", "district", "n"];

/// The records of `text` with the line each starts on; blank lines are left out, and a record
/// the CSV reader refuses (a stray quote) becomes a problem naming its line.
fn records(text: &str) -> Vec<(u64, Result<Vec<String>, String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut out = vec![];
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let no = record.position().map(|p| p.line()).unwrap_or(line);
                if record.iter().all(str::is_empty) {
                    continue;
                }
                out.push((no, Ok(record.iter().map(str::to_string).collect())));
            }
            Err(e) => {
                let no = e.position().map(|p| p.line()).unwrap_or(line);
                out.push((no, Err(format!("line {no}: not readable as CSV ({e})"))));
            }
        }
    }
    out
}

/// Checks one row's fields; the problems found, each naming line `no`.
fn check_row(no: u64, f: &[String], diseases: &BTreeSet<String>, problems: &mut Vec<String>) -> Option<i64> {
    let mut ok = true;
    if !diseases.contains(&f[0]) {
        problems.push(format!("line {no}: unknown disease code {:?}", f[0]));
        ok = false;
    }
    match f[1].parse::<NaiveDate>() {
        Ok(d) if d.weekday() == chrono::Weekday::Mon => {}
        Ok(d) => {
            let day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
                [d.weekday().num_days_from_monday() as usize];
            problems.push(format!("line {no}: week_start {d} is a {day}, not a Monday"));
            ok = false;
        }
        Err(_) => {
            problems.push(format!("line {no}: week_start {:?} is not a date YYYY-MM-DD", f[1]));
            ok = false;
        }
    }
    if kernel::hk::district(&f[2]).is_none() {
        problems.push(format!("line {no}: unknown district code {:?}", f[2]));
        ok = false;
    }
    match f[3].parse::<i64>() {
        Ok(n) if n >= 0 => ok.then_some(n),
        _ => {
            problems.push(format!("line {no}: n {:?} must be a whole number >= 0", f[3]));
            None
        }
    }
}

/// Parses past weekly counts as CSV with the header `disease,week_start,district,n`: disease
/// codes of the catalogue, Mondays as `YYYY-MM-DD`, district codes of the 18 districts, whole
/// counts >= 0, each (disease, week, district) once. Any problem refuses the whole file, with
/// every problem (up to 20) naming its line.
pub fn parse_history(text: &str, diseases: &BTreeSet<String>) -> Result<Vec<HistoryRow>, Vec<String>> {
    let mut records = records(text).into_iter();
    let Some((_, header)) = records.next() else { return Err(vec!["the file is empty".into()]) };
    let header = header.map_err(|e| vec![e])?;
    if header.iter().map(|c| c.to_lowercase()).ne(HEADER) {
        return Err(vec![format!(
            "line 1: the header must be disease,week_start,district,n (found {})",
            header.join(",")
        )]);
    }
    let mut problems = vec![];
    let mut out = vec![];
    let mut seen = BTreeSet::new();
    for (no, fields) in records {
        match fields {
            Err(e) => problems.push(e),
            Ok(f) if f.len() != 4 => problems.push(format!("line {no}: expected 4 fields, found {}", f.len())),
            Ok(f) => {
                if let Some(n) = check_row(no, &f, diseases, &mut problems) {
                    if !seen.insert((f[0].clone(), f[1].clone(), f[2].clone())) {
                        problems.push(format!("line {no}: {} {} {} appears more than once", f[0], f[1], f[2]));
                    } else {
                        out.push((f[0].clone(), f[1].clone(), f[2].clone(), n));
                    }
                }
            }
        }
        if problems.len() >= MAX_PROBLEMS {
            problems.push("… (stopped after 20 problems)".into());
            break;
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if out.is_empty() {
        return Err(vec!["the file has no rows after the header".into()]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_files_are_checked_line_by_line() {
        let diseases: std::collections::BTreeSet<String> = ["measles".to_string()].into();
        let ok = "disease,week_start,district,n\nmeasles,2025-01-06,KT,3\nmeasles,2025-01-13,KT,0\n";
        assert_eq!(parse_history(ok, &diseases).unwrap().len(), 2);
        let bad =
            "disease,week_start,district,n\nmeasles,2025-01-06,KT,3\nflu,2025-01-07,XX,-1\nmeasles,2025-01-06,KT,2.5\n";
        let e = parse_history(bad, &diseases).unwrap_err();
        assert!(e.iter().any(|p| p.starts_with("line 3: unknown disease code \"flu\"")), "{e:?}");
        assert!(e.iter().any(|p| p.starts_with("line 3: week_start 2025-01-07 is a Tue")), "{e:?}");
        assert!(e.iter().any(|p| p.starts_with("line 3: unknown district code \"XX\"")), "{e:?}");
        assert!(e.iter().any(|p| p.starts_with("line 3: n \"-1\"")), "{e:?}");
        assert!(e.iter().any(|p| p.starts_with("line 4: n \"2.5\"")), "{e:?}");
        let dup = "disease,week_start,district,n\nmeasles,2025-01-06,KT,3\nmeasles,2025-01-06,KT,4\n";
        assert_eq!(
            parse_history(dup, &diseases).unwrap_err(),
            ["line 3: measles 2025-01-06 KT appears more than once"]
        );
        assert!(parse_history("week,n\n", &diseases).unwrap_err()[0].contains("header"));
    }

    /// A quoted field may hold a comma: the field is read whole (and refused as a disease code,
    /// naming its line), not split into five fields.
    #[test]
    fn a_quoted_comma_stays_in_its_field() {
        let diseases: BTreeSet<String> = ["measles".to_string()].into();
        let text = "disease,week_start,district,n\nmeasles,2025-01-06,KT,3\n\"measles,mumps\",2025-01-13,KT,1\n";
        assert_eq!(parse_history(text, &diseases).unwrap_err(), ["line 3: unknown disease code \"measles,mumps\""]);
    }

    /// Quoted fields, and a header in quotes, are read as their values.
    #[test]
    fn quoted_fields_are_accepted() {
        let diseases: BTreeSet<String> = ["measles".to_string()].into();
        let text = "\"disease\",\"week_start\",\"district\",\"n\"\r\n\"measles\",\"2025-01-06\",\"KT\",\"3\"\r\n\r\n";
        assert_eq!(parse_history(text, &diseases).unwrap(), [("measles".into(), "2025-01-06".into(), "KT".into(), 3)]);
    }
}
