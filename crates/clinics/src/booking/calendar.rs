//! "Add to calendar": a booking as an iCalendar event (RFC 5545), written by hand: one event with
//! a handful of properties needs only text escaping (§3.3.11) and line folding at 75 octets
//! (§3.1), which are tested here; a calendar crate would add a dependency for twenty lines.

/// One appointment as a calendar file.
pub struct Event<'a> {
    pub uid: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    pub stamp: i64,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub url: &'a str,
}

/// The `.ics` text of `e`: CRLF line ends, folded lines, UTC times.
pub fn ics(e: &Event<'_>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//PHOS//Clinics//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.starts_at)),
        format!("DTEND:{}", utc(e.ends_at)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        format!("URL:{}", e.url),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("\r\n") + "\r\n"
}

fn utc(ms: i64) -> String {
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

/// Folds a content line so that no line is longer than 75 octets, never splitting a UTF-8
/// character: continuation lines start with one space.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_without_splitting_characters() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "牙科街症".repeat(10));
        let folded = fold(&long);
        for part in folded.split("\r\n") {
            assert!(part.len() <= 75, "{} octets: {part}", part.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), long, "unfolding gives the line back");
        assert_eq!(fold("SHORT:x"), "SHORT:x");
    }

    #[test]
    fn an_appointment_is_one_event_in_utc() {
        // 2025-12-10 09:00 Hong Kong time is 01:00 UTC.
        let start = 1_765_328_400_000;
        let text = ics(&Event {
            uid: "DH-7K3M-9Q2P@phos",
            starts_at: start,
            ends_at: start + 1_800_000,
            stamp: start - 86_400_000,
            summary: "Dental, Kowloon City",
            location: "1 Road, Kowloon",
            description: "Reference DH-7K3M-9Q2P",
            url: "https://phos.example/bookings/DH-7K3M-9Q2P",
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.contains("\r\nDTSTART:20251210T010000Z\r\nDTEND:20251210T013000Z\r\n"), "{text}");
        assert!(text.contains("SUMMARY:Dental\\, Kowloon City\r\n"));
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    }
}
