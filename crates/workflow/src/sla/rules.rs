//! SLA arithmetic, pure: where a deadline falls, and when its milestones fall, on the business
//! calendar.
//!
//! The rules, written down so that each date can be checked by hand:
//! - **Working time** is office hours (09:00–17:00 Hong Kong time unless told otherwise) on
//!   business days (Monday to Friday, not a general holiday), less any closure in force for the
//!   district (typhoon signal No. 8, black rainstorm, other declared closures) and less any
//!   pause of the clock.
//! - **N business hours** end when N hours of working time have passed since the start.
//! - **N business days** end at the close of office on the Nth *counted* day after the day the
//!   clock started (the starting day never counts, as in "reply within 10 working days"). A
//!   business day is counted when at least half of its office hours are working time: a day
//!   mostly lost to a closure or a pause moves the deadline by a day.
//! - **Calendar durations** (`PT48H`) run in calendar time, extended by pauses only.
//! - A pause with no end (still paused) gives no deadline: the clock is stopped.
//! - **Milestones** are the instants at which the clock has used 50 %, 75 % and 100 % of the
//!   working time between its start and its deadline (calendar time less pauses, for calendar
//!   durations); 100 % is the deadline itself.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use kernel::hk::calendar::{Calendar, Closure};

use crate::definitions::timer::Wait;

const MS_PER_HOUR: i64 = 3_600_000;
/// How far ahead a deadline is looked for (about ten years of days).
const HORIZON_DAYS: i64 = 3660;

/// Office hours of a business day, in Hong Kong time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Office {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl Default for Office {
    fn default() -> Office {
        Office {
            open: NaiveTime::from_hms_opt(9, 0, 0).expect("valid"),
            close: NaiveTime::from_hms_opt(17, 0, 0).expect("valid"),
        }
    }
}

/// An interval during which the clock does not run: `[from, to)` in Unix ms, open-ended when
/// `to` is None.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pause {
    pub from: i64,
    pub to: Option<i64>,
}

/// Where a deadline falls, and the closures that moved it (their ids, kinds shown to staff).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub at: i64,
    pub shifted_by: Vec<String>,
}

/// The business clock of one district.
pub struct Clock<'a> {
    pub calendar: &'a Calendar<'a>,
    pub closures: &'a [Closure],
    /// The district whose closures apply ("" for territory-wide closures only).
    pub district: &'a str,
    pub office: Office,
    pub pauses: &'a [Pause],
}

fn local_ms(d: NaiveDate, t: NaiveTime) -> i64 {
    kernel::hk::tz().from_local_datetime(&d.and_time(t)).single().expect("fixed offset").timestamp_millis()
}

fn date_of(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&kernel::hk::tz()).date_naive()
}

/// `segments` less `[from, to)`.
fn subtract(segments: Vec<(i64, i64)>, from: i64, to: i64) -> Vec<(i64, i64)> {
    let mut out = Vec::with_capacity(segments.len() + 1);
    for (a, b) in segments {
        if to <= a || b <= from {
            out.push((a, b));
            continue;
        }
        if a < from {
            out.push((a, from));
        }
        if to < b {
            out.push((to, b));
        }
    }
    out
}

impl Clock<'_> {
    fn office_ms(&self, d: NaiveDate) -> (i64, i64) {
        (local_ms(d, self.office.open), local_ms(d, self.office.close))
    }

    /// The working time of a day, as intervals in Unix ms; `with_pauses` false leaves pauses in.
    fn segments(&self, d: NaiveDate, with_pauses: bool) -> Vec<(i64, i64)> {
        if !self.calendar.is_business_day(d) {
            return Vec::new();
        }
        let (open, close) = self.office_ms(d);
        let mut s = vec![(open, close)];
        for c in self.closures.iter().filter(|c| c.overlaps(open, close, self.district)) {
            s = subtract(s, c.starts_at, c.ends_at.unwrap_or(i64::MAX));
        }
        if with_pauses {
            for p in self.pauses {
                s = subtract(s, p.from, p.to.unwrap_or(i64::MAX));
            }
        }
        s
    }

    fn open_pause_before(&self, at: i64) -> bool {
        self.pauses.iter().any(|p| p.to.is_none() && p.from <= at)
    }

    /// The instant at which `amount` ms of working time have passed since `start`; None when
    /// an open-ended pause or closure stops the clock first.
    pub fn add_working(&self, start: i64, amount: i64) -> Option<i64> {
        let mut left = amount;
        let mut day = date_of(start);
        if left <= 0 {
            return Some(start);
        }
        for _ in 0..HORIZON_DAYS {
            for (a, b) in self.segments(day, true) {
                let a = a.max(start);
                if b <= a {
                    continue;
                }
                if b - a >= left {
                    return Some(a + left);
                }
                left -= b - a;
            }
            if self.open_pause_before(local_ms(day, NaiveTime::MIN) + 86_400_000) {
                return None;
            }
            day = day.succ_opt()?;
        }
        None
    }

    /// Working time between two instants.
    pub fn working_between(&self, from: i64, to: i64) -> i64 {
        let mut total = 0;
        let mut day = date_of(from);
        while day <= date_of(to) {
            for (a, b) in self.segments(day, true) {
                let (a, b) = (a.max(from), b.min(to));
                total += (b - a).max(0);
            }
            day = day.succ_opt().expect("date in range");
        }
        total
    }

    /// Calendar time between two instants, less pauses.
    fn calendar_between(&self, from: i64, to: i64) -> i64 {
        let mut s = vec![(from, to)];
        for p in self.pauses {
            s = subtract(s, p.from, p.to.unwrap_or(i64::MAX));
        }
        s.iter().map(|(a, b)| b - a).sum()
    }

    /// The instant at which `amount` ms of calendar time less pauses have passed since `start`.
    fn add_calendar(&self, start: i64, amount: i64) -> Option<i64> {
        let mut pauses: Vec<&Pause> = self.pauses.iter().filter(|p| p.to.is_none_or(|t| t > start)).collect();
        pauses.sort_by_key(|p| p.from);
        let (mut at, mut left) = (start, amount);
        for p in pauses {
            let from = p.from.max(at);
            if from - at >= left {
                break;
            }
            left -= from - at;
            at = p.to?;
        }
        Some(at + left)
    }

    /// Whether a business day counts towards a business-days deadline.
    fn counts(&self, d: NaiveDate) -> bool {
        if !self.calendar.is_business_day(d) {
            return false;
        }
        let (open, close) = self.office_ms(d);
        let working: i64 = self.segments(d, true).iter().map(|(a, b)| b - a).sum();
        2 * working >= close - open
    }

    /// The closures that took working time from `[from, to)`.
    fn shifted_by(&self, from: i64, to: i64) -> Vec<String> {
        self.closures
            .iter()
            .filter(|c| c.overlaps(from, to, self.district))
            .filter(|c| {
                let mut day = date_of(c.starts_at.max(from));
                let last = date_of(c.ends_at.unwrap_or(to).min(to));
                while day <= last {
                    if self.calendar.is_business_day(day) {
                        let (open, close) = self.office_ms(day);
                        if c.overlaps(open, close, self.district) {
                            return true;
                        }
                    }
                    day = day.succ_opt().expect("date in range");
                }
                false
            })
            .map(|c| format!("{} ({})", c.id, c.kind.code()))
            .collect()
    }

    /// Where a clock started at `start` with `wait` ends; None while an open-ended pause holds
    /// it.
    pub fn deadline(&self, start: i64, wait: Wait) -> Option<Deadline> {
        let at = match wait {
            Wait::Calendar(secs) => self.add_calendar(start, secs * 1000)?,
            Wait::BusinessHours(h) => self.add_working(start, i64::from(h) * MS_PER_HOUR)?,
            Wait::BusinessDays(n) => {
                let mut day = date_of(start);
                let mut left = n;
                let mut found = None;
                for _ in 0..HORIZON_DAYS {
                    if left == 0 {
                        found = Some(day);
                        break;
                    }
                    day = day.succ_opt()?;
                    if self.open_pause_before(local_ms(day, self.office.close)) {
                        return None;
                    }
                    if self.counts(day) {
                        left -= 1;
                    }
                }
                let day = found?;
                if n == 0 { start } else { self.office_ms(day).1 }
            }
        };
        Some(Deadline { at, shifted_by: self.shifted_by(start, at) })
    }

    /// The instants at which a clock from `start` to `deadline` reaches each share in
    /// `percents` (e.g. 50, 75, 100) of its time.
    pub fn milestones(&self, start: i64, deadline: i64, wait: Wait, percents: &[u32]) -> Vec<(u32, i64)> {
        let calendar = matches!(wait, Wait::Calendar(_));
        let total =
            if calendar { self.calendar_between(start, deadline) } else { self.working_between(start, deadline) };
        percents
            .iter()
            .filter_map(|&p| {
                if p >= 100 {
                    return Some((p, deadline));
                }
                let amount = total * i64::from(p) / 100;
                let at = if calendar { self.add_calendar(start, amount) } else { self.add_working(start, amount) };
                at.map(|at| (p, at))
            })
            .collect()
    }
}

/// The state of one SLA clock of an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Running,
    Paused,
    Stopped,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Stopped => "stopped",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [Status::Running, Status::Paused, Status::Stopped].into_iter().find(|x| x.code() == s)
    }
}

/// A clock's bookkeeping: when it started, its pauses, when it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tracked {
    pub status: Status,
    pub started_at: i64,
    pub pauses: Vec<Pause>,
    pub stopped_at: Option<i64>,
}

/// One step of an instance, as an SLA clock sees it.
pub struct Step<'a> {
    /// The instance has just started.
    pub first: bool,
    /// The nodes that tokens entered in this step (in any order).
    pub entered: &'a [&'a str],
    /// Where the instance waits after the step.
    pub waiting: &'a [String],
    /// The instance ended (completed or cancelled) in this step.
    pub ended: bool,
    pub now: i64,
}

/// Moves a clock on by one step of its instance; Some(new state) when it changed.
///
/// - A clock that does not exist yet starts when a token enters `start_at` (no `start_at`:
///   when the instance starts). It may start, pause or stop in the same step.
/// - It stops (for good) when a token enters `stop_at` or the instance ends; an open pause is
///   closed then.
/// - Otherwise it is paused while the instance waits at any node of `pause_at`, and runs when it
///   waits at none.
pub fn track(sla: &crate::definitions::sla::SlaDef, before: Option<&Tracked>, step: &Step) -> Option<Tracked> {
    let enters = |n: &Option<String>| n.as_deref().is_some_and(|n| step.entered.contains(&n));
    let mut t = match before {
        Some(t) if t.status == Status::Stopped => return None,
        Some(t) => t.clone(),
        None => {
            let starts = if sla.start_at.is_some() { enters(&sla.start_at) } else { step.first };
            if !starts {
                return None;
            }
            Tracked { status: Status::Running, started_at: step.now, pauses: Vec::new(), stopped_at: None }
        }
    };
    let close_pause = |t: &mut Tracked| {
        if let Some(p) = t.pauses.iter_mut().find(|p| p.to.is_none()) {
            p.to = Some(step.now);
        }
    };
    let paused_here = sla.pause_at.iter().any(|p| step.waiting.contains(p));
    if step.ended || enters(&sla.stop_at) {
        close_pause(&mut t);
        t.status = Status::Stopped;
        t.stopped_at = Some(step.now);
    } else if paused_here && t.status == Status::Running {
        t.pauses.push(Pause { from: step.now, to: None });
        t.status = Status::Paused;
    } else if !paused_here && t.status == Status::Paused {
        close_pause(&mut t);
        t.status = Status::Running;
    }
    (before != Some(&t)).then_some(t)
}

/// Breaches counted per ISO week (of the deadline, Hong Kong time), process and SLA.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct WeekBreaches {
    /// ISO week, e.g. `2026-W50`.
    pub week: String,
    pub process_key: String,
    pub sla: String,
    pub breaches: i64,
}

/// ISO week (`2026-W53`) of an instant in Hong Kong time.
pub fn iso_week(ms: i64) -> String {
    use chrono::Datelike;
    let w = date_of(ms).iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// Counts breaches, given as (process key, SLA id, deadline), per ISO week of the deadline;
/// sorted by week, process and SLA.
pub fn breaches_by_week(breached: &[(String, String, i64)]) -> Vec<WeekBreaches> {
    let mut m: std::collections::BTreeMap<(String, String, String), i64> = Default::default();
    for (key, sla, due) in breached {
        *m.entry((iso_week(*due), key.clone(), sla.clone())).or_default() += 1;
    }
    m.into_iter()
        .map(|((week, process_key, sla), breaches)| WeekBreaches { week, process_key, sla, breaches })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::hk::calendar::ClosureKind;

    fn hk(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(&format!("{s}+08:00")).unwrap().timestamp_millis()
    }

    fn show(ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&kernel::hk::tz())
            .format("%a %Y-%m-%d %H:%M")
            .to_string()
    }

    fn closure(id: &str, from: &str, to: Option<&str>, district: Option<&str>) -> Closure {
        Closure {
            id: id.into(),
            kind: ClosureKind::BlackRainstorm,
            district: district.map(Into::into),
            starts_at: hk(from),
            ends_at: to.map(hk),
            note: String::new(),
            declared_by: "test".into(),
            created_at: 0,
        }
    }

    fn deadline(start: &str, wait: Wait, closures: &[Closure], pauses: &[Pause]) -> Option<(String, Vec<String>)> {
        let cal = Calendar::hong_kong(closures);
        let clock = Clock { calendar: &cal, closures, district: "KT", office: Office::default(), pauses };
        clock.deadline(hk(start), wait).map(|d| (show(d.at), d.shifted_by))
    }

    #[test]
    fn business_days_skip_chinese_new_year_2026() {
        // Received Friday 13 February 2026. Counted days: Mon 16 (1); 17–19 February are the
        // Lunar New Year holidays; Fri 20 (2), Mon 23 (3), Tue 24 (4), Wed 25 (5).
        let (at, why) = deadline("2026-02-13T10:00:00", Wait::BusinessDays(5), &[], &[]).unwrap();
        assert_eq!(at, "Wed 2026-02-25 17:00");
        assert!(why.is_empty());
        // Received on the eve (Mon 16): Fri 20 is the first counted day.
        assert_eq!(deadline("2026-02-16T16:59:00", Wait::BusinessDays(1), &[], &[]).unwrap().0, "Fri 2026-02-20 17:00");
    }

    #[test]
    fn business_hours_run_in_office_hours_only() {
        // Mon 16 Feb 15:00 + 4 h: two hours that day, the holidays, then two on Fri 20.
        assert_eq!(
            deadline("2026-02-16T15:00:00", Wait::BusinessHours(4), &[], &[]).unwrap().0,
            "Fri 2026-02-20 11:00"
        );
        // Started out of hours (Sat 14 Feb 20:00): the clock starts at the next opening.
        assert_eq!(
            deadline("2026-02-14T20:00:00", Wait::BusinessHours(3), &[], &[]).unwrap().0,
            "Mon 2026-02-16 12:00"
        );
        // Exactly a day's office hours.
        assert_eq!(
            deadline("2026-02-16T09:00:00", Wait::BusinessHours(8), &[], &[]).unwrap().0,
            "Mon 2026-02-16 17:00"
        );
    }

    #[test]
    fn christmas_2026_and_new_year_2027() {
        // Thu 24 Dec 16:00 + 3 business days: Fri 25 and Sat 26 are holidays, Sun 27;
        // Mon 28 (1), Tue 29 (2), Wed 30 (3).
        assert_eq!(deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &[], &[]).unwrap().0, "Wed 2026-12-30 17:00");
        // + 4: Thu 31 (4). + 5: Fri 1 Jan 2027 is a holiday; Mon 4 Jan (5).
        assert_eq!(deadline("2026-12-24T16:00:00", Wait::BusinessDays(4), &[], &[]).unwrap().0, "Thu 2026-12-31 17:00");
        assert_eq!(deadline("2026-12-24T16:00:00", Wait::BusinessDays(5), &[], &[]).unwrap().0, "Mon 2027-01-04 17:00");
    }

    #[test]
    fn closures_shift_running_deadlines_with_the_reason() {
        // A closure 08:00–14:00 on Tue 29 Dec leaves 3 of 8 office hours: the day does not
        // count and the deadline moves from Wed 30 to Thu 31.
        let c = [closure("c1", "2026-12-29T08:00:00", Some("2026-12-29T14:00:00"), None)];
        let (at, why) = deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &c, &[]).unwrap();
        assert_eq!(at, "Thu 2026-12-31 17:00");
        assert_eq!(why, ["c1 (black_rainstorm)"]);
        // 09:00–13:00 leaves exactly half: the day still counts, but the closure is shown.
        let c = [closure("c2", "2026-12-29T09:00:00", Some("2026-12-29T13:00:00"), None)];
        let (at, why) = deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &c, &[]).unwrap();
        assert_eq!((at.as_str(), why.len()), ("Wed 2026-12-30 17:00", 1));
        // Business hours lose exactly the closed hours: Mon 28 Dec 15:00 + 4 h with Tue 29
        // closed 09:00–13:00 → two hours Monday, two from 13:00 Tuesday.
        assert_eq!(deadline("2026-12-28T15:00:00", Wait::BusinessHours(4), &c, &[]).unwrap().0, "Tue 2026-12-29 15:00");
        // Another district's closure does not apply; one on a holiday moves nothing.
        let other = [closure("c3", "2026-12-29T08:00:00", Some("2026-12-29T18:00:00"), Some("WC"))];
        let (at, why) = deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &other, &[]).unwrap();
        assert_eq!((at.as_str(), why.len()), ("Wed 2026-12-30 17:00", 0));
        let holiday = [closure("c4", "2026-12-25T08:00:00", Some("2026-12-25T18:00:00"), None)];
        assert!(deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &holiday, &[]).unwrap().1.is_empty());
    }

    #[test]
    fn pauses_extend_the_clock_and_an_open_pause_stops_it() {
        // Waiting for the applicant from Mon 28 Dec 09:00 to Wed 30 Dec 17:00: those three days
        // do not count. Thu 31 (1), Fri 1 Jan holiday, Mon 4 (2), Tue 5 (3).
        let p = [Pause { from: hk("2026-12-28T09:00:00"), to: Some(hk("2026-12-30T17:00:00")) }];
        assert_eq!(deadline("2026-12-24T16:00:00", Wait::BusinessDays(3), &[], &p).unwrap().0, "Tue 2027-01-05 17:00");
        // Business hours: paused Mon 28 Dec 10:00–16:00 → 4 h from Mon 28 09:00 ends Tue 29 11:00.
        let p = [Pause { from: hk("2026-12-28T10:00:00"), to: Some(hk("2026-12-28T16:00:00")) }];
        assert_eq!(deadline("2026-12-28T09:00:00", Wait::BusinessHours(4), &[], &p).unwrap().0, "Tue 2026-12-29 11:00");
        // Calendar time: 48 h with a 2-hour pause is 50 h.
        let p = [Pause { from: hk("2026-12-28T10:00:00"), to: Some(hk("2026-12-28T12:00:00")) }];
        assert_eq!(
            deadline("2026-12-28T09:00:00", Wait::Calendar(48 * 3600), &[], &p).unwrap().0,
            "Wed 2026-12-30 11:00"
        );
        // Still paused: no deadline.
        let open = [Pause { from: hk("2026-12-28T10:00:00"), to: None }];
        assert_eq!(deadline("2026-12-28T09:00:00", Wait::BusinessHours(4), &[], &open), None);
        assert_eq!(deadline("2026-12-28T09:00:00", Wait::BusinessDays(2), &[], &open), None);
        assert_eq!(
            deadline("2026-12-28T09:00:00", Wait::Calendar(3600), &[], &open).unwrap().0,
            "Mon 2026-12-28 10:00"
        );
        assert_eq!(deadline("2026-12-28T09:00:00", Wait::Calendar(7200), &[], &open), None);
    }

    #[test]
    fn milestones_at_50_75_100() {
        let cal = Calendar::hong_kong(&[]);
        let clock = Clock { calendar: &cal, closures: &[], district: "", office: Office::default(), pauses: &[] };
        // Mon 16 Feb 15:00 + 4 business hours (deadline Fri 20 11:00): 50 % after 2 h is the
        // close of Monday, 75 % after 3 h is Fri 10:00.
        let start = hk("2026-02-16T15:00:00");
        let d = clock.deadline(start, Wait::BusinessHours(4)).unwrap();
        let m: Vec<(u32, String)> = clock
            .milestones(start, d.at, Wait::BusinessHours(4), &[50, 75, 100])
            .into_iter()
            .map(|(p, t)| (p, show(t)))
            .collect();
        assert_eq!(
            m,
            [
                (50, "Mon 2026-02-16 17:00".into()),
                (75, "Fri 2026-02-20 10:00".into()),
                (100, "Fri 2026-02-20 11:00".into())
            ]
        );
        // 5 business days from Fri 13 Feb 10:00 (deadline Wed 25 17:00): working time is the
        // rest of Fri 13 (7 h) + Mon 16, Fri 20, Mon 23, Tue 24, Wed 25 (40 h) = 47 h.
        // 50 % = 23.5 h: Fri 13 7 h, Mon 16 8 h, Fri 20 8 h → 23 h at Fri 20 17:00; 0.5 h more
        // is Mon 23 09:30.
        let start = hk("2026-02-13T10:00:00");
        let d = clock.deadline(start, Wait::BusinessDays(5)).unwrap();
        assert_eq!(clock.working_between(start, d.at), 47 * MS_PER_HOUR);
        let m = clock.milestones(start, d.at, Wait::BusinessDays(5), &[50]);
        assert_eq!(show(m[0].1), "Mon 2026-02-23 09:30");
        // Calendar clock: 50 % of 48 h is 24 h.
        let start = hk("2026-12-28T09:00:00");
        let m = clock.milestones(start, start + 48 * MS_PER_HOUR, Wait::Calendar(48 * 3600), &[50]);
        assert_eq!(show(m[0].1), "Tue 2026-12-29 09:00");
    }

    #[test]
    fn subtracting_intervals() {
        assert_eq!(subtract(vec![(0, 10)], 3, 5), [(0, 3), (5, 10)]);
        assert_eq!(subtract(vec![(0, 10)], -5, 5), [(5, 10)]);
        assert_eq!(subtract(vec![(0, 10)], 5, 20), [(0, 5)]);
        assert_eq!(subtract(vec![(0, 10)], 0, 10), []);
        assert_eq!(subtract(vec![(0, 10), (20, 30)], 10, 20), [(0, 10), (20, 30)]);
    }
    fn sla(start: Option<&str>, pause: &[&str], stop: Option<&str>) -> crate::definitions::sla::SlaDef {
        crate::definitions::sla::SlaDef {
            id: "s".into(),
            name: None,
            name_zh: None,
            duration: "P1D".into(),
            wait: Ok(Wait::BusinessDays(1)),
            start_at: start.map(Into::into),
            pause_at: pause.iter().map(|p| p.to_string()).collect(),
            stop_at: stop.map(Into::into),
            escalate_to: Some("admin".into()),
        }
    }

    fn step<'a>(first: bool, entered: &'a [&'a str], waiting: &'a [String], ended: bool, now: i64) -> Step<'a> {
        Step { first, entered, waiting, ended, now }
    }

    #[test]
    fn a_clock_starts_pauses_resumes_and_stops() {
        let s = sla(Some("register"), &["wait_reply"], Some("decide"));
        let w = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        // The instance starts and waits at intake: the clock has not started.
        assert_eq!(track(&s, None, &step(true, &["start", "intake"], &w(&["intake"]), false, 10)), None);
        // A token enters register: running from 20.
        let t = track(&s, None, &step(false, &["register"], &w(&["register"]), false, 20)).unwrap();
        assert_eq!(t, Tracked { status: Status::Running, started_at: 20, pauses: vec![], stopped_at: None });
        // Nothing it cares about: no change.
        assert_eq!(track(&s, Some(&t), &step(false, &["other"], &w(&["other"]), false, 25)), None);
        // Waiting for the applicant from 30: paused, the pause open.
        let t = track(&s, Some(&t), &step(false, &["wait_reply"], &w(&["wait_reply"]), false, 30)).unwrap();
        assert_eq!((t.status, t.pauses.clone()), (Status::Paused, vec![Pause { from: 30, to: None }]));
        // Still waiting there (another branch moved): no change.
        assert_eq!(track(&s, Some(&t), &step(false, &["x"], &w(&["wait_reply", "x"]), false, 35)), None);
        // The reply arrives at 50: running again, the pause closed.
        let t = track(&s, Some(&t), &step(false, &["check"], &w(&["check"]), false, 50)).unwrap();
        assert_eq!((t.status, t.pauses.clone()), (Status::Running, vec![Pause { from: 30, to: Some(50) }]));
        // Paused again at 60, then the token enters decide at 70: stopped, the pause closed.
        let t = track(&s, Some(&t), &step(false, &["wait_reply"], &w(&["wait_reply"]), false, 60)).unwrap();
        let t = track(&s, Some(&t), &step(false, &["decide"], &w(&["decide"]), false, 70)).unwrap();
        assert_eq!(
            t,
            Tracked {
                status: Status::Stopped,
                started_at: 20,
                pauses: vec![Pause { from: 30, to: Some(50) }, Pause { from: 60, to: Some(70) }],
                stopped_at: Some(70)
            }
        );
        // A stopped clock never restarts.
        assert_eq!(track(&s, Some(&t), &step(false, &["register"], &w(&["register"]), false, 80)), None);
    }

    #[test]
    fn default_start_and_stop_are_the_instance_start_and_end() {
        let s = sla(None, &[], None);
        let t = track(&s, None, &step(true, &["start", "a"], &["a".to_string()], false, 5)).unwrap();
        assert_eq!((t.status, t.started_at), (Status::Running, 5));
        // A later step does not start another clock: it exists already.
        assert_eq!(track(&s, None, &step(false, &["a"], &["a".to_string()], false, 6)), None);
        let t = track(&s, Some(&t), &step(false, &["end"], &[], true, 9)).unwrap();
        assert_eq!((t.status, t.stopped_at), (Status::Stopped, Some(9)));
        // Started and ended in one step (an instance with no waits).
        let t = track(&s, None, &step(true, &["start", "end"], &[], true, 3)).unwrap();
        assert_eq!((t.status, t.started_at, t.stopped_at), (Status::Stopped, 3, Some(3)));
        // Started straight into a pause node.
        let s = sla(None, &["a"], None);
        let t = track(&s, None, &step(true, &["start", "a"], &["a".to_string()], false, 4)).unwrap();
        assert_eq!((t.status, t.pauses.clone()), (Status::Paused, vec![Pause { from: 4, to: None }]));
    }

    #[test]
    fn breaches_per_iso_week() {
        // Thu 31 Dec 2026 is in ISO week 2026-W53; Mon 4 Jan 2027 in 2027-W01; 23:30 Hong Kong
        // time on Sun 3 Jan 2027 (15:30 UTC) is still 2026-W53.
        assert_eq!(iso_week(hk("2026-12-31T17:00:00")), "2026-W53");
        assert_eq!(iso_week(hk("2027-01-04T09:00:00")), "2027-W01");
        assert_eq!(iso_week(hk("2027-01-03T23:30:00")), "2026-W53");
        let b = |k: &str, s: &str, t: &str| (k.to_string(), s.to_string(), hk(t));
        let got = breaches_by_week(&[
            b("complaint", "decision", "2027-01-04T17:00:00"),
            b("complaint", "decision", "2026-12-31T17:00:00"),
            b("complaint", "decision", "2027-01-03T23:30:00"),
            b("complaint", "reply", "2026-12-30T17:00:00"),
        ]);
        let got: Vec<(&str, &str, i64)> = got.iter().map(|w| (w.week.as_str(), w.sla.as_str(), w.breaches)).collect();
        assert_eq!(got, [("2026-W53", "decision", 2), ("2026-W53", "reply", 1), ("2027-W01", "decision", 1)]);
    }
}
