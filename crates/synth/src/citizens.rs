//! Synthetic citizens: names in English and Chinese, valid-format HKID numbers, ages drawn from
//! each district's age profile, and contact details on reserved test domains.

use chrono::NaiveDate;
use kernel::hkid::Hkid;
use rand::distr::{Distribution, weighted::WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::names::{GIVEN_F, GIVEN_M, SURNAMES};

/// Ages are computed against this fixed date so that a seed always gives the same people.
pub const REFERENCE_DATE: &str = "2026-07-01";

/// HKID prefixes seen on cards today, weighted roughly by how common they are; the synthetic
/// numbers are valid in format and check digit but fictitious.
const PREFIXES: &[(&str, u32)] = &[
    ("A", 6),
    ("C", 8),
    ("D", 8),
    ("E", 8),
    ("F", 3),
    ("G", 8),
    ("H", 6),
    ("K", 7),
    ("M", 4),
    ("P", 6),
    ("R", 6),
    ("S", 4),
    ("V", 5),
    ("Y", 5),
    ("Z", 6),
    ("XA", 1),
    ("WX", 1),
];

#[derive(Clone, Debug, Serialize)]
pub struct Citizen {
    pub id: String,
    pub name_en: String,
    pub name_zh: String,
    pub sex: char,
    pub birth_date: NaiveDate,
    pub district: String,
    pub hkid: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub preferred_lang: &'static str,
}

impl Citizen {
    pub fn age_on(&self, day: NaiveDate) -> u32 {
        day.years_since(self.birth_date).unwrap_or(0)
    }
}

/// An endless, deterministic stream of citizens for one seed.
pub struct CitizenGenerator {
    rng: ChaCha8Rng,
    index: u64,
    districts: Vec<(&'static str, [f64; 3])>,
    district_pick: WeightedIndex<u64>,
    surname_pick: WeightedIndex<u32>,
    prefix_pick: WeightedIndex<u32>,
    reference: NaiveDate,
    /// HKID numbers already issued in this stream: every person gets a distinct one.
    issued: std::collections::HashSet<u32>,
}

impl CitizenGenerator {
    pub fn new(seed: u64) -> Self {
        let ds = kernel::hk::districts();
        CitizenGenerator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            index: 0,
            districts: ds.iter().map(|d| (d.code.as_str(), [d.age_0_14, d.age_15_64, d.age_65_plus])).collect(),
            district_pick: WeightedIndex::new(ds.iter().map(|d| d.population)).expect("populations"),
            surname_pick: WeightedIndex::new(SURNAMES.iter().map(|s| s.2)).expect("weights"),
            prefix_pick: WeightedIndex::new(PREFIXES.iter().map(|p| p.1)).expect("weights"),
            reference: REFERENCE_DATE.parse().expect("valid date"),
            issued: std::collections::HashSet::new(),
        }
    }

    fn age(&mut self, profile: [f64; 3]) -> u32 {
        let u: f64 = self.rng.random();
        if u < profile[0] {
            self.rng.random_range(0..15)
        } else if u < profile[0] + profile[1] {
            self.rng.random_range(15..65)
        } else {
            // Older ages thin out: 65 plus a geometric-like tail, capped at 104.
            let tail: f64 = self.rng.random::<f64>();
            (65.0 + (-tail.max(1e-9).ln() * 10.0)).min(104.0) as u32
        }
    }
}

impl Iterator for CitizenGenerator {
    type Item = Citizen;

    fn next(&mut self) -> Option<Citizen> {
        self.index += 1;
        let n = self.index;
        let (district, profile) = self.districts[self.district_pick.sample(&mut self.rng)];
        let female = self.rng.random_bool(0.54);
        let (s_zh, s_en, _) = SURNAMES[self.surname_pick.sample(&mut self.rng)];
        let pool = if female { GIVEN_F } else { GIVEN_M };
        let (g1_zh, g1_en) = pool[self.rng.random_range(0..pool.len())];
        let (g2_zh, g2_en) = pool[self.rng.random_range(0..pool.len())];
        let age = self.age(profile);
        let days_into_year = self.rng.random_range(0..365);
        let birth_date = self
            .reference
            .checked_sub_signed(chrono::Duration::days(age as i64 * 365 + age as i64 / 4 + days_into_year))
            .unwrap_or(self.reference);
        let (prefix_index, number) = loop {
            let p = self.prefix_pick.sample(&mut self.rng);
            let d = self.rng.random_range(0..1_000_000u32);
            if self.issued.insert(p as u32 * 1_000_000 + d) {
                break (p, d);
            }
        };
        let prefix = PREFIXES[prefix_index].0;
        let digits = format!("{number:06}");
        let hkid = Hkid::from_parts(prefix, &digits).display();
        let mut id_bytes = [0u8; 16];
        self.rng.fill(&mut id_bytes);
        let id = uuid::Builder::from_random_bytes(id_bytes).into_uuid().to_string();
        let has_email = age >= 12 && self.rng.random_bool(0.85);
        let has_phone = age >= 10 && self.rng.random_bool(0.95);
        let email = has_email.then(|| {
            format!("{}.{}{}.{n}@example.com", s_en.to_lowercase(), g1_en.to_lowercase(), g2_en.to_lowercase())
        });
        // Fictitious mobile-style numbers in one block; the demo never sends SMS anywhere.
        let phone = has_phone.then(|| format!("+852 5000 {:04}", n % 10_000));
        let preferred_lang = if self.rng.random_bool(0.75) { "zh-Hant-HK" } else { "en" };
        Some(Citizen {
            id,
            name_en: format!("{s_en} {g1_en} {g2_en}"),
            name_zh: format!("{s_zh}{g1_zh}{g2_zh}"),
            sex: if female { 'F' } else { 'M' },
            birth_date,
            district: district.to_string(),
            hkid,
            email,
            phone,
            preferred_lang,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people() {
        let a: Vec<_> = CitizenGenerator::new(7).take(100).map(|c| (c.id, c.hkid, c.name_en)).collect();
        let b: Vec<_> = CitizenGenerator::new(7).take(100).map(|c| (c.id, c.hkid, c.name_en)).collect();
        let c: Vec<_> = CitizenGenerator::new(8).take(100).map(|c| (c.id, c.hkid, c.name_en)).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn hkids_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for c in CitizenGenerator::new(5).take(100_000) {
            assert!(seen.insert(c.hkid.clone()), "duplicate {}", c.hkid);
        }
    }

    #[test]
    fn every_hkid_is_valid_and_contacts_are_reserved() {
        for c in CitizenGenerator::new(1).take(5000) {
            assert!(Hkid::parse(&c.hkid).is_ok(), "{}", c.hkid);
            if let Some(e) = &c.email {
                assert!(e.ends_with("@example.com"), "{e}");
            }
            assert!(c.email.is_some() || c.phone.is_some() || c.age_on(c.birth_date) < 12);
            assert!(!c.name_zh.is_empty() && c.name_en.chars().next().unwrap().is_ascii_uppercase());
        }
    }

    #[test]
    fn ages_follow_district_profiles() {
        let day: NaiveDate = REFERENCE_DATE.parse().unwrap();
        let people: Vec<_> = CitizenGenerator::new(3).take(50_000).collect();
        let share =
            |f: &dyn Fn(u32) -> bool| people.iter().filter(|c| f(c.age_on(day))).count() as f64 / people.len() as f64;
        let ds = kernel::hk::districts();
        let total: u64 = ds.iter().map(|d| d.population).sum();
        let expected_65: f64 = ds.iter().map(|d| d.age_65_plus * d.population as f64).sum::<f64>() / total as f64;
        let got_65 = share(&|a| a >= 65);
        assert!((got_65 - expected_65).abs() < 0.01, "65+ share {got_65:.3} vs {expected_65:.3}");
        // Districts in proportion to population: Sha Tin (largest) beats Islands (smallest) ~3.7×.
        let st = people.iter().filter(|c| c.district == "ST").count() as f64;
        let is = people.iter().filter(|c| c.district == "IS").count() as f64;
        assert!((2.9..4.6).contains(&(st / is)), "ST/IS ratio {}", st / is);
    }
}
