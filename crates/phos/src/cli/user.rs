//! `phos user`: staff accounts.

use anyhow::Context;
use clap::Subcommand;
use kernel::Config;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff account. The password is read from PHOS_NEW_PASSWORD, or an invitation
    /// link is printed when it is unset.
    Add {
        #[arg(long)]
        email: String,
        /// Comma-separated roles: admin, auditor, clinic_staff, clinic_manager, epidemiologist,
        /// inspector, licensing_officer, service_agent, comms_officer, data_steward, reporter,
        /// lead_epidemiologist, team_lead.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// List staff accounts.
    List,
    /// Print the current TOTP code of a base32 key (e.g. the demo's key, printed by `phos demo`).
    Totp { key: String },
}

pub async fn run(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    use kernel::identity::{parse_roles, password, staff};
    if let UserCommand::Totp { key } = &cmd {
        use staff::mfa::rules;
        let secret = rules::base32_decode(key).context("the key is not base32")?;
        println!("{}", rules::code_at(&secret, rules::step_of(kernel::now_ms() / 1000)));
        return Ok(());
    }
    let db = phos::connect_and_migrate(&config).await?;
    match cmd {
        UserCommand::Add { email, role, name } => {
            if !staff::valid_email(&email) {
                anyhow::bail!("--email must be an e-mail address like name@example.org");
            }
            let roles = parse_roles(&role)
                .context("--role must be one or more of the roles listed in `phos user add --help`")?;
            let hash = match std::env::var("PHOS_NEW_PASSWORD") {
                Ok(p) => {
                    password::check(&p, &email)
                        .map_err(|e| anyhow::anyhow!("PHOS_NEW_PASSWORD is refused: {}", e.code()))?;
                    Some(password::hash_async(p).await)
                }
                Err(_) => None,
            };
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            let mut tx = db.begin().await?;
            let (user, invite) = match staff::create(&mut tx, &email, &name, &roles, hash).await {
                Ok(x) => x,
                Err(staff::StaffError::Exists) => anyhow::bail!("an account with e-mail {email} already exists"),
                Err(staff::StaffError::Db(e)) => return Err(e.into()),
            };
            kernel::audit::record(
                &db,
                &mut tx,
                &kernel::audit::Actor::System,
                &kernel::audit::Origin::system(),
                kernel::audit::Event::new("staff.create", "staff", &user.id).detail("phos user add"),
            )
            .await?;
            tx.commit().await?;
            println!("created {} ({})", user.email, kernel::identity::roles_to_string(&user.roles));
            if let Some(token) = invite {
                println!("set the password at {}/staff/invite/{token}", config.base_url());
            }
        }
        UserCommand::Totp { .. } => {}
        UserCommand::List => {
            for u in staff::list(&db).await? {
                println!("{:<36} {:<9} {}", u.email, u.status, kernel::identity::roles_to_string(&u.roles));
            }
        }
    }
    Ok(())
}
