//! Use cases of the catalogue: one transaction each, with its audit entry.

use kernel::Db;
use kernel::audit::{self, Actor, Event, Origin};

use super::{Disease, changed_fields, store};

/// Adds a disease; false (nothing written) when its code is taken.
pub async fn add_disease(db: &Db, d: &Disease, actor: &Actor, origin: &Origin) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::insert_disease(&mut tx, d, actor.id()).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let detail = format!("added {} ({}), {} form fields", d.code, d.icd10, d.form_fields.len());
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("disease.create", "disease", &d.code).purpose("reference data").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Saves a new version of a disease; false (nothing written) when someone saved it since `old`
/// was read.
pub async fn update_disease(
    db: &Db,
    old: &Disease,
    new: &Disease,
    actor: &Actor,
    origin: &Origin,
) -> sqlx::Result<bool> {
    let changed = changed_fields(old, new);
    let mut tx = db.begin().await?;
    if !store::update_disease(&mut tx, new, actor.id()).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let detail = format!(
        "version {}: {}",
        new.version,
        if changed.is_empty() { "no change".into() } else { changed.join(", ") }
    );
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("disease.update", "disease", &old.code).purpose("reference data").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
