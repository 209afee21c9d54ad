//! Smart regulatory functions: licence types configured as data, one applicant portal with
//! automated checks, licences with their lifecycle and verifiable certificates, explainable
//! risk-based inspections with day plans, complaints and the public register.
//!
//! Sub-domains: [`licence_types`] (configured as data), [`premises`] (with licensees and the
//! professional registers), [`licences`] (lifecycle), [`inspections`], [`planning`] (inspectors'
//! day plans). See docs/regulatory.md for what works.

pub mod cli;
pub mod demo;
pub mod inspections;
pub mod licence_types;
pub mod licences;
pub mod planning;
pub mod premises;
pub mod register;
pub mod risk;

use kernel::Area;
use kernel::identity::Role;
use kernel::jobs::Registry;
use kernel::web::Routes;

/// Staff who work on regulation (reading pages; each action narrows it further).
pub const STAFF: &[Role] =
    &[Role::Admin, Role::LicensingManager, Role::LicensingOfficer, Role::Inspector, Role::TeamLead];

/// Published (kernel jobs pub/sub) when something that changes a premises' risk happens: a
/// complaint triaged, an inspection outcome recorded, a licence action. Payload
/// `{"premises_id": "…", "kind": "complaint" | "inspection" | "licence"}`.
pub const SIGNAL_TOPIC: &str = "regulatory.signal";

fluent_templates::static_loader! {
    pub static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn area() -> Area {
    Area {
        name: "regulatory",
        migrations: vec![
            kernel::migration!("regulatory", 1, "0001_regulatory.sql"),
            kernel::migration!("regulatory", 3, "0003_risk_register.sql"),
        ],
        routes,
        jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
        processes: &[],
    }
}

fn routes() -> Routes {
    Routes::new().merge(risk::routes()).merge(register::routes())
}

/// The regulatory cards on the home pages (each shows to those its route allows).
fn cards() -> Vec<kernel::area::HomeCard> {
    use kernel::area::HomeCard;
    vec![
        HomeCard::staff("reg-risk-card-due", "reg-risk-card-due-lead", "/staff/regulatory/inspections/due"),
        HomeCard::staff("reg-risk-card-weights", "reg-risk-card-weights-lead", "/staff/regulatory/risk/weights"),
        HomeCard::public("reg-register-card", "reg-register-card-lead", "/register"),
    ]
}

fn jobs(r: &mut Registry) {
    risk::jobs(r);
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
