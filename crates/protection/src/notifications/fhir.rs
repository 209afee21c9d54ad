//! FHIR R4 notifications: a `Bundle` (type `message`, `transaction`, `collection` or `batch`)
//! holding one `Patient` and one or more `Condition` (clinical notification) or `Observation`
//! (laboratory result) resources. Only the small subset we read is modelled, as plain serde
//! structs. Each Condition or Observation becomes one `NotificationIn`. Pure.

use std::collections::BTreeMap;

use kernel::web::FieldError;
use serde::Deserialize;
use serde_json::Value;

use super::validate::{LabIn, NotificationIn, PatientIn, ReporterIn};
use crate::catalogue::{CodeSystem, Disease, MapError, map_code};

/// Extensions carrying a disease's own questions: this prefix followed by the field key, with
/// `valueString`, `valueDate`, `valueBoolean` or `valueInteger`.
pub const FIELD_EXTENSION: &str = "https://phos.example/fhir/StructureDefinition/notification-field/";
/// Our disease codes as a FHIR code system.
pub const DISEASE_SYSTEM: &str = "https://phos.example/fhir/CodeSystem/notifiable-disease";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bundle {
    resource_type: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    id: Option<String>,
    identifier: Option<Identifier>,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    full_url: Option<String>,
    resource: Option<Value>,
}

#[derive(Deserialize, Default)]
struct Identifier {
    system: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
struct Coding {
    system: Option<String>,
    code: Option<String>,
    display: Option<String>,
}

#[derive(Deserialize, Default)]
struct CodeableConcept {
    #[serde(default)]
    coding: Vec<Coding>,
    text: Option<String>,
}

impl CodeableConcept {
    fn label(&self) -> Option<String> {
        self.text.clone().or_else(|| self.coding.iter().find_map(|c| c.display.clone().or_else(|| c.code.clone())))
    }
}

#[derive(Deserialize, Default)]
struct Reference {
    reference: Option<String>,
}

#[derive(Deserialize, Default)]
struct HumanName {
    #[serde(rename = "use")]
    use_: Option<String>,
    text: Option<String>,
    family: Option<String>,
    #[serde(default)]
    given: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ContactPoint {
    system: Option<String>,
    value: Option<String>,
}

#[derive(Deserialize, Default)]
struct Address {
    text: Option<String>,
    #[serde(default)]
    line: Vec<String>,
    district: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Patient {
    id: Option<String>,
    #[serde(default)]
    identifier: Vec<Identifier>,
    #[serde(default)]
    name: Vec<HumanName>,
    gender: Option<String>,
    birth_date: Option<String>,
    #[serde(default)]
    telecom: Vec<ContactPoint>,
    #[serde(default)]
    address: Vec<Address>,
}

#[derive(Deserialize, Default)]
struct Extension {
    url: Option<String>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Condition {
    id: Option<String>,
    code: Option<CodeableConcept>,
    subject: Option<Reference>,
    onset_date_time: Option<String>,
    verification_status: Option<CodeableConcept>,
    #[serde(default)]
    extension: Vec<Extension>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Observation {
    id: Option<String>,
    status: Option<String>,
    code: Option<CodeableConcept>,
    subject: Option<Reference>,
    effective_date_time: Option<String>,
    value_codeable_concept: Option<CodeableConcept>,
    value_string: Option<String>,
    #[serde(default)]
    interpretation: Vec<CodeableConcept>,
    #[serde(default)]
    extension: Vec<Extension>,
}

#[derive(Deserialize, Default)]
struct Named {
    name: Option<Value>,
}

/// A bundle that cannot be turned into notifications.
#[derive(Debug)]
pub struct BundleError {
    /// Stable code of the problem (`fhir_missing_patient`, `validation_failed` …).
    pub code: &'static str,
    pub errors: Vec<FieldError>,
}

impl BundleError {
    fn whole(code: &'static str, path: &str) -> BundleError {
        BundleError { code, errors: vec![FieldError::new(path, code, &[])] }
    }
}

/// One notification read from a bundle, with where its parts came from (to name errors).
#[derive(Debug)]
pub struct FromBundle {
    pub notification: NotificationIn,
    pub patient_entry: usize,
    pub entry: usize,
    pub resource: &'static str,
}

fn date_part(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| s.chars().take(10).collect())
}

fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3400}'..='\u{9fff}').contains(&c) || ('\u{f900}'..='\u{faff}').contains(&c))
}

/// A district code from a code, or an English or Chinese district name.
fn district_code(s: &str) -> String {
    let t = s.trim();
    kernel::hk::districts()
        .iter()
        .find(|d| {
            d.code.eq_ignore_ascii_case(t)
                || d.name_en.eq_ignore_ascii_case(t)
                || d.name_zh == t
                || d.name_zh.trim_end_matches('區') == t
        })
        .map(|d| d.code.clone())
        .unwrap_or_else(|| t.to_string())
}

fn patient_in(p: &Patient) -> PatientIn {
    let hkid = p
        .identifier
        .iter()
        .find(|i| i.system.as_deref().is_some_and(|s| s.to_ascii_lowercase().contains("hkid")))
        .and_then(|i| i.value.clone());
    let mut name_en = None;
    let mut name_zh = None;
    let mut names: Vec<&HumanName> = p.name.iter().filter(|n| n.use_.as_deref() != Some("old")).collect();
    names.sort_by_key(|n| n.use_.as_deref() != Some("official"));
    for n in names {
        let text = n.text.clone().unwrap_or_else(|| {
            let mut parts: Vec<String> = n.family.iter().cloned().collect();
            if is_cjk(n.family.as_deref().unwrap_or("")) {
                parts.push(n.given.join(""));
                return parts.concat();
            }
            parts.extend(n.given.iter().cloned());
            parts.join(" ")
        });
        if text.trim().is_empty() {
            continue;
        }
        if is_cjk(&text) {
            name_zh.get_or_insert(text);
        } else {
            name_en.get_or_insert(text);
        }
    }
    let sex = p.gender.as_deref().map(|g| match g {
        "male" => "M".to_string(),
        "female" => "F".to_string(),
        "other" | "unknown" => "U".to_string(),
        other => other.to_string(),
    });
    let phone = p.telecom.iter().find(|t| t.system.as_deref() == Some("phone")).and_then(|t| t.value.clone());
    let address = p.address.first();
    PatientIn {
        hkid,
        name_en,
        name_zh,
        sex,
        birth_date: p.birth_date.clone(),
        phone,
        address: address.and_then(|a| a.text.clone().or_else(|| (!a.line.is_empty()).then(|| a.line.join(", ")))),
        district: address.and_then(|a| a.district.as_deref().map(district_code)),
    }
}

fn field_extensions(ext: &[Extension]) -> BTreeMap<String, Value> {
    ext.iter()
        .filter_map(|e| {
            let key = e.url.as_deref()?.strip_prefix(FIELD_EXTENSION)?;
            let v = ["valueString", "valueDate", "valueBoolean", "valueInteger", "valueDecimal"]
                .iter()
                .find_map(|k| e.rest.get(*k).cloned())?;
            Some((key.to_string(), v))
        })
        .collect()
}

/// The disease a concept names, trying each coding in turn.
fn disease_of<'a>(diseases: &'a [Disease], concepts: &[&CodeableConcept]) -> Result<&'a Disease, (MapError, String)> {
    let mut first = (MapError::Unknown, String::new());
    for c in concepts {
        for coding in &c.coding {
            let (Some(sys), Some(code)) =
                (coding.system.as_deref().and_then(CodeSystem::from_uri), coding.code.as_deref())
            else {
                continue;
            };
            match map_code(diseases, sys, code) {
                Ok(d) => return Ok(d),
                Err(e) => {
                    if first.1.is_empty() || e == MapError::Ambiguous {
                        first = (e, code.chars().take(20).collect());
                    }
                }
            }
        }
    }
    if first.1.is_empty() {
        first.1 = concepts.iter().find_map(|c| c.coding.first().and_then(|c| c.code.clone())).unwrap_or_default();
    }
    Err(first)
}

fn refers_to_patient(r: &Option<Reference>, patient: &Patient, full_url: Option<&str>) -> bool {
    let Some(target) = r.as_ref().and_then(|r| r.reference.as_deref()) else { return true };
    full_url == Some(target) || patient.id.as_deref().is_some_and(|id| target == format!("Patient/{id}"))
}

/// Reads a bundle into notifications (all or nothing: any error refuses the whole bundle).
pub fn read_bundle(body: &Value, diseases: &[Disease]) -> Result<Vec<FromBundle>, BundleError> {
    let bundle: Bundle =
        serde_json::from_value(body.clone()).map_err(|_| BundleError::whole("fhir_invalid", "resourceType"))?;
    if bundle.resource_type.as_deref() != Some("Bundle") {
        return Err(BundleError::whole("fhir_not_bundle", "resourceType"));
    }
    if !matches!(bundle.type_.as_deref(), Some("message" | "transaction" | "collection" | "batch")) {
        return Err(BundleError::whole("fhir_bundle_type", "type"));
    }
    let (pi, patient) = the_patient(&bundle)?;
    let base_ref = bundle.identifier.as_ref().and_then(|i| i.value.clone()).or(bundle.id.clone());
    let cx = EntryContext {
        diseases,
        patient: &patient,
        patient_url: bundle.entry[pi].full_url.as_deref(),
        p_in: patient_in(&patient),
        reporter: reporter_of(&bundle),
    };
    let mut out = vec![];
    let mut errors = vec![];
    for (i, e) in bundle.entry.iter().enumerate() {
        let path = format!("entry[{i}].resource");
        let resource = e.resource.clone().unwrap_or_default();
        let reporter_ref = |id: &Option<String>| {
            base_ref.as_ref().map(|b| format!("{b}/{}", id.clone().unwrap_or_else(|| i.to_string())))
        };
        let read = match kind_of(e).as_deref() {
            Some("Condition") => from_condition(&cx, resource, &path, reporter_ref).map(|n| (n, "Condition")),
            Some("Observation") => from_observation(&cx, resource, &path, reporter_ref).map(|n| (n, "Observation")),
            _ => continue,
        };
        match read {
            Ok((notification, resource)) => {
                out.push(FromBundle { notification, patient_entry: pi, entry: i, resource })
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(BundleError { code: "validation_failed", errors });
    }
    if out.is_empty() {
        return Err(BundleError::whole("fhir_missing_condition", "entry"));
    }
    Ok(out)
}

fn kind_of(e: &Entry) -> Option<String> {
    e.resource.as_ref().and_then(|r| r.get("resourceType")).and_then(Value::as_str).map(str::to_string)
}

/// The bundle's one Patient and its entry.
fn the_patient(bundle: &Bundle) -> Result<(usize, Patient), BundleError> {
    let patients: Vec<usize> = bundle
        .entry
        .iter()
        .enumerate()
        .filter(|(_, e)| kind_of(e).as_deref() == Some("Patient"))
        .map(|(i, _)| i)
        .collect();
    let Some(&pi) = patients.first() else { return Err(BundleError::whole("fhir_missing_patient", "entry")) };
    if patients.len() > 1 {
        return Err(BundleError::whole("fhir_one_patient", &format!("entry[{}]", patients[1])));
    }
    let patient: Patient = serde_json::from_value(bundle.entry[pi].resource.clone().unwrap_or_default())
        .map_err(|_| BundleError::whole("fhir_invalid", &format!("entry[{pi}].resource")))?;
    Ok((pi, patient))
}

/// The reporter: a Practitioner's name and an Organization's name, when present.
fn reporter_of(bundle: &Bundle) -> Option<ReporterIn> {
    let name_of = |kind: &str| {
        bundle.entry.iter().filter(|e| kind_of(e).as_deref() == Some(kind)).find_map(|e| {
            let n: Named = serde_json::from_value(e.resource.clone()?).ok()?;
            match n.name? {
                Value::String(s) => Some(s),
                Value::Array(a) => a.first().and_then(|h| {
                    serde_json::from_value::<HumanName>(h.clone()).ok().and_then(|h| {
                        h.text.or_else(|| {
                            Some(format!("{} {}", h.given.join(" "), h.family.unwrap_or_default()).trim().to_string())
                        })
                    })
                }),
                _ => None,
            }
        })
    };
    match (name_of("Practitioner"), name_of("Organization")) {
        (None, None) => None,
        (name, institution) => Some(ReporterIn { name, institution }),
    }
}

/// What every Condition and Observation of a bundle is read with.
struct EntryContext<'a> {
    diseases: &'a [Disease],
    patient: &'a Patient,
    patient_url: Option<&'a str>,
    p_in: PatientIn,
    reporter: Option<ReporterIn>,
}

/// The disease of codes, or the error at `path`.
fn disease_at(diseases: &[Disease], codes: &[&CodeableConcept], path: &str) -> Result<String, FieldError> {
    match disease_of(diseases, codes) {
        Ok(d) => Ok(d.code.clone()),
        Err((MapError::Ambiguous, v)) => Err(FieldError::new(path, "ambiguous_code", &[("value", v)])),
        Err((MapError::Unknown, v)) => Err(FieldError::new(path, "unknown_disease", &[("value", v)])),
    }
}

/// A clinical notification from a Condition.
fn from_condition(
    cx: &EntryContext<'_>,
    resource: Value,
    path: &str,
    reporter_ref: impl Fn(&Option<String>) -> Option<String>,
) -> Result<NotificationIn, FieldError> {
    let c = serde_json::from_value::<Condition>(resource).map_err(|_| FieldError::new(path, "fhir_invalid", &[]))?;
    if !refers_to_patient(&c.subject, cx.patient, cx.patient_url) {
        return Err(FieldError::new(&format!("{path}.subject"), "fhir_subject_mismatch", &[]));
    }
    let code = c.code.unwrap_or_default();
    let disease = disease_at(cx.diseases, &[&code], &format!("{path}.code"))?;
    let status = c.verification_status.as_ref().and_then(|v| v.coding.first()).and_then(|c| c.code.clone());
    let classification = match status.as_deref() {
        None | Some("unconfirmed") | Some("differential") => "suspected",
        Some("provisional") => "probable",
        Some("confirmed") => "confirmed",
        Some(_) => return Err(FieldError::new(&format!("{path}.verificationStatus"), "fhir_refuted", &[])),
    };
    Ok(NotificationIn {
        reporter_ref: reporter_ref(&c.id),
        disease: Some(disease),
        kind: Some("clinical".into()),
        classification: Some(classification.into()),
        patient: cx.p_in.clone(),
        onset_date: date_part(&c.onset_date_time),
        fields: field_extensions(&c.extension),
        reporter: cx.reporter.clone(),
        ..Default::default()
    })
}

/// A laboratory notification from an Observation.
fn from_observation(
    cx: &EntryContext<'_>,
    resource: Value,
    path: &str,
    reporter_ref: impl Fn(&Option<String>) -> Option<String>,
) -> Result<NotificationIn, FieldError> {
    let o = serde_json::from_value::<Observation>(resource).map_err(|_| FieldError::new(path, "fhir_invalid", &[]))?;
    if !refers_to_patient(&o.subject, cx.patient, cx.patient_url) {
        return Err(FieldError::new(&format!("{path}.subject"), "fhir_subject_mismatch", &[]));
    }
    if matches!(o.status.as_deref(), Some("cancelled" | "entered-in-error" | "registered")) {
        return Err(FieldError::new(&format!("{path}.status"), "fhir_observation_status", &[]));
    }
    let interpretation = o.interpretation.iter().flat_map(|i| i.coding.iter()).find_map(|c| c.code.clone());
    let result = match interpretation.as_deref() {
        None | Some("POS" | "A" | "AA" | "H" | "HH" | "DET") => "positive",
        Some("NEG" | "N" | "ND") => {
            return Err(FieldError::new(&format!("{path}.interpretation"), "fhir_negative_result", &[]));
        }
        Some(_) => "indeterminate",
    };
    let code = o.code.unwrap_or_default();
    let value = o.value_codeable_concept.unwrap_or_default();
    let disease = disease_at(cx.diseases, &[&value, &code], &format!("{path}.valueCodeableConcept"))?;
    Ok(NotificationIn {
        reporter_ref: reporter_ref(&o.id),
        disease: Some(disease),
        kind: Some("laboratory".into()),
        classification: Some(if result == "positive" { "confirmed" } else { "suspected" }.into()),
        patient: cx.p_in.clone(),
        lab: Some(LabIn {
            test: code.label().or(Some("laboratory test".into())),
            specimen_date: date_part(&o.effective_date_time),
            result: Some(result.into()),
            organism: value.label().or(o.value_string.clone()),
        }),
        fields: field_extensions(&o.extension),
        reporter: cx.reporter.clone(),
        ..Default::default()
    })
}

/// Where in the bundle a validation error of a notification read from it belongs.
pub fn fhir_path(from: &FromBundle, field: &str) -> String {
    let p = format!("entry[{}].resource", from.patient_entry);
    let r = format!("entry[{}].resource", from.entry);
    match field {
        "patient.hkid" => format!("{p}.identifier"),
        "patient.name_en" | "patient.name_zh" => format!("{p}.name"),
        "patient.sex" => format!("{p}.gender"),
        "patient.birth_date" => format!("{p}.birthDate"),
        "patient.phone" => format!("{p}.telecom"),
        "patient.address" => format!("{p}.address"),
        "patient.district" => format!("{p}.address.district"),
        "onset_date" => format!("{r}.onsetDateTime"),
        "lab.specimen_date" => format!("{r}.effectiveDateTime"),
        f if f.starts_with("lab.") => format!("{r}.code"),
        f if f.starts_with("fields.") => format!("{r}.extension({FIELD_EXTENSION}{})", &f[7..]),
        "reporter_ref" => "identifier".into(),
        other => format!("{r}.{other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::reference_diseases;
    use serde_json::json;

    fn patient() -> Value {
        json!({"resourceType": "Patient", "id": "p1",
            "identifier": [{"system": "http://www.immd.gov.hk/hkid", "value": "A123456(3)"}],
            "name": [{"use": "official", "family": "CHAN", "given": ["Tai Man"]}, {"text": "陳大文"}],
            "gender": "male", "birthDate": "1990-05-01",
            "telecom": [{"system": "phone", "value": "9123 4567"}],
            "address": [{"text": "1 Harbour Road", "district": "Kwun Tong"}]})
    }

    fn condition(code: &str, system: &str) -> Value {
        json!({"resourceType": "Condition", "id": "c1",
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p1"},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "onsetDateTime": "2026-03-08T10:00:00+08:00",
            "extension": [{"url": format!("{FIELD_EXTENSION}rash_onset"), "valueDate": "2026-03-09"}]})
    }

    fn bundle(entries: Vec<Value>) -> Value {
        json!({"resourceType": "Bundle", "type": "message", "identifier": {"value": "MSG-1"},
            "entry": entries.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()})
    }

    #[test]
    fn condition_bundle() {
        let b = bundle(vec![
            json!({"resourceType": "MessageHeader"}),
            patient(),
            condition("B05", "http://hl7.org/fhir/sid/icd-10"),
            json!({"resourceType": "Organization", "name": "Kwong Wah Hospital"}),
        ]);
        let out = read_bundle(&b, &reference_diseases()).unwrap();
        assert_eq!(out.len(), 1);
        let n = &out[0].notification;
        assert_eq!(n.disease.as_deref(), Some("measles"));
        assert_eq!(n.classification.as_deref(), Some("confirmed"));
        assert_eq!(n.onset_date.as_deref(), Some("2026-03-08"));
        assert_eq!(n.patient.hkid.as_deref(), Some("A123456(3)"));
        assert_eq!(n.patient.name_en.as_deref(), Some("CHAN Tai Man"));
        assert_eq!(n.patient.name_zh.as_deref(), Some("陳大文"));
        assert_eq!((n.patient.sex.as_deref(), n.patient.district.as_deref()), (Some("M"), Some("KT")));
        assert_eq!(n.fields["rash_onset"], json!("2026-03-09"));
        assert_eq!(n.reporter_ref.as_deref(), Some("MSG-1/c1"));
        assert_eq!(n.reporter.as_ref().unwrap().institution.as_deref(), Some("Kwong Wah Hospital"));
        assert_eq!((out[0].patient_entry, out[0].entry), (1, 2));
        assert_eq!(fhir_path(&out[0], "patient.birth_date"), "entry[1].resource.birthDate");
    }

    #[test]
    fn observation_bundle_maps_organism_by_snomed() {
        let obs = json!({"resourceType": "Observation", "id": "o1", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "7966-5"}], "text": "Measles IgM"},
            "subject": {"reference": "urn:uuid:pat"},
            "effectiveDateTime": "2026-03-09",
            "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "14189004", "display": "Measles"}]},
            "interpretation": [{"coding": [{"code": "POS"}]}]});
        let b = json!({"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": "urn:uuid:pat", "resource": patient()}, {"resource": obs}]});
        let out = read_bundle(&b, &reference_diseases()).unwrap();
        let n = &out[0].notification;
        assert_eq!((n.disease.as_deref(), n.kind.as_deref()), (Some("measles"), Some("laboratory")));
        let lab = n.lab.as_ref().unwrap();
        assert_eq!(
            (lab.test.as_deref(), lab.result.as_deref(), lab.specimen_date.as_deref()),
            (Some("Measles IgM"), Some("positive"), Some("2026-03-09"))
        );
        assert_eq!(n.reporter_ref, None, "no bundle identifier: no idempotency key");
    }

    #[test]
    fn broken_bundles_are_named() {
        let ds = reference_diseases();
        let code = |b: Value| read_bundle(&b, &ds).unwrap_err();
        assert_eq!(code(json!({"resourceType": "Patient"})).code, "fhir_not_bundle");
        assert_eq!(code(json!({"resourceType": "Bundle", "type": "searchset", "entry": []})).code, "fhir_bundle_type");
        assert_eq!(code(bundle(vec![condition("B05", "http://hl7.org/fhir/sid/icd-10")])).code, "fhir_missing_patient");
        assert_eq!(code(bundle(vec![patient()])).code, "fhir_missing_condition");
        assert_eq!(code(bundle(vec![patient(), patient()])).code, "fhir_one_patient");
        let e = code(bundle(vec![patient(), condition("Z99", "http://hl7.org/fhir/sid/icd-10")]));
        assert_eq!(
            (e.code, e.errors[0].field.as_str(), e.errors[0].code.as_str()),
            ("validation_failed", "entry[1].resource.code", "unknown_disease")
        );
        let mut c = condition("B05", "http://hl7.org/fhir/sid/icd-10");
        c["subject"] = json!({"reference": "Patient/someone-else"});
        assert_eq!(code(bundle(vec![patient(), c])).errors[0].code, "fhir_subject_mismatch");
        let mut c = condition("B05", "http://hl7.org/fhir/sid/icd-10");
        c["verificationStatus"] = json!({"coding": [{"code": "refuted"}]});
        assert_eq!(code(bundle(vec![patient(), c])).errors[0].code, "fhir_refuted");
        let neg = json!({"resourceType": "Observation", "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "B05"}]},
            "interpretation": [{"coding": [{"code": "NEG"}]}]});
        assert_eq!(code(bundle(vec![patient(), neg])).errors[0].code, "fhir_negative_result");
        assert_eq!(code(json!([1, 2])).code, "fhir_invalid");
    }

    #[test]
    fn district_names_in_either_language() {
        assert_eq!(district_code("Kwun Tong"), "KT");
        assert_eq!(district_code("觀塘區"), "KT");
        assert_eq!(district_code("觀塘"), "KT");
        assert_eq!(district_code("kt"), "KT");
        assert_eq!(district_code("Atlantis"), "Atlantis");
    }
}
