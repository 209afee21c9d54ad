//! Taking in notifications: one transaction for any number of them (a web form, one API call,
//! a FHIR bundle or a batch). Intake transactions are serialised (an advisory lock on
//! PostgreSQL, the write lock on SQLite), so the reads that decide "same person, same episode"
//! cannot race a concurrent intake. Then: replays of a reporter reference are answered with the
//! first acknowledgement, the pure planner (`dedup::plan`) decides people and cases, and
//! everything is written with multi-row inserts, the weekly counts moved, one audit entry made.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use kernel::AppState;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::web::FieldError;
use serde::Serialize;
use utoipa::ToSchema;

use super::Channel;
use super::dedup::{self, CaseRef, Incoming, PersonRef};
use super::store::{self, NewCase, NewNotification, NewPerson};
use super::validate::ValidNotification;
use crate::cases::store::{NewClassification, NewLab};
use crate::cases::{self, Classification};
use crate::catalogue::Disease;
use crate::counts;
use crate::counts::delays::{CaseTimes, DelayDeltas};
use crate::counts::weeks::{Cell, Deltas};

/// Who is notifying.
#[derive(Clone, Debug)]
pub struct Reporter {
    /// `staff` (web form), `partner` (API client) or `system` (demo).
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    pub institution: String,
}

/// The acknowledgement of a notification.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Ack {
    /// The notification's reference, e.g. `NID-2026-000123`.
    pub reference: String,
    /// The case it belongs to, e.g. `CASE-2026-000045`.
    pub case_reference: String,
    /// True when it was attached to a case that already existed (same person, disease and episode).
    pub merged: bool,
    pub disease: String,
    /// The disease must also be phoned in to the Central Notification Office at once.
    pub immediate_phone: bool,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    /// A new notification.
    Created(Ack),
    /// The same reporter reference was sent before with the same content: its first acknowledgement.
    Replayed(Ack),
    /// Not taken; nothing written for it.
    Rejected(Vec<FieldError>),
}

fn hk_date(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive())
        .unwrap_or_default()
}

fn format_ref(prefix: &str, year: i32, n: i64, width: usize) -> String {
    format!("{prefix}-{year}-{n:0width$}")
}

use chrono::Datelike;

/// Takes in notifications received at `received_at` (ms). Invalid items come in as `Err` and go
/// out as `Rejected`, untouched; valid ones are written together. With `atomic`, one refused
/// item (invalid, or a reporter reference reused with other content) refuses them all: nothing
/// is written and the others come back `Rejected` with no errors of their own.
#[allow(clippy::too_many_arguments)]
pub async fn submit(
    state: &AppState,
    diseases: &[Disease],
    reporter: &Reporter,
    channel: Channel,
    actor: &Actor,
    origin: &Origin,
    items: Vec<Result<ValidNotification, Vec<FieldError>>>,
    received_at: i64,
    atomic: bool,
) -> anyhow::Result<Vec<Outcome>> {
    let by_code: HashMap<&str, &Disease> = diseases.iter().map(|d| (d.code.as_str(), d)).collect();
    let mut outcomes: Vec<Option<Outcome>> = Vec::with_capacity(items.len());
    let mut todo: Vec<(usize, ValidNotification)> = vec![];
    // Repeats of a reporter reference inside this request: (index, index of the first).
    let mut repeats: Vec<(usize, usize)> = vec![];
    let mut first_of_ref: HashMap<String, (usize, String)> = HashMap::new();
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Err(e) => outcomes.push(Some(Outcome::Rejected(e))),
            Ok(v) => {
                if let Some(r) = &v.reporter_ref {
                    if let Some((first, hash)) = first_of_ref.get(r) {
                        if *hash == v.payload_hash {
                            repeats.push((i, *first));
                            outcomes.push(None);
                        } else {
                            let e = FieldError::new("reporter_ref", "reporter_ref_reused", &[]);
                            outcomes.push(Some(Outcome::Rejected(vec![e])));
                        }
                        continue;
                    }
                    first_of_ref.insert(r.clone(), (i, v.payload_hash.clone()));
                }
                outcomes.push(None);
                todo.push((i, v));
            }
        }
    }
    if atomic && outcomes.iter().any(|o| matches!(o, Some(Outcome::Rejected(_)))) {
        return Ok(refuse_all(outcomes));
    }
    if todo.is_empty() {
        return Ok(finish(outcomes, &repeats));
    }

    let db = &state.db;
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "protection_intake").await?;

    // Replays of earlier notifications.
    let refs: Vec<String> = todo.iter().filter_map(|(_, v)| v.reporter_ref.clone()).collect();
    if !refs.is_empty() {
        let prior: HashMap<String, store::PriorNotification> = store::prior_notifications(&mut tx, &reporter.id, &refs)
            .await?
            .into_iter()
            .map(|p| (p.reporter_ref.clone(), p))
            .collect();
        todo.retain(|(i, v)| {
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
    if atomic && outcomes.iter().any(|o| matches!(o, Some(Outcome::Rejected(_)))) {
        tx.rollback().await?;
        return Ok(refuse_all(outcomes));
    }
    if todo.is_empty() {
        tx.commit().await?;
        return Ok(finish(outcomes, &repeats));
    }

    // Who, and which episode.
    let report_date = hk_date(received_at);
    let key = &state.keys.hkid;
    let hkids: Vec<Option<String>> = todo.iter().map(|(_, v)| v.person.hkid.as_ref().map(|h| h.hmac(key))).collect();
    let keys: Vec<Option<String>> = todo
        .iter()
        .map(|(_, v)| dedup::match_key(key, &v.person.name_en, &v.person.name_zh, v.person.birth_date, &v.person.sex))
        .collect();
    let unique = |xs: &[Option<String>]| -> Vec<String> {
        let set: HashSet<&String> = xs.iter().flatten().collect();
        set.into_iter().cloned().collect()
    };
    let persons = store::persons_matching(&mut tx, &unique(&hkids), &unique(&keys)).await?;
    let open = store::open_cases_of(&mut tx, &persons.iter().map(|p| p.id.clone()).collect::<Vec<_>>()).await?;
    let incoming: Vec<Incoming> = todo
        .iter()
        .enumerate()
        .map(|(k, (_, v))| Incoming {
            hkid_hmac: hkids[k].clone(),
            match_key: keys[k].clone(),
            disease: v.disease.clone(),
            episode_days: by_code.get(v.disease.as_str()).map(|d| d.episode_days).unwrap_or(90),
            date: v.onset.unwrap_or(report_date),
        })
        .collect();
    let known_cases: Vec<dedup::KnownCase> = open.iter().map(|c| c.known.clone()).collect();
    let plan = dedup::plan(&incoming, &persons, &known_cases);

    // Reference numbers.
    let year = report_date.year();
    let new_cases = plan.iter().enumerate().filter(|(k, d)| d.case == CaseRef::New(*k)).count() as i64;
    let last_nid = crate::store::take_numbers(&mut tx, &format!("NID-{year}"), todo.len() as i64).await?;
    let last_case =
        if new_cases > 0 { crate::store::take_numbers(&mut tx, &format!("CASE-{year}"), new_cases).await? } else { 0 };
    let mut next_nid = last_nid - todo.len() as i64;
    let mut next_case = last_case - new_cases;

    // Rows.
    let by = actor.id().to_string();
    let mut person_ids: HashMap<usize, String> = HashMap::new();
    let mut new_persons: Vec<NewPerson> = vec![];
    let mut attach: Vec<(String, String, String)> = vec![];
    let mut case_ids: HashMap<usize, (String, String)> = HashMap::new(); // k -> (id, reference)
    let mut new_case_rows: Vec<NewCase> = vec![];
    let mut history: Vec<NewClassification> = vec![];
    let mut notifications: Vec<NewNotification> = Vec::with_capacity(todo.len());
    let mut labs: Vec<NewLab> = vec![];
    // Existing cases receiving merges: id -> (added, classification now, onset).
    let mut merged_existing: BTreeMap<String, (i64, Classification, Option<String>)> = BTreeMap::new();
    let open_by_id: HashMap<&str, &store::OpenCase> = open.iter().map(|c| (c.known.id.as_str(), c)).collect();
    let mut deltas = Deltas::default();
    let mut acks: Vec<(usize, Ack)> = vec![];
    let mut ack_persons: Vec<String> = vec![];

    for (k, ((i, v), d)) in todo.iter().zip(&plan).enumerate() {
        let disease = by_code.get(v.disease.as_str()).copied();
        let person_id = match &d.person {
            PersonRef::Existing(id) => {
                if d.attach_hkid
                    && let Some(h) = &v.person.hkid
                {
                    attach.push((id.clone(), h.hmac(key), h.masked()));
                }
                id.clone()
            }
            PersonRef::New(first) if *first == k => {
                let id = kernel::new_id();
                person_ids.insert(k, id.clone());
                new_persons.push(NewPerson {
                    id: id.clone(),
                    hkid_hmac: hkids[k].clone(),
                    hkid_masked: v.person.hkid.as_ref().map(|h| h.masked()),
                    match_key: keys[k].clone(),
                    name_en: v.person.name_en.clone(),
                    name_zh: v.person.name_zh.clone(),
                    sex: v.person.sex.clone(),
                    birth_date: v.person.birth_date.map(|b| b.to_string()),
                    phone: v.person.phone.clone(),
                    address: v.person.address.clone(),
                    district: v.person.district.clone(),
                    at: received_at,
                });
                id
            }
            PersonRef::New(first) => {
                let id = person_ids[first].clone();
                if d.attach_hkid
                    && let (Some(h), Some(row)) = (&v.person.hkid, new_persons.iter_mut().find(|p| p.id == id))
                {
                    row.hkid_hmac = Some(h.hmac(key));
                    row.hkid_masked = Some(h.masked());
                }
                id
            }
        };
        next_nid += 1;
        let reference = format_ref("NID", year, next_nid, 6);
        let notification_id = kernel::new_id();
        let (case_id, case_reference) = match &d.case {
            CaseRef::New(first) if *first == k => {
                next_case += 1;
                let id = kernel::new_id();
                let case_reference = format_ref("CASE", year, next_case, 6);
                case_ids.insert(k, (id.clone(), case_reference.clone()));
                let details = serde_json::to_string(&v.fields).unwrap_or_else(|_| "{}".into());
                new_case_rows.push(NewCase {
                    id: id.clone(),
                    reference: case_reference.clone(),
                    person_id: person_id.clone(),
                    disease: v.disease.clone(),
                    classification: v.classification,
                    onset_date: v.onset.map(|o| o.to_string()),
                    notified_date: report_date.to_string(),
                    episode_date: v.onset.unwrap_or(report_date).to_string(),
                    district: v.person.district.clone(),
                    exposure_setting: v.exposure_setting.clone(),
                    details,
                    notifications: 1,
                    first_followup_date: None,
                    at: received_at,
                });
                history.push(NewClassification {
                    case_id: id.clone(),
                    from: None,
                    to: v.classification,
                    reason: format!("@opened {reference}"),
                    by: by.clone(),
                    at: received_at,
                });
                (id, case_reference)
            }
            CaseRef::New(first) => {
                // A later notification of a case opened earlier in this batch.
                let (id, case_reference) = case_ids[first].clone();
                let row = new_case_rows.iter_mut().find(|c| c.id == id).expect("opened earlier in the batch");
                row.notifications += 1;
                if row.onset_date.is_none() {
                    row.onset_date = v.onset.map(|o| o.to_string());
                }
                if v.classification.rank() > row.classification.rank() {
                    history.push(NewClassification {
                        case_id: id.clone(),
                        from: Some(row.classification),
                        to: v.classification,
                        reason: format!("@raised {reference}"),
                        by: by.clone(),
                        at: received_at,
                    });
                    row.classification = v.classification;
                }
                (id, case_reference)
            }
            CaseRef::Existing(id) => {
                let c = open_by_id[id.as_str()];
                let entry = merged_existing.entry(id.clone()).or_insert((0, c.known.classification, None));
                entry.0 += 1;
                if entry.2.is_none() {
                    entry.2 = v.onset.map(|o| o.to_string());
                }
                if v.classification.rank() > entry.1.rank() {
                    history.push(NewClassification {
                        case_id: id.clone(),
                        from: Some(entry.1),
                        to: v.classification,
                        reason: format!("@raised {reference}"),
                        by: by.clone(),
                        at: received_at,
                    });
                    entry.1 = v.classification;
                }
                (id.clone(), c.reference.clone())
            }
        };
        notifications.push(NewNotification {
            id: notification_id.clone(),
            reference: reference.clone(),
            case_id: case_id.clone(),
            merged: d.merged,
            disease: v.disease.clone(),
            kind: v.kind.code(),
            channel: channel.code(),
            reporter_type: reporter.kind,
            reporter_id: reporter.id.clone(),
            reporter_name: v.reporter_name.clone().unwrap_or_else(|| reporter.name.clone()),
            institution: v.institution.clone().unwrap_or_else(|| reporter.institution.clone()),
            reporter_ref: v.reporter_ref.clone(),
            payload_hash: v.payload_hash.clone(),
            classification: v.classification,
            onset_date: v.onset.map(|o| o.to_string()),
            fields: serde_json::to_string(&v.fields).unwrap_or_else(|_| "{}".into()),
            received_at,
        });
        if let Some(l) = &v.lab {
            labs.push(NewLab {
                case_id: case_id.clone(),
                notification_id: Some(notification_id),
                test: l.test.clone(),
                specimen_date: l.specimen_date.map(|s| s.to_string()),
                result: l.result.clone(),
                organism: l.organism.clone(),
                added_by: by.clone(),
                at: received_at,
            });
        }
        ack_persons.push(person_id.clone());
        acks.push((
            *i,
            Ack {
                reference,
                case_reference,
                merged: d.merged,
                disease: v.disease.clone(),
                immediate_phone: disease.is_some_and(|d| d.immediate_phone),
            },
        ));
    }

    // Weekly counts: new cases in their final cell; raised existing cases move cells.
    for c in &new_case_rows {
        let report: NaiveDate = c.notified_date.parse().unwrap_or(report_date);
        deltas.add(Cell::new(&c.disease, report, &c.district, c.classification.code()), 1);
    }
    // Delay counts likewise: new cases with their onset; merged cases whose classification or
    // onset (filled in when it had none) changed move cells.
    let mut delay_deltas = DelayDeltas::default();
    for c in &new_case_rows {
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
    for (id, (_, class, onset)) in &merged_existing {
        let c = open_by_id[id.as_str()];
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
    for (id, (_, class, _)) in &merged_existing {
        let c = open_by_id[id.as_str()];
        if *class != c.known.classification {
            let report: NaiveDate = c.notified_date.parse().unwrap_or(report_date);
            deltas.moved(
                Cell::new(&c.known.disease, report, &c.district, c.known.classification.code()),
                Cell::new(&c.known.disease, report, &c.district, class.code()),
            );
        }
    }

    store::insert_persons(&mut tx, &new_persons).await?;
    for (id, hmac, masked) in &attach {
        store::attach_hkid(&mut tx, id, hmac, masked).await?;
    }
    store::insert_cases(&mut tx, &new_case_rows).await?;
    for (id, (added, class, onset)) in &merged_existing {
        store::merge_into_case(&mut tx, id, *added, *class, onset.as_deref(), received_at).await?;
    }
    cases::store::insert_classifications(&mut tx, &history).await?;
    store::insert_notifications(&mut tx, &notifications).await?;
    cases::store::insert_lab_results(&mut tx, &labs).await?;
    counts::store::apply_deltas(&mut tx, &deltas.into_vec()).await?;
    counts::store::apply_delay_deltas(&mut tx, &delay_deltas.into_vec()).await?;

    let merged = acks.iter().filter(|(_, a)| a.merged).count();
    if acks.len() == 1 {
        let n = &notifications[0];
        let person = &ack_persons[0];
        let detail = format!(
            "{} {} {}{}",
            channel.code(),
            n.disease,
            acks[0].1.case_reference,
            if n.merged { " merged" } else { "" }
        );
        audit::record(
            db,
            &mut tx,
            actor,
            origin,
            Event::new("notification.create", "notification", &n.reference)
                .person(person)
                .purpose("disease notification")
                .detail(&detail),
        )
        .await?;
    } else {
        let detail = format!(
            "{} notifications via {}: {} new cases, {} merged, {} refused or repeated",
            acks.len(),
            channel.code(),
            new_case_rows.len(),
            merged,
            outcomes.iter().filter(|o| o.is_some()).count() + repeats.len()
        );
        let first = acks.first().map(|a| a.1.reference.clone()).unwrap_or_default();
        audit::record(
            db,
            &mut tx,
            actor,
            origin,
            Event::new("notification.batch", "notification", &first).purpose("disease notification").detail(&detail),
        )
        .await?;
    }
    tx.commit().await?;
    for (i, ack) in acks {
        outcomes[i] = Some(Outcome::Created(ack));
    }
    Ok(finish(outcomes, &repeats))
}

/// All refused: the items at fault keep their errors, the others have none.
fn refuse_all(outcomes: Vec<Option<Outcome>>) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .map(|o| match o {
            Some(Outcome::Rejected(e)) => Outcome::Rejected(e),
            _ => Outcome::Rejected(vec![]),
        })
        .collect()
}

/// Fills in repeats within the request with the acknowledgement of their first occurrence.
fn finish(mut outcomes: Vec<Option<Outcome>>, repeats: &[(usize, usize)]) -> Vec<Outcome> {
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
