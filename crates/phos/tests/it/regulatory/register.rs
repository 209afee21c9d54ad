//! The public register over HTTP, on both engines: search by English or Chinese name, district,
//! licence type and status, paged; an outcome only once published; individual holders never
//! named; the CSV and the JSON API give the same search; bad parameters are refused with
//! bilingual errors.

use serde_json::Value;

use super::risk::{inspection, premises};
use crate::harness::spawn_app;

#[tokio::test]
async fn search_publish_rules_and_downloads() {
    let app = spawn_app().await;
    let (wing, wl) =
        premises(&app, ("Wing On Pharmacy", "永安藥房"), "KT", "pharmacy_retail", "active", "company", 2).await;
    // Outcomes: a warning 60 days ago, published; advice 5 days ago, still in its appeal window.
    inspection(&app, &wing, &wl, 60, "warning", -46).await;
    inspection(&app, &wing, &wl, 5, "advice", 9).await;
    let (herbal, _) =
        premises(&app, ("Wing Kee Herbal", "永記藥材行"), "ST", "cm_retail", "active", "individual", 1).await;
    premises(&app, ("Sunrise Clinic", "旭日診所"), "KT", "phf_clinic", "suspended", "company", 3).await;
    for k in 0..23 {
        premises(
            &app,
            (&format!("Evergreen Pharmacy {k:02}"), &format!("長青藥房{k:02}")),
            "WTS",
            "pharmacy_retail",
            "active",
            "company",
            1,
        )
        .await;
    }

    // English substring, any case.
    let html = app.get("/register?q=wing").await.text().await.unwrap();
    assert!(html.contains("2 licences found"), "{html}");
    assert!(html.contains("Wing On Pharmacy") && html.contains("Wing Kee Herbal") && !html.contains("Sunrise Clinic"));
    // The warning is published, the advice is not yet.
    assert!(html.contains("Warning issued"), "{html}");
    assert!(!html.contains("Advice given"));
    // The company is named, the individual is not.
    assert!(html.contains("Wing On Pharmacy Limited"));
    assert!(!html.contains("CHAN Tai Man") && !html.contains("陳大文"));

    // Chinese substring, district, type, status.
    let zh: Value = app.get("/api/v1/regulatory/register?q=%E8%97%A5%E6%9D%90").await.json().await.unwrap();
    assert_eq!(zh["total"], 1, "{zh}");
    assert_eq!(zh["items"][0]["premises_name_zh"], "永記藥材行");
    assert_eq!(zh["items"][0]["holder_en"], Value::Null);
    let kt: Value = app.get("/api/v1/regulatory/register?district=KT").await.json().await.unwrap();
    assert_eq!(kt["total"], 2);
    let suspended: Value =
        app.get("/api/v1/regulatory/register?status=suspended&type=phf_clinic").await.json().await.unwrap();
    assert_eq!(suspended["total"], 1);
    assert_eq!(suspended["items"][0]["premises_name_en"], "Sunrise Clinic");
    assert_eq!(suspended["items"][0]["status"], "suspended");
    let w: Value = app.get("/api/v1/regulatory/register?q=wing%20on").await.json().await.unwrap();
    let item = &w["items"][0];
    assert_eq!(item["latest_outcome"]["outcome"], "warning");
    assert_eq!(item["district"], "KT");
    assert!(item["licence_number"].as_str().unwrap().starts_with("RP-2026-"));
    assert!(item.get("responsible_number").is_none() && !item.to_string().contains("pharmacist"));

    // Paging: 23 Evergreen pharmacies, 20 a page on the page; per_page on the API.
    let p1 = app.get("/register?q=evergreen").await.text().await.unwrap();
    assert!(p1.contains("23 licences found") && p1.contains("rel=\"next\""));
    let p2 = app.get("/register?q=evergreen&page=2").await.text().await.unwrap();
    assert!(p2.contains("Evergreen Pharmacy 22") && !p2.contains("Evergreen Pharmacy 03"));
    let api: Value = app.get("/api/v1/regulatory/register?q=evergreen&per_page=10&page=3").await.json().await.unwrap();
    assert_eq!((api["total"].as_i64(), api["items"].as_array().unwrap().len()), (Some(23), 3));

    // CSV of the same search: a header and every match, no paging.
    let res = app.get("/register.csv?q=evergreen").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 24);
    assert!(lines[0].starts_with("licence_number,licence_type,"));
    let csv = app.get("/register.csv?q=wing").await.text().await.unwrap();
    assert!(csv.contains("Wing On Pharmacy") && csv.contains(",warning,") && !csv.contains("CHAN Tai Man"));

    // The premises' public record.
    let html = app.get(&format!("/register/premises/{wing}")).await.text().await.unwrap();
    assert!(html.contains("Wing On Pharmacy") && html.contains("Warning issued") && !html.contains("Advice given"));
    let html = app.get(&format!("/register/premises/{herbal}")).await.text().await.unwrap();
    assert!(html.contains("An individual (not named)") && !html.contains("CHAN Tai Man"));
    assert_eq!(app.get("/register/premises/nope").await.status(), 404);

    // Bad parameters: every one listed, in both languages.
    let res = app.get("/api/v1/regulatory/register?district=XX&type=casino&status=open&per_page=1000").await;
    assert_eq!(res.status(), 422);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let p: Value = res.json().await.unwrap();
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["district", "type", "status", "per_page"]);
    assert!(p["errors"][0]["message"]["zh-Hant-HK"].as_str().unwrap().contains("地區"), "{p}");
    let res = app.get("/register?district=XX").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#district\""));

    // In Chinese.
    let zh = app
        .client
        .get(format!("{}/register?q=wing", app.url))
        .header("accept-language", "zh-HK")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("持牌處所登記冊") || zh.contains("Register of licensed premises"));
    app.shutdown().await;
}
