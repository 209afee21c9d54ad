//! Pure rules of staff administration: scopes (where a member of staff works) and what an
//! administrator may not do to their own account.

use crate::identity::Role;
use crate::web::FieldError;

/// Staff accounts a page.
pub const PAGE_SIZE: i64 = 50;

/// A stored scope list (`district:KT,service_point:D01`), cleaned.
pub fn parse_scopes(stored: &str) -> Vec<String> {
    let mut v: Vec<String> = stored.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
    v.sort();
    v.dedup();
    v
}

/// The scopes chosen on the form: district codes (checked against `known_district`) and
/// service-point codes typed comma-separated (checked against `known_point`).
pub fn scopes_from_form(
    districts: &[String],
    points: &str,
    known_district: impl Fn(&str) -> bool,
    known_point: impl Fn(&str) -> bool,
) -> Result<Vec<String>, Vec<FieldError>> {
    let mut errors = vec![];
    if districts.iter().any(|d| !known_district(d)) {
        errors.push(FieldError::new("districts", "invalid_choice", &[]));
    }
    let codes: Vec<&str> = points.split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = codes.iter().find(|c| !known_point(c)) {
        errors.push(FieldError::new(
            "service_points",
            "unknown_service_point",
            &[("code", bad.chars().take(40).collect())],
        ));
    }
    if points.chars().count() > 2000 {
        errors.push(FieldError::new("service_points", "too_long", &[("max", "2000".into())]));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut all: Vec<String> = districts.iter().map(|d| format!("district:{d}")).collect();
    all.extend(codes.iter().map(|c| format!("service_point:{c}")));
    Ok(parse_scopes(&all.join(",")))
}

/// The scopes of one kind (`district` or `service_point`), without the prefix.
pub fn scopes_of_kind<'a>(scopes: &'a [String], kind: &str) -> Vec<&'a str> {
    scopes.iter().filter_map(|s| s.strip_prefix(kind)?.strip_prefix(':')).collect()
}

/// Refuses an administrator removing their own administrator role.
pub fn check_own_roles(me: &str, target: &str, roles: &[Role]) -> Option<FieldError> {
    (me == target && !roles.contains(&Role::Admin)).then(|| FieldError::new("roles", "cannot_remove_own_admin", &[]))
}

/// Refuses an administrator disabling their own account.
pub fn check_own_status(me: &str, target: &str, disable: bool) -> Option<FieldError> {
    (me == target && disable).then(|| FieldError::new("status", "cannot_disable_self", &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_validate() {
        assert_eq!(parse_scopes(" district:KT,,service_point:D1,district:KT"), vec!["district:KT", "service_point:D1"]);
        let ok = scopes_from_form(&["KT".into()], "D1, D2", |d| d == "KT", |p| p.starts_with('D')).unwrap();
        assert_eq!(ok, vec!["district:KT", "service_point:D1", "service_point:D2"]);
        assert_eq!(scopes_of_kind(&ok, "service_point"), vec!["D1", "D2"]);
        let bad = scopes_from_form(&["XX".into()], "Z9", |d| d == "KT", |p| p.starts_with('D')).unwrap_err();
        assert_eq!(bad.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["districts", "service_points"]);
    }

    #[test]
    fn own_account() {
        assert!(check_own_roles("a", "a", &[Role::Auditor]).is_some());
        assert!(check_own_roles("a", "a", &[Role::Admin]).is_none());
        assert!(check_own_roles("a", "b", &[Role::Auditor]).is_none());
        assert!(check_own_status("a", "a", true).is_some());
        assert!(check_own_status("a", "a", false).is_none());
    }
}
