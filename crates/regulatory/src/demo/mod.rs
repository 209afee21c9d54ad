//! The regulatory demo world: premises across the 18 districts with their licensees, licences
//! (some due for renewal, some suspended, revoked or lapsed), the professional registers their
//! responsible persons are on, and a history of inspections with outcomes. Deterministic by seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::inspections::Inspection;
use crate::licence_types::LicenceType;
use crate::licences::{Licence, rules};
use crate::premises::{Licensee, Premises, Professional};

/// A premises of the synthetic world and the licence type it holds.
#[derive(Clone, Debug)]
pub struct DemoPremises {
    pub premises: Premises,
    pub kind: String,
    /// The responsible person's names (EN, ZH) when the type needs one.
    pub person: (String, String),
}

/// What was seeded.
#[derive(Debug, Default)]
pub struct Seeded {
    pub premises: usize,
    pub licences: usize,
    pub inspections: usize,
}

fn register_of(t: &LicenceType) -> Option<&str> {
    t.definition.register.as_deref()
}

/// Seeds the world once (nothing happens when premises exist already).
pub async fn seed(db: &kernel::Db, seed: u64, world: &[DemoPremises]) -> anyhow::Result<Seeded> {
    crate::licence_types::seed(db).await?;
    if crate::premises::store::count(db).await? > 0 {
        return Ok(Seeded::default());
    }
    let types = crate::licence_types::store::all(db).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0BE6_0A7E);
    let today = kernel::hk::today();
    let now = kernel::now_ms();
    let mut done = Seeded::default();
    let mut tx = db.begin().await?;
    for (n, w) in world.iter().enumerate() {
        let Some(t) = types.iter().find(|t| t.code == w.kind) else { continue };
        crate::premises::store::insert(&mut tx, &w.premises).await?;
        done.premises += 1;
        let company = !w.kind.starts_with("cm_") || rng.random_bool(0.5);
        let licensee = Licensee {
            id: kernel::new_id(),
            kind: if company { "company" } else { "individual" }.into(),
            name_en: if company { format!("{} Limited", w.premises.name_en) } else { w.person.0.clone() },
            name_zh: if company { format!("{}有限公司", w.premises.name_zh) } else { w.person.1.clone() },
            br_number: company.then(|| format!("{:08}", 30_000_000 + n * 7919 % 60_000_000)),
            account: None,
            created_at: now,
        };
        crate::premises::store::insert_licensee(&mut tx, &licensee).await?;
        let responsible = match register_of(t) {
            Some(register) => {
                let prefix = match register {
                    "pharmacist" => "P",
                    "doctor" => "M",
                    _ => "CM",
                };
                let number = format!("{prefix}{:05}", 10_000 + n);
                let p = Professional {
                    register: register.into(),
                    number: number.clone(),
                    name_en: w.person.0.clone(),
                    name_zh: w.person.1.clone(),
                    status: "registered".into(),
                };
                crate::premises::store::insert_professional(&mut tx, &p).await?;
                Some((register.to_string(), number))
            }
            None => None,
        };
        // Issued one to three terms ago; the current term ends somewhere in the next year.
        let months = t.definition.validity_months;
        let expires = today + Duration::days(rng.random_range(-20..(i64::from(months) * 30).min(365)));
        let issued = rules::expiry(expires, 0).checked_sub_months(chrono::Months::new(months)).unwrap_or(expires)
            + Duration::days(1);
        let roll: f64 = rng.random();
        let status = if expires < today {
            "lapsed"
        } else if roll < 0.03 {
            "suspended"
        } else if roll < 0.04 {
            "revoked"
        } else {
            "active"
        };
        let year = issued.year();
        let licence = Licence {
            id: kernel::new_id(),
            number: rules::new_number(&t.definition.prefix, year),
            type_code: t.code.clone(),
            premises_id: w.premises.id.clone(),
            licensee_id: licensee.id.clone(),
            responsible_register: responsible.as_ref().map(|r| r.0.clone()),
            responsible_number: if status == "revoked" { None } else { responsible.as_ref().map(|r| r.1.clone()) },
            status: status.into(),
            provisional: 0,
            conditions: serde_json::to_string(&t.definition.conditions).unwrap_or_else(|_| "[]".into()),
            issued_on: issued.to_string(),
            expires_on: expires.to_string(),
            case_ref: rules::new_case_ref(year),
            revision: 1,
            updated_at: now,
        };
        crate::licences::store::insert(&mut tx, &licence).await?;
        crate::licences::store::insert_event(
            &mut tx,
            &crate::licences::LicenceEvent {
                id: kernel::new_id(),
                licence_id: licence.id.clone(),
                action: "new".into(),
                from_status: None,
                to_status: "active".into(),
                reason: "Demo world".into(),
                legal_basis: t.ordinance.clone(),
                actor: "system".into(),
                at: now,
            },
        )
        .await?;
        if status != "active" {
            let (action, basis) = match status {
                "suspended" => ("suspend", "Cap. 138 s.14"),
                "revoked" => ("revoke", "Cap. 138 s.14"),
                _ => ("lapse", "Licence not renewed before expiry"),
            };
            crate::licences::store::insert_event(
                &mut tx,
                &crate::licences::LicenceEvent {
                    id: kernel::new_id(),
                    licence_id: licence.id.clone(),
                    action: action.into(),
                    from_status: Some("active".into()),
                    to_status: status.into(),
                    reason: "Demo world".into(),
                    legal_basis: basis.into(),
                    actor: "system".into(),
                    at: now,
                },
            )
            .await?;
        }
        done.licences += 1;
        // Past inspections with outcomes.
        for k in 0..rng.random_range(1..=3) {
            let day = today - Duration::days(rng.random_range(20..400) + k * 30);
            let r: f64 = rng.random();
            let outcome = if r < 0.6 {
                "compliant"
            } else if r < 0.85 {
                "advice"
            } else if r < 0.97 {
                "warning"
            } else {
                "prosecution"
            };
            let at = kernel::hk::start_of_day_ms(day) + 11 * 3_600_000;
            crate::inspections::store::insert(
                &mut tx,
                &inspection(&w.premises, &licence, day, "routine", 3, "done", Some(outcome), Some(at), now),
            )
            .await?;
            done.inspections += 1;
        }
        // Some inspections are due in the coming days (for the day plans).
        if rng.random_bool(0.15) {
            let day = today + Duration::days(rng.random_range(0..10));
            let kind = if rng.random_bool(0.2) { "follow_up" } else { "routine" };
            let priority = if kind == "follow_up" { 2 } else { 3 };
            crate::inspections::store::insert(
                &mut tx,
                &inspection(&w.premises, &licence, day, kind, priority, "due", None, None, now),
            )
            .await?;
            done.inspections += 1;
        }
    }
    tx.commit().await?;
    // Scores and the due list from the start (the nightly job keeps them fresh).
    crate::risk::service::recompute_all(db, today, now).await?;
    Ok(done)
}

#[allow(clippy::too_many_arguments)]
fn inspection(
    p: &Premises,
    l: &Licence,
    day: NaiveDate,
    kind: &str,
    priority: i64,
    status: &str,
    outcome: Option<&str>,
    done_at: Option<i64>,
    now: i64,
) -> Inspection {
    Inspection {
        id: kernel::new_id(),
        premises_id: p.id.clone(),
        licence_id: Some(l.id.clone()),
        kind: kind.into(),
        priority,
        due_on: day.to_string(),
        window_start: "09:00".into(),
        window_end: "17:00".into(),
        inspector: None,
        planned_on: None,
        status: status.into(),
        outcome: outcome.map(str::to_string),
        findings: "[]".into(),
        done_by: done_at.map(|_| "system".into()),
        done_at,
        publish_after: done_at.map(|_| (day + Duration::days(crate::inspections::APPEAL_DAYS)).to_string()),
        source_ref: None,
        created_at: now,
    }
}

/// A one-page PDF whose text layer is `text` (the demo's uploaded certificates and plans:
/// `pdftotext` reads them like a scanned certificate's OCR).
pub fn pdf_with_text(text: &str) -> Vec<u8> {
    let clean: String = text.chars().filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\')).collect();
    let stream = format!("BT /F1 12 Tf 50 700 Td ({clean}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// Where each demo application is taken to: the stage it reaches, and (for those past
/// screening) whether screening asked for information first.
pub const APPLICATION_STAGES: [&str; 10] = [
    "draft",
    "draft",
    "screening",
    "info_requested",
    "assessment",
    "inspection",
    "decision",
    "granted",
    "refused",
    "granted",
];

/// A demo application's answers for applicant `n` (a pharmacy in one of the districts, its
/// pharmacist registered as `P2xxxx`).
pub fn application_form(n: usize, person: (&str, &str)) -> crate::applications::Form {
    const PLACES: [(&str, &str, &str, &str); 5] = [
        ("YTM", "Shop 5, G/F, 88 Nathan Road, Tsim Sha Tsui", "尖沙咀彌敦道88號地下5號舖", "Harbour"),
        ("KT", "G/F, 32 Hoi Yuen Road, Kwun Tong", "觀塘開源道32號地下", "Evergreen"),
        ("ST", "Shop 12, 1/F, Sha Tin Centre, Sha Tin", "沙田沙田中心1樓12號舖", "Lion Rock"),
        ("WC", "G/F, 210 Hennessy Road, Wan Chai", "灣仔軒尼詩道210號地下", "Sunrise"),
        ("TM", "Shop 3, G/F, Tuen Mun Town Plaza, Tuen Mun", "屯門市廣場地下3號舖", "Pearl"),
    ];
    let (district, en, zh, brand) = PLACES[n % PLACES.len()];
    crate::applications::Form {
        licensee_kind: "company".into(),
        licensee_name_en: format!("{brand} Health {n} Limited"),
        licensee_name_zh: format!("{brand}健康{n}有限公司"),
        br_number: format!("{:08}", 41_000_000 + n * 37),
        premises_name_en: format!("{brand} Pharmacy {n}"),
        premises_name_zh: format!("{brand}藥房{n}"),
        address_en: en.into(),
        address_zh: zh.into(),
        district: district.into(),
        responsible_name: person.0.into(),
        responsible_number: format!("P2{n:04}"),
        start_date: (kernel::hk::today() + Duration::days(60)).to_string(),
    }
}

/// The demo's day: complaints at several statuses (two grouped on one premises, one sent to an
/// urgent inspection), one early visit due today per active inspector at the premises nearest
/// the office (09:00–09:30 starts, so each inspector has a route), then today planned. The
/// complaints and visits are added once; the plan is made on every run.
pub async fn seed_day(state: &kernel::AppState, staff: &str) -> anyhow::Result<crate::planning::Plan> {
    use crate::planning::{service, store};
    let db = &state.db;
    let today = kernel::hk::today();
    let inspectors = service::inspectors(state).await?;
    let near = store::nearest_premises(db, service::DEPOT.lat, service::DEPOT.lon, inspectors.len() as i64 + 6).await?;
    let source = format!("DEMO-DAY-{}", today.format("%Y-%m-%d"));
    if store::count_by_source(db, &source).await? == 0 {
        let mut tx = db.begin().await?;
        for p in near.iter().take(inspectors.len()) {
            let licence = crate::complaints::store::active_licence(&mut tx, p).await?;
            let mut i = inspection_row(p, licence, today, kernel::now_ms());
            i.source_ref = Some(source.clone());
            crate::inspections::store::insert(&mut tx, &i).await?;
        }
        tx.commit().await?;
    }
    if store::count_complaints(db).await? == 0 && !staff.is_empty() {
        seed_complaints(state, &near[inspectors.len().min(near.len())..], staff).await?;
    }
    service::plan_day(state, today).await
}

fn inspection_row(premises: &str, licence: Option<String>, day: NaiveDate, now: i64) -> Inspection {
    Inspection {
        id: kernel::new_id(),
        premises_id: premises.into(),
        licence_id: licence,
        kind: "follow_up".into(),
        priority: 2,
        due_on: day.format("%Y-%m-%d").to_string(),
        window_start: "09:00".into(),
        window_end: "09:30".into(),
        inspector: None,
        planned_on: None,
        status: "due".into(),
        outcome: None,
        findings: "[]".into(),
        done_by: None,
        done_at: None,
        publish_after: None,
        source_ref: None,
        created_at: now,
    }
}

async fn seed_complaints(state: &kernel::AppState, premises: &[String], staff: &str) -> anyhow::Result<()> {
    use crate::complaints::rules::{CATEGORIES, Draft};
    use crate::complaints::service as cmp;
    if premises.len() < 4 {
        return Ok(());
    }
    let origin = kernel::audit::Origin::system();
    let draft = |p: &str, n: usize, text: &str| Draft {
        premises_id: p.to_string(),
        premises_text: String::new(),
        district: if p.is_empty() { "WCH".into() } else { String::new() },
        category: CATEGORIES[n % CATEGORIES.len()].into(),
        description: text.into(),
        email: String::new(),
        phone: String::new(),
    };
    let en = kernel::i18n::Locale::En;
    let sub = async |d: Draft| cmp::submit(state, &d, en, None, &origin).await.map_err(|e| anyhow::anyhow!("{e}"));
    // Two complaints about the same premises (grouped), sent to an urgent inspection.
    let a = sub(draft(&premises[0], 0, "Prescription medicines sold without a prescription.")).await?;
    sub(draft(&premises[0], 0, "Antibiotics sold over the counter, no pharmacist present.")).await?;
    cmp::triage(state, &a.id, 1, true, staff, &origin).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Triaged as routine, not yet inspected.
    let b = sub(draft(&premises[1], 1, "Expired products on the shelves.")).await?;
    cmp::triage(state, &b.id, 3, false, staff, &origin).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    // Received, not triaged yet.
    sub(draft(&premises[2], 2, "Dirty treatment room.")).await?;
    sub(draft(&premises[3], 3, "Shop open without a pharmacist at lunchtime.")).await?;
    Ok(())
}
