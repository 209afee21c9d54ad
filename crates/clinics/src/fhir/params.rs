//! FHIR search parameters, parsed from the query string into typed values (pure, no IO).
//!
//! What is understood (https://hl7.org/fhir/R4/search.html):
//! - a comma inside one parameter means OR (`status=free,busy`), a repeated parameter means AND
//!   (`start=ge2025-01-06&start=lt2025-01-13`); `\,` `\|` `\$` `\\` escape;
//! - `token`: `code`, `system|code` or `|code`;
//! - `string`: starts with, case-insensitive (default), `:contains` or `:exact`;
//! - `reference`: `Type/id`, `id`, or an absolute URL ending in `Type/id`;
//! - `date`: prefixes `eq` (default) `ne` `gt` `lt` `ge` `le` on `YYYY`, `YYYY-MM`, `YYYY-MM-DD`
//!   or a date-time (`T10:00`, `T10:00:00`, `T10:00:00.250`, with `Z`/`±hh:mm`, else Hong Kong
//!   time); the value stands for the range its precision implies.
//! - `_count` (0–100, default 20) and `_offset` page the results.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

pub const DEFAULT_COUNT: u32 = 20;
pub const MAX_COUNT: u32 = 100;
/// The deepest offset accepted (a search this deep should be narrowed instead).
pub const MAX_OFFSET: u64 = 1_000_000;

/// The type of a search parameter, as declared in the CapabilityStatement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Token,
    String,
    /// A reference to one of these resource types.
    Reference(&'static [&'static str]),
    Date,
}

/// One supported search parameter of a resource type.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub kind: Kind,
    /// The canonical SearchParameter it implements, when it is a standard one.
    pub definition: Option<&'static str>,
    pub documentation: &'static str,
}

/// Why a query was refused. Each maps to a bilingual message (`fhir-error-<code>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// A value that cannot be read for this parameter.
    BadValue { param: String, value: String },
    /// A date prefix we do not support (`sa`, `eb`, `ap`).
    UnsupportedPrefix { param: String, prefix: String },
    /// A modifier this parameter does not support.
    BadModifier { param: String, modifier: String },
    /// A parameter this resource type does not support (only with `Prefer: handling=strict`).
    UnknownParam { param: String },
    /// `_count` outside 0–100 or not a number.
    Count { value: String },
    /// `_offset` negative, too large or not a number.
    Offset { value: String },
    /// `_format` other than JSON.
    Format { value: String },
}

/// How a string parameter matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StrMatch {
    StartsWith,
    Contains,
    Exact,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prefix {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

/// A date search value: its prefix and the range `[start, end)` (Unix ms) its precision implies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateValue {
    pub prefix: Prefix,
    pub start: i64,
    pub end: i64,
}

/// A token value: `code` (any system), `system|code`, or `|code` (no system: `Some("")`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub system: Option<String>,
    pub code: String,
}

impl Token {
    /// Whether this token names `code` in `system` (a code without a system matches any system).
    pub fn matches_system(&self, system: &str) -> bool {
        self.system.as_deref().is_none_or(|s| s == system)
    }
}

/// A reference value: the resource type (when given) and the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefValue {
    pub kind: Option<String>,
    pub id: String,
}

/// The OR-list of one occurrence of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Tokens(Vec<Token>),
    Strings(StrMatch, Vec<String>),
    Refs(Vec<RefValue>),
    Dates(Vec<DateValue>),
}

/// One parameter occurrence: its name and its values (OR). Occurrences are ANDed.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub values: Values,
}

/// A parsed search.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    pub params: Vec<Param>,
    pub count: u32,
    pub offset: u64,
    /// The `name[:modifier]=value` pairs that were used, in order (for the self link).
    pub used: Vec<(String, String)>,
    /// Parameters that were ignored (unknown, lenient handling).
    pub ignored: Vec<String>,
}

/// Result parameters that change nothing here and are accepted silently.
const NEUTRAL: [&str; 3] = ["_format", "_pretty", "_total"];

/// Parses a search's query pairs against the resource type's parameters. `strict` refuses
/// unknown parameters (`Prefer: handling=strict`); otherwise they are ignored.
pub fn parse(pairs: &[(String, String)], specs: &[Spec], strict: bool) -> Result<Search, ParamError> {
    let mut search = Search { params: vec![], count: DEFAULT_COUNT, offset: 0, used: vec![], ignored: vec![] };
    for (key, value) in pairs {
        let (name, modifier) = match key.split_once(':') {
            Some((n, m)) => (n, Some(m)),
            None => (key.as_str(), None),
        };
        match name {
            "_count" => {
                search.count = value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|c| *c <= MAX_COUNT)
                    .ok_or_else(|| ParamError::Count { value: value.clone() })?;
                continue;
            }
            "_offset" => {
                search.offset = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|o| *o <= MAX_OFFSET)
                    .ok_or_else(|| ParamError::Offset { value: value.clone() })?;
                continue;
            }
            "_format" => {
                let v = value.trim();
                if !matches!(v, "json" | "application/json" | "application/fhir+json") {
                    return Err(ParamError::Format { value: value.clone() });
                }
                continue;
            }
            n if NEUTRAL.contains(&n) => continue,
            _ => {}
        }
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            if strict {
                return Err(ParamError::UnknownParam { param: key.clone() });
            }
            search.ignored.push(key.clone());
            continue;
        };
        let values = parse_values(spec, modifier, value)?;
        search.params.push(Param { name: spec.name, values });
        search.used.push((key.clone(), value.clone()));
    }
    Ok(search)
}

fn parse_values(spec: &Spec, modifier: Option<&str>, raw: &str) -> Result<Values, ParamError> {
    let bad = || ParamError::BadValue { param: spec.name.to_string(), value: raw.to_string() };
    let bad_modifier = |m: &str| ParamError::BadModifier { param: spec.name.to_string(), modifier: m.to_string() };
    let parts = split_or(raw);
    if parts.iter().any(|p| p.trim().is_empty()) {
        return Err(bad());
    }
    match spec.kind {
        Kind::Token => {
            if let Some(m) = modifier {
                return Err(bad_modifier(m));
            }
            let tokens = parts
                .iter()
                .map(|p| match split_unescaped(p, '|') {
                    Some((system, code)) => Token { system: Some(unescape(system)), code: unescape(code) },
                    None => Token { system: None, code: unescape(p) },
                })
                .collect::<Vec<_>>();
            if tokens.iter().any(|t| t.code.is_empty()) {
                return Err(bad());
            }
            Ok(Values::Tokens(tokens))
        }
        Kind::String => {
            let how = match modifier {
                None => StrMatch::StartsWith,
                Some("contains") => StrMatch::Contains,
                Some("exact") => StrMatch::Exact,
                Some(m) => return Err(bad_modifier(m)),
            };
            let values: Vec<String> = parts.iter().map(|p| unescape(p)).collect();
            if values.iter().any(|v| v.chars().count() > 200) {
                return Err(bad());
            }
            Ok(Values::Strings(how, values))
        }
        Kind::Reference(types) => {
            // `:Type` narrows the target type (e.g. `actor:Location=DC-KC`).
            let narrowed = match modifier {
                None => None,
                Some(m) if types.contains(&m) => Some(m),
                Some(m) => return Err(bad_modifier(m)),
            };
            let mut refs = vec![];
            for p in &parts {
                let r = parse_reference(&unescape(p)).ok_or_else(bad)?;
                let kind = match (&r.kind, narrowed) {
                    (Some(k), Some(n)) if k != n => return Err(bad()),
                    (Some(k), _) if !types.contains(&k.as_str()) => return Err(bad()),
                    (Some(k), _) => Some(k.clone()),
                    (None, n) => n.map(str::to_string),
                };
                refs.push(RefValue { kind, id: r.id });
            }
            Ok(Values::Refs(refs))
        }
        Kind::Date => {
            if let Some(m) = modifier {
                return Err(bad_modifier(m));
            }
            let mut dates = vec![];
            for p in &parts {
                dates.push(parse_date(p).map_err(|e| match e {
                    DateError::Prefix(prefix) => ParamError::UnsupportedPrefix { param: spec.name.to_string(), prefix },
                    DateError::Value => bad(),
                })?);
            }
            Ok(Values::Dates(dates))
        }
    }
}

/// Splits on commas that are not escaped with a backslash.
fn split_or(raw: &str) -> Vec<String> {
    let mut parts = vec![];
    let mut cur = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push('\\');
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

/// Splits at the first unescaped `sep`.
fn split_unescaped(s: &str, sep: char) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            return Some((&s[..i], &s[i + c.len_utf8()..]));
        }
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `id` is a valid FHIR logical id (`[A-Za-z0-9\-\.]{1,64}`).
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// `Type/id`, `id`, or an absolute URL ending in `Type/id`.
pub fn parse_reference(s: &str) -> Option<RefValue> {
    let s = s.trim();
    let segments: Vec<&str> = s.split('/').collect();
    let (kind, id) = match segments.as_slice() {
        [id] => (None, *id),
        [.., kind, id] if s.starts_with("http://") || s.starts_with("https://") || segments.len() == 2 => {
            (Some(*kind), *id)
        }
        _ => return None,
    };
    let kind_ok = kind.is_none_or(|k| k.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    (valid_id(id) && kind_ok).then(|| RefValue { kind: kind.map(str::to_string), id: id.to_string() })
}

#[derive(Debug, PartialEq, Eq)]
enum DateError {
    Prefix(String),
    Value,
}

/// Parses `[prefix]value` into a prefix and the range the value stands for.
fn parse_date(raw: &str) -> Result<DateValue, DateError> {
    let raw = raw.trim();
    let (prefix, value) = match raw.get(..2) {
        Some(p) if p.bytes().all(|b| b.is_ascii_lowercase()) => {
            let prefix = match p {
                "eq" => Prefix::Eq,
                "ne" => Prefix::Ne,
                "gt" => Prefix::Gt,
                "lt" => Prefix::Lt,
                "ge" => Prefix::Ge,
                "le" => Prefix::Le,
                "sa" | "eb" | "ap" => return Err(DateError::Prefix(p.to_string())),
                _ => return Err(DateError::Value),
            };
            (prefix, &raw[2..])
        }
        _ => (Prefix::Eq, raw),
    };
    let (start, end) = date_range(value).ok_or(DateError::Value)?;
    Ok(DateValue { prefix, start, end })
}

/// The range `[start, end)` in Unix ms that a date or date-time stands for.
pub fn date_range(v: &str) -> Option<(i64, i64)> {
    let hk = kernel::hk::tz();
    let midnight =
        |d: NaiveDate| hk.from_local_datetime(&d.and_time(NaiveTime::MIN)).single().map(|t| t.timestamp_millis());
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (date_part, time_part) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let pieces: Vec<&str> = date_part.split('-').collect();
    match (pieces.as_slice(), time_part) {
        ([y], None) if digits(y, 4) => {
            let y: i32 = y.parse().ok()?;
            Some((midnight(NaiveDate::from_ymd_opt(y, 1, 1)?)?, midnight(NaiveDate::from_ymd_opt(y + 1, 1, 1)?)?))
        }
        ([y, m], None) if digits(y, 4) && digits(m, 2) => {
            let first = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)?;
            let next = if first.month() == 12 {
                NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
            };
            Some((midnight(first)?, midnight(next)?))
        }
        ([y, m, d], None) if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let day = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            Some((midnight(day)?, midnight(day.succ_opt()?)?))
        }
        ([y, m, d], Some(t)) if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let day = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
            date_time_range(day, t)
        }
        _ => None,
    }
}

/// `hh:mm[:ss[.fff]][Z|±hh:mm]` on `day`; a missing zone means Hong Kong time. A `+` that
/// arrived as a space (an unencoded `+` in a query string) is read as `+`.
fn date_time_range(day: NaiveDate, t: &str) -> Option<(i64, i64)> {
    let (clock, offset_secs) = if let Some(c) = t.strip_suffix('Z') {
        (c, Some(0))
    } else if let Some(i) = t.rfind(['+', '-', ' ']) {
        let (c, z) = t.split_at(i);
        let sign = if z.starts_with('-') { -1 } else { 1 };
        let (h, m) = z[1..].split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        if h > 14 || m > 59 {
            return None;
        }
        (c, Some(sign * (h * 3600 + m * 60)))
    } else {
        (t, None)
    };
    let fields: Vec<&str> = clock.split(':').collect();
    let two =
        |s: &str| (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten();
    let (time, width_ms) = match fields.as_slice() {
        [h, m] => (NaiveTime::from_hms_opt(two(h)?, two(m)?, 0)?, 60_000),
        [h, m, s] => match s.split_once('.') {
            None => (NaiveTime::from_hms_opt(two(h)?, two(m)?, two(s)?)?, 1_000),
            Some((s, frac)) => {
                if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let ms: u32 = format!("{frac:0<3}")[..3].parse().ok()?;
                (NaiveTime::from_hms_milli_opt(two(h)?, two(m)?, two(s)?, ms)?, 1)
            }
        },
        _ => return None,
    };
    let local = NaiveDateTime::new(day, time);
    let start = match offset_secs {
        Some(secs) => chrono::FixedOffset::east_opt(secs)?.from_local_datetime(&local).single()?.timestamp_millis(),
        None => kernel::hk::tz().from_local_datetime(&local).single()?.timestamp_millis(),
    };
    Some((start, start + width_ms))
}

impl DateValue {
    /// This value as a condition on an instant (Unix ms) `x`, following the FHIR prefix rules
    /// for a target without width.
    pub fn instant_cond(&self) -> InstantCond {
        match self.prefix {
            Prefix::Eq => InstantCond::Within(self.start, self.end),
            Prefix::Ne => InstantCond::Outside(self.start, self.end),
            Prefix::Ge => InstantCond::AtLeast(self.start),
            Prefix::Gt => InstantCond::AtLeast(self.end),
            Prefix::Le => InstantCond::Before(self.end),
            Prefix::Lt => InstantCond::Before(self.start),
        }
    }

    /// This value as a condition on a period of whole Hong Kong days `[first, last]`.
    pub fn period_cond(&self) -> PeriodCond {
        let first = day_of(self.start);
        let last = day_of(self.end - 1);
        match self.prefix {
            Prefix::Eq => PeriodCond::Overlaps(first, last),
            Prefix::Ne => PeriodCond::Disjoint(first, last),
            Prefix::Ge => PeriodCond::EndsOnOrAfter(first),
            Prefix::Gt => PeriodCond::EndsAfter(last),
            Prefix::Le => PeriodCond::StartsOnOrBefore(last),
            Prefix::Lt => PeriodCond::StartsBefore(first),
        }
    }
}

/// The Hong Kong date (`YYYY-MM-DD`) of an instant.
pub fn day_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive().to_string())
        .unwrap_or_default()
}

/// A condition on an instant column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstantCond {
    /// `start <= x < end`
    Within(i64, i64),
    /// `x < start OR x >= end`
    Outside(i64, i64),
    /// `x >= t`
    AtLeast(i64),
    /// `x < t`
    Before(i64),
}

/// A condition on a period of days `[first_day, last_day]` (dates as `YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodCond {
    Overlaps(String, String),
    Disjoint(String, String),
    EndsOnOrAfter(String),
    EndsAfter(String),
    StartsOnOrBefore(String),
    StartsBefore(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[Spec] = &[
        Spec { name: "status", kind: Kind::Token, definition: None, documentation: "" },
        Spec { name: "name", kind: Kind::String, definition: None, documentation: "" },
        Spec {
            name: "actor",
            kind: Kind::Reference(&["Location", "HealthcareService"]),
            definition: None,
            documentation: "",
        },
        Spec { name: "start", kind: Kind::Date, definition: None, documentation: "" },
    ];

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    fn hk(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        kernel::hk::tz().with_ymd_and_hms(y, m, d, h, min, 0).unwrap().timestamp_millis()
    }

    #[test]
    fn dates_stand_for_the_range_of_their_precision() {
        assert_eq!(date_range("2025-03-04"), Some((hk(2025, 3, 4, 0, 0), hk(2025, 3, 5, 0, 0))));
        assert_eq!(date_range("2025-12"), Some((hk(2025, 12, 1, 0, 0), hk(2026, 1, 1, 0, 0))));
        assert_eq!(date_range("2025"), Some((hk(2025, 1, 1, 0, 0), hk(2026, 1, 1, 0, 0))));
        assert_eq!(date_range("2025-03-04T09:30"), Some((hk(2025, 3, 4, 9, 30), hk(2025, 3, 4, 9, 31))));
        let nine_utc = hk(2025, 3, 4, 17, 0);
        assert_eq!(date_range("2025-03-04T09:00:00Z"), Some((nine_utc, nine_utc + 1000)));
        assert_eq!(date_range("2025-03-04T09:00:00+08:00"), Some((hk(2025, 3, 4, 9, 0), hk(2025, 3, 4, 9, 0) + 1000)));
        // An unencoded '+' arrives as a space.
        assert_eq!(date_range("2025-03-04T09:00:00 08:00"), date_range("2025-03-04T09:00:00+08:00"));
        assert_eq!(
            date_range("2025-03-04T09:00:00.5+08:00"),
            Some((hk(2025, 3, 4, 9, 0) + 500, hk(2025, 3, 4, 9, 0) + 501))
        );
        for bad in [
            "",
            "2025-3-4",
            "2025-02-30",
            "20250304",
            "2025-03-04T25:00",
            "2025-03-04T09",
            "tomorrow",
            "2025-03-04T09:00+8",
        ] {
            assert_eq!(date_range(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefixes_become_conditions() {
        let d = |s: &str| parse_date(s).unwrap();
        let (a, b) = (hk(2025, 3, 4, 0, 0), hk(2025, 3, 5, 0, 0));
        assert_eq!(d("2025-03-04").instant_cond(), InstantCond::Within(a, b));
        assert_eq!(d("eq2025-03-04").instant_cond(), InstantCond::Within(a, b));
        assert_eq!(d("ne2025-03-04").instant_cond(), InstantCond::Outside(a, b));
        assert_eq!(d("ge2025-03-04").instant_cond(), InstantCond::AtLeast(a));
        assert_eq!(d("gt2025-03-04").instant_cond(), InstantCond::AtLeast(b));
        assert_eq!(d("le2025-03-04").instant_cond(), InstantCond::Before(b));
        assert_eq!(d("lt2025-03-04").instant_cond(), InstantCond::Before(a));
        assert_eq!(d("2025-03").period_cond(), PeriodCond::Overlaps("2025-03-01".into(), "2025-03-31".into()));
        assert_eq!(d("gt2025-03-04").period_cond(), PeriodCond::EndsAfter("2025-03-04".into()));
        assert_eq!(parse_date("ap2025-03-04"), Err(DateError::Prefix("ap".into())));
        assert_eq!(parse_date("xx2025-03-04"), Err(DateError::Value));
    }

    #[test]
    fn or_and_and_escapes() {
        let s =
            parse(&pairs("status=free,busy&start=ge2025-01-06&start=lt2025-01-13&name=a%5C,b"), SPECS, false).unwrap();
        assert_eq!(s.params.len(), 4);
        assert_eq!(
            s.params[0].values,
            Values::Tokens(vec![
                Token { system: None, code: "free".into() },
                Token { system: None, code: "busy".into() }
            ])
        );
        assert!(matches!(&s.params[1].values, Values::Dates(d) if d[0].prefix == Prefix::Ge));
        assert!(matches!(&s.params[2].values, Values::Dates(d) if d[0].prefix == Prefix::Lt));
        assert_eq!(s.params[3].values, Values::Strings(StrMatch::StartsWith, vec!["a,b".into()]));
        let s = parse(&pairs("status=http://x%7Cfree,%7Cbusy"), SPECS, false).unwrap();
        assert_eq!(
            s.params[0].values,
            Values::Tokens(vec![
                Token { system: Some("http://x".into()), code: "free".into() },
                Token { system: Some(String::new()), code: "busy".into() }
            ])
        );
    }

    #[test]
    fn references_in_every_form() {
        let s = parse(
            &pairs("actor=Location/DC-KC,EHC-KT,https://h/fhir/R4/HealthcareService/DC-KC.dental-gp"),
            SPECS,
            false,
        )
        .unwrap();
        let Values::Refs(r) = &s.params[0].values else { panic!() };
        assert_eq!(r[0], RefValue { kind: Some("Location".into()), id: "DC-KC".into() });
        assert_eq!(r[1], RefValue { kind: None, id: "EHC-KT".into() });
        assert_eq!(r[2], RefValue { kind: Some("HealthcareService".into()), id: "DC-KC.dental-gp".into() });
        let s = parse(&pairs("actor:Location=DC-KC"), SPECS, false).unwrap();
        assert_eq!(
            s.params[0].values,
            Values::Refs(vec![RefValue { kind: Some("Location".into()), id: "DC-KC".into() }])
        );
        for bad in [
            "actor=Patient/x",
            "actor=a/b/c",
            "actor=Location/has space",
            "actor:Patient=x",
            "actor:Location=HealthcareService/x",
        ] {
            assert!(parse(&pairs(bad), SPECS, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn count_offset_format_and_unknown_parameters() {
        let s = parse(&pairs("_count=5&_offset=10&_format=json&foo=bar&_sort=x"), SPECS, false).unwrap();
        assert_eq!((s.count, s.offset), (5, 10));
        assert_eq!(s.ignored, vec!["foo".to_string(), "_sort".to_string()]);
        assert!(s.used.is_empty());
        assert_eq!(parse(&pairs("foo=bar"), SPECS, true), Err(ParamError::UnknownParam { param: "foo".into() }));
        assert_eq!(parse(&pairs("_count=0"), SPECS, false).unwrap().count, 0);
        assert_eq!(parse(&pairs(""), SPECS, false).unwrap().count, DEFAULT_COUNT);
        for bad in ["_count=101", "_count=-1", "_count=ten", "_offset=-5", "_offset=x", "_format=xml"] {
            assert!(parse(&pairs(bad), SPECS, false).is_err(), "{bad}");
        }
        assert!(matches!(parse(&pairs("status:text=x"), SPECS, false), Err(ParamError::BadModifier { .. })));
        assert!(matches!(parse(&pairs("name:fuzzy=x"), SPECS, false), Err(ParamError::BadModifier { .. })));
        assert!(matches!(parse(&pairs("status="), SPECS, false), Err(ParamError::BadValue { .. })));
        assert!(matches!(parse(&pairs("start=sa2025"), SPECS, false), Err(ParamError::UnsupportedPrefix { .. })));
    }

    #[test]
    fn ids() {
        assert!(valid_id("DC-KC.dental-gp"));
        assert!(valid_id("0190f5a2-7b1c-7cc0-9d2e-3f4a5b6c7d8e"));
        assert!(!valid_id("dental_gp"));
        assert!(!valid_id(""));
        assert!(!valid_id(&"a".repeat(65)));
    }
}
