//! The public register (issue 13 item 10): licensed premises searched by name (English or
//! Chinese), district, licence type and status, with the latest inspection outcome once its
//! appeal window has passed; a premises' public record; CSV and JSON downloads of the same
//! search through an open, rate-limited API. No personal data of individuals: an individual
//! holder is not named and responsible persons never are.

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

pub use rules::{Entry, PublishedOutcome, Search, SearchParams};

/// Requests per minute per address to the downloads and the API.
pub const PER_MINUTE: i64 = 120;

/// Counts a download or API call from `ip`; refuses past [`PER_MINUTE`].
pub async fn rate_limit(state: &kernel::AppState, ip: &str) -> kernel::web::AppResult<()> {
    let (hits, _) = kernel::ratelimit::hit(&state.db, &format!("register:{ip}"), 60_000).await?;
    if hits > PER_MINUTE {
        return Err(kernel::web::AppError::TooManyRequests);
    }
    Ok(())
}

pub fn routes() -> kernel::web::Routes {
    pages::routes().merge(api::routes())
}
