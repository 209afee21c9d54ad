//! Waitlists (pure): how long a person may still wait.
//!
//! Places free up (cancellations, a "No" to a reminder, ballot winners who withdraw) at a
//! recent rate of λ places a day. If they free up at random at that rate, the wait until the
//! k-th next place — the person's position — follows an Erlang(k, λ) distribution. We show its
//! median and its 10 %–90 % range, and say what the estimate rests on.

/// An estimated wait.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub median_days: f64,
    pub low_days: f64,
    pub high_days: f64,
    /// Places freed in the window the rate was measured over.
    pub freed: i64,
    pub window_days: i64,
}

/// The days of history the rate is measured over.
pub const WINDOW_DAYS: i64 = 90;

/// The estimated wait of the person at `position` (1 = next), given `freed` places in the last
/// `window_days`. `None` when nothing freed up in the window (no basis for an estimate).
pub fn estimate(position: i64, freed: i64, window_days: i64) -> Option<Estimate> {
    if position < 1 || freed < 1 || window_days < 1 {
        return None;
    }
    let rate = freed as f64 / window_days as f64;
    let q = |p: f64| erlang_quantile(position as u64, p) / rate;
    Some(Estimate { median_days: q(0.5), low_days: q(0.1), high_days: q(0.9), freed, window_days })
}

/// P(X ≤ x) for X ~ Erlang(k, 1) = 1 − Σ_{i<k} e^{−x} x^i / i!, summed in log space so large
/// k and x neither overflow nor underflow.
pub fn erlang_cdf(k: u64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_x = x.ln();
    let mut ln_fact = 0.0;
    let mut tail = 0.0;
    for i in 0..k {
        if i > 0 {
            ln_fact += (i as f64).ln();
        }
        tail += (-x + i as f64 * ln_x - ln_fact).exp();
    }
    (1.0 - tail).clamp(0.0, 1.0)
}

/// The p-quantile of Erlang(k, 1), by bisection (the CDF is monotone).
pub fn erlang_quantile(k: u64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, (k as f64) * 2.0 + 20.0);
    while erlang_cdf(k, hi) < p {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if erlang_cdf(k, mid) < p {
            lo = mid
        } else {
            hi = mid
        }
        if hi - lo < 1e-12 * hi.max(1.0) {
            break;
        }
    }
    (lo + hi) / 2.0
}

/// How long a person has to answer an offer: the configured window, but never past the last
/// moment the slot can still be booked. `None` when too little time is left to be worth offering.
pub fn offer_expiry(now: i64, window_ms: i64, slot_starts_at: i64, min_notice_ms: i64) -> Option<i64> {
    let last = slot_starts_at - min_notice_ms;
    let expires = (now + window_ms).min(last);
    (expires - now >= 5 * 60_000).then_some(expires)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn the_next_place_waits_an_exponential_time() {
        // 90 places in 90 days: λ = 1 a day. Exponential(1): median ln 2, 10 % −ln 0.9, 90 % −ln 0.1.
        let e = estimate(1, 90, 90).unwrap();
        assert!(close(e.median_days, 2f64.ln()), "{e:?}");
        assert!(close(e.low_days, -(0.9f64.ln())), "{e:?}");
        assert!(close(e.high_days, -(0.1f64.ln())), "{e:?}");
    }

    #[test]
    fn erlang_two_matches_its_closed_form() {
        // Erlang(2, 1): CDF 1 − e^{−x}(1 + x); its median is 1.678346990016661.
        for x in [0.1, 1.0, 2.5, 7.0] {
            assert!(close(erlang_cdf(2, x), 1.0 - (-x).exp() * (1.0 + x)));
        }
        assert!((erlang_quantile(2, 0.5) - 1.678_346_990_016_661).abs() < 1e-9);
    }

    #[test]
    fn waits_scale_with_position_and_rate() {
        // Position 100 at 2 places a week (180/90 = 2 a day would be too fast; use 26 in 91 days).
        let e = estimate(100, 26, 91).unwrap();
        // Mean of Erlang(100, λ) is 100/λ = 350 days; the median is just below the mean.
        assert!(e.median_days > 340.0 && e.median_days < 350.0, "{e:?}");
        assert!(e.low_days < e.median_days && e.median_days < e.high_days);
        // Half the rate, twice the wait.
        let slow = estimate(100, 13, 91).unwrap();
        assert!(close(slow.median_days, 2.0 * e.median_days));
        // Large positions stay finite and ordered.
        let far = estimate(5_000, 30, 90).unwrap();
        assert!(far.median_days.is_finite() && far.low_days < far.high_days);
    }

    #[test]
    fn no_history_means_no_estimate() {
        assert_eq!(estimate(3, 0, 90), None);
        assert_eq!(estimate(0, 10, 90), None);
    }

    #[test]
    fn offers_expire_before_the_booking_deadline() {
        let min = 60_000;
        // Plenty of time: the configured window.
        assert_eq!(offer_expiry(0, 30 * min, 1_000 * min, 60 * min), Some(30 * min));
        // The slot is close: up to its minimum notice.
        assert_eq!(offer_expiry(0, 30 * min, 80 * min, 60 * min), Some(20 * min));
        // Under five minutes left: not worth offering.
        assert_eq!(offer_expiry(0, 30 * min, 63 * min, 60 * min), None);
    }
}
