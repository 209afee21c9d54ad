//! `phos synth`: generate synthetic data.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Subcommand)]
pub enum SynthCommand {
    /// Write synthetic citizens as CSV.
    Citizens {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output file (`-` for standard output).
        #[arg(long, default_value = "-")]
        out: String,
    },
    /// Write weekly counts of every notifiable disease × district with seasonality and trend,
    /// and the outbreaks injected in them (the ground truth), as CSV.
    Series(super::evaluate::SeriesArgs),
}

pub fn run(cmd: SynthCommand) -> anyhow::Result<()> {
    match cmd {
        SynthCommand::Citizens { count, seed, out } => citizens(count, seed, &out),
        SynthCommand::Series(args) => super::evaluate::synth_series(&args),
    }
}

fn citizens(count: usize, seed: u64, out: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let sink: Box<dyn Write> = if out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::fs::File::create(out).with_context(|| format!("cannot create {out}"))?)
    };
    let mut w = std::io::BufWriter::with_capacity(1 << 20, sink);
    let bar = ProgressBar::new(count as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} citizens {bar:40} {pos}/{len} {per_sec} eta {eta}")
            .expect("valid template"),
    );
    writeln!(w, "id,name_en,name_zh,sex,birth_date,district,hkid,email,phone,preferred_lang")?;
    for (i, c) in synth::CitizenGenerator::new(seed).take(count).enumerate() {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},{}",
            c.id,
            c.name_en,
            c.name_zh,
            c.sex,
            c.birth_date,
            c.district,
            c.hkid,
            c.email.as_deref().unwrap_or(""),
            c.phone.as_deref().unwrap_or(""),
            c.preferred_lang
        )?;
        if i % 10_000 == 0 {
            bar.set_position(i as u64);
        }
    }
    w.flush()?;
    bar.finish_and_clear();
    eprintln!("generated {count} citizens (seed {seed}) in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}
