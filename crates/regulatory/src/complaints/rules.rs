//! Complaint rules, no IO: what a complaint must carry, the reference format, the statuses.

use kernel::web::FieldError;

/// What a complaint can be about.
pub const CATEGORIES: [&str; 7] =
    ["hygiene", "counterfeit", "prescription", "unlicensed", "labelling", "conduct", "other"];

/// Statuses of a complaint still being dealt with.
pub const OPEN: [&str; 3] = ["received", "triaged", "inspection"];

/// Every status.
pub const STATUSES: [&str; 5] = ["received", "triaged", "inspection", "closed", "rejected"];

pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_PREMISES_TEXT: usize = 300;
pub const MAX_REASON: usize = 1000;

/// The letters of a reference: no 0/O, 1/I/L, so that it can be read out on the phone.
const REF_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// A reference `CMP-YYYY-XXXXXX` from six random numbers.
pub fn reference(year: i32, random: [u32; 6]) -> String {
    let tail: String = random.iter().map(|r| REF_ALPHABET[*r as usize % REF_ALPHABET.len()] as char).collect();
    format!("CMP-{year}-{tail}")
}

/// Whether `s` looks like a reference (any case; spaces around are ignored by the caller).
pub fn is_reference(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    matches!(parts.as_slice(), ["CMP", y, t] if y.len() == 4 && y.chars().all(|c| c.is_ascii_digit())
        && t.len() == 6 && t.bytes().all(|b| REF_ALPHABET.contains(&b)))
}

/// A complaint as typed in the form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub premises_id: String,
    pub premises_text: String,
    pub district: String,
    pub category: String,
    pub description: String,
    pub email: String,
    pub phone: String,
}

/// A complaint that passed the checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Valid {
    pub premises_id: Option<String>,
    pub premises_text: String,
    pub district: Option<String>,
    pub category: String,
    pub description: String,
    pub email: Option<String>,
    /// Eight digits.
    pub phone: Option<String>,
}

/// A Hong Kong phone number as eight digits (spaces, dashes and +852 allowed around them).
pub fn hk_phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let local = digits.strip_prefix("+852").unwrap_or(&digits);
    (local.len() == 8 && local.chars().all(|c| c.is_ascii_digit()) && matches!(local.as_bytes()[0], b'2'..=b'9'))
        .then(|| local.to_string())
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checks a complaint, listing every problem at once.
pub fn check(d: &Draft) -> Result<Valid, Vec<FieldError>> {
    let mut e = Vec::new();
    let premises_id = opt(&d.premises_id);
    let premises_text = d.premises_text.trim().to_string();
    if premises_id.is_none() && premises_text.is_empty() {
        e.push(FieldError::new("premises", "reg_cmp_premises_required", &[]));
    }
    e.extend(kernel::web::form::too_long("premises_text", &premises_text, MAX_PREMISES_TEXT));
    let district = opt(&d.district);
    if let Some(code) = &district
        && kernel::hk::district(code).is_none()
    {
        e.push(FieldError::new("district", "unknown_district", &[("value", code.clone())]));
    }
    if !CATEGORIES.contains(&d.category.trim()) {
        e.push(FieldError::new("category", "reg_cmp_category_required", &[]));
    }
    let description = d.description.trim().to_string();
    if description.is_empty() {
        e.push(FieldError::new("description", "reg_cmp_description_required", &[]));
    }
    e.extend(kernel::web::form::too_long("description", &description, MAX_DESCRIPTION));
    let email = opt(&d.email);
    if let Some(m) = &email
        && !kernel::identity::staff::valid_email(m)
    {
        e.push(FieldError::new("email", "invalid_email", &[]));
    }
    let phone = match opt(&d.phone) {
        Some(p) => match hk_phone(&p) {
            Some(p) => Some(p),
            None => {
                e.push(FieldError::new("phone", "reg_cmp_phone_invalid", &[]));
                None
            }
        },
        None => None,
    };
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Valid {
        premises_id,
        premises_text,
        district,
        category: d.category.trim().to_string(),
        description,
        email: email.map(|m| m.to_lowercase()),
        phone,
    })
}

/// The priority an inspection sent from a complaint gets, and the days until it is due:
/// urgent complaints are inspected first (priority 1) by tomorrow, others within a week.
pub fn inspection_for(urgent: bool) -> (i64, i64) {
    if urgent { (1, 1) } else { (2, 7) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            premises_text: "Happy Pharmacy, Nathan Road".into(),
            category: "prescription".into(),
            description: "Sold antibiotics without a prescription.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_complaint_passes_and_anonymous_is_allowed() {
        let v = check(&draft()).unwrap();
        assert_eq!((v.email, v.phone, v.premises_id), (None, None, None));
        let v = check(&Draft { phone: "+852 9123-4567".into(), email: "A@B.hk".into(), ..draft() }).unwrap();
        assert_eq!(v.phone.as_deref(), Some("91234567"));
        assert_eq!(v.email.as_deref(), Some("a@b.hk"));
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let d = Draft {
            premises_text: " ".into(),
            district: "XX".into(),
            category: "gossip".into(),
            description: "".into(),
            email: "nope".into(),
            phone: "123".into(),
            ..Default::default()
        };
        let codes: Vec<String> =
            check(&d).unwrap_err().into_iter().map(|e| format!("{}:{}", e.field, e.code)).collect();
        assert_eq!(
            codes,
            [
                "premises:reg_cmp_premises_required",
                "district:unknown_district",
                "category:reg_cmp_category_required",
                "description:reg_cmp_description_required",
                "email:invalid_email",
                "phone:reg_cmp_phone_invalid"
            ]
        );
        let long = Draft { description: "x".repeat(MAX_DESCRIPTION + 1), ..draft() };
        assert_eq!(check(&long).unwrap_err()[0].code, "too_long");
    }

    #[test]
    fn references_have_the_agreed_shape() {
        let r = reference(2026, [0, 1, 30, 31, 7, 100]);
        assert_eq!(r, "CMP-2026-23Z299");
        assert!(is_reference(&r));
        assert!(!is_reference("CMP-2026-23Z29"));
        assert!(!is_reference("CMP-2026-23Z29O"), "O is not in the alphabet");
        assert!(!is_reference("REG-2026-23Z299"));
    }

    #[test]
    fn urgent_complaints_are_inspected_first_and_sooner() {
        assert_eq!(inspection_for(true), (1, 1));
        assert_eq!(inspection_for(false), (2, 7));
    }
}
