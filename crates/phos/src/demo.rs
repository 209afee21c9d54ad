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
        regulatory_applications(state, seed, citizens).await?;
        seed_mfa(db).await?;
        regulatory_day(state).await?;
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
    regulatory_applications(state, seed, citizens as usize).await?;
    regulatory_day(state).await?;
    Ok(SeedReport { service_points, citizens, already_seeded: false })
}

/// How many inspectors the demo has beyond `inspector@phos.example`.
pub const EXTRA_INSPECTORS: usize = 4;

/// `(email, name)` of the extra demo inspectors: inspector.2@phos.example … inspector.5@….
pub fn extra_inspectors() -> Vec<(String, String)> {
    (2..2 + EXTRA_INSPECTORS).map(|n| (format!("inspector.{n}@phos.example"), format!("Demo inspector {n}"))).collect()
}

/// The extra demo inspectors (idempotent), the regulatory demo complaints and today's day plan
/// for every demo inspector.
async fn regulatory_day(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let demo_hash = password::hash_async(DEMO_PASSWORD.to_string()).await;
    let mut tx = db.begin().await?;
    for (email, name) in extra_inspectors() {
        match staff::create(&mut tx, &email, &name, &[Role::Inspector], Some(demo_hash.clone())).await {
            Ok(_) | Err(staff::StaffError::Exists) => {}
            Err(staff::StaffError::Db(e)) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    let officer = staff::store::by_email(db, "licensing.officer@phos.example").await?.map(|u| u.id).unwrap_or_default();
    regulatory::demo::seed_day(state, &officer).await?;
    Ok(())
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

/// Licence applications of the first demo citizens, taken through the real portal services
/// and the real process to every stage (`regulatory::demo::APPLICATION_STAGES`) by the demo
/// staff accounts: the process's own jobs then move each application's status once the worker
/// runs. Once only.
async fn regulatory_applications(state: &AppState, seed: u64, citizens: usize) -> anyhow::Result<()> {
    use regulatory::applications::{payment::FakeProvider, service as apps, store as app_store};
    let db = &state.db;
    if app_store::count(db).await? > 0 || citizens == 0 {
        return Ok(());
    }
    // The process they run on (deployed at start-up too; seeding may come first).
    workflow::deploy_area_processes(db, &crate::areas()).await?;
    let origin = kernel::audit::Origin::system();
    let staff_id = async |email: &str| -> anyhow::Result<String> {
        Ok(staff::store::by_email(db, email).await?.map(|u| u.id).unwrap_or_default())
    };
    let officer = staff_id("licensing.officer@phos.example").await?;
    let inspector = staff_id("inspector@phos.example").await?;
    let manager = staff_id("licensing.manager@phos.example").await?;
    let applicants: Vec<synth::Citizen> =
        synth::CitizenGenerator::new(seed).take(citizens).filter(|c| c.email.is_some()).take(10).collect();
    for (n, (c, stage)) in applicants.iter().zip(regulatory::demo::APPLICATION_STAGES).enumerate() {
        let form = regulatory::demo::application_form(n, (&c.name_en, &c.name_zh));
        let mut tx = db.begin().await?;
        regulatory::premises::store::insert_professional(
            &mut tx,
            &regulatory::premises::Professional {
                register: "pharmacist".into(),
                number: form.responsible_number.clone(),
                name_en: c.name_en.clone(),
                name_zh: c.name_zh.clone(),
                status: "registered".into(),
            },
        )
        .await?;
        tx.commit().await?;
        let a = apps::start_draft(db, &c.id, "pharmacy_retail", &origin).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut partial = form.clone();
        if stage == "draft" {
            partial.responsible_number.clear();
            partial.start_date.clear();
        }
        apps::save(db, &c.id, &a.case_ref, &partial, &origin).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let docs = [
            ("br_certificate", "br.pdf", format!("Business Registration Certificate {}", form.br_number)),
            ("floor_plan", "floor-plan.pdf", format!("Floor plan {}", form.premises_name_en)),
            (
                "pharmacist_certificate",
                "pharmacist.pdf",
                format!("Certificate of Registration {} {}", c.name_en, form.responsible_number),
            ),
        ];
        for (i, (req, name, text)) in docs.iter().enumerate() {
            if stage == "draft" && i > 0 {
                break;
            }
            let pdf = regulatory::demo::pdf_with_text(text);
            apps::upload(state, &c.id, &a.case_ref, req, name, pdf.into(), &origin)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        if stage == "draft" {
            continue;
        }
        apps::submit(state, &c.id, &a.case_ref, &FakeProvider, &origin).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        // Start the process now (the queued start then finds it) and do the staff's steps.
        let vars =
            serde_json::json!({"case_ref": a.case_ref, "licence_type": "pharmacy_retail", "district": form.district});
        let mut view = workflow::instances::service::start_for(
            db,
            regulatory::licence_types::PROCESS,
            Some(&a.case_ref),
            vars,
            &kernel::audit::Actor::System,
            &origin,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let steps: &[(&str, &str, &str, serde_json::Value)] = &[
            (
                "screen",
                officer.as_str(),
                "licensing_officer",
                serde_json::json!({"complete": stage != "info_requested", "missing": "A copy of the tenancy agreement of the premises"}),
            ),
            ("assess", officer.as_str(), "licensing_officer", serde_json::json!({})),
            ("inspect", inspector.as_str(), "inspector", serde_json::json!({})),
            (
                "decide",
                manager.as_str(),
                "licensing_manager",
                serde_json::json!({"grant": stage != "refused", "reason": "The premises do not meet the storage conditions."}),
            ),
        ];
        let reach = match stage {
            "screening" => 0,
            "info_requested" => 1,
            "assessment" => 1,
            "inspection" => 2,
            "decision" => 3,
            _ => 4,
        };
        for (node, who, role, vars) in steps.iter().take(reach) {
            let Some(t) = view.tasks.iter().find(|t| t.node_id == *node && t.status == "open").cloned() else { break };
            let roles = [*role];
            let w = workflow::tasks::service::Worker { id: who, roles: &roles };
            workflow::tasks::service::claim(db, &t.id, &w, &origin).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            view = workflow::tasks::service::complete(db, &t.id, vars.clone(), &w, &origin)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
    }
    Ok(())
}

/// Row counts of the seeded tables.
pub async fn counts(db: &Db) -> anyhow::Result<(i64, i64)> {
    Ok((directory::count_service_points(db).await?, kernel::people::count_citizens(db).await?))
}
