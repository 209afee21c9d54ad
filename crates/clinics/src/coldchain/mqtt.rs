//! The MQTT subscriber for fridge telemetry (when `PHOS_MQTT_URL` is set).
//!
//! Topic scheme: devices publish to `phos/v1/fridges/{device_id}/temperature` with a JSON
//! payload `{"temp_c": 4.6, "at": 1764400000000}` (or an array of those). PHOS subscribes with
//! the shared subscription `$share/phos-{installation}/phos/v1/fridges/+/temperature` at QoS 1,
//! so the replicas of one installation split the messages between them instead of each storing
//! every reading. Messages are
//! batched (up to 5,000 readings or 100 ms) into one ingest transaction each. A malformed
//! payload, a bad topic or an unknown device is counted in `phos_iot_readings` and logged at a
//! bounded rate; nothing a device sends can stop the subscriber.

use std::time::Duration;

use kernel::AppState;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::rules::{self, Reading};
use super::service;

/// Most readings in one ingest transaction.
pub const BATCH: usize = 5_000;
/// Longest a reading waits for its batch.
pub const LINGER: Duration = Duration::from_millis(100);

/// User name and password.
pub type Credentials = (String, String);

/// Host, port and optional credentials of `mqtt://[user:pass@]host[:port]`.
pub fn parse_url(url: &str) -> Option<(String, u16, Option<Credentials>)> {
    let rest = url.strip_prefix("mqtt://").or_else(|| url.strip_prefix("tcp://"))?;
    let rest = rest.trim_end_matches('/');
    let (creds, hostport) = match rest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, rest),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (hostport, 1883),
    };
    if host.is_empty() {
        return None;
    }
    let creds = creds.and_then(|c| c.split_once(':')).map(|(u, p)| (u.to_string(), p.to_string()));
    Some((host.to_string(), port, creds))
}

/// Starts the subscriber and its batcher; both stop when `stop` turns true.
pub fn spawn(state: AppState, url: &str, stop: watch::Receiver<bool>) -> anyhow::Result<JoinHandle<()>> {
    let (host, port, creds) =
        parse_url(url).ok_or_else(|| anyhow::anyhow!("PHOS_MQTT_URL must look like mqtt://host:1883, got {url}"))?;
    let client_id = format!("phos-{}", &kernel::new_id()[24..]);
    let mut opts = MqttOptions::new(client_id, host, port);
    opts.set_keep_alive(Duration::from_secs(30));
    opts.set_clean_session(true);
    opts.set_max_packet_size(256 * 1024, 256 * 1024);
    if let Some((u, p)) = creds {
        opts.set_credentials(u, p);
    }
    let (client, mut eventloop) = AsyncClient::new(opts, 1_000);
    let (tx, rx) = mpsc::channel::<(String, Reading)>(200_000);
    let batcher = tokio::spawn(batch_loop(state.clone(), rx, stop.clone()));
    let metrics = state.metrics.clone();
    let mut stop_rx = stop;
    Ok(tokio::spawn(async move {
        let installation = match kernel::settings::secret(&state.db, "installation").await {
            Ok(bytes) => hex::encode(&bytes[..6]),
            Err(e) => {
                tracing::error!(error = %e, "cannot read the installation id; MQTT subscriber not started");
                return;
            }
        };
        let filter = rules::topic_filter(&installation);
        let mut last_warning = 0i64;
        loop {
            let event = tokio::select! {
                e = eventloop.poll() => e,
                _ = stop_rx.wait_for(|s| *s) => break,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    tracing::info!(topic = %filter, "MQTT connected; subscribing");
                    if let Err(e) = client.subscribe(filter.as_str(), QoS::AtLeastOnce).await {
                        tracing::error!(error = %e, "MQTT subscribe failed");
                    }
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    let now = kernel::now_ms();
                    let Some(device) = rules::device_of_topic(&p.topic) else {
                        metrics.iot("mqtt", "bad_topic", 1);
                        warn_now(
                            &mut last_warning,
                            now,
                            || tracing::warn!(topic = %p.topic, "MQTT message on an unknown topic dropped"),
                        );
                        continue;
                    };
                    match rules::parse_payload(&p.payload, now) {
                        Ok(readings) => {
                            for r in readings {
                                if tx.send((device.to_string(), r)).await.is_err() {
                                    return;
                                }
                            }
                        }
                        Err(e) => {
                            metrics.iot("mqtt", e.code(), 1);
                            warn_now(&mut last_warning, now, || {
                                tracing::warn!(device, reason = e.code(), "MQTT reading refused")
                            });
                        }
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    warn_now(
                        &mut last_warning,
                        kernel::now_ms(),
                        || tracing::warn!(error = %e, "MQTT connection problem; retrying"),
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop_rx.wait_for(|s| *s) => break,
                    }
                }
            }
        }
        let _ = client.disconnect().await;
        drop(tx);
        let _ = batcher.await;
    }))
}

/// Logs at most one warning every ten seconds.
fn warn_now(last: &mut i64, now: i64, f: impl FnOnce()) {
    if now - *last > 10_000 {
        *last = now;
        f();
    }
}

async fn batch_loop(state: AppState, mut rx: mpsc::Receiver<(String, Reading)>, mut stop: watch::Receiver<bool>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = tokio::select! {
            r = rx.recv() => r,
            _ = stop.wait_for(|s| *s) => None,
        };
        let Some(first) = first else { break };
        batch.push(first);
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(r)) => batch.push(r),
                _ => break,
            }
        }
        store(&state, &mut batch).await;
    }
    // Whatever arrived before the stop is still stored.
    while let Ok(r) = rx.try_recv() {
        batch.push(r);
    }
    store(&state, &mut batch).await;
}

async fn store(state: &AppState, batch: &mut Vec<(String, Reading)>) {
    if batch.is_empty() {
        return;
    }
    if let Err(e) = service::ingest(state, batch, "mqtt").await {
        state.metrics.iot("mqtt", "store_failed", batch.len() as u64);
        tracing::error!(error = %e, readings = batch.len(), "storing MQTT readings failed");
    }
    batch.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(parse_url("mqtt://127.0.0.1:1883"), Some(("127.0.0.1".into(), 1883, None)));
        assert_eq!(parse_url("mqtt://broker"), Some(("broker".into(), 1883, None)));
        assert_eq!(
            parse_url("mqtt://phos:s3cret@broker:8883/"),
            Some(("broker".into(), 8883, Some(("phos".into(), "s3cret".into()))))
        );
        assert_eq!(parse_url("http://broker"), None);
        assert_eq!(parse_url("mqtt://:1883"), None);
        assert_eq!(parse_url("mqtt://broker:port"), None);
    }
}
