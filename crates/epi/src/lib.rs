//! Pure epidemiological methods, no IO: aberration detection matching R's `surveillance`
//! (EARS C1/C2/C3, Farrington, farringtonFlexible, CUSUM), the reproduction number as in
//! `EpiEstim::estimate_R` (Cori et al. 2013), and the prospective space-time permutation scan
//! statistic (Kulldorff et al. 2005).
//!
//! Every method takes plain data and a control struct whose fields carry R's parameter names
//! (in snake case) and whose `Default` is R's default. Errors are [`EpiError`] values with a
//! stable [`EpiError::code`] for translation.
//!
//! ```
//! use epi::{detect, Method, Series};
//! let counts: Vec<f64> = (0..320).map(|t| f64::from(20 + (t % 52) / 4)).collect();
//! let series = Series::new(counts, 52).unwrap();
//! let outcomes = detect(Method::Farrington, &series, &Method::Farrington.default_params()).unwrap();
//! assert_eq!(outcomes.first().unwrap().week, 264); // b*freq + w = 263 weeks of history
//! ```

pub mod cusum;
pub mod detect;
pub mod dist;
pub mod ears;
mod error;
pub mod farrington;
pub mod flexible;
pub(crate) mod glm;
mod levels;
pub mod rt;
pub mod scan;
mod series;
pub mod weeks;

pub use cusum::{CusumControl, CusumReference, CusumTrans};
pub use detect::{Method, Params, detect, history_needed, last_weeks_range};
pub use ears::{EarsControl, EarsMethod};
pub use error::EpiError;
pub use farrington::{FarringtonControl, Limit54, PowerTrans};
pub use flexible::{FlexibleControl, ThresholdMethod};
pub use rt::{RtConfig, RtEstimate, discr_si, discr_si_vec, estimate_r};
pub use scan::{Cluster, Location, ScanConfig, ScanResult, scan};
pub use series::Series;
pub use weeks::{History, Outcome, WeekRange};
