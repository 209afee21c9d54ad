//! The notification outbox. A message is written in the same transaction as the change that
//! causes it, together with the job that delivers it. Providers: SMTP (lettre) for e-mail and a
//! `log` provider (a file in the data directory; the staff outbox page reads the table).
//!
//! Templates live in the i18n catalogues as `notify-<id>-subject` and `notify-<id>-body`, in
//! English and Traditional Chinese, with `((placeholder))` fields.

use std::io::Write;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde::Serialize;
use serde_json::json;

use crate::config::{Config, NotifyProvider};
use crate::db::Tx;
use crate::i18n::Locale;

pub mod pages;
pub mod store;

pub use store::{OutboxEntry, depth, recent};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotifyError {
    #[error("template {template} has no placeholder value for (({name}))")]
    MissingPlaceholder { template: String, name: String },
    #[error("unknown template {0}")]
    UnknownTemplate(String),
    #[error("invalid recipient for {channel}: {recipient}")]
    InvalidRecipient { channel: &'static str, recipient: String },
}

/// Replaces every `((name))` in `text` with its value. A placeholder without a value is an error,
/// so that no half-filled message is ever sent.
pub fn render(template: &str, text: &str, values: &[(&str, &str)]) -> Result<String, NotifyError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("((") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("))") else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = after[..end].trim();
        let value = values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| NotifyError::MissingPlaceholder { template: template.into(), name: name.into() })?;
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A message to send.
pub struct Message<'a> {
    pub channel: Channel,
    pub recipient: &'a str,
    pub locale: Locale,
    pub template: &'a str,
    pub values: &'a [(&'a str, &'a str)],
}

/// Subject and body of `template` in `locale`, filled in.
pub fn compose(template: &str, locale: Locale, values: &[(&str, &str)]) -> Result<(String, String), NotifyError> {
    let subject_key = format!("notify-{template}-subject");
    let body_key = format!("notify-{template}-body");
    let subject = locale.t(&subject_key);
    let body = locale.t(&body_key);
    if subject == subject_key || body == body_key {
        return Err(NotifyError::UnknownTemplate(template.into()));
    }
    Ok((render(template, &subject, values)?, render(template, &body, values)?))
}

fn valid_recipient(channel: Channel, r: &str) -> bool {
    match channel {
        Channel::Email => {
            let mut parts = r.split('@');
            matches!((parts.next(), parts.next(), parts.next()), (Some(l), Some(d), None) if !l.is_empty() && d.contains('.') && !r.contains(char::is_whitespace))
        }
        Channel::Sms => {
            let digits: String = r.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
            let local = digits.strip_prefix("+852").unwrap_or(&digits);
            local.len() == 8 && local.chars().all(|c| c.is_ascii_digit())
        }
    }
}

/// Quiet hours, Hong Kong time: non-urgent messages queued from 22:00 to 08:00 wait until 08:00.
pub const QUIET_FROM_HOUR: u32 = 22;
pub const QUIET_UNTIL_HOUR: u32 = 8;

/// When a non-urgent message queued at `now` may be delivered: `now`, or 08:00 Hong Kong time
/// when `now` falls in the quiet hours (22:00–08:00).
pub fn after_quiet_hours(now: i64) -> i64 {
    use chrono::{Duration, TimeZone, Timelike};
    let Some(t) = chrono::DateTime::from_timestamp_millis(now) else { return now };
    let local = t.with_timezone(&crate::hk::tz());
    let hour = local.hour();
    if (QUIET_UNTIL_HOUR..QUIET_FROM_HOUR).contains(&hour) {
        return now;
    }
    let day = if hour >= QUIET_FROM_HOUR { local.date_naive() + Duration::days(1) } else { local.date_naive() };
    let eight = day.and_hms_opt(QUIET_UNTIL_HOUR, 0, 0).expect("a valid time");
    crate::hk::tz().from_local_datetime(&eight).single().map(|d| d.timestamp_millis()).unwrap_or(now)
}

/// Writes the message in `tx` (the transaction of the change that causes it); the worker
/// delivers it after the commit. Returns the message id. For messages the person is waiting
/// for (a confirmation of what they just did) or that cannot wait (a closure cancelling today's
/// appointments, an alarm); others go through [`enqueue_polite`].
pub async fn enqueue(tx: &mut Tx, msg: &Message<'_>) -> Result<String, anyhow::Error> {
    let mut ids = enqueue_many(tx, std::slice::from_ref(msg)).await?;
    Ok(ids.remove(0))
}

/// Like [`enqueue`], for a non-urgent message (a reminder, a ballot result, a warning): held
/// until the quiet hours (22:00–08:00 Hong Kong time) end.
pub async fn enqueue_polite(tx: &mut Tx, msg: &Message<'_>) -> Result<String, anyhow::Error> {
    let now = crate::now_ms();
    let mut ids = enqueue_at(tx, std::slice::from_ref(msg), now, after_quiet_hours(now)).await?;
    Ok(ids.remove(0))
}

/// Writes several messages in `tx` with multi-row inserts; returns their ids in order. Every
/// message is checked and rendered first, so one bad message writes none.
pub async fn enqueue_many(tx: &mut Tx, msgs: &[Message<'_>]) -> Result<Vec<String>, anyhow::Error> {
    let now = crate::now_ms();
    enqueue_at(tx, msgs, now, now).await
}

/// Like [`enqueue_many`], for non-urgent messages: held until the quiet hours end.
pub async fn enqueue_many_polite(tx: &mut Tx, msgs: &[Message<'_>]) -> Result<Vec<String>, anyhow::Error> {
    let now = crate::now_ms();
    enqueue_at(tx, msgs, now, after_quiet_hours(now)).await
}

async fn enqueue_at(tx: &mut Tx, msgs: &[Message<'_>], now: i64, due: i64) -> Result<Vec<String>, anyhow::Error> {
    let mut rows = Vec::with_capacity(msgs.len());
    for msg in msgs {
        if !valid_recipient(msg.channel, msg.recipient) {
            return Err(
                NotifyError::InvalidRecipient { channel: msg.channel.code(), recipient: msg.recipient.into() }.into()
            );
        }
        let (subject, body) = compose(msg.template, msg.locale, msg.values)?;
        rows.push((crate::new_id(), msg, subject, body));
    }
    store::insert(tx, &rows, now, due).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// User name and password for SMTP.
type SmtpCredentials = Option<(String, String)>;

/// Splits `smtp://[user:password@]host[:port]` (plain SMTP; port 25 by default).
fn parse_smtp_url(url: &str) -> Option<(String, u16, SmtpCredentials)> {
    let rest = url.strip_prefix("smtp://")?.trim_end_matches('/');
    let (creds, hostport) = match rest.rsplit_once('@') {
        Some((c, h)) => {
            let (u, p) = c.split_once(':')?;
            (Some((u.to_string(), p.to_string())), h)
        }
        None => (None, rest),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (hostport, 25),
    };
    (!host.is_empty()).then(|| (host.to_string(), port, creds))
}

/// Delivers messages through the configured provider.
pub struct Notifier {
    log_path: std::path::PathBuf,
    from: Option<Mailbox>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

enum SendError {
    Transient(String),
    Permanent(String),
}

impl Notifier {
    pub fn from_config(config: &Config) -> anyhow::Result<Notifier> {
        let (from, smtp) = match config.notify_provider {
            NotifyProvider::Log => (None, None),
            NotifyProvider::Smtp => {
                let from: Mailbox = config
                    .mail_from
                    .parse()
                    .map_err(|e| anyhow::anyhow!("PHOS_MAIL_FROM is not a valid address: {e}"))?;
                let (host, port, creds) = parse_smtp_url(&config.smtp_url).ok_or_else(|| {
                    anyhow::anyhow!("PHOS_SMTP_URL must look like smtp://[user:password@]host[:port]")
                })?;
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(port)
                    .timeout(Some(std::time::Duration::from_secs(20)));
                if let Some((user, pass)) = creds {
                    builder =
                        builder.credentials(lettre::transport::smtp::authentication::Credentials::new(user, pass));
                }
                let transport = builder.build();
                (Some(from), Some(transport))
            }
        };
        Ok(Notifier { log_path: config.data_dir.join("outbox.log"), from, smtp })
    }

    /// Sends a round of messages: e-mails over SMTP concurrently, log lines in one write.
    async fn send_all(&self, msgs: &[Claimed]) -> Vec<Result<&'static str, SendError>> {
        if self.smtp.is_none() || msgs.iter().all(|m| m.channel != "email") {
            return match self.log_lines(msgs).await {
                Ok(()) => msgs.iter().map(|_| Ok("log")).collect(),
                Err(e) => msgs.iter().map(|_| Err(SendError::Transient(e.clone()))).collect(),
            };
        }
        let mut out = Vec::with_capacity(msgs.len());
        for chunk in msgs.chunks(8) {
            let sends = chunk.iter().map(|m| self.send(&m.channel, &m.recipient, &m.subject, &m.body, &m.id));
            for r in futures_util::future::join_all(sends).await {
                out.push(r);
            }
        }
        out
    }

    /// Appends one JSON line per message to the outbox log (the `log` provider).
    async fn log_lines(&self, msgs: &[Claimed]) -> Result<(), String> {
        let now = crate::now_ms();
        let mut text = String::new();
        for m in msgs {
            let line = json!({
                "at": now, "id": m.id, "channel": m.channel, "to": m.recipient, "subject": m.subject, "body": m.body,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        let path = self.log_path.clone();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
            f.write_all(text.as_bytes())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("outbox log: {e}"))
    }

    async fn send(
        &self,
        channel: &str,
        recipient: &str,
        subject: &str,
        body: &str,
        id: &str,
    ) -> Result<&'static str, SendError> {
        match (&self.smtp, channel) {
            (Some(smtp), "email") => {
                let to: Mailbox = recipient.parse().map_err(|e| SendError::Permanent(format!("bad address: {e}")))?;
                let email = lettre::Message::builder()
                    .from(self.from.clone().expect("from is set with smtp"))
                    .to(to)
                    .subject(subject)
                    .header(ContentType::TEXT_PLAIN)
                    .message_id(Some(format!("<{id}@phos>")))
                    .body(body.to_string())
                    .map_err(|e| SendError::Permanent(format!("cannot build e-mail: {e}")))?;
                match smtp.send(email).await {
                    Ok(_) => Ok("smtp"),
                    Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                    Err(e) => Err(SendError::Transient(e.to_string())),
                }
            }
            _ => {
                let line = json!({
                    "at": crate::now_ms(), "id": id, "channel": channel, "to": recipient,
                    "subject": subject, "body": body,
                });
                let path = self.log_path.clone();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    if let Some(dir) = path.parent() {
                        std::fs::create_dir_all(dir)?;
                    }
                    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path)?;
                    writeln!(f, "{line}")
                })
                .await
                .map_err(|e| SendError::Transient(e.to_string()))?
                .map_err(|e| SendError::Transient(format!("outbox log: {e}")))?;
                Ok("log")
            }
        }
    }
}

/// Attempts per message before it is given up as a permanent failure.
pub const MAX_ATTEMPTS: i64 = 6;
/// Messages claimed and sent per round.
pub const BATCH: i64 = 50;

pub(crate) struct Claimed {
    pub(crate) id: String,
    pub(crate) channel: String,
    pub(crate) recipient: String,
    pub(crate) subject: String,
    pub(crate) body: String,
    pub(crate) attempts: i64,
}

/// The worker round hook's name for outbox delivery.
pub const DISPATCH_HOOK: &str = "notify.dispatch";

/// Registers outbox delivery with the job worker: every round delivers a batch (see
/// [`dispatch`]), so the worker needs to know nothing about notifications.
pub fn register(registry: &mut crate::jobs::Registry) {
    registry.every_round(DISPATCH_HOOK, |ctx: crate::jobs::RoundCtx| async move {
        Ok(dispatch(&ctx.state, ctx.backoff_base, ctx.lease).await?)
    });
}

/// Delivers a round of due messages (queued, due for a retry, or abandoned mid-send by a
/// process that stopped): claims up to [`BATCH`] in one statement (`SKIP LOCKED` on
/// PostgreSQL, so replicas share the work), sends them, and records the outcomes with one
/// statement for all the delivered ones. Returns how many were claimed. Run by the job worker.
pub async fn dispatch(
    state: &crate::AppState,
    backoff_base: std::time::Duration,
    lease: std::time::Duration,
) -> sqlx::Result<usize> {
    let db = &state.db;
    let now = crate::now_ms();
    let claimed = store::claim(db, now, now + lease.as_millis() as i64, BATCH).await?;
    if claimed.is_empty() {
        return Ok(0);
    }
    let results = state.notifier.send_all(&claimed).await;
    let done = crate::now_ms();
    let mut delivered: Vec<(&str, &'static str)> = vec![];
    for (m, result) in claimed.iter().zip(results) {
        let (status, error, next) = match result {
            Ok(provider) => {
                delivered.push((&m.id, provider));
                continue;
            }
            Err(SendError::Permanent(e)) => ("permanent_failure", e, done),
            Err(SendError::Transient(e)) if m.attempts >= MAX_ATTEMPTS => ("permanent_failure", e, done),
            Err(SendError::Transient(e)) => {
                ("temporary_failure", e, done + crate::jobs::backoff(backoff_base, m.attempts).as_millis() as i64)
            }
        };
        tracing::warn!(message = %m.id, attempt = m.attempts, status, error = %error, "notification not delivered");
        store::record_failure(db, &m.id, status, &error, next, done).await?;
        state.metrics.notification(status);
    }
    // The delivered ones, by provider, in as few statements as possible.
    for provider in ["smtp", "log"] {
        let ids: Vec<&str> = delivered.iter().filter(|d| d.1 == provider).map(|d| d.0).collect();
        store::mark_delivered(db, provider, &ids, done).await?;
        for _ in &ids {
            state.metrics.notification("delivered");
        }
    }
    Ok(claimed.len())
}

/// Masks a recipient for display: `ch***@example.com`, `+852 9*** **12`.
pub fn mask_recipient(r: &str) -> String {
    if let Some((local, domain)) = r.split_once('@') {
        let keep: String = local.chars().take(2).collect();
        format!("{keep}***@{domain}")
    } else {
        let digits: Vec<char> = r.chars().filter(|c| c.is_ascii_digit()).collect();
        let n = digits.len();
        if n < 4 {
            return "****".into();
        }
        format!("****{}{}", digits[n - 2], digits[n - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders() {
        let out =
            render("t", "Dear ((name)), your ref is (( ref )).", &[("name", "Chan Tai Man"), ("ref", "B-12")]).unwrap();
        assert_eq!(out, "Dear Chan Tai Man, your ref is B-12.");
        assert_eq!(render("t", "no fields", &[]).unwrap(), "no fields");
        assert_eq!(render("t", "a (( b", &[]).unwrap(), "a (( b");
    }

    #[test]
    fn missing_placeholder_is_an_error() {
        let err = render("welcome", "Hi ((name)) ((x))", &[("name", "A")]).unwrap_err();
        assert_eq!(err, NotifyError::MissingPlaceholder { template: "welcome".into(), name: "x".into() });
    }

    #[test]
    fn composes_in_both_languages() {
        let values = [("name", "陳大文"), ("base_url", "http://x")];
        let (s_en, b_en) = compose("test", Locale::En, &values).unwrap();
        let (s_zh, b_zh) = compose("test", Locale::ZhHant, &values).unwrap();
        assert!(s_en.contains("PHOS"), "{s_en}");
        assert!(b_en.contains("陳大文") && b_zh.contains("陳大文"));
        assert_ne!(s_en, s_zh);
        assert!(matches!(compose("nope", Locale::En, &values), Err(NotifyError::UnknownTemplate(_))));
    }

    #[test]
    fn smtp_urls() {
        assert_eq!(parse_smtp_url("smtp://127.0.0.1:2525"), Some(("127.0.0.1".into(), 2525, None)));
        assert_eq!(parse_smtp_url("smtp://mail.example"), Some(("mail.example".into(), 25, None)));
        assert_eq!(
            parse_smtp_url("smtp://u:p@mail.example:587"),
            Some(("mail.example".into(), 587, Some(("u".into(), "p".into()))))
        );
        assert_eq!(parse_smtp_url("http://x"), None);
    }

    #[test]
    fn recipients() {
        assert!(valid_recipient(Channel::Email, "a.b@example.com"));
        assert!(!valid_recipient(Channel::Email, "a b@example.com"));
        assert!(!valid_recipient(Channel::Email, "nobody"));
        assert!(valid_recipient(Channel::Sms, "+852 9123 4567"));
        assert!(!valid_recipient(Channel::Sms, "+852 123"));
        assert_eq!(mask_recipient("chan.tai.man@example.com"), "ch***@example.com");
        assert_eq!(mask_recipient("+852 9123 4567"), "****67");
    }

    #[test]
    fn quiet_hours_hold_messages_until_eight_in_the_morning_hong_kong_time() {
        use chrono::TimeZone;
        let hk =
            |d: u32, h: u32, m: u32| crate::hk::tz().with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap().timestamp_millis();
        assert_eq!(super::after_quiet_hours(hk(8, 21, 59)), hk(8, 21, 59), "before 22:00: now");
        assert_eq!(super::after_quiet_hours(hk(8, 22, 0)), hk(9, 8, 0), "22:00: the next morning");
        assert_eq!(super::after_quiet_hours(hk(8, 23, 30)), hk(9, 8, 0));
        assert_eq!(super::after_quiet_hours(hk(9, 0, 10)), hk(9, 8, 0), "after midnight: the same morning");
        assert_eq!(super::after_quiet_hours(hk(9, 7, 59)), hk(9, 8, 0));
        assert_eq!(super::after_quiet_hours(hk(9, 8, 0)), hk(9, 8, 0), "08:00: now");
    }
}
