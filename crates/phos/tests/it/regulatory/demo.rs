//! The regulatory demo world: premises in all 18 districts with licences, inspections with
//! outcomes, and applications at every stage, reached through the real portal services and the
//! real process (the process's jobs bring each application's status to its stage).

use crate::harness::{eventually, spawn_app};

#[tokio::test]
async fn the_demo_world_has_applications_at_every_stage() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 11, 60).await.unwrap();
    let db = &app.state.db;
    let districts: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT district) FROM reg_premises").fetch_one(db.pool()).await.unwrap();
    assert_eq!(districts, 18);
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM reg_inspections WHERE status = 'done' AND outcome IS NOT NULL")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(done >= 400, "{done}");
    let stages = regulatory::demo::APPLICATION_STAGES;
    let want = |s: &str| stages.iter().filter(|x| **x == s).count() as i64;
    let reached = eventually(60, || async {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, COUNT(*) FROM reg_applications GROUP BY status")
            .fetch_all(db.pool())
            .await
            .unwrap();
        let count = |s: &str| rows.iter().find(|r| r.0 == s).map(|r| r.1).unwrap_or(0);
        let all =
            ["draft", "screening", "info_requested", "assessment", "inspection", "decision", "granted", "refused"]
                .iter()
                .all(|s| count(s) == want(s));
        all.then_some(rows)
    })
    .await;
    assert!(reached.is_some(), "statuses never matched the plan");
    // Granted applications hold licences; the refused one does not.
    let granted: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM reg_licences l JOIN reg_applications a ON a.case_ref = l.case_ref WHERE a.kind = 'new'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(granted, want("granted"));
    // Seeding again adds nothing.
    phos::demo::seed(&app.state, 11, 60).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reg_applications").fetch_one(db.pool()).await.unwrap();
    assert_eq!(n, stages.len() as i64);
    app.shutdown().await;
}
