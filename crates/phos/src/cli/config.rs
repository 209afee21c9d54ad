//! `phos config`: print the effective configuration (secrets masked).

use kernel::Config;

pub fn run(config: &Config) -> anyhow::Result<()> {
    for (name, env, value) in config.effective() {
        println!("{name:<22} {value:<45} ({env})");
    }
    Ok(())
}
