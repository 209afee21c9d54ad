//! The pure steps of intake, between the reads and the writes of its transaction: sorting the
//! request's items, answering replays, turning the de-duplication plan into rows, and the
//! weekly-count and delay-count deltas those rows make. No IO.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kernel::web::FieldError;

use super::dedup::{CaseRef, Decision, PersonRef};
use super::store::{NewCase, NewNotification, NewPerson, OpenCase, PriorNotification};
use super::validate::ValidNotification;
use super::{Ack, Channel, Outcome, Reporter};
use crate::cases::Classification;
use crate::cases::store::{NewClassification, NewLab};
use crate::catalogue::Disease;
use crate::counts::delays::{CaseTimes, DelayDeltas};
use crate::counts::weeks::{Cell, Deltas};

pub(super) fn hk_date(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_default()
}

pub(super) fn format_ref(prefix: &str, year: i32, n: i64, width: usize) -> String {
    format!("{prefix}-{year}-{n:0width$}")
}

/// A request's items sorted: outcomes known already (invalid items, reporter references reused
/// within the request), the valid items still to do, and repeats within the request (index,
/// index of the first).
pub(super) struct Sorted {
    pub outcomes: Vec<Option<Outcome>>,
    pub todo: Vec<(usize, ValidNotification)>,
    pub repeats: Vec<(usize, usize)>,
}

impl Sorted {
    pub fn any_rejected(&self) -> bool {
        self.outcomes.iter().any(|o| matches!(o, Some(Outcome::Rejected(_))))
    }
}

/// Sorts a request's items: invalid ones are rejected as they are; a reporter reference seen
/// earlier in the request is a repeat (same content) or refused (other content).
pub(super) fn sort(items: Vec<Result<ValidNotification, Vec<FieldError>>>) -> Sorted {
    let mut s = Sorted { outcomes: Vec::with_capacity(items.len()), todo: vec![], repeats: vec![] };
    let mut first_of_ref: HashMap<String, (usize, String)> = HashMap::new();
    for (i, item) in items.into_iter().enumerate() {
        let v = match item {
            Err(e) => {
                s.outcomes.push(Some(Outcome::Rejected(e)));
                continue;
            }
            Ok(v) => v,
        };
        if let Some(r) = &v.reporter_ref {
            if let Some((first, hash)) = first_of_ref.get(r) {
                if *hash == v.payload_hash {
                    s.repeats.push((i, *first));
                    s.outcomes.push(None);
                } else {
                    let e = FieldError::new("reporter_ref", "reporter_ref_reused", &[]);
                    s.outcomes.push(Some(Outcome::Rejected(vec![e])));
                }
                continue;
            }
            first_of_ref.insert(r.clone(), (i, v.payload_hash.clone()));
        }
        s.outcomes.push(None);
        s.todo.push((i, v));
    }
    s
}

/// Answers the items whose reporter reference this reporter used before: the first
/// acknowledgement for the same content, refused for other content; they leave `todo`.
pub(super) fn answer_replays(
    s: &mut Sorted,
    prior: &HashMap<String, PriorNotification>,
    by_code: &HashMap<&str, &Disease>,
) {
    let outcomes = &mut s.outcomes;
    s.todo.retain(|(i, v)| {
        let Some(p) = v.reporter_ref.as_ref().and_then(|r| prior.get(r)) else { return true };
        outcomes[*i] = Some(if p.payload_hash == v.payload_hash {
            Outcome::Replayed(Ack {
                reference: p.reference.clone(),
                case_reference: p.case_reference.clone(),
                merged: p.merged,
                disease: p.disease.clone(),
                immediate_phone: by_code.get(p.disease.as_str()).is_some_and(|d| d.immediate_phone),
            })
        } else {
            Outcome::Rejected(vec![FieldError::new("reporter_ref", "reporter_ref_reused", &[])])
        });
        false
    });
}

/// All refused: the items at fault keep their errors, the others have none.
pub(super) fn refuse_all(outcomes: Vec<Option<Outcome>>) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|o| match o {
            Some(Outcome::Rejected(e)) => Outcome::Rejected(e),
            _ => Outcome::Rejected(vec![]),
        })
        .collect()
}

/// Fills in repeats within the request with the acknowledgement of their first occurrence.
pub(super) fn finish(mut outcomes: Vec<Option<Outcome>>, repeats: &[(usize, usize)]) -> Vec<Outcome> {
    for (i, first) in repeats {
        let o = match &outcomes[*first] {
            Some(Outcome::Created(a)) | Some(Outcome::Replayed(a)) => Outcome::Replayed(a.clone()),
            Some(Outcome::Rejected(e)) => Outcome::Rejected(e.clone()),
            None => Outcome::Rejected(vec![]),
        };
        outcomes[*i] = Some(o);
    }
    outcomes.into_iter().map(|o| o.unwrap_or(Outcome::Rejected(vec![]))).collect()
}

/// What the rows are made from: the request, who sent it, and what the reads found.
pub(super) struct Context<'a> {
    pub by_code: &'a HashMap<&'a str, &'a Disease>,
    pub reporter: &'a Reporter,
    pub channel: Channel,
    /// The actor's id.
    pub by: String,
    pub hkid_key: &'a [u8],
    /// Per item to do: the HKID's HMAC and the match key.
    pub hkids: &'a [Option<String>],
    pub keys: &'a [Option<String>],
    pub open_by_id: HashMap<&'a str, &'a OpenCase>,
    pub report_date: NaiveDate,
    pub received_at: i64,
}

/// Existing cases receiving merges: id -> (notifications added, classification now, onset).
pub(super) type Merges = BTreeMap<String, (i64, Classification, Option<String>)>;

/// Every row intake writes, with the acknowledgements.
#[derive(Default)]
pub(super) struct Rows {
    pub persons: Vec<NewPerson>,
    /// (person id, HKID HMAC, masked HKID) for known people who now give an HKID.
    pub attach: Vec<(String, String, String)>,
    pub cases: Vec<NewCase>,
    pub history: Vec<NewClassification>,
    pub notifications: Vec<NewNotification>,
    pub labs: Vec<NewLab>,
    pub merged_existing: Merges,
    /// (item index, acknowledgement) and the person of each.
    pub acks: Vec<(usize, Ack)>,
    pub ack_persons: Vec<String>,
    person_ids: HashMap<usize, String>,
    case_ids: HashMap<usize, (String, String)>,
    year: i32,
    next_nid: i64,
    next_case: i64,
}

impl Rows {
    /// Rows numbered from `first_nid` and `first_case` (the counters' values before this intake).
    pub fn numbered(year: i32, first_nid: i64, first_case: i64) -> Rows {
        Rows { year, next_nid: first_nid, next_case: first_case, ..Default::default() }
    }

    /// Builds the rows of every item to do, following the de-duplication plan.
    pub fn build(&mut self, cx: &Context<'_>, todo: &[(usize, ValidNotification)], plan: &[Decision]) {
        for (k, ((i, v), d)) in todo.iter().zip(plan).enumerate() {
            let person_id = self.person(cx, k, v, d);
            self.next_nid += 1;
            let reference = format_ref("NID", self.year, self.next_nid, 6);
            let (case_id, case_reference) = self.case(cx, k, v, d, &person_id, &reference);
            self.notification(cx, v, d, &case_id, &reference);
            self.ack_persons.push(person_id);
            let immediate_phone = cx.by_code.get(v.disease.as_str()).is_some_and(|d| d.immediate_phone);
            let ack = Ack { reference, case_reference, merged: d.merged, disease: v.disease.clone(), immediate_phone };
            self.acks.push((*i, ack));
        }
    }

    /// The item's person: known, new, or new earlier in this request.
    fn person(&mut self, cx: &Context<'_>, k: usize, v: &ValidNotification, d: &Decision) -> String {
        let key = cx.hkid_key;
        match &d.person {
            PersonRef::Existing(id) => {
                if d.attach_hkid
                    && let Some(h) = &v.person.hkid
                {
                    self.attach.push((id.clone(), h.hmac(key), h.masked()));
                }
                id.clone()
            }
            PersonRef::New(first) if *first == k => {
                let id = kernel::new_id();
                self.person_ids.insert(k, id.clone());
                self.persons.push(NewPerson {
                    id: id.clone(),
                    hkid_hmac: cx.hkids[k].clone(),
                    hkid_masked: v.person.hkid.as_ref().map(|h| h.masked()),
                    match_key: cx.keys[k].clone(),
                    name_en: v.person.name_en.clone(),
                    name_zh: v.person.name_zh.clone(),
                    sex: v.person.sex.clone(),
                    birth_date: v.person.birth_date.map(|b| b.to_string()),
                    phone: v.person.phone.clone(),
                    address: v.person.address.clone(),
                    district: v.person.district.clone(),
                    at: cx.received_at,
                });
                id
            }
            PersonRef::New(first) => {
                let id = self.person_ids[first].clone();
                if d.attach_hkid
                    && let (Some(h), Some(row)) = (&v.person.hkid, self.persons.iter_mut().find(|p| p.id == id))
                {
                    row.hkid_hmac = Some(h.hmac(key));
                    row.hkid_masked = Some(h.masked());
                }
                id
            }
        }
    }

    /// The item's case: (id, reference) of a new case, of one opened earlier in this request, or
    /// of an existing case it merges into.
    fn case(
        &mut self,
        cx: &Context<'_>,
        k: usize,
        v: &ValidNotification,
        d: &Decision,
        person_id: &str,
        reference: &str,
    ) -> (String, String) {
        match &d.case {
            CaseRef::New(first) if *first == k => self.open_case(cx, k, v, person_id, reference),
            CaseRef::New(first) => {
                // A later notification of a case opened earlier in this batch.
                let (id, case_reference) = self.case_ids[first].clone();
                let row = self.cases.iter_mut().find(|c| c.id == id).expect("opened earlier in the batch");
                row.notifications += 1;
                if row.onset_date.is_none() {
                    row.onset_date = v.onset.map(|o| o.to_string());
                }
                if v.classification.rank() > row.classification.rank() {
                    self.history.push(raised(cx, &id, row.classification, v.classification, reference));
                    row.classification = v.classification;
                }
                (id, case_reference)
            }
            CaseRef::Existing(id) => {
                let c = cx.open_by_id[id.as_str()];
                let entry = self.merged_existing.entry(id.clone()).or_insert((0, c.known.classification, None));
                entry.0 += 1;
                if entry.2.is_none() {
                    entry.2 = v.onset.map(|o| o.to_string());
                }
                if v.classification.rank() > entry.1.rank() {
                    self.history.push(raised(cx, id, entry.1, v.classification, reference));
                    entry.1 = v.classification;
                }
                (id.clone(), c.reference.clone())
            }
        }
    }

    fn open_case(
        &mut self,
        cx: &Context<'_>,
        k: usize,
        v: &ValidNotification,
        person_id: &str,
        reference: &str,
    ) -> (String, String) {
        self.next_case += 1;
        let id = kernel::new_id();
        let case_reference = format_ref("CASE", self.year, self.next_case, 6);
        self.case_ids.insert(k, (id.clone(), case_reference.clone()));
        let details = serde_json::to_string(&v.fields).unwrap_or_else(|_| "{}".into());
        self.cases.push(NewCase {
            id: id.clone(),
            reference: case_reference.clone(),
            person_id: person_id.to_string(),
            disease: v.disease.clone(),
            classification: v.classification,
            onset_date: v.onset.map(|o| o.to_string()),
            notified_date: cx.report_date.to_string(),
            episode_date: v.onset.unwrap_or(cx.report_date).to_string(),
            district: v.person.district.clone(),
            exposure_setting: v.exposure_setting.clone(),
            details,
            notifications: 1,
            first_followup_date: None,
            at: cx.received_at,
        });
        self.history.push(NewClassification {
            case_id: id.clone(),
            from: None,
            to: v.classification,
            reason: format!("@opened {reference}"),
            by: cx.by.clone(),
            at: cx.received_at,
        });
        (id, case_reference)
    }

    /// The notification row, and its laboratory result if it carries one.
    fn notification(&mut self, cx: &Context<'_>, v: &ValidNotification, d: &Decision, case_id: &str, reference: &str) {
        let notification_id = kernel::new_id();
        self.notifications.push(NewNotification {
            id: notification_id.clone(),
            reference: reference.to_string(),
            case_id: case_id.to_string(),
            merged: d.merged,
            disease: v.disease.clone(),
            kind: v.kind.code(),
            channel: cx.channel.code(),
            reporter_type: cx.reporter.kind,
            reporter_id: cx.reporter.id.clone(),
            reporter_name: v.reporter_name.clone().unwrap_or_else(|| cx.reporter.name.clone()),
            institution: v.institution.clone().unwrap_or_else(|| cx.reporter.institution.clone()),
            reporter_ref: v.reporter_ref.clone(),
            payload_hash: v.payload_hash.clone(),
            classification: v.classification,
            onset_date: v.onset.map(|o| o.to_string()),
            fields: serde_json::to_string(&v.fields).unwrap_or_else(|_| "{}".into()),
            received_at: cx.received_at,
        });
        if let Some(l) = &v.lab {
            self.labs.push(NewLab {
                case_id: case_id.to_string(),
                notification_id: Some(notification_id),
                test: l.test.clone(),
                specimen_date: l.specimen_date.map(|s| s.to_string()),
                result: l.result.clone(),
                organism: l.organism.clone(),
                added_by: cx.by.clone(),
                at: cx.received_at,
            });
        }
    }

    /// The weekly-count deltas: new cases in their final cell; raised existing cases move cells.
    pub fn weekly_deltas(&self, cx: &Context<'_>) -> Deltas {
        let mut deltas = Deltas::default();
        for c in &self.cases {
            let report: NaiveDate = c.notified_date.parse().unwrap_or(cx.report_date);
            deltas.add(Cell::new(&c.disease, report, &c.district, c.classification.code()), 1);
        }
        for (id, (_, class, _)) in &self.merged_existing {
            let c = cx.open_by_id[id.as_str()];
            if *class != c.known.classification {
                let report: NaiveDate = c.notified_date.parse().unwrap_or(cx.report_date);
                deltas.moved(
                    Cell::new(&c.known.disease, report, &c.district, c.known.classification.code()),
                    Cell::new(&c.known.disease, report, &c.district, class.code()),
                );
            }
        }
        deltas
    }

    /// The delay-count deltas likewise: new cases with their onset; merged cases whose
    /// classification or onset (filled in when it had none) changed move cells.
    pub fn delay_deltas(&self, cx: &Context<'_>) -> DelayDeltas {
        let mut delay_deltas = DelayDeltas::default();
        for c in &self.cases {
            delay_deltas.add(
                &CaseTimes {
                    disease: &c.disease,
                    notified_date: &c.notified_date,
                    district: &c.district,
                    classification: c.classification.code(),
                    onset_date: c.onset_date.as_deref(),
                    first_followup_date: None,
                },
                1,
            );
        }
        for (id, (_, class, onset)) in &self.merged_existing {
            let c = cx.open_by_id[id.as_str()];
            let before = CaseTimes {
                disease: &c.known.disease,
                notified_date: &c.notified_date,
                district: &c.district,
                classification: c.known.classification.code(),
                onset_date: c.onset_date.as_deref(),
                first_followup_date: c.first_followup_date.as_deref(),
            };
            let after = CaseTimes {
                classification: class.code(),
                onset_date: c.onset_date.as_deref().or(onset.as_deref()),
                ..before.clone()
            };
            delay_deltas.moved(&before, &after);
        }
        delay_deltas
    }
}

/// A classification raised by a later notification (`reference`).
fn raised(
    cx: &Context<'_>,
    case_id: &str,
    from: Classification,
    to: Classification,
    reference: &str,
) -> NewClassification {
    NewClassification {
        case_id: case_id.to_string(),
        from: Some(from),
        to,
        reason: format!("@raised {reference}"),
        by: cx.by.clone(),
        at: cx.received_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_zero_padded_by_year() {
        assert_eq!(format_ref("NID", 2026, 123, 6), "NID-2026-000123");
        assert_eq!(format_ref("CASE", 2026, 1_234_567, 6), "CASE-2026-1234567");
        assert_eq!(hk_date(1_767_196_800_000).to_string(), "2026-01-01", "00:00 HKT is 16:00 UTC the day before");
        assert_eq!(hk_date(1_767_196_799_999).to_string(), "2025-12-31");
    }

    #[test]
    fn repeats_take_their_first_acknowledgement() {
        let ack = Ack {
            reference: "N".into(),
            case_reference: "C".into(),
            merged: false,
            disease: "x".into(),
            immediate_phone: false,
        };
        let out = finish(vec![Some(Outcome::Created(ack.clone())), None], &[(1, 0)]);
        assert!(matches!(&out[1], Outcome::Replayed(a) if *a == ack));
    }
}
