//! Installation-wide settings kept in the database, shared by every replica.

mod store;

use rand::RngCore;

use crate::db::Db;

pub use store::{get, insert_if_absent, set};

/// A random 256-bit secret named `name`, created on first use and the same for every replica.
pub async fn secret(db: &Db, name: &str) -> sqlx::Result<Vec<u8>> {
    let key = format!("secret:{name}");
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut tx = db.begin().await?;
    store::insert_if_absent(&mut tx, &key, &hex::encode(bytes)).await?;
    let value = store::get_in(&mut tx, &key).await?.ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    hex::decode(value).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}
