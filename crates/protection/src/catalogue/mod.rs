//! The notifiable-disease catalogue (Cap. 599 Schedule 1): each disease with its codes, case
//! definition, notification questions and detection settings, kept by data stewards.

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::identity::Role;
use kernel::web::Routes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use rules::*;

/// Who may change the catalogue.
pub const STEWARDS: &[Role] = &[Role::DataSteward, Role::Admin];
/// Who may read it in full.
pub const READERS: &[Role] = &[Role::DataSteward, Role::Admin, Role::Epidemiologist, Role::LeadEpidemiologist];

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-diseases-title", "prot-diseases-desc", "/staff/protection/diseases")]
}

pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
}

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

/// The name of disease `code` among `diseases` in English or Chinese; the code itself when it is
/// not among them.
pub fn disease_name(diseases: &[Disease], code: &str, zh: bool) -> String {
    diseases.iter().find(|d| d.code == code).map(|d| d.name(zh).to_string()).unwrap_or_else(|| code.to_string())
}

/// `page.disease_name(diseases, code)` in templates (bring the trait into scope where the
/// template is defined, beside `crate::ui::Labels`).
pub trait DiseaseNames {
    fn disease_name(&self, diseases: &[Disease], code: &str) -> String;
}

impl DiseaseNames for kernel::web::PageCtx {
    fn disease_name(&self, diseases: &[Disease], code: &str) -> String {
        disease_name(diseases, code, self.is_zh())
    }
}
