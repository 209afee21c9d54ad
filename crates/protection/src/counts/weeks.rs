//! Report weeks and the weekly counts table. A case counts in one cell: (disease, ISO week of its
//! first notification, district, classification). Every change that moves a case between cells
//! turns into deltas, which are summed per cell and applied in the transaction of the change, so
//! dashboards read small aggregates instead of scanning cases.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

/// The Monday that starts the ISO week of `d`.
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The ISO 8601 week of `d`, like `2025-W01` (the ISO year may differ from the calendar year).
pub fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The Monday of ISO week `week` of ISO year `year`.
pub fn monday_of(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)
}

/// One cell of the weekly counts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub disease: String,
    /// `YYYY-MM-DD`, a Monday.
    pub week_start: String,
    pub iso_week: String,
    pub district: String,
    pub classification: String,
}

impl Cell {
    pub fn new(disease: &str, report_date: NaiveDate, district: &str, classification: &str) -> Cell {
        Cell {
            disease: disease.into(),
            week_start: week_start(report_date).to_string(),
            iso_week: iso_week(report_date),
            district: district.into(),
            classification: classification.into(),
        }
    }
}

/// Deltas summed per cell; cells whose changes cancel out are dropped, so one statement can apply
/// them all (PostgreSQL refuses to update one row twice in one `INSERT … ON CONFLICT`).
#[derive(Clone, Debug, Default)]
pub struct Deltas(BTreeMap<Cell, i64>);

impl Deltas {
    pub fn add(&mut self, cell: Cell, n: i64) {
        *self.0.entry(cell).or_insert(0) += n;
    }

    /// A case moved from one cell to another (reclassified, district changed, discarded).
    pub fn moved(&mut self, from: Cell, to: Cell) {
        if from != to {
            self.add(from, -1);
            self.add(to, 1);
        }
    }

    pub fn into_vec(self) -> Vec<(Cell, i64)> {
        self.0.into_iter().filter(|(_, n)| *n != 0).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|n| *n == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(week_start(d("2025-01-01")), d("2024-12-30"), "a Wednesday");
        assert_eq!(week_start(d("2024-12-30")), d("2024-12-30"), "a Monday is its own start");
        assert_eq!(week_start(d("2025-01-05")), d("2024-12-30"), "Sunday ends the week");
        assert_eq!(week_start(d("2024-03-01")), d("2024-02-26"), "across a leap day");
    }

    #[test]
    fn iso_weeks_across_year_ends() {
        assert_eq!(iso_week(d("2024-12-30")), "2025-W01", "late December can be next year's week 1");
        assert_eq!(iso_week(d("2021-01-03")), "2020-W53", "early January can be last year's week 53");
        assert_eq!(iso_week(d("2020-12-31")), "2020-W53");
        assert_eq!(iso_week(d("2026-01-01")), "2026-W01");
        assert_eq!(iso_week(d("2025-06-15")), "2025-W24");
        assert_eq!(monday_of(2025, 1), Some(d("2024-12-30")));
        assert_eq!(monday_of(2020, 53), Some(d("2020-12-28")));
        assert_eq!(monday_of(2021, 53), None, "2021 has 52 ISO weeks");
        // Every day of a week maps to the same Monday and ISO week.
        let monday = d("2026-03-02");
        for i in 0..7 {
            let day = monday + Duration::days(i);
            assert_eq!(week_start(day), monday);
            assert_eq!(iso_week(day), "2026-W10");
        }
        assert_eq!(week_start(monday + Duration::days(7)), monday + Duration::days(7));
    }

    #[test]
    fn deltas_sum_per_cell_and_drop_zeroes() {
        let a = Cell::new("measles", d("2026-01-07"), "KT", "suspected");
        let b = Cell::new("measles", d("2026-01-07"), "KT", "confirmed");
        let mut x = Deltas::default();
        x.add(a.clone(), 1);
        x.add(a.clone(), 1);
        x.moved(a.clone(), b.clone());
        x.moved(b.clone(), b.clone());
        assert_eq!(x.clone().into_vec(), vec![(b.clone(), 1), (a.clone(), 1)]);
        x.moved(b.clone(), a.clone());
        assert_eq!(x.clone().into_vec(), vec![(a.clone(), 2)]);
        let mut y = Deltas::default();
        y.moved(a.clone(), b.clone());
        y.moved(b, a);
        assert!(y.is_empty() && y.into_vec().is_empty());
        // Report dates in one week share a cell.
        assert_eq!(Cell::new("x", d("2026-01-05"), "KT", "c"), Cell::new("x", d("2026-01-11"), "KT", "c"));
        assert_ne!(Cell::new("x", d("2026-01-11"), "KT", "c"), Cell::new("x", d("2026-01-12"), "KT", "c"));
    }
}
