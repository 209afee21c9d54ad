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

use kernel::area::HomeCard;
use kernel::identity::Role;
use kernel::web::FieldError;
use kernel::web::Routes;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who notifies through the web form.
pub const REPORTERS: &[Role] = &[Role::Reporter];

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-home-notify", "prot-home-notify-desc", "/notify")]
}

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
