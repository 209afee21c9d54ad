//! Day plans from the database: `plan_day` assigns every feasible open inspection to an active
//! inspector within the shift and the windows, leaves later ones alone, and an urgent complaint
//! inspection makes its day planned again (the job enqueued by triage, run by the worker).

use kernel::audit::Origin;
use kernel::identity::Role;
use regulatory::planning::parse_hhmm;
use regulatory::planning::service::{JOB, SHIFT, plan_day};

use super::field::{count, inspection, premises};
use crate::harness::{STAFF_PASSWORD, eventually, spawn_app};

#[tokio::test]
async fn plan_day_assigns_every_feasible_due_inspection_within_the_shift() {
    let app = spawn_app().await;
    let a = app.staff_user("insp.a@dh.test", &[Role::Inspector], STAFF_PASSWORD).await;
    let b = app.staff_user("insp.b@dh.test", &[Role::Inspector], STAFF_PASSWORD).await;
    // Not an inspector: never planned.
    let officer = app.staff_user("officer@dh.test", &[Role::LicensingOfficer], STAFF_PASSWORD).await;
    let mut due = Vec::new();
    for (k, w) in [("09:00", "12:00"), ("10:00", "17:00"), ("13:00", "16:00"), ("09:00", "17:00"), ("14:00", "17:00")]
        .iter()
        .enumerate()
    {
        let p = premises(&app, &format!("Shop {k}"), "WCH").await;
        due.push(inspection(&app, &p, None, -(k as i64 % 2), *w).await);
    }
    let p = premises(&app, "Later shop", "WCH").await;
    let later = inspection(&app, &p, None, 5, ("09:00", "17:00")).await;

    let today = kernel::hk::today();
    let plan = plan_day(&app.state, today).await.unwrap();
    assert!(plan.unassigned.is_empty(), "{:?}", plan.unassigned);
    let served: Vec<&str> = plan.routes.iter().flat_map(|r| r.stops.iter().map(|s| s.visit.as_str())).collect();
    assert_eq!(served.len(), due.len());
    for r in &plan.routes {
        assert!(r.inspector == a || r.inspector == b, "{}", r.inspector);
        assert_ne!(r.inspector, officer);
        for s in &r.stops {
            let (arr, dep) = (parse_hhmm(&s.arrive).unwrap(), parse_hhmm(&s.depart).unwrap());
            assert!(arr >= SHIFT.0 && dep <= SHIFT.1 && arr <= dep, "{s:?}");
        }
    }
    let day = today.format("%Y-%m-%d").to_string();
    for id in &due {
        let (status, who, on): (String, Option<String>, Option<String>) =
            sqlx::query_as("SELECT status, inspector, planned_on FROM reg_inspections WHERE id = $1")
                .bind(id)
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        assert_eq!(status, "planned");
        assert!(who.as_deref() == Some(a.as_str()) || who.as_deref() == Some(b.as_str()));
        assert_eq!(on.as_deref(), Some(day.as_str()));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM reg_inspections WHERE id = $1 AND status = 'due'", &later).await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'regulatory.plan.day' AND subject_id = $1", &day)
            .await,
        1
    );
    app.shutdown().await;
}

#[tokio::test]
async fn an_urgent_complaint_inspection_gets_its_day_planned_again() {
    let app = spawn_app().await;
    let inspector = app.staff_user("insp.u@dh.test", &[Role::Inspector], STAFF_PASSWORD).await;
    let staff = app.staff_user("lo.u@dh.test", &[Role::LicensingOfficer], STAFF_PASSWORD).await;
    let p = premises(&app, "Urgent pharmacy", "WCH").await;
    let draft = regulatory::complaints::rules::Draft {
        premises_id: p.clone(),
        premises_text: "Urgent pharmacy".into(),
        category: regulatory::complaints::rules::CATEGORIES[0].into(),
        description: "Selling prescription-only medicines without a prescription.".into(),
        ..Default::default()
    };
    let c =
        regulatory::complaints::service::submit(&app.state, &draft, kernel::i18n::Locale::En, None, &Origin::system())
            .await
            .unwrap();
    let i = regulatory::complaints::service::triage(&app.state, &c.id, 1, true, &staff, &Origin::system())
        .await
        .unwrap()
        .expect("an inspection");
    assert_eq!(i.priority, 1);
    let sql = format!("SELECT COUNT(*) FROM jobs WHERE kind = '{JOB}' AND payload LIKE $1");
    assert_eq!(count(&app, &sql, &format!("%{}%", i.due_on)).await, 1);
    // The worker runs the re-plan: the urgent visit is in its day's plan.
    let planned = eventually(30, || async {
        let row: (String, Option<String>, Option<String>) =
            sqlx::query_as("SELECT status, inspector, planned_on FROM reg_inspections WHERE id = $1")
                .bind(&i.id)
                .fetch_one(app.state.db.pool())
                .await
                .unwrap();
        (row.0 == "planned").then_some(row)
    })
    .await
    .expect("the urgent inspection was never planned");
    assert_eq!(planned.1.as_deref(), Some(inspector.as_str()));
    assert_eq!(planned.2.as_deref(), Some(i.due_on.as_str()));
    app.shutdown().await;
}

#[tokio::test]
async fn the_day_page_shows_the_inspectors_route_and_its_calendar() {
    let app = spawn_app().await;
    let _me = app.staff_user("insp.page@dh.test", &[Role::Inspector], STAFF_PASSWORD).await;
    let p = premises(&app, "Page pharmacy", "WCH").await;
    let i = inspection(&app, &p, None, 0, ("10:00", "12:00")).await;
    let plan = plan_day(&app.state, kernel::hk::today()).await.unwrap();
    assert!(plan.unassigned.is_empty());
    let b = app.signed_in("insp.page@dh.test").await;
    let res = b.get("/staff/regulatory/plan/today").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("My inspections today"), "{html}");
    assert!(html.contains(&format!("<strong>{i}</strong>")), "{html}");
    assert!(html.contains("1 visit") && html.contains("arrive 09:"), "{html}");
    // An inspector cannot re-plan: no button.
    assert!(!html.contains("Plan the day again"));
    let ics = b.get("/staff/regulatory/plan/today.ics").await;
    assert_eq!(ics.status(), 200);
    assert!(ics.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
    let text = ics.text().await.unwrap();
    assert!(text.contains("BEGIN:VEVENT") && text.contains(&i), "{text}");
    let refused = b.post_form("/staff/regulatory/plan/today/replan", &[]).await;
    assert_eq!(refused.status(), 403);

    // A licensing officer re-plans: a new inspection due today joins the inspector's route.
    let officer = app.staff_browser(&[Role::LicensingOfficer]).await;
    let html = officer.get("/staff/regulatory/plan/today").await.text().await.unwrap();
    assert!(html.contains("Plan the day again"));
    let p2 = premises(&app, "Second pharmacy", "WCH").await;
    let j = inspection(&app, &p2, None, 0, ("13:00", "16:00")).await;
    let res = officer.post_form("/staff/regulatory/plan/today/replan", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM reg_inspections WHERE id = $1 AND status = 'planned' AND inspector IS NOT NULL",
            &j
        )
        .await,
        1
    );
    let html = b.get("/staff/regulatory/plan/today").await.text().await.unwrap();
    assert!(html.contains(&format!("<strong>{j}</strong>")) && html.contains("2 visits"), "{html}");
    app.shutdown().await;
}

#[tokio::test]
async fn demo_seeding_gives_every_demo_inspector_a_day_plan() {
    let app = spawn_app().await;
    phos::demo::seed(&app.state, 11, 30).await.unwrap();
    // Twice: idempotent (no second set of visits or complaints).
    phos::demo::seed(&app.state, 11, 30).await.unwrap();
    let today = kernel::hk::today();
    let day = today.format("%Y-%m-%d").to_string();
    let mut emails = vec!["inspector@phos.example".to_string()];
    emails.extend(phos::demo::extra_inspectors().into_iter().map(|(e, _)| e));
    assert_eq!(emails.len(), 5);
    for email in &emails {
        let id = kernel::identity::staff::store::by_email(&app.state.db, email).await.unwrap().expect(email).id;
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM reg_inspections WHERE inspector = $1 AND planned_on = $2 AND status = 'planned'",
        )
        .bind(&id)
        .bind(&day)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
        assert!(n >= 1, "{email} has no plan today");
        let plan = regulatory::planning::service::route_of(&app.state, &id, today).await.unwrap();
        assert!(plan.unassigned.is_empty() && !plan.routes[0].stops.is_empty(), "{email}: {plan:?}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM reg_inspections WHERE source_ref = $1", &format!("DEMO-DAY-{day}")).await,
        5
    );
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM reg_complaints GROUP BY status ORDER BY status")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(statuses, vec![("inspection".to_string(), 2), ("received".to_string(), 2), ("triaged".to_string(), 1)]);
    app.shutdown().await;
}
