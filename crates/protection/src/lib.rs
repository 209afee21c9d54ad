//! Health protection: the notifiable-disease catalogue (Cap. 599 Schedule 1), notifications from
//! medical practitioners and laboratories (web form, JSON API, FHIR), de-duplicated into cases
//! with classification history, investigation, laboratory results, contacts with daily
//! follow-up, clusters with transmission chains, need-to-know access for epidemiologists, and
//! weekly counts and delay counts kept in step with every change; signals from the daily
//! detection run (EARS, Farrington flexible, CUSUM, threshold and the space-time scan) triaged by
//! epidemiologists; the epidemiologists' dashboard, and the public surveillance page with open data.

pub mod assignments;
pub mod cases;
pub mod catalogue;
pub mod clusters;
pub mod counts;
pub mod dashboard;
pub mod demo;
pub mod notifications;
pub mod opendata;
pub mod signals;
pub mod store;
pub mod ui;

use kernel::area::HomeCard;
use kernel::web::Routes;
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
        migrations: vec![
            kernel::migration!("protection", 1, "0001_protection.sql"),
            kernel::migration!("protection", 2, "0002_signals.sql"),
            kernel::migration!("protection", 3, "0003_dashboards.sql"),
        ],
        routes,
        jobs: signals::service::jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
        processes: &[],
    }
}

/// Health protection's cards on the home pages, from each sub-domain.
fn cards() -> Vec<HomeCard> {
    [
        opendata::cards(),
        notifications::cards(),
        cases::cards(),
        signals::cards(),
        dashboard::cards(),
        clusters::cards(),
        assignments::cards(),
        catalogue::cards(),
    ]
    .concat()
}

fn routes() -> Routes {
    catalogue::routes()
        .merge(notifications::routes())
        .merge(cases::routes())
        .merge(clusters::routes())
        .merge(assignments::routes())
        .merge(signals::routes())
        .merge(dashboard::routes())
        .merge(opendata::routes())
}

/// Adds the diseases of the reference list that the catalogue lacks (a fresh database gets all
/// of them; stewards' edits are never overwritten). The composition root calls it after migrating.
pub async fn seed_reference(db: &Db) -> sqlx::Result<u64> {
    catalogue::store::seed_reference(db, &catalogue::reference_diseases()).await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use kernel::i18n::Locale;

    use crate::cases::{CONTACT_OUTCOMES, Classification, EXPOSURE_SETTINGS, LAB_RESULTS, OUTCOMES};
    use crate::catalogue::NOTIFY_WITHIN;

    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }

    fn sources() -> Vec<String> {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if !path.ends_with("src/lib.rs") {
                    // lib.rs names the markers it looks for.
                    out.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = vec![];
        for dir in ["src", "templates/protection"] {
            walk(&root.join(dir), &mut out);
        }
        out
    }

    /// The string literal after the first argument of each `marker(` call.
    fn second_literals(text: &str, marker: &str) -> Vec<String> {
        text.match_indices(marker)
            .filter_map(|(i, _)| {
                let rest = &text[i + marker.len()..];
                let comma = rest.find(',')?;
                let after = rest[comma + 1..].trim_start();
                let lit = after.strip_prefix('"')?;
                Some(lit[..lit.find('"')?].to_string())
            })
            .collect()
    }

    /// Every text the area uses exists in both languages: keys in templates and code, the
    /// coded values shown through `label`, field errors and problem titles.
    #[test]
    fn every_text_used_exists_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let mut keys = BTreeSet::new();
        for text in sources() {
            for (i, _) in text.match_indices("\"prot-") {
                let k: String =
                    text[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                if !k.ends_with('-') {
                    keys.insert(k);
                }
            }
            for code in second_literals(&text, "FieldError::new(") {
                keys.insert(format!("field-error-{code}"));
            }
            for marker in ["problem(StatusCode::", "AppError::Code(StatusCode::"] {
                for code in second_literals(&text, marker) {
                    keys.insert(format!("error-{code}-title"));
                }
            }
            for marker in ["Malformed(\"", "BundleError::whole(\"", "err(\""] {
                for (i, _) in text.match_indices(marker) {
                    let code: String = text[i + marker.len()..].chars().take_while(|c| *c != '"').collect();
                    keys.insert(if marker.starts_with("err") {
                        format!("field-error-{code}")
                    } else {
                        format!("error-{code}-title")
                    });
                    if marker.starts_with("Bundle") {
                        keys.insert(format!("field-error-{code}"));
                    }
                }
            }
        }
        let coded: [(&str, &[&str]); 14] = [
            ("sig-method", &crate::signals::METHODS),
            ("sig-status", &crate::signals::STATUSES),
            ("sig-action", &["assessing", "outbreak", "dismissed"]),
            ("setting", &EXPOSURE_SETTINGS),
            ("outcome", &OUTCOMES),
            ("result", &LAB_RESULTS),
            ("contact", &CONTACT_OUTCOMES),
            ("within", &NOTIFY_WITHIN),
            ("kind", &["clinical", "laboratory"]),
            ("channel", &["web", "api", "fhir", "demo"]),
            ("subject", &["case", "cluster"]),
            ("cluster-status", &["open", "closed"]),
            ("tri", &["unknown", "yes", "no"]),
            ("saved", &["classification", "investigation", "lab", "cluster", "follow_up", "outcome"]),
        ];
        for (prefix, codes) in coded {
            for c in codes {
                keys.insert(format!("prot-{prefix}-{c}"));
            }
        }
        for c in Classification::ALL {
            keys.insert(format!("prot-class-{}", c.code()));
        }
        for s in ["F", "M", "U"] {
            keys.insert(format!("prot-sex-{s}"));
        }
        assert!(keys.len() > 250, "{} keys found: the scan is broken", keys.len());
        let args: Vec<(&'static str, String)> =
            ["count", "value", "max", "min", "ref", "date", "what", "where", "from", "to", "week", "shown"]
                .iter()
                .map(|k| (*k, "1".to_string()))
                .collect();
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| Locale::En.t_args(k, &args) == **k || Locale::ZhHant.t_args(k, &args) == **k)
            .collect();
        assert!(missing.is_empty(), "texts missing from the catalogues: {missing:#?}");
    }
}
