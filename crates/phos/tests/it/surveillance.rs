//! Dashboards and open data over HTTP: the epidemiologists' dashboard shows the figures of the
//! cases created here (epidemic curve, rates per 100,000, timeliness worked out by hand), only
//! to the roles allowed; the delay counts follow reclassification, discarding and investigation;
//! the public page and downloads suppress small cells, carry no personal data, and refuse bad
//! parameters with problem+json in both languages.

use chrono::{Duration, NaiveDate};
use kernel::audit::{Actor, Origin};
use kernel::hkid::Hkid;
use kernel::identity::Role;
use protection::intake::{self, Outcome, Reporter};
use protection::model::Channel;
use protection::weeks::{iso_week, week_start};
use serde_json::{Value, json};

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, spawn_app};

fn hkid(n: u32) -> String {
    Hkid::from_parts("S", &format!("{n:06}")).display()
}

/// Noon, Hong Kong time, of `day`, in Unix milliseconds.
fn noon(day: NaiveDate) -> i64 {
    day.and_hms_opt(12, 0, 0).unwrap().and_local_timezone(kernel::hk::tz()).single().unwrap().timestamp_millis()
}

/// A notification received at noon on `received`, opening a new case; returns the case reference.
async fn case_on(
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
    let item: protection::validate::NotificationIn = serde_json::from_value(body).unwrap();
    let diseases = protection::store::diseases(&app.state.db).await.unwrap();
    let checked = protection::validate::validate(&item, &diseases, kernel::hk::today());
    assert!(checked.is_ok(), "{checked:?}");
    let reporter =
        Reporter { kind: "system", id: "test".into(), name: "Test".into(), institution: "Test Clinic".into() };
    let out = intake::submit(
        &app.state,
        &diseases,
        &reporter,
        Channel::Api,
        &Actor::System,
        &Origin::system(),
        vec![checked],
        noon(received),
        true,
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

async fn staff(app: &TestApp, roles: &[Role]) -> (String, Browser) {
    let email = format!("{}@dh.test", uuid::Uuid::now_v7().simple());
    let id = app.staff_user(&email, roles, STAFF_PASSWORD).await;
    let b = app.browser();
    let res = b.post_form("/staff/login", &[("email", &email), ("password", STAFF_PASSWORD)]).await;
    assert_eq!(res.status(), 303, "staff sign-in");
    (id, b)
}

async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    let s = res.status().as_u16();
    (s, res.text().await.unwrap())
}

/// The cells of the table row whose `<th scope="row">` (or `data-…` attribute) is `key`.
fn row_cells(html: &str, table_id: &str, key: &str) -> Vec<String> {
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
async fn assert_delays_match(app: &TestApp) {
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

#[tokio::test]
async fn open_data_suppresses_small_cells_and_holds_no_personal_data() {
    let app = spawn_app().await;
    let today = kernel::hk::today();
    let monday = week_start(today);
    for i in 0..3 {
        case_on(&app, 100 + i, "measles", "KT", "confirmed", monday, Some(monday)).await;
    }
    for i in 0..6 {
        case_on(&app, 200 + i, "measles", "WC", if i < 4 { "confirmed" } else { "probable" }, monday, Some(monday))
            .await;
    }
    for i in 0..7 {
        case_on(&app, 300 + i, "measles", "ST", "suspected", monday, Some(monday)).await;
    }
    let personal =
        |s: &str| s.contains("SECRET") || s.contains("9876") || s.contains("S000") || s.contains("1975-03-03");

    // The public page, signed out.
    let res = app.get("/surveillance?disease=measles&weeks=4").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(!personal(&html));
    let week = html.split(&format!("<tr data-week=\"{monday}\">")).nth(1).unwrap().split("</tr>").next().unwrap();
    let cells: Vec<&str> = week.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap()).collect();
    let col = |code: &str| {
        let head = html.split("<thead>").nth(1).unwrap().split("</thead>").next().unwrap();
        head.split("data-district=\"").skip(1).position(|h| h.starts_with(&format!("{code}\""))).unwrap()
    };
    assert_eq!(cells[col("KT")], "&#60;5", "3 cases are suppressed");
    assert_eq!(cells[col("WC")], "6", "confirmed and probable");
    assert_eq!(cells[col("ST")], "0", "suspected cases are not published");
    assert_eq!(cells[cells.len() - 1], "≥ 6", "the total leaves the suppressed cell out");
    assert!(html.contains("shown as “&#60;5”") && html.contains("no hidden number can be worked out"));
    assert!(html.contains("/api/v1/surveillance/weekly-counts?disease=measles"));
    let zh = app
        .client
        .get(format!("{}/surveillance?disease=measles", app.url))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("傳染病監測：每週個案") && zh.contains("麻疹"), "{}", &zh[..zh.len().min(400)]);

    // JSON and CSV: the same cells, the same suppression.
    let res = app.get("/api/v1/surveillance/weekly-counts?disease=measles").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(!personal(&body));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["threshold"].as_i64(), v["from"].as_str()),
        (Some(5), Some((monday - Duration::weeks(11)).to_string().as_str()))
    );
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2, "{cells:?}");
    let kt = cells.iter().find(|c| c["district"] == "KT").unwrap();
    assert_eq!((kt["cases"].clone(), kt["suppressed"].clone()), (Value::Null, json!(true)));
    let wc = cells.iter().find(|c| c["district"] == "WC").unwrap();
    assert_eq!(
        (wc["cases"].clone(), wc["suppressed"].clone(), wc["iso_week"].as_str()),
        (json!(6), json!(false), Some(iso_week(monday).as_str()))
    );
    let res = app.get("/api/v1/surveillance/weekly-counts?disease=measles&format=csv").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(!personal(&csv));
    assert!(csv.contains(&format!("measles,{monday},{},KT,,true,<5\n", iso_week(monday))), "{csv}");
    assert!(csv.contains(&format!("measles,{monday},{},WC,6,false,6\n", iso_week(monday))), "{csv}");
    assert_eq!(csv.lines().count(), 3);
    // One district, all diseases.
    let v: Value = app.get("/api/v1/surveillance/weekly-counts?district=WC").await.json().await.unwrap();
    assert_eq!(v["cells"].as_array().unwrap().len(), 1);

    // The threshold is a setting: data stewards change it; others cannot.
    let (_, steward) = staff(&app, &[Role::DataSteward]).await;
    let (s, html) = text(&steward, "/staff/protection/open-data").await;
    assert_eq!(s, 200);
    assert!(html.contains("value=\"5\""));
    let res = steward.post_form("/staff/protection/open-data", &[("threshold", "1")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter a whole number from 2 to 100"));
    let (_, epi) = staff(&app, &[Role::Epidemiologist]).await;
    assert_eq!(epi.post_form("/staff/protection/open-data", &[("threshold", "2")]).await.status(), 403);
    let res = steward.post_form("/staff/protection/open-data", &[("threshold", "3")]).await;
    assert_eq!(res.status(), 303);
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'open_data.threshold'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(audited, 1);
    let v: Value = app.get("/api/v1/surveillance/weekly-counts?disease=measles").await.json().await.unwrap();
    assert_eq!(v["threshold"], 3);
    assert!(v["cells"].as_array().unwrap().iter().all(|c| c["suppressed"] == false));
    let html = app.get("/surveillance?disease=measles").await.text().await.unwrap();
    assert!(html.contains("“&#60;3”"));

    // The public home page lists it, in both languages; the OpenAPI document describes it.
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/surveillance\"") && home.contains("Infectious disease surveillance"));
    let api: Value = app.get("/api/v1/openapi.json").await.json().await.unwrap();
    assert!(api["paths"]["/api/v1/surveillance/weekly-counts"]["get"].is_object());
    app.shutdown().await;
}

#[tokio::test]
async fn bad_parameters_are_problems_in_both_languages() {
    let app = spawn_app().await;
    let ask = |q: &'static str, lang: &'static str| {
        let app = &app;
        async move {
            let res = app
                .client
                .get(format!("{}/api/v1/surveillance/weekly-counts?{q}", app.url))
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let ct = res.headers()["content-type"].to_str().unwrap().to_string();
            let v: Value = res.json().await.unwrap();
            assert!(ct.starts_with("application/problem+json"), "{ct}");
            assert_eq!(v["code"], "invalid_parameters");
            (status, v)
        }
    };
    let (s, v) = ask("disease=dragon_pox", "en").await;
    assert_eq!(s, 400);
    assert_eq!(v["title"], "Some parameters are not valid");
    assert_eq!(
        (v["errors"][0]["field"].as_str(), v["errors"][0]["code"].as_str()),
        (Some("disease"), Some("unknown_disease"))
    );
    let (_, v) = ask("disease=dragon_pox", "zh-HK,zh;q=0.9").await;
    assert_eq!(v["title"], "部分參數無效");
    assert!(v["errors"][0]["message"]["zh-Hant-HK"].as_str().unwrap().contains("dragon_pox"));
    let (_, v) = ask("from=2026-13-01", "en").await;
    assert_eq!(v["errors"][0]["code"], "date_format");
    let (_, v) = ask("from=2026-03-09&to=2026-03-01", "en").await;
    assert_eq!(v["errors"][0]["code"], "from_after_to");
    assert!(v["errors"][0]["message"]["en"].as_str().unwrap().contains("must not be after"));
    let (_, v) = ask("from=2000-01-03&to=2026-03-01", "en").await;
    assert_eq!(v["errors"][0]["code"], "range_too_long");
    let (_, v) = ask("format=xml&district=XX", "zh-HK").await;
    let codes: Vec<&str> = v["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unknown_district", "unknown_format"]);
    assert!(v["errors"][1]["message"]["zh-Hant-HK"].as_str().unwrap().contains("json 或 csv"));
    // The public page ignores what it does not know and shows its defaults.
    assert_eq!(app.get("/surveillance?disease=dragon_pox&weeks=x").await.status(), 200);
    app.shutdown().await;
}
