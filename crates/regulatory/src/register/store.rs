//! The register's SQL: the search (name in English or Chinese or licence number, district,
//! licence type, status) with its count, the latest published outcome of premises, and a
//! premises' published inspections.

use std::collections::HashMap;

use super::rules::Search;

/// A row of the search, before publishing rules apply.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    pub number: String,
    pub type_code: String,
    pub status: String,
    pub expires_on: String,
    pub issued_on: String,
    pub premises_id: String,
    pub name_en: String,
    pub name_zh: String,
    pub address_en: String,
    pub address_zh: String,
    pub district: String,
    pub holder_kind: String,
    pub holder_en: String,
    pub holder_zh: String,
}

const FROM: &str =
    "FROM reg_licences l JOIN reg_premises p ON p.id = l.premises_id JOIN reg_licensees e ON e.id = l.licensee_id";
const COLS: &str = "l.number, l.type_code, l.status, l.expires_on, l.issued_on, p.id AS premises_id, p.name_en, p.name_zh, \
p.address_en, p.address_zh, p.district, e.kind AS holder_kind, e.name_en AS holder_en, e.name_zh AS holder_zh";

/// The WHERE clause of a search and its binds, in order.
fn filter(s: &Search) -> (String, Vec<String>) {
    let mut clauses = vec![];
    let mut binds = vec![];
    if !s.q.is_empty() {
        binds.push(kernel::db::contains_pattern(&s.q));
        let n = binds.len();
        clauses.push(format!(
            "(LOWER(p.name_en) LIKE ${n} ESCAPE '\\' OR p.name_zh LIKE ${n} ESCAPE '\\' OR LOWER(l.number) LIKE ${n} ESCAPE '\\')"
        ));
    }
    for (col, v) in [("p.district", &s.district), ("l.type_code", &s.licence_type), ("l.status", &s.status)] {
        if let Some(v) = v {
            binds.push(v.clone());
            clauses.push(format!("{col} = ${}", binds.len()));
        }
    }
    let w = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (w, binds)
}

/// How many licences match.
pub async fn count(db: &kernel::Db, s: &Search) -> sqlx::Result<i64> {
    let (w, binds) = filter(s);
    // Without a name filter the licensee join does not change the count.
    let sql = format!("SELECT COUNT(*) FROM reg_licences l JOIN reg_premises p ON p.id = l.premises_id{w}");
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    q.fetch_one(db.pool()).await
}

/// One page of matching licences, by premises name then licence number (`limit` none: all).
pub async fn search(db: &kernel::Db, s: &Search, limit: Option<i64>, offset: i64) -> sqlx::Result<Vec<Row>> {
    let (w, binds) = filter(s);
    let n = binds.len();
    let page = match limit {
        Some(_) => format!(" LIMIT ${} OFFSET ${}", n + 1, n + 2),
        None => String::new(),
    };
    let sql = format!("SELECT {COLS} {FROM}{w} ORDER BY p.name_en, l.number{page}");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    if let Some(l) = limit {
        q = q.bind(l).bind(offset);
    }
    q.fetch_all(db.pool()).await
}

/// A row of a page and the number of all matches.
#[derive(sqlx::FromRow)]
struct CountedRow {
    #[sqlx(flatten)]
    row: Row,
    total_count: i64,
}

/// One page of matches and their number in one pass (`COUNT(*) OVER ()`): for name searches,
/// which scan every row anyway, half the work of a count and a page. `None` when the page is past
/// the last match (the count is then unknown).
pub async fn search_counted(
    db: &kernel::Db,
    s: &Search,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Option<(Vec<Row>, i64)>> {
    let (w, binds) = filter(s);
    let n = binds.len();
    let sql = format!(
        "SELECT {COLS}, COUNT(*) OVER () AS total_count {FROM}{w} ORDER BY p.name_en, l.number LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let mut q = sqlx::query_as::<_, CountedRow>(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    let rows = q.bind(limit).bind(offset).fetch_all(db.pool()).await?;
    let Some(total) = rows.first().map(|r| r.total_count) else { return Ok(None) };
    Ok(Some((rows.into_iter().map(|r| r.row).collect(), total)))
}

/// The latest published outcome (outcome, done_at) of each of these premises, published on
/// `today` (YYYY-MM-DD) when `publish_after <= today`.
pub async fn latest_published(
    db: &kernel::Db,
    premises: &[String],
    today: &str,
) -> sqlx::Result<HashMap<String, (String, i64)>> {
    let mut out: HashMap<String, (String, i64)> = HashMap::new();
    let mut ids = premises.to_vec();
    ids.sort();
    ids.dedup();
    for chunk in ids.chunks(kernel::db::MAX_BINDS - 1) {
        let sql = format!(
            "SELECT premises_id, outcome, done_at FROM reg_inspections WHERE status = 'done' AND outcome IS NOT NULL \
             AND done_at IS NOT NULL AND publish_after IS NOT NULL AND publish_after <= $1 AND premises_id IN ({})",
            kernel::db::list_placeholders(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String, i64)>(sqlx::AssertSqlSafe(sql)).bind(today);
        for p in chunk {
            q = q.bind(p);
        }
        for (p, outcome, at) in q.fetch_all(db.pool()).await? {
            match out.get(&p) {
                Some((_, prev)) if *prev >= at => {}
                _ => {
                    out.insert(p, (outcome, at));
                }
            }
        }
    }
    Ok(out)
}

/// The licences of one premises, as register rows.
pub async fn of_premises(db: &kernel::Db, premises: &str) -> sqlx::Result<Vec<Row>> {
    let sql = format!("SELECT {COLS} {FROM} WHERE l.premises_id = $1 ORDER BY l.number");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(premises).fetch_all(db.pool()).await
}

/// A premises' published outcomes (outcome, done_at), latest first.
pub async fn published_outcomes(db: &kernel::Db, premises: &str, today: &str) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as(
        "SELECT outcome, done_at FROM reg_inspections WHERE premises_id = $1 AND status = 'done' \
         AND outcome IS NOT NULL AND done_at IS NOT NULL AND publish_after IS NOT NULL AND publish_after <= $2 \
         ORDER BY done_at DESC",
    )
    .bind(premises)
    .bind(today)
    .fetch_all(db.pool())
    .await
}
