//! The demo world.

use super::*;

#[tokio::test]
async fn the_demo_world_has_cases_contacts_clusters_and_assignments() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 42, 500).await.unwrap();
    let db = app.state.db.pool();
    let cases = count(&app, "SELECT COUNT(*) FROM protection_cases").await;
    let merged = count(&app, "SELECT COUNT(*) FROM protection_notifications WHERE merged = 1").await;
    assert!(cases > 300 && merged > 20, "{cases} cases, {merged} merged");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_clusters").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_links").await, 6);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_contacts").await, 4);
    assert!(count(&app, "SELECT COUNT(*) FROM protection_followups").await >= 8);
    assert!(count(&app, "SELECT COUNT(*) FROM protection_classifications WHERE to_class = 'discarded'").await > 0);
    let assigned: i64 = count(&app, "SELECT COUNT(*) FROM protection_assignments WHERE ended_at IS NULL").await;
    assert!(assigned >= 2, "{assigned}");
    // The demo epidemiologist sees the measles outbreak named; other cases stay unassigned.
    let epi_id: String = sqlx::query_scalar("SELECT id FROM staff_users WHERE email = 'epidemiologist@phos.example'")
        .fetch_one(db)
        .await
        .unwrap();
    let mine = protection::cases::store::case_counts(
        &app.state.db,
        &epi_id,
        &protection::cases::store::CaseFilter { assigned: Some("mine".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(mine.iter().map(|(_, n)| n).sum::<i64>(), 7);
    let none = protection::cases::store::case_counts(
        &app.state.db,
        &epi_id,
        &protection::cases::store::CaseFilter { assigned: Some("none".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(none.iter().map(|(_, n)| n).sum::<i64>() > 200);
    // Deterministic by seed, and idempotent.
    let again = protection::demo::seed(&app.state, 42, &[]).await.unwrap();
    assert!(again.already_seeded);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_cases").await, cases);
    assert_counts_match(&app).await;
    app.shutdown().await;
}
