//! Dashboards and open data over HTTP: the epidemiologists' dashboard shows the figures of the
//! cases created here (epidemic curve, rates per 100,000, timeliness worked out by hand), only
//! to the roles allowed; the delay counts follow reclassification, discarding and investigation;
//! the public page and downloads suppress small cells, carry no personal data, and refuse bad
//! parameters with problem+json in both languages.

use chrono::{Duration, NaiveDate};
use kernel::audit::{Actor, Origin};
use kernel::hkid::Hkid;
use kernel::identity::Role;
use protection::counts::weeks::{iso_week, week_start};
use protection::notifications::Channel;
use protection::notifications::service::{self as intake, Outcome, Reporter};
use serde_json::json;

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, spawn_app};

pub(super) fn hkid(n: u32) -> String {
    Hkid::from_parts("S", &format!("{n:06}")).display()
}

/// Noon, Hong Kong time, of `day`, in Unix milliseconds.
pub(super) fn noon(day: NaiveDate) -> i64 {
    day.and_hms_opt(12, 0, 0).unwrap().and_local_timezone(kernel::hk::tz()).single().unwrap().timestamp_millis()
}

/// A notification received at noon on `received`, opening a new case; returns the case reference.
pub(super) async fn case_on(
    app: &TestApp,
    n: u32,
    disease: &str,
    district: &str,
    class: &str,
    received: NaiveDate,
    onset: Option<NaiveDate>,
) -> String {
    let mut body = json!({"disease": disease, "classification": class,
        "patient": {"hkid": hkid(n), "name_en": format!("SECRET NAME {n}"), "sex": "F", "birth_date": "1975-03-03",
            "phone": "9876 5432", "district": district}});
    if let Some(o) = onset {
        body["onset_date"] = json!(o.to_string());
        if disease == "measles" {
            body["fields"] = json!({"rash_onset": o.to_string()});
        }
    }
    let item: protection::notifications::validate::NotificationIn = serde_json::from_value(body).unwrap();
    let diseases = protection::catalogue::store::diseases(&app.state.db).await.unwrap();
    let checked = protection::notifications::validate::validate(&item, &diseases, kernel::hk::today());
    assert!(checked.is_ok(), "{checked:?}");
    let reporter =
        Reporter { kind: "system", id: "test".into(), name: "Test".into(), institution: "Test Clinic".into() };
    let out = intake::submit(
        &app.state,
        &intake::Submission {
            diseases: &diseases,
            reporter: &reporter,
            channel: Channel::Api,
            actor: &Actor::System,
            origin: &Origin::system(),
            received_at: noon(received),
            atomic: true,
        },
        vec![checked],
    )
    .await
    .unwrap();
    match out.into_iter().next() {
        Some(Outcome::Created(a)) => {
            assert!(!a.merged);
            a.case_reference
        }
        _ => panic!("not created"),
    }
}

pub(super) async fn staff(app: &TestApp, roles: &[Role]) -> (String, Browser) {
    let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
    let id = app.staff_user(&email, roles, STAFF_PASSWORD).await;
    (id, app.signed_in(&email).await)
}

pub(super) async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    let s = res.status().as_u16();
    (s, res.text().await.unwrap())
}

/// The cells of the table row whose `<th scope="row">` (or `data-…` attribute) is `key`.
pub(super) fn row_cells(html: &str, table_id: &str, key: &str) -> Vec<String> {
    let table =
        html.split(&format!("<table id=\"{table_id}\">")).nth(1).expect("table").split("</table>").next().unwrap();
    for tr in table.split("<tr").skip(1) {
        let tr = tr.split("</tr>").next().unwrap();
        let head = tr.split("<th scope=\"row\">").nth(1).map(|h| h.split("</th>").next().unwrap().to_string());
        if head.as_deref() == Some(key)
            || tr.starts_with(&format!(" data-district=\"{key}\""))
            || tr.starts_with(&format!(" data-disease=\"{key}\""))
        {
            return tr.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().to_string()).collect();
        }
    }
    panic!("no row {key} in {table_id}: {table}");
}

/// The delay counts equal a recount of the cases.
pub(super) async fn assert_delays_match(app: &TestApp) {
    let (diff, stale) = protection::counts::delay_differences(&app.state.db).await.unwrap();
    assert!(diff.is_empty() && stale == 0, "delay counts drifted: {diff:?}, {stale} stale");
    assert!(protection::counts::differences(&app.state.db).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_dashboard_shows_the_figures_of_the_cases() {
    let app = spawn_app().await;
    let today = kernel::hk::today();
    let monday = week_start(today);
    let last = monday - Duration::weeks(1);
    let d = |day: NaiveDate, back: i64| Some(day - Duration::days(back));
    // Measles: this week 3 confirmed + 1 probable in Kwun Tong, 2 suspected in Sha Tin; last week
    // 2 confirmed in Wan Chai. Onset → notification: 1, 2, 4, 7 (this week), 3, 3 (last week).
    let k1 = case_on(&app, 1, "measles", "KT", "confirmed", monday, d(monday, 1)).await;
    let k2 = case_on(&app, 2, "measles", "KT", "confirmed", monday, d(monday, 2)).await;
    case_on(&app, 3, "measles", "KT", "confirmed", monday, d(monday, 4)).await;
    case_on(&app, 4, "measles", "KT", "probable", monday, d(monday, 7)).await;
    case_on(&app, 5, "measles", "ST", "suspected", monday, d(monday, 0)).await;
    case_on(&app, 6, "measles", "ST", "suspected", monday, d(monday, 0)).await;
    case_on(&app, 7, "measles", "WC", "confirmed", last, d(last, 3)).await;
    case_on(&app, 8, "measles", "WC", "confirmed", last, d(last, 3)).await;
    case_on(&app, 9, "chickenpox", "YL", "confirmed", last, d(last, 1)).await;
    assert_delays_match(&app).await;

    let (me, epi) = staff(&app, &[Role::Epidemiologist, Role::LeadEpidemiologist]).await;
    let (s, html) = text(&epi, "/staff/protection/dashboard?disease=measles&weeks=4").await;
    assert_eq!(s, 200);
    // The epidemic curve, as SVG with its text alternative and as a table.
    assert!(
        html.contains("role=\"img\"")
            && html.contains("<title id=\"curve-title\">Epidemic curve by report week</title>")
    );
    assert!(html.contains(&format!("{} Confirmed: 3", iso_week(monday))), "a bar's own title");
    assert_eq!(row_cells(&html, "curve-table", &iso_week(monday)), vec!["3", "1", "4"], "confirmed, probable, total");
    assert_eq!(row_cells(&html, "curve-table", &iso_week(last)), vec!["2", "0", "2"]);
    assert_eq!(row_cells(&html, "curve-table", &iso_week(last - Duration::weeks(1))), vec!["0", "0", "0"]);
    // The map: rate = cases / population × 100,000, shown on the tile and in the table.
    let pop = |c: &str| kernel::hk::district(c).unwrap().population;
    let kt_rate = format!("{:.1}", 4.0 / pop("KT") as f64 * 100_000.0);
    assert_eq!(row_cells(&html, "map-table", "KT"), vec![pop("KT").to_string(), "4".into(), kt_rate.clone()]);
    assert_eq!(row_cells(&html, "map-table", "WC")[1], "2");
    assert_eq!(row_cells(&html, "map-table", "ST")[1], "0", "suspected cases are left out by default");
    assert!(html.contains(&format!("{kt_rate}</text>")) && html.contains("aria-labelledby=\"map-title map-desc\""));
    // Timeliness by hand: delays 1, 2, 3, 3, 4, 7 → median 3, 90th percentile 4 + 0.5 × 3 = 5.5;
    // measles must be notified at once, so within 1 day of onset: 1 of 6.
    assert_eq!(row_cells(&html, "kpi-table", "measles")[..4], ["6", "3", "5.5", "17%"]);
    assert_eq!(row_cells(&html, "kpi-table", "measles")[4], "0", "no follow-up yet");
    // With suspected cases, stacked by region.
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=measles&weeks=4&class=cps&stack=region").await;
    assert_eq!(
        row_cells(&html, "curve-table", &iso_week(monday)),
        vec!["0", "4", "2", "6"],
        "Hong Kong Island, Kowloon, New Territories, total"
    );
    // Top diseases this week against last, all diseases.
    let (_, html) = text(&epi, "/staff/protection/dashboard").await;
    let top = html.split("<table id=\"top-table\">").nth(1).unwrap().split("</table>").next().unwrap();
    assert!(top.contains("Measles</a></th><td>4</td><td>2</td><td>+2</td>"), "{top}");
    assert!(top.contains("Chickenpox</a></th><td>0</td><td>1</td><td>-1</td>"), "{top}");

    // The first contact follow-up: notification on Monday, first record today.
    epi.post_form("/staff/protection/assignments", &[("staff_id", &me), ("subject_type", "case"), ("reference", &k2)])
        .await;
    let res = epi
        .post_form(
            &format!("/staff/protection/cases/{k2}/contacts"),
            &[
                ("name", "CONTACT ONE"),
                ("phone", "5000 1111"),
                ("relationship", "Mother"),
                ("last_exposure", &(monday - Duration::days(1)).to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let contact = res.headers()["location"].to_str().unwrap().to_string();
    let res = epi
        .post_form(
            &format!("{contact}/follow-ups"),
            &[("day", &today.to_string()), ("symptoms", "no"), ("notes", "Well")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let days = (today - monday).num_days().to_string();
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=measles&weeks=4").await;
    assert_eq!(row_cells(&html, "kpi-table", "measles")[4..], ["1", days.as_str(), days.as_str()]);
    assert_delays_match(&app).await;

    // Discarding a case takes it out of the curve and the delays; reclassifying moves it.
    let change = |r: String, class: &'static str| {
        let e = &epi;
        async move {
            e.post_form(
                &format!("/staff/protection/cases/{r}/classification"),
                &[("classification", class), ("reason", "investigation")],
            )
            .await
            .status()
            .as_u16()
        }
    };
    epi.post_form("/staff/protection/assignments", &[("staff_id", &me), ("subject_type", "case"), ("reference", &k1)])
        .await;
    assert_eq!(change(k1.clone(), "discarded").await, 303);
    assert_eq!(change(k2.clone(), "suspected").await, 303);
    assert_delays_match(&app).await;
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=measles&weeks=4").await;
    assert_eq!(row_cells(&html, "curve-table", &iso_week(monday)), vec!["1", "1", "2"]);
    // Left: 3, 3, 4, 7 → median 3.5, 90th percentile 4 + 0.7 × 3 = 6.1; the follow-up went with k2.
    assert_eq!(row_cells(&html, "kpi-table", "measles"), ["4", "3.5", "6.1", "0%", "0", "–", "–"]);
    // An investigation moving onset and district moves the delays too.
    assert_eq!(change(k2.clone(), "confirmed").await, 303);
    let res = epi
        .post_form(
            &format!("/staff/protection/cases/{k2}/investigation"),
            &[
                ("onset_date", &(monday - Duration::days(10)).to_string()),
                ("district", "IS"),
                ("exposure_setting", "household"),
                ("hospitalised", "no"),
                ("outcome", "recovering"),
                ("imported", "no"),
                ("notes", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_delays_match(&app).await;
    // Timeliness is for all districts: 3, 3, 4, 7 and now 10 → median 4, 90th percentile
    // 7 + 0.6 × 3 = 8.8; the follow-up is back with k2.
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=measles&weeks=4&district=IS").await;
    assert!(html.contains("Timeliness is counted for all districts together"));
    assert_eq!(row_cells(&html, "kpi-table", "measles")[..3], ["5", "4", "8.8"]);
    assert_eq!(row_cells(&html, "kpi-table", "measles")[4..], ["1", days.as_str(), days.as_str()]);
    assert_eq!(row_cells(&html, "curve-table", &iso_week(monday)), vec!["1", "1"], "the curve is Islands only");
    // The Chinese page.
    epi.get("/lang/zh-Hant-HK?back=/staff/protection/dashboard").await;
    let (_, zh) = text(&epi, "/staff/protection/dashboard").await;
    assert!(zh.contains("監測儀表板") && zh.contains("按呈報週的流行曲線") && zh.contains("各區每十萬人口個案"));
    // The overview links to it.
    let (_, html) = text(&epi, "/staff/protection").await;
    assert!(html.contains("href=\"/staff/protection/dashboard\""));
    app.shutdown().await;
}

#[tokio::test]
async fn only_epidemiologists_see_the_dashboard() {
    let app = spawn_app().await;
    for roles in [&[Role::Epidemiologist][..], &[Role::LeadEpidemiologist], &[Role::Admin]] {
        let (_, b) = staff(&app, roles).await;
        assert_eq!(b.get("/staff/protection/dashboard").await.status(), 200, "{roles:?}");
    }
    for roles in [&[Role::Reporter][..], &[Role::DataSteward], &[Role::ClinicStaff], &[Role::Auditor]] {
        let (_, b) = staff(&app, roles).await;
        assert_eq!(b.get("/staff/protection/dashboard").await.status(), 403, "{roles:?}");
    }
    // Signed-out people and citizens are sent to sign in, never shown the page.
    let res = app.browser().get("/staff/protection/dashboard").await;
    assert_ne!(res.status(), 200);
    let citizen = app.session_cookie("citizen", "someone").await;
    let res = app.browser_with_session(&citizen).get("/staff/protection/dashboard").await;
    assert_ne!(res.status(), 200);
    app.shutdown().await;
}
