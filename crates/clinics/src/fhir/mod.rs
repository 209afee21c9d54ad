//! FHIR R4 for smart clinics under `/fhir/R4`: read and search `Location` (service points),
//! `HealthcareService` and `Schedule` (a service at a service point), `Slot` and `Appointment`
//! (bookings), and the `CapabilityStatement` at `/fhir/R4/metadata`.
//!
//! Handlers are thin: parse the search (`params`), ask `store`, map the rows (`map`), answer with
//! a `searchset` Bundle, a resource, or an OperationOutcome in both languages. Appointments hold
//! personal data: clinic staff only, and every appointment returned is audited. See
//! `docs/clinics.md` ("FHIR R4").

pub mod api;
pub mod map;
pub mod params;
pub mod service;
pub mod store;

use kernel::web::Routes;

pub use api::{APPOINTMENT_READERS, BASE_PATH, CONTENT_TYPE, FhirError, capability_statement};

pub fn routes() -> Routes {
    api::routes()
}
