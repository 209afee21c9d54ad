//! `phos access-matrix`: print the access matrix (every route × role) as Markdown.

use kernel::Config;

pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = phos::connect_and_migrate(&config).await?;
    let state = phos::state(config, db).await?;
    let _ = phos::router(state.clone(), None);
    print!("{}", state.access.get().map(|t| t.markdown()).unwrap_or_default());
    Ok(())
}
