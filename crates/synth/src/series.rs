//! Synthetic weekly notification counts with ground truth: every disease × district, with
//! seasonality, trend and overdispersion, and labelled outbreaks injected after a training part.
//! The ground truth against which aberration detection is measured (`phos evaluate`).
//!
//! Baseline of disease `d` in district `k` in week `t` (0-based, weeks starting on Mondays):
//!
//! ```text
//! mu(t) = mean_weekly × share_k × max(0, 1 + trend × (years(t) − years/2))
//!         × exp(amplitude × cos(2π (week_of_year(t) − peak_week) / 52.18)) / I0(amplitude)
//! ```
//!
//! where `share_k` is the district's share of the population, `years(t)` the time since the
//! start in years, `week_of_year` the fractional ISO-like week of the week's Thursday, and
//! `I0(a)` the mean of `exp(a cos θ)`, so `mean_weekly` is the territory's mean over the whole
//! series. Counts are Poisson–gamma (negative binomial) with variance `dispersion × mu`; since
//! the gamma scale `dispersion − 1` is the same in every district, the territory (the sum of
//! the districts) is negative binomial with variance `dispersion × mean` too.
//!
//! Outbreaks follow Noufaily et al. (2013): the outbreak size is Poisson with mean `k` times the
//! standard deviation of the baseline count in its first week (`k` uniform in `size_sd`; at least
//! `min_cases` cases), and each case falls `floor(X)` weeks after the start with X lognormal
//! (meanlog 0, sdlog `spread_sdlog` = 0.5), at most 19 weeks. An outbreak's weeks run from its
//! first to its last week with outbreak cases; outbreaks of one series never overlap and are at
//! least `gap_weeks` apart.
//!
//! Every series has its own random stream (ChaCha8 with the seed, stream chosen by the disease
//! and district codes): a series does not change when other diseases or districts are added.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::LazyLock;

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::dist;

/// Weeks per year of the series (as R's `freq = 52`).
pub const WEEKS_PER_YEAR: usize = 52;
/// Mean length of a calendar year in weeks: the period of the seasonal term.
pub const CALENDAR_YEAR_WEEKS: f64 = 52.1775;
/// Outbreak cases fall at most this many weeks after the outbreak's start (Noufaily's Dmax 20).
pub const MAX_DELAY_WEEKS: usize = 19;

/// The baseline of one disease territory-wide.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Profile {
    /// Mean notifications a week territory-wide over the series.
    pub mean_weekly: f64,
    /// Seasonal amplitude `a` of `exp(a cos(…))`; 0 = none.
    pub amplitude: f64,
    /// Week of the year of the seasonal peak.
    pub peak_week: f64,
    /// Relative change of the mean per year.
    pub trend: f64,
    /// Variance-to-mean ratio (1 = Poisson).
    pub dispersion: f64,
    /// Where the level comes from.
    #[serde(default)]
    pub basis: String,
}

impl Profile {
    fn check(&self, code: &str) -> Result<(), SeriesError> {
        let bad = |what: &str| Err(SeriesError(format!("profile of {code}: {what}")));
        if !(self.mean_weekly.is_finite() && self.mean_weekly >= 0.0) {
            return bad("mean_weekly must be a number >= 0");
        }
        if !(self.amplitude.is_finite() && self.amplitude >= 0.0) {
            return bad("amplitude must be a number >= 0");
        }
        if !self.peak_week.is_finite() || !self.trend.is_finite() {
            return bad("peak_week and trend must be numbers");
        }
        if !(self.dispersion.is_finite() && self.dispersion >= 1.0) {
            return bad("dispersion must be a number >= 1");
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct ProfileFile {
    source: String,
    profiles: BTreeMap<String, Profile>,
}

static PROFILES: LazyLock<ProfileFile> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/disease_profiles.json")).expect("disease_profiles.json is valid")
});

/// The baseline profiles of `data/disease_profiles.json`, by disease code.
pub fn profiles() -> &'static BTreeMap<String, Profile> {
    &PROFILES.profiles
}

/// The profile of one disease code.
pub fn profile(code: &str) -> Option<&'static Profile> {
    PROFILES.profiles.get(code)
}

/// Where the profiles come from.
pub fn profiles_source() -> &'static str {
    &PROFILES.source
}

/// A disease to generate: its code and baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct DiseaseInput {
    pub code: String,
    pub profile: Profile,
}

impl DiseaseInput {
    /// The disease with its profile from `data/disease_profiles.json`, if it has one.
    pub fn with_profile(code: &str) -> Option<DiseaseInput> {
        profile(code).map(|p| DiseaseInput { code: code.to_string(), profile: p.clone() })
    }
}

/// A district: its code and population (its share of the territory's cases).
#[derive(Clone, Debug, PartialEq)]
pub struct DistrictInput {
    pub code: String,
    pub population: u64,
}

/// The 18 districts of Hong Kong with their populations, in official order.
pub fn hk_districts() -> Vec<DistrictInput> {
    kernel::hk::districts().iter().map(|d| DistrictInput { code: d.code.clone(), population: d.population }).collect()
}

/// How to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesConfig {
    pub seed: u64,
    /// Length in years of 52 weeks.
    pub years: usize,
    /// Monday of the first week.
    pub start: NaiveDate,
    /// The first weeks, kept free of outbreaks unless `training_outbreaks > 0`. Default 5 years
    /// and 3 weeks: the history Farrington's methods need with b = 5 years and w = 3 weeks, so
    /// that every method can evaluate every later week.
    pub training_weeks: usize,
    /// Outbreaks per series after the training part.
    pub outbreaks: usize,
    /// Outbreaks per series within the training part (default 0).
    pub training_outbreaks: usize,
    /// Range of `k`, the outbreak size in standard deviations of the baseline (uniform).
    pub size_sd: (f64, f64),
    /// Fewest cases of an outbreak.
    pub min_cases: u64,
    /// sdlog of the lognormal spread of cases over weeks.
    pub spread_sdlog: f64,
    /// Quiet weeks at least between two outbreaks of one series.
    pub gap_weeks: usize,
}

impl Default for SeriesConfig {
    fn default() -> Self {
        SeriesConfig {
            seed: 42,
            years: 10,
            start: NaiveDate::from_ymd_opt(2016, 1, 4).expect("valid date"),
            training_weeks: 5 * WEEKS_PER_YEAR + 3,
            outbreaks: 3,
            training_outbreaks: 0,
            size_sd: (2.0, 10.0),
            min_cases: 3,
            spread_sdlog: 0.5,
            gap_weeks: 4,
        }
    }
}

impl SeriesConfig {
    pub fn weeks(&self) -> usize {
        self.years * WEEKS_PER_YEAR
    }
}

/// One injected outbreak: the ground truth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outbreak {
    /// 1, 2, … in order of disease, district and start.
    pub id: usize,
    pub disease: String,
    pub district: String,
    /// Index of its first week (0-based; week `start + 1` for `epi`).
    pub start: usize,
    /// Extra cases in each week from `start`; first and last are > 0.
    pub cases: Vec<u64>,
    /// `k`: the expected size in standard deviations of the baseline.
    pub size_sd: f64,
    /// Standard deviation of the baseline count in the first week.
    pub baseline_sd: f64,
    /// Within the training part.
    pub training: bool,
}

impl Outbreak {
    /// Its length in weeks.
    pub fn weeks(&self) -> usize {
        self.cases.len()
    }

    /// Index of the week after its last.
    pub fn end(&self) -> usize {
        self.start + self.cases.len()
    }

    pub fn total(&self) -> u64 {
        self.cases.iter().sum()
    }
}

/// A configuration or input that cannot be generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesError(pub String);

impl std::fmt::Display for SeriesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SeriesError {}

/// The generated counts of every disease × district and the outbreaks injected in them.
#[derive(Clone, Debug)]
pub struct WeeklySeries {
    pub config: SeriesConfig,
    pub diseases: Vec<DiseaseInput>,
    pub districts: Vec<DistrictInput>,
    /// Counts by disease, district, week.
    counts: Vec<u32>,
    /// Sorted by disease, district, start; `id` is the position + 1.
    pub outbreaks: Vec<Outbreak>,
}

/// FNV-1a, a fixed hash for choosing a series' random stream.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The baseline mean of `profile` scaled by `share` in week `t` of a series of `weeks` weeks
/// starting on `start`.
pub fn baseline_mean(profile: &Profile, share: f64, start: NaiveDate, weeks: usize, t: usize) -> f64 {
    let thursday = start + Duration::days(7 * t as i64 + 3);
    let week_of_year = (thursday.ordinal0() as f64) / 7.0 + 1.0;
    let season = (profile.amplitude
        * (std::f64::consts::TAU * (week_of_year - profile.peak_week) / CALENDAR_YEAR_WEEKS).cos())
    .exp()
        / dist::bessel_i0(profile.amplitude);
    let years = (t as f64 + 0.5) / CALENDAR_YEAR_WEEKS;
    let middle = weeks as f64 / 2.0 / CALENDAR_YEAR_WEEKS;
    let trend = (1.0 + profile.trend * (years - middle)).max(0.0);
    profile.mean_weekly * share * trend * season
}

impl WeeklySeries {
    /// Generates every disease × district series.
    pub fn generate(
        config: &SeriesConfig,
        diseases: &[DiseaseInput],
        districts: &[DistrictInput],
    ) -> Result<WeeklySeries, SeriesError> {
        let weeks = config.weeks();
        if weeks == 0 {
            return Err(SeriesError("years must be at least 1".into()));
        }
        if districts.is_empty() {
            return Err(SeriesError("no districts".into()));
        }
        let population: u64 = districts.iter().map(|d| d.population).sum();
        if population == 0 {
            return Err(SeriesError("the districts have no population".into()));
        }
        for (i, d) in diseases.iter().enumerate() {
            d.profile.check(&d.code)?;
            if diseases[..i].iter().any(|e| e.code == d.code) {
                return Err(SeriesError(format!("disease {} given twice", d.code)));
            }
        }
        for (i, d) in districts.iter().enumerate() {
            if districts[..i].iter().any(|e| e.code == d.code) {
                return Err(SeriesError(format!("district {} given twice", d.code)));
            }
        }
        let (lo, hi) = config.size_sd;
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi) {
            return Err(SeriesError("size_sd must be a range 0 <= low <= high".into()));
        }
        if !(config.spread_sdlog.is_finite() && config.spread_sdlog >= 0.0) {
            return Err(SeriesError("spread_sdlog must be >= 0".into()));
        }
        if config.outbreaks > 0 && config.training_weeks >= weeks {
            return Err(SeriesError(format!(
                "no weeks after the training part ({} weeks) in {weeks} weeks for outbreaks",
                config.training_weeks
            )));
        }
        if config.training_outbreaks > 0 && config.training_weeks == 0 {
            return Err(SeriesError("training outbreaks need a training part".into()));
        }
        let mut counts = vec![0u32; diseases.len() * districts.len() * weeks];
        let mut outbreaks = Vec::new();
        let mut mu = vec![0.0; weeks];
        for (di, disease) in diseases.iter().enumerate() {
            for (ki, district) in districts.iter().enumerate() {
                let share = district.population as f64 / population as f64;
                for (t, m) in mu.iter_mut().enumerate() {
                    *m = baseline_mean(&disease.profile, share, config.start, weeks, t);
                }
                let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
                rng.set_stream(fnv1a(&[&disease.code, &district.code]));
                let series = &mut counts[(di * districts.len() + ki) * weeks..][..weeks];
                for (c, &m) in series.iter_mut().zip(&mu) {
                    *c = dist::neg_binomial(&mut rng, m, disease.profile.dispersion) as u32;
                }
                let mut placed: Vec<Outbreak> = Vec::new();
                let parts = [
                    (0, config.training_weeks.min(weeks), config.training_outbreaks, true),
                    (config.training_weeks, weeks, config.outbreaks, false),
                ];
                for (from, to, n, training) in parts {
                    for _ in 0..n {
                        if let Some(o) = place(&mut rng, config, &mu, disease.profile.dispersion, from, to, &placed) {
                            placed.push(Outbreak {
                                training,
                                disease: disease.code.clone(),
                                district: district.code.clone(),
                                ..o
                            });
                        }
                    }
                }
                placed.sort_by_key(|o| o.start);
                for o in &placed {
                    for (i, &c) in o.cases.iter().enumerate() {
                        series[o.start + i] += c as u32;
                    }
                }
                outbreaks.extend(placed);
            }
        }
        for (i, o) in outbreaks.iter_mut().enumerate() {
            o.id = i + 1;
        }
        Ok(WeeklySeries {
            config: config.clone(),
            diseases: diseases.to_vec(),
            districts: districts.to_vec(),
            counts,
            outbreaks,
        })
    }

    pub fn weeks(&self) -> usize {
        self.config.weeks()
    }

    /// Counts of disease `d` in district `k` (indices into `diseases` and `districts`).
    pub fn series(&self, d: usize, k: usize) -> &[u32] {
        let w = self.weeks();
        &self.counts[(d * self.districts.len() + k) * w..][..w]
    }

    /// Counts of disease `d` territory-wide: the sum of its districts.
    pub fn territory(&self, d: usize) -> Vec<u32> {
        let mut total = vec![0u32; self.weeks()];
        for k in 0..self.districts.len() {
            for (t, c) in self.series(d, k).iter().enumerate() {
                total[t] += c;
            }
        }
        total
    }

    /// The baseline mean (without outbreaks) of disease `d` in district `k` in week `t`.
    pub fn expected(&self, d: usize, k: usize, t: usize) -> f64 {
        let population: u64 = self.districts.iter().map(|x| x.population).sum();
        let share = self.districts[k].population as f64 / population as f64;
        baseline_mean(&self.diseases[d].profile, share, self.config.start, self.weeks(), t)
    }

    /// Monday of week `t` (0-based).
    pub fn week_start(&self, t: usize) -> NaiveDate {
        self.config.start + Duration::days(7 * t as i64)
    }

    /// The outbreaks injected in disease `d`, district `k`, by start.
    pub fn outbreaks_in(&self, d: usize, k: usize) -> impl Iterator<Item = &Outbreak> {
        let (disease, district) = (&self.diseases[d].code, &self.districts[k].code);
        self.outbreaks.iter().filter(move |o| &o.disease == disease && &o.district == district)
    }

    /// `week_start,disease,district,count` for every disease, district and week (in that order).
    pub fn write_counts_csv(&self, w: &mut impl Write) -> std::io::Result<()> {
        writeln!(w, "week_start,disease,district,count")?;
        let dates: Vec<String> = (0..self.weeks()).map(|t| self.week_start(t).to_string()).collect();
        for (d, disease) in self.diseases.iter().enumerate() {
            for (k, district) in self.districts.iter().enumerate() {
                for (date, c) in dates.iter().zip(self.series(d, k)) {
                    writeln!(w, "{date},{},{},{c}", disease.code, district.code)?;
                }
            }
        }
        Ok(())
    }

    /// `id,disease,district,start_week,end_week,weeks,cases,size_sd,baseline_sd,training,cases_by_week`:
    /// start and end are the Mondays of the first and last week, `cases_by_week` the extra cases
    /// of each week joined by `;`.
    pub fn write_outbreaks_csv(&self, w: &mut impl Write) -> std::io::Result<()> {
        writeln!(w, "id,disease,district,start_week,end_week,weeks,cases,size_sd,baseline_sd,training,cases_by_week")?;
        for o in &self.outbreaks {
            let by_week: Vec<String> = o.cases.iter().map(u64::to_string).collect();
            writeln!(
                w,
                "{},{},{},{},{},{},{},{:.3},{:.4},{},{}",
                o.id,
                o.disease,
                o.district,
                self.week_start(o.start),
                self.week_start(o.end() - 1),
                o.weeks(),
                o.total(),
                o.size_sd,
                o.baseline_sd,
                o.training,
                by_week.join(";")
            )?;
        }
        Ok(())
    }
}

/// Draws one outbreak starting in `from..to` that ends before `to` and keeps `gap_weeks` away
/// from `placed`; `None` if 200 tries found no room.
fn place(
    rng: &mut ChaCha8Rng,
    config: &SeriesConfig,
    mu: &[f64],
    dispersion: f64,
    from: usize,
    to: usize,
    placed: &[Outbreak],
) -> Option<Outbreak> {
    if from >= to {
        return None;
    }
    for _ in 0..200 {
        let first = rng.random_range(from..to);
        let k = if config.size_sd.1 > config.size_sd.0 {
            rng.random_range(config.size_sd.0..config.size_sd.1)
        } else {
            config.size_sd.0
        };
        let sd = (dispersion * mu[first]).sqrt();
        let n = dist::poisson(rng, k * sd).max(config.min_cases);
        let mut cases = [0u64; MAX_DELAY_WEEKS + 1];
        for _ in 0..n {
            let delay = dist::lognormal(rng, 0.0, config.spread_sdlog).floor().min(MAX_DELAY_WEEKS as f64) as usize;
            cases[delay] += 1;
        }
        let Some(lead) = cases.iter().position(|&c| c > 0) else { continue };
        let last = cases.iter().rposition(|&c| c > 0).expect("a week with cases");
        let start = first + lead;
        let end = first + last + 1;
        if end > to {
            continue;
        }
        let clear = placed.iter().all(|o| end + config.gap_weeks <= o.start || o.end() + config.gap_weeks <= start);
        if !clear {
            continue;
        }
        return Some(Outbreak {
            id: 0,
            disease: String::new(),
            district: String::new(),
            start,
            cases: cases[lead..=last].to_vec(),
            size_sd: k,
            baseline_sd: sd,
            training: false,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diseases(codes: &[&str]) -> Vec<DiseaseInput> {
        codes.iter().map(|c| DiseaseInput::with_profile(c).expect("profile")).collect()
    }

    fn small(seed: u64) -> WeeklySeries {
        let config = SeriesConfig { seed, ..Default::default() };
        WeeklySeries::generate(&config, &diseases(&["chickenpox", "measles", "tuberculosis"]), &hk_districts()).unwrap()
    }

    #[test]
    fn same_seed_same_series_and_outbreaks() {
        let (a, b, c) = (small(7), small(7), small(8));
        assert_eq!(a.counts, b.counts);
        assert_eq!(a.outbreaks, b.outbreaks);
        assert_ne!(a.counts, c.counts);
        assert_ne!(a.outbreaks, c.outbreaks);
    }

    #[test]
    fn a_series_does_not_depend_on_the_others() {
        let config = SeriesConfig::default();
        let alone = WeeklySeries::generate(&config, &diseases(&["measles"]), &hk_districts()).unwrap();
        let all = small(42);
        for k in 0..18 {
            assert_eq!(alone.series(0, k), all.series(1, k));
        }
        let measles: Vec<_> =
            all.outbreaks.iter().filter(|o| o.disease == "measles").map(|o| (&o.district, o.start, &o.cases)).collect();
        let own: Vec<_> = alone.outbreaks.iter().map(|o| (&o.district, o.start, &o.cases)).collect();
        assert_eq!(measles, own);
    }

    #[test]
    fn territory_is_the_sum_of_districts() {
        let s = small(3);
        assert_eq!(s.districts.len(), 18);
        for d in 0..s.diseases.len() {
            let territory = s.territory(d);
            for t in [0, 100, 300, 519] {
                let sum: u32 = (0..18).map(|k| s.series(d, k)[t]).sum();
                assert_eq!(territory[t], sum);
            }
            let expected: f64 = (0..18).map(|k| s.expected(d, k, 10)).sum();
            let want = baseline_mean(&s.diseases[d].profile, 1.0, s.config.start, 520, 10);
            assert!((expected - want).abs() < 1e-9 * want.max(1.0));
        }
    }

    /// Over a long series without outbreaks the mean is the profile's `mean_weekly`, the
    /// variance `dispersion × mean` (seasonality taken out), and the winter peak is where the
    /// profile puts it.
    #[test]
    fn long_series_follow_their_profiles() {
        let config = SeriesConfig { seed: 11, years: 100, outbreaks: 0, ..Default::default() };
        let ds = diseases(&["chickenpox", "tuberculosis", "dengue_fever", "listeriosis"]);
        let s = WeeklySeries::generate(&config, &ds, &hk_districts()).unwrap();
        assert!(s.outbreaks.is_empty());
        for (d, disease) in ds.iter().enumerate() {
            let p = &disease.profile;
            let territory = s.territory(d);
            let n = territory.len() as f64;
            let mean = territory.iter().map(|&c| c as f64).sum::<f64>() / n;
            // Standard error of the mean is about sqrt(phi * mean / n) plus the seasonal spread.
            let tolerance = 4.0 * (p.dispersion * p.mean_weekly / n).sqrt() + 0.01 * p.mean_weekly;
            assert!((mean - p.mean_weekly).abs() < tolerance, "{}: mean {mean} vs {}", disease.code, p.mean_weekly);
            // Pearson dispersion against the true mean.
            let phi = territory
                .iter()
                .enumerate()
                .map(|(t, &c)| {
                    let m: f64 = (0..18).map(|k| s.expected(d, k, t)).sum();
                    (c as f64 - m).powi(2) / m
                })
                .sum::<f64>()
                / n;
            assert!((phi / p.dispersion - 1.0).abs() < 0.08, "{}: dispersion {phi} vs {}", disease.code, p.dispersion);
        }
        // Chickenpox peaks in weeks 1-3 (profile: week 2), dengue in September (week 36).
        let peak = |d: usize| {
            let mut by_week = [0.0; 53];
            for (t, c) in s.territory(d).iter().enumerate() {
                let week = (s.week_start(t) + Duration::days(3)).iso_week().week() as usize;
                by_week[week - 1] += *c as f64;
            }
            by_week[..52].iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0 + 1
        };
        assert!((1..=4).contains(&peak(0)) || peak(0) >= 52, "chickenpox peak week {}", peak(0));
        assert!((33..=39).contains(&peak(2)), "dengue peak week {}", peak(2));
    }

    #[test]
    fn trend_is_centred_and_applied() {
        let p = Profile {
            mean_weekly: 10.0,
            amplitude: 0.0,
            peak_week: 1.0,
            trend: -0.05,
            dispersion: 1.0,
            basis: String::new(),
        };
        let start = SeriesConfig::default().start;
        let first = baseline_mean(&p, 1.0, start, 520, 0);
        let last = baseline_mean(&p, 1.0, start, 520, 519);
        let mean: f64 = (0..520).map(|t| baseline_mean(&p, 1.0, start, 520, t)).sum::<f64>() / 520.0;
        assert!((mean - 10.0).abs() < 1e-3, "{mean}");
        assert!((first - 12.49).abs() < 0.02 && (last - 7.51).abs() < 0.02, "{first} {last}");
    }

    #[test]
    fn outbreaks_are_injected_labelled_and_after_training() {
        let s = small(5);
        let config = &s.config;
        // 3 diseases x 18 districts x 3 outbreaks (there is always room in 257 weeks).
        assert_eq!(s.outbreaks.len(), 3 * 18 * 3);
        for (i, o) in s.outbreaks.iter().enumerate() {
            assert_eq!(o.id, i + 1);
            assert!(!o.training && o.start >= config.training_weeks && o.end() <= s.weeks(), "{o:?}");
            assert!(o.total() >= config.min_cases);
            assert!(o.cases[0] > 0 && *o.cases.last().unwrap() > 0);
            assert!((2.0..10.0).contains(&o.size_sd));
            let d = s.diseases.iter().position(|x| x.code == o.disease).unwrap();
            let k = s.districts.iter().position(|x| x.code == o.district).unwrap();
            // The cases are in the counts.
            for (j, &c) in o.cases.iter().enumerate() {
                assert!(s.series(d, k)[o.start + j] as u64 >= c);
            }
        }
        // Within a series, outbreaks are apart by at least gap_weeks.
        for d in 0..3 {
            for k in 0..18 {
                let os: Vec<_> = s.outbreaks_in(d, k).collect();
                assert_eq!(os.len(), 3);
                for w in os.windows(2) {
                    assert!(w[0].end() + config.gap_weeks <= w[1].start);
                }
            }
        }
        // Most cases fall in the first two weeks (lognormal 0, 0.5: 92 % below 2).
        let (early, all) =
            s.outbreaks.iter().fold((0, 0), |(e, a), o| (e + o.cases.iter().take(2).sum::<u64>(), a + o.total()));
        assert!(early as f64 > 0.85 * all as f64, "{early} of {all}");
        // Big tuberculosis outbreaks: k sd of a baseline of several cases a week.
        let tb_mean =
            s.outbreaks.iter().filter(|o| o.disease == "tuberculosis").map(|o| o.total() as f64).sum::<f64>() / 54.0;
        assert!(tb_mean > 10.0, "{tb_mean}");
    }

    #[test]
    fn training_outbreaks_only_when_asked() {
        let config = SeriesConfig { training_outbreaks: 2, outbreaks: 1, ..Default::default() };
        let s = WeeklySeries::generate(&config, &diseases(&["mumps"]), &hk_districts()).unwrap();
        let training = s.outbreaks.iter().filter(|o| o.training).count();
        assert_eq!(training, 36);
        assert!(s.outbreaks.iter().filter(|o| o.training).all(|o| o.end() <= config.training_weeks));
        assert!(s.outbreaks.iter().filter(|o| !o.training).all(|o| o.start >= config.training_weeks));
    }

    #[test]
    fn bad_input_is_refused() {
        let d = diseases(&["mumps"]);
        let districts = hk_districts();
        let config = SeriesConfig { years: 5, ..Default::default() };
        assert!(WeeklySeries::generate(&config, &d, &districts).unwrap_err().0.contains("training part"));
        let twice = [d.clone(), d.clone()].concat();
        assert!(WeeklySeries::generate(&SeriesConfig::default(), &twice, &districts).unwrap_err().0.contains("twice"));
        let mut bad = d.clone();
        bad[0].profile.dispersion = 0.5;
        assert!(
            WeeklySeries::generate(&SeriesConfig::default(), &bad, &districts).unwrap_err().0.contains("dispersion")
        );
        assert!(WeeklySeries::generate(&SeriesConfig::default(), &d, &[]).is_err());
    }

    #[test]
    fn csv_files() {
        let config = SeriesConfig { years: 6, ..Default::default() };
        let districts = &hk_districts()[..2];
        let s = WeeklySeries::generate(&config, &diseases(&["scarlet_fever"]), districts).unwrap();
        let mut counts = Vec::new();
        s.write_counts_csv(&mut counts).unwrap();
        let counts = String::from_utf8(counts).unwrap();
        let lines: Vec<_> = counts.lines().collect();
        assert_eq!(lines[0], "week_start,disease,district,count");
        assert_eq!(lines.len(), 1 + 2 * 312);
        assert!(lines[1].starts_with("2016-01-04,scarlet_fever,CW,"));
        assert!(lines[313].starts_with("2016-01-04,scarlet_fever,WC,"));
        let total: u64 = lines[1..].iter().map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap()).sum();
        assert_eq!(total, (0..2).flat_map(|k| s.series(0, k).iter()).map(|&c| c as u64).sum::<u64>());
        let mut out = Vec::new();
        s.write_outbreaks_csv(&mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let rows: Vec<_> = out.lines().collect();
        assert_eq!(rows.len(), 1 + 6);
        let first: Vec<_> = rows[1].split(',').collect();
        let o = &s.outbreaks[0];
        assert_eq!(first[0], "1");
        assert_eq!(first[3], s.week_start(o.start).to_string());
        assert_eq!(first[6], o.total().to_string());
        assert_eq!(first[10].split(';').map(|c| c.parse::<u64>().unwrap()).sum::<u64>(), o.total());
    }

    #[test]
    fn every_profile_is_valid() {
        assert_eq!(profiles().len(), 52);
        for (code, p) in profiles() {
            p.check(code).unwrap();
            assert!(!p.basis.is_empty(), "{code}");
        }
        assert!(profile("tuberculosis").unwrap().mean_weekly >= 60.0);
        assert!(!profiles_source().is_empty());
    }
}
