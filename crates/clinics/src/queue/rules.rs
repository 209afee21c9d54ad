//! The walk-in queue's pure rules: priority categories and their order, ticket numbers, the
//! estimated time until a ticket is called, and wait statistics (average and 90th percentile).

/// The queue service every service point has besides its clinic services: registration and
/// enquiries at the counter.
pub const ENQUIRY: &str = "enquiry";

/// Who is served first. Lower rank is called first; within a rank, earlier tickets first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// Set by staff only (e.g. a child in pain, a fall at the counter).
    Urgent,
    Elderly,
    Pregnant,
    Disability,
    General,
}

impl Priority {
    pub const ALL: [Priority; 5] =
        [Priority::Urgent, Priority::Elderly, Priority::Pregnant, Priority::Disability, Priority::General];

    /// The categories a person may choose at the kiosk (urgent is for staff to decide).
    pub const SELF_DECLARED: [Priority; 4] =
        [Priority::General, Priority::Elderly, Priority::Pregnant, Priority::Disability];

    pub fn code(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::Elderly => "elderly",
            Priority::Pregnant => "pregnant",
            Priority::Disability => "disability",
            Priority::General => "general",
        }
    }

    pub fn parse(code: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.code() == code)
    }

    pub fn rank(self) -> i64 {
        match self {
            Priority::Urgent => 0,
            Priority::Elderly | Priority::Pregnant | Priority::Disability => 1,
            Priority::General => 2,
        }
    }
}

/// The letter of a queue service's tickets at a service point: `A` for the first service in
/// `services` (sorted), `B` for the next… Registration and enquiries are always `R`.
pub fn letter(services: &[String], service: &str) -> char {
    if service == ENQUIRY {
        return 'R';
    }
    let mut sorted: Vec<&String> = services.iter().filter(|s| *s != ENQUIRY).collect();
    sorted.sort();
    let i = sorted.iter().position(|s| *s == service).unwrap_or(0);
    (b'A' + (i as u8).min(16)) as char
}

/// A ticket number as shown and announced, e.g. `A007`.
pub fn number(letter: char, n: i64) -> String {
    format!("{letter}{n:03}")
}

/// Typical minutes one person takes at a room, per queue service, for estimates before a
/// queue has a pace of its own.
pub fn typical_minutes(service: &str) -> f64 {
    match service {
        ENQUIRY => 4.0,
        "dental_gp" => 20.0,
        "ehc_assessment" => 30.0,
        s if s.starts_with("mchc") => 15.0,
        _ => 10.0,
    }
}

/// When a ticket is likely to be called.
#[derive(Clone, Debug, PartialEq)]
pub struct Eta {
    /// Minutes from now.
    pub minutes: f64,
    /// Calls in the recent window the estimate rests on (0: the service's typical time).
    pub basis_calls: usize,
}

/// How far back calls count towards the pace of a queue.
pub const PACE_WINDOW_MS: i64 = 60 * 60_000;

/// Estimates the wait of a ticket with `ahead` tickets before it.
///
/// With at least three calls of this service in the last hour (`recent_calls`, instants in ms,
/// any order), the pace is the mean interval between consecutive calls, measured up to now:
/// `(now − first call) / calls`, which also counts a queue that has stalled since its last call.
/// The ticket is called after `ahead + 1` such intervals, less the time since the last call.
/// Without enough recent calls it falls back to the service's typical minutes per person
/// divided among the rooms serving it.
pub fn eta(ahead: usize, now: i64, recent_calls: &[i64], typical_minutes: f64, rooms: usize) -> Eta {
    let mut calls: Vec<i64> =
        recent_calls.iter().copied().filter(|t| *t <= now && now - *t <= PACE_WINDOW_MS).collect();
    calls.sort_unstable();
    if calls.len() >= 3 {
        let first = calls[0];
        let last = *calls.last().unwrap_or(&first);
        let interval = (now - first) as f64 / calls.len() as f64 / 60_000.0;
        let since_last = (now - last) as f64 / 60_000.0;
        let minutes = ((ahead as f64 + 1.0) * interval - since_last).max(ahead as f64 * interval).max(0.0);
        Eta { minutes, basis_calls: calls.len() }
    } else {
        let per = typical_minutes / rooms.max(1) as f64;
        Eta { minutes: ahead as f64 * per, basis_calls: 0 }
    }
}

/// Average and 90th percentile (nearest rank) of waits in minutes; `None` when empty.
pub fn wait_stats(waits_ms: &[i64]) -> Option<WaitStats> {
    if waits_ms.is_empty() {
        return None;
    }
    let mut w: Vec<i64> = waits_ms.to_vec();
    w.sort_unstable();
    let n = w.len();
    let mean = w.iter().sum::<i64>() as f64 / n as f64 / 60_000.0;
    // Nearest rank: the smallest value with at least 90 % of the values at or below it.
    let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
    Some(WaitStats { count: n, mean_minutes: mean, p90_minutes: w[rank - 1] as f64 / 60_000.0 })
}

#[derive(Clone, Debug, PartialEq)]
pub struct WaitStats {
    pub count: usize,
    pub mean_minutes: f64,
    pub p90_minutes: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn priority_order() {
        assert!(Priority::Urgent.rank() < Priority::Elderly.rank());
        assert_eq!(Priority::Elderly.rank(), Priority::Pregnant.rank());
        assert!(Priority::Disability.rank() < Priority::General.rank());
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.code()), Some(p));
        }
        assert_eq!(Priority::parse("vip"), None);
        assert!(!Priority::SELF_DECLARED.contains(&Priority::Urgent));
    }

    #[test]
    fn letters_and_numbers() {
        let s = vec!["mchc_child".to_string(), "mchc_antenatal".into(), ENQUIRY.into()];
        assert_eq!(letter(&s, "mchc_antenatal"), 'A');
        assert_eq!(letter(&s, "mchc_child"), 'B');
        assert_eq!(letter(&s, ENQUIRY), 'R');
        assert_eq!(number('A', 7), "A007");
        assert_eq!(number('B', 1234), "B1234");
    }

    #[test]
    fn eta_from_recent_pace() {
        let now = 100 * MIN;
        // Four calls, the first 20 minutes ago, the last just now: one call every 5 minutes.
        let calls = [now - 20 * MIN, now - 14 * MIN, now - 6 * MIN, now];
        let e = eta(0, now, &calls, 10.0, 1);
        assert_eq!(e.basis_calls, 4);
        assert!((e.minutes - 5.0).abs() < 1e-9, "{e:?}");
        let e = eta(3, now, &calls, 10.0, 1);
        assert!((e.minutes - 20.0).abs() < 1e-9, "{e:?}");
        // Two minutes after the last call the next one is three minutes away.
        let later = now + 2 * MIN;
        let e = eta(0, later, &calls, 10.0, 1);
        // Pace now (22 min / 4 calls = 5.5 min), less the 2 min since the last call.
        assert!((e.minutes - 3.5).abs() < 1e-9, "{e:?}");
    }

    #[test]
    fn eta_ignores_old_calls_and_falls_back() {
        let now = 200 * MIN;
        let calls = [now - 90 * MIN, now - 80 * MIN, now - 70 * MIN, now - 10 * MIN];
        // Only one call in the last hour: typical 12 minutes per person over 3 rooms.
        let e = eta(6, now, &calls, 12.0, 3);
        assert_eq!(e, Eta { minutes: 24.0, basis_calls: 0 });
        // First in line with no history: called as soon as a room frees up.
        assert_eq!(eta(0, now, &[], 12.0, 0).minutes, 0.0);
    }

    #[test]
    fn a_stalled_queue_does_not_promise_a_past_time() {
        let now = 100 * MIN;
        // Three quick calls 50 minutes ago, nothing since: pace 50/3 ≈ 16.7 min per call.
        let calls = [now - 52 * MIN, now - 51 * MIN, now - 50 * MIN];
        let e = eta(2, now, &calls, 10.0, 1);
        assert!(e.minutes >= 2.0 * (52.0 / 3.0) - 1e-9, "{e:?}");
    }

    #[test]
    fn stats_mean_and_p90_nearest_rank() {
        assert_eq!(wait_stats(&[]), None);
        let waits: Vec<i64> = (1..=10).map(|m| m * MIN).collect();
        let s = wait_stats(&waits).unwrap();
        assert_eq!(s.count, 10);
        assert!((s.mean_minutes - 5.5).abs() < 1e-9);
        assert!((s.p90_minutes - 9.0).abs() < 1e-9);
        let s = wait_stats(&[3 * MIN]).unwrap();
        assert_eq!((s.mean_minutes, s.p90_minutes), (3.0, 3.0));
        // 11 values: ceil(9.9) = 10th smallest.
        let waits: Vec<i64> = (1..=11).map(|m| m * MIN).collect();
        assert!((wait_stats(&waits).unwrap().p90_minutes - 10.0).abs() < 1e-9);
    }
}
