//! Internationalisation: English and Traditional Chinese (Hong Kong), through Fluent
//! catalogues. The locale travels with each request; nothing is process-wide.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, StaticLoader, langid};
use serde::Serialize;

fluent_templates::static_loader! {
    static KERNEL = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static ZH: LanguageIdentifier = langid!("zh-Hant-HK");

/// Catalogues of areas, consulted after the kernel's.
static AREA_CATALOGUES: LazyLock<RwLock<Vec<&'static StaticLoader>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Adds an area's Fluent catalogue (done once, by the composition root).
pub fn register_catalogue(loader: &'static StaticLoader) {
    let mut list = AREA_CATALOGUES.write().expect("i18n registry poisoned");
    if !list.iter().any(|l| std::ptr::eq(*l, loader)) {
        list.push(loader);
    }
}

/// The two languages PHOS speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-Hant-HK")]
    ZhHant,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::ZhHant];
    pub const COOKIE: &'static str = "phos_lang";

    /// BCP 47 tag, as used in `lang` attributes and the cookie.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::ZhHant => "zh-Hant-HK",
        }
    }

    pub fn other(self) -> Locale {
        match self {
            Locale::En => Locale::ZhHant,
            Locale::ZhHant => Locale::En,
        }
    }

    /// The language's own name, for the language switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::ZhHant => "繁體中文",
        }
    }

    /// Parses a tag leniently: `zh`, `zh-HK`, `zh-Hant`, `zh-TW` → Traditional Chinese.
    pub fn parse(tag: &str) -> Option<Locale> {
        let t = tag.trim().to_ascii_lowercase();
        if t == "en" || t.starts_with("en-") {
            Some(Locale::En)
        } else if t == "zh" || t.starts_with("zh-") {
            Some(Locale::ZhHant)
        } else {
            None
        }
    }

    /// Picks from an `Accept-Language` header by quality, defaulting to English.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it.find_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            if let Some(l) = Locale::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Locale::En => &EN,
            Locale::ZhHant => &ZH,
        }
    }

    /// The text for `key`, or the key itself if no catalogue has it (a test keeps that from
    /// happening).
    pub fn t(self, key: &str) -> String {
        self.t_args::<Arg>(key, &[])
    }

    /// The text for `key` with Fluent arguments: texts, or numbers (`Arg::Num`, from any integer
    /// or float) so that plural selectors (`[one]`, `*[other]`) choose by the number.
    pub fn t_args<A: Into<Arg> + Clone>(self, key: &str, args: &[(&'static str, A)]) -> String {
        let args: Option<HashMap<Cow<'static, str>, FluentValue>> = (!args.is_empty())
            .then(|| args.iter().map(|(k, v)| (Cow::Borrowed(*k), v.clone().into().fluent())).collect());
        if let Some(s) = KERNEL.try_lookup_complete(self.langid(), key, args.as_ref()) {
            return s;
        }
        for loader in AREA_CATALOGUES.read().expect("i18n registry poisoned").iter() {
            if let Some(s) = loader.try_lookup_complete(self.langid(), key, args.as_ref()) {
                return s;
            }
        }
        key.to_string()
    }

    /// Both languages' texts for `key`, for bilingual API errors.
    pub fn both<A: Into<Arg> + Clone>(key: &str, args: &[(&'static str, A)]) -> BTreeTexts {
        BTreeTexts { en: Locale::En.t_args(key, args), zh_hant: Locale::ZhHant.t_args(key, args) }
    }
}

/// One Fluent argument: a text, or a number. Numbers must travel as numbers: Fluent chooses a
/// plural variant (`[one]`) only for a number, never for the text "1".
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    Text(String),
    Num(f64),
}

impl Arg {
    /// A number if `s` is a whole number exactly as Rust writes it (so "007" and
    /// "12345678901234567890" stay texts), else the text.
    pub fn text_or_count(s: &str) -> Arg {
        match s.parse::<i64>() {
            Ok(n) if n.to_string() == s && n.unsigned_abs() < (1 << 53) => Arg::Num(n as f64),
            _ => Arg::Text(s.to_string()),
        }
    }

    fn fluent(self) -> FluentValue<'static> {
        match self {
            Arg::Text(s) => FluentValue::from(s),
            Arg::Num(n) => FluentValue::from(n),
        }
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<&&str> for Arg {
    fn from(s: &&str) -> Arg {
        Arg::Text(s.to_string())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Num(n as f64)
            }
        }
        impl From<&$t> for Arg {
            fn from(n: &$t) -> Arg {
                Arg::Num(*n as f64)
            }
        }
        impl From<&&$t> for Arg {
            fn from(n: &&$t) -> Arg {
                Arg::Num(**n as f64)
            }
        }
    )*};
}

number_args!(i8, i16, i32, i64, u8, u16, u32, u64, usize, f32, f64);

/// A text in both languages.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct BTreeTexts {
    pub en: String,
    #[serde(rename = "zh-Hant-HK")]
    pub zh_hant: String,
}

/// The message identifiers of every `.ftl` file in `dir`.
pub fn catalogue_keys(dir: &str) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("locale dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ftl") {
            let text = std::fs::read_to_string(&path).expect("ftl");
            for line in text.lines() {
                if let Some((id, _)) = line.split_once('=')
                    && !line.starts_with([' ', '#', '.', '*', '['])
                    && !id.trim().is_empty()
                {
                    keys.insert(id.trim().to_string());
                }
            }
        }
    }
    keys
}

/// The names of the variables (`{ $name }`) used anywhere in the catalogues under `dir`.
fn catalogue_variables(dir: &str) -> std::collections::BTreeSet<String> {
    let mut vars = std::collections::BTreeSet::new();
    for lang in ["en", "zh-Hant-HK"] {
        for entry in std::fs::read_dir(format!("{dir}/{lang}")).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for part in text.split('$').skip(1) {
                let name: String =
                    part.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
                if !name.is_empty() {
                    vars.insert(name);
                }
            }
        }
    }
    vars
}

/// Checks that the `.ftl` catalogues under `dir` (one folder per language) have the same keys
/// in both languages and a text for each; returns the problems found (for each area's test).
pub fn check_catalogue(dir: &str) -> Vec<String> {
    let en = catalogue_keys(&format!("{dir}/en"));
    let zh = catalogue_keys(&format!("{dir}/zh-Hant-HK"));
    let mut problems: Vec<String> = en.difference(&zh).map(|k| format!("{k} missing in zh-Hant-HK")).collect();
    problems.extend(zh.difference(&en).map(|k| format!("{k} missing in en")));
    if en.is_empty() {
        problems.push(format!("no keys found in {dir}/en"));
    }
    // Every variable any message uses gets a value, so that a message renders only if it exists.
    let args: Vec<(&'static str, String)> =
        catalogue_variables(dir).into_iter().map(|k| (&*String::leak(k), "1".to_string())).collect();
    for k in &en {
        if Locale::En.t_args(k, &args) == *k {
            problems.push(format!("{k} has no English text"));
        }
        if Locale::ZhHant.t_args(k, &args) == *k {
            problems.push(format!("{k} has no Chinese text"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(Locale::from_accept_language("zh-HK,zh;q=0.9,en;q=0.8"), Locale::ZhHant);
        assert_eq!(Locale::from_accept_language("en-GB,en;q=0.9,zh-TW;q=0.5"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr-FR"), Locale::En);
        assert_eq!(Locale::from_accept_language("fr;q=1, zh-Hant;q=0.7"), Locale::ZhHant);
    }

    /// Counts travel as Fluent numbers, so English chooses `[one]` for 1 and `*[other]` for 2;
    /// Traditional Chinese has no plural forms.
    #[test]
    fn plurals_choose_by_number() {
        let one = Locale::En.t_args("wait-about-minutes", &[("count", 1)]);
        let two = Locale::En.t_args("wait-about-minutes", &[("count", 2)]);
        assert_eq!(one, "about 1 minute");
        assert_eq!(two, "about 2 minutes");
        assert_eq!(Locale::ZhHant.t_args("wait-about-minutes", &[("count", 1)]), "約 1 分鐘");
        assert_eq!(Locale::ZhHant.t_args("wait-about-minutes", &[("count", 2)]), "約 2 分鐘");
        // A count given as text is still chosen by its number.
        assert_eq!(Locale::En.t_args("wait-about-minutes", &[("count", Arg::text_or_count("1"))]), "about 1 minute");
        assert_eq!(Arg::text_or_count("007"), Arg::Text("007".into()));
        assert_eq!(Arg::text_or_count("12345678901234567890"), Arg::Text("12345678901234567890".into()));
        assert_eq!(Arg::text_or_count("-3"), Arg::Num(-3.0));
    }

    #[test]
    fn lookups_in_both_languages() {
        assert_eq!(Locale::En.t("site-name"), "Public Health Operations Suite");
        assert_eq!(Locale::ZhHant.t("site-name"), "公共衞生營運系統");
    }

    /// Every key in one language's catalogue exists in the other, and no text is empty.
    #[test]
    fn catalogues_have_the_same_keys() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        let en = catalogue_keys(&format!("{dir}/en"));
        let zh = catalogue_keys(&format!("{dir}/zh-Hant-HK"));
        assert!(en.len() > 20, "catalogue looks empty: {}", en.len());
        let missing_zh: Vec<_> = en.difference(&zh).collect();
        let missing_en: Vec<_> = zh.difference(&en).collect();
        assert!(missing_zh.is_empty(), "keys missing in zh-Hant-HK: {missing_zh:?}");
        assert!(missing_en.is_empty(), "keys missing in en: {missing_en:?}");
        let args: Vec<(&str, String)> = [
            "year", "count", "value", "left", "max", "min", "until", "hours", "minutes", "seconds", "code", "from",
            "to", "total", "scope", "date",
        ]
        .iter()
        .map(|k| (*k, "1".to_string()))
        .collect();
        for k in &en {
            assert_ne!(Locale::En.t_args(k, &args), *k, "{k} has no English text");
            assert_ne!(Locale::ZhHant.t_args(k, &args), *k, "{k} has no Chinese text");
        }
    }
}
