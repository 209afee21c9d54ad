//! One inspector's route as an iCalendar file (RFC 5545), written by hand in the house style of
//! `clinics::booking::calendar`: one event per inspection, from the start of the inspection
//! (after any wait for the window) to the departure, in UTC (Hong Kong is UTC+8 all year).

use super::{Route, Visit, parse_hhmm};

/// Hong Kong's offset from UTC, minutes (no daylight saving).
const HK_OFFSET_MIN: i64 = 8 * 60;

/// The `.ics` text of `route` on `date`: CRLF line ends, folded lines, UTC times. `visits` gives
/// each stop's duration and skill; `stamp_ms` is the DTSTAMP (Unix milliseconds).
pub fn route_ics(date: chrono::NaiveDate, route: &Route, visits: &[Visit], stamp_ms: i64) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//PHOS//Regulatory//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    for (i, stop) in route.stops.iter().enumerate() {
        let visit = visits.iter().find(|v| v.id == stop.visit);
        let depart = parse_hhmm(&stop.depart).map(i64::from).unwrap_or(0);
        let duration = visit.map(|v| v.duration_min.round() as i64).unwrap_or(0);
        let start = depart - duration;
        let skill = visit.map(|v| v.skill.as_str()).unwrap_or("");
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", escape(&format!("{date}-{}-{}@phos", route.inspector, stop.visit))),
            format!("DTSTAMP:{}", utc_ms(stamp_ms)),
            format!("DTSTART:{}", utc(date, start)),
            format!("DTEND:{}", utc(date, depart)),
            format!("SUMMARY:{}", escape(&format!("Inspection {} ({skill})", stop.visit))),
            format!(
                "DESCRIPTION:{}",
                escape(&format!(
                    "Stop {} of {}; arrive {}, depart {}",
                    i + 1,
                    route.stops.len(),
                    stop.arrive,
                    stop.depart
                ))
            ),
            "END:VEVENT".into(),
        ]);
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("\r\n") + "\r\n"
}

fn utc(date: chrono::NaiveDate, local_min: i64) -> String {
    let t = date.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::Duration::minutes(local_min - HK_OFFSET_MIN);
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn utc_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

/// TEXT escaping: backslash, semicolon, comma and newlines.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out
}
