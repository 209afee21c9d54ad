//! The outbox: written with the change that causes it, delivered by a job through the log
//! provider or SMTP (a real local SMTP sink), with retries and permanent failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use kernel::config::NotifyProvider;
use kernel::i18n::Locale;
use kernel::notify::{Channel, Message};
use sqlx::Row;

use crate::harness::{TestApp, eventually, spawn_app_with};

/// A real SMTP server (Python aiosmtpd) that stores every message in a Maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl SmtpSink {
    fn start(dir: &Path) -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = dir.join("maildir");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd is installed (scripts/setup installs it)");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpSink { child, port, dir };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("SMTP sink did not start");
    }

    fn messages(&self) -> Vec<String> {
        let new = self.dir.join("new");
        let Ok(entries) = std::fs::read_dir(new) else {
            return vec![];
        };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn queue(app: &TestApp, to: &str, locale: Locale, commit: bool) -> String {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = kernel::notify::enqueue(
        &mut tx,
        &Message {
            channel: Channel::Email,
            recipient: to,
            locale,
            template: "test",
            values: &[("name", "陳大文 Chan Tai Man"), ("base_url", "http://phos.test")],
        },
    )
    .await
    .unwrap();
    if commit {
        tx.commit().await.unwrap();
        app.state.wake_worker();
    } else {
        tx.rollback().await.unwrap();
    }
    id
}

async fn status(app: &TestApp, id: &str) -> Option<(String, i64, Option<String>)> {
    let r = sqlx::query("SELECT status, attempts, last_error FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(app.state.db.pool())
        .await
        .unwrap()?;
    Some((r.get("status"), r.get("attempts"), r.get("last_error")))
}

#[tokio::test]
async fn a_rolled_back_change_sends_nothing() {
    let app = spawn_app_with(|_| {}, None).await;
    let id = queue(&app, "someone@example.com", Locale::En, false).await;
    assert!(status(&app, &id).await.is_none());
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(app.state.db.pool()).await.unwrap();
    assert_eq!(queued, 0, "nothing to deliver without the change");
    // The worker has had time to look: nothing was sent.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!app.db.dir.join("outbox.log").exists(), "nothing delivered");
    app.shutdown().await;
}

#[tokio::test]
async fn log_provider_delivers_to_file_and_outbox_page() {
    let app = spawn_app_with(|_| {}, None).await;
    let id = queue(&app, "chan.taiman@example.com", Locale::ZhHant, true).await;
    let delivered = eventually(10, || async { status(&app, &id).await.filter(|s| s.0 == "delivered") }).await;
    assert!(delivered.is_some(), "delivered: {:?}", status(&app, &id).await);
    let log = std::fs::read_to_string(app.db.dir.join("outbox.log")).unwrap();
    assert!(log.contains(&id) && log.contains("PHOS 測試訊息"), "{log}");
    // The staff outbox page lists it with the recipient masked.
    assert_eq!(app.get("/staff/outbox").await.status(), 303, "staff only: anonymous visitors are sent to sign in");
    let admin = app.staff_browser(&[kernel::identity::Role::Admin]).await;
    let page = admin.get("/staff/outbox").await.text().await.unwrap();
    assert!(page.contains("ch***@example.com"), "masked recipient shown");
    assert!(!page.contains("chan.taiman@example.com"), "full address not shown");
    assert!(page.contains("Delivered"));
    // Metrics show the outbox depth.
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("phos_outbox_messages{status=\"delivered\"} 1"), "{metrics}");
    app.shutdown().await;
}

#[tokio::test]
async fn smtp_delivers_to_a_real_server_in_the_persons_language() {
    let dir = std::env::temp_dir().join(format!("phos-smtp-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let sink = SmtpSink::start(&dir);
    let port = sink.port;
    let app = spawn_app_with(
        |c| {
            c.notify_provider = NotifyProvider::Smtp;
            c.smtp_url = format!("smtp://127.0.0.1:{port}");
        },
        None,
    )
    .await;
    let en = queue(&app, "en.person@example.com", Locale::En, true).await;
    let zh = queue(&app, "zh.person@example.com", Locale::ZhHant, true).await;
    for id in [&en, &zh] {
        let ok = eventually(15, || async { status(&app, id).await.filter(|s| s.0 == "delivered") }).await;
        assert!(ok.is_some(), "{id}: {:?}", status(&app, id).await);
    }
    let mails = sink.messages();
    assert_eq!(mails.len(), 2, "the sink received both");
    let en_mail = mails.iter().find(|m| m.contains("en.person@example.com")).unwrap();
    assert!(en_mail.contains("Subject: PHOS test message"), "{en_mail}");
    let zh_mail = mails.iter().find(|m| m.contains("zh.person@example.com")).unwrap();
    // "PHOS 測試訊息", the Chinese words as an RFC 2047 encoded word.
    assert!(zh_mail.contains("Subject: PHOS =?utf-8?b?5ris6Kmm6KiK5oGv?="), "{zh_mail}");
    app.shutdown().await;
    drop(sink);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unreachable_smtp_server_retries_then_fails_permanently() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = spawn_app_with(
        |c| {
            c.notify_provider = NotifyProvider::Smtp;
            c.smtp_url = format!("smtp://127.0.0.1:{closed}");
        },
        None,
    )
    .await;
    let id = queue(&app, "x@example.com", Locale::En, true).await;
    let temp = eventually(10, || async { status(&app, &id).await.filter(|s| s.0 == "temporary_failure") }).await;
    assert!(temp.is_some(), "first failure is temporary: {:?}", status(&app, &id).await);
    // Six attempts (notify::MAX_ATTEMPTS); with the tests' 50 ms back-off they pass quickly.
    let failed = eventually(30, || async { status(&app, &id).await.filter(|s| s.0 == "permanent_failure") }).await;
    let (_, attempts, error) = failed.expect("gives up in the end");
    assert_eq!(attempts, 6);
    assert!(error.is_some());
    app.shutdown().await;
}
