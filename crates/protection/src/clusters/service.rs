//! Use cases of clusters: one transaction each, with its audit entry.

use chrono::Datelike;
use kernel::audit::{self, Actor, Event, Origin};
use kernel::{Db, Tx};

use super::{Cluster, NewCluster, store};
use crate::cases::{self, Case};

/// Opens a cluster inside `tx` (its reference from this year's counter, its audit entry);
/// returns (id, reference). Triage of a signal opens one in its own transaction.
pub async fn open_in(
    db: &Db,
    tx: &mut Tx,
    actor: &Actor,
    origin: &Origin,
    c: &NewCluster<'_>,
) -> sqlx::Result<(String, String)> {
    let year = kernel::hk::today().year();
    let n = crate::store::take_numbers(tx, &format!("CL-{year}"), 1).await?;
    let reference = format!("CL-{year}-{n:04}");
    let id = kernel::new_id();
    store::insert_cluster(tx, &id, &reference, c, actor.id(), kernel::now_ms()).await?;
    audit::record(db, tx, actor, origin, Event::new("cluster.create", "cluster", &reference).detail(c.name)).await?;
    Ok((id, reference))
}

/// Opens a cluster; returns its reference.
pub async fn create(db: &Db, actor: &Actor, origin: &Origin, c: &NewCluster<'_>) -> sqlx::Result<String> {
    let mut tx = db.begin().await?;
    let (_, reference) = open_in(db, &mut tx, actor, origin, c).await?;
    tx.commit().await?;
    Ok(reference)
}

/// Moves a case into a cluster, or out of one (`None`); leaving a cluster drops the case's links.
pub async fn move_case(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    case: &Case,
    target: Option<&Cluster>,
) -> sqlx::Result<()> {
    if case.cluster_id.as_deref() == target.map(|c| c.id.as_str()) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let dropped = store::delete_links_of_case(&mut tx, &case.id).await?;
    cases::store::set_case_cluster(&mut tx, &case.id, target.map(|c| c.id.as_str())).await?;
    let detail = format!(
        "{} -> {} ({dropped} links dropped)",
        case.cluster_id.as_deref().unwrap_or("none"),
        target.map(|c| c.reference.as_str()).unwrap_or("none")
    );
    audit::record(db, &mut tx, actor, origin, Event::new("case.cluster", "case", &case.reference).detail(&detail))
        .await?;
    tx.commit().await
}

/// Links two cases of a cluster (`source` infected `target`); false (nothing written) when the
/// link exists.
pub async fn add_link(
    db: &Db,
    actor: &Actor,
    origin: &Origin,
    cluster: &Cluster,
    source: &Case,
    target: &Case,
    note: &str,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::insert_link(&mut tx, &cluster.id, &source.id, &target.id, note, actor.id()).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let detail = format!("{} -> {}", source.reference, target.reference);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("cluster.link", "cluster", &cluster.reference).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Deletes a link; false (nothing written) when the cluster has no such link.
pub async fn delete_link(db: &Db, actor: &Actor, origin: &Origin, cluster: &Cluster, link: &str) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::delete_link(&mut tx, &cluster.id, link).await? {
        return Ok(false);
    }
    audit::record(db, &mut tx, actor, origin, Event::new("cluster.unlink", "cluster", &cluster.reference).detail(link))
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// Opens or closes a cluster.
pub async fn set_status(db: &Db, actor: &Actor, origin: &Origin, cluster: &Cluster, status: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    store::set_cluster_status(&mut tx, &cluster.id, status).await?;
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("cluster.status", "cluster", &cluster.reference).detail(status),
    )
    .await?;
    tx.commit().await
}

/// Records a view of a cluster's page (its cases are listed pseudonymised).
pub async fn record_view(db: &Db, actor: &Actor, origin: &Origin, reference: &str) -> sqlx::Result<()> {
    let event = Event::new("cluster.view", "cluster", reference).purpose("surveillance");
    audit::record_now(db, actor, origin, event).await.map(|_| ())
}
