//! Use cases of assignments: one transaction each, with its audit entry.

use kernel::Db;
use kernel::audit::{self, Actor, Event, Origin};

use super::store;

/// What to assign to whom.
pub struct NewAssignment<'a> {
    pub staff_id: &'a str,
    /// `case` or `cluster`.
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    /// The case's or cluster's reference (for the audit entry).
    pub reference: &'a str,
    /// The case's person, empty for a cluster.
    pub person_id: &'a str,
}

/// Assigns a case or cluster; false (nothing written) when it is already assigned to them.
pub async fn assign(db: &Db, actor: &Actor, origin: &Origin, a: &NewAssignment<'_>) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if !store::assign(&mut tx, a.staff_id, a.subject_type, a.subject_id, actor.id()).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    let detail = format!("{} {} to {}", a.subject_type, a.reference, a.staff_id);
    let mut event =
        Event::new("assignment.create", a.subject_type, a.reference).purpose("need-to-know").detail(&detail);
    if !a.person_id.is_empty() {
        event = event.person(a.person_id);
    }
    audit::record(db, &mut tx, actor, origin, event).await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends an assignment; false when there is no such active assignment.
pub async fn end(db: &Db, actor: &Actor, origin: &Origin, id: &str) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    let Some((staff_id, kind, subject)) = store::end_assignment(&mut tx, id).await? else {
        return Ok(false);
    };
    let detail = format!("{kind} {subject} from {staff_id}");
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("assignment.end", &kind, &subject).purpose("need-to-know").detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Active staff who can be assigned cases and clusters (epidemiologists and lead
/// epidemiologists): `(id, "name (e-mail)")`, for the assignments page and the case page.
pub async fn assignable_staff(db: &Db) -> sqlx::Result<Vec<(String, String)>> {
    use kernel::identity::Role;
    Ok(kernel::identity::staff::list(db)
        .await?
        .into_iter()
        .filter(|u| {
            u.status == "active"
                && (u.roles.contains(&Role::Epidemiologist) || u.roles.contains(&Role::LeadEpidemiologist))
        })
        .map(|u| (u.id, format!("{} ({})", u.display_name, u.email)))
        .collect())
}
