//! Pseudonymised records: what someone without need-to-know sees of a case — its reference,
//! sex, age band, district and onset; never name, HKID, phone or address. Pure.

use chrono::{Datelike, NaiveDate};

/// Whole years between `birth` and `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut years = on.year() as i64 - birth.year() as i64;
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0)
}

/// Age bands as in surveillance tables: 0–4, 5–9, 10–14, 15–19, then ten-year bands, 80+.
pub fn age_band(birth: Option<NaiveDate>, on: NaiveDate) -> String {
    let Some(b) = birth else { return "unknown".into() };
    let a = age_on(b, on);
    match a {
        0..=19 => format!("{}-{}", a / 5 * 5, a / 5 * 5 + 4),
        20..=79 => format!("{}-{}", a / 10 * 10, a / 10 * 10 + 9),
        _ => "80+".into(),
    }
}

/// The person block of a case page, as the viewer may see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersonView {
    Named {
        name_en: String,
        name_zh: String,
        hkid_masked: Option<String>,
        sex: String,
        birth_date: Option<String>,
        age: Option<i64>,
        phone: Option<String>,
        address: Option<String>,
        district: String,
    },
    Pseudonymised {
        sex: String,
        age_band: String,
        district: String,
    },
}

impl PersonView {
    pub fn is_named(&self) -> bool {
        matches!(self, PersonView::Named { .. })
    }
}

/// Builds the view: named only with need-to-know.
pub fn person_view(p: &super::Person, district: &str, named: bool, today: NaiveDate) -> PersonView {
    let birth = p.birth_date.as_deref().and_then(|s| s.parse::<NaiveDate>().ok());
    if named {
        PersonView::Named {
            name_en: p.name_en.clone(),
            name_zh: p.name_zh.clone(),
            hkid_masked: p.hkid_masked.clone(),
            sex: p.sex.clone(),
            birth_date: p.birth_date.clone(),
            age: birth.map(|b| age_on(b, today)),
            phone: p.phone.clone(),
            address: p.address.clone(),
            district: district.into(),
        }
    } else {
        PersonView::Pseudonymised { sex: p.sex.clone(), age_band: age_band(birth, today), district: district.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Person;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ages_and_bands() {
        assert_eq!(age_on(d("1990-03-10"), d("2026-03-09")), 35);
        assert_eq!(age_on(d("1990-03-10"), d("2026-03-10")), 36);
        assert_eq!(age_on(d("2024-02-29"), d("2025-02-28")), 0);
        let on = d("2026-03-10");
        assert_eq!(age_band(Some(d("2025-01-01")), on), "0-4");
        assert_eq!(age_band(Some(d("2019-01-01")), on), "5-9");
        assert_eq!(age_band(Some(d("2007-03-11")), on), "15-19");
        assert_eq!(age_band(Some(d("2006-03-10")), on), "20-29");
        assert_eq!(age_band(Some(d("1956-01-01")), on), "70-79");
        assert_eq!(age_band(Some(d("1930-01-01")), on), "80+");
        assert_eq!(age_band(None, on), "unknown");
    }

    #[test]
    fn pseudonymised_view_hides_identifiers() {
        let p = Person {
            id: "p".into(),
            hkid_masked: Some("A123***(3)".into()),
            name_en: "CHAN Tai Man".into(),
            name_zh: "陳大文".into(),
            sex: "M".into(),
            birth_date: Some("1990-05-01".into()),
            phone: Some("9123 4567".into()),
            address: Some("1 Harbour Road".into()),
            district: "WC".into(),
        };
        let v = person_view(&p, "KT", false, d("2026-03-10"));
        assert_eq!(v, PersonView::Pseudonymised { sex: "M".into(), age_band: "30-39".into(), district: "KT".into() });
        let text = format!("{v:?}");
        for secret in ["CHAN", "陳", "A123", "9123", "Harbour", "1990"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        let named = person_view(&p, "KT", true, d("2026-03-10"));
        assert!(named.is_named() && format!("{named:?}").contains("CHAN Tai Man"));
    }
}
