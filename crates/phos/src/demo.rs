//! Seeds the synthetic Hong Kong into the database. Idempotent: a second run adds nothing.

use kernel::directory;
use kernel::hkid::Hkid;
use kernel::identity::{Role, password, staff};
use kernel::people::NewCitizen;
use kernel::{AppState, Db};

/// The demo's staff accounts: one per role, all with this password.
pub const DEMO_PASSWORD: &str = "harbour-lights-at-dusk";

/// The TOTP key (base32) of the demo accounts whose roles require two-step sign-in (admin,
/// auditor, data steward): printed at start-up and in the README, so the demo stays usable.
pub const DEMO_TOTP_SECRET: &str = "KBEE6U2EMVWW6VDPORYFA2DPON2GK43U";

/// Gives the demo accounts that must use two-step sign-in the known TOTP key (idempotent).
pub async fn seed_mfa(db: &Db) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    for (email, _, role) in demo_staff() {
        if !staff::mfa::rules::required(&[role]) {
            continue;
        }
        if let Some(id) = staff::store::by_email(db, &email).await?.map(|u| u.id) {
            staff::mfa::store::seed_confirmed(&mut tx, &id, DEMO_TOTP_SECRET).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// `(email, name, role)` of each demo staff account.
pub fn demo_staff() -> Vec<(String, String, Role)> {
    Role::ALL
        .iter()
        .map(|r| {
            (format!("{}@phos.example", r.code().replace('_', ".")), format!("Demo {}", r.code().replace('_', " ")), *r)
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub service_points: u64,
    pub citizens: u64,
    pub already_seeded: bool,
}

/// Seeds service points and `citizens` synthetic citizens for `seed`.
pub async fn seed(state: &AppState, seed: u64, citizens: usize) -> anyhow::Result<SeedReport> {
    let db: &Db = &state.db;
    let key = format!("seed:{seed}:{citizens}");
    if kernel::settings::get(db, &key).await?.is_some() {
        // Areas added since the first seeding still get their demo data (each is idempotent).
        protection::demo::seed(state, seed, &protection_people(seed, citizens)).await?;
        protection::demo::seed_signals(state, seed).await?;
        workflow::demo::seed(db, seed).await?;
        regulatory::demo::seed(db, seed, &regulatory_world(seed)).await?;
        seed_mfa(db).await?;
        return Ok(SeedReport { already_seeded: true, ..Default::default() });
    }
    let hkid_key = state.keys.hkid.clone();
    let demo_hash = password::hash_async(DEMO_PASSWORD.to_string()).await;
    let people: Vec<NewCitizen> = synth::CitizenGenerator::new(seed)
        .take(citizens)
        .map(|c| {
            let hkid = Hkid::parse(&c.hkid).expect("generated HKIDs are valid");
            NewCitizen {
                id: c.id,
                name_en: c.name_en,
                name_zh: c.name_zh,
                sex: c.sex,
                birth_date: c.birth_date.to_string(),
                district: c.district,
                email: c.email,
                phone: c.phone,
                preferred_lang: c.preferred_lang,
                hkid_masked: Some(hkid.masked()),
                hkid_hmac: Some(hkid.hmac(&hkid_key)),
                synthetic: true,
            }
        })
        .collect();
    let mut tx = db.begin().await?;
    let service_points = directory::upsert_service_points(&mut tx, synth::service_points()).await?;
    let citizens = kernel::people::insert_citizens(&mut tx, &people).await?;
    for (email, name, role) in demo_staff() {
        match staff::create(&mut tx, &email, &name, &[role], Some(demo_hash.clone())).await {
            Ok(_) | Err(staff::StaffError::Exists) => {}
            Err(staff::StaffError::Db(e)) => return Err(e.into()),
        }
    }
    kernel::settings::insert_if_absent(&mut tx, &key, "done").await?;
    tx.commit().await?;
    seed_mfa(db).await?;
    clinics::seed_demo(state).await?;
    let people = protection_people(seed, people.len());
    protection::demo::seed(state, seed, &people).await?;
    protection::demo::seed_signals(state, seed).await?;
    workflow::demo::seed(db, seed).await?;
    regulatory::demo::seed(db, seed, &regulatory_world(seed)).await?;
    Ok(SeedReport { service_points, citizens, already_seeded: false })
}

/// The synthetic citizens the health-protection demo notifies about (the first 2,000 at most).
fn protection_people(seed: u64, citizens: usize) -> Vec<protection::demo::DemoPerson> {
    synth::CitizenGenerator::new(seed)
        .take(citizens.min(2000))
        .map(|c| protection::demo::DemoPerson {
            name_en: c.name_en,
            name_zh: c.name_zh,
            sex: c.sex.to_string(),
            birth_date: c.birth_date,
            hkid: c.hkid,
            district: c.district,
            phone: c.phone,
        })
        .collect()
}

/// How many premises the regulatory demo world has.
pub const DEMO_PREMISES: usize = 400;

/// The regulatory demo world: premises from the synthetic Hong Kong, each with a responsible
/// person's name from the citizen stream (a different seed, so nobody is both).
fn regulatory_world(seed: u64) -> Vec<regulatory::demo::DemoPremises> {
    let now = kernel::now_ms();
    synth::premises::PremisesGenerator::new(seed)
        .zip(synth::CitizenGenerator::new(seed.wrapping_add(17)))
        .take(DEMO_PREMISES)
        .map(|(p, c)| regulatory::demo::DemoPremises {
            kind: p.kind.to_string(),
            person: (c.name_en, c.name_zh),
            premises: regulatory::premises::Premises {
                id: p.id,
                name_en: p.name_en,
                name_zh: p.name_zh,
                address_en: p.address_en,
                address_zh: p.address_zh,
                district: p.district,
                lat: p.lat,
                lon: p.lon,
                volume: p.volume,
                created_at: now,
            },
        })
        .collect()
}

/// Row counts of the seeded tables.
pub async fn counts(db: &Db) -> anyhow::Result<(i64, i64)> {
    Ok((directory::count_service_points(db).await?, kernel::people::count_citizens(db).await?))
}
