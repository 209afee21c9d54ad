//! Smart workflow: the process engine that the regulatory and customer-service areas run on,
//! and process mining that shows where work waits.
//!
//! Sub-domains built so far: [`definitions`] (BPMN 2.0 subset, deploy validation, versions),
//! [`instances`] (the token interpreter, start, messages), [`tasks`] (claim, release,
//! complete, four-eyes), [`sla`] (business-calendar arithmetic) and [`mining`] (directly-follows
//! graph, variants, throughput and bottlenecks over XES / CSV logs and the engine's own event
//! log; XES and OCEL 2.0 export). See docs/workflow.md for what works and what is to come.

pub mod cli;
pub mod definitions;
pub mod demo;
pub mod instances;
pub mod mining;
pub mod simulation;
pub mod sla;
pub mod tasks;

use kernel::Area;
use kernel::jobs::{JobCtx, JobError, Registry};
use kernel::web::Routes;

fluent_templates::static_loader! {
    pub static CATALOGUE = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

pub fn area() -> Area {
    Area {
        name: "workflow",
        migrations: vec![
            kernel::migration!("workflow", 1, "0001_workflow_events.sql"),
            kernel::migration!("workflow", 2, "0002_engine.sql"),
            kernel::migration!("workflow", 3, "0003_sla.sql"),
            kernel::migration!("workflow", 4, "0004_tasks.sql"),
            kernel::migration!("workflow", 6, "0006_timer_claims.sql"),
            kernel::migration!("workflow", 7, "0007_business_keys.sql"),
        ],
        routes,
        jobs,
        home: cards(),
        catalogue: Some(&CATALOGUE),
        processes: &[],
    }
}

fn routes() -> Routes {
    definitions::api::routes()
        .merge(instances::api::routes())
        .merge(tasks::api::routes())
        .merge(tasks::pages::routes())
        .merge(page_routes())
        .merge(sla::api::routes())
        .merge(mining::conformance_api::routes())
}

/// The pages of definitions, instances, mining and simulation (tasks and worklists have theirs).
fn page_routes() -> Routes {
    definitions::pages::routes()
        .merge(instances::pages::routes())
        .merge(mining::pages::routes())
        .merge(simulation::pages::routes())
}

/// The workflow cards on the staff home page (each shows to those its route allows).
fn cards() -> Vec<kernel::area::HomeCard> {
    use kernel::area::HomeCard;
    vec![
        tasks::pages::CARD,
        HomeCard::staff("wfp-card-definitions", "wfp-card-definitions-lead", "/staff/workflow/definitions"),
        HomeCard::staff("wfp-card-instances", "wfp-card-instances-lead", "/staff/workflow/instances"),
        HomeCard::staff("wfp-card-mining", "wfp-card-mining-lead", "/staff/workflow/mining"),
        HomeCard::staff("wfp-card-simulation", "wfp-card-simulation-lead", "/staff/workflow/simulation"),
    ]
}

/// Fires the timers that are due (each exactly once, whichever replica runs the job). The
/// timer loop ([`instances::timer_loop`], started by `phos serve`) fires them within a second;
/// this once-a-minute job is its safety net.
pub const TIMER_JOB: &str = "workflow.fire-timers";

fn jobs(r: &mut Registry) {
    r.handle(TIMER_JOB, fire_timers);
    r.every("workflow.fire-timers-every-minute", "0 * * * * *", TIMER_JOB, serde_json::json!({}));
    r.handle(SLA_JOB, check_slas);
    r.every("workflow.sla-check-every-minute", "20 * * * * *", SLA_JOB, serde_json::json!({}));
    r.handle(SLA_CLOSURE_JOB, shift_slas);
    r.handle(kernel::process::START_JOB, start_for_area);
    r.handle(kernel::process::MESSAGE_JOB, message_for_area);
    r.subscribe(kernel::hk::store::CLOSURE_DECLARED, SLA_CLOSURE_JOB);
}

/// Records SLA milestones that are due (each exactly once across replicas) and escalates.
pub const SLA_JOB: &str = "workflow.sla-check";
/// Moves running SLA deadlines when a closure is declared.
pub const SLA_CLOSURE_JOB: &str = "workflow.sla-closure";

async fn check_slas(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let n = sla::service::check(&ctx.state, kernel::now_ms()).await.map_err(|e| JobError::Retry(e.to_string()))?;
    if n > 0 {
        tracing::info!(milestones = n, "workflow SLA milestones recorded");
    }
    Ok(())
}

async fn shift_slas(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let id = payload.get("id").and_then(serde_json::Value::as_str).unwrap_or_default();
    let n = sla::service::on_closure(&ctx.state.db, id, kernel::now_ms())
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?;
    tracing::info!(closure = %id, moved = n, "workflow SLA deadlines shifted by a closure");
    Ok(())
}

/// Deploys every area's shipped processes whose document changed (at start-up and seeding).
pub async fn deploy_area_processes(db: &kernel::Db, areas: &[Area]) -> anyhow::Result<usize> {
    let mut n = 0;
    for p in areas.iter().flat_map(|a| a.processes) {
        match definitions::service::deploy_if_changed(db, p.bpmn).await {
            Ok(d) => n += usize::from(d.is_some()),
            Err(e) => anyhow::bail!("an area's process does not deploy: {e:?}"),
        }
    }
    Ok(n)
}

/// Starts a process for another area (`kernel::process::start`), once per business key.
async fn start_for_area(_ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let s: kernel::process::StartProcess =
        serde_json::from_value(payload).map_err(|e| JobError::Permanent(e.to_string()))?;
    let actor = kernel::audit::Actor::System;
    instances::service::start_for(
        &_ctx.state.db,
        &s.process,
        Some(&s.business_key),
        s.variables,
        &actor,
        &kernel::audit::Origin::system(),
    )
    .await
    .map_err(|e| JobError::Retry(format!("{e:?}")))?;
    Ok(())
}

/// Delivers a message for another area (`kernel::process::message`).
async fn message_for_area(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let m: kernel::process::ProcessMessage =
        serde_json::from_value(payload).map_err(|e| JobError::Permanent(e.to_string()))?;
    let Some(id) = instances::store::by_business_key(&ctx.state.db, &m.process, &m.business_key)
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
    else {
        // The start may not have run yet.
        return Err(JobError::Retry(format!("no instance of {} for {} yet", m.process, m.business_key)));
    };
    let actor = kernel::audit::Actor::System;
    instances::service::message(&ctx.state.db, &id, &m.message, m.variables, &actor, &kernel::audit::Origin::system())
        .await
        .map_err(|e| JobError::Retry(format!("{e:?}")))?;
    Ok(())
}

async fn fire_timers(ctx: JobCtx, _payload: serde_json::Value) -> Result<(), JobError> {
    let n = instances::service::fire_due_now(&ctx.state.db, 1000).await.map_err(|e| JobError::Retry(e.to_string()))?;
    if n > 0 {
        tracing::info!(fired = n, "workflow timers fired");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalogue_is_complete_in_both_languages() {
        kernel::i18n::register_catalogue(&super::CATALOGUE);
        let problems = kernel::i18n::check_catalogue(concat!(env!("CARGO_MANIFEST_DIR"), "/locales"));
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn every_definition_problem_has_its_text() {
        let keys = kernel::i18n::catalogue_keys(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en"));
        for code in crate::definitions::rules::CODES {
            assert!(keys.contains(&format!("field-error-bpmn_{code}")), "{code}");
        }
    }
}
