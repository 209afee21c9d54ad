//! Smart regulatory functions: licence types configured as data, one applicant portal with
//! automated checks, licences with their lifecycle and verifiable certificates, explainable
//! risk-based inspections with day plans, complaints and the public register.
//!
//! Sub-domains: [`licence_types`] (configured as data), [`premises`] (with licensees and the
//! professional registers), [`licences`] (lifecycle), [`inspections`], [`planning`] (inspectors'
//! day plans). See docs/regulatory.md for what works.

pub mod applications;
pub mod certificates;
pub mod cli;
pub mod complaints;
pub mod demo;
pub mod errors;
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
            kernel::migration!("regulatory", 2, "0002_certificate_keys.sql"),
            kernel::migration!("regulatory", 3, "0003_risk_register.sql"),
            kernel::migration!("regulatory", 4, "0004_field.sql"),
            kernel::migration!("regulatory", 5, "0005_lifecycle.sql"),
        ],
        routes,
        jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
        processes: &[kernel::process::Process { bpmn: applications::BPMN }],
    }
}

fn routes() -> Routes {
    applications::pages::routes()
        .merge(applications::pages::staff_routes())
        .merge(licences::pages::routes())
        .merge(certificates::routes())
        .merge(inspections::routes())
        .merge(complaints::routes())
        .merge(risk::routes())
        .merge(register::routes())
        .merge(planning::pages::routes())
        .merge(planning::day::routes())
}

/// The regulatory cards on the home pages (each shows to those its route allows).
fn cards() -> Vec<kernel::area::HomeCard> {
    use kernel::area::HomeCard;
    vec![
        HomeCard::public("reg-app-home-title", "reg-app-home-lead", "/licensing"),
        HomeCard::staff("reg-app-staff-title", "reg-app-card-staff-lead", "/staff/regulatory/applications"),
        inspections::pages::CARD,
        complaints::pages::CARD,
        complaints::pages::PUBLIC_CARD,
        HomeCard::staff("reg-risk-card-due", "reg-risk-card-due-lead", "/staff/regulatory/inspections/due"),
        HomeCard::staff("reg-risk-card-weights", "reg-risk-card-weights-lead", "/staff/regulatory/risk/weights"),
        HomeCard::public("reg-register-card", "reg-register-card-lead", "/register"),
    ]
}

fn jobs(r: &mut Registry) {
    applications::process::jobs(r);
    risk::jobs(r);
    complaints::service::jobs(r);
    planning::service::jobs(r);
    r.handle(RENEWAL_JOB, renewal_round);
    // 08:00 Hong Kong time, every day.
    r.every("regulatory.renewals-daily", "0 0 8 * * *", RENEWAL_JOB, serde_json::json!({}));
}

/// Renewal reminders (90, 60, 30 days before expiry) and lapses, once a day.
pub const RENEWAL_JOB: &str = "regulatory.renewals";

async fn renewal_round(ctx: kernel::jobs::JobCtx, _payload: serde_json::Value) -> Result<(), kernel::jobs::JobError> {
    let (reminded, lapsed) = licences::service::renewal_round(&ctx.state, kernel::hk::today())
        .await
        .map_err(|e| kernel::jobs::JobError::Retry(e.to_string()))?;
    tracing::info!(reminded, lapsed, "regulatory renewal round");
    Ok(())
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
