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
