//! Turning recurring sessions into slots: pure, over dates and the business calendar.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use kernel::hk::calendar::Calendar;

use super::Session;

/// One slot to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSlot {
    pub day: NaiveDate,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Parses `HH:MM`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// The slots of `session` on days in `[from, to]`, skipping general holidays, and any day when a
/// closure in `calendar` covers the slot in `district`. Slots are cut from the session start;
/// a remainder shorter than a slot is dropped.
pub fn expand(
    session: &Session,
    district: &str,
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
) -> Vec<PlannedSlot> {
    let (Some(start), Some(end)) = (parse_time(&session.start_time), parse_time(&session.end_time)) else {
        return vec![];
    };
    let (Ok(valid_from), Ok(valid_to)) =
        (session.valid_from.parse::<NaiveDate>(), session.valid_to.parse::<NaiveDate>())
    else {
        return vec![];
    };
    let first = from.max(valid_from);
    let last = to.min(valid_to);
    let step = chrono::Duration::minutes(session.slot_minutes.max(1));
    let tz = kernel::hk::tz();
    let mut out = vec![];
    let mut day = first;
    while day <= last {
        if day.weekday().number_from_monday() as i64 == session.weekday && !calendar.is_holiday(day) {
            let mut t = start;
            while t + step <= end && t < t + step {
                let (Some(s), Some(e)) = (
                    tz.from_local_datetime(&day.and_time(t)).single(),
                    tz.from_local_datetime(&day.and_time(t + step)).single(),
                ) else {
                    break;
                };
                let (s, e) = (s.timestamp_millis(), e.timestamp_millis());
                // A slot overlapping a closure in this district is not offered.
                if calendar.closures_at(s, district).is_empty() && calendar.closures_at(e - 1, district).is_empty() {
                    out.push(PlannedSlot { day, starts_at: s, ends_at: e });
                }
                t += step;
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::hk::{Closure, ClosureKind};

    fn session(weekday: i64, start: &str, end: &str, minutes: i64) -> Session {
        Session {
            id: "s".into(),
            service_point: "EHC-KT".into(),
            service: "ehc_assessment".into(),
            weekday,
            start_time: start.into(),
            end_time: end.into(),
            slot_minutes: minutes,
            capacity: 4,
            pool_walkin: 0,
            pool_elderly: 0,
            valid_from: "2025-01-01".into(),
            valid_to: "2025-12-31".into(),
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn mondays_cut_into_slots_in_hong_kong_time() {
        let cal = Calendar::hong_kong(&[]);
        let slots = expand(&session(1, "09:00", "11:00", 30), "KT", d("2025-03-01"), d("2025-03-14"), &cal);
        // Mondays 3 and 10 March, four 30-minute slots each.
        assert_eq!(slots.len(), 8);
        assert_eq!(slots[0].day, d("2025-03-03"));
        // 09:00 HKT is 01:00 UTC.
        assert_eq!(
            slots[0].starts_at,
            chrono::DateTime::parse_from_rfc3339("2025-03-03T01:00:00Z").unwrap().timestamp_millis()
        );
        assert_eq!(slots[3].ends_at - slots[3].starts_at, 30 * 60 * 1000);
    }

    #[test]
    fn holidays_and_closures_remove_slots() {
        // Friday 18 April 2025 is Good Friday.
        let cal = Calendar::hong_kong(&[]);
        let fridays = expand(&session(5, "09:00", "10:00", 60), "KT", d("2025-04-11"), d("2025-04-25"), &cal);
        let days: Vec<_> = fridays.iter().map(|s| s.day.to_string()).collect();
        assert_eq!(days, vec!["2025-04-11", "2025-04-25"]);
        // A typhoon closure in Kwun Tong on the morning of 11 April removes that slot there only.
        let t8 = [Closure {
            id: "c".into(),
            kind: ClosureKind::Typhoon8,
            district: Some("KT".into()),
            starts_at: chrono::DateTime::parse_from_rfc3339("2025-04-11T00:00:00Z").unwrap().timestamp_millis(),
            ends_at: Some(chrono::DateTime::parse_from_rfc3339("2025-04-11T04:00:00Z").unwrap().timestamp_millis()),
            note: String::new(),
            declared_by: "duty".into(),
            created_at: 0,
        }];
        let cal = Calendar::hong_kong(&t8);
        assert_eq!(expand(&session(5, "09:00", "10:00", 60), "KT", d("2025-04-11"), d("2025-04-11"), &cal).len(), 0);
        assert_eq!(expand(&session(5, "09:00", "10:00", 60), "SSP", d("2025-04-11"), d("2025-04-11"), &cal).len(), 1);
    }

    #[test]
    fn remainders_and_bad_times() {
        let cal = Calendar::hong_kong(&[]);
        assert_eq!(expand(&session(1, "09:00", "10:45", 30), "KT", d("2025-03-03"), d("2025-03-03"), &cal).len(), 3);
        assert!(expand(&session(1, "9am", "10:45", 30), "KT", d("2025-03-03"), d("2025-03-03"), &cal).is_empty());
        assert!(expand(&session(1, "11:00", "10:00", 30), "KT", d("2025-03-03"), d("2025-03-03"), &cal).is_empty());
    }
}
