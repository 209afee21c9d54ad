//! The checks on a new API client, as a data steward's form or an operator's command line gives
//! it (pure).

use super::{ORG_KINDS, valid_scopes};
use crate::web::FieldError;
use crate::web::form::too_long;

/// A new client's fields as typed (scopes space- or comma-separated, the rate as text).
pub struct ClientForm<'a> {
    pub org_name: &'a str,
    pub org_kind: &'a str,
    pub contact_email: &'a str,
    pub client_name: &'a str,
    pub scopes: &'a str,
    pub rate_limit: &'a str,
}

/// The checked values: scopes and the rate limit per minute.
pub struct CheckedClient {
    pub scopes: Vec<String>,
    pub rate_limit_per_minute: i64,
}

/// Every field error of `f` (fields `org_name`, `org_kind`, `contact_email`, `client_name`,
/// `scopes`, `rate_limit`), or the checked values.
pub fn check_client(f: &ClientForm<'_>) -> Result<CheckedClient, Vec<FieldError>> {
    let scopes = valid_scopes(f.scopes);
    let rate: Option<i64> = f.rate_limit.trim().parse().ok().filter(|r| (1..=100_000).contains(r));
    let mut errors = vec![];
    if f.org_name.trim().is_empty() {
        errors.push(FieldError::new("org_name", "required", &[]));
    }
    errors.extend(too_long("org_name", f.org_name, 200));
    if !ORG_KINDS.contains(&f.org_kind) {
        errors.push(FieldError::new("org_kind", "invalid_choice", &[]));
    }
    if !crate::identity::staff::valid_email(f.contact_email) {
        errors.push(FieldError::new("contact_email", "invalid_email", &[]));
    }
    if f.client_name.trim().is_empty() {
        errors.push(FieldError::new("client_name", "required", &[]));
    }
    errors.extend(too_long("client_name", f.client_name, 200));
    if scopes.is_none() {
        errors.push(FieldError::new("scopes", "choose_scope", &[]));
    }
    if rate.is_none() {
        errors.push(FieldError::new("rate_limit", "out_of_range", &[]));
    }
    match (scopes, rate) {
        (Some(scopes), Some(rate_limit_per_minute)) if errors.is_empty() => {
            Ok(CheckedClient { scopes, rate_limit_per_minute })
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(scopes: &'a str, rate: &'a str) -> ClientForm<'a> {
        ClientForm {
            org_name: "Harbour Lab",
            org_kind: "venture",
            contact_email: "lab@example.org",
            client_name: "ingest",
            scopes,
            rate_limit: rate,
        }
    }

    #[test]
    fn good_and_bad_clients() {
        let ok = check_client(&form("sandbox:read,notifications:write", "600")).ok().unwrap();
        assert_eq!(ok.scopes, ["sandbox:read", "notifications:write"]);
        assert_eq!(ok.rate_limit_per_minute, 600);
        let fields = |f: &ClientForm<'_>| -> Vec<String> {
            check_client(f).err().unwrap().into_iter().map(|e| e.field.clone()).collect()
        };
        assert_eq!(fields(&form("everything", "0")), ["scopes", "rate_limit"]);
        let blank = ClientForm { org_name: " ", client_name: "", org_kind: "club", ..form("sandbox:read", "60") };
        assert_eq!(fields(&blank), ["org_name", "org_kind", "client_name"]);
    }
}
