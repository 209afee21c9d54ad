//! Verifiable licence certificates: a compact Ed25519-signed token per licence ([`token`], pure),
//! signing keys with rotation ([`service`], [`store`], `phos regulatory keys`), the public keys
//! at `/.well-known/phos-certificate-keys.json`, verification (`/verify` and
//! `/api/v1/regulatory/verify`, working from the token and the cached keys when the database is
//! down), and the printable certificate with its QR code (`/licences/{number}/certificate`, also
//! as PDF, [`pdf`]). See docs/regulatory/certificates.md.

pub mod api;
pub mod cli;
pub mod pages;
pub mod pdf;
pub mod rules;
pub mod service;
pub mod store;
pub mod token;

use axum::routing::get;
use kernel::web::{Access, Routes};
use utoipa_axum::routes;

pub use rules::Outcome;

/// The path of the published keys.
pub const JWKS_PATH: &str = "/.well-known/phos-certificate-keys.json";

pub fn routes() -> Routes {
    Routes::new()
        .api(Access::Public, routes!(api::verify))
        .page(JWKS_PATH, Access::Public, get(api::jwks))
        .page("/verify", Access::Public, get(pages::verify))
        // Staff with crate::STAFF roles and the licensee's own citizen: the handler checks, and
        // answers 404 to everyone else.
        .page("/licences/{number}/certificate", Access::Public, get(pages::certificate))
        .page("/licences/{number}/certificate.pdf", Access::Public, get(pages::certificate_pdf))
}
