//! Booking surge: many concurrent clients over HTTP try to book far more attempts than there are
//! places, and we count confirmed bookings per second, latency, and oversold slots (must be 0).
//!
//! cargo bench -p phos --bench booking_surge -- [--database-url URL] [--replicas N]
//!     [--clients 200] [--attempts 100000] [--places 10000] [--kill-replica-after N]
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database. Prints one Markdown table row per run.
//!
//! `--kill-replica-after N` is a fault test of the scale-out claim (PostgreSQL only): the replicas
//! (2 unless --replicas says more) run as separate `phos serve` processes on the same database,
//! and the second is killed with SIGKILL once N bookings have been answered 201. Its clients then
//! go to the surviving replica (as a load balancer would). At the end the bench checks that every
//! booking answered 201 is in the database with its confirmation in the outbox and its audit
//! entry, that no slot is oversold, that the audit chain is intact, and that the surviving replica
//! kept answering after the kill; it fails otherwise.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    kill_replica_after: Option<usize>,
}

fn args() -> Args {
    let mut a = Args {
        url: None,
        replicas: 1,
        clients: 200,
        attempts: 100_000,
        places: 10_000,
        worker: true,
        kill_replica_after: None,
    };
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
            "--kill-replica-after" => a.kill_replica_after = Some(next.parse().expect("--kill-replica-after N")),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    if a.kill_replica_after.is_some() {
        a.replicas = a.replicas.max(2);
    }
    a
}

/// A replica running as its own `phos serve` process (so that it can be killed with SIGKILL).
struct Replica {
    child: tokio::process::Child,
    url: String,
}

async fn spawn_replica(url: &str, data_dir: &std::path::Path, worker: bool) -> anyhow::Result<Replica> {
    std::fs::create_dir_all(data_dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log = std::fs::File::create(data_dir.join("phos.log"))?;
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_phos"))
        .arg("serve")
        .env("PHOS_DATABASE_URL", url)
        .env("PHOS_DATA_DIR", data_dir)
        .env("PHOS_LISTEN", format!("127.0.0.1:{port}"))
        .env("PHOS_LOG", "warn")
        .env("PHOS_WORKER", worker.to_string())
        .env_remove("PHOS_MQTT_URL")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()?;
    let replica = Replica { child, url: format!("http://127.0.0.1:{port}") };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let ready = client.get(format!("{}/readyz", replica.url)).send().await;
        if ready.map(|r| r.status().is_success()).unwrap_or(false) {
            return Ok(replica);
        }
        anyhow::ensure!(Instant::now() < deadline, "replica at {} not ready (see {})", replica.url, data_dir.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the fault test saw, shared by the clients.
#[derive(Default)]
struct Fault {
    /// Bookings answered 201 so far (all replicas).
    confirmed: AtomicUsize,
    killed: AtomicBool,
    /// Milliseconds after the start of the surge when the replica was killed.
    killed_at_ms: AtomicU64,
    /// Requests to the killed replica that got no HTTP answer.
    lost: AtomicUsize,
    /// Answers (any HTTP status) and transport errors from the survivor after the kill.
    survivor_answers: AtomicUsize,
    survivor_201: AtomicUsize,
    survivor_errors: AtomicUsize,
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

/// Places: 100 per slot on one weekday session per clinic-day, at one dental clinic; every slot
/// beyond the places needed is closed. Returns the open slots' ids, earliest first.
async fn open_places(db: &Db, places: i64) -> anyhow::Result<Vec<String>> {
    let mut tx = db.begin().await?;
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await?;
    let today = kernel::hk::today();
    let per_slot = 100;
    let slots_needed = (places / per_slot) as usize;
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
        db,
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
    Ok(slot_ids)
}

/// One citizen and one signed-in session per attempt (one active booking per person), written
/// in multi-row statements. Returns each person's (session token, CSRF token) and the citizen ids.
async fn sign_in_people(
    db: &Db,
    csrf_key: &[u8],
    attempts: usize,
) -> anyhow::Result<(Vec<(String, String)>, Vec<String>)> {
    let mut people = Vec::with_capacity(attempts);
    let mut citizen_ids: Vec<String> = Vec::with_capacity(attempts);
    let now = kernel::now_ms();
    let per_statement = kernel::db::rows_per_statement(11);
    for chunk_start in (0..attempts).step_by(per_statement) {
        let n = (attempts - chunk_start).min(per_statement);
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
        for (id, token) in batch {
            citizen_ids.push(id);
            let csrf = session::csrf_token(csrf_key, &session::token_hash(&token));
            people.push((token, csrf));
        }
    }
    Ok((people, citizen_ids))
}

/// The servers: one, or several replicas over the same database (PostgreSQL): in this process,
/// or as `phos serve` processes for the fault test.
struct Servers {
    in_process: Vec<phos::Running>,
    processes: Vec<Replica>,
    urls: Vec<String>,
}

async fn start_servers(
    a: &Args,
    db: &Db,
    config: &Config,
    url: &str,
    dir: &std::path::Path,
) -> anyhow::Result<Servers> {
    let mut in_process = vec![];
    let mut processes = vec![];
    if a.kill_replica_after.is_some() {
        anyhow::ensure!(
            db.engine() == kernel::Engine::Postgres,
            "--kill-replica-after needs --database-url postgres://…"
        );
        for r in 0..a.replicas {
            processes.push(spawn_replica(url, &dir.join(format!("replica-{r}")), a.worker).await?);
        }
    } else {
        for r in 0..a.replicas {
            let db_r = if r == 0 { db.clone() } else { Db::connect(url).await? };
            let st = phos::state(config.clone(), db_r).await?;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            in_process.push(phos::start(st, listener, None, WorkerOptions::default(), false)?);
        }
    }
    let urls: Vec<String> = if processes.is_empty() {
        in_process.iter().map(|s| s.url()).collect()
    } else {
        processes.iter().map(|p| p.url.clone()).collect()
    };
    Ok(Servers { in_process, processes, urls })
}

/// Requests per second on a trivial endpoint (`/healthz`), same clients, 3 seconds.
async fn trivial_rps(client: &reqwest::Client, urls: &[String], clients: usize) -> anyhow::Result<f64> {
    let trivial_done = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut hs = vec![];
    for c in 0..clients {
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
    Ok(trivial_done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64())
}

/// The fault test's killer: once notified, SIGKILLs the replica and records when.
fn spawn_killer(
    mut child: tokio::process::Child,
    kill_now: Arc<tokio::sync::Notify>,
    fault: Arc<Fault>,
) -> tokio::task::JoinHandle<Option<std::process::ExitStatus>> {
    tokio::spawn(async move {
        kill_now.notified().await;
        fault.killed_at_ms.store(START.get().map(|s| s.elapsed().as_millis() as u64).unwrap_or(0), Ordering::SeqCst);
        fault.killed.store(true, Ordering::SeqCst);
        child.start_kill().expect("SIGKILL the replica"); // tokio sends SIGKILL on Unix
        child.wait().await.ok()
    })
}

/// What every surge client shares.
struct SurgeCtx {
    client: reqwest::Client,
    urls: Vec<String>,
    people: Vec<(String, String)>,
    slots: Vec<String>,
    next: AtomicUsize,
    fault: Arc<Fault>,
    kill_now: Arc<tokio::sync::Notify>,
    kill_after: Option<usize>,
    /// The replica the fault test kills (the last one); its clients then go to the first.
    victim: Option<usize>,
    start: Instant,
}

/// What the clients saw: latencies (µs), answers 201, 409 and other, the last 201, and (for the
/// fault test) the references answered 201 with the attempt's index.
struct Outcome {
    lat: Vec<u32>,
    ok: usize,
    full: usize,
    other: usize,
    last_ok: Instant,
    confirmed: Vec<(String, usize)>,
}

impl Outcome {
    fn new(start: Instant) -> Outcome {
        Outcome { lat: vec![], ok: 0, full: 0, other: 0, last_ok: start, confirmed: vec![] }
    }
}

/// Counts an answer from the survivor after the kill.
fn count_survivor(fault: &Fault, status: Option<u16>) {
    match status {
        Some(s) => {
            fault.survivor_answers.fetch_add(1, Ordering::Relaxed);
            if s == 201 {
                fault.survivor_201.fetch_add(1, Ordering::Relaxed);
            }
        }
        None => {
            fault.survivor_errors.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Client `c`: books for the next person not yet tried until everyone has tried.
async fn surge_client(c: usize, x: Arc<SurgeCtx>) -> Outcome {
    let mut target = c % x.urls.len();
    let mut out = Outcome::new(x.start);
    loop {
        let i = x.next.fetch_add(1, Ordering::Relaxed);
        if i >= x.people.len() {
            break;
        }
        let (token, csrf) = &x.people[i];
        // People crowd the earliest times: pick among the first slots with room, spread by index.
        let slot = &x.slots[(i * 7919) % x.slots.len()];
        let after_kill = x.fault.killed.load(Ordering::SeqCst);
        let t = Instant::now();
        let res = x
            .client
            .post(format!("{}/api/v1/bookings", x.urls[target]))
            .header("cookie", format!("phos_session={token}"))
            .header("x-csrf-token", csrf)
            .json(&serde_json::json!({ "slot_id": slot }))
            .send()
            .await;
        out.lat.push(t.elapsed().as_micros() as u32);
        let on_victim = Some(target) == x.victim;
        let status = res.as_ref().map(|r| r.status().as_u16()).ok();
        if after_kill && !on_victim {
            count_survivor(&x.fault, status);
        }
        match (status, res) {
            (Some(201), Ok(r)) => {
                out.ok += 1;
                out.last_ok = Instant::now();
                if x.kill_after.is_some() {
                    let body: serde_json::Value = r.json().await.unwrap_or_default();
                    out.confirmed.push((body["reference"].as_str().unwrap_or_default().to_string(), i));
                    if Some(x.fault.confirmed.fetch_add(1, Ordering::SeqCst) + 1) == x.kill_after {
                        x.kill_now.notify_one();
                    }
                }
            }
            (Some(409), _) => out.full += 1,
            (None, _) if on_victim && x.fault.killed.load(Ordering::SeqCst) => {
                // The replica is gone: this attempt got no answer (it may or may not have
                // been written); the client goes to the surviving replica from now on.
                x.fault.lost.fetch_add(1, Ordering::Relaxed);
                out.other += 1;
                target = 0;
            }
            _ => out.other += 1,
        }
    }
    out
}

/// Runs the surge with `clients` clients; returns what they saw, all together.
async fn surge(x: Arc<SurgeCtx>, clients: usize) -> anyhow::Result<Outcome> {
    let mut hs = vec![];
    for c in 0..clients {
        hs.push(tokio::spawn(surge_client(c, x.clone())));
    }
    let mut all = Outcome::new(x.start);
    for h in hs {
        let o = h.await?;
        all.lat.extend(o.lat);
        all.ok += o.ok;
        all.full += o.full;
        all.other += o.other;
        all.last_ok = all.last_ok.max(o.last_ok);
        all.confirmed.extend(o.confirmed);
    }
    all.lat.sort_unstable();
    Ok(all)
}

/// The fault test's table and checks.
#[allow(clippy::too_many_arguments)] // one call, from main: the figures of one run, named
fn fault_report(
    a: &Args,
    victim: usize,
    fault: &Fault,
    confirmed: usize,
    exit: Option<std::process::ExitStatus>,
    survivor_ready: bool,
    k: &AfterKill,
    oversold: &[(String, i64, i64, i64)],
    booked: i64,
) -> anyhow::Result<()> {
    let killed_at = fault.killed_at_ms.load(Ordering::SeqCst) as f64 / 1000.0;
    println!();
    println!(
        "fault test: replica {victim} killed with SIGKILL after {} bookings answered 201, {killed_at:.2} s into the surge (exit: {})",
        a.kill_replica_after.unwrap_or_default(),
        exit.map(|e| e.to_string()).unwrap_or_else(|| "unknown".into())
    );
    println!(
        "| answered 201 | of them in the DB with confirmation and audit entry | missing | bookings in the DB | written but never answered 201 | attempts lost with the replica | survivor answers after the kill (201) | survivor errors after the kill | survivor /readyz after | audit chain | outbox queued / sending / delivered |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} / {} / {} |",
        confirmed,
        k.complete,
        k.missing.len(),
        k.db_bookings,
        k.unanswered,
        fault.lost.load(Ordering::Relaxed),
        fault.survivor_answers.load(Ordering::Relaxed),
        fault.survivor_201.load(Ordering::Relaxed),
        fault.survivor_errors.load(Ordering::Relaxed),
        if survivor_ready { "200" } else { "NOT READY" },
        k.audit,
        k.outbox.get("queued").unwrap_or(&0),
        k.outbox.get("sending").unwrap_or(&0),
        k.outbox.get("delivered").unwrap_or(&0),
    );
    anyhow::ensure!(
        confirmed >= a.kill_replica_after.unwrap_or_default(),
        "only {confirmed} bookings were answered 201, so the replica was killed after the surge: choose N below the places"
    );
    anyhow::ensure!(
        k.missing.is_empty(),
        "answered 201 but not complete in the database: {:?}",
        &k.missing[..k.missing.len().min(10)]
    );
    anyhow::ensure!(k.audit_intact, "audit chain broken after the kill: {}", k.audit);
    anyhow::ensure!(fault.killed.load(Ordering::SeqCst), "the replica was never killed");
    anyhow::ensure!(
        survivor_ready && fault.survivor_answers.load(Ordering::Relaxed) > 0,
        "the surviving replica did not keep serving"
    );
    anyhow::ensure!(
        oversold.is_empty() && booked == k.db_bookings && k.db_bookings <= a.places,
        "OVERSOLD or counters off: {oversold:?}, counters {booked}, bookings {}",
        k.db_bookings
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("surge")?;
    let common::Opened { url, config, db, engine, state } =
        common::open(&dir, a.url.clone(), |c| c.worker = a.worker).await?;

    let setup = Instant::now();
    let slot_ids = open_places(&db, a.places).await?;
    let (people, citizen_ids) = sign_in_people(&db, &state.keys.csrf, a.attempts).await?;
    let setup_s = setup.elapsed().as_secs_f64();

    let Servers { in_process, mut processes, urls } = start_servers(&a, &db, &config, &url, &dir).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(a.clients).build()?;
    let trivial_rps = trivial_rps(&client, &urls, a.clients).await?;

    // The surge. The fault test kills the last replica; its clients then go to the first.
    let fault = Arc::new(Fault::default());
    let kill_now = Arc::new(tokio::sync::Notify::new());
    let victim = a.kill_replica_after.map(|_| urls.len() - 1);
    let killer = victim.map(|v| spawn_killer(processes.remove(v).child, kill_now.clone(), fault.clone()));
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let _ = START.set(start);
    let ctx = SurgeCtx {
        client: client.clone(),
        urls: urls.clone(),
        people,
        slots: slot_ids,
        next: AtomicUsize::new(0),
        fault: fault.clone(),
        kill_now: kill_now.clone(),
        kill_after: a.kill_replica_after,
        victim,
        start,
    };
    let Outcome { lat, ok, full, other, last_ok, confirmed } = surge(Arc::new(ctx), a.clients).await?;
    let total_s = start.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu_start;
    let confirm_s = last_ok.duration_since(start).as_secs_f64();
    // The fault test's checks, while the survivor still runs.
    let after_kill = match killer {
        Some(killer) => {
            kill_now.notify_one(); // should the surge end before N confirmations, kill it now
            let exit = killer.await?;
            let survivor_ready = client
                .get(format!("{}/readyz", urls[0]))
                .send()
                .await
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            Some((exit, survivor_ready, check_after_kill(&db, &confirmed, &citizen_ids).await?))
        }
        None => None,
    };
    let oversold = clinics::booking::store::inconsistent_slots(&db).await?;
    let booked: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM clinic_slots")
        .fetch_one(db.pool())
        .await?;
    for s in in_process {
        s.shutdown().await?;
    }
    for mut p in processes {
        p.child.start_kill()?;
        p.child.wait().await?;
    }
    println!("worker delivering confirmations during the surge: {}", a.worker);
    let whose = if a.kill_replica_after.is_some() {
        "the clients (the replicas are other processes)"
    } else {
        "server and clients"
    };
    println!(
        "CPU of this process ({whose}) during the surge: {cpu_s:.1} s for {} attempts = {:.2} ms per attempt; wall {total_s:.1} s",
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
    if let Some((exit, survivor_ready, k)) = after_kill {
        let victim = victim.unwrap_or_default();
        fault_report(&a, victim, &fault, confirmed.len(), exit, survivor_ready, &k, &oversold, booked)?;
    } else {
        anyhow::ensure!(
            oversold.is_empty() && booked as usize == ok && ok as i64 <= a.places,
            "OVERSOLD: {oversold:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// When the surge started (for the kill time).
static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// The database after the kill, against what the clients were told.
struct AfterKill {
    /// Bookings answered 201 that are in the database, booked, for the right person, with their
    /// confirmation in the outbox and their audit entry.
    complete: usize,
    /// References answered 201 that are not complete, with what is missing.
    missing: Vec<String>,
    /// Active bookings in the database.
    db_bookings: i64,
    /// Bookings written whose 201 never reached a client (the killed replica's last group).
    unanswered: usize,
    audit: String,
    audit_intact: bool,
    /// Confirmations in the outbox by delivery status.
    outbox: HashMap<String, i64>,
}

async fn check_after_kill(db: &Db, confirmed: &[(String, usize)], citizen_ids: &[String]) -> anyhow::Result<AfterKill> {
    use sqlx::Row;
    let bookings: HashMap<String, (String, String)> =
        sqlx::query("SELECT reference, id, citizen_id FROM clinic_bookings WHERE status = 'booked'")
            .fetch_all(db.pool())
            .await?
            .iter()
            .map(|r| (r.get::<String, _>(0), (r.get::<String, _>(1), r.get::<String, _>(2))))
            .collect();
    let audited: HashSet<String> =
        sqlx::query_scalar("SELECT subject_id FROM audit_log WHERE action = 'booking.create'")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .collect();
    let mut outbox = HashMap::new();
    let mut confirmed_to: HashSet<String> = HashSet::new();
    for r in sqlx::query("SELECT recipient, status FROM outbox WHERE template = 'clinic-booked'")
        .fetch_all(db.pool())
        .await?
    {
        confirmed_to.insert(r.get::<String, _>(0));
        *outbox.entry(r.get::<String, _>(1)).or_insert(0) += 1;
    }
    let mut complete = 0;
    let mut missing = vec![];
    let answered: HashSet<&str> = confirmed.iter().map(|(r, _)| r.as_str()).collect();
    for (reference, i) in confirmed {
        let mut lacks = vec![];
        match bookings.get(reference) {
            None => lacks.push("booking"),
            Some((id, citizen)) => {
                if citizen != &citizen_ids[*i] {
                    lacks.push("right person");
                }
                if !audited.contains(id) {
                    lacks.push("audit entry");
                }
            }
        }
        if !confirmed_to.contains(&format!("surge{i}@example.com")) {
            lacks.push("confirmation");
        }
        if lacks.is_empty() {
            complete += 1;
        } else {
            missing.push(format!("{reference:?} lacks {}", lacks.join(", ")));
        }
    }
    let unanswered = bookings.keys().filter(|r| !answered.contains(r.as_str())).count();
    let (audit, audit_intact) = match kernel::audit::verify(db).await? {
        kernel::audit::Verdict::Intact { entries } => (format!("intact ({entries} entries)"), true),
        kernel::audit::Verdict::Broken { seq, reason } => (format!("BROKEN at {seq}: {reason}"), false),
    };
    Ok(AfterKill { complete, missing, db_bookings: bookings.len() as i64, unanswered, audit, audit_intact, outbox })
}
