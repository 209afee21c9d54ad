//! Recording an inspection's outcome, no IO: what a record must carry, the time window, the
//! follow-up an outcome calls for, the day its outcome is published.

use chrono::{Duration, NaiveDate, NaiveTime, Timelike};
use kernel::web::FieldError;
use serde::{Deserialize, Serialize};

use super::checklist::Item;
use super::{APPEAL_DAYS, Inspection, OUTCOMES};

/// What an item can be found.
pub const RESULTS: [&str; 3] = ["compliant", "not_compliant", "na"];

pub const MAX_NOTE: usize = 1000;
pub const MAX_NAME: usize = 200;
/// How far ahead of the server's clock a client's `recorded_at` may be (clock drift).
pub const CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;
/// Photos one record may carry.
pub const MAX_PHOTOS: usize = 10;
/// The largest signature image accepted.
pub const MAX_SIGNATURE_BYTES: usize = 512 * 1024;

/// One item as the inspector answered it.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub item: String,
    /// compliant, not_compliant or na.
    pub result: String,
    #[serde(default)]
    pub note: String,
}

/// A finding as stored in the inspection's `findings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    pub item: String,
    pub provision: String,
    pub result: String,
    pub note: String,
}

/// An outcome as submitted (from the page or the API).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub answers: Vec<Answer>,
    pub outcome: String,
    /// The person in charge's name (the typed signature; the drawn one is a picture beside it).
    pub signed_by: String,
    pub late: bool,
    pub late_reason: String,
    /// When it was done (Unix ms): now for the page, the client's clock for a queued record.
    pub at: i64,
}

/// The day an inspection is to be done: its planned day, else its due day.
pub fn day_of(i: &Inspection) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(i.planned_on.as_deref().unwrap_or(&i.due_on), "%Y-%m-%d").ok()
}

/// Whether `at` (Unix ms) falls on the inspection's day, within its window (Hong Kong time).
pub fn in_window(i: &Inspection, at: i64) -> bool {
    let Some(day) = day_of(i) else { return false };
    let Some(t) = chrono::DateTime::from_timestamp_millis(at) else { return false };
    let local = t.with_timezone(&kernel::hk::tz());
    let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
    let (Some(start), Some(end)) = (parse(&i.window_start), parse(&i.window_end)) else { return false };
    // To the minute: the window's last minute counts (12:00 is within 09:00–12:00).
    let time = NaiveTime::from_hms_opt(local.hour(), local.minute(), 0).unwrap_or(NaiveTime::MIN);
    local.date_naive() == day && time >= start && time <= end
}

/// Checks a record against the inspection's checklist and window, listing every problem at
/// once; returns the findings to store.
pub fn check(i: &Inspection, checklist: &[Item], r: &Record, now: i64) -> Result<Vec<Finding>, Vec<FieldError>> {
    let mut e = Vec::new();
    let mut findings = Vec::new();
    for item in checklist {
        let a = r.answers.iter().find(|a| a.item == item.code);
        let result = a.map(|a| a.result.trim()).unwrap_or("");
        let note = a.map(|a| a.note.trim()).unwrap_or("");
        if !RESULTS.contains(&result) {
            e.push(FieldError::new(
                &format!("item-{}", item.code),
                "reg_insp_item_required",
                &[("item", item.en.to_string())],
            ));
            continue;
        }
        if result == "not_compliant" && note.is_empty() {
            e.push(FieldError::new(
                &format!("note-{}", item.code),
                "reg_insp_note_required",
                &[("item", item.en.to_string())],
            ));
        }
        e.extend(kernel::web::form::too_long(&format!("note-{}", item.code), note, MAX_NOTE));
        findings.push(Finding {
            item: item.code.into(),
            provision: item.provision.into(),
            result: result.into(),
            note: note.into(),
        });
    }
    if let Some(a) = r.answers.iter().find(|a| !checklist.iter().any(|c| c.code == a.item)) {
        e.push(FieldError::new("items", "reg_insp_item_unknown", &[("item", a.item.clone())]));
    }
    if !OUTCOMES.contains(&r.outcome.as_str()) {
        e.push(FieldError::new("outcome", "reg_insp_outcome_required", &[]));
    } else if r.outcome == "compliant" && findings.iter().any(|f| f.result == "not_compliant") {
        e.push(FieldError::new("outcome", "reg_insp_outcome_inconsistent", &[]));
    }
    let name = r.signed_by.trim();
    if name.is_empty() {
        e.push(FieldError::new("signed_by", "reg_insp_signature_required", &[]));
    }
    e.extend(kernel::web::form::too_long("signed_by", name, MAX_NAME));
    if r.at > now + CLOCK_SKEW_MS {
        e.push(FieldError::new("late", "reg_insp_in_future", &[]));
    } else if !in_window(i, r.at) {
        if !r.late {
            let day = i.planned_on.clone().unwrap_or_else(|| i.due_on.clone());
            e.push(FieldError::new(
                "late",
                "reg_insp_outside_window",
                &[("day", day), ("start", i.window_start.clone()), ("end", i.window_end.clone())],
            ));
        } else if r.late_reason.trim().is_empty() {
            e.push(FieldError::new("late_reason", "reg_insp_late_reason_required", &[]));
        }
    }
    e.extend(kernel::web::form::too_long("late_reason", r.late_reason.trim(), MAX_NOTE));
    if e.is_empty() { Ok(findings) } else { Err(e) }
}

/// The follow-up inspection an outcome calls for: (priority, days after the inspection).
pub fn follow_up(outcome: &str) -> Option<(i64, i64)> {
    match outcome {
        "warning" => Some((2, 28)),
        "prosecution" => Some((1, 14)),
        _ => None,
    }
}

/// The day (YYYY-MM-DD) from which an outcome recorded at `at` is published: after the appeal
/// window.
pub fn publish_after(at: i64) -> String {
    let day = chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_else(kernel::hk::today);
    (day + Duration::days(APPEAL_DAYS)).format("%Y-%m-%d").to_string()
}

/// The Hong Kong date of an instant.
pub fn local_day(at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(at)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_else(kernel::hk::today)
}

/// Whether a photo's media type is a picture.
pub fn is_photo(media_type: &str) -> bool {
    matches!(media_type, "image/png" | "image/jpeg" | "image/gif")
}

#[cfg(test)]
mod tests {
    use super::super::checklist;
    use super::*;

    fn insp() -> Inspection {
        Inspection {
            id: "i".into(),
            premises_id: "p".into(),
            licence_id: None,
            kind: "routine".into(),
            priority: 3,
            due_on: "2026-03-10".into(),
            window_start: "09:00".into(),
            window_end: "12:00".into(),
            inspector: None,
            planned_on: None,
            status: "due".into(),
            outcome: None,
            findings: "[]".into(),
            done_by: None,
            done_at: None,
            publish_after: None,
            source_ref: None,
            created_at: 0,
        }
    }

    /// 2026-03-10 at `hh:mm` Hong Kong time, in ms.
    fn at(hh: u32, mm: u32) -> i64 {
        let d = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap().and_hms_opt(hh, mm, 0).unwrap();
        d.and_local_timezone(kernel::hk::tz()).unwrap().timestamp_millis()
    }

    fn record(when: i64) -> Record {
        Record {
            answers: checklist::GENERAL
                .iter()
                .map(|i| Answer { item: i.code.into(), result: "compliant".into(), note: String::new() })
                .collect(),
            outcome: "compliant".into(),
            signed_by: "Chan Tai Man".into(),
            at: when,
            ..Default::default()
        }
    }

    #[test]
    fn the_window_is_the_day_and_its_hours_in_hong_kong() {
        let i = insp();
        assert!(in_window(&i, at(9, 0)));
        assert!(in_window(&i, at(12, 0)), "the last minute counts");
        assert!(!in_window(&i, at(8, 59)));
        assert!(!in_window(&i, at(12, 1)));
        assert!(!in_window(&i, at(10, 0) + 86_400_000), "another day");
        let all_day = Inspection { window_start: "00:00".into(), window_end: "23:59".into(), ..insp() };
        assert!(in_window(&all_day, at(23, 59)) && in_window(&all_day, at(0, 0)));
        let planned = Inspection { planned_on: Some("2026-03-09".into()), ..insp() };
        assert!(!in_window(&planned, at(10, 0)), "the planned day wins over the due day");
    }

    #[test]
    fn a_complete_record_in_its_window_passes() {
        let f = check(&insp(), checklist::GENERAL, &record(at(10, 0)), at(10, 5)).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].provision, "Licence condition");
    }

    #[test]
    fn outside_the_window_needs_a_late_mark_and_a_reason() {
        let r = record(at(13, 0));
        let e = check(&insp(), checklist::GENERAL, &r, at(13, 0)).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].code.as_str()), ("late", "reg_insp_outside_window"));
        let late = Record { late: true, ..r.clone() };
        assert_eq!(
            check(&insp(), checklist::GENERAL, &late, at(13, 0)).unwrap_err()[0].code,
            "reg_insp_late_reason_required"
        );
        let ok = Record { late: true, late_reason: "Premises closed in the morning".into(), ..r };
        assert!(check(&insp(), checklist::GENERAL, &ok, at(13, 0)).is_ok());
        let future = record(at(11, 0));
        assert_eq!(check(&insp(), checklist::GENERAL, &future, at(10, 0)).unwrap_err()[0].code, "reg_insp_in_future");
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let r = Record {
            answers: vec![
                Answer { item: "premises_clean".into(), result: "not_compliant".into(), note: " ".into() },
                Answer { item: "bogus".into(), result: "compliant".into(), note: String::new() },
            ],
            outcome: "compliant".into(),
            signed_by: String::new(),
            at: at(10, 0),
            ..Default::default()
        };
        let codes: Vec<String> = check(&insp(), checklist::GENERAL, &r, at(10, 0))
            .unwrap_err()
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.code))
            .collect();
        assert_eq!(
            codes,
            [
                "note-premises_clean:reg_insp_note_required",
                "item-licence_displayed:reg_insp_item_required",
                "items:reg_insp_item_unknown",
                "outcome:reg_insp_outcome_inconsistent",
                "signed_by:reg_insp_signature_required"
            ]
        );
    }

    #[test]
    fn follow_ups_and_publication() {
        assert_eq!(follow_up("compliant"), None);
        assert_eq!(follow_up("advice"), None);
        assert_eq!(follow_up("warning"), Some((2, 28)));
        assert_eq!(follow_up("prosecution"), Some((1, 14)));
        assert_eq!(publish_after(at(10, 0)), "2026-03-24");
        assert!(is_photo("image/jpeg") && !is_photo("application/pdf"));
    }
}
