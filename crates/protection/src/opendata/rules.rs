//! Open data (pure): weekly confirmed and probable cases by disease, report week and district,
//! with small cells suppressed. A cell of 1 to threshold − 1 cases is published as `<threshold`
//! without its number; 0 and cells at or above the threshold are published as they are.
//!
//! Totals never undo the suppression: a total is the sum of the *published* numbers only, and
//! says how many suppressed cells it leaves out (shown as "at least"), so subtracting published
//! figures from a total can never reveal a suppressed cell. No other aggregate (territory-wide,
//! all diseases, other classifications) is published.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// The settings key of the threshold.
pub const THRESHOLD_SETTING: &str = "protection.open_data.suppress_below";
pub const DEFAULT_THRESHOLD: i64 = 5;
pub const MIN_THRESHOLD: i64 = 2;
pub const MAX_THRESHOLD: i64 = 100;
/// The longest range one download may ask for, in weeks.
pub const MAX_WEEKS: i64 = 530;

/// A threshold as a steward typed it.
pub fn parse_threshold(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|t| (MIN_THRESHOLD..=MAX_THRESHOLD).contains(t))
}

/// One published cell.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct PublicCell {
    /// Disease code (see `/api/v1/protection/diseases`).
    pub disease: String,
    /// Monday of the report week, `YYYY-MM-DD`.
    pub week_start: String,
    /// ISO week, e.g. `2026-W10`.
    pub iso_week: String,
    /// District code (`UNK` when not known).
    pub district: String,
    /// Confirmed and probable cases; null when suppressed.
    pub cases: Option<i64>,
    /// True when the cell has between 1 and threshold − 1 cases.
    pub suppressed: bool,
}

/// Publishes cells: (disease, week_start, iso_week, district, cases).
pub fn publish(rows: Vec<(String, String, String, String, i64)>, threshold: i64) -> Vec<PublicCell> {
    rows.into_iter()
        .filter(|r| r.4 != 0)
        .map(|(disease, week_start, iso_week, district, n)| {
            let suppressed = n > 0 && n < threshold;
            PublicCell { disease, week_start, iso_week, district, cases: (!suppressed).then_some(n), suppressed }
        })
        .collect()
}

/// How a cell or total reads: a number, "<5", or "≥ 23" (a total leaving out suppressed cells).
pub fn display(cases: Option<i64>, suppressed: bool, threshold: i64) -> String {
    match (cases, suppressed) {
        (_, true) => format!("<{threshold}"),
        (Some(n), false) => n.to_string(),
        (None, false) => "0".into(),
    }
}

/// A total of published cells: the sum of the published numbers and how many were suppressed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Total {
    pub published: i64,
    pub suppressed: usize,
}

impl Total {
    pub fn add(&mut self, c: &PublicCell) {
        match c.cases {
            Some(n) => self.published += n,
            None => self.suppressed += usize::from(c.suppressed),
        }
    }

    /// `23`, or `≥ 23` when suppressed cells are left out.
    pub fn display(&self) -> String {
        if self.suppressed > 0 { format!("≥ {}", self.published) } else { self.published.to_string() }
    }
}

/// The public page's table: one row per week, one column per district (codes given), cells as
/// displayed, and each row's total; plus column totals.
pub struct Table {
    pub rows: Vec<(String, String, Vec<String>, Total)>,
    pub column_totals: Vec<Total>,
    pub total: Total,
}

pub fn table(weeks: &[NaiveDate], districts: &[&str], cells: &[PublicCell], threshold: i64) -> Table {
    let mut at: BTreeMap<(&str, &str), &PublicCell> = BTreeMap::new();
    for c in cells {
        at.insert((c.week_start.as_str(), c.district.as_str()), c);
    }
    let mut column_totals = vec![Total::default(); districts.len()];
    let mut total = Total::default();
    let mut rows = vec![];
    for w in weeks {
        let ws = w.to_string();
        let mut row_total = Total::default();
        let mut shown = vec![];
        for (i, d) in districts.iter().enumerate() {
            match at.get(&(ws.as_str(), *d)) {
                Some(c) => {
                    row_total.add(c);
                    column_totals[i].add(c);
                    total.add(c);
                    shown.push(display(c.cases, c.suppressed, threshold));
                }
                None => shown.push("0".into()),
            }
        }
        rows.push((ws, crate::counts::weeks::iso_week(*w), shown, row_total));
    }
    Table { rows, column_totals, total }
}

/// CSV of published cells (no personal data: codes, weeks and counts only), written by the
/// `csv` crate (a field with a comma or a quote would be quoted).
pub fn csv(cells: &[PublicCell], threshold: i64) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(vec![]);
    let header = ["disease", "week_start", "iso_week", "district", "cases", "suppressed", "display"];
    let rows = cells.iter().map(|c| {
        [
            c.disease.clone(),
            c.week_start.clone(),
            c.iso_week.clone(),
            c.district.clone(),
            c.cases.map(|n| n.to_string()).unwrap_or_default(),
            c.suppressed.to_string(),
            display(c.cases, c.suppressed, threshold),
        ]
    });
    // Writing to memory cannot fail, and every field is UTF-8.
    w.write_record(header).expect("CSV to memory");
    for r in rows {
        w.write_record(&r).expect("CSV to memory");
    }
    String::from_utf8(w.into_inner().expect("CSV to memory")).expect("UTF-8 fields")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(w: &str, d: &str, n: i64) -> (String, String, String, String, i64) {
        ("measles".into(), w.into(), "2026-W10".into(), d.into(), n)
    }

    #[test]
    fn small_cells_are_suppressed() {
        let cells = publish(vec![row("2026-03-02", "KT", 3), row("2026-03-02", "WC", 5), row("2026-03-02", "E", 0)], 5);
        assert_eq!(cells.len(), 2, "zero cells are not listed");
        assert_eq!((cells[0].cases, cells[0].suppressed), (None, true));
        assert_eq!((cells[1].cases, cells[1].suppressed), (Some(5), false));
        assert_eq!(display(None, true, 5), "<5");
        assert_eq!(display(Some(12), false, 5), "12");
        let cells = publish(vec![row("2026-03-02", "KT", 3)], 3);
        assert_eq!(cells[0].cases, Some(3), "at the threshold is published");
        assert_eq!(parse_threshold("5"), Some(5));
        assert_eq!(parse_threshold("1"), None);
        assert_eq!(parse_threshold("x"), None);
        assert_eq!(parse_threshold("101"), None);
    }

    #[test]
    fn totals_never_reveal_a_suppressed_cell() {
        let weeks: Vec<NaiveDate> = vec!["2026-03-02".parse().unwrap(), "2026-03-09".parse().unwrap()];
        let cells =
            publish(vec![row("2026-03-02", "KT", 3), row("2026-03-02", "WC", 20), row("2026-03-09", "KT", 7)], 5);
        let t = table(&weeks, &["KT", "WC", "E"], &cells, 5);
        assert_eq!(t.rows[0].2, vec!["<5", "20", "0"]);
        assert_eq!(t.rows[0].3.display(), "≥ 20", "the total leaves the suppressed 3 out");
        assert_eq!(t.rows[1].3.display(), "7");
        assert_eq!(t.column_totals[0].display(), "≥ 7");
        assert_eq!(t.column_totals[1].display(), "20");
        assert_eq!(t.total, Total { published: 27, suppressed: 1 });
        // Every total minus the published cells it covers is zero: nothing to recover.
        for (_, _, shown, total) in &t.rows {
            let published: i64 = shown.iter().filter_map(|s| s.parse::<i64>().ok()).sum();
            assert_eq!(published, total.published);
        }
        let csv = csv(&cells, 5);
        assert!(csv.starts_with("disease,week_start,iso_week,district,cases,suppressed,display\n"));
        assert!(csv.contains("measles,2026-03-02,2026-W10,KT,,true,<5\n"));
        assert!(csv.contains("measles,2026-03-02,2026-W10,WC,20,false,20\n"));
    }
}
