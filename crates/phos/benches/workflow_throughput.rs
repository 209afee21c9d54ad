//! Workflow engine throughput over HTTP (issue 12): many concurrent staff clients each run
//! instances of the three-step process (start → automatic step `workflow.stamp` → user task
//! → end): `POST /instances` (runs the automatic step and opens the task), `POST
//! /tasks/{id}/claim`, `POST /tasks/{id}/complete` (the instance ends). We count completed
//! instances per second, requests (steps) per second, events written per second, the latency of
//! each step (p50, p99), and compare with `/healthz` requests per second, measured in the same
//! run with the same clients.
//!
//! cargo bench -p phos --bench workflow_throughput -- [--database-url URL] [--replicas N]
//!     [--clients 64] [--instances 20000]
//!
//! Without --database-url it uses a fresh SQLite file; with a postgres:// URL it uses that
//! (empty) database. With --replicas N (PostgreSQL), N servers in this process, each with its
//! own connection pool, share the clients round-robin. Prints one Markdown table row; fails
//! if an instance did not complete or the database disagrees with the answers.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kernel::Db;
use kernel::audit::{Actor, Origin};
use kernel::identity::{Role, session, staff};
use kernel::jobs::WorkerOptions;
use serde_json::{Value, json};

struct Args {
    url: Option<String>,
    replicas: usize,
    clients: usize,
    instances: usize,
}

fn args() -> Args {
    let mut a = Args { url: None, replicas: 1, clients: 64, instances: 20_000 };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--replicas" => a.replicas = next.parse().expect("--replicas N"),
            "--clients" => a.clients = next.parse().expect("--clients N"),
            "--instances" => a.instances = next.parse().expect("--instances N"),
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

/// CPU time this process has used (user + system), in seconds (Linux `/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(") ").next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// One inspector per client, signed in (a session row, as a sign-in would leave): (session
/// token, CSRF token).
async fn sign_in_staff(db: &Db, csrf_key: &[u8], n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = vec![];
    let mut tx = db.begin().await?;
    for c in 0..n {
        let email = format!("wf-bench-{c}@dh.test");
        let (u, _) = staff::create(&mut tx, &email, &email, &[Role::Inspector], Some("!bench".into()))
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let token = session::create(&mut tx, "staff", &u.id, "127.0.0.1").await?;
        let csrf = session::csrf_token(csrf_key, &session::token_hash(&token));
        out.push((token, csrf));
    }
    tx.commit().await?;
    Ok(out)
}

/// Requests per second on `/healthz`, same clients, 3 seconds.
async fn healthz_rps(client: &reqwest::Client, urls: &[String], clients: usize) -> anyhow::Result<f64> {
    let done = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut hs = vec![];
    for c in 0..clients {
        let (client, url, done) = (client.clone(), urls[c % urls.len()].clone(), done.clone());
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
    Ok(done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64())
}

/// What one client saw: step latencies (µs), instances completed, failures (with the first).
#[derive(Default)]
struct Outcome {
    lat: Vec<u32>,
    completed: usize,
    failed: usize,
    first_failure: Option<String>,
}

struct Ctx {
    client: reqwest::Client,
    urls: Vec<String>,
    staff: Vec<(String, String)>,
    next: AtomicUsize,
    instances: usize,
}

async fn step(x: &Ctx, c: usize, path: &str, body: Value, lat: &mut Vec<u32>) -> Result<Value, String> {
    let (token, csrf) = &x.staff[c];
    let t = Instant::now();
    let res = x
        .client
        .post(format!("{}/api/v1/workflow{path}", x.urls[c % x.urls.len()]))
        .header("cookie", format!("phos_session={token}"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body: Value = res.json().await.map_err(|e| e.to_string())?;
    lat.push(t.elapsed().as_micros() as u32);
    if (200..300).contains(&status) { Ok(body) } else { Err(format!("{path}: {status} {body}")) }
}

async fn one_instance(x: &Ctx, c: usize, lat: &mut Vec<u32>) -> Result<(), String> {
    let inst = step(x, c, "/instances", json!({"definition": "three_steps", "variables": {"ref": c}}), lat).await?;
    let task = inst["tasks"][0]["id"].as_str().ok_or_else(|| format!("no task: {inst}"))?.to_string();
    step(x, c, &format!("/tasks/{task}/claim"), json!({}), lat).await?;
    let done = step(x, c, &format!("/tasks/{task}/complete"), json!({"variables": {"ok": true}}), lat).await?;
    if done["status"] != "completed" {
        return Err(format!("not completed: {done}"));
    }
    Ok(())
}

async fn run_client(c: usize, x: Arc<Ctx>) -> Outcome {
    let mut out = Outcome::default();
    while x.next.fetch_add(1, Ordering::Relaxed) < x.instances {
        match one_instance(&x, c, &mut out.lat).await {
            Ok(()) => out.completed += 1,
            Err(e) => {
                out.failed += 1;
                out.first_failure.get_or_insert(e);
            }
        }
    }
    out
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(db.pool()).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("wf-throughput")?;
    let common::Opened { url, config, db, engine, state } =
        common::open(&dir, a.url.clone(), |c| c.worker = false).await?;
    anyhow::ensure!(a.replicas == 1 || engine == "postgres", "--replicas N needs --database-url postgres://…");

    let bpmn = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflow/tests/fixtures/bpmn/three_steps.bpmn"),
    )?;
    workflow::definitions::service::deploy(&db, &bpmn, &Actor::System, &Origin::system())
        .await
        .map_err(|e| anyhow::anyhow!("deploy: {e:?}"))?;
    let staff = sign_in_staff(&db, &state.keys.csrf, a.clients).await?;

    let mut servers = vec![];
    for r in 0..a.replicas {
        let db_r = if r == 0 { db.clone() } else { Db::connect(&url).await? };
        let st = phos::state(config.clone(), db_r).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        servers.push(phos::start(st, listener, None, WorkerOptions::default(), false)?);
    }
    let urls: Vec<String> = servers.iter().map(|s| s.url()).collect();
    let client = reqwest::Client::builder().pool_max_idle_per_host(a.clients).build()?;
    let healthz = healthz_rps(&client, &urls, a.clients).await?;

    let events_before = count(&db, "SELECT COUNT(*) FROM workflow_events").await?;
    let ctx = Arc::new(Ctx { client, urls, staff, next: AtomicUsize::new(0), instances: a.instances });
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut hs = vec![];
    for c in 0..a.clients {
        hs.push(tokio::spawn(run_client(c, ctx.clone())));
    }
    let mut all = Outcome::default();
    for h in hs {
        let o = h.await?;
        all.lat.extend(o.lat);
        all.completed += o.completed;
        all.failed += o.failed;
        if all.first_failure.is_none() {
            all.first_failure = o.first_failure;
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    all.lat.sort_unstable();
    let events = count(&db, "SELECT COUNT(*) FROM workflow_events").await? - events_before;
    let done_db = count(&db, "SELECT COUNT(*) FROM workflow_instances WHERE status = 'completed'").await?;
    let audited = count(
        &db,
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('workflow.instance.start', 'workflow.task.complete')",
    )
    .await?;
    for s in servers {
        s.shutdown().await?;
    }
    let steps = all.lat.len() as f64;
    println!(
        "CPU of this process (servers and clients) during the run: {cpu:.1} s = {:.2} ms per instance; wall {wall:.1} s",
        cpu * 1000.0 / all.completed.max(1) as f64
    );
    println!(
        "| engine | replicas | clients | instances | completed/s | steps (requests)/s | events/s | p50 step ms | p99 step ms | failed | /healthz req/s | steps/s ÷ healthz/s |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine} | {} | {} | {} | {:.0} | {:.0} | {:.0} | {:.1} | {:.1} | {} | {:.0} | {:.3} |",
        a.replicas,
        a.clients,
        all.completed,
        all.completed as f64 / wall,
        steps / wall,
        events as f64 / wall,
        percentile(&all.lat, 0.5),
        percentile(&all.lat, 0.99),
        all.failed,
        healthz,
        steps / wall / healthz
    );
    anyhow::ensure!(all.failed == 0, "{} instances failed; first: {:?}", all.failed, all.first_failure);
    anyhow::ensure!(
        done_db as usize == all.completed,
        "database has {done_db} completed instances, answers said {}",
        all.completed
    );
    anyhow::ensure!(audited as usize == 2 * all.completed, "audit entries: {audited} for {} instances", all.completed);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
