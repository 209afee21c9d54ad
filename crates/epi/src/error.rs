//! One error type for every method, with a stable snake_case code that applications translate.

use std::fmt;

/// Why a method refused its input. [`EpiError::code`] is stable and meant for translation;
/// the `Display` text is a complete English sentence for logs and the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum EpiError {
    /// The series has no observations at all.
    EmptySeries,
    /// A week (or time step) index below 1.
    InvalidWeek { week: i64 },
    /// The same week appears twice.
    DuplicateWeek { week: i64 },
    /// A week between the first and the last is absent (the methods need complete series).
    MissingWeek { week: i64 },
    /// A count below zero.
    NegativeCount { week: i64, value: f64 },
    /// A count with a fractional part.
    NonIntegerCount { week: i64, value: f64 },
    /// A count that is NaN or infinite (R's NA is not supported: series must be complete).
    NonFiniteCount { week: i64 },
    /// A parameter outside its domain.
    InvalidParameter { name: &'static str, reason: String },
    /// The requested range of weeks does not lie within the series.
    RangeOutOfBounds { start: usize, end: usize, len: usize },
    /// The method needs more weeks before the first week of the range than the series has.
    InsufficientHistory {
        /// The method's name as on the command line, e.g. `farrington`.
        method: &'static str,
        /// The rule in R's parameter names, e.g. `b*freq + w`.
        rule: String,
        /// How many weeks the rule amounts to.
        needed: usize,
        /// The first week that has enough history.
        earliest: usize,
        /// The first week asked for; `None` when no range was given.
        requested: Option<usize>,
        /// Weeks in the series.
        len: usize,
    },
    /// Too few observations for the method (other than history before a range), e.g. Rt needs
    /// more time steps than its window.
    InsufficientData { method: &'static str, needed: usize, got: usize },
    /// A model could not be fitted (e.g. the regression design is degenerate).
    FitFailed { method: &'static str, reason: String },
    /// A location in the scan statistic input is unknown or repeated.
    InvalidLocation { id: String, reason: String },
}

impl EpiError {
    /// Stable machine-readable code, e.g. `insufficient_history`.
    pub fn code(&self) -> &'static str {
        match self {
            EpiError::EmptySeries => "empty_series",
            EpiError::InvalidWeek { .. } => "invalid_week",
            EpiError::DuplicateWeek { .. } => "duplicate_week",
            EpiError::MissingWeek { .. } => "missing_week",
            EpiError::NegativeCount { .. } => "negative_count",
            EpiError::NonIntegerCount { .. } => "non_integer_count",
            EpiError::NonFiniteCount { .. } => "non_finite_count",
            EpiError::InvalidParameter { .. } => "invalid_parameter",
            EpiError::RangeOutOfBounds { .. } => "range_out_of_bounds",
            EpiError::InsufficientHistory { .. } => "insufficient_history",
            EpiError::InsufficientData { .. } => "insufficient_data",
            EpiError::FitFailed { .. } => "fit_failed",
            EpiError::InvalidLocation { .. } => "invalid_location",
        }
    }

    pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Self {
        EpiError::InvalidParameter { name, reason: reason.into() }
    }
}

impl fmt::Display for EpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpiError::EmptySeries => write!(f, "the series is empty"),
            EpiError::InvalidWeek { week } => write!(f, "week {week} is not valid: weeks are numbered from 1"),
            EpiError::DuplicateWeek { week } => write!(f, "week {week} appears more than once"),
            EpiError::MissingWeek { week } => {
                write!(f, "week {week} is missing: the series must have one count for every week from 1 on")
            }
            EpiError::NegativeCount { week, value } => {
                write!(f, "the count {value} at week {week} is negative; counts must be whole numbers >= 0")
            }
            EpiError::NonIntegerCount { week, value } => {
                write!(f, "the count {value} at week {week} is not a whole number")
            }
            EpiError::NonFiniteCount { week } => {
                write!(f, "the count at week {week} is missing or not finite; the series must be complete")
            }
            EpiError::InvalidParameter { name, reason } => write!(f, "invalid parameter {name}: {reason}"),
            EpiError::RangeOutOfBounds { start, end, len } => write!(
                f,
                "the range {start}:{end} is not within the series (weeks 1 to {len}, and start must not exceed end)"
            ),
            EpiError::InsufficientHistory { method, rule, needed, earliest, requested, len } => {
                write!(f, "{method} needs {rule} = {needed} weeks before the first week of the range")?;
                match requested {
                    Some(week) => write!(f, ", so the range can start at week {earliest} at the earliest, not {week}"),
                    None => write!(f, ", but the series has only {len} weeks"),
                }
            }
            EpiError::InsufficientData { method, needed, got } => {
                write!(f, "{method} needs at least {needed} observations, got {got}")
            }
            EpiError::FitFailed { method, reason } => write!(f, "{method}: the model could not be fitted: {reason}"),
            EpiError::InvalidLocation { id, reason } => write!(f, "location {id}: {reason}"),
        }
    }
}

impl std::error::Error for EpiError {}
