//! Reference data kept in one file: the Department of Health's service points
//! (`data/service_points.json`, with its sources).

use std::sync::LazyLock;

use kernel::directory::ServicePoint;
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    source: String,
    service_points: Vec<ServicePoint>,
}

static FILE: LazyLock<File> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/service_points.json")).expect("service_points.json is valid")
});

/// 11 dental clinics with general-public sessions, 18 Elderly Health Centres, 29 Maternal and
/// Child Health Centres.
pub fn service_points() -> &'static [ServicePoint] {
    &FILE.service_points
}

pub fn source() -> &'static str {
    &FILE.source
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_match_the_department() {
        let sp = service_points();
        let count = |k: &str| sp.iter().filter(|p| p.kind == k).count();
        assert_eq!(count("dental"), 11);
        assert_eq!(count("ehc"), 18);
        assert_eq!(count("mchc"), 29);
        for p in sp {
            assert!(kernel::hk::district(&p.district).is_some(), "{} has unknown district {}", p.code, p.district);
            assert!(!p.name_zh.is_empty() && !p.address_en.is_empty(), "{}", p.code);
        }
        let mut codes: Vec<_> = sp.iter().map(|p| &p.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), sp.len(), "codes are unique");
        // One Elderly Health Centre in every district.
        let mut ehc: Vec<_> = sp.iter().filter(|p| p.kind == "ehc").map(|p| &p.district).collect();
        ehc.sort();
        ehc.dedup();
        assert_eq!(ehc.len(), 18);
        assert!(!source().is_empty());
    }
}
