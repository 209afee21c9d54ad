//! The register's pure parts: reading a search (every bad parameter reported at once), what is
//! published (the holder's name only for companies, an outcome only after its appeal window),
//! and the CSV.

use serde::{Deserialize, Serialize};

use kernel::web::FieldError;

/// Licence statuses a search may filter on.
pub const STATUSES: [&str; 5] = ["active", "suspended", "revoked", "surrendered", "lapsed"];
/// Rows per page on the register page, and the most the JSON API gives per page.
pub const PAGE_SIZE: i64 = 20;
pub const MAX_PER_PAGE: i64 = 100;
/// The longest search text.
pub const MAX_Q: usize = 100;

/// A search as given (query string).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Part of the premises' name in English or Chinese, or of the licence number.
    pub q: Option<String>,
    /// District code (e.g. `KT`).
    pub district: Option<String>,
    /// Licence type code (e.g. `pharmacy_retail`).
    #[serde(rename = "type")]
    pub licence_type: Option<String>,
    /// Licence status: active, suspended, revoked, surrendered or lapsed.
    pub status: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Rows per page (JSON only; default 20, at most 100).
    pub per_page: Option<String>,
}

/// A search, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Search {
    pub q: String,
    pub district: Option<String>,
    pub licence_type: Option<String>,
    pub status: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

fn nonempty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Checks a search against the known licence types; every problem at once.
pub fn parse(p: &SearchParams, types: &[String]) -> Result<Search, Vec<FieldError>> {
    let mut errors = vec![];
    let q = nonempty(&p.q).unwrap_or_default();
    if q.chars().count() > MAX_Q {
        errors.push(FieldError::new("q", "reg_register_q_too_long", &[("max", MAX_Q.to_string())]));
    }
    let district = nonempty(&p.district);
    if let Some(d) = &district
        && kernel::hk::district(d).is_none()
    {
        errors.push(FieldError::new("district", "reg_register_unknown_district", &[("value", d.clone())]));
    }
    let licence_type = nonempty(&p.licence_type);
    if let Some(t) = &licence_type
        && !types.contains(t)
    {
        errors.push(FieldError::new("type", "reg_register_unknown_type", &[("value", t.clone())]));
    }
    let status = nonempty(&p.status);
    if let Some(s) = &status
        && !STATUSES.contains(&s.as_str())
    {
        errors.push(FieldError::new("status", "reg_register_unknown_status", &[("value", s.clone())]));
    }
    let whole = |name: &str, v: &Option<String>, default: i64, max: i64, errors: &mut Vec<FieldError>| -> i64 {
        match nonempty(v) {
            None => default,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(name, "reg_register_whole_number", &[("max", max.to_string())]));
                    default
                }
            },
        }
    };
    let page = whole("page", &p.page, 1, 1_000_000, &mut errors);
    let per_page = whole("per_page", &p.per_page, PAGE_SIZE, MAX_PER_PAGE, &mut errors);
    if errors.is_empty() { Ok(Search { q, district, licence_type, status, page, per_page }) } else { Err(errors) }
}

impl Search {
    /// The query string of this search without the page (for links and downloads).
    pub fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", Some(self.q.as_str()).filter(|q| !q.is_empty())),
            ("district", self.district.as_deref()),
            ("type", self.licence_type.as_deref()),
            ("status", self.status.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// An inspection outcome as published.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublishedOutcome {
    /// compliant, advice, warning or prosecution.
    pub outcome: String,
    /// YYYY-MM-DD (Hong Kong).
    pub inspected_on: String,
}

/// Whether an outcome is published on `today` (YYYY-MM-DD): once its appeal window has passed.
pub fn published(publish_after: Option<&str>, today: &str) -> bool {
    publish_after.is_some_and(|p| !p.is_empty() && p <= today)
}

/// The holder's name as published: a company's name; never an individual's.
pub fn holder_name(kind: &str, name: &str) -> Option<String> {
    (kind == "company").then(|| name.to_string())
}

/// One row of the register.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Entry {
    pub licence_number: String,
    pub licence_type: String,
    pub licence_type_en: String,
    pub licence_type_zh: String,
    /// active, suspended, revoked, surrendered or lapsed.
    pub status: String,
    /// YYYY-MM-DD.
    pub expires_on: String,
    pub premises_id: String,
    pub premises_name_en: String,
    pub premises_name_zh: String,
    pub address_en: String,
    pub address_zh: String,
    /// District code.
    pub district: String,
    /// The licence holder when it is a company (individuals are not named).
    pub holder_en: Option<String>,
    pub holder_zh: Option<String>,
    /// The latest inspection outcome published (after its appeal window), if any.
    pub latest_outcome: Option<PublishedOutcome>,
}

/// The CSV columns.
pub const CSV_HEADER: [&str; 15] = [
    "licence_number",
    "licence_type",
    "licence_type_en",
    "licence_type_zh",
    "status",
    "expires_on",
    "premises_name_en",
    "premises_name_zh",
    "address_en",
    "address_zh",
    "district",
    "holder_en",
    "holder_zh",
    "latest_outcome",
    "latest_outcome_on",
];

/// The entries as CSV (UTF-8 with a byte-order mark so that spreadsheets read the Chinese).
pub fn csv(entries: &[Entry]) -> anyhow::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(CSV_HEADER)?;
        for e in entries {
            let (outcome, on) =
                e.latest_outcome.as_ref().map(|o| (o.outcome.as_str(), o.inspected_on.as_str())).unwrap_or(("", ""));
            w.write_record([
                e.licence_number.as_str(),
                &e.licence_type,
                &e.licence_type_en,
                &e.licence_type_zh,
                &e.status,
                &e.expires_on,
                &e.premises_name_en,
                &e.premises_name_zh,
                &e.address_en,
                &e.address_zh,
                &e.district,
                e.holder_en.as_deref().unwrap_or(""),
                e.holder_zh.as_deref().unwrap_or(""),
                outcome,
                on,
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    #[test]
    fn reads_a_search_and_reports_every_bad_parameter() {
        let types = vec!["pharmacy_retail".to_string()];
        let s =
            parse(&params(&[("q", " Wing "), ("district", "KT"), ("type", "pharmacy_retail"), ("page", "2")]), &types)
                .unwrap();
        assert_eq!(s.q, "Wing");
        assert_eq!(
            (s.district.as_deref(), s.licence_type.as_deref(), s.page, s.per_page),
            (Some("KT"), Some("pharmacy_retail"), 2, 20)
        );
        assert_eq!(s.query_string(), "q=Wing&district=KT&type=pharmacy_retail");
        let e = parse(
            &params(&[("district", "XX"), ("type", "casino"), ("status", "open"), ("page", "0"), ("per_page", "500")]),
            &types,
        )
        .unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["district", "type", "status", "page", "per_page"]);
        assert_eq!(parse(&SearchParams::default(), &types).unwrap().page, 1);
    }

    #[test]
    fn outcomes_are_published_after_the_appeal_window_and_individuals_are_not_named() {
        assert!(published(Some("2026-12-01"), "2026-12-01"));
        assert!(!published(Some("2026-12-02"), "2026-12-01"));
        assert!(!published(None, "2026-12-01"));
        assert_eq!(holder_name("company", "Wing On Ltd").as_deref(), Some("Wing On Ltd"));
        assert_eq!(holder_name("individual", "CHAN Tai Man"), None);
    }

    #[test]
    fn csv_has_a_header_and_quotes() {
        let e = Entry {
            licence_number: "RP-2026-00001".into(),
            licence_type: "pharmacy_retail".into(),
            licence_type_en: "Retail, pharmacy".into(),
            licence_type_zh: "零售藥房".into(),
            status: "active".into(),
            expires_on: "2027-01-01".into(),
            premises_id: "p".into(),
            premises_name_en: "Wing On Pharmacy".into(),
            premises_name_zh: "永安藥房".into(),
            address_en: "1 Nathan Road".into(),
            address_zh: "彌敦道1號".into(),
            district: "YTM".into(),
            holder_en: None,
            holder_zh: None,
            latest_outcome: Some(PublishedOutcome { outcome: "advice".into(), inspected_on: "2026-10-01".into() }),
        };
        let text = String::from_utf8(csv(&[e]).unwrap()).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "RP-2026-00001,pharmacy_retail,\"Retail, pharmacy\",零售藥房,active,2027-01-01,Wing On Pharmacy,永安藥房,1 Nathan Road,彌敦道1號,YTM,,,advice,2026-10-01"
        );
    }
}
