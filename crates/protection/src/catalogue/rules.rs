//! The notifiable-disease catalogue: the reference list shipped in `data/diseases.json`, the
//! validation of a data steward's edits, and the mapping of incoming codes (our codes, ICD-10,
//! SNOMED CT) to a disease. Pure: no IO.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use kernel::web::FieldError;
use serde::Deserialize;

use super::{DETECTION_METHODS, Detection, Disease, FieldKind, FormField, NOTIFY_WITHIN};

#[derive(Deserialize)]
struct LibraryField {
    kind: FieldKind,
    label_en: String,
    label_zh: String,
}

#[derive(Deserialize)]
struct RefDisease {
    code: String,
    name_en: String,
    name_zh: String,
    icd10: String,
    icd10_other: Vec<String>,
    snomed: Vec<String>,
    case_definition_en: String,
    case_definition_zh: String,
    notify_within: String,
    immediate_phone: bool,
    episode_days: i64,
    incubation_max_days: i64,
    person_to_person: bool,
    form_fields: Vec<String>,
    required_fields: Vec<String>,
    detection: Detection,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
struct RefFile {
    source: String,
    count: usize,
    field_library: BTreeMap<String, LibraryField>,
    diseases: Vec<RefDisease>,
}

static REFERENCE: LazyLock<RefFile> =
    LazyLock::new(|| serde_json::from_str(include_str!("../../data/diseases.json")).expect("diseases.json is valid"));

/// Where the reference list comes from, and how many diseases it has.
pub fn source() -> (&'static str, usize) {
    (&REFERENCE.source, REFERENCE.count)
}

fn library_field(key: &str, required: bool) -> FormField {
    let f = REFERENCE.field_library.get(key).expect("library field exists (checked by a test)");
    FormField { key: key.into(), kind: f.kind, required, label_en: f.label_en.clone(), label_zh: f.label_zh.clone() }
}

/// The standard questions diseases pick from (a steward may also write new ones).
pub fn field_library() -> Vec<FormField> {
    REFERENCE.field_library.keys().map(|k| library_field(k, false)).collect()
}

/// The official list as `Disease` values, ready to seed.
pub fn reference_diseases() -> Vec<Disease> {
    REFERENCE
        .diseases
        .iter()
        .map(|d| Disease {
            code: d.code.clone(),
            name_en: d.name_en.clone(),
            name_zh: d.name_zh.clone(),
            icd10: d.icd10.clone(),
            icd10_other: d.icd10_other.clone(),
            snomed: d.snomed.clone(),
            case_definition_en: d.case_definition_en.clone(),
            case_definition_zh: d.case_definition_zh.clone(),
            notify_within: d.notify_within.clone(),
            immediate_phone: d.immediate_phone,
            episode_days: d.episode_days,
            incubation_max_days: d.incubation_max_days,
            person_to_person: d.person_to_person,
            form_fields: d.form_fields.iter().map(|k| library_field(k, d.required_fields.contains(k))).collect(),
            detection: d.detection.clone(),
            note: d.note.clone(),
            active: true,
            origin: "reference".into(),
            version: 1,
            updated_by: "reference".into(),
            updated_at: 0,
        })
        .collect()
}

/// One field per line, as stewards edit them: `key | kind | required | English | 中文`.
pub fn format_fields(fields: &[FormField]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {} | {} | {}",
                f.key,
                f.kind.code(),
                if f.required { "required" } else { "optional" },
                f.label_en,
                f.label_zh
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Keys the common part of every notification already uses.
const RESERVED_KEYS: [&str; 8] =
    ["hkid", "name_en", "name_zh", "sex", "birth_date", "district", "onset_date", "classification"];

fn valid_key(k: &str) -> bool {
    let b = k.as_bytes();
    (2..=40).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// Parses the stewards' field lines. Errors name the line.
pub fn parse_fields(text: &str) -> Result<Vec<FormField>, Vec<FieldError>> {
    let mut out: Vec<FormField> = vec![];
    let mut errors = vec![];
    let mut seen = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let n = (i + 1).to_string();
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let err = |code: &str| FieldError::new("form_fields", code, &[("count", n.clone())]);
        if parts.len() != 5 || parts[3].is_empty() || parts[4].is_empty() {
            errors.push(err("form_field_format"));
            continue;
        }
        if !valid_key(parts[0]) || RESERVED_KEYS.contains(&parts[0]) {
            errors.push(err("form_field_key"));
            continue;
        }
        let Some(kind) = FieldKind::parse(parts[1]) else {
            errors.push(err("form_field_kind"));
            continue;
        };
        let required = match parts[2] {
            "required" => true,
            "optional" => false,
            _ => {
                errors.push(err("form_field_required"));
                continue;
            }
        };
        if parts[3].chars().count() > 200 || parts[4].chars().count() > 200 {
            errors.push(err("form_field_format"));
            continue;
        }
        if !seen.insert(parts[0].to_string()) {
            errors.push(err("form_field_duplicate"));
            continue;
        }
        out.push(FormField {
            key: parts[0].into(),
            kind,
            required,
            label_en: parts[3].into(),
            label_zh: parts[4].into(),
        });
    }
    if out.len() > 30 {
        errors.push(FieldError::new("form_fields", "too_many", &[("max", "30".into())]));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Parses and checks a detection document.
pub fn parse_detection(text: &str) -> Result<Detection, FieldError> {
    let bad = || FieldError::new("detection", "detection_invalid", &[]);
    let d: Detection = serde_json::from_str(text).map_err(|_| bad())?;
    let methods_ok = !d.methods.is_empty()
        && d.methods.iter().all(|m| DETECTION_METHODS.contains(&m.as_str()))
        && d.methods.iter().collect::<HashSet<_>>().len() == d.methods.len();
    let alpha_ok = d.alpha.is_none_or(|a| a > 0.0 && a <= 0.5);
    let years_ok = d.baseline_years.is_none_or(|y| (1..=20).contains(&y));
    if methods_ok && alpha_ok && years_ok && (0..=100_000).contains(&d.threshold_min) { Ok(d) } else { Err(bad()) }
}

/// What a steward submits to add or edit a disease.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DiseaseForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub name_zh: String,
    #[serde(default)]
    pub icd10: String,
    #[serde(default)]
    pub icd10_other: String,
    #[serde(default)]
    pub snomed: String,
    #[serde(default)]
    pub case_definition_en: String,
    #[serde(default)]
    pub case_definition_zh: String,
    #[serde(default)]
    pub notify_within: String,
    #[serde(default)]
    pub immediate_phone: Option<String>,
    #[serde(default)]
    pub episode_days: String,
    #[serde(default)]
    pub incubation_max_days: String,
    #[serde(default)]
    pub person_to_person: Option<String>,
    #[serde(default)]
    pub form_fields: String,
    #[serde(default)]
    pub detection: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub active: Option<String>,
    #[serde(default)]
    pub version: String,
}

impl DiseaseForm {
    pub fn from_disease(d: &Disease) -> DiseaseForm {
        let yes = |b: bool| b.then(|| "1".to_string());
        DiseaseForm {
            code: d.code.clone(),
            name_en: d.name_en.clone(),
            name_zh: d.name_zh.clone(),
            icd10: d.icd10.clone(),
            icd10_other: d.icd10_other.join(", "),
            snomed: d.snomed.join(", "),
            case_definition_en: d.case_definition_en.clone(),
            case_definition_zh: d.case_definition_zh.clone(),
            notify_within: d.notify_within.clone(),
            immediate_phone: yes(d.immediate_phone),
            episode_days: d.episode_days.to_string(),
            incubation_max_days: d.incubation_max_days.to_string(),
            person_to_person: yes(d.person_to_person),
            form_fields: format_fields(&d.form_fields),
            detection: serde_json::to_string(&d.detection).unwrap_or_default(),
            note: d.note.clone(),
            active: yes(d.active),
            version: d.version.to_string(),
        }
    }

    pub fn checked(v: &Option<String>) -> bool {
        v.as_deref().is_some_and(|s| !s.is_empty())
    }
}

/// An ICD-10 code like `B05`, `A01.1` or `U07.1`.
pub fn valid_icd10(code: &str) -> bool {
    let b = code.as_bytes();
    let head = b.len() >= 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit();
    let tail = match b.len() {
        3 => true,
        5 | 6 => b[3] == b'.' && b[4..].iter().all(|c| c.is_ascii_digit()),
        _ => false,
    };
    head && tail
}

fn code_list(text: &str) -> Vec<String> {
    text.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Checks a steward's form. `existing` is the disease being edited (None when adding);
/// `taken` are the codes already in the catalogue.
pub fn validate_disease(
    f: &DiseaseForm,
    existing: Option<&Disease>,
    taken: &[String],
) -> Result<Disease, Vec<FieldError>> {
    let mut errors = vec![];
    let text = |field: &str, v: &str, max: usize, errors: &mut Vec<FieldError>| -> String {
        let v = v.trim();
        if v.is_empty() {
            errors.push(FieldError::new(field, "required", &[]));
        } else if v.chars().count() > max {
            errors.push(FieldError::new(field, "too_long", &[("max", max.to_string())]));
        }
        v.to_string()
    };
    let code = match existing {
        Some(d) => d.code.clone(),
        None => {
            let c = f.code.trim().to_string();
            if !valid_key(&c) {
                errors.push(FieldError::new("code", "disease_code_format", &[]));
            } else if taken.contains(&c) {
                errors.push(FieldError::new("code", "disease_code_taken", &[]));
            }
            c
        }
    };
    let name_en = text("name_en", &f.name_en, 200, &mut errors);
    let name_zh = text("name_zh", &f.name_zh, 100, &mut errors);
    let icd10 = f.icd10.trim().to_uppercase();
    if !valid_icd10(&icd10) {
        errors.push(FieldError::new("icd10", "icd10_format", &[]));
    }
    let icd10_other: Vec<String> = code_list(&f.icd10_other.to_uppercase());
    if icd10_other.iter().any(|c| !valid_icd10(c)) {
        errors.push(FieldError::new("icd10_other", "icd10_format", &[]));
    }
    let snomed = code_list(&f.snomed);
    if snomed.iter().any(|c| !(6..=18).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit())) {
        errors.push(FieldError::new("snomed", "snomed_format", &[]));
    }
    let case_definition_en = text("case_definition_en", &f.case_definition_en, 1000, &mut errors);
    let case_definition_zh = text("case_definition_zh", &f.case_definition_zh, 500, &mut errors);
    if !NOTIFY_WITHIN.contains(&f.notify_within.as_str()) {
        errors.push(FieldError::new("notify_within", "invalid_choice", &[]));
    }
    let num = |field: &str, v: &str, lo: i64, hi: i64, errors: &mut Vec<FieldError>| -> i64 {
        match v.trim().parse::<i64>() {
            Ok(n) if (lo..=hi).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    field,
                    "days_between",
                    &[("min", lo.to_string()), ("max", hi.to_string())],
                ));
                0
            }
        }
    };
    let episode_days = num("episode_days", &f.episode_days, 1, 36_500, &mut errors);
    let incubation_max_days = num("incubation_max_days", &f.incubation_max_days, 0, 3_650, &mut errors);
    let form_fields = match parse_fields(&f.form_fields) {
        Ok(x) => x,
        Err(e) => {
            errors.extend(e);
            vec![]
        }
    };
    let detection = match parse_detection(&f.detection) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let note = f.note.trim().to_string();
    if note.chars().count() > 500 {
        errors.push(FieldError::new("note", "too_long", &[("max", "500".into())]));
    }
    if let Some(d) = existing
        && f.version.trim() != d.version.to_string()
    {
        errors.push(FieldError::new("name_en", "edited_meanwhile", &[]));
    }
    let (Some(detection), true) = (detection, errors.is_empty()) else { return Err(errors) };
    Ok(Disease {
        code,
        name_en,
        name_zh,
        icd10,
        icd10_other,
        snomed,
        case_definition_en,
        case_definition_zh,
        notify_within: f.notify_within.clone(),
        immediate_phone: DiseaseForm::checked(&f.immediate_phone),
        episode_days,
        incubation_max_days,
        person_to_person: DiseaseForm::checked(&f.person_to_person),
        form_fields,
        detection,
        note,
        active: existing.is_none() || DiseaseForm::checked(&f.active),
        origin: existing.map(|d| d.origin.clone()).unwrap_or_else(|| "steward".into()),
        version: existing.map(|d| d.version + 1).unwrap_or(1),
        updated_by: String::new(),
        updated_at: 0,
    })
}

/// Which fields a steward's edit changed (for the audit entry).
pub fn changed_fields(old: &Disease, new: &Disease) -> Vec<&'static str> {
    let mut out = vec![];
    let mut cmp = |name: &'static str, same: bool| {
        if !same {
            out.push(name)
        }
    };
    cmp("name_en", old.name_en == new.name_en);
    cmp("name_zh", old.name_zh == new.name_zh);
    cmp("icd10", old.icd10 == new.icd10 && old.icd10_other == new.icd10_other);
    cmp("snomed", old.snomed == new.snomed);
    cmp(
        "case_definition",
        old.case_definition_en == new.case_definition_en && old.case_definition_zh == new.case_definition_zh,
    );
    cmp("notify_within", old.notify_within == new.notify_within);
    cmp("immediate_phone", old.immediate_phone == new.immediate_phone);
    cmp("episode_days", old.episode_days == new.episode_days);
    cmp("incubation_max_days", old.incubation_max_days == new.incubation_max_days);
    cmp("person_to_person", old.person_to_person == new.person_to_person);
    cmp("form_fields", old.form_fields == new.form_fields);
    cmp("detection", old.detection == new.detection);
    cmp("note", old.note == new.note);
    cmp("active", old.active == new.active);
    out
}

/// A code system of an incoming code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSystem {
    /// Our disease codes (`measles`).
    Phos,
    Icd10,
    Snomed,
}

impl CodeSystem {
    /// From a FHIR `Coding.system` URI.
    pub fn from_uri(uri: &str) -> Option<CodeSystem> {
        let u = uri.trim().to_ascii_lowercase();
        if u.contains("icd-10") || u.contains("icd10") {
            Some(CodeSystem::Icd10)
        } else if u.contains("snomed") {
            Some(CodeSystem::Snomed)
        } else if u.contains("notifiable-disease") || u.contains("phos") {
            Some(CodeSystem::Phos)
        } else {
            None
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum MapError {
    Unknown,
    /// More than one disease matches (e.g. ICD-10 `A01` is typhoid and paratyphoid).
    Ambiguous,
}

/// Maps a code to an active disease. ICD-10 codes match exactly first, then by their
/// three-character category when only one disease claims it.
pub fn map_code<'a>(diseases: &'a [Disease], system: CodeSystem, code: &str) -> Result<&'a Disease, MapError> {
    let code = code.trim();
    let active = || diseases.iter().filter(|d| d.active);
    match system {
        CodeSystem::Phos => active().find(|d| d.code == code).ok_or(MapError::Unknown),
        CodeSystem::Snomed => active().find(|d| d.snomed.iter().any(|s| s == code)).ok_or(MapError::Unknown),
        CodeSystem::Icd10 => {
            let c = code.to_ascii_uppercase();
            let codes = |d: &'a Disease| std::iter::once(&d.icd10).chain(d.icd10_other.iter());
            let exact: Vec<&Disease> = active().filter(|d| codes(d).any(|x| *x == c)).collect();
            if exact.len() == 1 {
                return Ok(exact[0]);
            }
            if exact.len() > 1 {
                return Err(MapError::Ambiguous);
            }
            let cat = c.get(..3).unwrap_or("");
            let by_cat: Vec<&Disease> =
                active().filter(|d| codes(d).any(|x| x.get(..3) == Some(cat) && !cat.is_empty())).collect();
            match by_cat.len() {
                0 => Err(MapError::Unknown),
                1 => Ok(by_cat[0]),
                _ => Err(MapError::Ambiguous),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_list_is_complete_and_consistent() {
        let all = reference_diseases();
        let (source, count) = source();
        assert_eq!(all.len(), count, "the count in the file matches its diseases");
        assert_eq!(count, 52);
        assert!(source.contains("chp.gov.hk") && source.contains("Cap. 599"));
        let codes: HashSet<_> = all.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes.len(), all.len(), "codes are unique");
        for d in &all {
            assert!(valid_key(&d.code), "{}", d.code);
            assert!(valid_icd10(&d.icd10), "{} {}", d.code, d.icd10);
            assert!(d.icd10_other.iter().all(|c| valid_icd10(c)), "{}", d.code);
            assert!(!d.name_zh.is_empty() && !d.name_zh.is_ascii(), "{}", d.code);
            assert!(NOTIFY_WITHIN.contains(&d.notify_within.as_str()));
            assert!(d.episode_days >= 7);
            assert!(!d.case_definition_en.is_empty() && !d.case_definition_zh.is_empty());
            assert!(parse_detection(&serde_json::to_string(&d.detection).unwrap()).is_ok(), "{}", d.code);
            // Diseases notified by phone at once are the immediate ones.
            assert_eq!(d.immediate_phone, d.notify_within == "immediately", "{}", d.code);
            // Round trip through the stewards' text form.
            assert_eq!(parse_fields(&format_fields(&d.form_fields)).unwrap(), d.form_fields, "{}", d.code);
        }
        for code in ["measles", "dengue_fever", "tuberculosis", "covid_19", "mpox", "chickenpox"] {
            assert!(codes.contains(code), "{code}");
        }
        let tb = all.iter().find(|d| d.code == "tuberculosis").unwrap();
        assert!(tb.episode_days >= 365, "chronic diseases have long episodes");
        let measles = all.iter().find(|d| d.code == "measles").unwrap();
        assert!(measles.form_fields.iter().any(|f| f.key == "rash_onset" && f.required && f.kind == FieldKind::Date));
    }

    #[test]
    fn code_mapping() {
        let all = reference_diseases();
        let m = |s, c: &str| map_code(&all, s, c).map(|d| d.code.clone());
        assert_eq!(m(CodeSystem::Icd10, "B05").unwrap(), "measles");
        assert_eq!(m(CodeSystem::Icd10, "b05.9").unwrap(), "measles", "by category");
        assert_eq!(m(CodeSystem::Icd10, "A01.0").unwrap(), "typhoid_fever");
        assert_eq!(m(CodeSystem::Icd10, "A01.2").unwrap(), "paratyphoid_fever");
        assert_eq!(m(CodeSystem::Icd10, "A01"), Err(MapError::Ambiguous));
        assert_eq!(m(CodeSystem::Icd10, "A97.0").unwrap(), "dengue_fever");
        assert_eq!(m(CodeSystem::Icd10, "Z99"), Err(MapError::Unknown));
        assert_eq!(m(CodeSystem::Snomed, "14189004").unwrap(), "measles");
        assert_eq!(m(CodeSystem::Phos, "mpox").unwrap(), "mpox");
        assert_eq!(CodeSystem::from_uri("http://hl7.org/fhir/sid/icd-10"), Some(CodeSystem::Icd10));
        assert_eq!(CodeSystem::from_uri("http://snomed.info/sct"), Some(CodeSystem::Snomed));
        assert_eq!(CodeSystem::from_uri("http://loinc.org"), None);
        let mut inactive = all.clone();
        inactive.iter_mut().find(|d| d.code == "measles").unwrap().active = false;
        assert_eq!(map_code(&inactive, CodeSystem::Icd10, "B05").map(|_| ()), Err(MapError::Unknown));
    }

    #[test]
    fn steward_field_lines() {
        let ok = parse_fields(
            "rash_onset | date | required | Rash began | 出疹日期\n\n ward | text | optional | Ward | 病房 ",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert!(ok[0].required && ok[0].kind == FieldKind::Date);
        assert_eq!(ok[1].label_zh, "病房");
        let codes = |t: &str| parse_fields(t).unwrap_err().into_iter().map(|e| e.code).collect::<Vec<_>>();
        assert_eq!(codes("x | text | optional | A | 甲"), ["form_field_key"]);
        assert_eq!(codes("hkid | text | optional | A | 甲"), ["form_field_key"], "reserved");
        assert_eq!(codes("ward | colour | optional | A | 甲"), ["form_field_kind"]);
        assert_eq!(codes("ward | text | maybe | A | 甲"), ["form_field_required"]);
        assert_eq!(codes("ward | text | optional | A"), ["form_field_format"]);
        assert_eq!(codes("ward | text | optional | A | 甲\nward | date | optional | B | 乙"), ["form_field_duplicate"]);
        let e = parse_fields("ok_key | text | optional | A | 甲\nbad").unwrap_err();
        assert_eq!(e[0].field, "form_fields");
    }

    #[test]
    fn detection_documents() {
        assert!(parse_detection(r#"{"methods":["ears-c2"],"threshold_min":3}"#).is_ok());
        assert!(
            parse_detection(
                r#"{"methods":["farrington-flexible","cusum"],"threshold_min":5,"alpha":0.01,"baseline_years":5}"#
            )
            .is_ok()
        );
        for bad in [
            r#"{"methods":[],"threshold_min":3}"#,
            r#"{"methods":["magic"],"threshold_min":3}"#,
            r#"{"methods":["ears-c2"],"threshold_min":-1}"#,
            r#"{"methods":["ears-c2"],"threshold_min":3,"alpha":2}"#,
            r#"{"methods":["ears-c2"],"threshhold_min":3}"#,
            r#"{"methods":["ears-c2","ears-c2"],"threshold_min":3}"#,
            "not json",
        ] {
            assert!(parse_detection(bad).is_err(), "{bad}");
        }
    }

    fn form() -> DiseaseForm {
        DiseaseForm {
            code: "disease_x".into(),
            name_en: "Disease X".into(),
            name_zh: "X疾病".into(),
            icd10: "u99.9".into(),
            icd10_other: "".into(),
            snomed: "".into(),
            case_definition_en: "Any illness with agent X detected.".into(),
            case_definition_zh: "驗出X病原體的任何病症。".into(),
            notify_within: "immediately".into(),
            immediate_phone: Some("1".into()),
            episode_days: "90".into(),
            incubation_max_days: "14".into(),
            person_to_person: Some("1".into()),
            form_fields: "travel_history | text | required | Travel | 外遊".into(),
            detection: r#"{"methods":["threshold"],"threshold_min":1}"#.into(),
            note: "Gazetted today".into(),
            active: None,
            version: "".into(),
        }
    }

    #[test]
    fn stewards_add_and_edit() {
        let taken = vec!["measles".to_string()];
        let d = validate_disease(&form(), None, &taken).unwrap();
        assert_eq!(d.icd10, "U99.9");
        assert!(d.active && d.immediate_phone && d.origin == "steward" && d.version == 1);
        assert_eq!(d.form_fields[0].key, "travel_history");
        // Bad input: every problem is named.
        let mut bad = form();
        bad.code = "measles".into();
        bad.icd10 = "99".into();
        bad.episode_days = "0".into();
        bad.notify_within = "someday".into();
        bad.detection = "{}".into();
        bad.name_zh = "".into();
        let codes: Vec<String> =
            validate_disease(&bad, None, &taken).unwrap_err().into_iter().map(|e| e.code).collect();
        for c in
            ["disease_code_taken", "icd10_format", "days_between", "invalid_choice", "detection_invalid", "required"]
        {
            assert!(codes.contains(&c.to_string()), "{c} in {codes:?}");
        }
        // Editing keeps the code, checks the version, and bumps it.
        let mut edit = form();
        edit.version = "1".into();
        edit.code = "ignored".into();
        edit.active = Some("1".into());
        edit.episode_days = "120".into();
        let new = validate_disease(&edit, Some(&d), &taken).unwrap();
        assert_eq!((new.code.as_str(), new.version, new.episode_days), ("disease_x", 2, 120));
        assert_eq!(changed_fields(&d, &new), ["episode_days"]);
        edit.version = "0".into();
        let e = validate_disease(&edit, Some(&d), &taken).unwrap_err();
        assert_eq!(e[0].code, "edited_meanwhile");
        // Unticking "active" retires a disease.
        let mut retire = form();
        retire.version = "1".into();
        assert!(!validate_disease(&retire, Some(&d), &taken).unwrap().active);
    }

    #[test]
    fn icd10_shapes() {
        for ok in ["B05", "A01.1", "U07.1", "A98.50"] {
            assert!(valid_icd10(ok), "{ok}");
        }
        for bad in ["", "B5", "b05", "B05.", "B05.X", "BB5", "B055"] {
            assert!(!valid_icd10(bad), "{bad}");
        }
    }
}
