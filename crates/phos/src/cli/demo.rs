//! `phos demo`: migrate, seed the synthetic Hong Kong (idempotent), print the URL and serve.

use kernel::Config;

pub async fn run(config: Config, seed: u64, citizens: usize) -> anyhow::Result<()> {
    super::serve::run(config, Some((seed, citizens))).await
}
