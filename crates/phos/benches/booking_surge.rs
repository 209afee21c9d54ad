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
    let mut citizen_ids: Vec<String> = Vec::with_capacity(a.attempts);
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
        for (id, token) in batch {
            citizen_ids.push(id);
            let csrf = session::csrf_token(&state.keys.csrf, &session::token_hash(&token));
            people.push((token, csrf));
        }
    }
    let setup_s = setup.elapsed().as_secs_f64();

    // Servers: one, or several replicas over the same database (PostgreSQL): in this process, or
    // as `phos serve` processes for the fault test.
    let mut servers = vec![];
    let mut processes = vec![];
    if a.kill_replica_after.is_some() {
        anyhow::ensure!(
            db.engine() == kernel::Engine::Postgres,
            "--kill-replica-after needs --database-url postgres://…"
        );
        for r in 0..a.replicas {
            processes.push(spawn_replica(&url, &dir.join(format!("replica-{r}")), a.worker).await?);
        }
    } else {
        for r in 0..a.replicas {
            let db_r = if r == 0 { db.clone() } else { Db::connect(&url).await? };
            let st = phos::state(config.clone(), db_r).await?;
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            servers.push(phos::start(st, listener, None, WorkerOptions::default(), false)?);
        }
    }
    let urls: Vec<String> = if processes.is_empty() {
        servers.iter().map(|s| s.url()).collect()
    } else {
        processes.iter().map(|p| p.url.clone()).collect()
    };

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
    // The fault test: the last replica is the one killed; its clients then go to the first.
    let fault = Arc::new(Fault::default());
    let kill_now = Arc::new(tokio::sync::Notify::new());
    let victim = a.kill_replica_after.map(|_| urls.len() - 1);
    let killer = match (victim, a.kill_replica_after) {
        (Some(v), Some(_)) => {
            let mut child = processes.remove(v).child;
            let (kill_now, fault) = (kill_now.clone(), fault.clone());
            Some(tokio::spawn(async move {
                kill_now.notified().await;
                fault
                    .killed_at_ms
                    .store(START.get().map(|s| s.elapsed().as_millis() as u64).unwrap_or(0), Ordering::SeqCst);
                fault.killed.store(true, Ordering::SeqCst);
                child.start_kill().expect("SIGKILL the replica"); // tokio sends SIGKILL on Unix
                child.wait().await.ok()
            }))
        }
        _ => None,
    };
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let _ = START.set(start);
    let mut hs = vec![];
    for c in 0..a.clients {
        let (client, urls, people, slots, next) =
            (client.clone(), urls.clone(), people.clone(), slots.clone(), next.clone());
        let (fault, kill_now, kill_after) = (fault.clone(), kill_now.clone(), a.kill_replica_after);
        hs.push(tokio::spawn(async move {
            let mut target = c % urls.len();
            let mut lat = vec![];
            let mut confirmed: Vec<(String, usize)> = vec![];
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
                let after_kill = fault.killed.load(Ordering::SeqCst);
                let t = Instant::now();
                let res = client
                    .post(format!("{}/api/v1/bookings", urls[target]))
                    .header("cookie", format!("phos_session={token}"))
                    .header("x-csrf-token", csrf)
                    .json(&serde_json::json!({ "slot_id": slot }))
                    .send()
                    .await;
                lat.push(t.elapsed().as_micros() as u32);
                let on_victim = Some(target) == victim;
                let status = res.as_ref().map(|r| r.status().as_u16()).ok();
                if after_kill && !on_victim {
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
                match (status, res) {
                    (Some(201), Ok(r)) => {
                        ok += 1;
                        last_ok = Instant::now();
                        if kill_after.is_some() {
                            let body: serde_json::Value = r.json().await.unwrap_or_default();
                            confirmed.push((body["reference"].as_str().unwrap_or_default().to_string(), i));
                            if Some(fault.confirmed.fetch_add(1, Ordering::SeqCst) + 1) == kill_after {
                                kill_now.notify_one();
                            }
                        }
                    }
                    (Some(409), _) => full += 1,
                    (None, _) if on_victim && fault.killed.load(Ordering::SeqCst) => {
                        // The replica is gone: this attempt got no answer (it may or may not have
                        // been written); the client goes to the surviving replica from now on.
                        fault.lost.fetch_add(1, Ordering::Relaxed);
                        other += 1;
                        target = 0;
                    }
                    _ => other += 1,
                }
            }
            (lat, ok, full, other, last_ok, confirmed)
        }));
    }
    let mut lat = vec![];
    let (mut ok, mut full, mut other) = (0, 0, 0);
    let mut last_ok = start;
    let mut confirmed = vec![];
    for h in hs {
        let (l, o, f, x, lo, c) = h.await?;
        lat.extend(l);
        ok += o;
        full += f;
        other += x;
        last_ok = last_ok.max(lo);
        confirmed.extend(c);
    }
    let total_s = start.elapsed().as_secs_f64();
    let cpu_s = cpu_seconds() - cpu_start;
    let confirm_s = last_ok.duration_since(start).as_secs_f64();
    lat.sort_unstable();
    // The fault test's checks, while the survivor still runs.
    let fault_report = match killer {
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
    for s in servers {
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
    if let Some((exit, survivor_ready, k)) = fault_report {
        let killed_at = fault.killed_at_ms.load(Ordering::SeqCst) as f64 / 1000.0;
        println!();
        println!(
            "fault test: replica {} killed with SIGKILL after {} bookings answered 201, {killed_at:.2} s into the surge (exit: {})",
            urls.len() - 1,
            a.kill_replica_after.unwrap_or_default(),
            exit.map(|e| e.to_string()).unwrap_or_else(|| "unknown".into())
        );
        println!(
            "| answered 201 | of them in the DB with confirmation and audit entry | missing | bookings in the DB | written but never answered 201 | attempts lost with the replica | survivor answers after the kill (201) | survivor errors after the kill | survivor /readyz after | audit chain | outbox queued / sending / delivered |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        println!(
            "| {} | {} | {} | {} | {} | {} | {} ({}) | {} | {} | {} | {} / {} / {} |",
            confirmed.len(),
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
            confirmed.len() >= a.kill_replica_after.unwrap_or_default(),
            "only {} bookings were answered 201, so the replica was killed after the surge: choose N below the places",
            confirmed.len()
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
