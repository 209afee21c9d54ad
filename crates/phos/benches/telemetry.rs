//! Telemetry ingest through MQTT: publishers send fridge readings to the real broker, PHOS
//! subscribes, stores every reading and evaluates alarms; we measure readings stored per second
//! from the first publish to the last reading stored. In the same run, a bare subscriber that
//! only counts messages shows what the broker itself carries (the ratio).
//!
//! cargo bench -p phos --bench telemetry -- [--database-url URL] [--mqtt mqtt://127.0.0.1:PORT]
//!     [--fridges 1000] [--readings 200000] [--publishers 4] [--per-message 1]
//!
//! Without --mqtt it starts its own Mosquitto on a free loopback port, configured as a broker
//! for PHOS should be (docs/operations.md): no cap on queued messages and a wide in-flight
//! window, so that nothing is dropped while the subscriber is busy. (The system broker's
//! defaults — 1,000 queued, 20 in flight — drop QoS 1 messages under a burst.)
//!
//! About 2 % of readings are out of range, so alarms open and close throughout.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kernel::jobs::WorkerOptions;
use rand::{Rng, SeedableRng};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};

struct Args {
    url: Option<String>,
    mqtt: Option<String>,
    fridges: usize,
    readings: usize,
    publishers: usize,
    per_message: usize,
}

fn args() -> Args {
    let mut a = Args { url: None, mqtt: None, fridges: 1000, readings: 200_000, publishers: 4, per_message: 1 };
    let v: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < v.len() {
        let next = v.get(i + 1).cloned().unwrap_or_default();
        match v[i].as_str() {
            "--database-url" => a.url = Some(next),
            "--mqtt" => a.mqtt = Some(next),
            "--fridges" => a.fridges = next.parse().expect("--fridges N"),
            "--readings" => a.readings = next.parse().expect("--readings N"),
            "--publishers" => a.publishers = next.parse().expect("--publishers N"),
            "--per-message" => a.per_message = next.parse().expect("--per-message N"),
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    a
}

fn mqtt_client(name: &str, port: u16) -> (AsyncClient, rumqttc::EventLoop) {
    let mut o = MqttOptions::new(format!("{name}-{}", &kernel::new_id()[24..]), "127.0.0.1", port);
    o.set_keep_alive(Duration::from_secs(30));
    o.set_inflight(1000);
    AsyncClient::new(o, 10_000)
}

/// Publishes `total` readings spread over `devices` from `publishers` clients at QoS 1; returns
/// when every publish was acknowledged by the broker.
async fn publish(
    port: u16,
    devices: Arc<Vec<String>>,
    total: usize,
    publishers: usize,
    per_message: usize,
    topic_root: &str,
) {
    let messages = total.div_ceil(per_message);
    let next = Arc::new(AtomicUsize::new(0));
    let mut hs = vec![];
    for p in 0..publishers {
        let (client, mut eventloop) = mqtt_client(&format!("bench-pub{p}"), port);
        let acked = Arc::new(AtomicUsize::new(0));
        let acked2 = acked.clone();
        let poller = tokio::spawn(async move {
            while let Ok(e) = eventloop.poll().await {
                if let Event::Incoming(Packet::PubAck(_)) = e {
                    acked2.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let (devices, next, root) = (devices.clone(), next.clone(), topic_root.to_string());
        hs.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(p as u64);
            let mut sent = 0;
            loop {
                let m = next.fetch_add(1, Ordering::Relaxed);
                if m >= messages {
                    break;
                }
                let device = &devices[m % devices.len()];
                let now = kernel::now_ms();
                let readings: Vec<serde_json::Value> = (0..per_message)
                    .map(|k| {
                        let t = if rng.random_bool(0.02) { 9.5 } else { 4.0 + rng.random_range(0.0..2.0) };
                        serde_json::json!({"temp_c": t, "at": now - (per_message - k) as i64})
                    })
                    .collect();
                let payload = if per_message == 1 {
                    readings[0].to_string()
                } else {
                    serde_json::Value::from(readings).to_string()
                };
                client.publish(format!("{root}{device}/temperature"), QoS::AtLeastOnce, false, payload).await.unwrap();
                sent += 1;
            }
            while acked.load(Ordering::Relaxed) < sent {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let _ = client.disconnect().await;
            poller.abort();
        }));
    }
    for h in hs {
        h.await.unwrap();
    }
}

/// The broker to use: `--mqtt`, or our own Mosquitto on a free loopback port (returned so that
/// it is stopped at the end). Returns (URL, port, our broker).
fn start_broker(a: &Args, dir: &std::path::Path) -> anyhow::Result<(String, u16, Option<std::process::Child>)> {
    if let Some(u) = &a.mqtt {
        let (_, port, _) = clinics::coldchain::mqtt::parse_url(u).ok_or_else(|| anyhow::anyhow!("bad --mqtt {u}"))?;
        return Ok((u.clone(), port, None));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let conf = dir.join("mosquitto.conf");
    std::fs::write(
        &conf,
        format!(
            "listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 1000\npersistence false\nlog_dest none\n"
        ),
    )?;
    let child = std::process::Command::new("mosquitto").arg("-c").arg(&conf).spawn()?;
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((format!("mqtt://127.0.0.1:{port}"), port, Some(child)))
}

/// Registers `n` fridges spread over the service points; returns their device ids.
async fn register_fridges(db: &kernel::Db, n: usize, tag: &str) -> anyhow::Result<Vec<String>> {
    let mut tx = db.begin().await?;
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await?;
    tx.commit().await?;
    let points = kernel::directory::service_points(db, None, None).await?;
    let mut devices = vec![];
    let mut tx = db.begin().await?;
    for i in 0..n {
        let device = format!("BENCH-{tag}-{i:05}");
        let f = clinics::coldchain::Fridge {
            id: kernel::new_id(),
            service_point: points[i % points.len()].code.clone(),
            name: format!("Bench fridge {i}"),
            device_id: device.clone(),
            min_c: 2.0,
            max_c: 8.0,
            contact: None,
            contact_lang: "en".into(),
            last_reading_at: None,
            last_temp: None,
            excursion_kind: None,
            excursion_alarm_id: None,
            offline_alarm_id: None,
            created_at: kernel::now_ms(),
        };
        clinics::coldchain::store::insert_fridge(&mut tx, &f, "x", "bench").await?;
        devices.push(device);
    }
    tx.commit().await?;
    Ok(devices)
}

/// The broker alone: messages per second that a subscriber which only counts receives.
async fn broker_alone_rate(port: u16, devices: Arc<Vec<String>>, a: &Args, tag: &str) -> anyhow::Result<f64> {
    let (client, mut eventloop) = mqtt_client("bench-count", port);
    let root = format!("bench/{tag}/");
    client.subscribe(format!("{root}+/temperature"), QoS::AtLeastOnce).await?;
    let got = Arc::new(AtomicUsize::new(0));
    let got2 = got.clone();
    let counter = tokio::spawn(async move {
        while let Ok(e) = eventloop.poll().await {
            if let Event::Incoming(Packet::Publish(_)) = e {
                got2.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let n = a.readings.min(100_000);
    let t = Instant::now();
    publish(port, devices, n, a.publishers, 1, &root).await;
    while got.load(Ordering::Relaxed) < n && t.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    counter.abort();
    Ok(got.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64())
}

/// What PHOS stored: readings expected and stored, seconds to publish and to store, alarms.
struct Ingested {
    expected: usize,
    stored: i64,
    published_s: f64,
    total_s: f64,
    alarms: i64,
}

/// PHOS: subscriber, batcher, ingest with alarm evaluation, from the first publish to the last
/// reading stored.
async fn phos_ingest(
    state: &kernel::AppState,
    port: u16,
    devices: Arc<Vec<String>>,
    a: &Args,
) -> anyhow::Result<Ingested> {
    let db = &state.db;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let running = phos::start(state.clone(), listener, None, WorkerOptions::default(), false)?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let start = Instant::now();
    publish(port, devices, a.readings, a.publishers, a.per_message, clinics::coldchain::TOPIC_PREFIX).await;
    let published_s = start.elapsed().as_secs_f64();
    let expected = a.readings.div_ceil(a.per_message) * a.per_message;
    let mut stored: i64 = 0;
    while start.elapsed() < Duration::from_secs(300) {
        stored = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_fridge_readings").fetch_one(db.pool()).await?;
        if stored as usize >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total_s = start.elapsed().as_secs_f64();
    let alarms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clinic_fridge_alarms").fetch_one(db.pool()).await?;
    running.shutdown().await?;
    Ok(Ingested { expected, stored, published_s, total_s, alarms })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = common::scratch_dir("telemetry")?;
    let (mqtt, port, broker) = start_broker(&a, &dir)?;
    let common::Opened { db, engine, state, .. } =
        common::open(&dir, a.url.clone(), |c| c.mqtt_url = Some(mqtt)).await?;
    let tag = &kernel::new_id()[28..];
    let devices = Arc::new(register_fridges(&db, a.fridges, tag).await?);
    let broker_rate = broker_alone_rate(port, devices.clone(), &a, tag).await?;
    let Ingested { expected, stored, published_s, total_s, alarms } = phos_ingest(&state, port, devices, &a).await?;
    println!(
        "| engine | fridges | readings | per message | publishers | published in s | stored | stored readings/s | alarms opened | broker alone msg/s | ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let rate = stored as f64 / total_s;
    println!(
        "| {engine} | {} | {} | {} | {} | {published_s:.2} | {stored} | {rate:.0} | {alarms} | {broker_rate:.0} | {:.2} |",
        a.fridges,
        expected,
        a.per_message,
        a.publishers,
        rate / broker_rate
    );
    if let Some(mut b) = broker {
        let _ = b.kill();
    }
    anyhow::ensure!(stored as usize == expected, "stored {stored} of {expected} readings");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
