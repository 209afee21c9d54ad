//! Booking surge: many concurrent clients over HTTP try to book far more attempts than there are
//! places, and we count confirmed bookings per second, latency, and oversold slots (must be 0).
//!
//! cargo bench -p phos --bench booking_surge -- [--database-url URL] [--replicas N]
//!     [--clients 200] [--attempts 100000] [--places 10000]
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database. Prints one Markdown table row per run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clinics::booking::Session;
use kernel::db::values_placeholders;
use kernel::identity::session;
use kernel::jobs::WorkerOptions;
use kernel::{Config, Db};

struct Args {
    url: Option<String>,
    replicas: usize,
    clients: usize,
    attempts: usize,
    places: i64,
    worker: bool,
}

fn args() -> Args {
    let mut a = Args { url: None, replicas: 1, clients: 200, attempts: 100_000, places: 10_000, worker: true };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        if v[i] == "--no-worker" {
            a.worker = false;
            i += 1;
            continue;
        }
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--replicas" => a.replicas = next.parse().expect("--replicas N"),
            "--clients" => a.clients = next.parse().expect("--clients N"),
            "--attempts" => a.attempts = next.parse().expect("--attempts N"),
            "--places" => a.places = next.parse().expect("--places N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

/// CPU time this process has used (user + system), in seconds (Linux `/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(") ").next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of the file (utime, stime) are 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = std::env::temp_dir().join(format!("phos-surge-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = a.url.clone().unwrap_or_else(|| format!("sqlite://{}/phos.db", dir.display()));
    let config = Config {
        data_dir: dir.clone(),
        database_url: Some(url.clone()),
        listen: "127.0.0.1:0".parse()?,
        worker: a.worker,
        log: "warn".into(),
        ..Config::default()
    };
    let db = phos::connect_and_migrate(&config).await?;
    let engine = db.engine().name();
    let state = phos::state(config.clone(), db.clone()).await?;

    // Places: 100 per slot on one weekday session per clinic-day, at the dental clinics.
    let setup = Instant::now();
    let mut tx = db.begin().await?;
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await?;
    let today = kernel::hk::today();
    let per_slot = 100;
    let slots_needed = (a.places / per_slot) as usize;
    for weekday in 1..=7 {
        let s = Session {
            id: format!("surge-{weekday}"),
            service_point: "DC-KC".into(),
            service: "dental_gp".into(),
            weekday,
            start_time: "08:00".into(),
            end_time: "20:00".into(),
            slot_minutes: 15,
            capacity: per_slot,
            pool_walkin: 0,
            pool_elderly: 0,
            valid_from: today.to_string(),
            valid_to: (today + chrono::Duration::days(60)).to_string(),
        };
        clinics::booking::store::insert_session(&mut tx, &s, "bench").await?;
    }
    tx.commit().await?;
    clinics::booking::store::generate_slots(
        &db,
        None,
        today + chrono::Duration::days(1),
        today + chrono::Duration::days(60),
    )
    .await?;
    let slot_ids: Vec<String> = sqlx::query_scalar("SELECT id FROM clinic_slots ORDER BY starts_at")
        .fetch_all(db.pool())
        .await?
        .into_iter()
        .take(slots_needed)
        .collect();
    anyhow::ensure!(slot_ids.len() == slots_needed, "only {} slots", slot_ids.len());
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE clinic_slots SET status = 'closed' WHERE id NOT IN ({})",
        slot_ids.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(",")
    )))
    .execute(db.pool())
    .await?;

    // One citizen and one signed-in session per attempt (one active booking per person).
    let mut people = Vec::with_capacity(a.attempts);
    let now = kernel::now_ms();
    let per_statement = kernel::db::rows_per_statement(11);
    for chunk_start in (0..a.attempts).step_by(per_statement) {
        let n = (a.attempts - chunk_start).min(per_statement);
        let mut tx = db.begin().await?;
        let mut cit = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO citizens (id, name_en, name_zh, sex, birth_date, district, email, preferred_lang, contact_channel, synthetic, created_at) VALUES {}",
            values_placeholders(n, 11)
        )));
        let mut batch = vec![];
        for i in 0..n {
            let id = kernel::new_id();
            let token = session::random_token();
            cit = cit
                .bind(id.clone())
                .bind(format!("SURGE {}", chunk_start + i))
                .bind("")
                .bind("F")
                .bind("1980-01-01")
                .bind("KC")
                .bind(format!("surge{}@example.com", chunk_start + i))
                .bind("en")
                .bind("email")
                .bind(1i64)
                .bind(now);
            batch.push((id, token));
        }
        cit.execute(&mut *tx).await?;
        let mut ses = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO sessions (id_hash, kind, subject_id, created_at, last_seen_at, expires_at, ip) VALUES {}",
            values_placeholders(n, 7)
        )));
        for (id, token) in &batch {
            ses = ses
                .bind(session::token_hash(token))
                .bind("citizen")
                .bind(id.clone())
                .bind(now)
                .bind(now)
                .bind(now + 3_600_000)
                .bind("bench");
        }
        ses.execute(&mut *tx).await?;
        tx.commit().await?;
        for (_, token) in batch {
            let csrf = session::csrf_token(&state.keys.csrf, &session::token_hash(&token));
            people.push((token, csrf));
        }
    }
    let setup_s = setup.elapsed().as_secs_f64();

    // Servers: one, or several replicas over the same database (PostgreSQL).
    let mut servers = vec![];
    for r in 0..a.replicas {
        let db_r = if r == 0 { db.clone() } else { Db::connect(&url).await? };
        let st = phos::state(config.clone(), db_r).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        servers.push(phos::start(st, listener, None, WorkerOptions::default(), false)?);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();

    let client = reqwest::Client::builder().pool_max_idle_per_host(a.clients).build()?;
    // Trivial endpoint, same clients, 3 seconds.
    let trivial_done = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut hs = vec![];
    for c in 0..a.clients {
        let (client, url, done) = (client.clone(), urls[c % urls.len()].clone(), trivial_done.clone());
        hs.push(tokio::spawn(async move {
            while t0.elapsed() < Duration::from_secs(3) {
                if client.get(format!("{url}/healthz")).send().await.map(|r| r.status().is_success()).unwrap_or(false) {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for h in hs {
        h.await?;
    }
    let trivial_rps = trivial_done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64();

    // The surge.
    let people = Arc::new(people);
    let slots = Arc::new(slot_ids);
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let mut hs = vec![];
    for c in 0..a.clients {
        let (client, url, people, slots, next) =
            (client.clone(), urls[c % urls.len()].clone(), people.clone(), slots.clone(), next.clone());
        hs.push(tokio::spawn(async move {
            let mut lat = vec![];
            let (mut ok, mut full, mut other) = (0usize, 0usize, 0usize);
            let mut last_ok = start;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= people.len() {
                    break;
                }
                let (token, csrf) = &people[i];
                // People crowd the earliest times: pick among the first slots with room, spread by index.
                let slot = &slots[(i * 7919) % slots.len()];
                let t = Instant::now();
                let res = client
                    .post(format!("{url}/api/v1/bookings"))
                    .header("cookie", format!("phos_session={token}"))
                    .header("x-csrf-token", csrf)
                    .json(&serde_json::json!({ "slot_id": slot }))
                    .send()
                    .await;
                lat.push(t.elapsed().as_micros() as u32);
                match res.map(|r| r.status().as_u16()) {
                    Ok(201) => {
                        ok += 1;
                        last_ok = Instant::now();
                    }
                    Ok(409) => full += 1,
                    _ => other += 1,
                }
            }
            (lat, ok, full, other, last_ok)
        }));
    }
    let mut lat = vec![];
    let (mut ok, mut full, mut other) = (0, 0, 0);
    let mut last_ok = start;
    for h in hs {
        let (l, o, f, x, lo) = h.await?;
        lat.extend(l);
        ok += o;
        full += f;
        other += x;
        last_ok = last_ok.max(lo);
    }
    let total_s = start.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu_start;
    let confirm_s = last_ok.duration_since(start).as_secs_f64();
    lat.sort_unstable();
    let oversold = clinics::booking::store::inconsistent_slots(&db).await?;
    let booked: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM clinic_slots")
        .fetch_one(db.pool())
        .await?;
    for s in servers {
        s.shutdown().await?;
    }
    println!("worker delivering confirmations during the surge: {}", a.worker);
    println!(
        "CPU of this process (server and clients) during the surge: {cpu_s:.1} s for {} attempts = {:.2} ms per attempt; wall {total_s:.1} s",
        a.attempts,
        cpu_s * 1000.0 / a.attempts as f64
    );
    println!(
        "| engine | replicas | clients | attempts | places | confirmed | confirmed/s | attempts/s | p50 ms | p99 ms | errors | oversold slots | /healthz req/s | setup s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine} | {} | {} | {} | {} | {ok} (DB counters {booked}) | {:.0} | {:.0} | {:.1} | {:.1} | {other} (409 full: {full}) | {} | {:.0} | {:.1} |",
        a.replicas,
        a.clients,
        a.attempts,
        a.places,
        ok as f64 / confirm_s.max(1e-9),
        a.attempts as f64 / total_s,
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        oversold.len(),
        trivial_rps,
        setup_s
    );
    anyhow::ensure!(oversold.is_empty() && booked as usize == ok && ok as i64 <= a.places, "OVERSOLD: {oversold:?}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
