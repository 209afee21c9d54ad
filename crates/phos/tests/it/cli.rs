//! The binary: bad start-up conditions give a clear message and a non-zero exit.

use std::process::Command;

fn phos() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn unreachable_database_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("phos-cli-{}", uuid::Uuid::now_v7().simple()));
    let out = phos()
        .args(["migrate", "--database-url", "postgres://nobody:secret@127.0.0.1:1/none", "--data-dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot connect to the database"), "{err}");
    assert!(!err.contains("secret"), "password leaked: {err}");
    let out = phos().args(["migrate", "--database-url", "mysql://x/y"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn busy_port_is_a_clear_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = holder.local_addr().unwrap().to_string();
    let dir = std::env::temp_dir().join(format!("phos-cli-{}", uuid::Uuid::now_v7().simple()));
    let out = phos().args(["serve", "--listen", &addr, "--data-dir"]).arg(&dir).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already in use"), "{err}");
    assert!(!dir.join("phos.db").exists(), "nothing written when the port is busy");
}

#[test]
fn config_prints_effective_settings_with_secrets_masked() {
    let out = phos()
        .args(["config", "--database-url", "postgres://phos:hunter2@db.internal/phos"])
        .env("PHOS_LISTEN", "0.0.0.0:9000")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("postgres://phos:****@db.internal/phos"), "{text}");
    assert!(!text.contains("hunter2"));
    assert!(text.contains("0.0.0.0:9000"), "environment variables are read: {text}");
    // Defaults: SQLite in ./phos-data, loopback:8080.
    let out = phos().arg("config").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("sqlite://./phos-data/phos.db") && text.contains("127.0.0.1:8080"), "{text}");
}

#[test]
fn synthetic_citizens_csv() {
    let out = phos().args(["synth", "citizens", "--count", "1000", "--seed", "3"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<_> = text.lines().collect();
    assert_eq!(lines.len(), 1001);
    assert!(lines[0].starts_with("id,name_en,name_zh"));
    let again = phos().args(["synth", "citizens", "--count", "1000", "--seed", "3"]).output().unwrap();
    assert_eq!(text, String::from_utf8(again.stdout).unwrap(), "deterministic by seed");
}

#[test]
fn ballot_verify_command() {
    use kernel::audit::{Actor, Origin};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("phos-ballot-{}", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}/phos.db", dir.display());
    let id = rt.block_on(async {
        let config = kernel::Config { data_dir: dir.clone(), database_url: Some(url.clone()), ..kernel::Config::default() };
        let db = phos::connect_and_migrate(&config).await.unwrap();
        let state = phos::state(config, db.clone()).await.unwrap();
        phos::demo::seed(&state, 3, 30).await.unwrap();
        let slot: String = sqlx::query_scalar("SELECT id FROM clinic_slots WHERE service = 'dental_gp' AND status = 'open' ORDER BY starts_at DESC LIMIT 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let now = kernel::now_ms();
        let id = clinics::ballot::service::create(&db, &slot, 5, now - 10_000, now + 60_000, &Actor::System, &Origin::system()).await.unwrap();
        let people: Vec<String> = sqlx::query_scalar("SELECT id FROM citizens LIMIT 12").fetch_all(db.pool()).await.unwrap();
        for p in &people {
            clinics::ballot::service::register(&db, &id, p, &Actor::Citizen(p.clone()), &Origin::system()).await.unwrap();
        }
        sqlx::query("UPDATE clinic_ballots SET closes_at = $1").bind(now - 1).execute(db.pool()).await.unwrap();
        clinics::ballot::service::draw(&db, &id, &Actor::System, &Origin::system()).await.unwrap();
        db.close().await;
        id
    });
    let run = || phos().args(["clinics", "ballot", "verify", "--draw", &id, "--database-url", &url]).output().unwrap();
    let ok = run();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("verified"));
    rt.block_on(async {
        let db = kernel::Db::connect(&url).await.unwrap();
        sqlx::query("UPDATE clinic_ballots SET winners = winners + 1").execute(db.pool()).await.unwrap();
        db.close().await;
    });
    let bad = run();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("does NOT verify"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `phos user totp KEY` prints the key's current code (the demo's two-step sign-in helper).
#[test]
fn user_totp_prints_the_current_code() {
    use kernel::identity::staff::mfa::rules;
    let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // RFC 6238's "12345678901234567890"
    let before = rules::step_of(kernel::now_ms() / 1000);
    let out = phos().args(["user", "totp", key]).output().unwrap();
    let after = rules::step_of(kernel::now_ms() / 1000);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let code = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let secret = rules::base32_decode(key).unwrap();
    assert!((before..=after).any(|s| rules::code_at(&secret, s) == code), "{code}");
    let out = phos().args(["user", "totp", "not base32!"]).output().unwrap();
    assert!(!out.status.success());
}

/// `phos partner add` registers a client and prints its id and secret once, as JSON; with
/// `--approve` the secret works at once for the scopes asked; bad input is refused with a
/// clear message and writes nothing.
#[tokio::test]
async fn partner_add_prints_a_working_client() {
    let dir = std::env::temp_dir().join(format!("phos-cli-{}", uuid::Uuid::now_v7().simple()));
    let add = |extra: &[&str]| {
        let mut c = phos();
        c.args(["partner", "add", "--org", "Harbour Lab", "--email", "lab@example.org", "--name", "ingest"])
            .args(extra)
            .arg("--data-dir")
            .arg(&dir);
        c.output().unwrap()
    };
    let out = add(&["--scopes", "sandbox:read,notifications:write", "--approve"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "approved");
    let (id, secret) = (v["client_id"].as_str().unwrap(), v["client_secret"].as_str().unwrap());
    assert!(!id.is_empty() && secret.len() >= 20, "{v}");
    let db = kernel::Db::connect(&format!("sqlite://{}", dir.join("phos.db").display())).await.unwrap();
    let issued = kernel::identity::partner::issue_token(&db, id, secret, Some("sandbox:read")).await.unwrap();
    assert!(issued.is_ok(), "the printed secret works");
    assert!(kernel::identity::partner::issue_token(&db, id, "wrong", None).await.unwrap().is_err());
    // Pending unless approved: no token yet.
    let out = add(&["--scopes", "sandbox:read"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["status"], "pending");
    let pending = kernel::identity::partner::issue_token(
        &db,
        v["client_id"].as_str().unwrap(),
        v["client_secret"].as_str().unwrap(),
        None,
    )
    .await
    .unwrap();
    assert!(pending.is_err(), "a pending client gets no token");
    let before = kernel::identity::partner::clients(&db).await.unwrap().len();
    let out = add(&["--scopes", "everything"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scopes must be one or more of"));
    assert_eq!(kernel::identity::partner::clients(&db).await.unwrap().len(), before, "nothing written");
}
