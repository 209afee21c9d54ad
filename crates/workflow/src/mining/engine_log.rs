//! The engine's own event log as cases for the mining and simulation pages: the events of one
//! process key (every version), one trace per instance, ordered by time.

use futures_util::TryStreamExt;

use super::service::to_event;
use super::{Trace, store};

/// At most this many events are read for a page (the demo has a few thousand); the command
/// line and the exports have no such limit.
pub const MAX_EVENTS: usize = 200_000;

/// The cases of process `key` (times in µs, as the readers give them), and whether the
/// event limit cut the log short.
pub async fn traces_of(db: &kernel::Db, key: &str) -> sqlx::Result<(Vec<Trace>, bool)> {
    let mut rows = store::by_instance(db);
    let mut traces: Vec<Trace> = vec![];
    let mut current: Option<String> = None;
    let mut n = 0usize;
    while let Some(r) = rows.try_next().await? {
        if r.definition_key != key {
            continue;
        }
        n += 1;
        if n > MAX_EVENTS {
            return Ok((finish(traces), true));
        }
        if current.as_deref() != Some(&r.instance_id) {
            traces.push(Trace { name: Some(r.instance_id.clone()), events: vec![] });
            current = Some(r.instance_id.clone());
        }
        if let Some(t) = traces.last_mut() {
            t.events.push(to_event(&r));
        }
    }
    Ok((finish(traces), false))
}

fn finish(mut traces: Vec<Trace>) -> Vec<Trace> {
    for t in &mut traces {
        t.order();
    }
    traces
}
