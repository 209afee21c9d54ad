//! The composition root: which areas make up PHOS, and how the process starts and stops.

#[cfg(test)]
mod catalogue_tests;
pub mod demo;

use std::net::SocketAddr;
use std::time::Duration;

use kernel::jobs::{Worker, WorkerOptions};
use kernel::web::Routes;
use kernel::{AppState, Area, Config, Db, Keys};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Every area, in migration order.
pub fn areas() -> Vec<Area> {
    vec![kernel::area::kernel(), clinics::area(), protection::area(), workflow::area(), regulatory::area()]
}

/// Connects to the database and applies pending migrations.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url()).await?;
    kernel::area::register_processes(&areas());
    let migrations = kernel::area::all_migrations(&areas());
    let applied = kernel::db::migrate::run(&db, &migrations).await?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied migrations");
    }
    seed_reference_data(&db).await?;
    Ok(db)
}

/// Reference data areas keep in the database (idempotent; never overwrites staff edits).
pub async fn seed_reference_data(db: &Db) -> anyhow::Result<()> {
    regulatory::licence_types::seed(db).await?;
    let deployed = workflow::deploy_area_processes(db, &areas()).await?;
    if deployed > 0 {
        tracing::info!(deployed, "deployed the areas' workflow processes");
    }
    let added = protection::seed_reference(db).await?;
    if added > 0 {
        tracing::info!(added, "seeded the notifiable-disease catalogue");
    }
    Ok(())
}

/// Builds the application state over a migrated database and registers recurring jobs.
pub async fn state(config: Config, db: Db) -> anyhow::Result<AppState> {
    let keys = Keys::load(&db).await?;
    let state = AppState::new(config, db, keys, &areas())?;
    kernel::jobs::install_schedules(&state.db, &state.jobs).await?;
    Ok(state)
}

/// The HTTP application of every area (plus `extra` routes, used by tests).
pub fn router(state: AppState, extra: Option<Routes>) -> axum::Router {
    let mut routers: Vec<Routes> = areas().iter().map(|a| (a.routes)()).collect();
    routers.extend(extra);
    kernel::web::app(state, routers)
}

/// A running server (and job worker), stoppable on demand.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    worker: Option<JoinHandle<()>>,
    mqtt: Option<JoinHandle<()>>,
    timers: Option<JoinHandle<()>>,
}

impl Running {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts a graceful shutdown and waits for it: in-flight requests and jobs finish.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        (&mut self.server).await??;
        self.finish().await
    }

    /// Waits until the server stops by itself (signal).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        (&mut self.server).await??;
        self.finish().await
    }

    async fn finish(&mut self) -> anyhow::Result<()> {
        self.state.stopping.send_replace(true);
        if let Some(w) = self.worker.take() {
            w.await?;
        }
        if let Some(m) = self.mqtt.take() {
            m.await?;
        }
        if let Some(t) = self.timers.take() {
            t.await?;
        }
        Ok(())
    }
}

/// Serves on `listener` and runs the job worker (when configured) until `shutdown()` is called
/// or, with `signals`, until Ctrl-C / SIGTERM.
pub fn start(
    state: AppState,
    listener: TcpListener,
    extra: Option<Routes>,
    worker_options: WorkerOptions,
    signals: bool,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (bcast, _) = tokio::sync::broadcast::channel::<()>(1);
    let b2 = bcast.clone();
    let stopping = state.stopping.clone();
    tokio::spawn(async move {
        if signals {
            tokio::select! {
                _ = stop_rx => {},
                _ = kernel::web::server::shutdown_signal() => {},
            }
        } else {
            let _ = stop_rx.await;
        }
        stopping.send_replace(true);
        let _ = b2.send(());
    });
    let worker = state.config.worker.then(|| {
        let mut rx = bcast.subscribe();
        let w = Worker::new(state.clone(), worker_options);
        tokio::spawn(w.run(async move {
            let _ = rx.recv().await;
        }))
    });
    // Workflow timers fire within a second of their due time on every replica with a worker.
    let timers =
        state.config.worker.then(|| workflow::instances::timer_loop::spawn(state.clone(), state.stopping.subscribe()));
    // Fridge telemetry over MQTT, when a broker is configured.
    let mqtt = match state.config.mqtt_url.as_deref() {
        Some(url) => Some(clinics::coldchain::mqtt::spawn(state.clone(), url, state.stopping.subscribe())?),
        None => None,
    };
    let mut rx = bcast.subscribe();
    let app = router(state.clone(), extra);
    let grace = Duration::from_secs(state.config.shutdown_grace_secs);
    let server = tokio::spawn(kernel::web::server::serve(
        listener,
        app,
        async move {
            let _ = rx.recv().await;
        },
        grace,
    ));
    Ok(Running { addr, state, stop: Some(stop_tx), server, worker, mqtt, timers })
}
