//! Workflow timers (issue 12): N pending timers (default 100,000), due one after another over a
//! short window, fired by the timer loops of R replicas (default 2) on one database. Measures
//! how late each fired (its firing event's time minus its due time: max, p99, p50), and checks
//! exactly once: N timers fired, N firing events for N distinct instances, none early, every
//! instance completed.
//!
//! cargo bench -p phos --bench workflow_timers -- [--database-url URL] [--replicas 2]
//!     [--timers 100000] [--window-secs 60]
//!
//! The instances (of a process start → timer → end) and their timers are written through the
//! engine's store before the replicas start (bulk set-up, not the thing measured); the timers
//! are then due from 3 s after the replicas start, evenly over the window. The replicas run in
//! this process, each with its own connection pool and its own timer loop (`phos::start` with
//! the worker on, as `phos serve` runs it).

mod common;

use std::time::{Duration, Instant};

use kernel::Db;
use kernel::audit::{Actor, Origin};
use kernel::jobs::WorkerOptions;
use workflow::instances::store::{self, InstanceRow};

struct Args {
    url: Option<String>,
    replicas: usize,
    timers: usize,
    window_secs: u64,
}

fn args() -> Args {
    let mut a = Args { url: None, replicas: 2, timers: 100_000, window_secs: 60 };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--replicas" => a.replicas = next.parse().expect("--replicas N"),
            "--timers" => a.timers = next.parse().expect("--timers N"),
            "--window-secs" => a.window_secs = next.parse().expect("--window-secs N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

const BPMN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="DT" targetNamespace="x">
  <bpmn:process id="bench_timer" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:intermediateCatchEvent id="wait" name="Wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"#;

/// Instance `i` waits at the timer, due `offset(i)` ms after the base instant (0 here: the
/// base is added once the set-up is done).
async fn set_up(db: &Db, definition_id: &str, n: usize, window_ms: i64) -> anyhow::Result<()> {
    let now = kernel::now_ms();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut tx = db.begin().await?;
        for &i in chunk {
            let row = InstanceRow {
                id: kernel::new_id(),
                definition_id: definition_id.into(),
                status: "running".into(),
                waiting: r#"["wait"]"#.into(),
                variables: "{}".into(),
                revision: 1,
                started_by: "bench".into(),
                started_at: now,
                ended_at: None,
                reason: None,
            };
            store::insert(&mut tx, &row).await?;
            let offset = (i as i64 * window_ms) / n as i64;
            store::insert_timer(&mut tx, &row.id, "wait", offset, now).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(db.pool()).await?)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("wf-timers")?;
    let common::Opened { url, config, db, engine, .. } = common::open(&dir, a.url.clone(), |c| c.worker = true).await?;
    anyhow::ensure!(a.replicas == 1 || engine == "postgres" || a.url.is_none(), "replicas share one database");
    let d = workflow::definitions::service::deploy(&db, BPMN, &Actor::System, &Origin::system())
        .await
        .map_err(|e| anyhow::anyhow!("deploy: {e:?}"))?;
    let window_ms = (a.window_secs * 1000) as i64;
    let setup = Instant::now();
    set_up(&db, &d.id, a.timers, window_ms).await?;
    let setup_s = setup.elapsed().as_secs_f64();
    // Due from 3 s from now, over the window (bench set-up: one statement shifts every timer).
    let base = kernel::now_ms() + 3_000;
    sqlx::query("UPDATE workflow_timers SET due_at = due_at + $1").bind(base).execute(db.pool()).await?;

    let mut servers = vec![];
    for r in 0..a.replicas {
        let db_r = if r == 0 { db.clone() } else { Db::connect(&url).await? };
        let st = phos::state(config.clone(), db_r).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        servers.push(phos::start(st, listener, None, WorkerOptions::default(), false)?);
    }
    let n = a.timers as i64;
    let give_up = Instant::now() + Duration::from_secs(a.window_secs + 300);
    let fired_sql = "SELECT COUNT(*) FROM workflow_timers WHERE status = 'fired'";
    while count(&db, fired_sql).await? < n && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let ended = kernel::now_ms();
    for s in servers {
        s.shutdown().await?;
    }
    let fired = count(&db, fired_sql).await?;
    let pending = count(&db, "SELECT COUNT(*) FROM workflow_timers WHERE status = 'pending'").await?;
    let events =
        count(&db, "SELECT COUNT(*) FROM workflow_events WHERE node_id = 'wait' AND lifecycle = 'complete'").await?;
    let distinct = count(
        &db,
        "SELECT COUNT(DISTINCT instance_id) FROM workflow_events WHERE node_id = 'wait' AND lifecycle = 'complete'",
    )
    .await?;
    let completed = count(&db, "SELECT COUNT(*) FROM workflow_instances WHERE status = 'completed'").await?;
    let mut late: Vec<i64> = sqlx::query_scalar(
        "SELECT e.at - t.due_at FROM workflow_events e JOIN workflow_timers t ON t.instance_id = e.instance_id \
         WHERE e.node_id = 'wait' AND e.lifecycle = 'complete'",
    )
    .fetch_all(db.pool())
    .await?;
    late.sort_unstable();
    let early = late.iter().filter(|&&l| l < 0).count();
    let over_1s = late.iter().filter(|&&l| l > 1000).count();
    let last_due = base + window_ms * (n - 1) / n;
    println!(
        "set-up (instances and timers through the store): {setup_s:.1} s; last timer due {:.1} s after the first; stopped waiting {:.1} s after the first was due (all fired, or gave up)",
        (last_due - base) as f64 / 1000.0,
        (ended - base) as f64 / 1000.0
    );
    println!(
        "| engine | replicas | timers | window s | fired | firing events (distinct instances) | completed | early | later than 1 s | p50 ms | p99 ms | max ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {engine} | {} | {n} | {} | {fired} | {events} ({distinct}) | {completed} | {early} | {over_1s} | {} | {} | {} |",
        a.replicas,
        a.window_secs,
        percentile(&late, 0.5),
        percentile(&late, 0.99),
        late.last().copied().unwrap_or(0)
    );
    anyhow::ensure!(fired == n && pending == 0, "fired {fired} of {n}, {pending} still pending");
    anyhow::ensure!(events == n && distinct == n, "firing events {events} for {distinct} instances: not exactly once");
    anyhow::ensure!(completed == n, "{completed} of {n} instances completed");
    anyhow::ensure!(early == 0, "{early} timers fired before they were due");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
