//! `phos serve`: migrate and serve HTTP (and run background jobs unless --worker false).

use std::time::Instant;

use kernel::Config;
use kernel::jobs::WorkerOptions;

/// Serves; with `demo` = `Some((seed, citizens))`, first seeds the synthetic Hong Kong.
pub async fn run(config: Config, demo: Option<(u64, usize)>) -> anyhow::Result<()> {
    let listener = kernel::web::server::bind(config.listen).await?;
    let db = phos::connect_and_migrate(&config).await?;
    let state = phos::state(config, db).await?;
    if let Some((seed, citizens)) = demo {
        let started = Instant::now();
        let report = phos::demo::seed(&state, seed, citizens).await?;
        let (sp, people) = phos::demo::counts(&state.db).await?;
        if report.already_seeded {
            println!("synthetic Hong Kong (seed {seed}) already in place: {sp} service points, {people} citizens");
        } else {
            println!(
                "seeded synthetic Hong Kong (seed {seed}) in {:.1}s: {sp} service points, {people} citizens",
                started.elapsed().as_secs_f64()
            );
        }
    }
    if demo.is_some() {
        tokio::spawn(clinics::demo::simulate_fridges(state.clone(), state.stopping.subscribe()));
    }
    let running = phos::start(state, listener, None, WorkerOptions::default(), true)?;
    println!("PHOS is running at {}  (Ctrl-C to stop)", running.url());
    if demo.is_some() {
        println!("  English: {0}/lang/en   繁體中文: {0}/lang/zh-Hant-HK", running.url());
        println!(
            "  Staff sign-in: {}/staff/login  password for every demo account: {}",
            running.url(),
            phos::demo::DEMO_PASSWORD
        );
        for (email, _, role) in phos::demo::demo_staff() {
            println!("    {email:<34} {}", role.code());
        }
        println!(
            "  Two-step sign-in (admin, auditor, data steward): add the TOTP key {} to an authenticator app \
             (otpauth://totp/PHOS-demo?secret={}), or print its current code with `phos user totp {}`.",
            phos::demo::DEMO_TOTP_SECRET,
            phos::demo::DEMO_TOTP_SECRET,
            phos::demo::DEMO_TOTP_SECRET
        );
        println!(
            "  Citizens sign in at {}/signin with a one-time code; read it on {}/staff/outbox (as admin) or in outbox.log.",
            running.url(),
            running.url()
        );
    }
    running.wait().await
}
