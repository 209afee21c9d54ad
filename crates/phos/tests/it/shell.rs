//! The web shell over HTTP: pages, language, errors, API document, operations endpoints,
//! limits, compression, security headers and graceful shutdown.

use std::time::Duration;

use axum::Json;
use axum::routing::{get, post};
use kernel::hk::ClosureKind;
use kernel::hk::store::NewClosure;
use kernel::web::{Access, Routes};
use serde_json::Value;

use crate::harness::{spawn_app, spawn_app_with};

/// Routes that exist only in tests, to exercise the shell's handling of bodies and slowness.
fn test_routes() -> Routes {
    #[derive(serde::Deserialize)]
    struct Form {
        #[allow(dead_code)]
        name: String,
    }
    Routes::new()
        .page("/api/v1/test/echo", Access::Public, post(|Json(v): Json<Value>| async move { Json(v) }))
        .page("/test/form", Access::Public, post(|_f: kernel::web::Form<Form>| async { "ok" }))
        .page(
            "/test/slow",
            Access::Public,
            get(|| async {
                tokio::time::sleep(Duration::from_millis(600)).await;
                "finished"
            }),
        )
        .page(
            "/test/panic",
            Access::Public,
            get(|| async {
                if std::env::var("NEVER_SET_XYZ").is_err() {
                    panic!("boom with secret internals");
                }
                "unreachable"
            }),
        )
}

#[tokio::test]
async fn home_page_in_both_languages() {
    let app = spawn_app().await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Find a service point") && html.contains("Public holidays and closures"));
    assert!(html.contains(r##"href="#main""##) && html.contains(r#"<main id="main""#), "skip link and landmark");
    assert!(!html.contains("coming soon"));
    // Switching language sets a cookie and returns to the page.
    let res = app.get("/lang/zh-Hant-HK?back=/calendar").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/calendar");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("phos_lang=zh-Hant-HK") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
    );
    let html = app
        .client
        .get(format!("{}/", app.url))
        .header("cookie", "phos_lang=zh-Hant-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="zh-Hant-HK">"#));
    assert!(html.contains("公共衞生服務") && html.contains("查找服務點"));
    assert!(html.contains(r#"lang="en" hreflang="en">English</a>"#), "switch back to English");
    // Accept-Language is honoured when there is no cookie.
    let html = app
        .client
        .get(format!("{}/calendar", app.url))
        .header("accept-language", "zh-HK,zh;q=0.9")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("公眾假期及服務暫停"));
    // Open redirects are refused.
    let res = app.get("/lang/en?back=//evil.example").await;
    assert_eq!(res.headers()["location"], "/");
    app.shutdown().await;
}

#[tokio::test]
async fn unknown_routes_get_a_bilingual_page_or_problem_json() {
    let app = spawn_app().await;
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found") && html.contains(r#"lang="en""#));
    let res =
        app.client.get(format!("{}/no/such/page", app.url)).header("accept-language", "zh-HK").send().await.unwrap();
    assert!(res.text().await.unwrap().contains("找不到網頁"));
    let res = app.get("/api/v1/nothing").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["titles"]["zh-Hant-HK"], "找不到網頁");
    assert!(body["request_id"].as_str().is_some_and(|s| s.len() == 36));
    // Wrong method on an existing route.
    let b = app.browser();
    let token = b.csrf().await;
    let res =
        b.client.delete(format!("{}/api/v1/districts", app.url)).header("x-csrf-token", token).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    app.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_get_clear_errors() {
    let app = spawn_app_with(|c| c.max_body_bytes = 4096, Some(test_routes())).await;
    let url = format!("{}/api/v1/test/echo", app.url);
    // A browser session: state-changing requests carry its CSRF token.
    let b = app.browser();
    let token = b.csrf().await;
    let csrf = |r: reqwest::RequestBuilder| r.header("x-csrf-token", token.clone());
    // Malformed JSON.
    let res =
        csrf(b.client.post(&url)).header("content-type", "application/json").body("{\"a\": ").send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");
    assert!(body["detail"].as_str().unwrap().contains("JSON"), "{body}");
    assert_eq!(body["titles"]["en"], "The request could not be understood");
    // Wrong content type.
    let res = csrf(b.client.post(&url)).header("content-type", "text/plain").body("{}").send().await.unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "unsupported_media_type");
    // Oversized body.
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(10_000));
    let res =
        csrf(b.client.post(&url)).header("content-type", "application/json").body(big.clone()).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "payload_too_large");
    // … and as a page for a browser form.
    let res = b
        .client
        .post(format!("{}/test/form", app.url))
        .header("x-csrf-token", token.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name={}", "a".repeat(10_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("What you sent is too large"));
    // Invalid UTF-8 in a form body.
    let res = b
        .client
        .post(format!("{}/test/form", app.url))
        .header("x-csrf-token", token.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b"name=%FF%FE\xff".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let html = res.text().await.unwrap();
    assert!(html.contains("The form could not be read"), "{html}");
    // Invalid UTF-8 in a query string of a real page: an error summary, not a crash.
    let res = app.get("/service-points?district=%FF%FE").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("Choose a district from the list"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_panic_becomes_a_500_without_internals() {
    let app = spawn_app_with(|_| {}, Some(test_routes())).await;
    let res = app.get("/test/panic").await;
    assert_eq!(res.status(), 500);
    let html = res.text().await.unwrap();
    assert!(html.contains("Sorry, there is a problem with the service"));
    assert!(!html.contains("secret internals") && !html.contains("boom"));
    // The server keeps serving.
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.shutdown().await;
}

#[tokio::test]
async fn operations_endpoints() {
    let app = spawn_app().await;
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ready");
    assert!(res_has_request_id(&app.get("/healthz").await));
    let _ = app.get("/").await;
    let m = app.get("/metrics").await.text().await.unwrap();
    assert!(m.contains(r#"phos_http_requests_total{method="GET",route="/",status="200"} 1"#), "{m}");
    assert!(m.contains(r#"phos_http_request_duration_seconds_bucket{le="#));
    assert!(m.contains(r#"phos_jobs{status="queued"}"#));
    assert!(m.contains(r#"phos_outbox_messages{status="queued"} 0"#));
    // Readiness fails when a migration is pending.
    sqlx::query("DELETE FROM phos_migrations WHERE version = 2").execute(app.state.db.pool()).await.unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert!(body["problems"][0].as_str().unwrap().contains("0002_directory.sql"), "{body}");
    app.shutdown().await;
}

fn res_has_request_id(res: &reqwest::Response) -> bool {
    res.headers().get("x-request-id").is_some()
}

#[tokio::test]
async fn openapi_document_describes_the_api() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/districts",
        "/api/v1/calendar/holidays",
        "/api/v1/calendar/open",
        "/api/v1/service-points",
        "/healthz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ProblemBody"].is_object());
    app.shutdown().await;
}

/// The kernel completes the document from the access declarations: security per operation,
/// its own error responses as problem+json, a description on every response, query parameters
/// in the query; and a method an API path does not answer gets 405 with `Allow`, before any
/// sign-in or CSRF check.
#[tokio::test]
async fn openapi_document_is_complete_and_undeclared_methods_get_405() {
    let app = spawn_app().await;
    let doc: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["partner_oauth2"]["flows"]["clientCredentials"]["tokenUrl"], "/oauth/token");
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["device_key"]["name"], "X-Device-Key");
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path}: no 500");
            for (status, r) in responses {
                let d = r["description"].as_str().unwrap_or_default();
                assert!(!d.is_empty(), "{method} {path} {status}: no description");
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        r["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status}: errors are problem+json"
                    );
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                match p["in"].as_str().unwrap() {
                    "path" => assert!(in_path, "{method} {path}: {name} declared in the path"),
                    "query" => assert!(!in_path, "{method} {path}: {name} is a path parameter"),
                    _ => {}
                }
            }
        }
    }
    assert!(operations > 30, "{operations} operations");
    let citizens = &doc["paths"]["/api/v1/sandbox/citizens"]["get"];
    assert_eq!(citizens["security"], serde_json::json!([{ "partner_oauth2": ["sandbox:read"] }]));
    assert!(citizens["responses"]["429"].is_object());
    assert_eq!(doc["paths"]["/api/v1/clinics/slots"]["get"]["parameters"][0]["in"], "query");
    let bookings = &doc["paths"]["/api/v1/bookings"]["post"];
    assert_eq!(bookings["security"], serde_json::json!([{ "session_cookie": [] }]));
    assert!(doc["paths"]["/api/v1/districts"]["get"].get("security").is_none());

    let res = app.client.delete(format!("{}/api/v1/districts", app.url)).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "method_not_allowed");
    // A declared method is not affected, and HEAD follows GET.
    assert_eq!(app.get("/api/v1/districts").await.status(), 200);
    let head = app.client.head(format!("{}/api/v1/districts", app.url)).send().await.unwrap();
    assert_eq!(head.status(), 200);
    app.shutdown().await;
}

#[tokio::test]
async fn security_headers_and_compression() {
    let app = spawn_app().await;
    let res = app.client.get(format!("{}/", app.url)).header("accept-encoding", "gzip").send().await.unwrap();
    let h = res.headers();
    assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert!(!h["content-security-policy"].to_str().unwrap().contains("unsafe-inline"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin");
    assert_eq!(h["content-encoding"], "gzip");
    assert!(h.get("strict-transport-security").is_none(), "no HSTS without TLS");
    let css = app.get("/static/phos.css").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert_eq!(app.get("/static/nope.css").await.status(), 404);
    app.shutdown().await;
    let tls = spawn_app_with(|c| c.tls = true, None).await;
    assert!(tls.get("/").await.headers().get("strict-transport-security").is_some());
    tls.shutdown().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_requests_in_flight() {
    let app = spawn_app_with(|_| {}, Some(test_routes())).await;
    let client = app.client.clone();
    let url = format!("{}/test/slow", app.url);
    let inflight = tokio::spawn(async move { client.get(url).send().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let base = app.url.clone();
    app.shutdown().await;
    let res = inflight.await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "finished");
    // And the server no longer accepts connections.
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

/// Closures declared and lifted through `kernel::hk::service` (what `/staff/closures` and
/// `phos closure` both call): one transaction each with its audit entry; declaring queues the
/// reaction of every area that subscribed (clinics' mass cancellation); lifting twice changes
/// nothing the second time.
#[tokio::test]
async fn the_closure_service_audits_and_queues_the_reactions() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let (actor, origin) = (kernel::audit::Actor::System, kernel::audit::Origin::system());
    let new = NewClosure {
        kind: ClosureKind::BlackRainstorm,
        district: Some("KT".into()),
        starts_at: kernel::now_ms() - 1000,
        ends_at: None,
        note: "black rainstorm".into(),
        declared_by: "operator".into(),
    };
    let (c, reactions) = kernel::hk::service::declare(&app.state, &actor, &origin, &new).await.unwrap();
    let subscribers = app.state.jobs.subscribers(kernel::hk::store::CLOSURE_DECLARED).to_vec();
    assert!(!subscribers.is_empty(), "clinics subscribes to closures");
    assert_eq!(reactions, subscribers.len());
    let count = |sql: &'static str, id: String| {
        let db = db.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(db.pool()).await.unwrap() }
    };
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'closure.declare' AND subject_id = $1";
    assert_eq!(count(audited, c.id.clone()).await, 1);
    let queued = "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%' || $1 || '%'";
    assert_eq!(count(queued, c.id.clone()).await, subscribers.len() as i64, "one reaction per subscriber");
    let lifted = kernel::hk::service::lift(&db, &actor, &origin, &c.id).await.unwrap().expect("an open closure");
    assert!(lifted.ends_at.is_some());
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'closure.lift' AND subject_id = $1";
    assert_eq!(count(audited, c.id.clone()).await, 1);
    assert!(kernel::hk::service::lift(&db, &actor, &origin, &c.id).await.unwrap().is_none(), "already lifted");
    assert_eq!(count(audited, c.id.clone()).await, 1, "nothing written the second time");
}

/// A closure declared for later and called off before it begins is withdrawn (it may not end
/// before it starts): gone from the calendar, audited as `closure.withdraw`.
#[tokio::test]
async fn lifting_a_closure_that_has_not_begun_withdraws_it() {
    let app = spawn_app().await;
    let db = app.state.db.clone();
    let (actor, origin) = (kernel::audit::Actor::System, kernel::audit::Origin::system());
    let new = NewClosure {
        kind: ClosureKind::Typhoon8,
        district: None,
        starts_at: kernel::now_ms() + 3_600_000,
        ends_at: None,
        note: "signal 8 expected".into(),
        declared_by: "operator".into(),
    };
    let (c, _) = kernel::hk::service::declare(&app.state, &actor, &origin, &new).await.unwrap();
    let withdrawn = kernel::hk::service::lift(&db, &actor, &origin, &c.id).await.unwrap().expect("a closure to come");
    assert_eq!(withdrawn.id, c.id);
    let left = kernel::hk::store::current_closures(&db, kernel::now_ms()).await.unwrap();
    assert!(left.iter().all(|x| x.id != c.id), "withdrawn closures leave the calendar");
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'closure.withdraw' AND subject_id = $1")
            .bind(&c.id)
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(audited, 1);
    assert!(kernel::hk::service::lift(&db, &actor, &origin, &c.id).await.unwrap().is_none(), "nothing left to lift");
}

#[tokio::test]
async fn closures_show_on_pages_and_in_the_api() {
    let app = spawn_app().await;
    // Before: open on a business day.
    let at = "2026-03-03T10:00:00+08:00"; // a Tuesday
    let body: Value =
        app.get(&format!("/api/v1/calendar/open?district=KT&at={}", urlencode(at))).await.json().await.unwrap();
    assert_eq!(body["open"], true);
    // A territory-wide typhoon closure from now on, open-ended.
    let mut tx = app.state.db.begin().await.unwrap();
    let c = kernel::hk::store::insert_closure(
        &mut tx,
        &NewClosure {
            kind: ClosureKind::Typhoon8,
            district: None,
            starts_at: kernel::now_ms() - 1000,
            ends_at: None,
            note: "T8".into(),
            declared_by: "duty officer".into(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let body: Value = app.get("/api/v1/calendar/open?district=SSP").await.json().await.unwrap();
    assert_eq!(body["open"], false);
    assert_eq!(body["closures"][0]["kind"], "typhoon_8");
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("Some services are closed now"));
    let cal = app.get("/calendar").await.text().await.unwrap();
    assert!(cal.contains("Tropical cyclone signal No. 8 or above") && cal.contains("Until further notice"));
    // Lifting it ends the closure.
    let mut tx = app.state.db.begin().await.unwrap();
    assert!(kernel::hk::store::lift_closure(&mut tx, &c.id, kernel::now_ms()).await.unwrap().is_some());
    tx.commit().await.unwrap();
    let home = app.get("/").await.text().await.unwrap();
    assert!(!home.contains("Some services are closed now"));
    // Business days and holidays.
    let d: Value = app.get("/api/v1/calendar/business-days?from=2025-01-28&add=1").await.json().await.unwrap();
    assert_eq!(d["date"], "2025-02-03");
    let res = app.get("/api/v1/calendar/business-days?from=2025-02-30&add=1").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["field"], "from");
    assert!(body["errors"][0]["message"]["zh-Hant-HK"].as_str().unwrap().contains("日期"));
    let h: Value = app.get("/api/v1/calendar/holidays?year=2026").await.json().await.unwrap();
    assert_eq!(h.as_array().unwrap().len(), 17);
    app.shutdown().await;
}

#[tokio::test]
async fn service_point_directory() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 1, 10).await.unwrap();
    let dental: Value = app.get("/api/v1/service-points?kind=dental").await.json().await.unwrap();
    assert_eq!(dental.as_array().unwrap().len(), 11);
    let ehc_kt: Value = app.get("/api/v1/service-points?kind=ehc&district=KT").await.json().await.unwrap();
    assert_eq!(ehc_kt.as_array().unwrap().len(), 1);
    let districts: Value = app.get("/api/v1/districts").await.json().await.unwrap();
    assert_eq!(districts.as_array().unwrap().len(), 18);
    let page = app.get("/service-points?district=IS&kind=dental").await.text().await.unwrap();
    assert!(page.contains("Tai O") && page.contains("Cheung Chau"), "Islands dental clinics listed");
    let page = app
        .client
        .get(format!("{}/service-points?kind=mchc", app.url))
        .header("cookie", "phos_lang=zh-Hant-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("母嬰健康院") && page.contains("共 29 個服務點"));
    let res = app.get("/service-points?kind=spa").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("There is a problem") && page.contains(r##"href="#kind""##));
    app.shutdown().await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
