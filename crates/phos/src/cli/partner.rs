//! `phos partner`: partner organisations' API clients, for operators (the same use cases as the
//! data steward's page `/staff/partners`).

use clap::Subcommand;
use kernel::Config;
use kernel::audit::Actor;
use kernel::identity::partner::{self, service::NewClient};

#[derive(Subcommand)]
pub enum PartnerCommand {
    /// Register an organisation's API client (pending, unless --approve) and print its id and
    /// secret as JSON: `{"client_id": …, "client_secret": …, "status": …}`. The secret is shown
    /// once and never stored.
    Add {
        /// The organisation's name (registered if new).
        #[arg(long)]
        org: String,
        /// venture, university, ngo or government.
        #[arg(long, default_value = "venture")]
        kind: String,
        /// The organisation's contact e-mail.
        #[arg(long)]
        email: String,
        /// The client's name (e.g. the system that will call).
        #[arg(long)]
        name: String,
        /// Comma-separated scopes: sandbox:read, sandbox:usage, notifications:write.
        #[arg(long)]
        scopes: String,
        /// Requests per minute.
        #[arg(long, default_value_t = 600)]
        rate_limit: i64,
        /// Approve the client at once (a data steward's decision, audited as the system's).
        #[arg(long)]
        approve: bool,
    },
}

pub async fn run(config: Config, cmd: PartnerCommand) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(&config).await?;
    let PartnerCommand::Add { org, kind, email, name, scopes, rate_limit, approve } = cmd;
    let form = partner::rules::ClientForm {
        org_name: &org,
        org_kind: &kind,
        contact_email: &email,
        client_name: &name,
        scopes: &scopes,
        rate_limit: &rate_limit.to_string(),
    };
    let checked = partner::rules::check_client(&form).map_err(|errors| {
        // The same checks as the data steward's form, named by this command's flags.
        let lines: Vec<String> = errors
            .iter()
            .map(|e| match e.field.as_str() {
                "org_name" => "--org is required (at most 200 characters)".to_string(),
                "org_kind" => format!("--kind must be one of {}", partner::ORG_KINDS.join(", ")),
                "contact_email" => "--email must be an e-mail address like name@example.org".to_string(),
                "client_name" => "--name is required (at most 200 characters)".to_string(),
                "scopes" => format!("--scopes must be one or more of {}", partner::SCOPES.join(", ")),
                _ => "--rate-limit must be between 1 and 100000 requests per minute".to_string(),
            })
            .collect();
        anyhow::anyhow!(lines.join("; "))
    })?;
    let origin = super::cli_origin();
    let new = NewClient {
        org_name: &org,
        org_kind: &kind,
        contact_email: &email,
        client_name: &name,
        scopes: &checked.scopes,
        rate_limit_per_minute: checked.rate_limit_per_minute,
    };
    let (client_id, secret) = partner::service::register(&db, &Actor::System, &origin, &new).await?;
    let status = if approve {
        partner::service::change_status(&db, &Actor::System, &origin, &client_id, "approved").await?;
        "approved"
    } else {
        "pending"
    };
    println!("{}", serde_json::json!({ "client_id": client_id, "client_secret": secret, "status": status }));
    Ok(())
}
