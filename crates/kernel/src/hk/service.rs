//! Closures as use cases: declaring one (with the reactions other areas subscribed to, e.g.
//! clinics cancelling the bookings it covers) and lifting one. One transaction each, with its
//! audit entry; used by the staff pages and by `phos closure`.

use crate::AppState;
use crate::audit::{self, Actor, Event, Origin};
use crate::db::Db;
use crate::hk::Closure;
use crate::hk::store::{self, CLOSURE_DECLARED, NewClosure};

/// Declares a closure and publishes `CLOSURE_DECLARED` in the same transaction (so every
/// subscriber's reaction is queued exactly when it commits), then wakes the local job worker.
/// Returns the closure and how many reactions were queued.
pub async fn declare(
    state: &AppState,
    actor: &Actor,
    origin: &Origin,
    new: &NewClosure,
) -> sqlx::Result<(Closure, usize)> {
    let mut tx = state.db.begin().await?;
    let c = store::insert_closure(&mut tx, new).await?;
    let n = crate::jobs::publish(&mut tx, &state.jobs, CLOSURE_DECLARED, serde_json::json!({ "id": c.id })).await?;
    let detail = format!("{} {} ({} reactions)", c.kind.code(), c.district.as_deref().unwrap_or("territory-wide"), n);
    audit::record(&state.db, &mut tx, actor, origin, Event::new("closure.declare", "closure", &c.id).detail(&detail))
        .await?;
    tx.commit().await?;
    state.wake_worker();
    Ok((c, n))
}

/// Ends the open closure `id` now; `None` (nothing written) when there is no such open closure.
/// A closure that has not begun yet is withdrawn instead (deleted, audited as
/// `closure.withdraw`): it cannot end before it starts.
pub async fn lift(db: &Db, actor: &Actor, origin: &Origin, id: &str) -> sqlx::Result<Option<Closure>> {
    let now = crate::now_ms();
    let mut tx = db.begin().await?;
    let (c, action) = match store::withdraw_future_closure(&mut tx, id, now).await? {
        Some(c) => (c, "closure.withdraw"),
        None => match store::lift_closure(&mut tx, id, now).await? {
            Some(c) => (c, "closure.lift"),
            None => return Ok(None),
        },
    };
    audit::record(db, &mut tx, actor, origin, Event::new(action, "closure", id)).await?;
    tx.commit().await?;
    Ok(Some(c))
}
