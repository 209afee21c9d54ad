//! Configuration: embedded defaults, each setting also a `PHOS_*` environment variable and a
//! command-line flag (flags win over the environment, which wins over defaults).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyProvider {
    /// Write messages to `<data-dir>/outbox.log` and the staff outbox page (nothing leaves the machine).
    Log,
    /// Send e-mail through the SMTP server at `--smtp-url`; SMS still goes to the log.
    Smtp,
}

/// Largest file the file store accepts by default (10 MiB).
pub const DEFAULT_FILES_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Settings shared by every command.
#[derive(Args, Clone, Debug, Serialize)]
pub struct Config {
    /// Directory for the embedded database, the outbox log and backups.
    #[arg(long, env = "PHOS_DATA_DIR", default_value = "./phos-data", global = true)]
    pub data_dir: PathBuf,

    /// Database URL: sqlite://PATH (default: <data-dir>/phos.db) or postgres://USER@HOST/DB.
    #[arg(long, env = "PHOS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Address and port to listen on.
    #[arg(long, env = "PHOS_LISTEN", default_value = "127.0.0.1:8080", global = true)]
    pub listen: SocketAddr,

    /// Public base URL used in links sent to people (default: http://<listen>).
    #[arg(long, env = "PHOS_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// Log format.
    #[arg(long, env = "PHOS_LOG_FORMAT", value_enum, default_value = "text", global = true)]
    pub log_format: LogFormat,

    /// Log filter (tracing EnvFilter syntax).
    #[arg(long, env = "PHOS_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "PHOS_MAX_BODY_BYTES", default_value_t = 1_048_576, global = true)]
    pub max_body_bytes: usize,

    /// Seconds a graceful shutdown waits for in-flight requests.
    #[arg(long, env = "PHOS_SHUTDOWN_GRACE_SECS", default_value_t = 20, global = true)]
    pub shutdown_grace_secs: u64,

    /// How notifications are delivered.
    #[arg(long, env = "PHOS_NOTIFY_PROVIDER", value_enum, default_value = "log", global = true)]
    pub notify_provider: NotifyProvider,

    /// SMTP server for e-mail, e.g. smtp://user:pass@mail.example:25.
    #[arg(long, env = "PHOS_SMTP_URL", default_value = "smtp://127.0.0.1:25", global = true)]
    pub smtp_url: String,

    /// Sender address of e-mail.
    #[arg(long, env = "PHOS_MAIL_FROM", default_value = "PHOS <no-reply@phos.example>", global = true)]
    pub mail_from: String,

    /// Run background jobs in this process (turn off for web-only replicas).
    #[arg(long, env = "PHOS_WORKER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub worker: bool,

    /// MQTT broker for IoT readings, e.g. mqtt://127.0.0.1:1883 (unset: HTTP ingest only).
    #[arg(long, env = "PHOS_MQTT_URL", global = true)]
    pub mqtt_url: Option<String>,

    /// Mark cookies Secure and send HSTS (set when served over TLS).
    #[arg(long, env = "PHOS_TLS", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub tls: bool,

    /// Minutes a person has to accept a place offered from a clinic waitlist.
    #[arg(long, env = "PHOS_OFFER_WINDOW_MINUTES", default_value_t = 30, global = true,
          value_parser = clap::value_parser!(u32).range(5..=1440))]
    pub offer_window_minutes: u32,

    /// Largest file accepted by the file store (attachments), in bytes. Uploads are also
    /// bounded by --max-body-bytes.
    #[arg(long, env = "PHOS_FILES_MAX_BYTES", default_value_t = DEFAULT_FILES_MAX_BYTES, global = true)]
    pub files_max_bytes: usize,

    /// S3-compatible bucket for stored files (unset: <data-dir>/files on the local disk).
    #[arg(long, env = "PHOS_S3_BUCKET", global = true)]
    pub s3_bucket: Option<String>,

    /// S3 endpoint URL, e.g. http://127.0.0.1:9000 for MinIO (unset: AWS).
    #[arg(long, env = "PHOS_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    /// S3 region.
    #[arg(long, env = "PHOS_S3_REGION", default_value = "us-east-1", global = true)]
    pub s3_region: String,

    /// S3 access key id.
    #[arg(long, env = "PHOS_S3_ACCESS_KEY_ID", global = true)]
    pub s3_access_key_id: Option<String>,

    /// S3 secret access key.
    #[arg(long, env = "PHOS_S3_SECRET_ACCESS_KEY", global = true, hide_env_values = true)]
    pub s3_secret_access_key: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./phos-data"),
            database_url: None,
            listen: "127.0.0.1:8080".parse().expect("valid default address"),
            base_url: None,
            log_format: LogFormat::Text,
            log: "info".into(),
            max_body_bytes: 1_048_576,
            shutdown_grace_secs: 20,
            notify_provider: NotifyProvider::Log,
            smtp_url: "smtp://127.0.0.1:25".into(),
            mail_from: "PHOS <no-reply@phos.example>".into(),
            worker: true,
            mqtt_url: None,
            tls: false,
            offer_window_minutes: 30,
            files_max_bytes: DEFAULT_FILES_MAX_BYTES,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: "us-east-1".into(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
        }
    }
}

impl Config {
    /// The database URL in effect.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/phos.db", self.data_dir.display()))
    }

    pub fn base_url(&self) -> String {
        self.base_url.clone().unwrap_or_else(|| format!("http://{}", self.listen)).trim_end_matches('/').to_string()
    }

    /// The effective configuration as `(setting, environment variable, value)` rows, secrets masked.
    pub fn effective(&self) -> Vec<(&'static str, &'static str, String)> {
        vec![
            ("data-dir", "PHOS_DATA_DIR", self.data_dir.display().to_string()),
            ("database-url", "PHOS_DATABASE_URL", mask_url(&self.database_url())),
            ("listen", "PHOS_LISTEN", self.listen.to_string()),
            ("base-url", "PHOS_BASE_URL", self.base_url()),
            ("log-format", "PHOS_LOG_FORMAT", format!("{:?}", self.log_format).to_lowercase()),
            ("log", "PHOS_LOG", self.log.clone()),
            ("max-body-bytes", "PHOS_MAX_BODY_BYTES", self.max_body_bytes.to_string()),
            ("shutdown-grace-secs", "PHOS_SHUTDOWN_GRACE_SECS", self.shutdown_grace_secs.to_string()),
            ("notify-provider", "PHOS_NOTIFY_PROVIDER", format!("{:?}", self.notify_provider).to_lowercase()),
            ("smtp-url", "PHOS_SMTP_URL", mask_url(&self.smtp_url)),
            ("mail-from", "PHOS_MAIL_FROM", self.mail_from.clone()),
            ("worker", "PHOS_WORKER", self.worker.to_string()),
            ("mqtt-url", "PHOS_MQTT_URL", self.mqtt_url.as_deref().map(mask_url).unwrap_or_else(|| "(unset)".into())),
            ("tls", "PHOS_TLS", self.tls.to_string()),
            ("offer-window-minutes", "PHOS_OFFER_WINDOW_MINUTES", self.offer_window_minutes.to_string()),
            ("files-max-bytes", "PHOS_FILES_MAX_BYTES", self.files_max_bytes.to_string()),
            ("s3-bucket", "PHOS_S3_BUCKET", self.s3_bucket.clone().unwrap_or_else(|| "(unset)".into())),
            ("s3-endpoint", "PHOS_S3_ENDPOINT", self.s3_endpoint.clone().unwrap_or_else(|| "(unset)".into())),
            ("s3-region", "PHOS_S3_REGION", self.s3_region.clone()),
            (
                "s3-access-key-id",
                "PHOS_S3_ACCESS_KEY_ID",
                self.s3_access_key_id.clone().unwrap_or_else(|| "(unset)".into()),
            ),
            (
                "s3-secret-access-key",
                "PHOS_S3_SECRET_ACCESS_KEY",
                self.s3_secret_access_key.as_ref().map(|_| "****".to_string()).unwrap_or_else(|| "(unset)".into()),
            ),
        ]
    }
}

/// Replaces the password of a URL (`scheme://user:password@host`) with `****`.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}:****{}", &url[..scheme_end + 3], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(mask_url("postgres://phos:s3cret@db:5432/phos"), "postgres://phos:****@db:5432/phos");
        assert_eq!(mask_url("postgres://phos@db/phos"), "postgres://phos@db/phos");
        assert_eq!(mask_url("smtp://u:p@mail:25"), "smtp://u:****@mail:25");
        assert_eq!(mask_url("sqlite://./phos-data/phos.db"), "sqlite://./phos-data/phos.db");
    }

    #[test]
    fn default_database_is_sqlite_in_data_dir() {
        assert_eq!(Config::default().database_url(), "sqlite://./phos-data/phos.db");
    }
}
