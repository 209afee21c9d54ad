//! SQL for fhir: the FHIR searches: one parameterised statement per resource type, with paging.

use kernel::db::Db;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use crate::booking::store::SLOT_COLUMNS;
use crate::booking::{Service, Session, Slot};

use crate::fhir::params::{InstantCond, PeriodCond, StrMatch};

/// What a reference search parameter points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FhirTarget {
    /// A service point (`Location/{code}`).
    Point(String),
    /// A service at a service point (`HealthcareService/…`, `Schedule/…`).
    Pair(String, String),
    /// A citizen (`Patient/{id}`).
    Patient(String),
}

/// Slot states as FHIR sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FhirSlotState {
    /// Open with a place left online (`free`).
    Free,
    /// Open with no place left online (`busy`).
    Busy,
    /// Closed: to first-come booking (a ballot) or by a closure (`busy-unavailable`).
    Unavailable,
}

#[derive(Clone, Debug)]
enum Arg {
    Text(String),
    Int(i64),
}

/// A WHERE clause under construction, with its binds in order.
#[derive(Default)]
struct Conds {
    sql: Vec<String>,
    args: Vec<Arg>,
}

impl Conds {
    fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    fn text(&mut self, s: &str) -> String {
        self.arg(Arg::Text(s.to_string()))
    }

    fn int(&mut self, i: i64) -> String {
        self.arg(Arg::Int(i))
    }

    fn any_of(&mut self, col: &str, values: &[String]) -> String {
        if values.is_empty() {
            return "1 = 0".into();
        }
        let ph: Vec<String> = values.iter().map(|v| self.text(v)).collect();
        format!("{col} IN ({})", ph.join(", "))
    }

    /// One AND-ed clause per OR-group.
    fn groups<T>(&mut self, groups: &[Vec<T>], mut one: impl FnMut(&mut Self, &T) -> String) {
        for g in groups {
            let alts: Vec<String> = g.iter().map(|v| one(self, v)).collect();
            self.sql.push(if alts.is_empty() { "1 = 0".into() } else { format!("({})", alts.join(" OR ")) });
        }
    }

    fn in_groups(&mut self, col: &str, groups: &[Vec<String>]) {
        for g in groups {
            let c = self.any_of(col, g);
            self.sql.push(c);
        }
    }

    fn instant(&mut self, col: &str, c: &InstantCond) -> String {
        match *c {
            InstantCond::Within(a, b) => format!("({col} >= {} AND {col} < {})", self.int(a), self.int(b)),
            InstantCond::Outside(a, b) => format!("({col} < {} OR {col} >= {})", self.int(a), self.int(b)),
            InstantCond::AtLeast(a) => format!("{col} >= {}", self.int(a)),
            InstantCond::Before(b) => format!("{col} < {}", self.int(b)),
        }
    }

    fn period(&mut self, first: &str, last: &str, c: &PeriodCond) -> String {
        match c {
            PeriodCond::Overlaps(a, b) => format!("({first} <= {} AND {last} >= {})", self.text(b), self.text(a)),
            PeriodCond::Disjoint(a, b) => format!("({first} > {} OR {last} < {})", self.text(b), self.text(a)),
            PeriodCond::EndsOnOrAfter(a) => format!("{last} >= {}", self.text(a)),
            PeriodCond::EndsAfter(b) => format!("{last} > {}", self.text(b)),
            PeriodCond::StartsOnOrBefore(b) => format!("{first} <= {}", self.text(b)),
            PeriodCond::StartsBefore(a) => format!("{first} < {}", self.text(a)),
        }
    }

    /// A target on a table with these columns (`None`: the target cannot match there).
    fn target(&mut self, t: &FhirTarget, point: &str, service: &str, patient: Option<&str>) -> String {
        match (t, patient) {
            (FhirTarget::Point(p), _) => format!("{point} = {}", self.text(p)),
            (FhirTarget::Pair(p, s), _) => format!("({point} = {} AND {service} = {})", self.text(p), self.text(s)),
            (FhirTarget::Patient(c), Some(col)) => format!("{col} = {}", self.text(c)),
            (FhirTarget::Patient(_), None) => "1 = 0".into(),
        }
    }

    fn where_sql(&self) -> String {
        if self.sql.is_empty() { String::new() } else { format!(" WHERE {}", self.sql.join(" AND ")) }
    }

    fn bind<'q>(
        &self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    fn bind_scalar<'q>(
        &self,
        mut q: sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments> {
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

/// Runs `SELECT COUNT(*) {from}{where}` and `SELECT {cols} {from}{where} ORDER BY … LIMIT … OFFSET …`.
async fn fhir_page(
    db: &Db,
    cols: &str,
    from: &str,
    order: &str,
    mut c: Conds,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<AnyRow>, i64)> {
    let where_sql = c.where_sql();
    let total = c
        .bind_scalar(sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {from}{where_sql}"))))
        .fetch_one(db.pool())
        .await?;
    if limit == 0 {
        return Ok((vec![], total));
    }
    let (l, o) = (c.int(i64::from(limit)), c.int(i64::try_from(offset).unwrap_or(i64::MAX)));
    let rows = c
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {cols} FROM {from}{where_sql} ORDER BY {order} LIMIT {l} OFFSET {o}"
        ))))
        .fetch_all(db.pool())
        .await?;
    Ok((rows, total))
}

/// `LIKE` pattern for a case-insensitive match (the value lower-cased, wildcards escaped).
fn like_pattern(how: StrMatch, value: &str) -> String {
    let escaped = value.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    match how {
        StrMatch::Contains => format!("%{escaped}%"),
        _ => format!("{escaped}%"),
    }
}

/// Location search.
#[derive(Clone, Debug, Default)]
pub struct FhirLocationQuery {
    pub codes: Vec<Vec<String>>,
    /// Matched against the English and the Chinese name.
    pub names: Vec<(StrMatch, Vec<String>)>,
    pub districts: Vec<Vec<String>>,
    pub kinds: Vec<Vec<String>>,
}

pub async fn fhir_locations(
    db: &Db,
    q: &FhirLocationQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<kernel::directory::ServicePoint>, i64)> {
    let mut c = Conds::default();
    c.in_groups("code", &q.codes);
    for (how, values) in &q.names {
        let how = *how;
        c.groups(std::slice::from_ref(values), |c, v| match how {
            StrMatch::Exact => {
                let p = c.text(v);
                format!("(name_en = {p} OR name_zh = {p})")
            }
            _ => {
                let p = c.text(&like_pattern(how, v));
                format!("(LOWER(name_en) LIKE {p} ESCAPE '\\' OR LOWER(name_zh) LIKE {p} ESCAPE '\\')")
            }
        });
    }
    c.in_groups("district", &q.districts);
    c.in_groups("kind", &q.kinds);
    let (rows, total) = fhir_page(
        db,
        "code, kind, name_en, name_zh, district, address_en, address_zh",
        "service_points",
        "code",
        c,
        limit,
        offset,
    )
    .await?;
    let points = rows
        .iter()
        .map(|r| {
            Ok(kernel::directory::ServicePoint {
                code: r.try_get("code")?,
                kind: r.try_get("kind")?,
                name_en: r.try_get("name_en")?,
                name_zh: r.try_get("name_zh")?,
                district: r.try_get("district")?,
                address_en: r.try_get("address_en")?,
                address_zh: r.try_get("address_zh")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((points, total))
}

/// The weekly sessions of these service points (for opening hours and available times).
pub async fn fhir_sessions_of(db: &Db, points: &[String]) -> sqlx::Result<Vec<Session>> {
    if points.is_empty() {
        return Ok(vec![]);
    }
    let mut c = Conds::default();
    let clause = c.any_of("service_point", points);
    let rows = c
        .bind(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM clinic_sessions WHERE {clause} ORDER BY service_point, service, weekday, start_time"
        ))))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(Session::from_row).collect()
}

/// A service offered at a service point (a HealthcareService and its Schedule), with the days
/// its weekly sessions cover.
#[derive(Clone, Debug)]
pub struct FhirPointService {
    pub point: kernel::directory::ServicePoint,
    pub service: Service,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
}

/// HealthcareService and Schedule search: every service point × service of its kind.
#[derive(Clone, Debug, Default)]
pub struct FhirPointServiceQuery {
    /// Service points or point × service pairs.
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    /// Conditions on the days the sessions cover (a service without sessions matches none).
    pub horizon: Vec<Vec<PeriodCond>>,
}

pub async fn fhir_point_services(
    db: &Db,
    q: &FhirPointServiceQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<FhirPointService>, i64)> {
    let mut c = Conds::default();
    c.groups(&q.targets, |c, t| c.target(t, "p.code", "s.code", None));
    c.in_groups("s.code", &q.services);
    c.groups(&q.horizon, |c, h| c.period("h.first_day", "h.last_day", h));
    let (rows, total) = fhir_page(
        db,
        "p.code AS p_code, p.kind AS p_kind, p.name_en AS p_en, p.name_zh AS p_zh, p.district AS p_district, \
         p.address_en AS p_address_en, p.address_zh AS p_address_zh, s.*, h.first_day, h.last_day",
        "service_points p JOIN clinic_services s ON s.point_kind = p.kind \
         LEFT JOIN (SELECT service_point, service, MIN(valid_from) AS first_day, MAX(valid_to) AS last_day \
         FROM clinic_sessions GROUP BY service_point, service) h ON h.service_point = p.code AND h.service = s.code",
        "p.code, s.code",
        c,
        limit,
        offset,
    )
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(FhirPointService {
                point: kernel::directory::ServicePoint {
                    code: r.try_get("p_code")?,
                    kind: r.try_get("p_kind")?,
                    name_en: r.try_get("p_en")?,
                    name_zh: r.try_get("p_zh")?,
                    district: r.try_get("p_district")?,
                    address_en: r.try_get("p_address_en")?,
                    address_zh: r.try_get("p_address_zh")?,
                },
                service: Service::from_row(r)?,
                first_day: r.try_get("first_day")?,
                last_day: r.try_get("last_day")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((items, total))
}

/// Slot search.
#[derive(Clone, Debug, Default)]
pub struct FhirSlotQuery {
    pub ids: Vec<Vec<String>>,
    /// Service points (`location`) or point × service pairs (`schedule`).
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    pub states: Vec<Vec<FhirSlotState>>,
    pub start: Vec<Vec<InstantCond>>,
}

pub async fn fhir_slots(db: &Db, q: &FhirSlotQuery, limit: u32, offset: u64) -> sqlx::Result<(Vec<Slot>, i64)> {
    let mut c = Conds::default();
    c.in_groups("id", &q.ids);
    c.groups(&q.targets, |c, t| c.target(t, "service_point", "service", None));
    c.in_groups("service", &q.services);
    c.groups(&q.states, |_, s| {
        match s {
            FhirSlotState::Free => "(status = 'open' AND booked < capacity - pool_walkin)",
            FhirSlotState::Busy => "(status = 'open' AND booked >= capacity - pool_walkin)",
            FhirSlotState::Unavailable => "status = 'closed'",
        }
        .to_string()
    });
    c.groups(&q.start, |c, t| c.instant("starts_at", t));
    let (rows, total) = fhir_page(db, SLOT_COLUMNS, "clinic_slots", "starts_at, id", c, limit, offset).await?;
    Ok((rows.iter().map(Slot::from_row).collect::<sqlx::Result<Vec<_>>>()?, total))
}

/// A booking as an Appointment sees it.
#[derive(Clone, Debug)]
pub struct FhirBooking {
    pub id: String,
    pub reference: String,
    pub status: String,
    pub citizen_id: String,
    pub service: String,
    pub service_point: String,
    pub point_en: String,
    pub point_zh: String,
    pub slot_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Appointment search.
#[derive(Clone, Debug, Default)]
pub struct FhirBookingQuery {
    pub ids: Vec<Vec<String>>,
    /// Booking references (`identifier`).
    pub references: Vec<Vec<String>>,
    /// Stored statuses (`booked`, `cancelled`, `attended`, `late`, `no_show`).
    pub statuses: Vec<Vec<String>>,
    /// Service points, point × service pairs or citizens (`location`, `patient`, `actor`).
    pub targets: Vec<Vec<FhirTarget>>,
    pub services: Vec<Vec<String>>,
    pub slots: Vec<Vec<String>>,
    pub start: Vec<Vec<InstantCond>>,
}

pub async fn fhir_bookings(
    db: &Db,
    q: &FhirBookingQuery,
    limit: u32,
    offset: u64,
) -> sqlx::Result<(Vec<FhirBooking>, i64)> {
    let mut c = Conds::default();
    c.in_groups("b.id", &q.ids);
    c.in_groups("b.reference", &q.references);
    c.in_groups("b.status", &q.statuses);
    // Clinic and service through the slot, whose index (service_point, service, starts_at) serves them.
    c.groups(&q.targets, |c, t| c.target(t, "t.service_point", "t.service", Some("b.citizen_id")));
    c.in_groups("t.service", &q.services);
    c.in_groups("b.slot_id", &q.slots);
    c.groups(&q.start, |c, s| c.instant("t.starts_at", s));
    let (rows, total) = fhir_page(
        db,
        "b.id, b.reference, b.status, b.citizen_id, b.service, b.service_point, p.name_en AS p_en, p.name_zh AS p_zh, \
         b.slot_id, t.starts_at, t.ends_at, b.created_at, b.updated_at",
        "clinic_bookings b JOIN clinic_slots t ON t.id = b.slot_id JOIN service_points p ON p.code = b.service_point",
        "t.starts_at, b.id",
        c,
        limit,
        offset,
    )
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(FhirBooking {
                id: r.try_get("id")?,
                reference: r.try_get("reference")?,
                status: r.try_get("status")?,
                citizen_id: r.try_get("citizen_id")?,
                service: r.try_get("service")?,
                service_point: r.try_get("service_point")?,
                point_en: r.try_get("p_en")?,
                point_zh: r.try_get("p_zh")?,
                slot_id: r.try_get("slot_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .collect::<sqlx::Result<Vec<_>>>()?;
    Ok((items, total))
}
