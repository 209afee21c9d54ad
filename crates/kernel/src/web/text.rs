//! Short texts every area shows the same way: waits in minutes or days, and durations.

use super::PageCtx;
use crate::i18n::Arg;

/// An estimated wait in minutes, rounded: "less than a minute", "about 12 minutes".
pub fn minutes_label(page: &PageCtx, minutes: f64) -> String {
    let m = minutes.round() as i64;
    if m < 1 { page.t("wait-now") } else { page.t1("wait-about-minutes", "count", m) }
}

/// A longer wait in days, rounded to days, weeks or months: "under a day", "about 3 weeks".
pub fn days_label(page: &PageCtx, days: f64) -> String {
    if days < 1.0 {
        page.t("wait-under-a-day")
    } else if days < 14.0 {
        page.t1("wait-about-days", "count", days.round() as i64)
    } else if days < 120.0 {
        page.t1("wait-about-weeks", "count", (days / 7.0).round() as i64)
    } else {
        page.t1("wait-about-months", "count", (days / 30.4).round() as i64)
    }
}

/// A span of time: "2 h 05 min", "12 min", "45 s".
pub fn duration_label(page: &PageCtx, ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m) = (s / 3600, (s % 3600) / 60);
    if h > 0 {
        page.locale.t_args("duration-hours", &[("hours", Arg::from(h)), ("minutes", Arg::Text(format!("{m:02}")))])
    } else if m > 0 {
        page.t1("duration-minutes", "minutes", m)
    } else {
        page.t1("duration-seconds", "seconds", s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn waits_and_durations_in_both_languages() {
        let en = PageCtx::new(Locale::En, "/");
        let zh = PageCtx::new(Locale::ZhHant, "/");
        assert_eq!(minutes_label(&en, 0.4), "less than a minute");
        // Counts travel as Fluent numbers, so the plural selector chooses `[one]`.
        assert_eq!(minutes_label(&en, 1.2), "about 1 minute");
        assert_eq!(minutes_label(&en, 2.2), "about 2 minutes");
        assert_eq!(minutes_label(&zh, 1.2), "約 1 分鐘");
        assert_eq!(minutes_label(&en, 11.6), "about 12 minutes");
        assert_eq!(minutes_label(&zh, 11.6), "約 12 分鐘");
        assert_eq!(duration_label(&en, 2 * 3_600_000 + 5 * 60_000), "2 h 05 min");
        assert_eq!(duration_label(&en, 12 * 60_000 + 5_000), "12 min");
        assert_eq!(duration_label(&en, 45_000), "45 s");
        assert_eq!(duration_label(&en, -5), "0 s");
        assert_eq!(duration_label(&zh, 3_600_000), "1 小時 00 分鐘");
        assert_eq!(days_label(&en, 0.5), "under a day");
        assert_eq!(days_label(&en, 3.4), "about 3 days");
        assert_eq!(days_label(&en, 20.0), "about 3 weeks");
        assert_eq!(days_label(&en, 200.0), "about 7 months");
        assert_eq!(days_label(&en, 1.2), "about 1 day");
        assert_eq!(days_label(&en, 7.0), "about 7 days");
        assert_eq!(days_label(&en, 16.0), "about 2 weeks");
        assert_eq!(days_label(&en, 8.0 * 7.0 + 50.0), "about 15 weeks");
        assert_eq!(days_label(&en, 30.0 * 4.0 + 5.0), "about 4 months");
        assert_eq!(days_label(&zh, 20.0), "約 3 星期");
    }
}
