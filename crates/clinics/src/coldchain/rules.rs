//! Cold-chain rules, pure: a fridge's readings against its range (2–8 °C for vaccines) open,
//! extend and close excursion alarms with their start, end, minimum and maximum; a silent
//! sensor is offline; readings are parsed from device payloads.

use serde::Deserialize;

/// The range a fridge must hold, in °C.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub min_c: f64,
    pub max_c: f64,
}

/// The vaccine range: 2–8 °C.
pub const VACCINE: Limits = Limits { min_c: 2.0, max_c: 8.0 };

/// No reading for this long raises an offline alarm.
pub const SILENCE_MS: i64 = 15 * 60_000;

/// Readings this far from the range, or outside what any sensor reports, are refused as
/// malformed rather than stored (−60 … 60 °C).
pub const PLAUSIBLE: (f64, f64) = (-60.0, 60.0);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    High,
    Low,
    Offline,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::High => "high",
            Kind::Low => "low",
            Kind::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "high" => Some(Kind::High),
            "low" => Some(Kind::Low),
            "offline" => Some(Kind::Offline),
            _ => None,
        }
    }
}

/// An excursion in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Excursion {
    pub alarm_id: String,
    pub kind: Kind,
    pub started_at: i64,
    pub min: f64,
    pub max: f64,
}

/// What is known about a fridge between readings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct State {
    pub last_reading_at: Option<i64>,
    pub last_temp: Option<f64>,
    pub excursion: Option<Excursion>,
    /// The open offline alarm, if the sensor had gone silent.
    pub offline_alarm: Option<String>,
}

/// What the readings did to the fridge's alarms.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Open {
        id: String,
        kind: Kind,
        started_at: i64,
        min: f64,
        max: f64,
    },
    /// New extremes of an excursion still in progress.
    Extend {
        id: String,
        min: f64,
        max: f64,
    },
    Close {
        id: String,
        ended_at: i64,
        min: f64,
        max: f64,
    },
    /// The sensor spoke again.
    CloseOffline {
        id: String,
        ended_at: i64,
    },
}

fn kind_of(limits: Limits, t: f64) -> Option<Kind> {
    if t > limits.max_c {
        Some(Kind::High)
    } else if t < limits.min_c {
        Some(Kind::Low)
    } else {
        None
    }
}

/// Applies readings `(at ms, °C)` to a fridge's state. Readings are taken in time order; one
/// older than the last one already applied is kept in the history by the caller but changes no
/// alarm. An excursion starts at the first reading outside the range and ends at the first one
/// back inside (a jump from too warm to too cold ends one and starts the other). `new_id` names
/// new alarms.
pub fn apply(
    limits: Limits,
    mut state: State,
    readings: &[(i64, f64)],
    new_id: &mut impl FnMut() -> String,
) -> (State, Vec<Change>) {
    let mut sorted: Vec<(i64, f64)> = readings.to_vec();
    sorted.sort_by_key(|r| r.0);
    let mut changes = vec![];
    let mut extended = false;
    for (at, t) in sorted {
        if state.last_reading_at.is_some_and(|last| at < last) {
            continue;
        }
        if let Some(id) = state.offline_alarm.take() {
            changes.push(Change::CloseOffline { id, ended_at: at });
        }
        state.last_reading_at = Some(at);
        state.last_temp = Some(t);
        let now_kind = kind_of(limits, t);
        match (state.excursion.take(), now_kind) {
            (Some(mut e), Some(k)) if e.kind == k => {
                if t < e.min || t > e.max {
                    e.min = e.min.min(t);
                    e.max = e.max.max(t);
                    extended = true;
                }
                state.excursion = Some(e);
            }
            (current, k) => {
                if let Some(e) = current {
                    extended = false;
                    changes.push(Change::Close { id: e.alarm_id, ended_at: at, min: e.min, max: e.max });
                }
                if let Some(kind) = k {
                    let id = new_id();
                    changes.push(Change::Open { id: id.clone(), kind, started_at: at, min: t, max: t });
                    state.excursion = Some(Excursion { alarm_id: id, kind, started_at: at, min: t, max: t });
                }
            }
        }
    }
    // One update with the final extremes of an excursion still in progress (or of one opened in
    // this batch, folded into its opening).
    if extended && let Some(e) = &state.excursion {
        if let Some(Change::Open { min, max, .. }) =
            changes.iter_mut().find(|c| matches!(c, Change::Open { id, .. } if *id == e.alarm_id))
        {
            *min = e.min;
            *max = e.max;
        } else {
            changes.push(Change::Extend { id: e.alarm_id.clone(), min: e.min, max: e.max });
        }
    }
    (state, changes)
}

/// Whether a fridge has been silent long enough to raise an offline alarm.
pub fn is_silent(last_reading_at: Option<i64>, registered_at: i64, now: i64) -> bool {
    now - last_reading_at.unwrap_or(registered_at) >= SILENCE_MS
}

/// One reading in a device's message.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub at: i64,
    pub temp_c: f64,
}

#[derive(Deserialize)]
struct Wire {
    /// Temperature in °C.
    #[serde(alias = "t", alias = "temp")]
    temp_c: f64,
    /// When it was measured, Unix ms (else: when it arrived).
    #[serde(default, alias = "ts", alias = "time")]
    at: Option<i64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Payload {
    One(Wire),
    Many(Vec<Wire>),
    Batch { readings: Vec<Wire> },
}

/// Why a payload was refused (a stable code for metrics and errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadError {
    Malformed,
    Implausible,
    FutureTime,
    Empty,
    TooMany,
}

impl PayloadError {
    pub fn code(self) -> &'static str {
        match self {
            PayloadError::Malformed => "reading_malformed",
            PayloadError::Implausible => "reading_implausible",
            PayloadError::FutureTime => "reading_future_time",
            PayloadError::Empty => "reading_empty",
            PayloadError::TooMany => "reading_too_many",
        }
    }
}

/// Most readings one message may carry.
pub const MAX_PER_MESSAGE: usize = 1000;

/// Parses a device payload: `{"temp_c": 4.2, "at": 1764400000000}` (`t`/`temp`, `ts`/`time`
/// accepted), an array of those, or `{"readings": [...]}`. All or nothing: one bad reading
/// refuses the message.
pub fn parse_payload(bytes: &[u8], received_at: i64) -> Result<Vec<Reading>, PayloadError> {
    let p: Payload = serde_json::from_slice(bytes).map_err(|_| PayloadError::Malformed)?;
    let wires = match p {
        Payload::One(w) => vec![w],
        Payload::Many(v) | Payload::Batch { readings: v } => v,
    };
    if wires.is_empty() {
        return Err(PayloadError::Empty);
    }
    if wires.len() > MAX_PER_MESSAGE {
        return Err(PayloadError::TooMany);
    }
    wires
        .into_iter()
        .map(|w| {
            if !w.temp_c.is_finite() || w.temp_c < PLAUSIBLE.0 || w.temp_c > PLAUSIBLE.1 {
                return Err(PayloadError::Implausible);
            }
            let at = w.at.unwrap_or(received_at);
            // Device clocks drift a little; a reading from the future by more than a minute is wrong.
            if at > received_at + 60_000 || at <= 0 {
                return Err(PayloadError::FutureTime);
            }
            Ok(Reading { at, temp_c: w.temp_c })
        })
        .collect()
}

/// The device id in an MQTT topic `phos/v1/fridges/{device}/temperature`.
pub fn device_of_topic(topic: &str) -> Option<&str> {
    let rest = topic.strip_prefix(TOPIC_PREFIX)?;
    let (device, tail) = rest.split_once('/')?;
    (tail == "temperature" && valid_device_id(device)).then_some(device)
}

pub const TOPIC_PREFIX: &str = "phos/v1/fridges/";

/// What PHOS subscribes to: a shared subscription whose group is the installation, so that the
/// replicas of one installation split the messages between them while another installation on
/// the same broker still gets its own copy.
pub fn topic_filter(installation: &str) -> String {
    format!("$share/phos-{installation}/{TOPIC_PREFIX}+/temperature")
}

/// Device ids: 3–64 of `A-Z a-z 0-9 - _ .`.
pub fn valid_device_id(s: &str) -> bool {
    (3..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("a{n}")
        }
    }

    const M: i64 = 60_000;

    #[test]
    fn in_range_readings_change_nothing() {
        let (s, c) = apply(VACCINE, State::default(), &[(0, 4.0), (M, 5.5), (2 * M, 8.0), (3 * M, 2.0)], &mut ids());
        assert!(c.is_empty());
        assert_eq!(s.last_reading_at, Some(3 * M));
        assert_eq!(s.last_temp, Some(2.0));
        assert_eq!(s.excursion, None);
    }

    #[test]
    fn an_excursion_opens_extends_and_closes_with_its_extremes() {
        let mut id = ids();
        let (s, c) = apply(VACCINE, State::default(), &[(0, 5.0), (M, 8.4), (2 * M, 9.7), (3 * M, 8.9)], &mut id);
        // Opened at the first warm reading, with the extremes seen so far folded in.
        assert_eq!(c, vec![Change::Open { id: "a1".into(), kind: Kind::High, started_at: M, min: 8.4, max: 9.7 }]);
        let (s, c) = apply(VACCINE, s, &[(4 * M, 10.5), (5 * M, 9.0)], &mut id);
        assert_eq!(c, vec![Change::Extend { id: "a1".into(), min: 8.4, max: 10.5 }]);
        let (s, c) = apply(VACCINE, s, &[(6 * M, 7.5)], &mut id);
        assert_eq!(c, vec![Change::Close { id: "a1".into(), ended_at: 6 * M, min: 8.4, max: 10.5 }]);
        assert_eq!(s.excursion, None);
        // The same readings in one batch: open and close, no extend.
        let (_, c) = apply(
            VACCINE,
            State::default(),
            &[(M, 8.4), (2 * M, 9.7), (0, 5.0), (4 * M, 10.5), (6 * M, 7.5)],
            &mut ids(),
        );
        assert_eq!(
            c,
            vec![
                Change::Open { id: "a1".into(), kind: Kind::High, started_at: M, min: 8.4, max: 8.4 },
                Change::Close { id: "a1".into(), ended_at: 6 * M, min: 8.4, max: 10.5 },
            ]
        );
    }

    #[test]
    fn warm_to_cold_is_two_excursions() {
        let (s, c) = apply(VACCINE, State::default(), &[(0, 9.0), (M, 1.0), (2 * M, 0.5)], &mut ids());
        assert_eq!(
            c,
            vec![
                Change::Open { id: "a1".into(), kind: Kind::High, started_at: 0, min: 9.0, max: 9.0 },
                Change::Close { id: "a1".into(), ended_at: M, min: 9.0, max: 9.0 },
                Change::Open { id: "a2".into(), kind: Kind::Low, started_at: M, min: 0.5, max: 1.0 },
            ]
        );
        assert_eq!(s.excursion.unwrap().kind, Kind::Low);
    }

    #[test]
    fn late_readings_do_not_reopen_the_past() {
        let state = State { last_reading_at: Some(10 * M), last_temp: Some(5.0), ..State::default() };
        let (s, c) = apply(VACCINE, state, &[(5 * M, 12.0)], &mut ids());
        assert!(c.is_empty());
        assert_eq!(s.last_reading_at, Some(10 * M));
    }

    #[test]
    fn a_reading_ends_an_offline_alarm() {
        let state = State { last_reading_at: Some(0), offline_alarm: Some("off".into()), ..State::default() };
        let (s, c) = apply(VACCINE, state, &[(20 * M, 4.0)], &mut ids());
        assert_eq!(c, vec![Change::CloseOffline { id: "off".into(), ended_at: 20 * M }]);
        assert_eq!(s.offline_alarm, None);
    }

    #[test]
    fn silence() {
        assert!(!is_silent(Some(0), 0, 14 * M));
        assert!(is_silent(Some(0), 0, 15 * M));
        assert!(is_silent(None, 0, 15 * M));
        assert!(!is_silent(None, 10 * M, 15 * M));
    }

    #[test]
    fn payloads() {
        let now = 1_764_400_000_000;
        assert_eq!(
            parse_payload(br#"{"temp_c": 4.5, "at": 1764399999000}"#, now),
            Ok(vec![Reading { at: now - 1000, temp_c: 4.5 }])
        );
        assert_eq!(parse_payload(br#"{"t": 4.5}"#, now), Ok(vec![Reading { at: now, temp_c: 4.5 }]));
        assert_eq!(parse_payload(br#"[{"t": 1}, {"temp": 2, "ts": 1764399990000}]"#, now).unwrap().len(), 2);
        assert_eq!(parse_payload(br#"{"readings": [{"t": 3}]}"#, now).unwrap().len(), 1);
        assert_eq!(parse_payload(b"hello", now), Err(PayloadError::Malformed));
        assert_eq!(parse_payload(br#"{"temp_c": "warm"}"#, now), Err(PayloadError::Malformed));
        assert_eq!(parse_payload(br#"{"temp_c": 400}"#, now), Err(PayloadError::Implausible));
        assert_eq!(parse_payload(br#"{"temp_c": 4, "at": 1864400000000}"#, now), Err(PayloadError::FutureTime));
        assert_eq!(parse_payload(b"[]", now), Err(PayloadError::Empty));
        let many = format!("[{}]", vec![r#"{"t":4}"#; MAX_PER_MESSAGE + 1].join(","));
        assert_eq!(parse_payload(many.as_bytes(), now), Err(PayloadError::TooMany));
        // One bad reading refuses the message.
        assert_eq!(parse_payload(br#"[{"t": 4}, {"t": 99}]"#, now), Err(PayloadError::Implausible));
    }

    #[test]
    fn topics() {
        assert_eq!(topic_filter("ab12"), "$share/phos-ab12/phos/v1/fridges/+/temperature");
        assert_eq!(device_of_topic("phos/v1/fridges/fr-001/temperature"), Some("fr-001"));
        assert_eq!(device_of_topic("phos/v1/fridges/fr-001/humidity"), None);
        assert_eq!(device_of_topic("phos/v1/fridges/a/temperature"), None);
        assert_eq!(device_of_topic("other/fr-001/temperature"), None);
        assert_eq!(device_of_topic("phos/v1/fridges/fr 1/temperature"), None);
    }
}
