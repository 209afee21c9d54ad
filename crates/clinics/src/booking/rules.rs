//! Booking rules: pure checks over a service's rules, a slot and a person, plus booking
//! references. The capacity itself is guarded in the database by one conditional statement.

use rand::Rng;

use super::{Service, Slot};

/// Why a booking (or a change to one) is refused; `code()` is the bilingual message key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    SlotNotFound,
    SlotFull,
    SlotClosed,
    SlotPast,
    TooLate,
    AlreadyBooked,
    NotEligibleAge,
    TooManyReschedules,
    NotYours,
    NotActive,
    SameSlot,
    DifferentService,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::SlotNotFound => "slot_not_found",
            Refusal::SlotFull => "slot_full",
            Refusal::SlotClosed => "slot_closed",
            Refusal::SlotPast => "slot_past",
            Refusal::TooLate => "too_late",
            Refusal::AlreadyBooked => "already_booked",
            Refusal::NotEligibleAge => "not_eligible_age",
            Refusal::TooManyReschedules => "too_many_reschedules",
            Refusal::NotYours => "not_yours",
            Refusal::NotActive => "booking_not_active",
            Refusal::SameSlot => "same_slot",
            Refusal::DifferentService => "different_service",
        }
    }

    /// HTTP status for the API.
    pub fn status(self) -> u16 {
        match self {
            Refusal::SlotNotFound => 404,
            Refusal::NotYours => 403,
            Refusal::SlotFull | Refusal::AlreadyBooked => 409,
            _ => 422,
        }
    }
}

/// Whether a person of `age` (years, if known) may use `service`.
pub fn check_age(service: &Service, age: Option<i64>) -> Result<(), Refusal> {
    match age {
        Some(a) if service.min_age.is_some_and(|m| a < m) || service.max_age.is_some_and(|m| a > m) => {
            Err(Refusal::NotEligibleAge)
        }
        None if service.min_age.is_some() || service.max_age.is_some() => Err(Refusal::NotEligibleAge),
        _ => Ok(()),
    }
}

/// Why a slot cannot be booked now, judged from its state (used after the conditional update
/// found no room, to tell the person which).
pub fn explain(slot: Option<&Slot>, service: &Service, elderly: bool, now_ms: i64) -> Refusal {
    let Some(slot) = slot else { return Refusal::SlotNotFound };
    if slot.starts_at <= now_ms {
        Refusal::SlotPast
    } else if slot.starts_at < now_ms + service.min_notice_minutes * 60_000 {
        Refusal::TooLate
    } else if slot.status != "open" {
        Refusal::SlotClosed
    } else if (elderly && slot.elderly_left() == 0) || (!elderly && slot.general_left() == 0) {
        Refusal::SlotFull
    } else {
        // The slot changed between the attempt and this look: report it as taken.
        Refusal::SlotFull
    }
}

/// Age in whole years on `day` from a `YYYY-MM-DD` birth date.
pub fn age_on(birth: &str, day: chrono::NaiveDate) -> Option<i64> {
    let b: chrono::NaiveDate = birth.parse().ok()?;
    day.years_since(b).map(i64::from)
}

/// A booking reference people can read out on the phone: `DH` and eight characters from an
/// alphabet without 0/O, 1/I/L, e.g. `DH-7K3M-9Q2P`.
pub fn new_reference() -> String {
    const A: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let mut s = String::from("DH-");
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(A[rng.random_range(0..A.len())] as char);
    }
    s
}

/// Whether staff may record this attendance now: a no-show only once the appointment's time has
/// come (someone due at 10:00 is not absent at 09:30). Attended and late may be recorded early (a
/// person can arrive before the time). `Err` carries the field-error code.
pub fn attendance_allowed(no_show: bool, starts_at: i64, now: i64) -> Result<(), &'static str> {
    if no_show && now < starts_at { Err("no_show_before_time") } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(min_age: Option<i64>, max_age: Option<i64>) -> Service {
        Service {
            code: "x".into(),
            point_kind: "ehc".into(),
            name_en: String::new(),
            name_zh: String::new(),
            eligibility_en: String::new(),
            eligibility_zh: String::new(),
            min_notice_minutes: 60,
            max_reschedules: 2,
            min_age,
            max_age,
        }
    }

    fn slot(starts_at: i64, capacity: i64, booked: i64) -> Slot {
        Slot {
            id: "s".into(),
            service_point: "p".into(),
            service: "x".into(),
            day: "2025-01-01".into(),
            starts_at,
            ends_at: starts_at + 1,
            capacity,
            pool_walkin: 1,
            pool_elderly: 1,
            booked,
            booked_elderly: 0,
            status: "open".into(),
        }
    }

    #[test]
    fn ages() {
        assert_eq!(check_age(&service(Some(65), None), Some(64)), Err(Refusal::NotEligibleAge));
        assert_eq!(check_age(&service(Some(65), None), Some(65)), Ok(()));
        assert_eq!(check_age(&service(None, Some(5)), Some(6)), Err(Refusal::NotEligibleAge));
        assert_eq!(check_age(&service(None, Some(5)), None), Err(Refusal::NotEligibleAge), "age needed");
        assert_eq!(check_age(&service(None, None), None), Ok(()));
        assert_eq!(age_on("1960-03-01", "2025-02-28".parse().unwrap()), Some(64));
        assert_eq!(age_on("1960-03-01", "2025-03-01".parse().unwrap()), Some(65));
    }

    #[test]
    fn pools() {
        // Capacity 5: 1 walk-in, 1 for 65+, 3 general.
        let s = slot(1_000_000, 5, 3);
        assert_eq!(s.general_left(), 0);
        assert_eq!(s.elderly_left(), 1);
        assert_eq!(slot(1_000_000, 5, 1).general_left(), 2);
    }

    #[test]
    fn explanations() {
        let svc = service(None, None);
        let now = 0;
        assert_eq!(explain(None, &svc, false, now), Refusal::SlotNotFound);
        assert_eq!(explain(Some(&slot(-1, 5, 0)), &svc, false, now), Refusal::SlotPast);
        assert_eq!(explain(Some(&slot(30 * 60_000, 5, 0)), &svc, false, now), Refusal::TooLate);
        assert_eq!(explain(Some(&slot(2 * 3_600_000, 5, 3)), &svc, false, now), Refusal::SlotFull);
    }

    #[test]
    fn references() {
        let r = new_reference();
        assert_eq!(r.len(), 12);
        assert!(r.starts_with("DH-") && r.chars().nth(7) == Some('-'));
        assert!(!r.contains(['0', 'O', '1', 'I', 'L']));
    }

    #[test]
    fn a_no_show_waits_for_the_appointment_time() {
        let at = 1_800_000_000_000;
        assert_eq!(super::attendance_allowed(true, at, at - 1), Err("no_show_before_time"));
        assert_eq!(super::attendance_allowed(true, at, at), Ok(()));
        assert_eq!(super::attendance_allowed(true, at, at + 60_000), Ok(()));
        assert_eq!(super::attendance_allowed(false, at, at - 3_600_000), Ok(()), "early arrival");
    }
}
