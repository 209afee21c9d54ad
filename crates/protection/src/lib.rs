//! Health protection: the notifiable-disease catalogue (Cap. 599 Schedule 1), notifications from
//! medical practitioners and laboratories (web form, JSON API, FHIR), de-duplicated into cases
//! with classification history, investigation, laboratory results, contacts with daily
//! follow-up, clusters with transmission chains, need-to-know access for epidemiologists, and
//! weekly counts kept in step with every change for the dashboards and signals to come.

pub mod api;
pub mod assignment_pages;
pub mod case_pages;
pub mod catalogue;
pub mod chain;
pub mod cluster_pages;
pub mod dedup;
pub mod demo;
pub mod disease_pages;
pub mod fhir;
pub mod followup;
pub mod intake;
pub mod model;
pub mod notify_pages;
pub mod pseudonym;
pub mod store;
pub mod ui;
pub mod validate;
pub mod weeks;

use kernel::area::{Audience, HomeCard};
use kernel::identity::Routes;
use kernel::{Area, Db};

fluent_templates::static_loader! {
    pub static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn area() -> Area {
    Area {
        name: "protection",
        migrations: vec![kernel::migration!("protection", 1, "0001_protection.sql")],
        routes,
        jobs: |_| {},
        home: vec![
            HomeCard {
                audience: Audience::Staff,
                title_key: "prot-home-notify",
                description_key: "prot-home-notify-desc",
                href: "/notify",
            },
            HomeCard {
                audience: Audience::Staff,
                title_key: "prot-home-staff",
                description_key: "prot-home-staff-desc",
                href: "/staff/protection",
            },
        ],
        catalogue: Some(&CATALOGUE),
    }
}

fn routes() -> Routes {
    api::routes()
        .merge(notify_pages::routes())
        .merge(case_pages::routes())
        .merge(cluster_pages::routes())
        .merge(assignment_pages::routes())
        .merge(disease_pages::routes())
}

/// Adds the diseases of the reference list that the catalogue lacks (a fresh database gets all
/// of them; stewards' edits are never overwritten). The composition root calls it after migrating.
pub async fn seed_reference(db: &Db) -> sqlx::Result<u64> {
    store::seed_reference(db, &catalogue::reference_diseases()).await
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
