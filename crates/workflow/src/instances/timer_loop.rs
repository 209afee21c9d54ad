//! The timer loop: fires each due timer within about a second of its due time, on every replica
//! that runs background work (`phos serve` with the worker on).
//!
//! It sleeps until the earliest pending timer is due, but never longer than [`POLL`] (a timer
//! set by another replica, or by a request on this one, is noticed within that time). When
//! timers are due it claims a batch ([`store::claim_due`]: one conditional UPDATE, `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL) and fires them one transaction each; the replicas share the due
//! timers out between them, and each timer fires exactly once whoever claims it (the firing is
//! the conditional UPDATE of its status). The `workflow.fire-timers` kernel job stays as a
//! once-a-minute safety net over the same claims (for a process run with the loop stopped).

use std::time::Duration;

use kernel::AppState;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{service, store};

/// The longest the loop sleeps before looking again.
pub const POLL: Duration = Duration::from_millis(250);

/// How many due timers one claim takes.
pub const BATCH: i64 = 200;

/// How long to wait after a database error before trying again.
const BACK_OFF: Duration = Duration::from_secs(1);

/// What the loop does next, given the earliest unclaimed due time (`None`: no timer pending) at
/// `now` (ms): how long to sleep before claiming again. Pure, so that it is tested alone.
pub fn sleep_for(next_due: Option<i64>, now: i64) -> Duration {
    match next_due {
        None => POLL,
        Some(due) if due <= now => Duration::ZERO,
        Some(due) => Duration::from_millis((due - now) as u64).min(POLL),
    }
}

/// Starts the loop; it stops when `stopping` turns true (after the timer it is firing).
pub fn spawn(state: AppState, mut stopping: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *stopping.borrow() {
                return;
            }
            let wait = match round(&state.db).await {
                Ok(wait) => wait,
                Err(e) => {
                    tracing::warn!(error = %e, "workflow timer loop");
                    BACK_OFF
                }
            };
            if wait.is_zero() {
                tokio::task::yield_now().await;
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopping.changed() => {}
            }
        }
    })
}

/// One round: claims and fires the due timers (one batch), or says how long to sleep.
async fn round(db: &kernel::Db) -> Result<Duration, super::EngineError> {
    let now = kernel::now_ms();
    let claimed = store::claim_due(db, now, now + service::TIMER_LEASE_MS, BATCH).await?;
    if !claimed.is_empty() {
        let fired = service::fire_claimed(db, &claimed, kernel::now_ms).await?;
        tracing::debug!(claimed = claimed.len(), fired, "workflow timers fired");
        return Ok(Duration::ZERO);
    }
    let now = kernel::now_ms();
    Ok(sleep_for(store::next_due(db, now).await?, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_until_the_next_due_timer_but_never_longer_than_the_poll() {
        assert_eq!(sleep_for(None, 1_000), POLL);
        assert_eq!(sleep_for(Some(1_000), 1_000), Duration::ZERO);
        assert_eq!(sleep_for(Some(900), 1_000), Duration::ZERO);
        assert_eq!(sleep_for(Some(1_040), 1_000), Duration::from_millis(40));
        assert_eq!(sleep_for(Some(1_250), 1_000), Duration::from_millis(250));
        assert_eq!(sleep_for(Some(61_000), 1_000), POLL);
    }
}
