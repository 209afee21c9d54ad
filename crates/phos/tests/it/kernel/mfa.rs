//! Staff two-step sign-in (TOTP, RFC 6238) over HTTP: enrolment, sign-in with a code, wrong
//! codes, replay of a used step, single-use recovery codes, roles that require it, the limit on
//! attempts and an administrator's reset.

use kernel::identity::Role;
use kernel::identity::staff::mfa::rules;

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, secret_on_page, spawn_app};

async fn count(app: &TestApp, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).bind(id).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn audited(app: &TestApp, action: &str, id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1 AND subject_id = $2")
        .bind(action)
        .bind(id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

fn now_step() -> i64 {
    rules::step_of(kernel::now_ms() / 1000)
}

/// A six-digit code that no step near now has.
fn wrong_code(secret: &[u8]) -> String {
    let near: Vec<String> = (-2..=2).map(|d| rules::code_at(secret, now_step() + d)).collect();
    (0..10).map(|i| format!("{i}{i}{i}{i}{i}{i}")).find(|c| !near.contains(c)).unwrap()
}

/// Signs in with the password only; the response must ask for the second factor.
async fn password_step(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    let res = b.post_form("/staff/login", &[("email", email), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/staff/login/code");
    b
}

/// The recovery codes on the page shown after enrolment.
fn recovery_codes(html: &str) -> Vec<String> {
    let list = html.split("id=\"recovery-codes\"").nth(1).unwrap().split("</ul>").next().unwrap();
    list.split("<code>").skip(1).map(|s| s.split("</code>").next().unwrap().to_string()).collect()
}

#[tokio::test]
async fn enrol_then_sign_in_wrong_code_and_replay_refused() {
    let app = spawn_app().await;
    let id = app.staff_user("admin@dh.test", &[Role::Admin], STAFF_PASSWORD).await;
    let b = password_step(&app, "admin@dh.test").await;
    let html = b.get("/staff/login/code").await.text().await.unwrap();
    assert!(html.contains("otpauth://totp/PHOS:admin%40dh.test?secret="), "the otpauth URI is shown");
    assert!(html.contains("<svg"), "and a QR code");
    let secret = rules::base32_decode(&secret_on_page(&html).unwrap()).unwrap();
    assert_eq!(secret.len(), 20);
    // Nothing else is reachable before enrolling.
    assert_eq!(b.get("/staff").await.status(), 303);
    // A wrong code: a field error in the summary, still no session.
    let res = b.post_form("/staff/login/code", &[("code", &wrong_code(&secret))]).await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("error-summary") && page.contains("The code is not right"), "{page}");
    let res = b.post_form("/staff/login/code", &[("code", "")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(b.get("/staff").await.status(), 303);
    // The right code enrols, shows 10 recovery codes once, and signs in.
    let step = now_step();
    let res = b.post_form("/staff/login/code", &[("code", &rules::code_at(&secret, step))]).await;
    assert_eq!(res.status(), 200);
    let codes = recovery_codes(&res.text().await.unwrap());
    assert_eq!(codes.len(), 10);
    assert_eq!(b.get("/staff").await.status(), 200);
    let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(&id)
        .fetch_all(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(hashes.iter().all(|h| !codes.iter().any(|c| h.contains(c.as_str()))), "stored hashed");
    // Next sign-in: a code form (no key shown); the same code again is refused as used.
    let b2 = password_step(&app, "admin@dh.test").await;
    let html = b2.get("/staff/login/code").await.text().await.unwrap();
    assert!(secret_on_page(&html).is_none(), "the key is never shown again");
    let res = b2.post_form("/staff/login/code", &[("code", &rules::code_at(&secret, step))]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("This code was already used"));
    // In Chinese too.
    let zh = b2
        .client
        .post(format!("{}/staff/login/code", b2.base))
        .header("accept-language", "zh-HK")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(crate::harness::serde_urlencoded_string(&[("csrf", &b2.csrf().await), ("code", "12")]))
        .send()
        .await
        .unwrap();
    assert_eq!(zh.status(), 422);
    assert!(zh.text().await.unwrap().contains("驗證碼不正確"));
    // The next step's code works and goes where sign-in began.
    let res = b2.post_form("/staff/login/code", &[("code", &rules::code_at(&secret, step + 1))]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/staff");
    assert_eq!(b2.get("/staff/users").await.status(), 200);
    assert_eq!(audited(&app, "staff.mfa_enrol", &id).await, 1);
    assert_eq!(audited(&app, "staff.mfa_ok", &id).await, 1);
    assert!(audited(&app, "staff.mfa_failed", &id).await >= 1);
    assert_eq!(audited(&app, "staff.mfa_replay", &id).await, 1);
    app.shutdown().await;
}

#[tokio::test]
async fn recovery_codes_work_once() {
    let app = spawn_app().await;
    app.staff_user("auditor@dh.test", &[Role::Auditor], STAFF_PASSWORD).await;
    let b = app.browser();
    let res = app.sign_in(&b, "auditor@dh.test", STAFF_PASSWORD).await;
    assert_eq!(res.status(), 200);
    let codes = recovery_codes(&res.text().await.unwrap());
    let b2 = password_step(&app, "auditor@dh.test").await;
    let res = b2.post_form("/staff/login/code", &[("code", &codes[3].to_uppercase())]).await;
    assert_eq!(res.status(), 303, "a recovery code signs in (any case)");
    assert_eq!(b2.get("/staff/audit").await.status(), 200);
    let b3 = password_step(&app, "auditor@dh.test").await;
    let res = b3.post_form("/staff/login/code", &[("code", &codes[3])]).await;
    assert_eq!(res.status(), 422, "but only once");
    assert_eq!(b3.get("/staff").await.status(), 303);
    let res = b3.post_form("/staff/login/code", &[("code", &codes[4])]).await;
    assert_eq!(res.status(), 303);
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM staff_recovery_codes WHERE used_at IS NOT NULL")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(used, 2);
    app.shutdown().await;
}

#[tokio::test]
async fn required_roles_enrol_others_may_from_their_account() {
    let app = spawn_app().await;
    // Admin, auditor and data steward must enrol before anything else.
    for (email, role) in [("a@dh.test", Role::Admin), ("b@dh.test", Role::Auditor), ("c@dh.test", Role::DataSteward)] {
        app.staff_user(email, &[role], STAFF_PASSWORD).await;
        let b = password_step(&app, email).await;
        let html = b.get("/staff/login/code").await.text().await.unwrap();
        assert!(secret_on_page(&html).is_some(), "{role:?} is shown the enrolment");
        assert!(html.contains("Your role needs two-step sign-in"));
        assert_eq!(b.get("/staff").await.status(), 303, "{role:?} has no session yet");
    }
    // Other staff sign in with their password alone...
    let id = app.staff_user("clinic@dh.test", &[Role::ClinicStaff], STAFF_PASSWORD).await;
    let b = app.browser();
    let res = b.post_form("/staff/login", &[("email", "clinic@dh.test"), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.headers()["location"], "/staff");
    // ...and may enrol from their account page.
    let html = b.get("/staff/account/mfa").await.text().await.unwrap();
    let secret = rules::base32_decode(&secret_on_page(&html).expect("key shown")).unwrap();
    let res = b.post_form("/staff/account/mfa", &[("code", &wrong_code(&secret))]).await;
    assert_eq!(res.status(), 422);
    let res = b.post_form("/staff/account/mfa", &[("code", &rules::code_at(&secret, now_step()))]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(recovery_codes(&res.text().await.unwrap()).len(), 10);
    assert!(b.get("/staff/account/mfa").await.text().await.unwrap().contains("Recovery codes left: 10"));
    // Once enrolled, their sign-in asks for the code too.
    password_step(&app, "clinic@dh.test").await;
    // A member of staff given a role that requires it, without a second factor, is signed out.
    let other = app.staff_user("epi@dh.test", &[Role::Epidemiologist], STAFF_PASSWORD).await;
    let epi = app.signed_in("epi@dh.test").await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let res = admin.post_form(&format!("/staff/users/{other}/roles"), &[("role", "data_steward")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(epi.get("/staff").await.status(), 303, "signed out until enrolled");
    password_step(&app, "epi@dh.test").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM staff_totp WHERE staff_id = $1 AND confirmed_at IS NOT NULL", &id).await,
        1
    );
    app.shutdown().await;
}

#[tokio::test]
async fn code_attempts_are_limited() {
    let app = spawn_app().await;
    app.staff_user("admin@dh.test", &[Role::Admin], STAFF_PASSWORD).await;
    let b = password_step(&app, "admin@dh.test").await;
    let html = b.get("/staff/login/code").await.text().await.unwrap();
    let secret = rules::base32_decode(&secret_on_page(&html).unwrap()).unwrap();
    let wrong = wrong_code(&secret);
    for i in 0..10 {
        let res = b.post_form("/staff/login/code", &[("code", &wrong)]).await;
        assert_eq!(res.status(), 422, "attempt {i}");
    }
    let res = b.post_form("/staff/login/code", &[("code", &rules::code_at(&secret, now_step()))]).await;
    assert_eq!(res.status(), 429, "even the right code waits");
    assert!(res.text().await.unwrap().contains("Too many codes tried"));
    assert_eq!(b.get("/staff").await.status(), 303);
    app.shutdown().await;
}

#[tokio::test]
async fn an_administrator_resets_two_step_sign_in() {
    let app = spawn_app().await;
    let id = app.staff_user("steward@dh.test", &[Role::DataSteward], STAFF_PASSWORD).await;
    let steward = app.signed_in("steward@dh.test").await;
    let admin = app.staff_browser(&[Role::Admin]).await;
    let page = admin.get(&format!("/staff/users/{id}")).await.text().await.unwrap();
    assert!(page.contains("Two-step sign-in is on."));
    // Not for other roles.
    let auditor = app.staff_browser(&[Role::Auditor]).await;
    assert_eq!(auditor.post_form(&format!("/staff/users/{id}/mfa-reset"), &[]).await.status(), 403);
    let res = admin.post_form(&format!("/staff/users/{id}/mfa-reset"), &[]).await;
    assert_eq!(res.status(), 303);
    let page = admin.get(res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(page.contains("Two-step sign-in has been reset") && page.contains("Two-step sign-in is not set up."));
    assert_eq!(steward.get("/staff").await.status(), 303, "their sessions ended");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1", &id).await, 0);
    let b = password_step(&app, "steward@dh.test").await;
    let html = b.get("/staff/login/code").await.text().await.unwrap();
    assert!(secret_on_page(&html).is_some(), "enrols again");
    assert_eq!(audited(&app, "staff.mfa_reset", &id).await, 1);
    app.shutdown().await;
}
