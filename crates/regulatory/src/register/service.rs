//! The register's use cases (reads only): a search with its total, and a premises' public
//! record. Publishing rules are applied here, from [`super::rules`].

use std::collections::HashMap;

use super::rules::{self, Entry, PublishedOutcome, Search};
use super::store::{self, Row};
use crate::licence_types::LicenceType;

fn day_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&kernel::hk::tz()).date_naive().to_string())
        .unwrap_or_default()
}

fn entries(rows: Vec<Row>, types: &[LicenceType], outcomes: &HashMap<String, (String, i64)>) -> Vec<Entry> {
    let names: HashMap<&str, &LicenceType> = types.iter().map(|t| (t.code.as_str(), t)).collect();
    rows.into_iter()
        .map(|r| {
            let t = names.get(r.type_code.as_str());
            Entry {
                licence_type_en: t.map(|t| t.name.en.clone()).unwrap_or_else(|| r.type_code.clone()),
                licence_type_zh: t.map(|t| t.name.zh.clone()).unwrap_or_else(|| r.type_code.clone()),
                latest_outcome: outcomes
                    .get(&r.premises_id)
                    .map(|(o, at)| PublishedOutcome { outcome: o.clone(), inspected_on: day_of(*at) }),
                holder_en: rules::holder_name(&r.holder_kind, &r.holder_en),
                holder_zh: rules::holder_name(&r.holder_kind, &r.holder_zh),
                licence_number: r.number,
                licence_type: r.type_code,
                status: r.status,
                expires_on: r.expires_on,
                premises_id: r.premises_id,
                premises_name_en: r.name_en,
                premises_name_zh: r.name_zh,
                address_en: r.address_en,
                address_zh: r.address_zh,
                district: r.district,
            }
        })
        .collect()
}

/// One page of a search (`all`: every match, for the CSV) and the number of matches.
pub async fn search(
    db: &kernel::Db,
    s: &Search,
    types: &[LicenceType],
    today: &str,
    all: bool,
) -> sqlx::Result<(Vec<Entry>, i64)> {
    let (rows, total) = if all {
        let rows = store::search(db, s, None, 0).await?;
        let n = rows.len() as i64;
        (rows, n)
    } else {
        let offset = (s.page - 1) * s.per_page;
        let counted = if s.q.is_empty() { None } else { store::search_counted(db, s, s.per_page, offset).await? };
        match counted {
            Some(page) => page,
            None => {
                let total = store::count(db, s).await?;
                let rows = if offset < total { store::search(db, s, Some(s.per_page), offset).await? } else { vec![] };
                (rows, total)
            }
        }
    };
    let ids: Vec<String> = rows.iter().map(|r| r.premises_id.clone()).collect();
    let outcomes = store::latest_published(db, &ids, today).await?;
    Ok((entries(rows, types, &outcomes), total))
}

/// A premises' public record: its licences (as register entries) and its published outcomes.
pub async fn premises(
    db: &kernel::Db,
    id: &str,
    types: &[LicenceType],
    today: &str,
) -> sqlx::Result<Option<(Vec<Entry>, Vec<PublishedOutcome>)>> {
    let rows = store::of_premises(db, id).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let published: Vec<PublishedOutcome> = store::published_outcomes(db, id, today)
        .await?
        .into_iter()
        .map(|(o, at)| PublishedOutcome { outcome: o, inspected_on: day_of(at) })
        .collect();
    let latest: HashMap<String, (String, i64)> = HashMap::new();
    let mut e = entries(rows, types, &latest);
    for x in &mut e {
        x.latest_outcome = published.first().cloned();
    }
    Ok(Some((e, published)))
}
