//! Storage: migrations on both engines, schema parity, transactions, backup round trip.

use kernel::{Db, Engine};
use sqlx::Row;

use crate::harness::{TestDb, engine};

#[tokio::test]
async fn both_engines_hold_the_same_schema() {
    let lite = TestDb::on(Engine::Sqlite).await;
    let pg = TestDb::on(Engine::Postgres).await;
    let a = lite.migrated().await.schema().await.expect("sqlite schema");
    let b = pg.migrated().await.schema().await.expect("postgres schema");
    assert!(a.len() > 40, "schema looks too small: {} columns", a.len());
    let only_sqlite: Vec<_> = a.iter().filter(|c| !b.contains(c)).collect();
    let only_pg: Vec<_> = b.iter().filter(|c| !a.contains(c)).collect();
    assert!(only_sqlite.is_empty() && only_pg.is_empty(), "sqlite only: {only_sqlite:?}\npostgres only: {only_pg:?}");
}

#[tokio::test]
async fn migrations_apply_once_and_detect_edits() {
    let t = TestDb::new().await;
    let db = Db::connect(&t.url).await.unwrap();
    let all = kernel::area::all_migrations(&phos::areas());
    let first = kernel::db::migrate::run(&db, &all).await.unwrap();
    assert_eq!(first.len(), all.len());
    assert!(kernel::db::migrate::run(&db, &all).await.unwrap().is_empty(), "second run applies nothing");
    assert!(kernel::db::migrate::pending(&db, &all).await.unwrap().is_empty());
    let mut edited = all.clone();
    edited[0].sql = "CREATE TABLE sneaky (x TEXT);";
    let err = kernel::db::migrate::run(&db, &edited).await.unwrap_err();
    assert!(err.to_string().contains("changed after it was applied"), "{err}");
}

#[tokio::test]
async fn a_failed_migration_leaves_nothing_behind() {
    let t = TestDb::new().await;
    let db = t.migrated().await;
    let bad = kernel::db::migrate::Migration {
        area: "test",
        version: 1,
        name: "0001_bad.sql",
        sql: "CREATE TABLE half_written (x TEXT); INSERT INTO no_such_table VALUES (1);",
    };
    assert!(kernel::db::migrate::run(&db, &[bad]).await.is_err());
    let exists = sqlx::query("SELECT COUNT(*) AS n FROM phos_migrations WHERE area = 'test'")
        .fetch_one(db.pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap();
    assert_eq!(exists, 0);
    let probe = sqlx::query("SELECT COUNT(*) FROM half_written").fetch_one(db.pool()).await;
    assert!(probe.is_err(), "the table of the failed migration must not exist");
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys() {
    let t = TestDb::on(Engine::Sqlite).await;
    let db = t.migrated().await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(db.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(db.pool()).await.unwrap();
    assert_eq!(fk, 1);
    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(db.pool()).await.unwrap();
    assert!(busy >= 5000);
}

#[tokio::test]
async fn a_rolled_back_transaction_writes_nothing() {
    let t = TestDb::new().await;
    let db = t.migrated().await;
    let mut tx = db.begin().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 1)").execute(&mut *tx).await.unwrap();
    tx.rollback().await.unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM settings WHERE key = 'k'").fetch_one(db.pool()).await.unwrap();
    assert_eq!(n, 0);
    assert_eq!(db.engine(), engine());
}

#[tokio::test]
async fn backup_and_restore_round_trip() {
    // Backups are for the embedded engine; this runs on SQLite whatever the suite's engine.
    let t = TestDb::on(Engine::Sqlite).await;
    let db = t.migrated().await;
    let config = crate::harness::test_config(&t);
    let state = phos::state(config, db.clone()).await.unwrap();
    phos::demo::seed(&state, 9, 500).await.unwrap();
    let file = t.dir.join("backups/first.db");
    let bytes = kernel::db::backup::backup(&db, &file).await.unwrap();
    assert!(bytes > 10_000);
    assert!(kernel::db::backup::backup(&db, &file).await.is_err(), "never overwrites a backup");
    // Change the live database after the backup (citizens are referenced by bookings and
    // waitlists, so they are renamed rather than deleted).
    let changed = sqlx::query("UPDATE citizens SET name_en = 'CHANGED AFTER BACKUP' WHERE district = 'KT'")
        .execute(db.pool())
        .await
        .unwrap()
        .rows_affected();
    assert!(changed > 0);
    db.close().await;
    let target = t.dir.join("phos.db");
    kernel::db::backup::restore(&file, &target).await.unwrap();
    let restored = Db::connect(&t.url).await.unwrap();
    assert_eq!(phos::demo::counts(&restored).await.unwrap(), (58, 500));
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM citizens WHERE name_en = 'CHANGED AFTER BACKUP'")
        .fetch_one(restored.pool())
        .await
        .unwrap();
    assert_eq!(after, 0, "the restore brought back the state at the backup");
    // A file that is not a backup is refused and the database is untouched.
    let junk = t.dir.join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(kernel::db::backup::restore(&junk, &target).await.is_err());
    assert_eq!(phos::demo::counts(&restored).await.unwrap(), (58, 500));
}

#[tokio::test]
async fn demo_seeding_is_idempotent() {
    let t = TestDb::new().await;
    let db = t.migrated().await;
    let state = phos::state(crate::harness::test_config(&t), db.clone()).await.unwrap();
    let first = phos::demo::seed(&state, 42, 2000).await.unwrap();
    assert_eq!((first.service_points, first.citizens), (58, 2000));
    // Bookings for the coming days, within each slot's general places, by eligible people.
    let booked: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM clinic_bookings WHERE status = 'booked' AND booked_by = 'demo'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(booked > 500, "{booked} demo bookings");
    let over: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_slots s WHERE s.booked > s.capacity - s.pool_walkin - s.pool_elderly \
         OR s.booked <> (SELECT COUNT(*) FROM clinic_bookings b WHERE b.slot_id = s.id AND b.status = 'booked')",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(over, 0, "every slot's count matches its bookings and stays within its places");
    let young_elders: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM clinic_bookings b JOIN citizens c ON c.id = b.citizen_id \
         WHERE b.service = 'ehc_assessment' AND b.status = 'booked' AND c.birth_date > $1",
    )
    .bind((kernel::hk::today() - chrono::Duration::days(65 * 365)).to_string())
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(young_elders, 0, "elderly health assessments are booked for people aged 65+");
    let second = phos::demo::seed(&state, 42, 2000).await.unwrap();
    assert!(second.already_seeded);
    let again = clinics::demo::seed_bookings(&state, 42).await.unwrap();
    assert_eq!(again, 0, "slots already booked are left alone");
    assert_eq!(phos::demo::counts(&db).await.unwrap(), (58, 2000));
    // HKIDs are stored masked and keyed-hashed, never in clear.
    let row = sqlx::query("SELECT hkid_masked, hkid_hmac FROM citizens LIMIT 1").fetch_one(db.pool()).await.unwrap();
    let masked: String = row.try_get("hkid_masked").unwrap();
    let hmac: String = row.try_get("hkid_hmac").unwrap();
    assert!(masked.contains("***("), "{masked}");
    assert_eq!(hmac.len(), 64);
}

/// An optional double bound as NULL first and as a value next, through the same statement,
/// works on both engines (sqlx's `Any` driver would otherwise poison PostgreSQL's cached
/// statement with a `float4` parameter).
#[tokio::test]
async fn optional_doubles_bind_on_both_engines() {
    use kernel::db::BindOptF64;
    let t = TestDb::new().await;
    let db = t.migrated().await;
    sqlx::query("CREATE TABLE opt_doubles (k BIGINT NOT NULL, x DOUBLE PRECISION)").execute(db.pool()).await.unwrap();
    for (k, x) in [(1i64, None), (2, Some(1.25)), (3, None), (4, Some(-7.5))] {
        sqlx::query("INSERT INTO opt_doubles (k, x) VALUES ($1, $2)")
            .bind(k)
            .bind_opt_f64(x)
            .execute(db.pool())
            .await
            .unwrap();
    }
    let rows: Vec<(i64, Option<f64>)> =
        sqlx::query_as("SELECT k, x FROM opt_doubles ORDER BY k").fetch_all(db.pool()).await.unwrap();
    assert_eq!(rows, vec![(1, None), (2, Some(1.25)), (3, None), (4, Some(-7.5))]);
}
