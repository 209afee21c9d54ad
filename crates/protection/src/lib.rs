//! Health protection: the notifiable-disease catalogue (Cap. 599 Schedule 1), notifications from
//! medical practitioners and laboratories (web form, JSON API, FHIR), de-duplicated into cases
//! with classification history, investigation, laboratory results, contacts with daily
//! follow-up, clusters with transmission chains, need-to-know access for epidemiologists, and
//! weekly counts kept in step with every change for the dashboards and signals to come.

pub mod catalogue;
pub mod chain;
pub mod dedup;
pub mod fhir;
pub mod followup;
pub mod intake;
pub mod model;
pub mod pseudonym;
pub mod store;
pub mod validate;
pub mod weeks;

#[cfg(test)]
mod tests {}
