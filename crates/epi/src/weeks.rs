//! Weeks and outcomes shared by every detection method: the range of weeks to judge, the history
//! a method needs before it, one week's outcome, and R's NA-aware comparisons.

use crate::EpiError;

/// Weeks `start..=end`, 1-based and inclusive, like R's `range = start:end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekRange {
    pub start: usize,
    pub end: usize,
}

impl WeekRange {
    pub fn new(start: usize, end: usize) -> Self {
        WeekRange { start, end }
    }

    pub fn len(&self) -> usize {
        self.end + 1 - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end < self.start
    }

    pub fn weeks(&self) -> std::ops::RangeInclusive<usize> {
        self.start..=self.end
    }
}

/// The result for one week of the range, as in R's `sts` slots.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// 1-based week.
    pub week: usize,
    pub observed: f64,
    /// `None` where R gives `NA`.
    pub upperbound: Option<f64>,
    /// `None` where R gives `NA`.
    pub alarm: Option<bool>,
}

/// How much history a method needs before the first week of its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    /// Weeks needed before the first week.
    pub weeks: usize,
    /// The rule in R's parameter names, e.g. `b*freq + w`.
    pub rule: String,
}

/// Checks a requested range against the series and the history rule; `None` means every week
/// with enough history.
pub(crate) fn resolve_range(
    method: &'static str,
    len: usize,
    range: Option<WeekRange>,
    history: &History,
) -> Result<WeekRange, EpiError> {
    let earliest = history.weeks + 1;
    let insufficient = |requested| EpiError::InsufficientHistory {
        method,
        rule: history.rule.clone(),
        needed: history.weeks,
        earliest,
        requested,
        len,
    };
    match range {
        None => {
            if earliest > len {
                Err(insufficient(None))
            } else {
                Ok(WeekRange::new(earliest, len))
            }
        }
        Some(r) => {
            if r.start < 1 || r.end > len || r.start > r.end {
                return Err(EpiError::RangeOutOfBounds { start: r.start, end: r.end, len });
            }
            if r.start < earliest {
                return Err(insufficient(Some(r.start)));
            }
            Ok(r)
        }
    }
}

/// R's `max(a, b)`/`pmax`: NaN (NA) propagates, unlike `f64::max`.
pub(crate) fn rmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) }
}

/// R's `x > y` as a logical that may be NA.
pub(crate) fn rgt(x: f64, y: f64) -> Option<bool> {
    if x.is_nan() || y.is_nan() { None } else { Some(x > y) }
}

/// `Some(x)` unless x is NaN (R's NA).
pub(crate) fn na(x: f64) -> Option<f64> {
    (!x.is_nan()).then_some(x)
}
