//! Deploying a definition: validate, then store the next version of its key (one transaction,
//! audited). Running instances keep the version they started on.

use kernel::audit::{Actor, Origin};

use super::DeployError;
use super::store::{self, Deployed};

pub async fn deploy(db: &kernel::Db, xml: &str, actor: &Actor, origin: &Origin) -> Result<Deployed, DeployError> {
    let def = super::check(xml, &super::services::registry()).map_err(DeployError::Invalid)?;
    let mut d = Deployed {
        id: kernel::new_id(),
        process_key: def.key.clone(),
        version: 0,
        name: def.name.clone(),
        name_zh: def.name_zh.clone(),
        bpmn: xml.to_string(),
        deployed_by: actor.id().to_string(),
        deployed_at: kernel::now_ms(),
    };
    let mut tx = db.begin().await?;
    d.version = store::insert_next(&mut tx, &d).await?;
    let detail = format!("{} v{}", d.process_key, d.version);
    kernel::audit::record(
        db,
        &mut tx,
        actor,
        origin,
        kernel::audit::Event::new("workflow.definition.deploy", "workflow_definition", &d.id).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

/// Deploys `xml` as the next version of its process unless the latest version is the same
/// document (areas' shipped processes, at start-up). Returns the deployed version when new.
pub async fn deploy_if_changed(db: &kernel::Db, xml: &str) -> Result<Option<Deployed>, DeployError> {
    let def = super::check(xml, &super::services::registry()).map_err(DeployError::Invalid)?;
    if store::latest(db, &def.key).await?.is_some_and(|d| d.bpmn == xml) {
        return Ok(None);
    }
    deploy(db, xml, &Actor::System, &Origin::system()).await.map(Some)
}
