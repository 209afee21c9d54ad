//! Notification ingest: laboratory systems post batches of notifications over HTTP with a partner
//! token; we count notifications taken in per second and the latency of each batch, and check
//! that every notification became a case or was merged into one, and that the weekly counts
//! equal the cases.
//!
//! cargo bench -p phos --bench notify_ingest -- [--database-url URL] [--notifications 100000]
//!     [--batch 1000] [--clients 4] [--repeat-rate 0.05] [--warm 0]
//!
//! With --warm N, N other notifications are taken in first (not timed) and the database's
//! statistics refreshed (`ANALYZE`), as on an installation that has been running for a while.
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database. Prints one Markdown table row per run.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kernel::hkid::Hkid;
use kernel::identity::partner;
use kernel::jobs::WorkerOptions;
use serde_json::{Value, json};

struct Args {
    url: Option<String>,
    notifications: usize,
    batch: usize,
    clients: usize,
    repeat_rate: f64,
    warm: usize,
}

fn args() -> Args {
    let mut a = Args { url: None, notifications: 100_000, batch: 1000, clients: 4, repeat_rate: 0.05, warm: 0 };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--notifications" => a.notifications = next.parse().expect("--notifications N"),
            "--batch" => a.batch = next.parse().expect("--batch N"),
            "--clients" => a.clients = next.parse().expect("--clients N"),
            "--repeat-rate" => a.repeat_rate = next.parse().expect("--repeat-rate 0.05"),
            "--warm" => a.warm = next.parse().expect("--warm N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Notification `i`: mostly distinct people; a share repeats an earlier person and disease
/// (a laboratory confirming a doctor's notification), which must merge.
fn notification(i: usize, base: usize, repeat_rate: f64, today: chrono::NaiveDate) -> Value {
    const DISTRICTS: [&str; 6] = ["KT", "ST", "YL", "TM", "E", "KWT"];
    let repeats = i >= base + 100 && (i * 2_654_435_761 % 10_000) as f64 / 10_000.0 < repeat_rate;
    // A repeat is about someone notified shortly before (in this batch or a recent one).
    let person = if repeats { i - 1 - i % 50 } else { i };
    let hkid = Hkid::from_parts(["A", "B", "C", "D"][person % 4], &format!("{:06}", person % 1_000_000)).display();
    let (disease, fields) = match person % 5 {
        0 => ("tuberculosis", json!({"site_of_disease": "pulmonary"})),
        1 => ("dengue_fever", json!({"travel_history": "Bangkok"})),
        2 => ("covid_19", json!({})),
        3 => ("scarlet_fever", json!({})),
        _ => ("chickenpox", json!({})),
    };
    let onset = today - chrono::Duration::days((person % 20) as i64);
    json!({
        "reporter_ref": format!("LIS-{i}"),
        "disease": disease,
        "kind": "laboratory",
        "patient": {"hkid": hkid, "name_en": format!("BENCH PERSON {person}"), "sex": if person % 2 == 0 { "F" } else { "M" },
            "birth_date": "1985-06-15", "district": DISTRICTS[person % DISTRICTS.len()]},
        "onset_date": onset.to_string(),
        "lab": {"test": "PCR", "result": "positive", "specimen_date": today.to_string()},
        "fields": fields,
    })
}

/// A laboratory's API client, approved; returns its bearer token.
async fn laboratory_token(db: &kernel::Db) -> anyhow::Result<String> {
    let mut tx = db.begin().await?;
    let (client_id, secret) = partner::register_client(
        &mut tx,
        "Bench Pathology Laboratory",
        "government",
        "lab@example.com",
        "LIS",
        &["notifications:write".to_string()],
        1_000_000,
    )
    .await?;
    partner::set_status(&mut tx, &client_id, "approved").await?;
    tx.commit().await?;
    Ok(partner::issue_token(db, &client_id, &secret, None).await?.map_err(|e| anyhow::anyhow!("{e:?}"))?.access_token)
}

/// Notifications `range` in batches of `a.batch`, serialised (before the clock starts).
fn batches(a: &Args, range: std::ops::Range<usize>, today: chrono::NaiveDate) -> Vec<Vec<u8>> {
    let base = range.start;
    range
        .collect::<Vec<_>>()
        .chunks(a.batch)
        .map(|c| {
            let items: Vec<Value> = c.iter().map(|i| notification(*i, base, a.repeat_rate, today)).collect();
            serde_json::to_vec(&json!({ "notifications": items })).expect("json")
        })
        .collect()
}

/// Posts one batch; its answer when it was taken in (200).
async fn post_batch(client: &reqwest::Client, base: &str, token: &str, body: Vec<u8>) -> Option<Value> {
    let res = client
        .post(format!("{base}/api/v1/notifications/batch"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;
    match res {
        Ok(r) if r.status() == 200 => r.json().await.ok(),
        _ => None,
    }
}

/// What the clients saw: each batch's latency (µs), notifications created, merged and refused.
#[derive(Default)]
struct Sent {
    lat: Vec<u32>,
    created: usize,
    merged: usize,
    failed: usize,
}

/// `clients` clients post the batches concurrently, each taking the next one not yet sent.
async fn post_all(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    batches: Vec<Vec<u8>>,
    clients: usize,
) -> anyhow::Result<Sent> {
    let batches = Arc::new(batches);
    let next = Arc::new(AtomicUsize::new(0));
    let mut hs = vec![];
    for _ in 0..clients {
        let (client, base, token, batches, next) =
            (client.clone(), base.to_string(), token.to_string(), batches.clone(), next.clone());
        hs.push(tokio::spawn(async move {
            let mut sent = Sent::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= batches.len() {
                    break;
                }
                let t = Instant::now();
                let body = post_batch(&client, &base, &token, batches[i].clone()).await;
                sent.lat.push(t.elapsed().as_micros() as u32);
                match body {
                    Some(b) => {
                        sent.created += b["created"].as_u64().unwrap_or(0) as usize;
                        sent.failed += b["rejected"].as_u64().unwrap_or(0) as usize;
                        sent.merged += b["results"]
                            .as_array()
                            .map(|r| r.iter().filter(|x| x["notification"]["merged"] == true).count())
                            .unwrap_or(0);
                    }
                    None => sent.failed += 1_000_000,
                }
            }
            sent
        }));
    }
    let mut all = Sent::default();
    for h in hs {
        let s = h.await?;
        all.lat.extend(s.lat);
        all.created += s.created;
        all.merged += s.merged;
        all.failed += s.failed;
    }
    all.lat.sort_unstable();
    Ok(all)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("notify")?;
    let common::Opened { db, engine, state, .. } = common::open(&dir, a.url.clone(), |c| c.worker = false).await?;
    let token = laboratory_token(&db).await?;

    // Warm-up people come after the measured ones.
    let today = kernel::hk::today();
    let measured = batches(&a, 0..a.notifications, today);
    let warm = batches(&a, a.notifications..a.notifications + a.warm, today);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let server = phos::start(state, listener, None, WorkerOptions::default(), false)?;
    let base = server.url();
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(a.clients).timeout(Duration::from_secs(120)).build()?;
    for b in warm {
        anyhow::ensure!(post_batch(&client, &base, &token, b).await.is_some(), "warm-up batch refused");
    }
    if a.warm > 0 {
        sqlx::raw_sql("ANALYZE").execute(db.pool()).await?;
    }
    let start = Instant::now();
    let Sent { lat, created, merged, failed } = post_all(&client, &base, &token, measured, a.clients).await?;
    let total_s = start.elapsed().as_secs_f64();

    let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).fetch_one(db.pool());
    let cases = count("SELECT COUNT(*) FROM protection_cases").await?;
    let notifications = count("SELECT COUNT(*) FROM protection_notifications").await?;
    let weekly = count("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM protection_weekly_counts").await?;
    let merged_on_file = count("SELECT COUNT(*) FROM protection_notifications WHERE merged = 1").await?;
    server.shutdown().await?;
    println!(
        "| engine | already on file | notifications | batch | clients | notifications/s | batch p50 ms | batch p99 ms | cases | merged | refused | weekly counts = cases |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine} | {} | {} | {} | {} | {:.0} | {:.1} | {:.1} | {cases} | {merged} | {failed} | {} |",
        a.warm,
        a.notifications,
        a.batch,
        a.clients,
        created as f64 / total_s,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        weekly == cases
    );
    anyhow::ensure!(failed == 0, "{failed} notifications refused or batches failed");
    // Warm-up notifications are on file too; the measured ones all became cases or merged.
    anyhow::ensure!(
        created as i64 + a.warm as i64 == notifications && cases + merged_on_file == notifications,
        "lost notifications"
    );
    anyhow::ensure!(weekly == cases, "weekly counts {weekly} != cases {cases}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
