//! Cold chain over HTTP and MQTT: registering a fridge (its key shown once), readings from the
//! device endpoint and from the real Mosquitto broker, excursion alarms with start, end,
//! duration and extremes, acknowledgement, escalation, offline alarms, lot quarantine, the
//! fridge page's chart, and bad input that is counted and changes nothing.

use std::time::Duration;

use kernel::identity::Role;
use rumqttc::{AsyncClient, MqttOptions, QoS};
use serde_json::{Value, json};

use crate::harness::{Browser, TestApp, eventually, spawn_app, spawn_app_with};

const POINT: &str = "MCHC-KT";
/// The broker the MQTT test uses: `PHOS_TEST_MQTT` (host:port; `scripts/test` starts its own
/// Mosquitto on a free port and sets it), by default 127.0.0.1:1883.
fn mqtt_broker() -> (String, u16) {
    let addr = std::env::var("PHOS_TEST_MQTT").unwrap_or_else(|_| "127.0.0.1:1883".into());
    let (host, port) = addr.rsplit_once(':').unwrap_or_else(|| panic!("PHOS_TEST_MQTT must be host:port, got {addr}"));
    (host.to_string(), port.parse().unwrap_or_else(|_| panic!("PHOS_TEST_MQTT must be host:port, got {addr}")))
}

async fn points(app: &TestApp) {
    let mut tx = app.state.db.begin().await.unwrap();
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Registers a fridge through the manager's form; returns (fridge id, device key).
async fn register(app: &TestApp, manager: &Browser, device: &str, contact: &str) -> (String, String) {
    let res = manager
        .post_form(
            &format!("/staff/clinics/{POINT}/fridges/register"),
            &[("name", &format!("Fridge {device}")), ("device_id", device), ("contact", contact)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let i = html.find("class=\"secret\">").expect("the key is shown once") + "class=\"secret\">".len();
    let key = html[i..].split('<').next().unwrap().to_string();
    assert_eq!(key.len(), 64);
    let id: String = sqlx::query_scalar("SELECT id FROM clinic_fridges WHERE device_id = $1")
        .bind(device)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    (id, key)
}

async fn post_readings(app: &TestApp, device: &str, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/iot/fridges/{device}/readings", app.url))
        .header("x-device-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(bind).fetch_one(app.state.db.pool()).await.unwrap()
}

#[tokio::test]
async fn excursions_open_and_close_alarms_that_staff_acknowledge() {
    let app = spawn_app().await;
    points(&app).await;
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    let (fridge, key) = register(&app, &manager, "FR-KT-01", "nurse@clinic.example").await;
    // Only the key's hash is kept.
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM clinic_fridges WHERE id = $1")
        .bind(&fridge)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_ne!(stored, key);
    assert!(!manager.get(&format!("/staff/clinics/{POINT}/fridges")).await.text().await.unwrap().contains(&key));

    let now = kernel::now_ms();
    let m = 60_000;
    // In range for an hour, then too warm for 25 minutes (peaking at 11.2 °C), then back.
    let mut readings: Vec<Value> = (0..60).map(|i| json!({"temp_c": 5.0, "at": now - (120 - i) * m})).collect();
    readings.extend((60..85).map(|i| json!({"temp_c": if i == 70 { 11.2 } else { 9.1 }, "at": now - (120 - i) * m})));
    let res = post_readings(&app, "FR-KT-01", &key, json!(readings)).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"stored": 85, "alarms_opened": 1}));
    let (started, ended, min, max, opened): (i64, Option<i64>, f64, f64, i64) = sqlx::query_as(
        "SELECT started_at, ended_at, min_c, max_c, opened_at FROM clinic_fridge_alarms WHERE fridge_id = $1 AND kind = 'high'",
    )
    .bind(&fridge)
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(started, now - 60 * m);
    assert_eq!(ended, None);
    assert_eq!((min, max), (9.1, 11.2));
    assert!(opened - kernel::now_ms() < 60_000, "opened within a minute of arrival");
    // The contact is told, in the manager's language.
    let told = scalar(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE template = 'fridge-alarm' AND recipient = $1",
        "nurse@clinic.example",
    )
    .await;
    assert_eq!(told, 1);

    // Back in range: the alarm ends, with its duration on the page.
    let res = post_readings(&app, "FR-KT-01", &key, json!({"temp_c": 6.0, "at": now - 35 * m})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["alarms_opened"], 0);
    let ended: Option<i64> = sqlx::query_scalar("SELECT ended_at FROM clinic_fridge_alarms WHERE fridge_id = $1")
        .bind(&fridge)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(ended, Some(now - 35 * m));
    let clerk = app.staff_browser(&[Role::ClinicStaff]).await;
    let page = clerk.get(&format!("/staff/fridges/{fridge}")).await.text().await.unwrap();
    assert!(page.contains("<svg") && page.contains("role=\"img\""), "chart");
    assert!(page.contains("25 min"), "duration of the excursion");
    assert!(page.contains("11.2 °C") && page.contains("9.1 °C"));
    // 25 warm minutes over a 24-hour chart of 664 columns (2.2 minutes each): 11 to 13 marks.
    let marks = page.matches("<circle").count();
    assert!((11..=13).contains(&marks), "warm readings marked: {marks}");
    let week = clerk.get(&format!("/staff/fridges/{fridge}?range=7d")).await.text().await.unwrap();
    assert!(week.contains("aria-current=\"page\">Last 7 days"));

    // Acknowledge: a note is required; the second acknowledgement is refused.
    let alarm: String = sqlx::query_scalar("SELECT id FROM clinic_fridge_alarms WHERE fridge_id = $1")
        .bind(&fridge)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = clerk.post_form(&format!("/staff/fridge-alarms/{alarm}/acknowledge"), &[("note", "")]).await;
    assert_eq!(res.status(), 422);
    let res = clerk
        .post_form(&format!("/staff/fridge-alarms/{alarm}/acknowledge"), &[("note", "Door left open; closed")])
        .await;
    assert_eq!(res.status(), 303);
    let res = clerk.post_form(&format!("/staff/fridge-alarms/{alarm}/acknowledge"), &[("note", "again")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already acknowledged"));

    // Lots: record one, quarantine it for this alarm; only a manager may release it.
    let res = clerk
        .post_form(
            &format!("/staff/fridges/{fridge}/lots"),
            &[("product", "MMR"), ("lot_number", "L123"), ("doses", "40"), ("expiry", "2027-06-30")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let lot: String = sqlx::query_scalar("SELECT id FROM clinic_vaccine_lots WHERE fridge_id = $1")
        .bind(&fridge)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let res = clerk
        .post_form(
            &format!("/staff/vaccine-lots/{lot}"),
            &[("action", "quarantine"), ("reason", "Excursion to 11.2 °C"), ("alarm_id", &alarm)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (status, linked): (String, Option<String>) =
        sqlx::query_as("SELECT status, alarm_id FROM clinic_vaccine_lots WHERE id = $1")
            .bind(&lot)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!((status.as_str(), linked.as_deref()), ("quarantined", Some(alarm.as_str())));
    let res = clerk
        .post_form(
            &format!("/staff/vaccine-lots/{lot}"),
            &[("action", "release"), ("reason", "Stable per manufacturer")],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = manager
        .post_form(&format!("/staff/vaccine-lots/{lot}"), &[("action", "discard"), ("reason", "Manufacturer advice")])
        .await;
    assert_eq!(res.status(), 303);
    let res = manager.post_form(&format!("/staff/vaccine-lots/{lot}"), &[("action", "release"), ("reason", "x")]).await;
    assert_eq!(res.status(), 422, "a discarded lot cannot be released");
    assert!(scalar(&app, "SELECT COUNT(*) FROM audit_log WHERE action LIKE $1", "fridge.%").await >= 4);
    app.shutdown().await;
}

/// Runs the fridge watch job now (as the scheduler does every minute).
async fn watch(app: &TestApp) {
    let mut tx = app.state.db.begin().await.unwrap();
    kernel::jobs::enqueue(&mut tx, kernel::jobs::NewJob::new(clinics::coldchain::service::WATCH_JOB, json!({})))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.wake_worker();
}

#[tokio::test]
async fn silent_sensors_and_unacknowledged_alarms_are_escalated() {
    let app = spawn_app().await;
    points(&app).await;
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    let (fridge, key) = register(&app, &manager, "FR-KT-02", "").await;
    let now = kernel::now_ms();
    // Last heard 16 minutes ago, too cold.
    post_readings(&app, "FR-KT-02", &key, json!({"temp_c": 1.5, "at": now - 16 * 60_000})).await;
    // Backdate the cold alarm's opening so it is due for escalation.
    sqlx::query("UPDATE clinic_fridge_alarms SET opened_at = opened_at - 1200000 WHERE fridge_id = $1")
        .bind(&fridge)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    watch(&app).await;
    let offline = eventually(10, || async {
        let n = scalar(
            &app,
            "SELECT COUNT(*) FROM clinic_fridge_alarms WHERE fridge_id = $1 AND kind = 'offline'",
            &fridge,
        )
        .await;
        (n == 1).then_some(())
    })
    .await;
    assert!(offline.is_some(), "a silent sensor raises an offline alarm");
    let escalated = eventually(10, || async {
        let n = scalar(&app, "SELECT COUNT(*) FROM clinic_fridge_alarms WHERE fridge_id = $1 AND kind = 'low' AND escalated_at IS NOT NULL", &fridge).await;
        (n == 1).then_some(())
    })
    .await;
    assert!(escalated.is_some(), "the unacknowledged cold alarm is escalated");
    let mails = scalar(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE template = 'fridge-escalation' AND recipient LIKE $1",
        "%@dh.test",
    )
    .await;
    assert!(mails >= 1, "the clinic managers were told");
    // Running the watch again changes nothing.
    watch(&app).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM clinic_fridge_alarms WHERE fridge_id = $1", &fridge).await, 2);
    // The sensor speaks again: the offline alarm ends.
    assert_eq!(post_readings(&app, "FR-KT-02", &key, json!({"temp_c": 4.0})).await.status(), 202);
    let open_offline = scalar(
        &app,
        "SELECT COUNT(*) FROM clinic_fridge_alarms WHERE fridge_id = $1 AND kind = 'offline' AND ended_at IS NULL",
        &fridge,
    )
    .await;
    assert_eq!(open_offline, 0);
    let all = manager.get("/staff/fridges").await.text().await.unwrap();
    assert!(all.contains("Fridge FR-KT-02"), "{all}");
    app.shutdown().await;
}

#[tokio::test]
async fn bad_device_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    points(&app).await;
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    let (fridge, key) = register(&app, &manager, "FR-KT-03", "").await;
    // Wrong key, unknown device, malformed and implausible payloads, a time in the future.
    let res = post_readings(&app, "FR-KT-03", "nope", json!({"temp_c": 4.0})).await;
    assert_eq!(res.status(), 401);
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["code"], "device_unauthorized");
    assert_eq!(p["titles"]["zh-Hant-HK"], "裝置不明或裝置密鑰錯誤");
    assert_eq!(p["titles"]["en"], "Unknown device or wrong device key");
    assert_eq!(post_readings(&app, "NO-SUCH", &key, json!({"temp_c": 4.0})).await.status(), 401);
    for (body, code) in [
        (json!({"temperature": "warm"}), "reading_malformed"),
        (json!([{"temp_c": 4.0}, {"temp_c": 400.0}]), "reading_implausible"),
        (json!({"temp_c": 4.0, "at": kernel::now_ms() + 3_600_000}), "reading_future_time"),
        (json!([]), "reading_empty"),
    ] {
        let res = post_readings(&app, "FR-KT-03", &key, body).await;
        assert_eq!(res.status(), 422);
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code);
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM clinic_fridge_readings WHERE fridge_id = $1", &fridge).await, 0);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("phos_iot_readings_total{transport=\"http\",outcome=\"unauthorized\"} 2"), "{metrics}");
    assert!(metrics.contains("outcome=\"reading_implausible\"} 1"));
    // Registration errors: bad device id, duplicate device id, bad contact.
    let res = manager
        .post_form(
            &format!("/staff/clinics/{POINT}/fridges/register"),
            &[("name", "X"), ("device_id", "a b"), ("contact", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let res = manager
        .post_form(
            &format!("/staff/clinics/{POINT}/fridges/register"),
            &[("name", "X"), ("device_id", "FR-KT-03"), ("contact", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already uses this device id"));
    let res = manager
        .post_form(
            &format!("/staff/clinics/{POINT}/fridges/register"),
            &[("name", "X"), ("device_id", "FR-X"), ("contact", "2345 6789")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM clinic_fridges WHERE service_point = $1", POINT).await, 1);
    // Clinic staff may not register fridges.
    let clerk = app.staff_browser(&[Role::ClinicStaff]).await;
    let res = clerk
        .post_form(
            &format!("/staff/clinics/{POINT}/fridges/register"),
            &[("name", "X"), ("device_id", "FR-Y"), ("contact", "")],
        )
        .await;
    assert_eq!(res.status(), 403);
    app.shutdown().await;
}

#[tokio::test]
async fn mqtt_readings_reach_alarms_and_bad_messages_never_stop_the_subscriber() {
    let (host, port) = mqtt_broker();
    let url = format!("mqtt://{host}:{port}");
    let app = spawn_app_with(move |c| c.mqtt_url = Some(url), None).await;
    points(&app).await;
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    let device = format!("FR-MQ-{}", &kernel::new_id()[28..]);
    let (fridge, _) = register(&app, &manager, &device, "").await;
    let mut opts = MqttOptions::new(format!("test-{}", &kernel::new_id()[24..]), host, port);
    opts.set_keep_alive(Duration::from_secs(10));
    let (client, mut eventloop) = AsyncClient::new(opts, 100);
    tokio::spawn(async move { while eventloop.poll().await.is_ok() {} });
    // Give the subscriber a moment to subscribe, then send rubbish first.
    let topic = format!("phos/v1/fridges/{device}/temperature");
    let ready = eventually(10, || async {
        client.publish(&topic, QoS::AtLeastOnce, false, br#"{"temp_c": 5.0}"#.to_vec()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let n = scalar(&app, "SELECT COUNT(*) FROM clinic_fridge_readings WHERE fridge_id = $1", &fridge).await;
        (n > 0).then_some(())
    })
    .await;
    assert!(ready.is_some(), "readings arrive over MQTT");
    client.publish(&topic, QoS::AtLeastOnce, false, b"not json".to_vec()).await.unwrap();
    client.publish(&topic, QoS::AtLeastOnce, false, br#"{"temp_c": 1e9}"#.to_vec()).await.unwrap();
    client
        .publish("phos/v1/fridges/UNKNOWN-DEVICE/temperature", QoS::AtLeastOnce, false, br#"{"temp_c": 5}"#.to_vec())
        .await
        .unwrap();
    // Then an excursion: the alarm opens well within 60 seconds.
    let sent = kernel::now_ms();
    client.publish(&topic, QoS::AtLeastOnce, false, br#"{"temp_c": 9.6}"#.to_vec()).await.unwrap();
    let opened = eventually(60, || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT opened_at FROM clinic_fridge_alarms WHERE fridge_id = $1 AND kind = 'high'",
        )
        .bind(&fridge)
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap()
    })
    .await
    .expect("an alarm within 60 s");
    assert!(opened - sent < 60_000, "time to alarm {} ms", opened - sent);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for outcome in ["reading_malformed", "reading_implausible", "unknown_device", "stored"] {
        assert!(
            metrics.contains(&format!("transport=\"mqtt\",outcome=\"{outcome}\"")),
            "{outcome} counted:\n{metrics}"
        );
    }
    app.shutdown().await;
}
