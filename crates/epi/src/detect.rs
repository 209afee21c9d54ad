//! The generic entry point over every aberration detection method.

use crate::cusum::{CusumControl, cusum};
use crate::ears::{EarsControl, EarsMethod, ears_c};
use crate::farrington::{FarringtonControl, farrington};
use crate::flexible::{FlexibleControl, farrington_flexible};
use crate::weeks::{History, Outcome, WeekRange, resolve_range};
use crate::{EpiError, Series};

/// The aberration detection methods, named as on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    EarsC1,
    EarsC2,
    EarsC3,
    Farrington,
    FarringtonFlexible,
    Cusum,
}

impl Method {
    pub const ALL: [Method; 6] =
        [Method::EarsC1, Method::EarsC2, Method::EarsC3, Method::Farrington, Method::FarringtonFlexible, Method::Cusum];

    /// `ears-c1`, `ears-c2`, `ears-c3`, `farrington`, `farrington-flexible` or `cusum`.
    pub fn name(self) -> &'static str {
        match self {
            Method::EarsC1 => "ears-c1",
            Method::EarsC2 => "ears-c2",
            Method::EarsC3 => "ears-c3",
            Method::Farrington => "farrington",
            Method::FarringtonFlexible => "farrington-flexible",
            Method::Cusum => "cusum",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s)
    }

    /// R's default control for the method.
    pub fn default_params(self) -> Params {
        match self {
            Method::EarsC1 | Method::EarsC2 | Method::EarsC3 => Params::Ears(EarsControl::default()),
            Method::Farrington => Params::Farrington(FarringtonControl::default()),
            Method::FarringtonFlexible => Params::FarringtonFlexible(FlexibleControl::default()),
            Method::Cusum => Params::Cusum(CusumControl::default()),
        }
    }

    fn ears(self) -> Option<EarsMethod> {
        match self {
            Method::EarsC1 => Some(EarsMethod::C1),
            Method::EarsC2 => Some(EarsMethod::C2),
            Method::EarsC3 => Some(EarsMethod::C3),
            _ => None,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The control list of one method (R's `control`), with R's defaults via `Default`.
#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    Ears(EarsControl),
    Farrington(FarringtonControl),
    FarringtonFlexible(FlexibleControl),
    Cusum(CusumControl),
}

impl Params {
    /// The weeks to evaluate (`None`: every week with enough history).
    pub fn range(&self) -> Option<WeekRange> {
        match self {
            Params::Ears(c) => c.range,
            Params::Farrington(c) => c.range,
            Params::FarringtonFlexible(c) => c.range,
            Params::Cusum(c) => c.range,
        }
    }

    pub fn set_range(&mut self, range: Option<WeekRange>) {
        match self {
            Params::Ears(c) => c.range = range,
            Params::Farrington(c) => c.range = range,
            Params::FarringtonFlexible(c) => c.range = range,
            Params::Cusum(c) => c.range = range,
        }
    }
}

/// Weeks of history `method` needs with `params` for data with `frequency` weeks a year.
pub fn history_needed(method: Method, params: &Params, frequency: usize) -> Result<History, EpiError> {
    match (method, params) {
        (m, Params::Ears(c)) if m.ears().is_some() => Ok(c.history(m.ears().expect("ears method"))),
        (Method::Farrington, Params::Farrington(c)) => Ok(c.history(frequency)),
        (Method::FarringtonFlexible, Params::FarringtonFlexible(c)) => Ok(c.history(frequency)),
        (Method::Cusum, Params::Cusum(c)) => Ok(c.history()),
        _ => Err(mismatch(method)),
    }
}

/// The default range of the command line: the last `weeks` weeks that have enough history,
/// or all of them if fewer.
pub fn last_weeks_range(method: Method, series: &Series, params: &Params, weeks: usize) -> Result<WeekRange, EpiError> {
    let h = history_needed(method, params, series.frequency())?;
    let r = resolve_range(method.name(), series.len(), None, &h)?;
    Ok(WeekRange::new(r.start.max((r.end + 1).saturating_sub(weeks.max(1))), r.end))
}

/// Runs `method` over `series` with `params` (which must be the control of that method).
pub fn detect(method: Method, series: &Series, params: &Params) -> Result<Vec<Outcome>, EpiError> {
    match (method, params) {
        (m, Params::Ears(c)) if m.ears().is_some() => ears_c(series, m.ears().expect("ears method"), c),
        (Method::Farrington, Params::Farrington(c)) => farrington(series, c),
        (Method::FarringtonFlexible, Params::FarringtonFlexible(c)) => farrington_flexible(series, c),
        (Method::Cusum, Params::Cusum(c)) => cusum(series, c),
        _ => Err(mismatch(method)),
    }
}

fn mismatch(method: Method) -> EpiError {
    EpiError::param("params", format!("the parameters given are not those of {method}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.name()), Some(m));
        }
        assert_eq!(Method::parse("c1"), None);
    }

    #[test]
    fn params_must_fit_the_method() {
        let s = Series::new(vec![1.0; 30], 52).unwrap();
        let e = detect(Method::Farrington, &s, &Method::Cusum.default_params()).unwrap_err();
        assert_eq!(e.code(), "invalid_parameter");
    }

    #[test]
    fn history_errors_name_the_rule() {
        let s = Series::new(vec![1.0; 100], 52).unwrap();
        let e = detect(Method::Farrington, &s, &Method::Farrington.default_params()).unwrap_err();
        assert_eq!(e.code(), "insufficient_history");
        let msg = e.to_string();
        assert!(msg.contains("farrington needs b*freq + w = 263 weeks"), "{msg}");
        assert!(msg.contains("only 100 weeks"), "{msg}");
        let s = Series::new(vec![1.0; 300], 52).unwrap();
        let mut p = Method::Farrington.default_params();
        p.set_range(Some(WeekRange::new(200, 300)));
        let msg = detect(Method::Farrington, &s, &p).unwrap_err().to_string();
        assert!(msg.contains("week 264 at the earliest, not 200"), "{msg}");
        p.set_range(Some(WeekRange::new(280, 301)));
        assert_eq!(detect(Method::Farrington, &s, &p).unwrap_err().code(), "range_out_of_bounds");
    }

    #[test]
    fn last_weeks_default() {
        let s = Series::new(vec![1.0; 300], 52).unwrap();
        let p = Method::Farrington.default_params();
        assert_eq!(last_weeks_range(Method::Farrington, &s, &p, 52).unwrap(), WeekRange::new(264, 300));
        let p = Method::EarsC1.default_params();
        assert_eq!(last_weeks_range(Method::EarsC1, &s, &p, 52).unwrap(), WeekRange::new(249, 300));
    }
}
