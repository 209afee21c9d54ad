//! The file store: bytes kept outside the database (attachments), through the `object_store`
//! crate. A directory under the data directory (`<data-dir>/files`) by default; an
//! S3-compatible bucket when `--s3-bucket` is set and the binary was built with the kernel's
//! `s3` feature.
//!
//! The store keeps bytes under opaque keys only; what a file is, who uploaded it and who may
//! read it is the owning area's metadata, in its own tables, and its own access checks.
//! [`rules::check`] decides whether a file may be stored (size, kind by content, name).

pub mod rules;

use std::sync::Arc;

use bytes::Bytes;
use object_store::ObjectStore;
use object_store::path::Path as StorePath;

use crate::AppState;
use crate::config::Config;

/// Where the bytes go, shared by every handler of a process.
#[derive(Clone)]
pub struct FileStore {
    store: Arc<dyn ObjectStore>,
    /// Largest accepted file, in bytes.
    pub max_bytes: usize,
    /// `local` or `s3`, for logs and docs.
    pub backend: &'static str,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore").field("backend", &self.backend).field("max_bytes", &self.max_bytes).finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the file store is not usable: {0}")]
    Config(String),
    #[error("file not found")]
    NotFound,
    #[error(transparent)]
    Store(#[from] object_store::Error),
}

impl FileStore {
    /// The store the configuration names.
    pub fn from_config(config: &Config) -> Result<FileStore, FileError> {
        match &config.s3_bucket {
            Some(bucket) => s3(config, bucket),
            None => {
                let dir = config.data_dir.join("files");
                std::fs::create_dir_all(&dir).map_err(|e| FileError::Config(format!("{}: {e}", dir.display())))?;
                let local = object_store::local::LocalFileSystem::new_with_prefix(&dir)?;
                Ok(FileStore { store: Arc::new(local), max_bytes: config.files_max_bytes, backend: "local" })
            }
        }
    }

    /// This process's store (made on first use from the configuration).
    pub fn of(state: &AppState) -> Result<FileStore, FileError> {
        let cell = state.ext.get_or_init(std::sync::OnceLock::<FileStore>::new);
        if let Some(s) = cell.get() {
            return Ok(s.clone());
        }
        let made = FileStore::from_config(&state.config)?;
        Ok(cell.get_or_init(|| made).clone())
    }

    /// A fresh key for a new file, under `area` (e.g. `workflow/019…`).
    pub fn new_key(area: &str) -> String {
        format!("{area}/{}", crate::new_id())
    }

    /// Stores `bytes` under `key` (written whole or not at all).
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), FileError> {
        self.store.put(&StorePath::from(key), bytes.into()).await?;
        Ok(())
    }

    /// The bytes stored under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, FileError> {
        match self.store.get(&StorePath::from(key)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(FileError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `key` (used when the metadata could not be written, so nothing is left behind).
    pub async fn delete(&self, key: &str) -> Result<(), FileError> {
        match self.store.delete(&StorePath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(feature = "s3")]
fn s3(config: &Config, bucket: &str) -> Result<FileStore, FileError> {
    let mut b = object_store::aws::AmazonS3Builder::new().with_bucket_name(bucket).with_region(&config.s3_region);
    if let Some(endpoint) = &config.s3_endpoint {
        b = b
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    if let Some(k) = &config.s3_access_key_id {
        b = b.with_access_key_id(k);
    }
    if let Some(k) = &config.s3_secret_access_key {
        b = b.with_secret_access_key(k);
    }
    let store = b.build()?;
    Ok(FileStore { store: Arc::new(store), max_bytes: config.files_max_bytes, backend: "s3" })
}

#[cfg(not(feature = "s3"))]
fn s3(_config: &Config, bucket: &str) -> Result<FileStore, FileError> {
    Err(FileError::Config(format!(
        "--s3-bucket {bucket} is set, but this binary was built without S3 support (cargo feature phos-kernel/s3)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("phos-files-{}", crate::new_id()));
        let config = Config { data_dir: dir.clone(), ..Config::default() };
        let store = FileStore::from_config(&config).expect("local store");
        assert_eq!(store.backend, "local");
        let key = FileStore::new_key("test");
        store.put(&key, Bytes::from_static(b"%PDF-1.4 hello")).await.expect("put");
        assert_eq!(store.get(&key).await.expect("get"), Bytes::from_static(b"%PDF-1.4 hello"));
        assert!(dir.join("files").join(&key).exists());
        store.delete(&key).await.expect("delete");
        assert!(matches!(store.get(&key).await, Err(FileError::NotFound)));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[cfg(not(feature = "s3"))]
    #[test]
    fn s3_without_the_feature_is_a_clear_error() {
        let config = Config { s3_bucket: Some("b".into()), ..Config::default() };
        let e = FileStore::from_config(&config).expect_err("no s3");
        assert!(e.to_string().contains("without S3 support"), "{e}");
    }
}
