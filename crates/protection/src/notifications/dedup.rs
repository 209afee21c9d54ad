//! De-duplication: is this the same person, and the same episode of the same disease? Pure.
//!
//! The same person is the same HKID (by its keyed hash); without an HKID, the same normalised
//! name, date of birth and sex (a keyed match key). The same episode is a case of the same
//! person and disease that is not discarded and whose episode date (onset, else first
//! notification) lies within the disease's `episode_days` of this notification's date. A
//! notification of the same episode is attached to that case ("merged"), not made a new case.

use std::collections::HashMap;

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cases::Classification;

/// Upper-case letters and digits of a name, its words sorted, so that `Chan Tai-man`,
/// `CHAN TAI MAN` and `Tai Man CHAN` agree. Chinese characters are kept as they are.
pub fn normalise_name(s: &str) -> String {
    let cleaned: String =
        s.chars().map(|c| if c.is_alphanumeric() { c.to_uppercase().next().unwrap_or(c) } else { ' ' }).collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    words.sort_unstable();
    words.join(" ")
}

/// The match key of a person without an HKID: keyed hash of name, date of birth and sex. The
/// English name is used when given, else the Chinese one. None when something is missing.
pub fn match_key(
    secret: &[u8],
    name_en: &str,
    name_zh: &str,
    birth_date: Option<NaiveDate>,
    sex: &str,
) -> Option<String> {
    let name = if name_en.trim().is_empty() { normalise_name(name_zh) } else { normalise_name(name_en) };
    let birth = birth_date?;
    if name.is_empty() || !(sex == "F" || sex == "M") {
        return None;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(format!("{name}|{birth}|{sex}").as_bytes());
    Some(hex::encode(mac.finalize().into_bytes()))
}

/// A person already on file.
#[derive(Clone, Debug)]
pub struct KnownPerson {
    pub id: String,
    pub hkid_hmac: Option<String>,
    pub match_key: Option<String>,
}

/// A case already on file (discarded cases are never merged into).
#[derive(Clone, Debug)]
pub struct KnownCase {
    pub id: String,
    pub person_id: String,
    pub disease: String,
    pub classification: Classification,
    pub episode_date: NaiveDate,
}

/// What a notification brings for matching.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub hkid_hmac: Option<String>,
    pub match_key: Option<String>,
    pub disease: String,
    pub episode_days: i64,
    /// Onset when known, else the date of notification.
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PersonRef {
    Existing(String),
    /// The person first seen in incoming item `i`.
    New(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseRef {
    Existing(String),
    /// The case opened by incoming item `i`.
    New(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub person: PersonRef,
    /// The person was known without an HKID and this notification brings one.
    pub attach_hkid: bool,
    pub case: CaseRef,
    /// Attached to a case that already existed (or was opened earlier in the same batch).
    pub merged: bool,
}

/// Decides, in order, who each incoming notification is about and which case it belongs to,
/// taking account of the people and cases opened by earlier items of the same batch.
pub fn plan(incoming: &[Incoming], persons: &[KnownPerson], cases: &[KnownCase]) -> Vec<Decision> {
    let mut by_hkid: HashMap<String, PersonRef> = HashMap::new();
    let mut by_key: HashMap<String, (PersonRef, bool)> = HashMap::new(); // (who, has an HKID)
    for p in persons {
        if let Some(h) = &p.hkid_hmac {
            by_hkid.insert(h.clone(), PersonRef::Existing(p.id.clone()));
        }
        if let Some(k) = &p.match_key {
            by_key.entry(k.clone()).or_insert((PersonRef::Existing(p.id.clone()), p.hkid_hmac.is_some()));
        }
    }
    // Open episodes per (person, disease): (case, episode date).
    let mut episodes: HashMap<(PersonRef, String), Vec<(CaseRef, NaiveDate)>> = HashMap::new();
    for c in cases.iter().filter(|c| c.classification != Classification::Discarded) {
        episodes
            .entry((PersonRef::Existing(c.person_id.clone()), c.disease.clone()))
            .or_default()
            .push((CaseRef::Existing(c.id.clone()), c.episode_date));
    }
    let mut out = Vec::with_capacity(incoming.len());
    for (i, n) in incoming.iter().enumerate() {
        let mut attach_hkid = false;
        let person = match &n.hkid_hmac {
            Some(h) => match by_hkid.get(h) {
                Some(p) => p.clone(),
                None => match n.match_key.as_ref().and_then(|k| by_key.get(k)) {
                    // Known by name, date of birth and sex, without an HKID so far: the same person.
                    Some((p, false)) => {
                        attach_hkid = true;
                        p.clone()
                    }
                    _ => PersonRef::New(i),
                },
            },
            None => match n.match_key.as_ref().and_then(|k| by_key.get(k)) {
                Some((p, _)) => p.clone(),
                None => PersonRef::New(i),
            },
        };
        if let Some(h) = &n.hkid_hmac {
            by_hkid.insert(h.clone(), person.clone());
        }
        if let Some(k) = &n.match_key {
            let has_hkid = n.hkid_hmac.is_some();
            let e = by_key.entry(k.clone()).or_insert((person.clone(), has_hkid));
            if e.0 == person && has_hkid {
                e.1 = true;
            }
        }
        let list = episodes.entry((person.clone(), n.disease.clone())).or_default();
        let nearest = list
            .iter()
            .filter(|(_, d)| (n.date - *d).num_days().abs() <= n.episode_days)
            .min_by_key(|(_, d)| ((n.date - *d).num_days().abs(), std::cmp::Reverse(*d)))
            .map(|(c, _)| c.clone());
        let (case, merged) = match nearest {
            Some(c) => (c, true),
            None => {
                list.push((CaseRef::New(i), n.date));
                (CaseRef::New(i), false)
            }
        };
        out.push(Decision { person, attach_hkid, case, merged });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn inc(h: Option<&str>, k: Option<&str>, disease: &str, date: &str) -> Incoming {
        Incoming {
            hkid_hmac: h.map(str::to_string),
            match_key: k.map(str::to_string),
            disease: disease.into(),
            episode_days: 90,
            date: d(date),
        }
    }

    #[test]
    fn names_normalise() {
        assert_eq!(normalise_name("Chan Tai-man"), "CHAN MAN TAI");
        assert_eq!(normalise_name("  TAI MAN chan "), "CHAN MAN TAI");
        assert_eq!(normalise_name("陳大文"), "陳大文");
        let k = |n: &str| match_key(b"k", n, "", Some(d("1990-01-01")), "M");
        assert_eq!(k("Chan Tai-man"), k("CHAN, Tai Man"));
        assert_ne!(k("Chan Tai-man"), k("Chan Tai-ming"));
        assert_ne!(k("Chan Tai-man"), match_key(b"k", "Chan Tai-man", "", Some(d("1990-01-02")), "M"));
        assert_ne!(k("Chan Tai-man"), match_key(b"k2", "Chan Tai-man", "", Some(d("1990-01-01")), "M"), "keyed");
        assert_eq!(match_key(b"k", "Chan", "", None, "M"), None, "needs a date of birth");
        assert_eq!(match_key(b"k", "Chan", "", Some(d("1990-01-01")), "U"), None, "needs a sex");
        assert_eq!(
            match_key(b"k", "", "陳大文", Some(d("1990-01-01")), "M"),
            match_key(b"k", " ", "陳大文", Some(d("1990-01-01")), "M")
        );
    }

    #[test]
    fn same_person_same_episode_merges() {
        let persons = vec![KnownPerson { id: "p1".into(), hkid_hmac: Some("H1".into()), match_key: Some("K1".into()) }];
        let cases = vec![KnownCase {
            id: "c1".into(),
            person_id: "p1".into(),
            disease: "measles".into(),
            classification: Classification::Suspected,
            episode_date: d("2026-01-10"),
        }];
        let p = plan(
            &[
                inc(Some("H1"), None, "measles", "2026-02-01"), // same HKID, 22 days later: merge
                inc(None, Some("K1"), "measles", "2026-01-01"), // by name/dob/sex: merge
                inc(Some("H1"), None, "measles", "2026-06-01"), // 142 days later: a new episode
                inc(Some("H1"), None, "dengue_fever", "2026-02-01"), // another disease: new case
                inc(Some("H1"), None, "measles", "2026-06-03"), // same new episode, same batch
            ],
            &persons,
            &cases,
        );
        let e = PersonRef::Existing("p1".into());
        assert_eq!(
            p[0],
            Decision { person: e.clone(), attach_hkid: false, case: CaseRef::Existing("c1".into()), merged: true }
        );
        assert_eq!(p[1].case, CaseRef::Existing("c1".into()));
        assert!(p[1].merged);
        assert_eq!((p[2].case.clone(), p[2].merged), (CaseRef::New(2), false));
        assert_eq!((p[3].case.clone(), p[3].merged), (CaseRef::New(3), false));
        assert_eq!((p[4].case.clone(), p[4].merged), (CaseRef::New(2), true));
        assert!(p.iter().all(|x| x.person == e));
    }

    #[test]
    fn episode_window_edges_and_discarded_cases() {
        let cases = vec![
            KnownCase {
                id: "old".into(),
                person_id: "p".into(),
                disease: "x".into(),
                classification: Classification::Confirmed,
                episode_date: d("2026-01-01"),
            },
            KnownCase {
                id: "gone".into(),
                person_id: "p".into(),
                disease: "x".into(),
                classification: Classification::Discarded,
                episode_date: d("2026-03-01"),
            },
        ];
        let persons = vec![KnownPerson { id: "p".into(), hkid_hmac: Some("H".into()), match_key: None }];
        let at = |date: &str| plan(&[inc(Some("H"), None, "x", date)], &persons, &cases).remove(0);
        assert_eq!(at("2026-04-01").case, CaseRef::Existing("old".into()), "day 90 is inside");
        assert_eq!(at("2026-04-02").case, CaseRef::New(0), "day 91 is outside; the discarded case is never used");
        assert_eq!(at("2025-10-03").case, CaseRef::Existing("old".into()), "90 days before as well");
    }

    #[test]
    fn the_nearest_episode_wins() {
        let persons = vec![KnownPerson { id: "p".into(), hkid_hmac: Some("H".into()), match_key: None }];
        let mk = |id: &str, date: &str| KnownCase {
            id: id.into(),
            person_id: "p".into(),
            disease: "x".into(),
            classification: Classification::Suspected,
            episode_date: d(date),
        };
        let cases = vec![mk("jan", "2026-01-01"), mk("mar", "2026-03-01")];
        let p = plan(&[inc(Some("H"), None, "x", "2026-02-20")], &persons, &cases);
        assert_eq!(p[0].case, CaseRef::Existing("mar".into()));
    }

    #[test]
    fn hkid_attaches_to_a_person_known_without_one() {
        let persons = vec![
            KnownPerson { id: "nohkid".into(), hkid_hmac: None, match_key: Some("K".into()) },
            KnownPerson { id: "other".into(), hkid_hmac: Some("H9".into()), match_key: Some("K9".into()) },
        ];
        let p = plan(
            &[
                inc(Some("H1"), Some("K"), "x", "2026-01-01"),
                // Same name/dob/sex as someone with a different HKID: a different person.
                inc(Some("H2"), Some("K9"), "x", "2026-01-01"),
                // Now H1 is known to be "nohkid".
                inc(Some("H1"), None, "x", "2026-01-02"),
            ],
            &persons,
            &[],
        );
        assert_eq!((p[0].person.clone(), p[0].attach_hkid), (PersonRef::Existing("nohkid".into()), true));
        assert_eq!((p[1].person.clone(), p[1].attach_hkid), (PersonRef::New(1), false));
        assert_eq!(
            (p[2].person.clone(), p[2].case.clone(), p[2].merged),
            (PersonRef::Existing("nohkid".into()), CaseRef::New(0), true)
        );
    }

    #[test]
    fn new_people_within_a_batch() {
        let p = plan(
            &[
                inc(None, Some("K"), "x", "2026-01-01"),
                inc(Some("H"), Some("K"), "x", "2026-01-03"),
                inc(Some("H"), None, "x", "2026-01-04"),
                inc(None, Some("OTHER"), "x", "2026-01-04"),
            ],
            &[],
            &[],
        );
        assert_eq!(
            p[0],
            Decision { person: PersonRef::New(0), attach_hkid: false, case: CaseRef::New(0), merged: false }
        );
        assert_eq!(
            p[1],
            Decision { person: PersonRef::New(0), attach_hkid: true, case: CaseRef::New(0), merged: true }
        );
        assert_eq!(p[2].person, PersonRef::New(0));
        assert_eq!(p[3].person, PersonRef::New(3));
    }
}
