//! Contact follow-up: how long a contact is followed, which days still need a record. Pure.

use chrono::{Duration, NaiveDate};

/// The last day of follow-up: last exposure plus the disease's longest incubation period. With
/// no incubation period (not spread person to person, or screened rather than followed) the
/// period ends on the day of exposure.
pub fn follow_up_until(last_exposure: NaiveDate, incubation_max_days: i64) -> NaiveDate {
    last_exposure + Duration::days(incubation_max_days.max(0))
}

/// Where a contact's follow-up stands on `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Still within the period.
    Active { days_left: i64 },
    /// The period is over.
    Ended,
}

pub fn stage(today: NaiveDate, until: NaiveDate) -> Stage {
    if today <= until { Stage::Active { days_left: (until - today).num_days() } } else { Stage::Ended }
}

/// Days from the day after last exposure up to `min(today, until)` that have no record yet.
pub fn missing_days(
    last_exposure: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
    recorded: &[NaiveDate],
) -> Vec<NaiveDate> {
    let end = until.min(today);
    let mut out = vec![];
    let mut d = last_exposure + Duration::days(1);
    while d <= end {
        if !recorded.contains(&d) {
            out.push(d);
        }
        d += Duration::days(1);
    }
    out
}

/// Whether a follow-up record may be made for `day`: within the period and not in the future.
pub fn recordable(day: NaiveDate, last_exposure: NaiveDate, until: NaiveDate, today: NaiveDate) -> bool {
    day >= last_exposure && day <= until && day <= today
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn period_is_exposure_plus_incubation() {
        assert_eq!(follow_up_until(d("2026-03-01"), 21), d("2026-03-22"), "measles");
        assert_eq!(follow_up_until(d("2026-02-20"), 14), d("2026-03-06"), "across February");
        assert_eq!(follow_up_until(d("2026-03-01"), 0), d("2026-03-01"));
        assert_eq!(follow_up_until(d("2026-03-01"), -3), d("2026-03-01"));
    }

    #[test]
    fn stages_and_missing_days() {
        let until = d("2026-03-10");
        assert_eq!(stage(d("2026-03-08"), until), Stage::Active { days_left: 2 });
        assert_eq!(stage(until, until), Stage::Active { days_left: 0 });
        assert_eq!(stage(d("2026-03-11"), until), Stage::Ended);
        let missing = missing_days(d("2026-03-01"), until, d("2026-03-05"), &[d("2026-03-02"), d("2026-03-04")]);
        assert_eq!(missing, vec![d("2026-03-03"), d("2026-03-05")]);
        assert_eq!(missing_days(d("2026-03-01"), until, d("2026-04-01"), &[]).len(), 9, "capped at the end");
        assert!(recordable(d("2026-03-05"), d("2026-03-01"), until, d("2026-03-05")));
        assert!(!recordable(d("2026-03-06"), d("2026-03-01"), until, d("2026-03-05")), "not in the future");
        assert!(!recordable(d("2026-03-11"), d("2026-03-01"), until, d("2026-04-01")), "not after the period");
        assert!(!recordable(d("2026-02-28"), d("2026-03-01"), until, d("2026-03-05")), "not before exposure");
    }
}
