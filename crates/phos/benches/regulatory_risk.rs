//! Risk scoring and register search with many premises: generates N premises (100,000 by
//! default, synth::premises::PremisesGenerator) with a licensee, a licence and 0–3 done
//! inspections each plus some complaints, loads them into the database in multi-row statements,
//! then measures:
//! - loading every premises' signals from the database (`risk::service::load_world` + gathering);
//! - pure scoring of every premises (`risk::rules::score`, in memory), best of 5 runs;
//! - the full recompute (load, score, store every score, fill the due list);
//! - ~200 mixed register searches (name EN/ZH substrings, district, type, status, deep pages)
//!   through `register::service::search` (the function the page and the API call), p50/p95/max.
//!
//! cargo bench -p phos --bench regulatory_risk -- [--database-url URL] [--premises 100000] [--searches 200]
//! (or `cargo test -p phos --bench regulatory_risk --` for a debug build)
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database.

mod common;

use std::time::{Duration, Instant};

use chrono::Duration as Days;
use regulatory::register::rules::Search;
use regulatory::risk::rules::{self, Weights};

struct Args {
    url: Option<String>,
    premises: usize,
    searches: usize,
}

fn args() -> Args {
    let mut a = Args { url: None, premises: 100_000, searches: 200 };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--premises" => a.premises = next.parse().expect("--premises N"),
            "--searches" => a.searches = next.parse().expect("--searches N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() - 1) as f64) * p).ceil() as usize]
}

/// Inserts rows of `cols` columns in multi-row statements.
async fn insert_rows(
    tx: &mut kernel::db::Tx,
    table_cols: &str,
    cols: usize,
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    for chunk in rows.chunks(kernel::db::rows_per_statement(cols)) {
        let sql = format!("INSERT INTO {table_cols} VALUES {}", kernel::db::values_placeholders(chunk.len(), cols));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            for v in r {
                q = match v {
                    Value::T(s) => q.bind(s.clone()),
                    Value::O(s) => q.bind(s.clone()),
                    Value::I(n) => q.bind(*n),
                    Value::F(x) => q.bind(*x),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

enum Value {
    T(String),
    O(Option<String>),
    I(i64),
    F(f64),
}

use Value::{F, I, O, T};

const OUTCOMES: [&str; 4] = ["compliant", "advice", "warning", "prosecution"];
const STATUSES: [&str; 5] = ["active", "active", "active", "suspended", "lapsed"];

async fn seed(db: &kernel::Db, n: usize) -> anyhow::Result<(usize, usize)> {
    let now = kernel::now_ms();
    let today = kernel::hk::today();
    let mut rng = Rng(13);
    let mut premises = Vec::with_capacity(n);
    let mut licensees = Vec::with_capacity(n);
    let mut licences = Vec::with_capacity(n);
    let mut inspections = vec![];
    let mut complaints = vec![];
    for (k, p) in synth::premises::PremisesGenerator::new(7).take(n).enumerate() {
        let company = rng.below(10) < 8;
        let lid = kernel::new_id();
        premises.push(vec![
            T(p.id.clone()),
            T(p.name_en.clone()),
            T(p.name_zh.clone()),
            T(p.address_en),
            T(p.address_zh),
            T(p.district),
            F(p.lat),
            F(p.lon),
            I(p.volume),
            I(now),
        ]);
        licensees.push(vec![
            T(lid.clone()),
            T(if company { "company" } else { "individual" }.into()),
            T(if company { format!("{} Limited", p.name_en) } else { format!("Person {k}") }),
            T(if company { format!("{}有限公司", p.name_zh) } else { format!("個人{k}") }),
            I(now),
        ]);
        let licence = kernel::new_id();
        let expires = today + Days::days(rng.below(365) as i64);
        licences.push(vec![
            T(licence.clone()),
            T(format!("BN-2026-{k:06}")),
            T(p.kind.to_string()),
            T(p.id.clone()),
            T(lid),
            T(STATUSES[rng.below(5) as usize].into()),
            T((expires - Days::days(365)).to_string()),
            T(expires.to_string()),
            T(format!("REG-BENCH-{k:06}")),
            I(now),
        ]);
        for _ in 0..rng.below(4) {
            let day = today - Days::days(20 + rng.below(900) as i64);
            let at = kernel::hk::start_of_day_ms(day) + 11 * 3_600_000;
            inspections.push(vec![
                T(kernel::new_id()),
                T(p.id.clone()),
                O(Some(licence.clone())),
                T("routine".into()),
                T(day.to_string()),
                T("done".into()),
                O(Some(OUTCOMES[(rng.below(100) as usize * 4 / 100).min(3)].into())),
                I(at),
                O(Some((day + Days::days(14)).to_string())),
                I(now),
            ]);
        }
        if rng.below(10) == 0 {
            complaints.push(vec![
                T(kernel::new_id()),
                T(format!("CMP-B-{k:06}")),
                O(Some(p.id.clone())),
                T("hygiene".into()),
                T("triaged".into()),
                I(now - rng.below(300) as i64 * 86_400_000),
            ]);
        }
    }
    let mut tx = db.begin().await?;
    insert_rows(
        &mut tx,
        "reg_premises (id, name_en, name_zh, address_en, address_zh, district, lat, lon, volume, created_at)",
        10,
        &premises,
    )
    .await?;
    insert_rows(&mut tx, "reg_licensees (id, kind, name_en, name_zh, created_at)", 5, &licensees).await?;
    insert_rows(
        &mut tx,
        "reg_licences (id, number, type_code, premises_id, licensee_id, status, issued_on, expires_on, case_ref, updated_at)",
        10,
        &licences,
    )
    .await?;
    insert_rows(
        &mut tx,
        "reg_inspections (id, premises_id, licence_id, kind, due_on, status, outcome, done_at, publish_after, created_at)",
        10,
        &inspections,
    )
    .await?;
    // Complaints need the other columns: written with constant texts.
    for chunk in complaints.chunks(kernel::db::rows_per_statement(6)) {
        let mut rows = String::new();
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                rows.push(',');
            }
            let b = r * 6;
            rows.push_str(&format!(
                "(${}, ${}, ${}, 'x', ${}, 'x', 1, 'en', ${}, 3, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 6
            ));
        }
        let sql = format!(
            "INSERT INTO reg_complaints (id, ref, premises_id, premises_text, category, description, anonymous, lang, \
             status, priority, created_at, updated_at) VALUES {rows}"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            for v in r {
                q = match v {
                    T(s) => q.bind(s.clone()),
                    O(s) => q.bind(s.clone()),
                    I(n) => q.bind(*n),
                    F(x) => q.bind(*x),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok((inspections.len(), complaints.len()))
}

/// ~`n` mixed searches: brand words in English (any case) and Chinese, districts, types,
/// statuses, combinations and deep pages.
fn searches(n: usize) -> Vec<Search> {
    let brands = [
        ("wing on", "永安"),
        ("tai hing", "泰興"),
        ("harbour", "海港"),
        ("lotus", "蓮花"),
        ("jade", "翡翠"),
        ("kowloon", "九龍"),
    ];
    let suffixes = ["pharmacy", "clinic", "藥房", "中藥行", "medical centre"];
    let districts: Vec<String> = kernel::hk::districts().iter().map(|d| d.code.clone()).collect();
    let types =
        ["pharmacy_retail", "pharmacy_wholesale", "cm_retail", "phf_clinic", "phf_day_procedure", "phf_hospital"];
    let mut rng = Rng(99);
    (0..n)
        .map(|i| {
            let mut s = Search { page: 1, per_page: 20, ..Search::default() };
            let b = brands[rng.below(brands.len() as u64) as usize];
            match i % 8 {
                0 => s.q = b.0.to_string(),
                1 => s.q = b.1.to_string(),
                2 => s.district = Some(districts[rng.below(18) as usize].clone()),
                3 => {
                    s.licence_type = Some(types[rng.below(6) as usize].to_string());
                    s.status = Some("active".into());
                }
                4 => {
                    s.q = b.0.to_string();
                    s.district = Some(districts[rng.below(18) as usize].clone());
                }
                5 => s.q = suffixes[rng.below(suffixes.len() as u64) as usize].to_string(),
                6 => {
                    s.district = Some(districts[rng.below(18) as usize].clone());
                    s.licence_type = Some(types[rng.below(6) as usize].to_string());
                    s.page = 1 + rng.below(5) as i64;
                }
                _ => s.page = 1 + rng.below(200) as i64,
            }
            s
        })
        .collect()
}

fn summary(label: &str, mut t: Vec<f64>) {
    t.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label}: n={} p50={:.1} ms p95={:.1} ms max={:.1} ms",
        t.len(),
        pct(&t, 0.5),
        pct(&t, 0.95),
        t.last().copied().unwrap_or(0.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("regulatory-risk")?;
    let opened = common::open(&dir, a.url.clone(), |_| {}).await?;
    let db = opened.db.clone();
    println!(
        "engine: {}, premises: {}, profile: {}",
        opened.engine,
        a.premises,
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );

    let t = Instant::now();
    let (inspections, complaints) = seed(&db, a.premises).await?;
    println!(
        "seeded {} premises, {} licences, {inspections} inspections, {complaints} complaints in {:.1} s",
        a.premises,
        a.premises,
        t.elapsed().as_secs_f64()
    );

    let now = kernel::now_ms();
    let today = kernel::hk::today();
    let t = Instant::now();
    let world = regulatory::risk::service::load_world(&db, now).await?;
    let loaded = t.elapsed();
    let t = Instant::now();
    let inputs = regulatory::risk::service::all_inputs(&world);
    let gathered = t.elapsed();
    println!(
        "load signals from the database: {:.0} ms (queries) + {:.0} ms (gathering per premises)",
        ms(loaded),
        ms(gathered)
    );

    let w = Weights::default();
    let mut best = Duration::MAX;
    let mut bands = [0usize; 3];
    for run in 0..5 {
        let t = Instant::now();
        let scores: Vec<rules::Score> = inputs.iter().map(|(_, i, _)| rules::score(i, &w, today)).collect();
        best = best.min(t.elapsed());
        if run == 0 {
            for s in &scores {
                bands[match s.band {
                    rules::Band::A => 0,
                    rules::Band::B => 1,
                    rules::Band::C => 2,
                }] += 1;
            }
        }
        std::hint::black_box(scores);
    }
    println!(
        "pure scoring of {} premises: {:.0} ms (best of 5); bands A/B/C = {}/{}/{}",
        inputs.len(),
        ms(best),
        bands[0],
        bands[1],
        bands[2]
    );
    assert!(best < Duration::from_secs(1) || cfg!(debug_assertions), "scoring 100k premises must take under 1 s");

    let t = Instant::now();
    let r = regulatory::risk::service::recompute_all(&db, today, now).await?;
    println!(
        "full recompute (load + score + store {} scores + due list, {} added): {:.1} s",
        r.scored,
        r.due_added,
        t.elapsed().as_secs_f64()
    );

    let types = regulatory::licence_types::store::all(&db).await?;
    let day = today.to_string();
    // Warm-up, then the measured searches.
    for s in searches(10) {
        regulatory::register::service::search(&db, &s, &types, &day, false).await?;
    }
    let mut times = vec![];
    let mut by_kind: Vec<Vec<f64>> = vec![vec![]; 8];
    let mut hits = 0i64;
    for (i, s) in searches(a.searches).into_iter().enumerate() {
        let t = Instant::now();
        let (rows, total) = regulatory::register::service::search(&db, &s, &types, &day, false).await?;
        let e = ms(t.elapsed());
        hits += total;
        std::hint::black_box(rows);
        times.push(e);
        by_kind[i % 8].push(e);
    }
    summary("register search (all)", times);
    let names = [
        "name EN",
        "name ZH",
        "district",
        "type+status",
        "name+district",
        "suffix word",
        "district+type+page",
        "deep page",
    ];
    for (k, t) in by_kind.into_iter().enumerate() {
        summary(&format!("  {}", names[k]), t);
    }
    println!("(matches summed over the searches: {hits})");
    if a.url.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}
