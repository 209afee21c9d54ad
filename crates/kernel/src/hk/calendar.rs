//! The business calendar: pure functions over holidays and closures (no IO).

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why services are closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureKind {
    /// Tropical cyclone warning signal No. 8 or above.
    #[serde(rename = "typhoon_8")]
    Typhoon8,
    /// Black rainstorm warning.
    BlackRainstorm,
    /// Any other declared closure.
    Other,
}

impl ClosureKind {
    pub fn code(self) -> &'static str {
        match self {
            ClosureKind::Typhoon8 => "typhoon_8",
            ClosureKind::BlackRainstorm => "black_rainstorm",
            ClosureKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<ClosureKind> {
        match code {
            "typhoon_8" => Some(ClosureKind::Typhoon8),
            "black_rainstorm" => Some(ClosureKind::BlackRainstorm),
            "other" => Some(ClosureKind::Other),
            _ => None,
        }
    }

    /// The i18n key of its name.
    pub fn label_key(self) -> &'static str {
        match self {
            ClosureKind::Typhoon8 => "closure-kind-typhoon_8",
            ClosureKind::BlackRainstorm => "closure-kind-black_rainstorm",
            ClosureKind::Other => "closure-kind-other",
        }
    }
}

/// A staff-declared closure, territory-wide (`district` is `None`) or for one district.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Closure {
    pub id: String,
    pub kind: ClosureKind,
    /// District code, or `null` for territory-wide.
    pub district: Option<String>,
    /// Start, Unix milliseconds UTC.
    pub starts_at: i64,
    /// End, Unix milliseconds UTC; `null` until the signal is lowered.
    pub ends_at: Option<i64>,
    pub note: String,
    pub declared_by: String,
    pub created_at: i64,
}

impl Closure {
    /// Whether the closure is in force at `at_ms` for `district`.
    pub fn covers(&self, at_ms: i64, district: &str) -> bool {
        self.starts_at <= at_ms
            && self.ends_at.is_none_or(|end| at_ms < end)
            && self.district.as_deref().is_none_or(|d| d == district)
    }

    /// Whether the closure overlaps the half-open interval `[from_ms, to_ms)` in `district`.
    pub fn overlaps(&self, from_ms: i64, to_ms: i64, district: &str) -> bool {
        self.starts_at < to_ms
            && self.ends_at.is_none_or(|end| from_ms < end)
            && self.district.as_deref().is_none_or(|d| d == district)
    }
}

/// General holidays plus weekends: the government's five-day week.
pub struct Calendar<'a> {
    holidays: std::collections::HashSet<NaiveDate>,
    closures: &'a [Closure],
}

impl<'a> Calendar<'a> {
    pub fn new(holidays: impl IntoIterator<Item = NaiveDate>, closures: &'a [Closure]) -> Self {
        Calendar { holidays: holidays.into_iter().collect(), closures }
    }

    /// The calendar of Hong Kong's gazetted holidays with the given closures.
    pub fn hong_kong(closures: &'a [Closure]) -> Self {
        Self::new(super::holidays().iter().map(|h| h.date), closures)
    }

    pub fn is_holiday(&self, d: NaiveDate) -> bool {
        d.weekday() == Weekday::Sun || self.holidays.contains(&d)
    }

    /// Monday to Friday and not a general holiday.
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The date `n` business days after `d` (before, when `n` is negative). With `n == 0`, `d`
    /// itself if it is a business day, else the next one.
    pub fn add_business_days(&self, d: NaiveDate, n: i64) -> NaiveDate {
        let step = if n < 0 { -1 } else { 1 };
        let mut day = d;
        if n == 0 {
            while !self.is_business_day(day) {
                day = day.succ_opt().expect("date in range");
            }
            return day;
        }
        let mut left = n.abs();
        while left > 0 {
            day =
                if step > 0 { day.succ_opt().expect("date in range") } else { day.pred_opt().expect("date in range") };
            if self.is_business_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Closures in force at `at_ms` for `district`.
    pub fn closures_at(&self, at_ms: i64, district: &str) -> Vec<&'a Closure> {
        self.closures.iter().filter(|c| c.covers(at_ms, district)).collect()
    }

    /// Whether public services in `district` are open at `at_ms`: a business day in Hong Kong
    /// time, and no closure in force. (Each service point's own opening hours refine this.)
    pub fn is_open(&self, at_ms: i64, district: &str) -> bool {
        let Some(at) = chrono::DateTime::from_timestamp_millis(at_ms) else {
            return false;
        };
        let local = at.with_timezone(&super::tz()).date_naive();
        self.is_business_day(local) && self.closures_at(at_ms, district).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn closure(district: Option<&str>, from: &str, to: Option<&str>) -> Closure {
        Closure {
            id: "c1".into(),
            kind: ClosureKind::Typhoon8,
            district: district.map(str::to_string),
            starts_at: ms(from),
            ends_at: to.map(ms),
            note: String::new(),
            declared_by: "test".into(),
            created_at: 0,
        }
    }

    #[test]
    fn lunar_new_year_2025_is_not_business() {
        let cal = Calendar::hong_kong(&[]);
        // 29-31 Jan 2025 are the first three days of Lunar New Year (Wed-Fri).
        for day in ["2025-01-29", "2025-01-30", "2025-01-31"] {
            assert!(!cal.is_business_day(d(day)), "{day}");
        }
        assert!(cal.is_business_day(d("2025-01-28")));
        // Tue 28 Jan + 1 business day skips the holidays and the weekend → Mon 3 Feb.
        assert_eq!(cal.add_business_days(d("2025-01-28"), 1), d("2025-02-03"));
        assert_eq!(cal.add_business_days(d("2025-02-03"), -1), d("2025-01-28"));
        assert_eq!(cal.add_business_days(d("2025-02-01"), 0), d("2025-02-03"));
    }

    #[test]
    fn christmas_and_weekends() {
        let cal = Calendar::hong_kong(&[]);
        // Wed 25 and Thu 26 Dec 2024 are holidays; Sat/Sun are not business days.
        assert_eq!(cal.add_business_days(d("2024-12-24"), 1), d("2024-12-27"));
        // Fri 20 Dec + 5: Mon 23, Tue 24, Fri 27, Mon 30, Tue 31.
        assert_eq!(cal.add_business_days(d("2024-12-20"), 5), d("2024-12-31"));
        assert!(cal.is_holiday(d("2024-12-29")), "Sunday");
        assert!(!cal.is_holiday(d("2024-12-28")), "Saturday is not a general holiday");
    }

    #[test]
    fn closures_close_a_district_or_the_territory() {
        let local = [closure(Some("KT"), "2025-09-02T01:00:00Z", Some("2025-09-02T09:00:00Z"))];
        let cal = Calendar::hong_kong(&local);
        let during = ms("2025-09-02T03:00:00Z"); // Tuesday 11:00 HKT
        assert!(!cal.is_open(during, "KT"));
        assert!(cal.is_open(during, "SSP"));
        assert!(cal.is_open(ms("2025-09-02T09:00:00Z"), "KT"), "end is exclusive");

        let everywhere = [closure(None, "2025-09-02T01:00:00Z", None)];
        let cal = Calendar::hong_kong(&everywhere);
        assert!(!cal.is_open(during, "SSP"));
        assert!(!cal.is_open(ms("2025-09-03T03:00:00Z"), "IS"), "open-ended until lifted");
        assert!(cal.is_open(ms("2025-09-02T00:59:00Z"), "IS"));
    }

    #[test]
    fn open_uses_hong_kong_dates() {
        let cal = Calendar::hong_kong(&[]);
        // 2025-01-28T17:00Z is already 29 Jan 01:00 in Hong Kong, a holiday.
        assert!(!cal.is_open(ms("2025-01-28T17:00:00Z"), "CW"));
        assert!(cal.is_open(ms("2025-01-28T15:00:00Z"), "CW"));
    }
}
