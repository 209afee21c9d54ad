//! Applications on the applicant portal: one citizen or business account for every procedure,
//! saved and resumed, documents uploaded through the kernel file store and read with OCR,
//! checked for completeness and consistency before submission, the fee computed line by line and
//! paid through a payment-provider adapter, then processed on the workflow engine
//! (`regulatory_licence`: screening → assessment → inspection → decision).

pub mod ocr;
pub mod pages;
pub mod payment;
pub mod process;
pub mod renewal;
pub mod rules;
pub mod service;
pub mod store;

use serde::{Deserialize, Serialize};

/// The BPMN of the licence process (shipped with the area, deployed when it changes).
pub const BPMN: &str = include_str!("licence.bpmn");

/// The form answers of an application.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Form {
    /// company or individual.
    pub licensee_kind: String,
    pub licensee_name_en: String,
    pub licensee_name_zh: String,
    pub br_number: String,
    pub premises_name_en: String,
    pub premises_name_zh: String,
    pub address_en: String,
    pub address_zh: String,
    pub district: String,
    pub responsible_name: String,
    pub responsible_number: String,
    /// When the premises intends to open (day first or YYYY-MM-DD).
    pub start_date: String,
}

/// An application as stored.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Application {
    pub id: String,
    pub case_ref: String,
    /// new, renew or amend.
    pub kind: String,
    pub type_code: String,
    pub account: String,
    pub licence_id: Option<String>,
    pub status: String,
    /// JSON of [`Form`].
    pub data: String,
    pub fee_cents: i64,
    pub payment_ref: Option<String>,
    pub paid_at: Option<i64>,
    pub waiting_for: Option<String>,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub updated_at: i64,
    pub revision: i64,
    /// The highest process step applied (see `kernel::process::ServiceCall::seq`).
    pub process_seq: i64,
}

impl Application {
    pub fn form(&self) -> Form {
        serde_json::from_str(&self.data).unwrap_or_default()
    }

    pub fn is_draft(&self) -> bool {
        self.status == "draft"
    }
}

/// An uploaded document.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Document {
    pub id: String,
    pub application_id: String,
    pub requirement: String,
    pub file_key: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub ocr_status: String,
    pub ocr_text: Option<String>,
    pub uploaded_at: i64,
}

/// The statuses an applicant sees, in order.
pub const STAGES: [&str; 5] = ["submitted", "screening", "assessment", "inspection", "decision"];
