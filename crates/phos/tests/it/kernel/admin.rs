//! The administrators' tools over HTTP: staff accounts (search, paging, the account page,
//! scopes, no harm to one's own account), the audit log (search by name or e-mail, dates with
//! field errors, paging, readable actions) and the outbox (paging, search, bodies for
//! administrators only).

use kernel::audit::{Actor, Event, Origin};
use kernel::i18n::Locale;
use kernel::identity::{Role, staff};
use kernel::notify::{Channel, Message};

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, serde_urlencoded_string, spawn_app};

/// The rows of a page's table (the filters above it list every action's name).
fn rows(page: &str) -> &str {
    page.split("<tbody>").nth(1).unwrap_or("")
}

async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// `n` staff accounts named `Chan Tai Man 000`… with e-mails `person000@dh.test`….
async fn many_staff(app: &TestApp, n: usize) -> Vec<String> {
    let mut tx = app.state.db.begin().await.unwrap();
    let mut ids = vec![];
    for i in 0..n {
        let (u, _) = staff::create(
            &mut tx,
            &format!("person{i:03}@dh.test"),
            &format!("Chan Tai Man {i:03}"),
            &[Role::ClinicStaff],
            Some("x".into()),
        )
        .await
        .unwrap();
        ids.push(u.id);
    }
    tx.commit().await.unwrap();
    ids
}

/// Posts a form in Chinese (the page's language from `Accept-Language`).
async fn post_zh(b: &Browser, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let token = b.csrf().await;
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    let res = b
        .client
        .post(format!("{}{path}", b.base))
        .header("accept-language", "zh-HK")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded_string(&all))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn staff_accounts_search_and_page() {
    let app = spawn_app().await;
    many_staff(&app, 120).await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let (s, first) = text(&admin, "/staff/users").await;
    assert_eq!(s, 200);
    assert!(first.contains("Showing 1–50 of 121"), "{first}");
    assert!(first.contains("href=\"/staff/users?page=2\""));
    let (_, second) = text(&admin, "/staff/users?page=2").await;
    assert!(second.contains("Showing 51–100 of 121"));
    // A stable order: e-mail, so the pages do not overlap.
    assert!(first.contains("person000@dh.test") && !second.contains("person000@dh.test"));
    assert!(second.contains("person050@dh.test") && !first.contains("person050@dh.test"));
    let (_, last) = text(&admin, "/staff/users?page=99").await;
    assert!(last.contains("Showing 101–121 of 121") && !last.contains("rel=\"next\""));
    // Search by name (any case) or by e-mail; the pager keeps the search.
    let (_, found) = text(&admin, "/staff/users?q=chan+tai+man+00").await;
    assert!(found.contains("Showing 1–10 of 10"));
    let (_, found) = text(&admin, "/staff/users?q=PERSON11").await;
    assert!(found.contains("Showing 1–10 of 10") && found.contains("person119@dh.test"));
    let (_, found) = text(&admin, "/staff/users?q=chan").await;
    assert!(found.contains("href=\"/staff/users?q=chan&#38;page=2\""), "the next page keeps the search");
    let (_, none) = text(&admin, "/staff/users?q=%25_%25").await;
    assert!(none.contains("No staff account matches"), "LIKE wildcards are taken literally");
    app.shutdown().await;
}

#[tokio::test]
async fn the_account_page_roles_scopes_and_own_account() {
    let app = spawn_app().await;
    let ids = many_staff(&app, 1).await;
    let other = &ids[0];
    app.staff_user("boss@dh.test", &[Role::Admin], STAFF_PASSWORD).await;
    let admin = app.signed_in("boss@dh.test").await;
    let me = staff::by_email(&app.state.db, "boss@dh.test").await.unwrap().unwrap().id;
    let (s, page) = text(&admin, &format!("/staff/users/{other}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("Chan Tai Man 000") && page.contains("Clinics and districts"));
    // Roles: saved, audited.
    let res = admin.post_form(&format!("/staff/users/{other}/roles"), &[("role", "clinic_manager")]).await;
    assert_eq!(res.status(), 303);
    let (_, page) = text(&admin, res.headers()["location"].to_str().unwrap()).await;
    assert!(page.contains("Roles saved."));
    // Scopes: districts and clinic codes, checked.
    let res = admin
        .post_form(
            &format!("/staff/users/{other}/scopes"),
            &[("district", "KT"), ("district", "XX"), ("service_points", "Z9")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("error-summary") && page.contains("There is no clinic with the code Z9"));
    assert!(staff::scopes_of(&app.state.db, other).await.unwrap().is_empty(), "nothing half-written");
    let res =
        admin.post_form(&format!("/staff/users/{other}/scopes"), &[("district", "KT"), ("district", "SSP")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(staff::scopes_of(&app.state.db, other).await.unwrap(), vec!["district:KT", "district:SSP"]);
    let (_, page) = text(&admin, &format!("/staff/users/{other}")).await;
    assert!(page.contains("id=\"district-KT\" name=\"district\" value=\"KT\" checked"));
    // One's own account: not disabled, admin role not removed; field errors in both languages.
    let res = admin.post_form(&format!("/staff/users/{me}/status"), &[("action", "disable")]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("error-summary") && page.contains("You cannot disable your own account"));
    let (s, page) = post_zh(&admin, &format!("/staff/users/{me}/roles"), &[("role", "auditor")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("你不能移除自己的系統管理員職務"));
    let (s, page) = post_zh(&admin, &format!("/staff/users/{me}/status"), &[("action", "disable")]).await;
    assert_eq!(s, 422);
    assert!(page.contains("你不能停用自己的帳戶"));
    let u = staff::by_id(&app.state.db, &me).await.unwrap().unwrap();
    assert_eq!((u.status.as_str(), u.roles), ("active", vec![Role::Admin]));
    // Another account can be disabled.
    let res = admin.post_form(&format!("/staff/users/{other}/status"), &[("action", "disable")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(staff::by_id(&app.state.db, other).await.unwrap().unwrap().status, "disabled");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE subject_id = $1 AND actor_id = $2 ORDER BY seq")
            .bind(other)
            .bind(&me)
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(actions, vec!["staff.roles", "staff.scopes", "staff.disable"]);
    assert_eq!(text(&admin, "/staff/users/no-such-id").await.0, 404);
    app.shutdown().await;
}

#[tokio::test]
async fn audit_log_search_by_name_dates_and_pages() {
    let app = spawn_app().await;
    let wong = app.staff_user("wong.siuming@dh.test", &[Role::ClinicStaff], STAFF_PASSWORD).await;
    sqlx::query("UPDATE staff_users SET display_name = 'Wong Siu Ming' WHERE id = $1")
        .bind(&wong)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    app.signed_in("wong.siuming@dh.test").await;
    // 120 more entries by someone else.
    let mut tx = app.state.db.begin().await.unwrap();
    let events: Vec<(Actor, Origin, Event)> = (0..120)
        .map(|_| (Actor::Staff("someone-else".into()), Origin::system(), Event::new("case.view", "case", "C1")))
        .collect();
    kernel::audit::record_many(&app.state.db, &mut tx, &events).await.unwrap();
    tx.commit().await.unwrap();
    let auditor = app.staff_browser(&[Role::Auditor]).await;
    let (s, page) = text(&auditor, "/staff/audit?actor=siu+ming").await;
    assert_eq!(s, 200);
    assert!(rows(&page).contains("Wong Siu Ming &#60;wong.siuming@dh.test&#62;"), "names, not ids");
    assert!(rows(&page).contains("Staff signed in"), "readable actions");
    assert!(!rows(&page).contains("Viewed a case"));
    let (_, page) = text(&auditor, "/staff/audit?actor=WONG.SIUMING%40dh").await;
    assert!(rows(&page).contains("Staff signed in"), "by e-mail");
    let (_, page) = text(&auditor, "/staff/audit?actor=someone-else&action=case.view").await;
    assert!(page.contains("Showing 1–50 of 120") && page.contains("rel=\"next\""));
    let (_, page) = text(&auditor, "/staff/audit?actor=someone-else&action=case.view&page=3").await;
    assert!(page.contains("Showing 101–120 of 120"));
    // Dates: impossible ones and a start after the end are field errors, in both languages.
    let (s, page) = text(&auditor, "/staff/audit?from=2025-02-30&to=31%2F13%2F2025").await;
    assert_eq!(s, 422);
    assert!(page.contains("error-summary") && page.matches("Enter a real date").count() >= 2);
    let (s, page) = text(&auditor, "/staff/audit?from=2025-06-02&to=01%2F06%2F2025").await;
    assert_eq!(s, 422);
    assert!(page.contains("The end date must be the same as or after the start date"));
    let res = auditor
        .client
        .get(format!("{}/staff/audit?from=2025-06-31", auditor.base))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("請輸入真實的日期"));
    let today = kernel::hk::today().format("%d/%m/%Y").to_string();
    let (s, page) = text(
        &auditor,
        &format!("/staff/audit?actor=siu&from={}&to={}", today.replace('/', "%2F"), today.replace('/', "%2F")),
    )
    .await;
    assert_eq!(s, 200);
    assert!(rows(&page).contains("Staff signed in"), "HK day forms accepted");
    let res = auditor
        .client
        .get(format!("{}/staff/audit?actor=siu", auditor.base))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap();
    assert!(rows(&res.text().await.unwrap()).contains("職員登入"));
    app.shutdown().await;
}

async fn queue_messages(app: &TestApp, n: usize) -> Vec<String> {
    let mut tx = app.state.db.begin().await.unwrap();
    let mut ids = vec![];
    for i in 0..n {
        let to = format!("resident{i:02}@example.com");
        let template = if i % 2 == 0 { "staff-invite" } else { "test" };
        let id = kernel::notify::enqueue(
            &mut tx,
            &Message {
                channel: Channel::Email,
                recipient: &to,
                locale: Locale::En,
                template,
                values: &[("name", "Chan Tai Man"), ("link", "http://phos.test/x"), ("base_url", "http://phos.test")],
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    tx.commit().await.unwrap();
    ids
}

#[tokio::test]
async fn outbox_pages_search_and_bodies_for_administrators() {
    let app = spawn_app().await;
    let ids = queue_messages(&app, 60).await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let (_, page) = text(&admin, "/staff/outbox").await;
    assert!(page.contains("Showing 1–50 of 60"), "{page}");
    assert!(!page.contains("resident07@example.com"), "recipients masked");
    let (_, page) = text(&admin, "/staff/outbox?page=2").await;
    assert!(page.contains("Showing 51–60 of 60"));
    let (_, page) = text(&admin, "/staff/outbox?recipient=RESIDENT0").await;
    assert!(page.contains("Showing 1–10 of 10"));
    let (_, page) = text(&admin, "/staff/outbox?template=staff-invite").await;
    assert!(page.contains("Showing 1–30 of 30"));
    let (_, page) = text(&admin, "/staff/outbox?status=permanent_failure").await;
    assert!(page.contains("No messages yet") && !page.contains("Showing"));
    // Administrators open a message to read it (audited); communications officers cannot.
    let (_, list) = text(&admin, "/staff/outbox?template=staff-invite").await;
    let invite = ids[0].clone();
    assert!(list.contains(&format!("href=\"/staff/outbox/{invite}\"")));
    let (s, body) = text(&admin, &format!("/staff/outbox/{invite}")).await;
    assert_eq!(s, 200);
    assert!(body.contains("http://phos.test/x"), "the body is shown");
    let views: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.body_view' AND subject_id = $1")
            .bind(&invite)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(views, 1);
    let comms = app.staff_browser(&[Role::CommsOfficer]).await;
    let (s, list) = text(&comms, "/staff/outbox").await;
    assert_eq!(s, 200);
    assert!(!list.contains(&format!("/staff/outbox/{invite}")), "no link to bodies");
    assert_eq!(text(&comms, &format!("/staff/outbox/{invite}")).await.0, 403);
    app.shutdown().await;
}
