//! The licence lifecycle as pure rules: which action is allowed from which status, where it
//! leads, and the dates a new or renewed licence runs.

use chrono::{Months, NaiveDate};
use rand::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Suspended,
    Revoked,
    Surrendered,
    Lapsed,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Active, Status::Suspended, Status::Revoked, Status::Surrendered, Status::Lapsed];

    pub fn code(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
            Status::Revoked => "revoked",
            Status::Surrendered => "surrendered",
            Status::Lapsed => "lapsed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.code() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    New,
    Renew,
    Amend,
    Suspend,
    Reinstate,
    Revoke,
    Surrender,
    Lapse,
}

impl Action {
    pub const ALL: [Action; 8] = [
        Action::New,
        Action::Renew,
        Action::Amend,
        Action::Suspend,
        Action::Reinstate,
        Action::Revoke,
        Action::Surrender,
        Action::Lapse,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Renew => "renew",
            Action::Amend => "amend",
            Action::Suspend => "suspend",
            Action::Reinstate => "reinstate",
            Action::Revoke => "revoke",
            Action::Surrender => "surrender",
            Action::Lapse => "lapse",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|x| x.code() == s)
    }

    /// Revocation and grants need a second officer (four eyes).
    pub fn needs_second_officer(self) -> bool {
        matches!(self, Action::Revoke | Action::New)
    }
}

/// Where `action` takes a licence in `from` (None: a new licence), or the stable code of why
/// it cannot.
pub fn next(from: Option<Status>, action: Action) -> Result<Status, &'static str> {
    use Action as A;
    use Status as S;
    match (from, action) {
        (None, A::New) => Ok(S::Active),
        (None, _) => Err("licence_not_found"),
        (Some(_), A::New) => Err("licence_exists"),
        // A lapsed licence may still be renewed within the late window (the service checks it).
        (Some(S::Active | S::Lapsed), A::Renew) => Ok(S::Active),
        (Some(S::Active), A::Amend) => Ok(S::Active),
        (Some(S::Active), A::Suspend) => Ok(S::Suspended),
        (Some(S::Suspended), A::Reinstate) => Ok(S::Active),
        (Some(S::Active | S::Suspended), A::Revoke) => Ok(S::Revoked),
        (Some(S::Active | S::Suspended), A::Surrender) => Ok(S::Surrendered),
        (Some(S::Active), A::Lapse) => Ok(S::Lapsed),
        _ => Err("transition_not_allowed"),
    }
}

/// The last valid day of a licence issued (or renewed from) `start` for `months`.
pub fn expiry(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).and_then(|d| d.pred_opt()).unwrap_or(start)
}

/// The expiry after renewing a licence that expires on `expires`, renewed on `today`: the new
/// term runs on from the old expiry (or from today, if it had already lapsed).
pub fn renewed_expiry(expires: NaiveDate, today: NaiveDate, months: u32) -> NaiveDate {
    let start = if today > expires { today } else { expires.succ_opt().unwrap_or(expires) };
    expiry(start, months)
}

/// Whether renewal is open on `today` for a licence expiring on `expires`.
pub fn renewal_open(expires: NaiveDate, today: NaiveDate, window_days: u32) -> bool {
    today <= expires && (expires - today).num_days() <= i64::from(window_days)
}

/// Days before expiry on which renewal reminders go out.
pub const REMINDER_DAYS: [i64; 3] = [90, 60, 30];

/// The reminder due on `today` for a licence expiring on `expires`, if any.
pub fn reminder_due(expires: NaiveDate, today: NaiveDate) -> Option<i64> {
    let left = (expires - today).num_days();
    REMINDER_DAYS.into_iter().find(|d| *d == left)
}

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

fn code(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// A licence number: the type's prefix, the year and six characters, e.g. `RP-2026-7K3M9Q`.
pub fn new_number(prefix: &str, year: i32) -> String {
    format!("{prefix}-{year}-{}", code(6))
}

/// A case reference, the same across every procedure of an application: `REG-2026-7K3M9Q2P`.
pub fn new_case_ref(year: i32) -> String {
    format!("REG-{year}-{}", code(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn lifecycle_transitions() {
        assert_eq!(next(None, Action::New), Ok(Status::Active));
        assert_eq!(next(Some(Status::Active), Action::Suspend), Ok(Status::Suspended));
        assert_eq!(next(Some(Status::Suspended), Action::Reinstate), Ok(Status::Active));
        assert_eq!(next(Some(Status::Suspended), Action::Revoke), Ok(Status::Revoked));
        assert_eq!(next(Some(Status::Revoked), Action::Reinstate), Err("transition_not_allowed"));
        assert_eq!(next(Some(Status::Revoked), Action::Renew), Err("transition_not_allowed"));
        assert_eq!(next(Some(Status::Surrendered), Action::Suspend), Err("transition_not_allowed"));
        assert_eq!(next(Some(Status::Lapsed), Action::Renew), Ok(Status::Active));
        assert_eq!(next(Some(Status::Suspended), Action::Lapse), Err("transition_not_allowed"));
        assert_eq!(next(None, Action::Revoke), Err("licence_not_found"));
    }

    #[test]
    fn dates() {
        assert_eq!(expiry(d("2026-01-31"), 12), d("2027-01-30"));
        assert_eq!(expiry(d("2026-03-01"), 36), d("2029-02-28"));
        // Renewed early: runs on from the old expiry.
        assert_eq!(renewed_expiry(d("2026-12-31"), d("2026-11-01"), 12), d("2027-12-31"));
        // Renewed after lapsing: from today.
        assert_eq!(renewed_expiry(d("2026-10-31"), d("2026-11-10"), 12), d("2027-11-09"));
        assert!(renewal_open(d("2027-01-31"), d("2026-11-02"), 90));
        assert!(!renewal_open(d("2027-01-31"), d("2026-11-01"), 90));
        assert!(!renewal_open(d("2026-10-31"), d("2026-11-01"), 90));
        assert_eq!(reminder_due(d("2027-03-08"), d("2026-12-08")), Some(90));
        assert_eq!(reminder_due(d("2027-01-07"), d("2026-12-08")), Some(30));
        assert_eq!(reminder_due(d("2027-01-08"), d("2026-12-08")), None);
    }

    #[test]
    fn references_look_right() {
        let n = new_number("RP", 2026);
        assert!(n.starts_with("RP-2026-") && n.len() == 14, "{n}");
        let c = new_case_ref(2026);
        assert!(c.starts_with("REG-2026-") && c.len() == 17, "{c}");
        let code = &c[9..];
        assert!(!code.contains('0') && !code.contains('O') && !code.contains('I'), "{c}");
    }
}
