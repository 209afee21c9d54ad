//! People and trust over HTTP: staff sign-in, sessions, CSRF, lock-out, citizen one-time codes,
//! profiles and dependants, partners' OAuth tokens, the role matrix and the audit chain.

use std::collections::BTreeMap;

use kernel::audit::{self, Actor, Event, Origin, Verdict};
use kernel::identity::{Identity, Role};
use kernel::web::access::{sample_citizen, sample_partner, sample_staff};
use kernel::web::{Access, Routes};
use serde_json::Value;
use sqlx::Row;

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, TestDb, csrf_of, spawn_app, spawn_app_with};

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query(sql).fetch_one(app.state.db.pool()).await.unwrap().try_get(0).unwrap()
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY seq").fetch_all(app.state.db.pool()).await.unwrap()
}

fn session_cookie_of(res: &reqwest::Response) -> Option<String> {
    res.headers().get_all("set-cookie").iter().find_map(|v| {
        let s = v.to_str().ok()?;
        s.strip_prefix("phos_session=").map(|rest| rest.split(';').next().unwrap_or("").to_string())
    })
}

#[tokio::test]
async fn staff_sign_in_sessions_and_sign_out() {
    let app = spawn_app().await;
    app.staff_user("admin@dh.test", &[Role::Admin], STAFF_PASSWORD).await;
    // Anonymous visitors are sent to sign in, and come back afterwards.
    let res = app.get("/staff/users").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/staff/login?next=/staff/users");
    let b = app.browser();
    let res = b
        .post_form(
            "/staff/login",
            &[("email", "ADMIN@dh.test"), ("password", STAFF_PASSWORD), ("next", "/staff/users")],
        )
        .await;
    assert_eq!(res.status(), 303);
    // An administrator gives a second factor before any session starts (here: enrols).
    assert_eq!(res.headers()["location"], "/staff/login/code");
    assert_eq!(b.get("/staff/users").await.status(), 303, "no session before the second factor");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);
    let res = app.pass_mfa(&b, "admin@dh.test").await;
    assert_eq!(res.status(), 200, "enrolled: the recovery codes are shown once");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("phos_session="));
    let cookie = cookie.expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure without TLS");
    let page = b.get("/staff/users").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("admin@dh.test"));
    // The session lives in the database (any replica can serve it), stored only as a hash.
    let token = session_cookie_of(&res).unwrap();
    assert!(res.text().await.unwrap().contains("href=\"/staff/users\""), "continues to where sign-in began");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 1);
    let raw: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id_hash = $1")
        .bind(&token)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(raw, 0, "the token itself is not stored");
    // Sign out ends the session; the old cookie no longer works.
    let res = b.post_form("/staff/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);
    let replay = app
        .client
        .get(format!("{}/staff/users", app.url))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303, "a signed-out session is dead");
    let actions = audit_actions(&app).await;
    assert!(
        actions.contains(&"staff.login".to_string()) && actions.contains(&"staff.logout".to_string()),
        "{actions:?}"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn idle_and_absolute_expiry() {
    let app = spawn_app().await;
    let b = app.staff_browser(&[Role::Admin]).await;
    assert_eq!(b.get("/staff").await.status(), 200);
    // Idle for longer than 30 minutes.
    sqlx::query("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60 * 1000")
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(b.get("/staff").await.status(), 303);
    let b = app.staff_browser(&[Role::Admin]).await;
    sqlx::query("UPDATE sessions SET expires_at = $1")
        .bind(kernel::now_ms() - 1)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(b.get("/staff").await.status(), 303, "absolute expiry");
    app.shutdown().await;
}

#[tokio::test]
async fn no_session_fixation() {
    let app = spawn_app().await;
    app.staff_user("epi@dh.test", &[Role::Epidemiologist], STAFF_PASSWORD).await;
    // An attacker signs in as themselves (a citizen) and plants that session in the victim's browser.
    let attacker = {
        let mut tx = app.state.db.begin().await.unwrap();
        let (id, _) = kernel::identity::citizen::find_or_create(
            &mut tx,
            "email",
            "attacker@example.com",
            kernel::i18n::Locale::En,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let planted = app.session_cookie("citizen", &attacker).await;
    // The victim signs in as staff in that browser (with the form the planted session shows).
    let planted_page = app
        .client
        .get(format!("{}/staff/login", app.url))
        .header("cookie", format!("phos_session={planted}"))
        .send()
        .await
        .unwrap();
    let bound = csrf_of(&planted_page.text().await.unwrap()).unwrap();
    let res = app
        .client
        .post(format!("{}/staff/login", app.url))
        .header("cookie", format!("phos_session={planted}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::serde_urlencoded_string(&[
            ("csrf", &bound),
            ("email", "epi@dh.test"),
            ("password", STAFF_PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let fresh = session_cookie_of(&res).expect("a new session cookie");
    assert_ne!(fresh, planted);
    let old = app
        .client
        .get(format!("{}/me", app.url))
        .header("cookie", format!("phos_session={planted}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 303, "the planted session was destroyed");
    app.shutdown().await;
}

#[tokio::test]
async fn csrf_is_required_on_every_state_change() {
    let app = spawn_app().await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let fields = [("email", "new.person@dh.test"), ("display_name", "New Person"), ("role", "auditor")];
    // No token.
    let res = admin.post_raw("/staff/users", &fields).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("Your form has expired"));
    // A forged token.
    let mut forged = vec![("csrf", "0".repeat(64))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(admin.post_raw("/staff/users", &forged).await.status(), 403);
    // Another person's token.
    let other = app.staff_browser(&[Role::Admin]).await;
    let theirs = other.csrf().await;
    let mut stolen: Vec<(&str, &str)> = vec![("csrf", theirs.as_str())];
    stolen.extend_from_slice(&fields);
    assert_eq!(admin.post_raw("/staff/users", &stolen).await.status(), 403);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_users WHERE email = 'new.person@dh.test'").await,
        0,
        "nothing written"
    );
    // JSON callers: problem+json.
    let res = admin
        .client
        .post(format!("{}/staff/users", app.url))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "csrf_failed");
    // With the right token it works, and the invitation goes out through the outbox.
    let res = admin.post_form("/staff/users", &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_users WHERE email = 'new.person@dh.test' AND status = 'invited'").await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM outbox WHERE template = 'staff-invite'").await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn repeated_failures_lock_the_account() {
    let app = spawn_app().await;
    let id = app.staff_user("clinic@dh.test", &[Role::ClinicStaff], STAFF_PASSWORD).await;
    let b = app.browser();
    for i in 1..=4 {
        let res =
            b.post_form("/staff/login", &[("email", "clinic@dh.test"), ("password", "wrong password attempt")]).await;
        assert_eq!(res.status(), 401, "attempt {i}");
        assert!(res.text().await.unwrap().contains("The email address or password is not right"));
    }
    let res = b.post_form("/staff/login", &[("email", "clinic@dh.test"), ("password", "wrong password attempt")]).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("This account is locked until"));
    // Even the right password is refused while locked.
    let res = b.post_form("/staff/login", &[("email", "clinic@dh.test"), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.status(), 429);
    let lockouts: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'staff.lockout' AND subject_id = $1")
            .bind(&id)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(lockouts, 1);
    // In Chinese too.
    let zh = app.browser();
    let token = zh.csrf().await;
    let res = zh
        .client
        .post(format!("{}/staff/login", app.url))
        .header("accept-language", "zh-HK")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::serde_urlencoded_string(&[
            ("csrf", &token),
            ("email", "clinic@dh.test"),
            ("password", STAFF_PASSWORD),
        ]))
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("此帳戶已鎖定至"));
    // When the lock ends, the right password works.
    sqlx::query("UPDATE staff_users SET locked_until = $1")
        .bind(kernel::now_ms() - 1)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = b.post_form("/staff/login", &[("email", "clinic@dh.test"), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.status(), 303);
    // Unknown accounts get the same answer as wrong passwords; over-long input is refused.
    let res = b.post_form("/staff/login", &[("email", "nobody@dh.test"), ("password", "whatever password")]).await;
    assert_eq!(res.status(), 401);
    let long = "x".repeat(300);
    let res = b.post_form("/staff/login", &[("email", &long), ("password", "p")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("at most 254 characters"));
    app.shutdown().await;
}

/// The code in the latest outbox message to `to`.
async fn code_sent_to(app: &TestApp, to: &str) -> String {
    let body: String =
        sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1 ORDER BY created_at DESC, id DESC LIMIT 1")
            .bind(to)
            .fetch_one(app.state.db.pool())
            .await
            .unwrap();
    body.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 6).expect("a 6-digit code").to_string()
}

async fn request_code(b: &Browser, contact: &str) -> String {
    let res = b.post_form("/signin", &[("contact", contact)]).await;
    assert_eq!(res.status(), 303, "code requested");
    let loc = res.headers()["location"].to_str().unwrap().to_string();
    loc.split("ref=").nth(1).unwrap().split('&').next().unwrap().to_string()
}

#[tokio::test]
async fn citizen_one_time_codes() {
    let app = spawn_app().await;
    let b = app.browser();
    // Bad contact details.
    let res = b.post_form("/signin", &[("contact", "2123 4567")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Hong Kong mobile number"));
    // Wrong codes count down, then the code dies.
    let otp = request_code(&b, "mei@example.com").await;
    let real = code_sent_to(&app, "mei@example.com").await;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    for left in (1..=4).rev() {
        let res = b.post_form("/signin/code", &[("ref", &otp), ("code", wrong)]).await;
        assert_eq!(res.status(), 401);
        let expected =
            if left == 1 { "You have 1 try left".to_string() } else { format!("You have {left} tries left") };
        assert!(res.text().await.unwrap().contains(&expected));
    }
    let res = b.post_form("/signin/code", &[("ref", &otp), ("code", wrong)]).await;
    assert_eq!(res.status(), 429);
    let res = b.post_form("/signin/code", &[("ref", &otp), ("code", &real)]).await;
    assert_eq!(res.status(), 429, "even the right code is dead after too many tries");
    // An expired code.
    let otp = request_code(&b, "mei@example.com").await;
    let real = code_sent_to(&app, "mei@example.com").await;
    sqlx::query("UPDATE citizen_otps SET expires_at = $1 WHERE id = $2")
        .bind(kernel::now_ms() - 1)
        .bind(&otp)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = b.post_form("/signin/code", &[("ref", &otp), ("code", &real)]).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("This code has expired"));
    // The right code signs in (a new citizen is registered) …
    let otp = request_code(&b, "Mei@Example.com").await;
    let real = code_sent_to(&app, "mei@example.com").await;
    let res = b.post_form("/signin/code", &[("ref", &otp), ("code", &real)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/me?welcome=1");
    assert_eq!(b.get("/me").await.status(), 200);
    // … and cannot be used twice.
    let other = app.browser();
    let res = other.post_form("/signin/code", &[("ref", &otp), ("code", &real)]).await;
    assert_eq!(res.status(), 401);
    assert!(res.text().await.unwrap().contains("already been used"));
    // Codes are stored hashed, never in clear.
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizen_otps WHERE code_hash = $1")
        .bind(&real)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    // Too many codes for one destination in an hour.
    for _ in 0..2 {
        b.post_form("/signin", &[("contact", "mei@example.com")]).await;
    }
    let res = b.post_form("/signin", &[("contact", "mei@example.com")]).await;
    assert_eq!(res.status(), 429);
    // SMS works the same way (delivered through the log provider).
    let sms = app.browser();
    let otp = request_code(&sms, "9123 4567").await;
    let real = code_sent_to(&app, "+852 9123 4567").await;
    assert_eq!(sms.post_form("/signin/code", &[("ref", &otp), ("code", &real)]).await.status(), 303);
    app.shutdown().await;
}

async fn citizen_browser(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    let otp = request_code(&b, email).await;
    let code = code_sent_to(app, email).await;
    assert_eq!(b.post_form("/signin/code", &[("ref", &otp), ("code", &code)]).await.status(), 303);
    b
}

#[tokio::test]
async fn citizen_profile_hkid_dependants_and_access_log() {
    let app = spawn_app().await;
    let b = citizen_browser(&app, "wong@example.com").await;
    let base = [
        ("name_en", "WONG Siu Ming"),
        ("name_zh", "黃小明"),
        ("preferred_lang", "zh-Hant-HK"),
        ("contact_channel", "email"),
    ];
    // An HKID with a wrong check digit.
    let mut f = base.to_vec();
    f.push(("hkid", "A123456(4)"));
    let res = b.post_form("/me", &f).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("There is a problem") && html.contains("This HKID number is not valid"), "{html}");
    // SMS without a mobile number on file.
    let mut f = base.to_vec();
    f[3] = ("contact_channel", "sms");
    assert_eq!(b.post_form("/me", &f).await.status(), 422);
    // Over-long names.
    let long = "x".repeat(101);
    let mut f = base.to_vec();
    f[0] = ("name_en", long.as_str());
    assert_eq!(b.post_form("/me", &f).await.status(), 422);
    // A valid HKID: stored masked and keyed-hashed, shown masked.
    let mut f = base.to_vec();
    f.push(("hkid", "a123456 (3)"));
    assert_eq!(b.post_form("/me", &f).await.status(), 303);
    let html = b.get("/me").await.text().await.unwrap();
    assert!(html.contains("A123***(3)") && !html.contains("A123456"));
    let row = sqlx::query("SELECT hkid_masked, hkid_hmac, name_zh FROM citizens WHERE email = 'wong@example.com'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("hkid_masked"), "A123***(3)");
    assert_eq!(row.get::<String, _>("hkid_hmac").len(), 64);
    assert_eq!(row.get::<String, _>("name_zh"), "黃小明");
    // The same HKID cannot be claimed by another account.
    let other = citizen_browser(&app, "someone.else@example.com").await;
    let mut f = base.to_vec();
    f.push(("hkid", "A123456(3)"));
    let res = other.post_form("/me", &f).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already registered"));
    // Dependants need consent.
    let res = b
        .post_form(
            "/me/dependants",
            &[("name", "WONG Ah Po"), ("birth_date", "1941-02-03"), ("relationship", "parent")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Confirm that you have the right to act for this person"));
    let res = b
        .post_form(
            "/me/dependants",
            &[("name", "WONG Ah Po"), ("birth_date", "1941-02-03"), ("relationship", "parent"), ("consent", "yes")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = b.get("/me").await.text().await.unwrap();
    assert!(html.contains("WONG Ah Po") && html.contains("parent agreed"));
    let consent: String = sqlx::query_scalar("SELECT consent_statement FROM caregiver_links")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(!consent.is_empty());
    // The access log shows who touched the record, including staff reads recorded by areas.
    let me: String = sqlx::query_scalar("SELECT id FROM citizens WHERE email = 'wong@example.com'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    audit::record_now(
        &app.state.db,
        &Actor::Staff("s1".into()),
        &Origin::system(),
        Event::new("citizen.profile_view", "citizen", &me).person(&me).purpose("counter enquiry"),
    )
    .await
    .unwrap();
    let html = b.get("/me").await.text().await.unwrap();
    assert!(
        html.contains("Department of Health staff")
            && html.contains("Viewed the record")
            && html.contains("Changed the record")
    );
    app.shutdown().await;
}

/// Registers, approves and returns `(client_id, secret)` through the staff pages.
async fn approved_client(app: &TestApp, steward: &Browser, scopes: &[&str], rate: &str) -> (String, String) {
    let mut f = vec![
        ("org_name", "HKU Public Health Lab"),
        ("org_kind", "university"),
        ("contact_email", "lab@hku.example"),
        ("client_name", "Dashboard"),
        ("rate_limit", rate),
    ];
    f.extend(scopes.iter().map(|s| ("scope", *s)));
    let res = steward.post_form("/staff/partners", &f).await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let secrets: Vec<String> =
        html.split("<span class=\"secret\">").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    let (client_id, secret) = (secrets[0].clone(), secrets[1].clone());
    // Pending clients get no tokens.
    let res = token(app, &client_id, &secret, None).await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "unauthorized_client");
    let res = steward.post_form(&format!("/staff/partners/{client_id}/status"), &[("action", "approve")]).await;
    assert_eq!(res.status(), 303);
    (client_id, secret)
}

async fn token(app: &TestApp, id: &str, secret: &str, scope: Option<&str>) -> reqwest::Response {
    let mut f = vec![("grant_type", "client_credentials"), ("client_id", id), ("client_secret", secret)];
    if let Some(s) = scope {
        f.push(("scope", s));
    }
    app.client
        .post(format!("{}/oauth/token", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::serde_urlencoded_string(&f))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn partners_get_scoped_expiring_revocable_tokens() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 5, 50).await.unwrap();
    let steward = app.staff_browser(&[Role::DataSteward]).await;
    let (id, secret) = approved_client(&app, &steward, &["sandbox:read", "sandbox:usage"], "1000").await;
    // Wrong secret.
    let res = token(&app, &id, "not-the-secret", None).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_client");
    // A scope the client was not granted.
    assert_eq!(token(&app, &id, &secret, Some("admin")).await.json::<Value>().await.unwrap()["error"], "invalid_scope");
    // A token, stored only hashed.
    let res = token(&app, &id, &secret, Some("sandbox:read")).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap().to_string();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
        .bind(&access)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 0);
    let call = |path: &'static str, tok: String| {
        let c = app.client.clone();
        let url = format!("{}{path}", app.url);
        async move { c.get(url).bearer_auth(tok).send().await.unwrap() }
    };
    let res = call("/api/v1/sandbox/citizens?limit=10", access.clone()).await;
    assert_eq!(res.status(), 200);
    let people: Value = res.json().await.unwrap();
    assert_eq!(people.as_array().unwrap().len(), 10);
    assert!(people[0].get("hkid").is_none() && people[0].get("name_en").is_none(), "no identifiers in the sandbox");
    // Missing scope: the token was narrowed to sandbox:read.
    let res = call("/api/v1/sandbox/usage", access.clone()).await;
    assert_eq!(res.status(), 403);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().contains("insufficient_scope"));
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "insufficient_scope");
    // Forged and expired tokens.
    let res = call("/api/v1/sandbox/citizens", "f".repeat(64)).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap()["code"], "invalid_token");
    assert_eq!(app.get("/api/v1/sandbox/citizens").await.status(), 401, "no token at all");
    let full: Value = token(&app, &id, &secret, None).await.json().await.unwrap();
    let full = full["access_token"].as_str().unwrap().to_string();
    let usage: Value = call("/api/v1/sandbox/usage", full.clone()).await.json().await.unwrap();
    assert!(usage["calls_last_24h"].as_i64().unwrap() >= 2, "calls are audited: {usage}");
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE client_id = $2")
        .bind(kernel::now_ms() - 1)
        .bind(&id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(call("/api/v1/sandbox/citizens", full).await.status(), 401, "expired");
    // Revocation by the client (RFC 7009) and by staff.
    let fresh: Value = token(&app, &id, &secret, None).await.json().await.unwrap();
    let fresh = fresh["access_token"].as_str().unwrap().to_string();
    assert_eq!(call("/api/v1/sandbox/citizens", fresh.clone()).await.status(), 200);
    let res = app
        .client
        .post(format!("{}/oauth/revoke", app.url))
        .basic_auth(&id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={fresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(call("/api/v1/sandbox/citizens", fresh).await.status(), 401);
    let again: Value = token(&app, &id, &secret, None).await.json().await.unwrap();
    let again = again["access_token"].as_str().unwrap().to_string();
    steward.post_form(&format!("/staff/partners/{id}/status"), &[("action", "revoke")]).await;
    assert_eq!(call("/api/v1/sandbox/citizens", again).await.status(), 401, "revoking the client revokes its tokens");
    assert!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'partner.call'").await >= 3);
    app.shutdown().await;
}

#[tokio::test]
async fn partners_are_rate_limited_per_client() {
    let app = spawn_app().await;
    let steward = app.staff_browser(&[Role::Admin]).await;
    let (id, secret) = approved_client(&app, &steward, &["sandbox:read"], "3").await;
    let tok: Value = token(&app, &id, &secret, None).await.json().await.unwrap();
    let tok = tok["access_token"].as_str().unwrap().to_string();
    let mut statuses = vec![];
    for _ in 0..4 {
        let res =
            app.client.get(format!("{}/api/v1/sandbox/citizens", app.url)).bearer_auth(&tok).send().await.unwrap();
        statuses.push((res.status().as_u16(), res.headers().get("retry-after").is_some()));
    }
    // The window is one clock minute; if it rolled over mid-test the 4th call is allowed again.
    let limited = statuses.iter().filter(|(s, _)| *s == 429).count();
    assert!(statuses[..3].iter().all(|(s, _)| *s == 200) || limited == 0, "{statuses:?}");
    if limited > 0 {
        assert_eq!(statuses[3], (429, true), "{statuses:?}");
    }
    app.shutdown().await;
}

/// Every declared route × every kind of identity: allowed exactly when the matrix says so.
#[tokio::test]
async fn role_matrix_over_every_route() {
    let app = spawn_app().await;
    let table = app.state.access.get().expect("access table").clone();
    assert!(table.0.len() >= 30, "{} routes", table.0.len());
    // The generated document is up to date.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-matrix.md"))
        .expect("docs/access-matrix.md");
    assert!(doc.contains(&table.markdown()), "docs/access-matrix.md is stale: regenerate with scripts/access-matrix");
    // Every API path in the OpenAPI document has a declared rule.
    let api: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    for path in api["paths"].as_object().unwrap().keys() {
        assert!(table.0.contains_key(path), "{path} has no declared access");
    }
    // Identities.
    let mut staff_ids = BTreeMap::new();
    for r in Role::ALL {
        let id = app.staff_user(&format!("{}@matrix.test", r.code()), &[r], STAFF_PASSWORD).await;
        staff_ids.insert(r, id);
    }
    let citizen = {
        let mut tx = app.state.db.begin().await.unwrap();
        let (id, _) =
            kernel::identity::citizen::find_or_create(&mut tx, "email", "matrix@example.com", kernel::i18n::Locale::En)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        id
    };
    let steward = app.staff_browser(&[Role::DataSteward]).await;
    let (cid, secret) =
        approved_client(&app, &steward, &["sandbox:read", "sandbox:usage", "notifications:write"], "100000").await;
    // One token for all calls (the token endpoint limits each address to 120 a minute).
    let tok: Value = token(&app, &cid, &secret, None).await.json().await.unwrap();
    let partner_token = tok["access_token"].as_str().expect("a partner token").to_string();
    let mut failures = vec![];
    for (path, access) in &table.0 {
        let concrete = path
            .replace("{*path}", "x.css")
            .replace("{tag}", "xx")
            .replace("{id}", "x")
            .replace("{token}", "x")
            .replace("{client_id}", "x");
        for method in ["GET", "POST"] {
            let mut cases: Vec<(String, Identity, Option<String>, Option<String>)> =
                vec![("anonymous".into(), Identity::Anonymous, None, None)];
            cases.push(("citizen".into(), sample_citizen(), Some(app.session_cookie("citizen", &citizen).await), None));
            cases.push(("partner".into(), sample_partner(*access), None, Some(partner_token.clone())));
            for (r, id) in &staff_ids {
                cases.push((r.code().into(), sample_staff(*r), Some(app.session_cookie("staff", id).await), None));
            }
            for (who, identity, session, bearer) in cases {
                // Partners hold every scope; non-partner identities are judged by the table.
                let expected = match (&identity, access) {
                    (Identity::Partner(_), Access::Partner(_)) => true,
                    _ => identity.allows(*access),
                };
                let b = app.browser();
                let mut req = if method == "GET" {
                    b.client.get(format!("{}{concrete}", app.url))
                } else {
                    b.client.post(format!("{}{concrete}", app.url))
                };
                if let Some(s) = &session {
                    // The CSRF token of this session, so that POSTs are judged on access alone.
                    let page = app
                        .client
                        .get(format!("{}/staff/login", app.url))
                        .header("cookie", format!("phos_session={s}"))
                        .send()
                        .await
                        .unwrap();
                    let csrf = csrf_of(&page.text().await.unwrap()).unwrap();
                    req = req.header("cookie", format!("phos_session={s}")).header("x-csrf-token", csrf);
                } else if bearer.is_none() {
                    let csrf = b.csrf().await;
                    req = req.header("x-csrf-token", csrf);
                }
                if let Some(t) = &bearer {
                    req = req.bearer_auth(t);
                }
                let res = req.header("accept", "text/html").send().await.unwrap();
                let status = res.status().as_u16();
                let to_login = status == 303
                    && res
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .is_some_and(|l| l.starts_with("/staff/login?next=") || l.starts_with("/signin?next="));
                // A device route lets the request reach its handler, which wants the device key
                // (401 without it); the wrong method there is 405, which serves nothing either.
                let device_refused = *access == Access::Device && matches!(status, 401 | 405);
                // A method an API path does not answer is 405 for everyone, before any access
                // decision (it serves nothing to anyone), so there is no access to judge.
                if status == 405 && *access != Access::Device {
                    let allow = res.headers().get("allow").and_then(|v| v.to_str().ok()).unwrap_or_default();
                    assert!(!allow.contains(method), "{method} {path}: 405 but Allow: {allow}");
                    continue;
                }
                let allowed = !(status == 401 || status == 403 || to_login || device_refused);
                if allowed != expected || status == 500 {
                    failures.push(format!(
                        "{method} {path} as {who}: status {status}, expected {}",
                        if expected { "allowed" } else { "refused" }
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    app.shutdown().await;
}

#[tokio::test]
async fn a_route_without_declared_access_refuses_everyone() {
    let undeclared = Routes {
        router: utoipa_axum::router::OpenApiRouter::new()
            .route("/test/undeclared", axum::routing::get(|| async { "secret" })),
        rules: vec![],
    };
    let app = spawn_app_with(|_| {}, Some(undeclared)).await;
    let res = app.get("/test/undeclared").await;
    assert_eq!(res.status(), 500);
    assert!(!res.text().await.unwrap().contains("secret"));
    let admin = app.staff_browser(&[Role::Admin]).await;
    assert_eq!(admin.get("/test/undeclared").await.status(), 500);
    app.shutdown().await;
}

#[tokio::test]
async fn audit_chain_detects_edits_and_deletions() {
    let t = TestDb::new().await;
    let db = t.migrated().await;
    for i in 0..10 {
        let id = format!("c{i}");
        audit::record_now(
            &db,
            &Actor::Staff("u1".into()),
            &Origin::system(),
            Event::new("citizen.profile_view", "citizen", &id).person(&id).purpose("care"),
        )
        .await
        .unwrap();
    }
    assert_eq!(audit::verify(&db).await.unwrap(), Verdict::Intact { entries: 10 });
    // Someone edits entry 4 directly in the database.
    sqlx::query("UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 4").execute(db.pool()).await.unwrap();
    match audit::verify(&db).await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, 4),
        v => panic!("tampering not detected: {v:?}"),
    }
    // Re-hashing the edited row is not enough: the next entry no longer links to it.
    let row = sqlx::query("SELECT * FROM audit_log WHERE seq = 4").fetch_one(db.pool()).await.unwrap();
    let mut e = audit::Entry {
        seq: 4,
        at: row.get("at"),
        actor_type: row.get("actor_type"),
        actor_id: row.get("actor_id"),
        action: row.get("action"),
        subject_type: row.get("subject_type"),
        subject_id: row.get("subject_id"),
        person_id: row.get("person_id"),
        purpose: row.get("purpose"),
        request_id: row.get("request_id"),
        ip: row.get("ip"),
        detail: row.get("detail"),
        prev_hash: row.get("prev_hash"),
        hash: String::new(),
    };
    e.hash = e.compute_hash();
    sqlx::query("UPDATE audit_log SET hash = $1 WHERE seq = 4").bind(&e.hash).execute(db.pool()).await.unwrap();
    match audit::verify(&db).await.unwrap() {
        Verdict::Broken { seq, reason } => assert_eq!((seq, reason.contains("link")), (5, true)),
        v => panic!("re-hash not detected: {v:?}"),
    }
    // A deleted entry.
    let t2 = TestDb::new().await;
    let db2 = t2.migrated().await;
    for i in 0..5 {
        audit::record_now(&db2, &Actor::System, &Origin::system(), Event::new("x", "y", &i.to_string())).await.unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(db2.pool()).await.unwrap();
    assert!(matches!(audit::verify(&db2).await.unwrap(), Verdict::Broken { seq: 3, .. }));
}

#[test]
fn audit_verify_command_names_the_broken_entry() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("phos-audit-{}", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}/phos.db", dir.display());
    rt.block_on(async {
        let db = kernel::Db::connect(&url).await.unwrap();
        kernel::db::migrate::run(&db, &kernel::area::all_migrations(&phos::areas())).await.unwrap();
        for i in 0..3 {
            audit::record_now(&db, &Actor::System, &Origin::system(), Event::new("x", "y", &i.to_string()))
                .await
                .unwrap();
        }
        db.close().await;
    });
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_phos"))
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(ok.status.success());
    // The three, and the start-up deployment of the areas' shipped processes (the command
    // connects through the same path as the server).
    let entries: i64 = rt.block_on(async {
        let db = kernel::Db::connect(&url).await.unwrap();
        let n = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(db.pool()).await.unwrap();
        db.close().await;
        n
    });
    assert_eq!(entries, 4);
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("4 entries verified"),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    rt.block_on(async {
        let db = kernel::Db::connect(&url).await.unwrap();
        sqlx::query("UPDATE audit_log SET actor_id = 'someone else' WHERE seq = 2").execute(db.pool()).await.unwrap();
        db.close().await;
    });
    let bad = run();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("broken at entry 2"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Several "replicas" (separate pools) appending at once keep one unbroken chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_audit_writers_keep_one_chain() {
    let t = TestDb::new().await;
    t.migrated().await;
    let mut handles = vec![];
    for replica in 0..3 {
        let db = kernel::Db::connect(&t.url).await.unwrap();
        for task in 0..4 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                for i in 0..25 {
                    let id = format!("{replica}-{task}-{i}");
                    audit::record_now(&db, &Actor::System, &Origin::system(), Event::new("concurrency.test", "x", &id))
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for h in handles {
        h.await.unwrap();
    }
    let db = kernel::Db::connect(&t.url).await.unwrap();
    assert_eq!(audit::verify(&db).await.unwrap(), Verdict::Intact { entries: 300 });
}

/// Two replicas on one database: a session started on one is honoured by the other, and signing
/// out on the second ends it everywhere.
#[tokio::test]
async fn sessions_work_across_replicas() {
    let app = spawn_app().await;
    let id = app.staff_user("auditor@dh.test", &[Role::Auditor], STAFF_PASSWORD).await;
    let token = app.session_cookie("staff", &id).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let db2 = kernel::Db::connect(&app.db.url).await.unwrap();
    let state2 = phos::state(crate::harness::test_config(&app.db), db2).await.unwrap();
    let replica = phos::start(state2, listener, None, crate::harness::fast_worker(), false).unwrap();
    let res = app
        .client
        .get(format!("{}/staff/audit", replica.url()))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "replica 2 honours a session stored by replica 1");
    let res = app
        .client
        .get(format!("{}/staff/audit", app.url))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "and so does replica 1");
    // Sign out on replica 2 (CSRF token of that session, from replica 2's page).
    let page = app
        .client
        .get(format!("{}/staff", replica.url()))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    let csrf = csrf_of(&page.text().await.unwrap()).unwrap();
    let res = app
        .client
        .post(format!("{}/staff/logout", replica.url()))
        .header("cookie", format!("phos_session={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let res = app
        .client
        .get(format!("{}/staff/audit", app.url))
        .header("cookie", format!("phos_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "signed out everywhere");
    replica.shutdown().await.unwrap();
    app.shutdown().await;
}
