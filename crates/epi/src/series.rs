//! A validated, complete series of counts: the input of every detection method.

use crate::EpiError;

/// A complete series of non-negative whole counts, one per time unit (week 1, 2, …), with the
/// number of units per year (`freq` in R: 52 for weeks, 12 for months, 365 for days).
///
/// Parse, don't validate: once a `Series` exists its counts are finite, non-negative integers
/// and no week is missing. R's `NA` is not supported; see `docs/epi.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    observed: Vec<f64>,
    frequency: usize,
}

impl Series {
    /// Counts for weeks 1..=n in order.
    pub fn new(observed: Vec<f64>, frequency: usize) -> Result<Self, EpiError> {
        if observed.is_empty() {
            return Err(EpiError::EmptySeries);
        }
        if frequency == 0 {
            return Err(EpiError::param("frequency", "must be at least 1 (52 for weekly data)"));
        }
        for (i, &v) in observed.iter().enumerate() {
            check_count(i as i64 + 1, v)?;
        }
        Ok(Series { observed, frequency })
    }

    /// Rows of (week, count) in any order; weeks must run from 1 to n without gaps or repeats.
    pub fn from_weeks(rows: &[(i64, f64)], frequency: usize) -> Result<Self, EpiError> {
        if rows.is_empty() {
            return Err(EpiError::EmptySeries);
        }
        let mut sorted: Vec<(i64, f64)> = rows.to_vec();
        sorted.sort_by_key(|r| r.0);
        let mut observed = Vec::with_capacity(sorted.len());
        for (i, &(week, value)) in sorted.iter().enumerate() {
            if week < 1 {
                return Err(EpiError::InvalidWeek { week });
            }
            if i > 0 && sorted[i - 1].0 == week {
                return Err(EpiError::DuplicateWeek { week });
            }
            let expected = i as i64 + 1;
            if week != expected {
                return Err(EpiError::MissingWeek { week: expected });
            }
            check_count(week, value)?;
            observed.push(value);
        }
        Series::new(observed, frequency)
    }

    /// The counts, week 1 first.
    pub fn observed(&self) -> &[f64] {
        &self.observed
    }

    /// Time units per year (R's `freq`).
    pub fn frequency(&self) -> usize {
        self.frequency
    }

    /// Number of weeks.
    pub fn len(&self) -> usize {
        self.observed.len()
    }

    /// Always false: a `Series` has at least one week.
    pub fn is_empty(&self) -> bool {
        self.observed.is_empty()
    }
}

/// A count must be finite, non-negative and whole.
pub(crate) fn check_count(week: i64, v: f64) -> Result<(), EpiError> {
    if !v.is_finite() {
        return Err(EpiError::NonFiniteCount { week });
    }
    if v < 0.0 {
        return Err(EpiError::NegativeCount { week, value: v });
    }
    if v.fract() != 0.0 {
        return Err(EpiError::NonIntegerCount { week, value: v });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_any_order_are_sorted() {
        let s = Series::from_weeks(&[(2, 5.0), (1, 3.0), (3, 0.0)], 52).unwrap();
        assert_eq!(s.observed(), &[3.0, 5.0, 0.0]);
    }

    #[test]
    fn bad_rows_are_named() {
        let e = Series::from_weeks(&[(1, 1.0), (3, 1.0)], 52).unwrap_err();
        assert_eq!(e, EpiError::MissingWeek { week: 2 });
        assert_eq!(e.code(), "missing_week");
        let e = Series::from_weeks(&[(1, 1.0), (2, 1.0), (2, 4.0)], 52).unwrap_err();
        assert_eq!(e, EpiError::DuplicateWeek { week: 2 });
        let e = Series::from_weeks(&[(1, 1.0), (2, -1.0)], 52).unwrap_err();
        assert_eq!(e.code(), "negative_count");
        assert!(e.to_string().contains("week 2"), "{e}");
        let e = Series::from_weeks(&[(1, 1.5)], 52).unwrap_err();
        assert_eq!(e.code(), "non_integer_count");
        let e = Series::from_weeks(&[(0, 1.0)], 52).unwrap_err();
        assert_eq!(e.code(), "invalid_week");
        let e = Series::new(vec![1.0, f64::NAN], 52).unwrap_err();
        assert_eq!(e, EpiError::NonFiniteCount { week: 2 });
        assert_eq!(Series::new(vec![], 52).unwrap_err().code(), "empty_series");
        assert_eq!(Series::from_weeks(&[(2, 1.0)], 52).unwrap_err(), EpiError::MissingWeek { week: 1 });
    }
}
