//! Licence certificates over HTTP, on both engines: the certificate page and PDF (who may see
//! them, audit), the token in the page verifying through the API and the verify page, every
//! answer (valid, expired, suspended, revoked, forged), key rotation and the published keys,
//! the `phos regulatory keys` command, and verification while the database is unreachable.

use kernel::identity::Role;
use regulatory::certificates::{service, token};
use serde_json::Value;

use crate::harness::{TestApp, spawn_app};

/// A licence with its premises and a licensee that `account` acts for: its number.
async fn licence(app: &TestApp, account: Option<&str>, status: &str, expires_on: &str) -> String {
    let db = &app.state.db;
    let now = kernel::now_ms();
    let premises = regulatory::premises::Premises {
        id: kernel::new_id(),
        name_en: "Harbour View Pharmacy".into(),
        name_zh: "海景藥房".into(),
        address_en: "G/F, 12 Nathan Road, Tsim Sha Tsui".into(),
        address_zh: "尖沙咀彌敦道12號地下".into(),
        district: "YTM".into(),
        lat: 22.3,
        lon: 114.17,
        volume: 3,
        created_at: now,
    };
    let licensee = regulatory::premises::Licensee {
        id: kernel::new_id(),
        kind: "company".into(),
        name_en: "Harbour View Ltd".into(),
        name_zh: "海景有限公司".into(),
        br_number: Some("12345678".into()),
        account: account.map(str::to_string),
        created_at: now,
    };
    let number = format!("RP-2026-{}", &kernel::new_id().replace('-', "")[26..32].to_uppercase());
    let l = regulatory::licences::Licence {
        id: kernel::new_id(),
        number: number.clone(),
        type_code: "pharmacy_retail".into(),
        premises_id: premises.id.clone(),
        licensee_id: licensee.id.clone(),
        responsible_register: None,
        responsible_number: None,
        status: status.into(),
        provisional: 0,
        conditions: r#"[{"en":"A registered pharmacist is present whenever poisons are sold.","zh":"出售毒藥時須有註冊藥劑師在場。"}]"#
            .into(),
        issued_on: "2026-01-15".into(),
        expires_on: expires_on.into(),
        case_ref: "REG-2026-TESTCASE".into(),
        revision: 1,
        updated_at: now,
    };
    let mut tx = db.begin().await.unwrap();
    regulatory::premises::store::insert(&mut tx, &premises).await.unwrap();
    regulatory::premises::store::insert_licensee(&mut tx, &licensee).await.unwrap();
    regulatory::licences::store::insert(&mut tx, &l).await.unwrap();
    tx.commit().await.unwrap();
    number
}

async fn set_licence(app: &TestApp, number: &str, column: &str, value: &str) {
    let sql = format!("UPDATE reg_licences SET {column} = $1 WHERE number = $2");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(value).bind(number).execute(app.state.db.pool()).await.unwrap();
}

/// The token printed on a certificate page.
fn token_on(html: &str) -> String {
    let start = html.find("id=\"cert-token\">").expect("a token on the page") + "id=\"cert-token\">".len();
    html[start..].split('<').next().unwrap().to_string()
}

async fn verify(app: &TestApp, token: &str) -> (u16, Value) {
    let res = app
        .client
        .get(format!("{}/api/v1/regulatory/verify", app.url))
        .query(&[("token", token)])
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(app.state.db.pool()).await.unwrap()
}

/// Flips one bit of the token's bytes.
fn flip(t: &str, byte: usize) -> String {
    let mut b = token::bytes_of(t).unwrap();
    b[byte] ^= 0x04;
    token::from_bytes(&b)
}

#[tokio::test]
async fn certificate_token_verifies_with_every_answer() {
    let app = spawn_app().await;
    let number = licence(&app, None, "active", "2099-12-31").await;
    let staff = app.staff_browser(&[Role::LicensingOfficer]).await;
    let res = staff.get(&format!("/licences/{number}/certificate")).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(&number) && html.contains("Harbour View Pharmacy") && html.contains("海景藥房"));
    assert!(html.contains("A registered pharmacist is present") && html.contains("出售毒藥時須有註冊藥劑師在場"));
    assert!(html.contains("<svg"), "the QR code");
    let t = token_on(&html);
    assert!(t.len() < 300, "short enough for a QR code: {}", t.len());
    assert!(html.contains(&format!("/verify?token={t}")));

    let (status, v) = verify(&app, &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"], "valid", "{v}");
    assert_eq!(v["status_checked"], true);
    assert_eq!(v["licence"]["number"], number.as_str());
    assert_eq!(v["licence"]["type_code"], "pharmacy_retail");
    assert_eq!(v["licence"]["premises_name"]["zh"], "海景藥房");
    assert_eq!(v["licence"]["premises_address"]["en"], "G/F, 12 Nathan Road, Tsim Sha Tsui");
    assert_eq!(v["licence"]["expires_on"], "2099-12-31");
    assert!(v["message"]["zh-Hant-HK"].as_str().unwrap().contains("真確"));
    assert!(v.get("licensee").is_none() && !v.to_string().contains("Harbour View Ltd"), "no licensee details");

    // Statuses from the database.
    for (status, answer) in
        [("suspended", "suspended"), ("revoked", "revoked"), ("surrendered", "revoked"), ("lapsed", "expired")]
    {
        set_licence(&app, &number, "status", status).await;
        let (_, v) = verify(&app, &t).await;
        assert_eq!(v["result"], answer, "{status}: {v}");
        assert_eq!(v["licence"]["status"], status);
    }
    set_licence(&app, &number, "status", "active").await;
    // Expired by the date in the token (a certificate made while the licence ran to 2020).
    set_licence(&app, &number, "expires_on", "2020-06-30").await;
    let old = token_on(&staff.get(&format!("/licences/{number}/certificate")).await.text().await.unwrap());
    set_licence(&app, &number, "expires_on", "2099-12-31").await;
    let (_, v) = verify(&app, &old).await;
    assert_eq!(v["result"], "expired", "renewed since: the old certificate is expired; {v}");
    assert_eq!(v["licence"]["current_expires_on"], "2099-12-31");

    // Forgeries: altered bytes, a broken token, a genuine signature on a licence that does not exist.
    let (status, v) = verify(&app, &flip(&t, 20)).await;
    assert_eq!((status, v["result"].as_str()), (200, Some("forged")), "{v}");
    assert_eq!(v["reason"], "bad_signature");
    assert!(v.get("licence").is_none());
    let (_, v) = verify(&app, &flip(&t, 2)).await;
    assert_eq!((v["result"].as_str(), v["reason"].as_str()), (Some("forged"), Some("unknown_key")));
    let (_, v) = verify(&app, "hello%20world").await;
    assert_eq!((v["result"].as_str(), v["reason"].as_str()), (Some("forged"), Some("malformed")));
    assert!(v["message"]["en"].as_str().unwrap().contains("not a certificate code"));
    assert!(v["message"]["zh-Hant-HK"].as_str().unwrap().contains("並非證明書代碼"));
    let key = service::signing_key(&app.state.db).await.unwrap();
    let ghost = token::Statement {
        number: "RP-2026-NOSUCH".into(),
        type_code: "pharmacy_retail".into(),
        premises_id: "x".into(),
        issued_on: "2026-01-01".parse().unwrap(),
        expires_on: "2099-01-01".parse().unwrap(),
        issued_at: 1_800_000_000,
    };
    let (_, v) = verify(&app, &token::sign(&ghost, &key).unwrap()).await;
    assert_eq!((v["result"].as_str(), v["reason"].as_str()), (Some("forged"), Some("unknown_licence")), "{v}");

    // No token: a bilingual problem.
    let res = app.get("/api/v1/regulatory/verify").await;
    assert_eq!(res.status(), 422);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["errors"][0]["field"], "token");
    assert_eq!(p["errors"][0]["message"]["zh-Hant-HK"], "請輸入證明書代碼");

    // The public page, in both languages, without JavaScript.
    let page = app.get(&format!("/verify?token={t}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Valid certificate") && html.contains("Harbour View Pharmacy"), "{html}");
    let zh = app
        .client
        .get(format!("{}/verify?token={t}", app.url))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("證明書有效") && zh.contains("海景藥房"), "{zh}");
    let bad = app.get(&format!("/verify?token={}", flip(&t, 20))).await.text().await.unwrap();
    assert!(bad.contains("Not a genuine certificate"));
    let empty = app.get("/verify?token=").await;
    assert_eq!(empty.status(), 422);
    let html = empty.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("Enter the certificate code"));
    let form = app.get("/verify").await.text().await.unwrap();
    assert!(form.contains("<form method=\"get\" action=\"/verify\"") && !form.contains("error-summary"));
    app.shutdown().await;
}

#[tokio::test]
async fn certificates_for_regulatory_staff_and_the_licensee_only() {
    let app = spawn_app().await;
    let (citizen, session, _) = crate::clinics::citizen(&app, "owner@example.test", "1980-01-01").await;
    let number = licence(&app, Some(&citizen), "active", "2099-12-31").await;
    let path = format!("/licences/{number}/certificate");

    assert_eq!(app.get(&path).await.status(), 404, "anonymous");
    assert_eq!(app.get(&format!("{path}.pdf")).await.status(), 404, "anonymous PDF");
    let owner = app.browser_with_session(&session);
    let res = owner.get(&path).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(&number));
    let (_, other, _) = crate::clinics::citizen(&app, "other@example.test", "1980-01-01").await;
    assert_eq!(app.browser_with_session(&other).get(&path).await.status(), 404, "another citizen");
    let clinic = app.staff_browser(&[Role::ClinicStaff]).await;
    assert_eq!(clinic.get(&path).await.status(), 404, "staff outside regulation");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'regulatory.certificate.view'").await, 0);

    let inspector = app.staff_browser(&[Role::Inspector]).await;
    assert_eq!(inspector.get(&path).await.status(), 200);
    let pdf = inspector.get(&format!("{path}.pdf")).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains(&format!("({number})")), "the licence number in the PDF");
    // The token printed in the PDF verifies (Courier lines of 54 characters).
    let token: String = text
        .match_indices("/F3 ")
        .filter(|(i, _)| text[*i..].split_whitespace().nth(2) == Some("Tf"))
        .map(|(i, _)| {
            let rest = &text[i..];
            let a = rest.find('(').unwrap() + 1;
            rest[a..a + rest[a..].find(')').unwrap()].to_string()
        })
        .collect();
    let (_, v) = verify(&app, &token).await;
    assert_eq!(v["result"], "valid", "PDF token {token}: {v}");
    let audited: Vec<(String, String)> = sqlx::query_as(
        "SELECT actor_type, detail FROM audit_log WHERE action = 'regulatory.certificate.view' ORDER BY seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, [("staff".to_string(), "html".to_string()), ("staff".to_string(), "pdf".to_string())]);
    assert_eq!(app.get("/licences/RP-2026-NOSUCH/certificate").await.status(), 404);
    app.shutdown().await;
}

#[tokio::test]
async fn rotation_keeps_old_certificates_valid_until_the_key_is_removed() {
    let app = spawn_app().await;
    let number = licence(&app, None, "active", "2099-12-31").await;
    let staff = app.staff_browser(&[Role::LicensingManager]).await;
    let cert = |staff: &crate::harness::Browser| {
        let path = format!("/licences/{number}/certificate");
        let b = staff.client.clone();
        let url = format!("{}{path}", staff.base);
        async move { token_on(&b.get(url).send().await.unwrap().text().await.unwrap()) }
    };
    let first = cert(&staff).await;
    let jwks: Value = app.get("/.well-known/phos-certificate-keys.json").await.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "first key made on first use: {jwks}");
    assert_eq!(
        (keys[0]["kty"].as_str(), keys[0]["crv"].as_str(), keys[0]["use"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("sig"))
    );
    let old_kid = keys[0]["kid"].as_str().unwrap().to_string();
    // The published x is the key that verifies the token, offline.
    let x = token::from_jwk_x(keys[0]["x"].as_str().unwrap()).unwrap();
    let offline =
        token::verify(&first, &[token::PublicKey { kid: old_kid.clone(), key: x }], kernel::hk::today()).unwrap();
    assert_eq!(offline.claims.statement.number, number);

    // The private key is stored wrapped, not as the seed.
    let stored: String = sqlx::query_scalar("SELECT private_key FROM reg_cert_keys WHERE kid = $1")
        .bind(&old_kid)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let key = service::signing_key(&app.state.db).await.unwrap();
    let seed: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(stored.len(), 64);
    assert_ne!(stored, seed);

    // Rotate from the command line, as an operator would.
    let out = phos_cli(&app, &["regulatory", "keys", "rotate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let new_kid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_ne!(new_kid, old_kid);
    let second = cert(&staff).await;
    assert_eq!(token::decode(&second).unwrap().0.kid, new_kid, "the new key signs");
    assert_eq!(verify(&app, &second).await.1["result"], "valid", "a kid this process had not seen yet");
    assert_eq!(verify(&app, &first).await.1["result"], "valid", "the old key is still published");
    let jwks: Value = app.get("/.well-known/phos-certificate-keys.json").await.json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert_eq!(kids, [new_kid.as_str(), old_kid.as_str()], "newest first");
    let list = phos_cli(&app, &["regulatory", "keys", "list", "--json"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["signing"], true);
    assert_eq!(list[1]["signing"], false);

    // The signing key cannot be removed; the old one can, and then its certificates are forged.
    let refused = phos_cli(&app, &["regulatory", "keys", "remove", "--kid", &new_kid]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("still signs"));
    let removed = phos_cli(&app, &["regulatory", "keys", "remove", "--kid", &old_kid]);
    assert!(removed.status.success(), "{}", String::from_utf8_lossy(&removed.stderr));
    service::forget_cached_keys(&app.state);
    let (_, v) = verify(&app, &first).await;
    assert_eq!((v["result"].as_str(), v["reason"].as_str()), (Some("forged"), Some("unknown_key")));
    assert_eq!(verify(&app, &second).await.1["result"], "valid");
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'regulatory.certificate_key.%' ORDER BY seq",
    )
    .fetch_all(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["regulatory.certificate_key.create", "regulatory.certificate_key.rotate", "regulatory.certificate_key.remove"]
    );
    app.shutdown().await;
}

fn phos_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    c.arg("--database-url").arg(&app.db.url).arg("--data-dir").arg(&app.db.dir).args(args).output().unwrap()
}

#[tokio::test]
async fn verification_works_from_the_token_when_the_database_is_down() {
    let app = spawn_app().await;
    let number = licence(&app, None, "active", "2099-12-31").await;
    let staff = app.staff_browser(&[Role::LicensingOfficer]).await;
    let t = token_on(&staff.get(&format!("/licences/{number}/certificate")).await.text().await.unwrap());
    assert_eq!(verify(&app, &t).await.1["status_checked"], true, "keys now cached");
    set_licence(&app, &number, "status", "revoked").await;

    // The database goes away (every connection of the app's pool closes).
    app.state.db.pool().close().await;
    let (status, v) = verify(&app, &t).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"], "valid", "the signature and dates alone: {v}");
    assert_eq!(v["status_checked"], false);
    assert_eq!(v["licence"]["number"], number.as_str());
    assert_eq!(
        v["licence"]["type_name"]["en"], "Authorized seller of poisons (retail pharmacy)",
        "built-in type names"
    );
    assert!(v["licence"]["premises_name"].is_null());
    assert!(v["licence"]["status"].is_null());
    let (_, v) = verify(&app, &flip(&t, 20)).await;
    assert_eq!((v["result"].as_str(), v["reason"].as_str()), (Some("forged"), Some("bad_signature")));
    let html = app.get(&format!("/verify?token={t}")).await.text().await.unwrap();
    assert!(html.contains("id=\"cert-unchecked\"") && html.contains("could not reach the licence records"), "{html}");
    let jwks = app.get("/.well-known/phos-certificate-keys.json").await;
    assert_eq!(jwks.status(), 200, "keys served from the cache");
    // No clean shutdown: the job worker cannot reach the closed pool either.
    drop(app);
}

#[tokio::test]
async fn without_cached_keys_and_database_the_answer_is_unavailable() {
    let app = spawn_app().await;
    app.state.db.pool().close().await;
    let res = app.get("/api/v1/regulatory/verify?token=AQAAAA").await;
    assert_eq!(res.status(), 503);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    drop(app);
}
