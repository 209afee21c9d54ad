//! Open data over HTTP: the public page and downloads suppress small cells, carry no personal
//! data, and refuse bad parameters with problem+json in both languages.

use chrono::Duration;
use kernel::identity::Role;
use protection::counts::weeks::{iso_week, week_start};
use serde_json::{Value, json};

use super::dashboard::{case_on, staff, text};
use crate::harness::spawn_app;

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
