//! Smart regulatory functions: licence types configured as data, one applicant portal with
//! automated checks, licences with their lifecycle and verifiable certificates, explainable
//! risk-based inspections with day plans, complaints and the public register.
//!
//! Sub-domains: [`planning`] (inspectors' day plans). See docs/regulatory.md for what works.

pub mod cli;
pub mod planning;

use kernel::Area;
use kernel::jobs::Registry;
use kernel::web::Routes;

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
        migrations: vec![],
        routes,
        jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
    }
}

fn routes() -> Routes {
    Routes::new().merge(planning::pages::routes())
}

/// The regulatory cards on the home pages (each shows to those its route allows).
fn cards() -> Vec<kernel::area::HomeCard> {
    vec![]
}

fn jobs(_r: &mut Registry) {}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
