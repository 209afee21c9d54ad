//! Notifications from medical practitioners and laboratories (web form, JSON API, FHIR bundles):
//! validated, de-duplicated into cases, and taken in one transaction per request.

pub mod api;
pub mod dedup;
pub mod fhir;
pub mod intake;
pub mod pages;
pub mod service;
pub mod store;
pub mod validate;

use kernel::identity::{Role, Routes};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who notifies through the web form.
pub const REPORTERS: &[Role] = &[Role::Reporter];

pub fn routes() -> Routes {
    api::routes().merge(pages::routes())
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
