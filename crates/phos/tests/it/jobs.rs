//! Background jobs: exactly once across workers, delays, retries, failures, restarts, cron.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kernel::jobs::{JobError, NewJob, Registry, Worker};
use kernel::{AppState, Area};
use serde_json::json;
use sqlx::Row;

use crate::harness::{TestDb, fast_worker, test_config};

type Runs = Arc<Mutex<HashMap<i64, u32>>>;

/// A state whose registry has test handlers: `test.count` records each run; `test.flaky`
/// fails until its third attempt; `test.broken` always fails.
async fn state_with_handlers(t: &TestDb, runs: Runs) -> AppState {
    let db = t.migrated().await;
    let keys = kernel::Keys::load(&db).await.unwrap();
    let mut state = AppState::new(test_config(t), db, keys, &phos::areas()).unwrap();
    let mut registry: Registry = (*state.jobs).clone();
    let r = runs.clone();
    registry.handle("test.count", move |_ctx, payload| {
        let r = r.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(2)).await;
            *r.lock().unwrap().entry(payload["n"].as_i64().unwrap()).or_default() += 1;
            Ok(())
        }
    });
    registry.handle("test.flaky", |ctx, _| async move {
        if ctx.attempt < 3 { Err(JobError::Retry(format!("attempt {} failed", ctx.attempt))) } else { Ok(()) }
    });
    registry.handle("test.broken", |_, _| async move { Err(JobError::Retry("always".into())) });
    state.jobs = Arc::new(registry);
    state
}

async fn enqueue(state: &AppState, job: NewJob) -> bool {
    let mut tx = state.db.begin().await.unwrap();
    let fresh = kernel::jobs::enqueue(&mut tx, job).await.unwrap();
    tx.commit().await.unwrap();
    fresh
}

async fn status_of(state: &AppState, kind: &str) -> Vec<(String, i64, Option<String>)> {
    sqlx::query("SELECT status, attempts, last_error FROM jobs WHERE kind = $1")
        .bind(kind)
        .fetch_all(state.db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get("status"), r.get("attempts"), r.get("last_error")))
        .collect()
}

async fn drain(worker: &Worker) -> usize {
    let mut n = 0;
    while worker.run_one().await.unwrap() {
        n += 1;
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_run_each_job_exactly_once() {
    let t = TestDb::new().await;
    let runs: Runs = Arc::default();
    let state = state_with_handlers(&t, runs.clone()).await;
    let mut tx = state.db.begin().await.unwrap();
    for n in 0..300 {
        kernel::jobs::enqueue(&mut tx, NewJob::new("test.count", json!({ "n": n }))).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Two independent workers (as on two replicas), each with several concurrent slots.
    let (stop_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let mut handles = vec![];
    for _ in 0..2 {
        let w = Worker::new(state.clone(), fast_worker());
        let mut rx = stop_tx.subscribe();
        handles.push(tokio::spawn(w.run(async move {
            let _ = rx.recv().await;
        })));
    }
    let done = crate::harness::eventually(30, || async {
        let st = status_of(&state, "test.count").await;
        st.iter().all(|(s, _, _)| s == "done").then_some(())
    })
    .await;
    stop_tx.send(()).unwrap();
    for h in handles {
        h.await.unwrap();
    }
    assert!(done.is_some(), "all jobs finished");
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 300, "every job ran");
    let twice: Vec<_> = runs.iter().filter(|(_, c)| **c != 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");
}

#[tokio::test]
async fn delayed_jobs_wait_and_dedupe_keys_hold() {
    let t = TestDb::new().await;
    let runs: Runs = Arc::default();
    let state = state_with_handlers(&t, runs.clone()).await;
    let worker = Worker::new(state.clone(), fast_worker());
    let later = kernel::now_ms() + 400;
    assert!(enqueue(&state, NewJob::new("test.count", json!({ "n": 1 })).at(later).dedupe("once")).await);
    assert!(!enqueue(&state, NewJob::new("test.count", json!({ "n": 2 })).dedupe("once")).await, "deduplicated");
    assert_eq!(drain(&worker).await, 0, "not due yet");
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(drain(&worker).await, 1);
    assert_eq!(runs.lock().unwrap().get(&1), Some(&1));
}

#[tokio::test]
async fn failures_retry_with_back_off_then_succeed_or_give_up() {
    let t = TestDb::new().await;
    let state = state_with_handlers(&t, Arc::default()).await;
    let options = kernel::jobs::WorkerOptions { backoff_base: Duration::from_millis(400), ..fast_worker() };
    let worker = Worker::new(state.clone(), options);
    enqueue(&state, NewJob::new("test.flaky", json!({}))).await;
    enqueue(&state, NewJob::new("test.broken", json!({})).max_attempts(3)).await;
    // First attempts fail, and the retries are not due immediately (back-off).
    assert_eq!(drain(&worker).await, 2);
    assert_eq!(drain(&worker).await, 0, "back-off delays the retry");
    let flaky = status_of(&state, "test.flaky").await;
    assert_eq!(flaky[0].0, "queued");
    assert_eq!(flaky[0].2.as_deref(), Some("attempt 1 failed"));
    let ok = crate::harness::eventually(10, || async {
        worker.run_one().await.unwrap();
        let f = status_of(&state, "test.flaky").await;
        let b = status_of(&state, "test.broken").await;
        (f[0].0 == "done" && b[0].0 == "failed").then_some((f, b))
    })
    .await
    .expect("flaky succeeds and broken gives up");
    assert_eq!(ok.0[0].1, 3, "flaky succeeded on its third attempt");
    assert_eq!(ok.1[0].1, 3, "broken stopped after max_attempts");
    assert_eq!(ok.1[0].2.as_deref(), Some("always"));
}

#[tokio::test]
async fn queued_jobs_survive_a_restart() {
    let t = TestDb::new().await;
    let runs: Runs = Arc::default();
    {
        let state = state_with_handlers(&t, runs.clone()).await;
        enqueue(&state, NewJob::new("test.count", json!({ "n": 7 }))).await;
        // A worker claims a job and "crashes" (its lease expires without an outcome).
        sqlx::query("UPDATE jobs SET status = 'running', locked_by = 'dead', locked_until = $1, attempts = 1")
            .bind(kernel::now_ms() - 1)
            .execute(state.db.pool())
            .await
            .unwrap();
        state.db.close().await;
    }
    // A new process on the same database picks it up.
    let state = state_with_handlers(&t, runs.clone()).await;
    let worker = Worker::new(state.clone(), fast_worker());
    assert_eq!(drain(&worker).await, 1);
    assert_eq!(runs.lock().unwrap().get(&7), Some(&1));
    assert_eq!(status_of(&state, "test.count").await[0].0, "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_recurring_job_fires_once_per_due_time_across_workers() {
    let t = TestDb::new().await;
    let runs: Runs = Arc::default();
    let mut state = state_with_handlers(&t, runs.clone()).await;
    let mut registry = (*state.jobs).clone();
    registry.every("test.every-minute", "0 * * * * *", "test.count", json!({ "n": 99 }));
    state.jobs = Arc::new(registry);
    kernel::jobs::install_schedules(&state.db, &state.jobs).await.unwrap();
    // Make it due now, then let two workers race to fire it.
    sqlx::query("UPDATE job_schedules SET next_run_at = $1 WHERE name = 'test.every-minute'")
        .bind(kernel::now_ms() - 1000)
        .execute(state.db.pool())
        .await
        .unwrap();
    let a = Worker::new(state.clone(), fast_worker());
    let b = Worker::new(state.clone(), fast_worker());
    let (fa, fb) = tokio::join!(a.tick_schedules(), b.tick_schedules());
    assert_eq!(fa.unwrap() + fb.unwrap(), 1, "exactly one worker fires the schedule");
    let next: i64 = sqlx::query_scalar("SELECT next_run_at FROM job_schedules WHERE name = 'test.every-minute'")
        .fetch_one(state.db.pool())
        .await
        .unwrap();
    assert!(next > kernel::now_ms(), "the schedule moved to its next minute");
    drain(&a).await;
    assert_eq!(runs.lock().unwrap().get(&99), Some(&1));
    // Re-installing with the same cron keeps the schedule; the kernel's daily prune is there too.
    kernel::jobs::install_schedules(&state.db, &state.jobs).await.unwrap();
    let names: Vec<String> =
        sqlx::query_scalar("SELECT name FROM job_schedules ORDER BY name").fetch_all(state.db.pool()).await.unwrap();
    assert_eq!(
        names,
        vec![
            "clinics.draw-every-minute",
            "clinics.expire-offers-every-minute",
            "clinics.generate-daily",
            "clinics.reminders-every-5-minutes",
            "clinics.watch-fridges-every-minute",
            "kernel.prune-daily",
            "protection.signals-daily",
            "regulatory.plan-day-daily",
            "regulatory.renewals-daily",
            "regulatory.risk-nightly",
            "test.every-minute",
            "workflow.fire-timers-every-minute",
            "workflow.sla-check-every-minute"
        ]
    );
}

#[test]
fn every_area_job_kind_has_a_handler() {
    let areas: Vec<Area> = phos::areas();
    let mut r = Registry::default();
    for a in &areas {
        (a.jobs)(&mut r);
    }
    for rec in r.recurring() {
        assert!(r.kinds().contains(&rec.kind), "{} schedules unknown kind {}", rec.name, rec.kind);
    }
    for kind in r.subscribers(kernel::hk::store::CLOSURE_DECLARED) {
        assert!(r.kinds().contains(kind), "subscriber {kind} has no handler");
    }
    assert!(!r.subscribers(kernel::hk::store::CLOSURE_DECLARED).is_empty(), "clinics reacts to closures");
}
