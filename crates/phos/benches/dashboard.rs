//! Dashboard and open data with many cases: seeds N cases (1,000,000 by default) over two years
//! of report weeks, all diseases and districts, with the weekly counts and the delay counts kept
//! in step in each seeding transaction (as intake does), checks both against a recount of the
//! cases, then requests the staff dashboard (several filter combinations), the public
//! surveillance page and the open-data downloads over HTTP, one request at a time, and prints
//! p50 / p95 / max per page.
//!
//! cargo bench -p phos --bench dashboard -- [--database-url URL] [--cases 1000000] [--weeks 104]
//!     [--requests 200] [--no-check]
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database.

mod common;

use std::time::{Duration, Instant};

use kernel::identity::{Role, session, staff};
use kernel::jobs::WorkerOptions;
use protection::cases::Classification;
use protection::cases::store::NewContact;
use protection::counts::delays::{CaseTimes, DelayDeltas};
use protection::counts::weeks::{Cell, Deltas};
use protection::notifications::store::{NewCase, NewPerson};
use protection::{cases, catalogue, counts, notifications};

struct Args {
    url: Option<String>,
    cases: usize,
    weeks: i64,
    requests: usize,
    check: bool,
}

fn args() -> Args {
    let mut a = Args { url: None, cases: 1_000_000, weeks: 104, requests: 200, check: true };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--cases" => a.cases = next.parse().expect("--cases N"),
            "--weeks" => a.weeks = next.parse().expect("--weeks N"),
            "--requests" => a.requests = next.parse().expect("--requests N"),
            "--no-check" => {
                a.check = false;
                i += 1;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

/// A small deterministic generator (SplitMix64).
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
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
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

/// What the seeding draws from: diseases weighted (a few common, many rare), districts by
/// population, and the report weeks.
struct Population {
    diseases: Vec<String>,
    weights: Vec<f64>,
    wsum: f64,
    districts: &'static [kernel::hk::District],
    pop: f64,
    first: chrono::NaiveDate,
    span_days: i64,
}

impl Population {
    fn disease(&self, rng: &mut Rng) -> usize {
        let mut x = rng.unit() * self.wsum;
        let mut di = 0;
        while di + 1 < self.diseases.len() && x >= self.weights[di] {
            x -= self.weights[di];
            di += 1;
        }
        di
    }

    /// A district by population; 2 % of cases have none ("UNK").
    fn district(&self, rng: &mut Rng) -> String {
        if rng.below(100) < 2 {
            return "UNK".to_string();
        }
        let mut y = rng.unit() * self.pop;
        let mut j = 0;
        while j + 1 < self.districts.len() && y >= self.districts[j].population as f64 {
            y -= self.districts[j].population as f64;
            j += 1;
        }
        self.districts[j].code.clone()
    }
}

/// Case `i` and its person: classifications mostly confirmed, onsets 0–20 days before
/// notification for most, a first contact follow-up 0–6 days after notification for one in ten.
fn draw_case(p: &Population, rng: &mut Rng, i: usize) -> (NewPerson, NewCase) {
    let di = p.disease(rng);
    let district = p.district(rng);
    let class = match rng.below(100) {
        0..60 => Classification::Confirmed,
        60..80 => Classification::Probable,
        80..95 => Classification::Suspected,
        _ => Classification::Discarded,
    };
    let notified = p.first + chrono::Duration::days(rng.below(p.span_days as u64) as i64);
    let onset = (rng.below(100) < 85).then(|| notified - chrono::Duration::days(rng.below(21) as i64));
    let follow = (rng.below(10) == 0).then(|| (notified + chrono::Duration::days(rng.below(7) as i64)).to_string());
    let person_id = kernel::new_id();
    let person = NewPerson {
        id: person_id.clone(),
        hkid_hmac: None,
        hkid_masked: None,
        match_key: None,
        name_en: format!("BENCH PERSON {i}"),
        name_zh: String::new(),
        sex: if i.is_multiple_of(2) { "F".into() } else { "M".into() },
        birth_date: Some("1980-01-01".into()),
        phone: None,
        address: None,
        district: district.clone(),
        at: 0,
    };
    let case = NewCase {
        id: kernel::new_id(),
        reference: format!("BENCH-{i:07}"),
        person_id,
        disease: p.diseases[di].clone(),
        classification: class,
        onset_date: onset.map(|d| d.to_string()),
        notified_date: notified.to_string(),
        episode_date: onset.unwrap_or(notified).to_string(),
        district,
        exposure_setting: "unknown".into(),
        details: "{}".into(),
        notifications: 1,
        first_followup_date: follow,
        at: 0,
    };
    (person, case)
}

/// Inserts persons and cases with their weekly and delay counts in one transaction (as intake
/// does), and behind each first follow-up day one contact with one daily record.
async fn insert_batch(db: &kernel::Db, persons: &[NewPerson], cases: &[NewCase]) -> anyhow::Result<()> {
    let mut weekly = Deltas::default();
    let mut delays = DelayDeltas::default();
    for c in cases {
        weekly.add(Cell::new(&c.disease, c.notified_date.parse()?, &c.district, c.classification.code()), 1);
        delays.add(
            &CaseTimes {
                disease: &c.disease,
                notified_date: &c.notified_date,
                district: &c.district,
                classification: c.classification.code(),
                onset_date: c.onset_date.as_deref(),
                first_followup_date: c.first_followup_date.as_deref(),
            },
            1,
        );
    }
    let mut tx = db.begin().await?;
    db.lock_in_tx(&mut tx, "protection_intake").await?;
    notifications::store::insert_persons(&mut tx, persons).await?;
    notifications::store::insert_cases(&mut tx, cases).await?;
    counts::store::apply_deltas(&mut tx, &weekly.into_vec()).await?;
    counts::store::apply_delay_deltas(&mut tx, &delays.into_vec()).await?;
    for c in cases.iter().filter(|c| c.first_followup_date.is_some()) {
        let day = c.first_followup_date.clone().unwrap_or_default();
        let contact = kernel::new_id();
        cases::store::insert_contact(
            &mut tx,
            &NewContact {
                id: contact.clone(),
                case_id: c.id.clone(),
                name: "BENCH CONTACT".into(),
                phone: String::new(),
                relationship: "Household".into(),
                last_exposure: c.notified_date.clone(),
                follow_up_until: day.clone(),
                by: "system".into(),
                at: 0,
            },
        )
        .await?;
        cases::store::insert_followup(&mut tx, &contact, &day, false, "Well", "system", 0).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Seeds `a.cases` cases over `a.weeks` report weeks, 10,000 per transaction; returns the
/// disease codes (most common first).
async fn seed(db: &kernel::Db, a: &Args, today: chrono::NaiveDate) -> anyhow::Result<Vec<String>> {
    let diseases: Vec<String> = catalogue::store::diseases(db).await?.into_iter().map(|d| d.code).collect();
    let weights: Vec<f64> = (0..diseases.len()).map(|i| 1.0 / (1.0 + i as f64).powf(1.2)).collect();
    let districts = kernel::hk::districts();
    let first = protection::counts::weeks::week_start(today) - chrono::Duration::weeks(a.weeks - 1);
    let p = Population {
        wsum: weights.iter().sum(),
        weights,
        diseases,
        pop: districts.iter().map(|d| d.population as f64).sum(),
        districts,
        first,
        span_days: (today - first).num_days() + 1,
    };
    let mut rng = Rng(42);
    let started = Instant::now();
    let per_tx = 10_000;
    let mut done = 0;
    while done < a.cases {
        let n = per_tx.min(a.cases - done);
        let (persons, cases): (Vec<_>, Vec<_>) = (done..done + n).map(|i| draw_case(&p, &mut rng, i)).unzip();
        insert_batch(db, &persons, &cases).await?;
        done += n;
        if done % 100_000 == 0 {
            eprintln!("{done} cases seeded ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }
    Ok(p.diseases)
}

/// Checks the weekly and delay counts against a recount of the cases.
async fn check_counts(db: &kernel::Db) -> anyhow::Result<()> {
    let t = Instant::now();
    let diff = protection::counts::differences(db).await?;
    let (ddiff, stale) = protection::counts::delay_differences(db).await?;
    anyhow::ensure!(
        diff.is_empty() && ddiff.is_empty() && stale == 0,
        "counts differ from the cases: {} weekly cells, {} delay cells, {stale} stale first follow-ups",
        diff.len(),
        ddiff.len()
    );
    eprintln!("weekly and delay counts equal a recount of the cases ({:.1} s)", t.elapsed().as_secs_f64());
    Ok(())
}

/// An epidemiologist's session: an HTTP client that sends its cookie.
async fn epidemiologist(db: &kernel::Db) -> anyhow::Result<reqwest::Client> {
    let hash = kernel::identity::password::hash_async("kowloon peak sunrise walk".into()).await;
    let mut tx = db.begin().await?;
    let (user, _) =
        staff::create(&mut tx, "bench.epi@dh.test", "Bench Epi", &[Role::Epidemiologist], Some(hash)).await?;
    let token = session::create(&mut tx, "staff", &user.id, "127.0.0.1").await?;
    tx.commit().await?;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("phos_session={token}").parse()?);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// The pages timed: (name, path).
fn pages(common: &str, today: chrono::NaiveDate) -> Vec<(String, String)> {
    let year_ago = (today - chrono::Duration::weeks(52)).to_string();
    vec![
        ("dashboard: all diseases, 12 weeks".into(), "/staff/protection/dashboard".into()),
        ("dashboard: all diseases, 52 weeks".into(), "/staff/protection/dashboard?weeks=52".into()),
        (format!("dashboard: {common}, 26 weeks"), format!("/staff/protection/dashboard?disease={common}&weeks=26")),
        (
            "dashboard: KT, 52 weeks, with suspected, by region".into(),
            "/staff/protection/dashboard?district=KT&weeks=52&class=cps&stack=region".into(),
        ),
        ("public page (default disease)".into(), "/surveillance".into()),
        ("CSV: all diseases, 12 weeks".into(), "/api/v1/surveillance/weekly-counts?format=csv".into()),
        (
            format!("JSON: {common}, 52 weeks"),
            format!("/api/v1/surveillance/weekly-counts?disease={common}&from={year_ago}"),
        ),
    ]
}

/// Requests `path` once (checked, not timed), then `requests` times; returns the sorted
/// latencies in ms and the body's size.
async fn time_page(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    requests: usize,
) -> anyhow::Result<(Vec<f64>, usize)> {
    let res = client.get(format!("{base}{path}")).send().await?;
    anyhow::ensure!(res.status() == 200, "{path}: {}", res.status());
    let body = res.text().await?;
    anyhow::ensure!(!path.starts_with("/staff") || body.contains("id=\"kpi-table\""), "{path}: not the dashboard");
    let mut lat = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        let res = client.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(res.status() == 200, "{path}: {}", res.status());
        res.bytes().await?;
        lat.push(ms(t.elapsed()));
    }
    lat.sort_by(|x, y| x.total_cmp(y));
    Ok((lat, body.len()))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("dashboard")?;
    let common::Opened { db, engine, state, .. } = common::open(&dir, a.url.clone(), |c| c.worker = false).await?;

    let today = kernel::hk::today();
    let started = Instant::now();
    let diseases = seed(&db, &a, today).await?;
    let seed_s = started.elapsed().as_secs_f64();
    // What autovacuum does on a running PostgreSQL (statistics, and the visibility map that lets
    // index-only scans skip the table); SQLite gets its statistics.
    let refresh = if engine == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" };
    sqlx::raw_sql(refresh).execute(db.pool()).await?;
    let weekly_rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM protection_weekly_counts").fetch_one(db.pool()).await?;
    let delay_rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM protection_delay_counts").fetch_one(db.pool()).await?;
    let cases_on_file: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM protection_cases").fetch_one(db.pool()).await?;
    eprintln!(
        "{engine}: {cases_on_file} cases in {seed_s:.0} s; {weekly_rows} weekly-count rows, {delay_rows} delay-count rows"
    );
    if a.check {
        check_counts(&db).await?;
    }

    let client = epidemiologist(&db).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server = phos::start(state, listener, None, WorkerOptions::default(), false)?;
    let base = server.url();
    println!("| engine | cases | page | requests | p50 ms | p95 ms | max ms | bytes |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut worst: f64 = 0.0;
    for (name, path) in &pages(&diseases[0], today) {
        let (lat, bytes) = time_page(&client, &base, path, a.requests).await?;
        let p95 = pct(&lat, 0.95);
        worst = worst.max(p95);
        println!(
            "| {engine} | {cases_on_file} | {name} | {} | {:.1} | {p95:.1} | {:.1} | {bytes} |",
            a.requests,
            pct(&lat, 0.5),
            lat[lat.len() - 1]
        );
    }
    server.shutdown().await?;
    eprintln!("seeding {seed_s:.0} s; worst p95 {worst:.1} ms");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
