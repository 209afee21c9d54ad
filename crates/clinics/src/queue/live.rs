//! Live updates of a service point's queue.
//!
//! Each process keeps one watch channel per service point, bumped after every local change so
//! live pages update at once; pages also poll the service point's version in the database every
//! few seconds, which carries changes made on other replicas.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use tokio::sync::watch;

static HUB: LazyLock<Mutex<HashMap<String, watch::Sender<u64>>>> = LazyLock::new(Default::default);

/// Wakes this process's live pages of a service point.
pub fn changed(point: &str) {
    if let Ok(hub) = HUB.lock()
        && let Some(tx) = hub.get(point)
    {
        tx.send_modify(|v| *v += 1);
    }
}

/// Subscribes to local changes of a service point.
pub fn subscribe(point: &str) -> watch::Receiver<u64> {
    let mut hub = HUB.lock().unwrap_or_else(|e| e.into_inner());
    hub.entry(point.to_string()).or_insert_with(|| watch::channel(0).0).subscribe()
}

/// How often live pages look for changes made on other replicas.
pub const POLL: std::time::Duration = std::time::Duration::from_secs(2);
