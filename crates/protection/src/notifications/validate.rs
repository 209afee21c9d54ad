//! A notification as submitted (web form, JSON or FHIR) and its validation into a
//! `ValidNotification`. Pure: the diseases, the HKID key and today's date are passed in.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kernel::hkid::{Hkid, HkidError};
use kernel::web::FieldError;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::Kind;
use crate::cases::{Classification, EXPOSURE_SETTINGS, LAB_RESULTS};
use crate::catalogue::{CodeSystem, Disease, FieldKind, MapError, map_code};

/// A notification of a case of a notifiable disease.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationIn {
    /// Your own id for this notification. Sending the same id again returns the first
    /// acknowledgement instead of creating a second notification.
    #[serde(default)]
    pub reporter_ref: Option<String>,
    /// Our disease code (see `GET /api/v1/protection/diseases`), e.g. `measles`.
    #[serde(default)]
    pub disease: Option<String>,
    /// Instead of `disease`: an ICD-10 code, e.g. `B05`.
    #[serde(default)]
    pub icd10: Option<String>,
    /// `clinical` (default) or `laboratory`.
    #[serde(default)]
    pub kind: Option<String>,
    /// `suspected`, `probable` or `confirmed`; by default `suspected` for clinical and
    /// `confirmed` for laboratory notifications.
    #[serde(default)]
    pub classification: Option<String>,
    pub patient: PatientIn,
    /// Date of onset, `YYYY-MM-DD`.
    #[serde(default)]
    pub onset_date: Option<String>,
    /// `household`, `school`, `workplace`, `healthcare`, `residential_home`, `food_premises`,
    /// `travel`, `community`, `animal` or `unknown`.
    #[serde(default)]
    pub exposure_setting: Option<String>,
    #[serde(default)]
    pub lab: Option<LabIn>,
    /// Answers to the disease's own questions, by key (text, `YYYY-MM-DD`, `yes`/`no`, or a whole number).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub reporter: Option<ReporterIn>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatientIn {
    /// Hong Kong Identity Card number, e.g. `A123456(3)`; stored only masked and keyed-hashed.
    #[serde(default)]
    pub hkid: Option<String>,
    #[serde(default)]
    pub name_en: Option<String>,
    #[serde(default)]
    pub name_zh: Option<String>,
    /// `F`, `M` or `U` (unknown).
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// District of residence (code, e.g. `KT`), or `UNK` when unknown or outside Hong Kong.
    #[serde(default)]
    pub district: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabIn {
    #[serde(default)]
    pub test: Option<String>,
    #[serde(default)]
    pub specimen_date: Option<String>,
    /// `positive`, `negative`, `pending` or `indeterminate`.
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default)]
    pub organism: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub institution: Option<String>,
}

/// The person as notified, checked.
#[derive(Clone, Debug)]
pub struct PersonIn {
    pub hkid: Option<Hkid>,
    pub name_en: String,
    pub name_zh: String,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: String,
}

#[derive(Clone, Debug)]
pub struct Lab {
    pub test: String,
    pub specimen_date: Option<NaiveDate>,
    pub result: String,
    pub organism: String,
}

/// A notification that passed every check.
#[derive(Clone, Debug)]
pub struct ValidNotification {
    pub reporter_ref: Option<String>,
    pub disease: String,
    pub kind: Kind,
    pub classification: Classification,
    pub person: PersonIn,
    pub onset: Option<NaiveDate>,
    pub exposure_setting: String,
    pub lab: Option<Lab>,
    pub fields: BTreeMap<String, String>,
    pub reporter_name: Option<String>,
    pub institution: Option<String>,
    /// SHA-256 of the submitted document: a repeated `reporter_ref` must carry the same content.
    pub payload_hash: String,
}

fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn text_value(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_string()),
        _ => None,
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 {
        return None;
    }
    s.parse::<NaiveDate>().ok().filter(|d| d.year_ce().1 >= 1900)
}

use chrono::Datelike;

/// Hash of the notification as submitted (serde_json orders object keys, so key order does not matter).
pub fn payload_hash(n: &NotificationIn) -> String {
    let v = serde_json::to_value(n).unwrap_or_default();
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

/// Checks a notification. Field paths follow the JSON document (`patient.hkid`, `fields.rash_onset`).
pub fn validate(
    n: &NotificationIn,
    diseases: &[Disease],
    today: NaiveDate,
) -> Result<ValidNotification, Vec<FieldError>> {
    let mut errors: Vec<FieldError> = vec![];
    let e = &mut errors;
    let reporter_ref = limited("reporter_ref", &n.reporter_ref, 100, e);
    let disease = check_disease(n, diseases, e);
    let kind = check_kind(n, e);
    let person = check_person(&n.patient, today, e);
    let onset = check_onset(n, person.birth_date, today, e);
    let exposure_setting = clean(&n.exposure_setting).unwrap_or_else(|| "unknown".into());
    if !EXPOSURE_SETTINGS.contains(&exposure_setting.as_str()) {
        e.push(FieldError::new("exposure_setting", "invalid_choice", &[]));
    }
    let lab = n.lab.as_ref().map(|l| check_lab(l, today, e));
    if kind == Kind::Laboratory && lab.is_none() {
        e.push(FieldError::new("lab.test", "lab_required", &[]));
    }
    let classification = check_classification(n, kind, lab.as_ref(), e);
    let fields = disease.map(|d| check_fields(n, d, today, e)).unwrap_or_default();
    let reporter_name = n.reporter.as_ref().and_then(|r| limited("reporter.name", &r.name, 100, e));
    let institution = n.reporter.as_ref().and_then(|r| limited("reporter.institution", &r.institution, 200, e));

    let Some(disease) = disease.filter(|_| errors.is_empty()) else { return Err(errors) };
    Ok(ValidNotification {
        reporter_ref,
        disease: disease.code.clone(),
        kind,
        classification,
        person,
        onset,
        exposure_setting,
        lab,
        fields,
        reporter_name,
        institution,
        payload_hash: payload_hash(n),
    })
}

/// A cleaned text, with `too_long` past `limit` characters.
fn limited(field: &str, v: &Option<String>, limit: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = clean(v);
    if v.as_ref().is_some_and(|s| s.chars().count() > limit) {
        errors.push(FieldError::new(field, "too_long", &[("max", limit.to_string())]));
    }
    v
}

/// A date `YYYY-MM-DD` not after `today`.
fn past_date(field: &str, s: &str, today: NaiveDate, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match parse_date(s) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            errors.push(FieldError::new(field, "date_in_future", &[]));
            None
        }
        None => {
            errors.push(FieldError::new(field, "date_format", &[]));
            None
        }
    }
}

/// The disease: our code, else an ICD-10 code.
fn check_disease<'d>(n: &NotificationIn, diseases: &'d [Disease], errors: &mut Vec<FieldError>) -> Option<&'d Disease> {
    match (clean(&n.disease), clean(&n.icd10)) {
        (Some(code), _) => match map_code(diseases, CodeSystem::Phos, &code) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new(
                    "disease",
                    "unknown_disease",
                    &[("value", code.chars().take(40).collect())],
                ));
                None
            }
        },
        (None, Some(icd)) => match map_code(diseases, CodeSystem::Icd10, &icd) {
            Ok(d) => Some(d),
            Err(MapError::Ambiguous) => {
                errors.push(FieldError::new("icd10", "ambiguous_code", &[("value", icd.chars().take(20).collect())]));
                None
            }
            Err(MapError::Unknown) => {
                errors.push(FieldError::new("icd10", "unknown_disease", &[("value", icd.chars().take(20).collect())]));
                None
            }
        },
        (None, None) => {
            errors.push(FieldError::new("disease", "required", &[]));
            None
        }
    }
}

fn check_kind(n: &NotificationIn, errors: &mut Vec<FieldError>) -> Kind {
    match clean(&n.kind).as_deref() {
        None | Some("clinical") => Kind::Clinical,
        Some("laboratory") => Kind::Laboratory,
        Some(_) => {
            errors.push(FieldError::new("kind", "invalid_choice", &[]));
            Kind::Clinical
        }
    }
}

/// The person: HKID, names, sex, date of birth, contact details and district.
fn check_person(p: &PatientIn, today: NaiveDate, errors: &mut Vec<FieldError>) -> PersonIn {
    let hkid = match clean(&p.hkid) {
        None => None,
        Some(s) => match Hkid::parse(&s) {
            Ok(h) => Some(h),
            Err(HkidError::Format) => {
                errors.push(FieldError::new("patient.hkid", "hkid_format", &[]));
                None
            }
            Err(HkidError::CheckDigit) => {
                errors.push(FieldError::new("patient.hkid", "hkid_check_digit", &[]));
                None
            }
        },
    };
    let name_en = limited("patient.name_en", &p.name_en, 100, errors).unwrap_or_default();
    let name_zh = limited("patient.name_zh", &p.name_zh, 50, errors).unwrap_or_default();
    if name_en.is_empty() && name_zh.is_empty() {
        errors.push(FieldError::new("patient.name_en", "patient_name_required", &[]));
    }
    let sex = match clean(&p.sex).map(|s| s.to_ascii_uppercase()).as_deref() {
        Some(s @ ("F" | "M" | "U")) => s.to_string(),
        _ => {
            errors.push(FieldError::new("patient.sex", "sex_choice", &[]));
            "U".into()
        }
    };
    let birth_date = clean(&p.birth_date).and_then(|s| past_date("patient.birth_date", &s, today, errors));
    if hkid.is_none() && clean(&p.hkid).is_none() && (birth_date.is_none() || sex == "U") {
        // Without an HKID, name + date of birth + sex are how the same person is recognised.
        errors.push(FieldError::new("patient.hkid", "hkid_or_birth_date", &[]));
    }
    let phone = limited("patient.phone", &p.phone, 30, errors);
    let address = limited("patient.address", &p.address, 200, errors);
    let district = match clean(&p.district).map(|s| s.to_ascii_uppercase()) {
        Some(d) if crate::cases::valid_district(&d) => d,
        Some(d) => {
            errors.push(FieldError::new(
                "patient.district",
                "unknown_district",
                &[("value", d.chars().take(20).collect())],
            ));
            String::new()
        }
        None => {
            errors.push(FieldError::new("patient.district", "required", &[]));
            String::new()
        }
    };
    PersonIn { hkid, name_en, name_zh, sex, birth_date, phone, address, district }
}

fn check_onset(
    n: &NotificationIn,
    birth_date: Option<NaiveDate>,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let s = clean(&n.onset_date)?;
    let problem = match parse_date(&s) {
        None => "date_format",
        Some(d) if d > today => "onset_in_future",
        Some(d) if birth_date.is_some_and(|b| d < b) => "onset_before_birth",
        Some(d) if (today - d).num_days() > 3 * 365 => "onset_too_old",
        Some(d) => return Some(d),
    };
    errors.push(FieldError::new("onset_date", problem, &[]));
    None
}

fn check_lab(l: &LabIn, today: NaiveDate, errors: &mut Vec<FieldError>) -> Lab {
    let test = limited("lab.test", &l.test, 200, errors).unwrap_or_default();
    if test.is_empty() {
        errors.push(FieldError::new("lab.test", "required", &[]));
    }
    let result = clean(&l.result).unwrap_or_default();
    if !LAB_RESULTS.contains(&result.as_str()) {
        errors.push(FieldError::new("lab.result", "invalid_choice", &[]));
    }
    let specimen_date = clean(&l.specimen_date).and_then(|s| past_date("lab.specimen_date", &s, today, errors));
    let organism = limited("lab.organism", &l.organism, 200, errors).unwrap_or_default();
    Lab { test, specimen_date, result, organism }
}

/// The classification reported; a positive laboratory result with none is confirmed.
fn check_classification(
    n: &NotificationIn,
    kind: Kind,
    lab: Option<&Lab>,
    errors: &mut Vec<FieldError>,
) -> Classification {
    match clean(&n.classification).as_deref() {
        None if kind == Kind::Laboratory && lab.is_some_and(|l| l.result == "positive") => Classification::Confirmed,
        None => Classification::Suspected,
        Some(c) => match Classification::parse(c) {
            Some(Classification::Discarded) | None => {
                errors.push(FieldError::new("classification", "invalid_choice", &[]));
                Classification::Suspected
            }
            Some(c) => c,
        },
    }
}

/// The disease's own questions: no unknown keys, the required ones answered, each answer of
/// its kind.
fn check_fields(
    n: &NotificationIn,
    d: &Disease,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for key in n.fields.keys() {
        if !d.form_fields.iter().any(|f| &f.key == key) {
            errors.push(FieldError::new(
                &format!("fields.{}", key.chars().take(40).collect::<String>()),
                "unknown_field",
                &[],
            ));
        }
    }
    for f in &d.form_fields {
        let path = format!("fields.{}", f.key);
        let Some(v) = n.fields.get(&f.key).and_then(text_value) else {
            if f.required {
                errors.push(FieldError::new(&path, "required", &[]));
            }
            continue;
        };
        if let Some(v) = field_answer(f.kind, v, &path, today, errors) {
            fields.insert(f.key.clone(), v);
        }
    }
    fields
}

/// One answer as stored: text, a date, `yes`/`no` or a whole number.
fn field_answer(
    kind: FieldKind,
    v: String,
    path: &str,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    match kind {
        FieldKind::Text => {
            if v.chars().count() > 500 {
                errors.push(FieldError::new(path, "too_long", &[("max", "500".into())]));
            }
            Some(v)
        }
        FieldKind::Date => past_date(path, &v, today, errors).map(|x| x.to_string()),
        FieldKind::YesNo => match v.to_ascii_lowercase().as_str() {
            "yes" | "true" | "y" => Some("yes".into()),
            "no" | "false" | "n" => Some("no".into()),
            _ => {
                errors.push(FieldError::new(path, "yes_no", &[]));
                None
            }
        },
        FieldKind::Number => match v.parse::<i64>() {
            Ok(x) if (0..=1_000_000).contains(&x) => Some(x.to_string()),
            _ => {
                errors.push(FieldError::new(path, "whole_number", &[]));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::reference_diseases;

    fn today() -> NaiveDate {
        "2026-03-10".parse().unwrap()
    }

    fn measles() -> NotificationIn {
        NotificationIn {
            disease: Some("measles".into()),
            patient: PatientIn {
                hkid: Some("A123456(3)".into()),
                name_en: Some("CHAN Tai Man".into()),
                sex: Some("m".into()),
                birth_date: Some("1990-05-01".into()),
                district: Some("kt".into()),
                ..Default::default()
            },
            onset_date: Some("2026-03-08".into()),
            fields: [("rash_onset".to_string(), serde_json::json!("2026-03-09"))].into_iter().collect(),
            ..Default::default()
        }
    }

    fn codes(r: Result<ValidNotification, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_good_notification() {
        let v = validate(&measles(), &reference_diseases(), today()).unwrap();
        assert_eq!(v.disease, "measles");
        assert_eq!(v.kind, Kind::Clinical);
        assert_eq!(v.classification, Classification::Suspected);
        assert_eq!(v.person.sex, "M");
        assert_eq!(v.person.district, "KT");
        assert_eq!(v.person.hkid.as_ref().unwrap().masked(), "A123***(3)");
        assert_eq!(v.fields["rash_onset"], "2026-03-09");
        assert_eq!(v.exposure_setting, "unknown");
        // By ICD-10 instead of our code.
        let mut n = measles();
        n.disease = None;
        n.icd10 = Some("B05.9".into());
        assert_eq!(validate(&n, &reference_diseases(), today()).unwrap().disease, "measles");
    }

    #[test]
    fn bad_input_is_named() {
        let ds = reference_diseases();
        let mut n = measles();
        n.disease = Some("dragon_pox".into());
        assert_eq!(codes(validate(&n, &ds, today())), [("disease".into(), "unknown_disease".into())]);

        let mut n = measles();
        n.patient.hkid = Some("A123456(4)".into());
        n.onset_date = Some("2026-03-11".into());
        n.fields.clear();
        let c = codes(validate(&n, &ds, today()));
        assert!(c.contains(&("patient.hkid".into(), "hkid_check_digit".into())), "{c:?}");
        assert!(c.contains(&("onset_date".into(), "onset_in_future".into())), "{c:?}");
        assert!(c.contains(&("fields.rash_onset".into(), "required".into())), "{c:?}");

        let mut n = measles();
        n.patient = PatientIn { name_en: Some("X".into()), district: Some("Mars".into()), ..Default::default() };
        let c = codes(validate(&n, &ds, today()));
        for want in [
            ("patient.hkid", "hkid_or_birth_date"),
            ("patient.sex", "sex_choice"),
            ("patient.district", "unknown_district"),
        ] {
            assert!(c.contains(&(want.0.into(), want.1.into())), "{want:?} in {c:?}");
        }

        let mut n = measles();
        n.fields.insert("colour".into(), serde_json::json!("blue"));
        n.fields.insert("vaccinated".into(), serde_json::json!("maybe"));
        n.classification = Some("discarded".into());
        let c = codes(validate(&n, &ds, today()));
        assert!(c.contains(&("fields.colour".into(), "unknown_field".into())), "{c:?}");
        assert!(c.contains(&("fields.vaccinated".into(), "yes_no".into())), "{c:?}");
        assert!(c.contains(&("classification".into(), "invalid_choice".into())), "{c:?}");

        let mut n = measles();
        n.patient.birth_date = Some("2026-03-09".into());
        assert!(codes(validate(&n, &ds, today())).contains(&("onset_date".into(), "onset_before_birth".into())));
        let mut n = measles();
        n.onset_date = Some("8/3/2026".into());
        assert_eq!(codes(validate(&n, &ds, today())), [("onset_date".into(), "date_format".into())]);
        let mut n = measles();
        n.patient.name_en = None;
        assert_eq!(codes(validate(&n, &ds, today())), [("patient.name_en".into(), "patient_name_required".into())]);
        let mut n = measles();
        n.disease = None;
        n.icd10 = Some("A01".into());
        assert_eq!(codes(validate(&n, &ds, today())), [("icd10".into(), "ambiguous_code".into())]);
    }

    #[test]
    fn laboratory_notifications() {
        let ds = reference_diseases();
        let mut n = measles();
        n.kind = Some("laboratory".into());
        assert!(codes(validate(&n, &ds, today())).contains(&("lab.test".into(), "lab_required".into())));
        n.lab = Some(LabIn {
            test: Some("Measles IgM".into()),
            result: Some("positive".into()),
            specimen_date: Some("2026-03-09".into()),
            organism: None,
        });
        let v = validate(&n, &ds, today()).unwrap();
        assert_eq!((v.kind, v.classification), (Kind::Laboratory, Classification::Confirmed));
        n.lab.as_mut().unwrap().result = Some("sort of".into());
        assert!(codes(validate(&n, &ds, today())).contains(&("lab.result".into(), "invalid_choice".into())));
    }

    #[test]
    fn no_hkid_needs_birth_date_and_sex() {
        let ds = reference_diseases();
        let mut n = measles();
        n.patient.hkid = None;
        assert!(validate(&n, &ds, today()).is_ok());
        n.patient.sex = Some("U".into());
        assert_eq!(codes(validate(&n, &ds, today())), [("patient.hkid".into(), "hkid_or_birth_date".into())]);
    }

    #[test]
    fn payload_hash_ignores_key_order_but_not_content() {
        let a: NotificationIn =
            serde_json::from_str(r#"{"disease":"measles","patient":{"sex":"F","name_en":"A"}}"#).unwrap();
        let b: NotificationIn =
            serde_json::from_str(r#"{"patient":{"name_en":"A","sex":"F"},"disease":"measles"}"#).unwrap();
        let c: NotificationIn =
            serde_json::from_str(r#"{"patient":{"name_en":"B","sex":"F"},"disease":"measles"}"#).unwrap();
        assert_eq!(payload_hash(&a), payload_hash(&b));
        assert_ne!(payload_hash(&a), payload_hash(&c));
        assert!(
            serde_json::from_str::<NotificationIn>(r#"{"disease":"x","patient":{},"onset":"2026-01-01"}"#).is_err()
        );
    }
}
