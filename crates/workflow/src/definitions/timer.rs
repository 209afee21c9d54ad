//! Timer durations of a definition: ISO-8601 durations (`PT4H`, `P2DT12H`) in calendar time,
//! or in business time on the Hong Kong calendar when the timer says so (`phos:calendar=
//! "business"` on the timer definition, then `P5D` is five business days and `PT4H` four
//! business hours), or written out (`5 business days`, `4 business hours`).

/// How long a timer waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Calendar time, in seconds.
    Calendar(i64),
    BusinessDays(u32),
    BusinessHours(u32),
}

/// Parses an ISO-8601 duration into seconds. Years and months are refused (their length
/// varies); weeks are seven days.
pub fn iso_seconds(s: &str) -> Result<i64, String> {
    let bad = || format!("{s:?} is not an ISO-8601 duration like PT4H or P2DT12H");
    let rest = s.trim().strip_prefix('P').ok_or_else(bad)?;
    if rest.is_empty() {
        return Err(bad());
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return Err(bad()),
        None => (rest, None),
    };
    let mut total = 0i64;
    let mut take = |part: &str, units: &[(char, i64)]| -> Result<(), String> {
        let mut num = String::new();
        let mut last = 0usize;
        for c in part.chars() {
            if c.is_ascii_digit() {
                num.push(c);
                continue;
            }
            let Some(i) = units.iter().position(|(u, _)| *u == c) else {
                return Err(if c == 'Y' || (c == 'M' && units.len() == 4) {
                    format!("{s:?}: years and months vary in length; give days or business days")
                } else {
                    bad()
                });
            };
            if num.is_empty() || i < last {
                return Err(bad());
            }
            last = i + 1;
            total += num.parse::<i64>().map_err(|_| bad())? * units[i].1;
            num.clear();
        }
        if num.is_empty() { Ok(()) } else { Err(bad()) }
    };
    take(date, &[('W', 7 * 86_400), ('D', 86_400), ('\0', 0), ('\0', 0)])?;
    if let Some(t) = time {
        take(t, &[('H', 3600), ('M', 60), ('S', 1)])?;
    }
    Ok(total)
}

/// Parses a timer duration; `business` is true when the timer counts business time.
pub fn parse(text: &str, business: bool) -> Result<Wait, String> {
    let t = text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if let [n, "business", unit] = words.as_slice() {
        let n: u32 = n.parse().map_err(|_| format!("{t:?}: {n:?} is not a whole number"))?;
        return match *unit {
            "day" | "days" => Ok(Wait::BusinessDays(n)),
            "hour" | "hours" => Ok(Wait::BusinessHours(n)),
            _ => Err(format!("{t:?}: business time is counted in days or hours")),
        };
    }
    let secs = iso_seconds(t)?;
    if !business {
        return Ok(Wait::Calendar(secs));
    }
    if secs % 86_400 == 0 && !t.contains('T') {
        Ok(Wait::BusinessDays((secs / 86_400) as u32))
    } else if secs % 3600 == 0 {
        Ok(Wait::BusinessHours((secs / 3600) as u32))
    } else {
        Err(format!("{t:?}: business time is counted in whole days (P5D) or whole hours (PT4H)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations() {
        assert_eq!(iso_seconds("PT4H"), Ok(4 * 3600));
        assert_eq!(iso_seconds("P2DT12H30M15S"), Ok(2 * 86_400 + 12 * 3600 + 30 * 60 + 15));
        assert_eq!(iso_seconds("P1W"), Ok(7 * 86_400));
        assert_eq!(iso_seconds("PT90M"), Ok(90 * 60));
        for bad in ["", "P", "PT", "4H", "PT4", "PTH", "P1H", "PT1D", "PT1M1H"] {
            assert!(iso_seconds(bad).is_err(), "{bad}");
        }
        assert!(iso_seconds("P1M").unwrap_err().contains("months vary"));
        assert!(iso_seconds("P1Y").unwrap_err().contains("months vary"));
    }

    #[test]
    fn business_and_calendar_waits() {
        assert_eq!(parse("P5D", true), Ok(Wait::BusinessDays(5)));
        assert_eq!(parse("PT4H", true), Ok(Wait::BusinessHours(4)));
        assert_eq!(parse("P1DT2H", true), Ok(Wait::BusinessHours(26)));
        assert_eq!(parse("P5D", false), Ok(Wait::Calendar(5 * 86_400)));
        assert_eq!(parse("10 business days", false), Ok(Wait::BusinessDays(10)));
        assert_eq!(parse("1 business hour", false), Ok(Wait::BusinessHours(1)));
        assert!(parse("PT30M", true).unwrap_err().contains("whole"));
        assert!(parse("3 business weeks", false).is_err());
    }
}
