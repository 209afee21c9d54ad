//! FHIR use cases that write: every appointment read or searched is audited, in one transaction.

use kernel::AppState;
use kernel::audit::{self, Event, Origin};
use kernel::identity::Identity;

use super::store::FhirBooking;

/// Records a search of appointments (its query, already truncated) and a read of each
/// appointment returned.
pub async fn audit_reads(
    state: &AppState,
    identity: &Identity,
    origin: &Origin,
    search: Option<&str>,
    bookings: &[FhirBooking],
) -> sqlx::Result<()> {
    let actor = identity.actor();
    let mut tx = state.db.begin().await?;
    if let Some(query) = search {
        let e = Event::new("fhir.appointment.search", "fhir", "Appointment").detail(query).purpose("clinic operations");
        audit::record(&state.db, &mut tx, &actor, origin, e).await?;
    }
    for b in bookings {
        let e = Event::new("fhir.appointment.read", "booking", &b.id)
            .person(&b.citizen_id)
            .detail(if search.is_some() { "search" } else { "read" })
            .purpose("clinic operations");
        audit::record(&state.db, &mut tx, &actor, origin, e).await?;
    }
    tx.commit().await?;
    Ok(())
}
