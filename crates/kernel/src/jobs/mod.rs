//! Durable background jobs in the database: one-off, delayed and recurring (cron) jobs,
//! retried with exponential back-off, claimed so that each runs once even with several
//! workers on several replicas (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite), and recovered after a crash when their lease runs out.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, Semaphore};

use crate::AppState;
use crate::db::{Db, Tx};

mod store;

/// What a failed job asks for.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again later, with back-off.
    #[error("{0}")]
    Retry(String),
    /// Do not try again.
    #[error("{0}")]
    Permanent(String),
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError::Retry(format!("database: {e}"))
    }
}

impl From<anyhow::Error> for JobError {
    fn from(e: anyhow::Error) -> Self {
        JobError::Retry(format!("{e:#}"))
    }
}

/// What a handler gets besides its payload.
#[derive(Clone)]
pub struct JobCtx {
    pub state: AppState,
    pub job_id: String,
    /// 1 for the first attempt.
    pub attempt: i64,
    pub max_attempts: i64,
}

impl JobCtx {
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

type BoxFut = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(JobCtx, Value) -> BoxFut + Send + Sync>;

/// A recurring job: `cron` has six fields (second minute hour day month weekday) in Hong Kong time.
#[derive(Clone, Debug)]
pub struct Recurring {
    pub name: String,
    pub cron: String,
    pub kind: String,
    pub payload: Value,
}

/// What a round hook gets: the state and the worker's lease and back-off.
#[derive(Clone)]
pub struct RoundCtx {
    pub state: AppState,
    pub lease: Duration,
    pub backoff_base: Duration,
}

type RoundFut = Pin<Box<dyn Future<Output = anyhow::Result<usize>> + Send>>;
type RoundHook = Arc<dyn Fn(RoundCtx) -> RoundFut + Send + Sync>;

/// The job kinds this process can run, and the recurring jobs it declares.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Handler>,
    recurring: Vec<Recurring>,
    /// topic → job kinds to enqueue when something is published on it.
    subscriptions: HashMap<String, Vec<String>>,
    /// Work the worker does in every round beside the jobs, by name.
    round_hooks: Vec<(String, RoundHook)>,
}

impl Registry {
    pub fn handle<F, Fut>(&mut self, kind: &str, f: F)
    where
        F: Fn(JobCtx, Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.handlers.insert(kind.to_string(), Arc::new(move |ctx, v| Box::pin(f(ctx, v))));
    }

    /// Declares a recurring job. Panics on an invalid cron expression (a programming error).
    pub fn every(&mut self, name: &str, cron: &str, kind: &str, payload: Value) {
        cron::Schedule::from_str(cron).unwrap_or_else(|e| panic!("invalid cron '{cron}' for {name}: {e}"));
        self.recurring.push(Recurring { name: name.into(), cron: cron.into(), kind: kind.into(), payload });
    }

    /// Runs job `kind` with the event's payload whenever `topic` is published (how an area reacts
    /// to another's events without depending on it).
    pub fn subscribe(&mut self, topic: &str, kind: &str) {
        self.subscriptions.entry(topic.to_string()).or_default().push(kind.to_string());
    }

    pub fn subscribers(&self, topic: &str) -> &[String] {
        self.subscriptions.get(topic).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn kinds(&self) -> Vec<String> {
        let mut k: Vec<_> = self.handlers.keys().cloned().collect();
        k.sort();
        k
    }

    pub fn recurring(&self) -> &[Recurring] {
        &self.recurring
    }

    /// Runs `f` in every round of every worker, before it claims jobs (e.g. delivering the
    /// outbox in batches). `f` returns how many items it handled; more than none means another
    /// round follows at once instead of waiting for the next poll.
    pub fn every_round<F, Fut>(&mut self, name: &str, f: F)
    where
        F: Fn(RoundCtx) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<usize>> + Send + 'static,
    {
        self.round_hooks.push((name.to_string(), Arc::new(move |ctx| Box::pin(f(ctx)))));
    }

    /// The names of the round hooks, in the order they run.
    pub fn round_hooks(&self) -> Vec<&str> {
        self.round_hooks.iter().map(|(n, _)| n.as_str()).collect()
    }
}

/// A job to enqueue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: String,
    pub payload: Value,
    pub run_at: i64,
    pub max_attempts: i64,
    pub dedupe_key: Option<String>,
}

impl NewJob {
    pub fn new(kind: &str, payload: Value) -> Self {
        NewJob { kind: kind.into(), payload, run_at: crate::now_ms(), max_attempts: 8, dedupe_key: None }
    }

    pub fn at(mut self, run_at_ms: i64) -> Self {
        self.run_at = run_at_ms;
        self
    }

    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// At most one job with this key is ever enqueued.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
}

/// Enqueues a job inside the caller's transaction: it exists exactly when the change that
/// caused it commits. Returns `false` when a job with the same dedupe key already exists.
pub async fn enqueue(tx: &mut Tx, job: NewJob) -> sqlx::Result<bool> {
    store::insert(tx, &job, crate::now_ms()).await
}

/// Publishes an event inside the caller's transaction: one durable job per subscriber, so the
/// reactions happen exactly when the change commits. Returns how many were enqueued.
pub async fn publish(tx: &mut Tx, registry: &Registry, topic: &str, payload: Value) -> sqlx::Result<usize> {
    let mut n = 0;
    for kind in registry.subscribers(topic) {
        enqueue(tx, NewJob::new(kind, payload.clone())).await?;
        n += 1;
    }
    Ok(n)
}

/// Upserts the registry's recurring jobs; a changed cron expression restarts the schedule.
pub async fn install_schedules(db: &Db, registry: &Registry) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for r in registry.recurring() {
        let next = next_fire(&r.cron, crate::now_ms())?;
        store::upsert_schedule(&mut tx, r, next).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Offset of the time zone cron expressions are read in: Hong Kong's (UTC+8, no daylight saving),
/// the same as `hk::tz()` (a test there checks it; the job queue does not depend on `hk`).
pub const CRON_UTC_OFFSET_SECS: i32 = 8 * 3600;

fn cron_tz() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(CRON_UTC_OFFSET_SECS).expect("valid offset")
}

/// The first fire time of `cron` strictly after `after_ms`, in Hong Kong time.
pub fn next_fire(cron: &str, after_ms: i64) -> anyhow::Result<i64> {
    let schedule = cron::Schedule::from_str(cron).map_err(|e| anyhow::anyhow!("invalid cron '{cron}': {e}"))?;
    let after = chrono::DateTime::from_timestamp_millis(after_ms)
        .ok_or_else(|| anyhow::anyhow!("time out of range"))?
        .with_timezone(&cron_tz());
    schedule
        .after(&after)
        .next()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| anyhow::anyhow!("cron '{cron}' never fires"))
}

/// Jobs by status, for `/metrics` and the operations pages.
pub async fn depth(db: &Db) -> sqlx::Result<Vec<(String, i64)>> {
    store::depth(db).await
}

/// Deletes finished jobs last updated before `cutoff` (run by the daily prune); returns how many.
pub async fn prune_done(db: &Db, cutoff: i64) -> sqlx::Result<u64> {
    store::delete_done_before(db, cutoff).await
}

/// Worker tuning.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    pub concurrency: usize,
    pub poll: Duration,
    pub lease: Duration,
    /// Delay before the first retry; doubles each attempt, capped at one hour.
    pub backoff_base: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 4,
            poll: Duration::from_millis(500),
            lease: Duration::from_secs(300),
            backoff_base: Duration::from_secs(5),
        }
    }
}

/// Back-off before attempt `attempt + 1`, after `attempt` failures.
pub fn backoff(base: Duration, attempt: i64) -> Duration {
    let exp = attempt.clamp(1, 20) as u32 - 1;
    base.saturating_mul(2u32.saturating_pow(exp)).min(Duration::from_secs(3600))
}

/// A job this worker has claimed.
#[derive(sqlx::FromRow)]
struct Claimed {
    id: String,
    kind: String,
    payload: String,
    attempts: i64,
    max_attempts: i64,
}

/// Claims and runs jobs. Any number of workers may run against one database.
pub struct Worker {
    state: AppState,
    id: String,
    options: WorkerOptions,
    claim_sql: String,
    kinds: Vec<String>,
    wake: Arc<Notify>,
}

impl Worker {
    pub fn new(state: AppState, options: WorkerOptions) -> Worker {
        let kinds = state.jobs.kinds();
        let claim_sql = store::claim_sql(&state.db, kinds.len());
        let wake = state.wake.clone();
        Worker { state, id: format!("worker-{}", crate::new_id()), options, claim_sql, kinds, wake }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    async fn claim(&self) -> sqlx::Result<Option<Claimed>> {
        let now = crate::now_ms();
        let until = now + self.options.lease.as_millis() as i64;
        store::claim(&self.state.db, &self.claim_sql, &self.id, until, now, &self.kinds).await
    }

    async fn execute(&self, job: Claimed) -> sqlx::Result<()> {
        let db = &self.state.db;
        let outcome = if job.attempts > job.max_attempts {
            Err(JobError::Permanent("attempts exhausted (lease expired)".into()))
        } else {
            match (self.state.jobs.handlers.get(&job.kind), serde_json::from_str::<Value>(&job.payload)) {
                (Some(handler), Ok(payload)) => {
                    let ctx = JobCtx {
                        state: self.state.clone(),
                        job_id: job.id.clone(),
                        attempt: job.attempts,
                        max_attempts: job.max_attempts,
                    };
                    match tokio::time::timeout(self.options.lease, handler(ctx, payload)).await {
                        Ok(r) => r,
                        Err(_) => Err(JobError::Retry("timed out".into())),
                    }
                }
                (None, _) => Err(JobError::Permanent(format!("no handler for {}", job.kind))),
                (_, Err(e)) => Err(JobError::Permanent(format!("payload is not JSON: {e}"))),
            }
        };
        let now = crate::now_ms();
        match outcome {
            Ok(()) => {
                store::mark_done(db, &job.id, &self.id, now).await?;
            }
            Err(JobError::Retry(msg)) if job.attempts < job.max_attempts => {
                let delay = backoff(self.options.backoff_base, job.attempts);
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %msg, "job failed; will retry");
                store::mark_retry(db, &job.id, &self.id, now + delay.as_millis() as i64, &msg, now).await?;
                self.state.metrics.job_outcome(&job.kind, "retry");
                return Ok(());
            }
            Err(JobError::Retry(msg) | JobError::Permanent(msg)) => {
                tracing::error!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %msg, "job failed for good");
                store::mark_failed(db, &job.id, &self.id, &msg, now).await?;
                self.state.metrics.job_outcome(&job.kind, "failed");
                return Ok(());
            }
        }
        self.state.metrics.job_outcome(&job.kind, "done");
        Ok(())
    }

    /// Claims and runs one job. Returns whether there was one.
    pub async fn run_one(&self) -> sqlx::Result<bool> {
        match self.claim().await? {
            Some(job) => {
                self.execute(job).await?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Turns due recurring schedules into jobs. Each fire time becomes exactly one job across
    /// all replicas: the schedule row is advanced with a compare-and-set.
    pub async fn tick_schedules(&self) -> anyhow::Result<usize> {
        let db = &self.state.db;
        let now = crate::now_ms();
        let due = store::due_schedules(db, now).await?;
        let mut fired = 0;
        for store::DueSchedule { name, cron, kind, payload, next_run_at: due_at } in due {
            let next = next_fire(&cron, now)?;
            let mut tx = db.begin().await?;
            let won = store::advance_schedule(&mut tx, &name, due_at, next, now).await?;
            if won {
                let payload: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
                enqueue(&mut tx, NewJob::new(&kind, payload).dedupe(format!("schedule:{name}:{due_at}"))).await?;
                fired += 1;
            }
            tx.commit().await?;
        }
        Ok(fired)
    }

    /// Runs every round hook once; whether any of them handled something.
    async fn run_round_hooks(&self) -> bool {
        let mut busy = false;
        for (name, hook) in &self.state.jobs.round_hooks {
            let ctx = RoundCtx {
                state: self.state.clone(),
                lease: self.options.lease,
                backoff_base: self.options.backoff_base,
            };
            match hook(ctx).await {
                Ok(n) => busy |= n > 0,
                Err(e) => tracing::warn!(hook = %name, error = %format!("{e:#}"), "a worker round hook failed"),
            }
        }
        busy
    }

    /// Runs until `shutdown` resolves, then lets running jobs finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let this = Arc::new(self);
        let permits = Arc::new(Semaphore::new(this.options.concurrency));
        let mut last_tick = std::time::Instant::now() - Duration::from_secs(10);
        tokio::pin!(shutdown);
        tracing::info!(worker = %this.id, kinds = ?this.kinds, "job worker started");
        loop {
            if last_tick.elapsed() >= Duration::from_secs(1) {
                last_tick = std::time::Instant::now();
                if let Err(e) = this.tick_schedules().await {
                    tracing::warn!(error = %format!("{e:#}"), "schedule tick failed");
                }
            }
            // Round hooks (e.g. the outbox's deliveries, in batches) run beside the jobs.
            let mut claimed_any = this.run_round_hooks().await;
            while let Ok(permit) = permits.clone().try_acquire_owned() {
                match this.claim().await {
                    Ok(Some(job)) => {
                        claimed_any = true;
                        let w = this.clone();
                        tokio::spawn(async move {
                            if let Err(e) = w.execute(job).await {
                                tracing::error!(error = %e, "recording a job outcome failed");
                            }
                            drop(permit);
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming a job failed");
                        break;
                    }
                }
            }
            if claimed_any {
                continue;
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = this.wake.notified() => {}
                _ = tokio::time::sleep(this.options.poll) => {}
            }
        }
        // Wait for running jobs.
        let _ = permits.acquire_many(this.options.concurrency as u32).await;
        tracing::info!(worker = %this.id, "job worker stopped");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(5);
        assert_eq!(backoff(base, 1), Duration::from_secs(5));
        assert_eq!(backoff(base, 2), Duration::from_secs(10));
        assert_eq!(backoff(base, 4), Duration::from_secs(40));
        assert_eq!(backoff(base, 30), Duration::from_secs(3600));
    }

    #[test]
    fn cron_in_hong_kong_time() {
        // 2025-01-01T00:00:00Z is 08:00 in Hong Kong; "daily at 03:00 HKT" fires 2025-01-01T19:00Z.
        let at = chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z").unwrap().timestamp_millis();
        let next = next_fire("0 0 3 * * *", at).unwrap();
        let expect = chrono::DateTime::parse_from_rfc3339("2025-01-01T19:00:00Z").unwrap().timestamp_millis();
        assert_eq!(next, expect);
        assert!(next_fire("not cron", at).is_err());
    }
}
