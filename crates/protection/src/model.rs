//! Domain types of the health-protection area (no IO).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case's classification. Notifications report one of the first three; an epidemiologist may
/// also discard a case (it was not one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Suspected,
    Probable,
    Confirmed,
    Discarded,
}

impl Classification {
    pub const ALL: [Classification; 4] =
        [Classification::Suspected, Classification::Probable, Classification::Confirmed, Classification::Discarded];

    pub fn code(self) -> &'static str {
        match self {
            Classification::Suspected => "suspected",
            Classification::Probable => "probable",
            Classification::Confirmed => "confirmed",
            Classification::Discarded => "discarded",
        }
    }

    pub fn parse(s: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.code() == s)
    }

    /// How strong the evidence is; a merged notification may raise a case, never lower it.
    pub fn rank(self) -> u8 {
        match self {
            Classification::Discarded => 0,
            Classification::Suspected => 1,
            Classification::Probable => 2,
            Classification::Confirmed => 3,
        }
    }
}

/// Clinical (a registered medical practitioner) or laboratory notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Clinical,
    Laboratory,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Clinical => "clinical",
            Kind::Laboratory => "laboratory",
        }
    }
}

/// How a notification arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Web,
    Api,
    Fhir,
    Demo,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Fhir => "fhir",
            Channel::Demo => "demo",
        }
    }
}

/// Where the case was most likely exposed.
pub const EXPOSURE_SETTINGS: [&str; 10] = [
    "unknown",
    "household",
    "school",
    "workplace",
    "healthcare",
    "residential_home",
    "food_premises",
    "travel",
    "community",
    "animal",
];

/// Outcomes an investigation records.
pub const OUTCOMES: [&str; 4] = ["unknown", "recovering", "recovered", "died"];

/// Laboratory results.
pub const LAB_RESULTS: [&str; 4] = ["positive", "negative", "pending", "indeterminate"];

/// Contact outcomes.
pub const CONTACT_OUTCOMES: [&str; 4] = ["following", "became_case", "lost_to_follow_up", "completed"];

/// The kind of answer a disease-specific notification field takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Date,
    YesNo,
    Number,
}

impl FieldKind {
    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Date => "date",
            FieldKind::YesNo => "yes_no",
            FieldKind::Number => "number",
        }
    }

    pub fn parse(s: &str) -> Option<FieldKind> {
        [FieldKind::Text, FieldKind::Date, FieldKind::YesNo, FieldKind::Number].into_iter().find(|k| k.code() == s)
    }
}

/// A question a disease's notification form asks, besides the common ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FormField {
    pub key: String,
    pub kind: FieldKind,
    pub required: bool,
    pub label_en: String,
    pub label_zh: String,
}

/// Detection settings, a JSON document the signals job reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Detection {
    /// Among `threshold`, `ears-c1`, `ears-c2`, `ears-c3`, `farrington-flexible`, `cusum`.
    pub methods: Vec<String>,
    /// The smallest weekly count that may raise a signal.
    pub threshold_min: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_years: Option<i64>,
}

pub const DETECTION_METHODS: [&str; 6] = ["threshold", "ears-c1", "ears-c2", "ears-c3", "farrington-flexible", "cusum"];

/// How fast a disease must be notified.
pub const NOTIFY_WITHIN: [&str; 4] = ["immediately", "24h", "72h", "7d"];

/// A notifiable disease with its notification and detection settings.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Disease {
    /// Stable code, e.g. `measles`.
    pub code: String,
    pub name_en: String,
    pub name_zh: String,
    /// Main ICD-10 code.
    pub icd10: String,
    /// Further ICD-10 codes that map to this disease.
    pub icd10_other: Vec<String>,
    /// SNOMED CT concept ids that map to this disease.
    pub snomed: Vec<String>,
    pub case_definition_en: String,
    pub case_definition_zh: String,
    /// `immediately`, `24h`, `72h` or `7d`.
    pub notify_within: String,
    /// Whether a phone call to the Central Notification Office is needed at once as well.
    pub immediate_phone: bool,
    /// Notifications of the same person within this many days belong to one case.
    pub episode_days: i64,
    /// Longest incubation period: contacts are followed up to last exposure + this.
    pub incubation_max_days: i64,
    pub person_to_person: bool,
    pub form_fields: Vec<FormField>,
    pub detection: Detection,
    pub note: String,
    pub active: bool,
    /// `reference` (from the official list) or `steward` (added by a data steward).
    pub origin: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: i64,
}

impl Disease {
    pub fn name(&self, zh: bool) -> &str {
        if zh { &self.name_zh } else { &self.name_en }
    }
}

/// A case as stored (without the person).
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    pub id: String,
    pub reference: String,
    pub person_id: String,
    pub disease: String,
    pub classification: Classification,
    pub onset_date: Option<String>,
    pub notified_date: String,
    pub episode_date: String,
    pub district: String,
    pub exposure_setting: String,
    pub hospitalised: Option<bool>,
    pub outcome: String,
    pub imported: Option<bool>,
    pub investigation_notes: String,
    pub details: String,
    pub cluster_id: Option<String>,
    pub notifications: i64,
    /// The day of the first daily follow-up record of any of its contacts.
    pub first_followup_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The person a case is about.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    pub id: String,
    pub hkid_masked: Option<String>,
    pub name_en: String,
    pub name_zh: String,
    pub sex: String,
    pub birth_date: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub district: String,
}

/// One line of the line list: pseudonymised by construction.
#[derive(Clone, Debug, Serialize)]
pub struct CaseLine {
    pub reference: String,
    pub disease: String,
    pub classification: Classification,
    pub sex: String,
    pub age_band: String,
    pub district: String,
    pub onset_date: Option<String>,
    pub notified_date: String,
    pub cluster_reference: Option<String>,
    pub assigned: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClassificationChange {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub changed_by: String,
    pub changed_at: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct NotificationRow {
    pub id: String,
    pub reference: String,
    pub case_id: String,
    pub merged: bool,
    pub disease: String,
    pub kind: String,
    pub channel: String,
    pub reporter_name: String,
    pub institution: String,
    pub classification: String,
    pub onset_date: Option<String>,
    pub fields: String,
    pub received_at: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LabResult {
    pub id: String,
    pub test: String,
    pub specimen_date: Option<String>,
    pub result: String,
    pub organism: String,
    pub from_notification: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Contact {
    pub id: String,
    pub case_id: String,
    pub name: String,
    pub phone: String,
    pub relationship: String,
    pub last_exposure: String,
    pub follow_up_until: String,
    pub outcome: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FollowUp {
    pub day: String,
    pub symptoms: bool,
    pub notes: String,
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub disease: Option<String>,
    pub setting: String,
    pub description: String,
    pub status: String,
    pub created_at: i64,
    pub cases: i64,
    pub links: i64,
}

/// A transmission link between two cases of a cluster, by case reference.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub id: String,
    pub source: String,
    pub target: String,
    pub note: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Assignment {
    pub id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub subject_type: String,
    pub subject_id: String,
    pub subject_reference: String,
    pub assigned_by: String,
    pub assigned_at: i64,
}

/// A signal: an alarm of the daily detection run, with its evidence and triage state.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Signal {
    pub id: String,
    pub disease: String,
    /// A district code, or `HK` for territory-wide.
    pub area: String,
    /// `ears-c1`, `ears-c2`, `ears-c3`, `farrington-flexible`, `cusum`, `threshold` or `scan`.
    pub method: String,
    /// The Monday of the week that alarmed.
    pub week_start: String,
    pub observed: f64,
    pub upperbound: Option<f64>,
    /// JSON: the weeks shown with their bounds, the method and its parameters (scan: the
    /// districts of the cluster, expected, p-value).
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    /// `new`, `assessing`, `outbreak` or `dismissed`.
    pub status: String,
    pub reason: String,
    /// The cluster opened for (or linked to) the signal, by reference.
    pub cluster_reference: Option<String>,
    #[serde(skip)]
    pub cluster_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Send it back with a triage decision: a stale version is refused.
    pub version: i64,
}

/// One triage decision on a signal.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SignalEvent {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub by: String,
    pub at: i64,
}

/// One run of detection.
#[derive(Clone, Debug, Serialize)]
pub struct SignalRun {
    pub id: String,
    pub started_at: i64,
    pub week_start: String,
    pub weeks_evaluated: i64,
    pub series: i64,
    pub signals_raised: i64,
    pub milliseconds: i64,
    pub started_by: String,
}

/// Filters of the signals list.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SignalFilter {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub disease: Option<String>,
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
}

impl SignalFilter {
    /// Empty strings (an unset select) mean no filter.
    pub fn normalised(self) -> SignalFilter {
        let f = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        SignalFilter { status: f(self.status), disease: f(self.disease), area: f(self.area), method: f(self.method) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifications_round_trip_and_rank() {
        for c in Classification::ALL {
            assert_eq!(Classification::parse(c.code()), Some(c));
        }
        assert!(Classification::Confirmed.rank() > Classification::Probable.rank());
        assert!(Classification::Probable.rank() > Classification::Suspected.rank());
        assert!(Classification::Suspected.rank() > Classification::Discarded.rank());
        assert_eq!(Classification::parse("likely"), None);
    }
}
