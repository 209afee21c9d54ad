//! Walk-in queue over HTTP: kiosk tickets with priorities, the staff console (call next,
//! recall, skip, reinstate, transfer, done), never one ticket to two rooms, live updates over
//! server-sent events (local and from another replica), the board, analytics and bad input.

use std::time::Duration;

use kernel::identity::Role;
use serde_json::Value;

use crate::harness::{Browser, TestApp, spawn_app};

const POINT: &str = "MCHC-KT";

async fn points(app: &TestApp) {
    let mut tx = app.state.db.begin().await.unwrap();
    kernel::directory::upsert_service_points(&mut tx, synth::service_points()).await.unwrap();
    tx.commit().await.unwrap();
}

/// Takes a ticket at the kiosk; returns the ticket page's path.
async fn take(b: &Browser, service: &str, priority: &str) -> String {
    let res = b.post_form(&format!("/queue/{POINT}"), &[("service", service), ("priority", priority)]).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with("/queue/t/") && loc.ends_with("?new=1"), "{loc}");
    loc.trim_end_matches("?new=1").to_string()
}

async fn page(b: &Browser, path: &str) -> String {
    let res = b.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(app.state.db.pool()).await.unwrap()
}

/// Adds a room through the manager's form; returns its id.
async fn add_room(app: &TestApp, staff: &Browser, name: &str, services: &[&str]) -> String {
    let mut fields = vec![("name_en", name), ("name_zh", "房間")];
    let keys: Vec<String> = services.iter().map(|s| format!("svc_{s}")).collect();
    for k in &keys {
        fields.push((k.as_str(), "1"));
    }
    let res = staff.post_form(&format!("/staff/clinics/{POINT}/queue/rooms"), &fields).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    sqlx::query_scalar("SELECT id FROM clinic_queue_rooms WHERE name_en = $1")
        .bind(name)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

async fn call(staff: &Browser, room: &str) -> String {
    let res = staff.post_form(&format!("/staff/clinics/{POINT}/queue/call"), &[("room", room)]).await;
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

async fn ticket_id(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT id FROM clinic_tickets WHERE number = $1")
        .bind(number)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn kiosk_tickets_wait_in_priority_order_and_staff_call_them() {
    let app = spawn_app().await;
    points(&app).await;
    let kiosk = app.browser();
    let html = page(&kiosk, &format!("/queue/{POINT}")).await;
    assert!(html.contains("Registration and enquiries") && html.contains("value=\"mchc_child\""), "{html}");
    assert!(!html.contains("value=\"urgent\""), "urgent is for staff only");

    // Two general tickets, then one for a person aged 65+: numbers per service letter.
    let first = take(&kiosk, "mchc_child", "general").await;
    let second = take(&kiosk, "mchc_child", "general").await;
    let elder = take(&kiosk, "mchc_child", "elderly").await;
    let enquiry = take(&kiosk, "enquiry", "general").await;
    assert!(page(&kiosk, &first).await.contains("B001"));
    assert!(page(&kiosk, &second).await.contains("B002"));
    assert!(page(&kiosk, &enquiry).await.contains("R001"));
    // Priority is called first: the elder is next, the first general ticket second.
    assert!(page(&kiosk, &elder).await.contains("You are next."));
    assert!(page(&kiosk, &first).await.contains("You are number 2 in the queue."));
    assert!(page(&kiosk, &second).await.contains("You are number 3 in the queue."));
    // In Chinese too.
    let zh = app.client.get(format!("{}{second}", app.url)).header("accept-language", "zh-HK").send().await.unwrap();
    assert!(zh.text().await.unwrap().contains("你現時排第 3 位。"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_tickets WHERE status = 'waiting'").await, 4);

    // The public API tells how many wait.
    let status: Value = app.get(&format!("/api/v1/clinics/queue/{POINT}")).await.json().await.unwrap();
    let child = status["services"].as_array().unwrap().iter().find(|s| s["code"] == "mchc_child").unwrap();
    assert_eq!(child["waiting"], 3);

    let staff = app.staff_browser(&[Role::ClinicManager]).await;
    let room = add_room(&app, &staff, "Room 1", &["mchc_child"]).await;
    let counter = add_room(&app, &staff, "Counter A", &["enquiry"]).await;
    let console = page(&staff, &format!("/staff/clinics/{POINT}/queue?room={room}")).await;
    assert!(console.contains("B003") && console.contains("R001"), "{console}");

    // Call next: the elder (B003), who is told to go to Room 1.
    assert!(call(&staff, &room).await.contains("called=B003"));
    let elder_page = page(&kiosk, &elder).await;
    assert!(elder_page.contains("Please go to Room 1 now."), "{elder_page}");
    assert!(page(&kiosk, &first).await.contains("You are next."));
    // The counter only calls enquiries.
    assert!(call(&staff, &counter).await.contains("called=R001"));
    assert!(call(&staff, &counter).await.contains("empty=1"));

    // Recall the elder: called twice; then skip (did not come) and reinstate later.
    let b003 = ticket_id(&app, "B003").await;
    let act = |action: &'static str, id: String, target: &'static str| {
        let staff = &staff;
        let room = room.clone();
        async move {
            staff
                .post_form(&format!("/staff/tickets/{id}"), &[("action", action), ("room", &room), ("target", target)])
                .await
        }
    };
    assert_eq!(act("recall", b003.clone(), "").await.status(), 303);
    assert_eq!(count(&app, &format!("SELECT calls FROM clinic_tickets WHERE id = '{b003}'")).await, 2);
    assert_eq!(act("skip", b003.clone(), "").await.status(), 303);
    assert!(page(&kiosk, &elder).await.contains("we could not find you"));
    // Calling next finishes nothing (the elder was skipped) and calls B001.
    assert!(call(&staff, &room).await.contains("called=B001"));
    // The elder comes back: reinstated, they are first again (priority, earliest).
    assert_eq!(act("reinstate", b003.clone(), "").await.status(), 303);
    assert!(page(&kiosk, &elder).await.contains("You are next."));
    // B001 is transferred to registration, keeping their time in the queue.
    let b001 = ticket_id(&app, "B001").await;
    assert_eq!(act("transfer", b001.clone(), "enquiry").await.status(), 303);
    let row: (String, String) = sqlx::query_as("SELECT status, service FROM clinic_tickets WHERE id = $1")
        .bind(&b001)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(row, ("waiting".into(), "enquiry".into()));
    // The counter calls B001 next (it finishes R001 first).
    assert!(call(&staff, &counter).await.contains("called=B001"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_tickets WHERE number = 'R001' AND status = 'done'").await, 1);
    // A stale action changes nothing and says so.
    let res = act("recall", ticket_id(&app, "B002").await, "").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already moved on"));
    // Done.
    assert_eq!(act("done", b001.clone(), "").await.status(), 303);
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM clinic_tickets WHERE id = '{b001}' AND status = 'done'")).await,
        1
    );

    // The board shows the latest calls with their rooms.
    let board = page(&kiosk, &format!("/queue/{POINT}/board")).await;
    assert!(board.contains("B001") && board.contains("Counter A"), "{board}");
    // Analytics: today's waits per service.
    let stats = page(&staff, &format!("/staff/clinics/{POINT}/queue/stats")).await;
    assert!(stats.contains("Child health") || stats.contains("child"), "{stats}");
    // Every change was audited.
    assert!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'queue.%'").await >= 12);
    app.shutdown().await;
}

#[tokio::test]
async fn a_ticket_is_never_called_to_two_rooms() {
    let app = spawn_app().await;
    points(&app).await;
    let kiosk = app.browser();
    for _ in 0..24 {
        take(&kiosk, "mchc_child", "general").await;
    }
    let staff = app.staff_browser(&[Role::ClinicManager]).await;
    let mut rooms = vec![];
    for i in 0..4 {
        rooms.push(add_room(&app, &staff, &format!("Room {i}"), &["mchc_child"]).await);
    }
    let token = staff.csrf().await;
    let mut tasks = vec![];
    for i in 0..40 {
        let room = rooms[i % rooms.len()].clone();
        let url = format!("{}/staff/clinics/{POINT}/queue/call", staff.base);
        let client = staff.client.clone();
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("csrf={token}&room={room}"))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 303);
    }
    // 40 calls across 4 rooms took 24 tickets: none called twice, at most one per room open.
    let called_twice =
        count(&app, "SELECT COUNT(*) FROM (SELECT ticket_id FROM clinic_queue_events WHERE kind = 'called' GROUP BY ticket_id HAVING COUNT(*) > 1) x").await;
    assert_eq!(called_twice, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_queue_events WHERE kind = 'called'").await, 24);
    assert!(count(&app, "SELECT COUNT(*) FROM clinic_tickets WHERE status = 'called'").await <= 4);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_tickets WHERE status = 'waiting'").await, 0);
    app.shutdown().await;
}

/// Reads server-sent events until one carries `needle`, or times out.
async fn until_event(res: &mut reqwest::Response, needle: &str, secs: u64) -> bool {
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Ok(Ok(Some(c))) => {
                buf.push_str(&String::from_utf8_lossy(&c));
                if buf.contains(needle) {
                    return true;
                }
            }
            _ => return false,
        }
    }
    false
}

#[tokio::test]
async fn ticket_pages_update_live_from_this_and_other_replicas() {
    let app = spawn_app().await;
    points(&app).await;
    let kiosk = app.browser();
    let first = take(&kiosk, "mchc_child", "general").await;
    let mine = take(&kiosk, "mchc_child", "general").await;
    let mut events = app.client.get(format!("{}{mine}/events", app.url)).send().await.unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert!(until_event(&mut events, "You are number 2 in the queue.", 5).await);

    // A call on this replica reaches the page at once.
    let staff = app.staff_browser(&[Role::ClinicManager]).await;
    let room = add_room(&app, &staff, "Room 1", &["mchc_child"]).await;
    call(&staff, &room).await;
    assert!(until_event(&mut events, "You are next.", 3).await);

    // A change made elsewhere (another replica: straight in the database, no local wake-up)
    // reaches the page through the version poll.
    let first_id: String = sqlx::query_scalar("SELECT id FROM clinic_tickets WHERE token = $1")
        .bind(first.trim_start_matches("/queue/t/"))
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let room_row = clinics::queue::store::queue_room(&app.state.db, &room).await.unwrap().unwrap();
    let db = app.state.db.clone();
    let mut tx = db.begin().await.unwrap();
    clinics::queue::store::finish_room_ticket(&mut tx, &room_row.id, kernel::now_ms()).await.unwrap();
    let next =
        clinics::queue::store::call_next_ticket(&db, &mut tx, &room_row, kernel::now_ms()).await.unwrap().unwrap();
    assert_ne!(next.id, first_id);
    clinics::queue::store::bump_queue_version(&mut tx, POINT).await.unwrap();
    tx.commit().await.unwrap();
    assert!(until_event(&mut events, "Please go to Room 1 now.", 6).await);

    // The board streams too, and shutting down ends open streams promptly.
    let mut board = app.client.get(format!("{}/queue/{POINT}/board/events", app.url)).send().await.unwrap();
    assert!(until_event(&mut board, "B001", 5).await);
    let started = std::time::Instant::now();
    app.shutdown().await;
    assert!(started.elapsed() < Duration::from_secs(8), "shutdown waited {:?} for live streams", started.elapsed());
}

#[tokio::test]
async fn bad_queue_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    points(&app).await;
    let kiosk = app.browser();
    // No service chosen, a service this clinic does not offer, an urgent ticket at the kiosk.
    for (service, priority, message) in [
        ("", "general", "Choose what you are here for"),
        ("dental_gp", "general", "Choose a service this clinic offers"),
        ("mchc_child", "urgent", "Ask the staff at the counter for an urgent ticket"),
        ("mchc_child", "vip", "Choose one of the options"),
    ] {
        let res = kiosk.post_form(&format!("/queue/{POINT}"), &[("service", service), ("priority", priority)]).await;
        assert_eq!(res.status(), 422, "{service}/{priority}");
        let html = res.text().await.unwrap();
        assert!(html.contains("error-summary") && html.contains(message), "{html}");
    }
    // In Chinese.
    let token = kiosk.csrf().await;
    let res = kiosk
        .client
        .post(format!("{}/queue/{POINT}", kiosk.base))
        .header("accept-language", "zh-HK")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={token}&service=&priority=general"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("請選擇你需要的服務"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_tickets").await, 0);
    // Unknown clinic and ticket.
    assert_eq!(kiosk.get("/queue/NOPE").await.status(), 404);
    assert_eq!(kiosk.get("/queue/t/not-a-ticket").await.status(), 404);
    assert_eq!(kiosk.get("/queue/t/not-a-ticket/events").await.status(), 404);

    // Leaving twice: the second time is refused clearly.
    let mine = take(&kiosk, "mchc_child", "general").await;
    let res = kiosk.post_form(&format!("{mine}/leave"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(page(&kiosk, &format!("{mine}?left=1")).await.contains("You have left the queue."));
    let res = kiosk.post_form(&format!("{mine}/leave"), &[]).await;
    assert_eq!(res.status(), 422);

    // A typhoon signal No. 8 in force: no tickets.
    let mut tx = app.state.db.begin().await.unwrap();
    kernel::hk::store::insert_closure(
        &mut tx,
        &kernel::hk::store::NewClosure {
            kind: kernel::hk::ClosureKind::Typhoon8,
            district: None,
            starts_at: kernel::now_ms() - 1000,
            ends_at: None,
            note: String::new(),
            declared_by: "test".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let res = kiosk.post_form(&format!("/queue/{POINT}"), &[("service", "mchc_child"), ("priority", "general")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("closed"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_tickets").await, 1);

    // Staff: a room from another clinic, a room without services, a transfer without a target.
    let staff = app.staff_browser(&[Role::ClinicManager]).await;
    let res = staff.post_form(&format!("/staff/clinics/{POINT}/queue/call"), &[("room", "nope")]).await;
    assert_eq!(res.status(), 422);
    let res =
        staff.post_form(&format!("/staff/clinics/{POINT}/queue/rooms"), &[("name_en", "X"), ("name_zh", "")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM clinic_queue_rooms").await, 0);
    // Clinic staff may run the console but not add rooms.
    let clerk = app.staff_browser(&[Role::ClinicStaff]).await;
    assert_eq!(clerk.get(&format!("/staff/clinics/{POINT}/queue")).await.status(), 200);
    let res = clerk
        .post_form(
            &format!("/staff/clinics/{POINT}/queue/rooms"),
            &[("name_en", "X"), ("name_zh", "X"), ("svc_enquiry", "1")],
        )
        .await;
    assert_eq!(res.status(), 403);
    app.shutdown().await;
}
