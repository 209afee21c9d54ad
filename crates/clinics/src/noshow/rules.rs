//! The no-show policy (pure). Unexcused no-shows in the last 180 days count: the first brings a
//! warning; two or more lower the person's ballot priority (they are drawn after everyone else)
//! for 90 days from the latest. A clinic manager can excuse a no-show on appeal, and it stops
//! counting at once.

pub const WINDOW_DAYS: i64 = 180;
pub const PENALTY_AT: usize = 2;
pub const PENALTY_DAYS: i64 = 90;
const DAY_MS: i64 = 86_400_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Good,
    /// No-shows counted in the window, below the penalty.
    Warned {
        count: usize,
    },
    /// Lower ballot priority until `until` (Unix ms).
    Penalised {
        count: usize,
        until: i64,
    },
}

impl Standing {
    pub fn code(&self) -> &'static str {
        match self {
            Standing::Good => "good",
            Standing::Warned { .. } => "warned",
            Standing::Penalised { .. } => "penalised",
        }
    }
}

/// The standing of a person whose unexcused no-shows were at `times` (appointment starts, ms).
pub fn standing(times: &[i64], now: i64) -> Standing {
    let recent: Vec<i64> = times.iter().copied().filter(|t| *t <= now && *t > now - WINDOW_DAYS * DAY_MS).collect();
    match recent.len() {
        0 => Standing::Good,
        n if n >= PENALTY_AT => {
            let until = recent.iter().max().copied().unwrap_or(now) + PENALTY_DAYS * DAY_MS;
            if until > now { Standing::Penalised { count: n, until } } else { Standing::Warned { count: n } }
        }
        n => Standing::Warned { count: n },
    }
}

/// The ballot tier of a person: 0 for people aged 65+, 1 for others, and two tiers lower while
/// the no-show penalty runs (after everyone in good standing).
pub fn ballot_tier(elderly: bool, standing: Standing) -> i64 {
    let base = if elderly { 0 } else { 1 };
    if matches!(standing, Standing::Penalised { .. }) { base + 2 } else { base }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000 * DAY_MS;

    #[test]
    fn one_no_show_warns_two_penalise() {
        assert_eq!(standing(&[], NOW), Standing::Good);
        assert_eq!(standing(&[NOW - 10 * DAY_MS], NOW), Standing::Warned { count: 1 });
        assert_eq!(
            standing(&[NOW - 10 * DAY_MS, NOW - 40 * DAY_MS], NOW),
            Standing::Penalised { count: 2, until: NOW + 80 * DAY_MS }
        );
    }

    #[test]
    fn old_no_shows_stop_counting() {
        // One inside the window, one 200 days ago: a warning only.
        assert_eq!(standing(&[NOW - 10 * DAY_MS, NOW - 200 * DAY_MS], NOW), Standing::Warned { count: 1 });
        // Two in the window but the penalty (90 days from the latest) has run out.
        assert_eq!(standing(&[NOW - 100 * DAY_MS, NOW - 120 * DAY_MS], NOW), Standing::Warned { count: 2 });
        // Future appointments cannot be no-shows yet.
        assert_eq!(standing(&[NOW + DAY_MS], NOW), Standing::Good);
    }

    #[test]
    fn penalty_lowers_ballot_priority_below_everyone() {
        let p = Standing::Penalised { count: 2, until: NOW };
        assert_eq!(ballot_tier(true, Standing::Good), 0);
        assert_eq!(ballot_tier(false, Standing::Warned { count: 1 }), 1);
        assert_eq!(ballot_tier(true, p), 2);
        assert_eq!(ballot_tier(false, p), 3);
    }
}
