//! The service tasks of the licence process, run as jobs (`kernel::process`): each moves the
//! application on in one transaction, exactly once.
//!
//! - `regulatory.stage`: the application enters the stage named by the node (`stage_screening`
//!   → screening, …); entering inspection books a pre-licence inspection of the premises.
//! - `regulatory.request-info`: the application waits for the applicant, who is told what is
//!   missing (the screening officer's `missing` variable).
//! - `regulatory.grant` / `regulatory.refuse`: the decision; a grant issues the licence (or
//!   amends it) and the applicant is told either way.

use chrono::{Datelike, Duration};
use kernel::AppState;
use kernel::audit::{Actor, Event, Origin};
use kernel::jobs::{JobCtx, JobError, Registry};
use kernel::process::ServiceCall;

use super::{Application, store};
use crate::inspections::Inspection;
use crate::licences::{Licence, LicenceEvent, rules as lic};
use crate::premises::{Licensee, Premises};

pub const STAGE: &str = "regulatory.stage";
pub const REQUEST_INFO: &str = "regulatory.request-info";
pub const GRANT: &str = "regulatory.grant";
pub const REFUSE: &str = "regulatory.refuse";

pub fn jobs(r: &mut Registry) {
    r.handle(STAGE, |ctx, p| async move { run(ctx, p, Step::Stage).await });
    r.handle(REQUEST_INFO, |ctx, p| async move { run(ctx, p, Step::RequestInfo).await });
    r.handle(GRANT, |ctx, p| async move { run(ctx, p, Step::Grant).await });
    r.handle(REFUSE, |ctx, p| async move { run(ctx, p, Step::Refuse).await });
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Stage,
    RequestInfo,
    Grant,
    Refuse,
}

async fn run(ctx: JobCtx, payload: serde_json::Value, step: Step) -> Result<(), JobError> {
    let call: ServiceCall = serde_json::from_value(payload).map_err(|e| JobError::Permanent(e.to_string()))?;
    apply(&ctx.state, &call, step).await.map_err(|e| JobError::Retry(format!("{e:#}")))
}

fn var<'a>(call: &'a ServiceCall, name: &str) -> &'a str {
    call.variables.get(name).and_then(serde_json::Value::as_str).unwrap_or("")
}

async fn apply(state: &AppState, call: &ServiceCall, step: Step) -> anyhow::Result<()> {
    let db = &state.db;
    let Some(a) = store::by_ref(db, &call.business_key).await? else {
        anyhow::bail!("no application {}", call.business_key);
    };
    let now = kernel::now_ms();
    let mut tx = db.begin().await?;
    let a = store::by_ref_in(&mut tx, &a.case_ref).await?.unwrap_or(a);
    if call.seq <= a.process_seq {
        // An older step than one already applied (jobs may run out of order): nothing to do.
        return Ok(());
    }
    let mut next = Application { updated_at: now, process_seq: call.seq, ..a.clone() };
    let mut template = None;
    let mut reason = String::new();
    match step {
        Step::Stage => {
            let stage = call.node.strip_prefix("stage_").unwrap_or(&call.node).to_string();
            next.status = stage.clone();
            next.waiting_for = None;
            if stage == "inspection" {
                book_inspection(&mut tx, &a).await?;
            }
        }
        Step::RequestInfo => {
            let missing = var(call, "missing");
            next.status = "info_requested".into();
            next.waiting_for = Some(if missing.is_empty() { "-".into() } else { missing.into() });
            template = Some("regulatory-information-requested");
            reason = missing.to_string();
        }
        Step::Grant => {
            let licence = grant(&mut tx, &a, now).await?;
            next.status = "granted".into();
            next.decided_at = Some(now);
            next.licence_id = Some(licence.id.clone());
            template = Some("regulatory-application-granted");
            reason = licence.number;
        }
        Step::Refuse => {
            next.status = "refused".into();
            next.decided_at = Some(now);
            template = Some("regulatory-application-refused");
            reason = var(call, "reason").to_string();
        }
    }
    if !store::update(&mut tx, &next, a.revision).await? {
        anyhow::bail!("application {} changed meanwhile", a.case_ref);
    }
    kernel::audit::record(
        db,
        &mut tx,
        &Actor::System,
        &Origin::system(),
        Event::new(&format!("regulatory.application.{}", next.status), "reg_application", &a.id).detail(&a.case_ref),
    )
    .await?;
    if let Some(t) = template {
        super::service::tell(state, &mut tx, &next, t, &[("detail", &reason)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The premises of an application: the one its form describes, created on first need.
async fn premises_of(tx: &mut kernel::db::Tx, a: &Application) -> anyhow::Result<Premises> {
    let id = format!("app-{}", a.case_ref);
    if let Some(p) = crate::premises::store::get_in(tx, &id).await? {
        return Ok(p);
    }
    let f = a.form();
    let d = kernel::hk::district(&f.district);
    let p = Premises {
        id,
        name_en: f.premises_name_en.clone(),
        name_zh: f.premises_name_zh.clone(),
        address_en: f.address_en.clone(),
        address_zh: f.address_zh.clone(),
        district: f.district.clone(),
        lat: d.map(|d| d.lat).unwrap_or(22.3),
        lon: d.map(|d| d.lon).unwrap_or(114.17),
        volume: 1,
        created_at: kernel::now_ms(),
    };
    crate::premises::store::insert(tx, &p).await?;
    Ok(p)
}

async fn book_inspection(tx: &mut kernel::db::Tx, a: &Application) -> anyhow::Result<()> {
    let p = premises_of(tx, a).await?;
    let day = kernel::hk::today() + Duration::days(5);
    let i = Inspection {
        id: kernel::new_id(),
        premises_id: p.id,
        licence_id: None,
        kind: "pre_licence".into(),
        priority: 2,
        due_on: day.to_string(),
        window_start: "09:00".into(),
        window_end: "17:00".into(),
        inspector: None,
        planned_on: None,
        status: "due".into(),
        outcome: None,
        findings: "[]".into(),
        done_by: None,
        done_at: None,
        publish_after: None,
        source_ref: Some(a.case_ref.clone()),
        created_at: kernel::now_ms(),
    };
    crate::inspections::store::insert(tx, &i).await?;
    Ok(())
}

async fn grant(tx: &mut kernel::db::Tx, a: &Application, now: i64) -> anyhow::Result<Licence> {
    let t = crate::licence_types::store::get_in(tx, &a.type_code).await?.ok_or_else(|| anyhow::anyhow!("no type"))?;
    let f = a.form();
    let p = premises_of(tx, a).await?;
    let licensee = Licensee {
        id: kernel::new_id(),
        kind: f.licensee_kind.clone(),
        name_en: f.licensee_name_en.clone(),
        name_zh: f.licensee_name_zh.clone(),
        br_number: (f.licensee_kind == "company").then(|| f.br_number.trim().to_string()),
        account: Some(a.account.clone()),
        created_at: now,
    };
    crate::premises::store::insert_licensee(tx, &licensee).await?;
    let today = kernel::hk::today();
    let start = kernel::hk::parse_date(&f.start_date).filter(|d| *d > today).unwrap_or(today);
    let number = f.responsible_number.trim();
    let l = Licence {
        id: kernel::new_id(),
        number: lic::new_number(&t.definition.prefix, today.year()),
        type_code: t.code.clone(),
        premises_id: p.id.clone(),
        licensee_id: licensee.id.clone(),
        responsible_register: t.definition.register.clone().filter(|_| !number.is_empty()),
        responsible_number: t.definition.register.as_ref().filter(|_| !number.is_empty()).map(|_| number.to_string()),
        status: "active".into(),
        provisional: 0,
        conditions: serde_json::to_string(&t.definition.conditions).unwrap_or_else(|_| "[]".into()),
        issued_on: start.to_string(),
        expires_on: lic::expiry(start, t.definition.validity_months).to_string(),
        case_ref: a.case_ref.clone(),
        revision: 1,
        updated_at: now,
    };
    crate::licences::store::insert(tx, &l).await?;
    crate::licences::store::insert_event(
        tx,
        &LicenceEvent {
            id: kernel::new_id(),
            licence_id: l.id.clone(),
            action: "new".into(),
            from_status: None,
            to_status: "active".into(),
            reason: format!("Application {} granted", a.case_ref),
            legal_basis: t.ordinance.clone(),
            actor: "system".into(),
            at: now,
        },
    )
    .await?;
    Ok(l)
}
