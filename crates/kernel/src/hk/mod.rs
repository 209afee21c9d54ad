//! Hong Kong context: the 18 districts, general holidays and the business calendar,
//! and staff-declared closures (typhoon signal No. 8, black rainstorm).

pub mod calendar;
pub mod service;
pub mod store;

use std::sync::LazyLock;

use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use calendar::{Closure, ClosureKind};

/// One of the 18 District Council districts.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct District {
    /// Short code, e.g. `KT` for Kwun Tong.
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    /// `HK` (Hong Kong Island), `KLN` (Kowloon) or `NT` (New Territories).
    pub region: String,
    pub population: u64,
    pub lat: f64,
    pub lon: f64,
    pub age_0_14: f64,
    pub age_15_64: f64,
    pub age_65_plus: f64,
}

impl District {
    pub fn name(&self, locale: crate::i18n::Locale) -> &str {
        match locale {
            crate::i18n::Locale::En => &self.name_en,
            crate::i18n::Locale::ZhHant => &self.name_zh,
        }
    }
}

#[derive(Deserialize)]
struct DistrictFile {
    source: String,
    districts: Vec<District>,
}

/// A general holiday (Cap 149), other than Sundays.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct Holiday {
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub name_en: String,
    pub name_zh: String,
}

#[derive(Deserialize)]
struct HolidayFile {
    source: String,
    holidays: Vec<Holiday>,
}

static DISTRICTS: LazyLock<DistrictFile> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../data/districts.json")).expect("districts.json is valid"));

static HOLIDAYS: LazyLock<HolidayFile> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/hk_holidays.json")).expect("hk_holidays.json is valid")
});

/// The 18 districts in official order.
pub fn districts() -> &'static [District] {
    &DISTRICTS.districts
}

/// Where the district populations come from.
pub fn districts_source() -> &'static str {
    &DISTRICTS.source
}

pub fn district(code: &str) -> Option<&'static District> {
    districts().iter().find(|d| d.code == code)
}

/// General holidays 2024–2027, sorted by date.
pub fn holidays() -> &'static [Holiday] {
    &HOLIDAYS.holidays
}

pub fn holidays_source() -> &'static str {
    &HOLIDAYS.source
}

/// Hong Kong time (UTC+8, no daylight saving since 1979).
pub fn tz() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Today's date in Hong Kong.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&tz()).date_naive()
}

/// Midnight at the start of `day` in Hong Kong, as Unix milliseconds.
pub fn start_of_day_ms(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz()).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

/// `[from 00:00, from + days 00:00)` in Hong Kong time, as Unix milliseconds.
pub fn day_range(from: NaiveDate, days: i64) -> (i64, i64) {
    (start_of_day_ms(from), start_of_day_ms(from + chrono::Duration::days(days)))
}

/// An instant as Hong Kong clock time, `HH:MM` (empty when out of range).
pub fn local_time(ms: i64) -> String {
    local_format(ms, "%H:%M")
}

/// An instant as a Hong Kong date and time, `YYYY-MM-DD HH:MM` (empty when out of range).
pub fn local_datetime(ms: i64) -> String {
    local_format(ms, "%Y-%m-%d %H:%M")
}

fn local_format(ms: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz()).format(format).to_string())
        .unwrap_or_default()
}

/// A date as people in Hong Kong type it: `1950-06-30` (ISO), or day first, `30/06/1950`,
/// `30-6-1950`, `30.06.1950` (never month first: 01/02/1950 is 1 February). Spaces around the
/// parts are allowed; a two-digit year is refused (ambiguous for dates of birth).
pub fn parse_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    if s.len() > 20 {
        return None;
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else { return None };
    if ![a, b, c].iter().all(|p| !p.is_empty() && p.chars().all(|ch| ch.is_ascii_digit())) {
        return None;
    }
    let (y, m, d) = if a.len() == 4 {
        (a, b, c)
    } else if c.len() == 4 {
        (c, b, a)
    } else {
        return None;
    };
    if m.len() > 2 || d.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// The Hong Kong date of `at` said from the day of `now`: "today", "tomorrow", or "on 2026-12-09"
/// (今天, 明天, 2026-12-09), for messages such as reminders.
pub fn day_word(locale: crate::i18n::Locale, at: i64, now: i64) -> String {
    let date = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&tz()).date_naive());
    match (date(at), date(now)) {
        (Some(a), Some(n)) if a == n => locale.t("day-today"),
        (Some(a), Some(n)) if a == n + chrono::Duration::days(1) => locale.t("day-tomorrow"),
        (Some(a), _) => locale.t_args("day-on", &[("date", a.to_string())]),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_districts_with_populations() {
        let d = districts();
        assert_eq!(d.len(), 18);
        let total: u64 = d.iter().map(|d| d.population).sum();
        assert!((7_000_000..7_700_000).contains(&total), "total population {total}");
        let mut codes: Vec<_> = d.iter().map(|d| d.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 18);
        for x in d {
            let s = x.age_0_14 + x.age_15_64 + x.age_65_plus;
            assert!((s - 1.0).abs() < 0.01, "{} age profile sums to {s}", x.code);
            assert!(!x.name_zh.is_empty() && x.name_zh.ends_with('區'), "{}", x.name_zh);
        }
        assert_eq!(district("KT").map(|d| d.name_en.as_str()), Some("Kwun Tong"));
    }

    #[test]
    fn days_and_clock_times_in_hong_kong() {
        let d: NaiveDate = "2025-01-29".parse().unwrap();
        // 2025-01-29 00:00 HKT is 2025-01-28 16:00 UTC.
        let start = chrono::DateTime::parse_from_rfc3339("2025-01-28T16:00:00Z").unwrap().timestamp_millis();
        assert_eq!(start_of_day_ms(d), start);
        assert_eq!(day_range(d, 1), (start, start + 86_400_000));
        assert_eq!(day_range(d, 7), (start, start + 7 * 86_400_000));
        assert_eq!(day_range(d, 0), (start, start));
        assert_eq!(local_time(start + 9 * 3_600_000 + 5 * 60_000), "09:05");
        assert_eq!(local_datetime(start + 23 * 3_600_000 + 59 * 60_000), "2025-01-29 23:59");
        assert_eq!(local_datetime(i64::MAX), "");
    }

    #[test]
    fn holidays_cover_2024_to_2027() {
        let h = holidays();
        for y in 2024..=2027 {
            let n = h.iter().filter(|h| chrono::Datelike::year(&h.date) == y).count();
            assert!((15..=19).contains(&n), "{y} has {n} holidays");
        }
        assert!(h.windows(2).all(|w| w[0].date < w[1].date), "sorted and unique");
    }

    #[test]
    fn cron_schedules_use_hong_kong_time() {
        assert_eq!(crate::jobs::CRON_UTC_OFFSET_SECS, tz().local_minus_utc());
    }

    #[test]
    fn day_words_follow_the_hong_kong_date() {
        use crate::i18n::Locale;
        use chrono::TimeZone;
        let hk = |d: u32, h: u32| super::tz().with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap().timestamp_millis();
        // 23:00 on the 8th is 15:00 UTC: still the 8th in Hong Kong.
        assert_eq!(super::day_word(Locale::En, hk(8, 23), hk(8, 8)), "today");
        assert_eq!(super::day_word(Locale::En, hk(9, 1), hk(8, 23)), "tomorrow", "two hours later, the next day");
        assert_eq!(super::day_word(Locale::ZhHant, hk(9, 9), hk(8, 9)), "明天");
        assert_eq!(super::day_word(Locale::En, hk(10, 9), hk(8, 9)), "on 2026-12-10");
        assert_eq!(super::day_word(Locale::ZhHant, hk(10, 9), hk(8, 9)), "2026-12-10");
    }

    #[test]
    fn dates_typed_the_hong_kong_way() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        assert_eq!(super::parse_date("1950-06-30"), d(1950, 6, 30));
        assert_eq!(super::parse_date("30/06/1950"), d(1950, 6, 30));
        assert_eq!(super::parse_date(" 30/6/1950 "), d(1950, 6, 30));
        assert_eq!(super::parse_date("30-06-1950"), d(1950, 6, 30));
        assert_eq!(super::parse_date("30.06.1950"), d(1950, 6, 30));
        assert_eq!(super::parse_date("01/02/1950"), d(1950, 2, 1), "day first, never month first");
        assert_eq!(super::parse_date("1950/06/30"), d(1950, 6, 30));
        assert_eq!(super::parse_date("31/02/1950"), None, "no such day");
        assert_eq!(super::parse_date("30/06/50"), None, "two-digit years are ambiguous");
        assert_eq!(super::parse_date("06/30/1950"), None, "month first is not a date here");
        assert_eq!(super::parse_date("30/06"), None);
        assert_eq!(super::parse_date("1950-06-30T00:00"), None);
        assert_eq!(super::parse_date(""), None);
    }
}
