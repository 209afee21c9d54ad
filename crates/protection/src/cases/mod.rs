//! Cases: the line list, each case with its person (named or pseudonymised by need-to-know),
//! classification history, investigation, laboratory results, the notifications merged into it,
//! and its contacts with their daily follow-up.

pub mod followup;
pub mod pages;
pub mod pseudonym;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::identity::Role;
use kernel::web::Routes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Epidemiologists (and admins): who may work on cases.
pub const EPI: &[Role] = &[Role::Epidemiologist, Role::LeadEpidemiologist, Role::Admin];

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![
        HomeCard::staff("prot-home-staff", "prot-home-staff-desc", "/staff/protection"),
        HomeCard::staff("prot-cases-title", "prot-cases-desc", "/staff/protection/cases"),
    ]
}

pub fn routes() -> Routes {
    pages::routes()
}

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

/// A case's district: a district code, or `UNK` (not known).
pub fn valid_district(code: &str) -> bool {
    code == "UNK" || kernel::hk::district(code).is_some()
}

/// Contact outcomes.
pub const CONTACT_OUTCOMES: [&str; 4] = ["following", "became_case", "lost_to_follow_up", "completed"];

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

impl Case {
    /// The case's days and cells that the delay counts are kept by.
    pub fn times(&self) -> crate::counts::delays::CaseTimes<'_> {
        crate::counts::delays::CaseTimes {
            disease: &self.disease,
            notified_date: &self.notified_date,
            district: &self.district,
            classification: self.classification.code(),
            onset_date: self.onset_date.as_deref(),
            first_followup_date: self.first_followup_date.as_deref(),
        }
    }
}

/// The person a case is about.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
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

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct ClassificationChange {
    #[sqlx(rename = "from_class")]
    pub from: Option<String>,
    #[sqlx(rename = "to_class")]
    pub to: String,
    pub reason: String,
    #[sqlx(rename = "who")]
    pub changed_by: String,
    pub changed_at: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LabResult {
    pub id: String,
    pub test: String,
    pub specimen_date: Option<String>,
    pub result: String,
    pub organism: String,
    pub from_notification: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
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
