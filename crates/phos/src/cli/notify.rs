//! `phos notify`: notifications.

use anyhow::Context;
use clap::Subcommand;
use kernel::Config;

#[derive(Subcommand)]
pub enum NotifyCommand {
    /// Queue a test e-mail to check delivery.
    Test {
        #[arg(long)]
        to: String,
        /// en or zh-Hant-HK.
        #[arg(long, default_value = "en")]
        lang: String,
    },
}

pub async fn run(config: &Config, cmd: NotifyCommand) -> anyhow::Result<()> {
    let NotifyCommand::Test { to, lang } = cmd;
    let db = phos::connect_and_migrate(config).await?;
    let locale = kernel::i18n::Locale::parse(&lang).context("--lang must be en or zh-Hant-HK")?;
    let base = config.base_url();
    let mut tx = db.begin().await?;
    let id = kernel::notify::enqueue(
        &mut tx,
        &kernel::notify::Message {
            channel: kernel::notify::Channel::Email,
            recipient: &to,
            locale,
            template: "test",
            values: &[("name", &to), ("base_url", &base)],
        },
    )
    .await?;
    tx.commit().await?;
    println!("queued message {id}; a running `phos serve` delivers it");
    Ok(())
}
