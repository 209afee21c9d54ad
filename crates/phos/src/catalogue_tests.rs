//! Checks over every area at once: no raw message key can reach a page (every key the code and
//! templates name exists in English and Traditional Chinese, and both catalogues of every crate
//! have the same keys), and every staff card leads to a declared route (whose access decides who
//! sees the card).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kernel::area::Audience;
use kernel::i18n::{Arg, Locale};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, exts, out);
        } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| exts.contains(&x)) {
            out.push(p);
        }
    }
}

fn is_key(s: &str) -> bool {
    s.len() > 1
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The string literal that starts right after `at` (skipping spaces), if any.
fn literal_after(text: &str, at: usize) -> Option<&str> {
    let rest = text[at..].trim_start();
    let rest = rest.strip_prefix('"')?;
    rest.split('"').next()
}

/// The message keys named literally in `text`: `t("key")`, `t1("key", …)`, `t_args("key", …)`,
/// `both("key", …)`, home cards' title and description keys, and `FieldError::new(_, "code", …)`
/// (whose text is `field-error-<code>`). Keys built at run time (`format!`) are not seen here;
/// their families are checked by each area's own tests.
fn keys_named(text: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for call in [".t(", ".t1(", ".t_args(", "::both(", "Card::public(", "Card::staff(", "Card::partner("] {
        for (i, _) in text.match_indices(call) {
            let after = i + call.len();
            if let Some(k) = literal_after(text, after).filter(|k| is_key(k)) {
                keys.insert(k.to_string());
                if call.starts_with("Card") {
                    // The description key is the second literal.
                    let second = text[after..].find(',').and_then(|c| literal_after(text, after + c + 1));
                    keys.extend(second.filter(|k| is_key(k)).map(str::to_string));
                }
            }
        }
    }
    for (i, _) in text.match_indices("FieldError::new(") {
        let after = i + "FieldError::new(".len();
        let Some(comma) = text[after..].find(',') else { continue };
        if let Some(code) = literal_after(text, after + comma + 1).filter(|k| is_key(k)) {
            keys.insert(format!("field-error-{code}"));
        }
    }
    keys
}

fn register_all() {
    for a in crate::areas() {
        if let Some(c) = a.catalogue {
            kernel::i18n::register_catalogue(c);
        }
    }
}

/// Renders with a value for every variable, so a key renders exactly when a catalogue has it.
fn renders(locale: Locale, key: &str) -> bool {
    let args: Vec<(&'static str, Arg)> =
        ["count", "value", "name", "ref", "max", "min", "what", "to", "from", "date", "until", "time", "room"]
            .into_iter()
            .chain(["number", "minutes", "year", "where", "week", "shown", "seconds", "position", "mean", "left"])
            .chain(["hours", "detail", "days", "scope", "total", "code"])
            .chain(["node", "mib", "nodes", "tokens", "at", "n", "role", "version"])
            .chain(["amount", "inspector", "km", "document", "item", "day", "start", "end"])
            .map(|k| (k, Arg::Num(2.0)))
            .collect();
    locale.t_args(key, &args) != key
}

#[test]
fn every_key_named_in_code_and_templates_exists_in_both_languages() {
    register_all();
    let root = workspace().join("crates");
    let mut paths = vec![];
    for krate in std::fs::read_dir(&root).expect("crates").flatten() {
        files(&krate.path().join("src"), &["rs"], &mut paths);
        files(&krate.path().join("templates"), &["html"], &mut paths);
    }
    assert!(paths.len() > 50, "found only {} sources", paths.len());
    let mut named = BTreeSet::new();
    for p in &paths {
        if p.ends_with("catalogue_tests.rs") {
            continue;
        }
        named.extend(keys_named(&std::fs::read_to_string(p).expect("source")));
    }
    assert!(named.len() > 300, "found only {} keys", named.len());
    let missing: Vec<String> = named
        .iter()
        .filter_map(|k| match (renders(Locale::En, k), renders(Locale::ZhHant, k)) {
            (true, true) => None,
            (en, zh) => Some(format!("{k}: en {en}, zh-Hant-HK {zh}")),
        })
        .collect();
    assert!(missing.is_empty(), "keys named in code or templates without a text:\n{}", missing.join("\n"));
}

#[test]
fn every_crate_has_the_same_keys_in_both_languages() {
    register_all();
    let root = workspace().join("crates");
    let mut checked = 0;
    for krate in std::fs::read_dir(&root).expect("crates").flatten() {
        let dir = krate.path().join("locales");
        if dir.is_dir() {
            let problems = kernel::i18n::check_catalogue(dir.to_str().expect("utf-8 path"));
            assert!(problems.is_empty(), "{}: {problems:#?}", dir.display());
            checked += 1;
        }
    }
    assert!(checked >= 4, "checked {checked} catalogues");
}

#[test]
fn keys_are_found_in_calls_and_cards() {
    let text = r#"page.t("a-b") page.t1("c-d", "count", n) Locale::both("e-e", &[]) self.page.t(&format!("x-{}", y))
        HomeCard::staff("f-g", "h-i", "/staff") FieldError::new(field, "too_long", &[])"#;
    let keys: Vec<String> = keys_named(text).into_iter().collect();
    assert_eq!(keys, ["a-b", "c-d", "e-e", "f-g", "field-error-too_long", "h-i"]);
}

/// A staff card's link must be a declared route: its access is what shows the card.
#[test]
fn every_staff_card_leads_to_a_declared_route() {
    let areas = crate::areas();
    let rules: Vec<kernel::web::Rule> = areas.iter().flat_map(|a| (a.routes)().rules).collect();
    let table = kernel::web::access::AccessTable::from_rules(&rules);
    let staff: Vec<_> = areas.iter().flat_map(|a| a.home.iter()).filter(|c| c.audience == Audience::Staff).collect();
    assert!(staff.len() >= 10, "{} staff cards", staff.len());
    for c in staff {
        assert!(
            table.0.contains_key(c.href),
            "staff card {} leads to {}, which has no declared route",
            c.title_key,
            c.href
        );
        assert!(
            !matches!(table.0[c.href], kernel::web::Access::Public | kernel::web::Access::Citizen),
            "staff card {} leads to a route for everyone",
            c.title_key
        );
    }
}
