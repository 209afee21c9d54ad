//! Signals over HTTP: history imported (a bad file writes nothing), a spike of notifications,
//! the daily job through the job worker, the signal on the page and in the API, triage through
//! the form (new → assessing → dismissed; a missing reason and a stale version are refused and
//! change nothing), the duty officer's messages in the outbox, and a second run that raises
//! nothing twice.

use chrono::{Datelike, Duration, NaiveDate};
use kernel::audit::{Actor, Origin};
use kernel::identity::Role;
use serde_json::{Value, json};

use crate::harness::{Browser, STAFF_PASSWORD, TestApp, csrf_of, eventually, spawn_app};

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(app.state.db.pool()).await.unwrap()
}

async fn staff(app: &TestApp, email: &str, roles: &[Role]) -> Browser {
    app.staff_user(email, roles, STAFF_PASSWORD).await;
    app.signed_in(email).await
}

async fn text(b: &Browser, path: &str) -> (u16, String) {
    let res = b.get(path).await;
    let s = res.status().as_u16();
    (s, res.text().await.unwrap())
}

async fn partner_token(app: &TestApp) -> String {
    use kernel::identity::partner;
    let scopes = vec!["notifications:write".to_string()];
    let mut tx = app.state.db.begin().await.unwrap();
    let (id, secret) = partner::register_client(
        &mut tx,
        "Demo Pathology Laboratory",
        "government",
        "lab@example.com",
        "LIS",
        &scopes,
        100_000,
    )
    .await
    .unwrap();
    partner::set_status(&mut tx, &id, "approved").await.unwrap();
    tx.commit().await.unwrap();
    partner::issue_token(&app.state.db, &id, &secret, None).await.unwrap().unwrap().access_token
}

/// Six years of mumps history before `this_week`: about one case a week in Kwun Tong, some in
/// Wan Chai.
fn history_csv(this_week: NaiveDate) -> String {
    let mut csv = String::from("disease,week_start,district,n\n");
    for t in 1..=(6 * 52) {
        let week = this_week - Duration::weeks(t);
        csv.push_str(&format!("mumps,{week},KT,{}\n", [0, 1, 2, 1][t as usize % 4]));
        csv.push_str(&format!("mumps,{week},WC,{}\n", [1, 0, 1, 2][t as usize % 4]));
    }
    csv
}

async fn signal_json(b: &Browser, query: &str) -> Value {
    let res = b.get(&format!("/api/v1/signals?{query}")).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn the_daily_run_raises_signals_that_epidemiologists_triage() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let this_week = protection::counts::weeks::week_start(kernel::hk::today());
    assert_eq!(this_week.weekday(), chrono::Weekday::Mon);
    let lead = staff(&app, "duty.lead@dh.test", &[Role::LeadEpidemiologist]).await;
    let epi = staff(&app, "epi.one@dh.test", &[Role::Epidemiologist]).await;
    let origin = Origin::system();

    // A bad history file names its lines and writes nothing.
    let bad = "disease,week_start,district,n\nmumps,2025-01-06,KT,2\nmumps,2025-01-07,KT,1\ndragon_pox,2025-01-13,KT,1\nmumps,2025-01-20,XX,1\nmumps,2025-01-27,KT,-3\n";
    let problems =
        protection::signals::service::import_history(db, bad, &Actor::System, &origin).await.unwrap().unwrap_err();
    assert!(problems.iter().any(|p| p.starts_with("line 3: week_start 2025-01-07 is a Tue")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("line 4: unknown disease code \"dragon_pox\"")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("line 5: unknown district code \"XX\"")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("line 6: n \"-3\"")), "{problems:?}");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_history_counts").await, 0);
    let n = protection::signals::service::import_history(db, &history_csv(this_week), &Actor::System, &origin)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, 2 * 6 * 52);

    // The duty officer: only staff addresses; the lead sets it, an epidemiologist may not.
    let res = lead
        .post_form("/staff/protection/signals/duty-officer", &[("emails", "nobody@example.com"), ("locale", "en")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("nobody@example.com is not a staff member&#39;s e-mail address"));
    let res = epi
        .post_form("/staff/protection/signals/duty-officer", &[("emails", "epi.one@dh.test"), ("locale", "en")])
        .await;
    assert_eq!(res.status(), 403);
    let res = lead
        .post_form(
            "/staff/protection/signals/duty-officer",
            &[("emails", "duty.lead@dh.test"), ("locale", "zh-Hant-HK")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let duty = protection::signals::service::duty_officer(db).await.unwrap();
    assert_eq!(duty.emails, ["duty.lead@dh.test"]);
    assert_eq!(duty.locale, "zh-Hant-HK");

    // A spike: nine mumps cases in Kwun Tong this week.
    let token = partner_token(&app).await;
    let items: Vec<Value> = (0..9)
        .map(|i| {
            json!({"disease": "mumps", "patient": {"name_en": format!("Spike Patient {i}"), "sex": "M",
                "birth_date": format!("201{i}-03-0{}", i % 8 + 1), "district": "KT"},
                "onset_date": (kernel::hk::today() - Duration::days(1)).to_string(), "classification": "probable"})
        })
        .collect();
    let res = app
        .client
        .post(format!("{}/api/v1/notifications/batch", app.url))
        .bearer_auth(&token)
        .json(&json!({"notifications": items}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["created"], 9, "{out}");

    // The daily job, through the job worker, evaluating this week.
    let mut tx = db.begin().await.unwrap();
    let payload = json!({"replicates": 99, "week": this_week.to_string()});
    kernel::jobs::enqueue(&mut tx, kernel::jobs::NewJob::new(protection::signals::service::RUN_JOB, payload))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.wake_worker();
    let ran = eventually(60, || async {
        (count(&app, "SELECT COUNT(*) FROM protection_signal_runs").await == 1).then_some(())
    })
    .await;
    assert!(ran.is_some(), "the job ran");
    let raised = count(&app, "SELECT COUNT(*) FROM protection_signals").await;
    assert!(raised >= 1);
    let run_raised = count(&app, "SELECT signals_raised FROM protection_signal_runs").await;
    assert_eq!(run_raised, raised);

    // The signal in the API and on the list.
    let list = signal_json(&epi, "disease=mumps&area=KT&method=ears-c2").await;
    assert_eq!(list["total"], 1, "{list}");
    let s = &list["signals"][0];
    assert_eq!(s["status"], "new");
    assert_eq!(s["week_start"], this_week.to_string());
    assert_eq!(s["observed"], 9.0);
    assert!(s["upperbound"].as_f64().unwrap() < 9.0);
    assert_eq!(s["evidence"]["method"], "ears-c2");
    assert_eq!(s["evidence"]["weeks"].as_array().unwrap().len(), 26);
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(s["version"], 1);
    let (st, html) = text(&epi, "/staff/protection/signals?status=new&disease=mumps").await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("/staff/protection/signals/{id}")), "{html}");
    assert!(html.contains("Kwun Tong") && html.contains("EARS C2"));
    let zh = staff(&app, "epi.zh@dh.test", &[Role::Epidemiologist]).await;
    zh.get("/lang/zh-Hant-HK?back=/staff/protection/signals").await;
    let (st, html) = text(&zh, "/staff/protection/signals?status=new&disease=mumps").await;
    assert_eq!(st, 200);
    assert!(html.contains("觀塘") && html.contains("流行性腮腺炎") && html.contains("狀態"), "{html}");
    let bad = epi.get("/api/v1/signals?status=maybe").await;
    assert_eq!(bad.status(), 422);
    // The dashboard lists it among the open signals for mumps in Kwun Tong, and not for Sha Tin.
    let (st, html) = text(&epi, "/staff/protection/dashboard?disease=mumps&district=KT").await;
    assert_eq!(st, 200);
    assert!(html.contains(&format!("data-signal=\"{id}\"")), "{html}");
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=mumps&district=ST").await;
    assert!(!html.contains(&format!("data-signal=\"{id}\"")));
    assert!(html.contains("No signals are waiting for triage for this choice."));

    // The signal's page: the chart, the numbers as a table, the triage form.
    let (st, html) = text(&epi, &format!("/staff/protection/signals/{id}")).await;
    assert_eq!(st, 200);
    assert!(html.contains("<svg") && html.contains("role=\"img\"") && html.contains("id=\"evidence-table\""));
    assert!(html.contains("name=\"version\" value=\"1\""));
    assert!(html.contains("value=\"assessing\"") && html.contains("value=\"dismissed\""));

    // new → assessing.
    let path = format!("/staff/protection/signals/{id}/triage");
    let res = epi.post_form(&path, &[("status", "assessing"), ("reason", ""), ("version", "1")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = text(&epi, &format!("/staff/protection/signals/{id}")).await;
    assert!(html.contains("Under assessment"));
    assert!(html.contains("name=\"version\" value=\"2\""));

    // Dismissing without a reason is refused and changes nothing.
    let events_before = count(&app, "SELECT COUNT(*) FROM protection_signal_events").await;
    let audit_before = count(&app, "SELECT COUNT(*) FROM audit_log").await;
    let res = epi.post_form(&path, &[("status", "dismissed"), ("reason", "  "), ("version", "2")]).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#reason\""), "{html}");
    let s = protection::signals::store::signal(db, &id).await.unwrap().unwrap();
    assert_eq!((s.status.as_str(), s.version), ("assessing", 2));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_signal_events").await, events_before);

    // A stale form (version 1) is refused and changes nothing.
    let res = epi.post_form(&path, &[("status", "dismissed"), ("reason", "Seen already"), ("version", "1")]).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("Someone decided on this signal after you opened it"));
    let s = protection::signals::store::signal(db, &id).await.unwrap().unwrap();
    assert_eq!((s.status.as_str(), s.version), ("assessing", 2));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, audit_before);
    // The API says the same as problem+json.
    let csrf = csrf_of(&text(&epi, &format!("/staff/protection/signals/{id}")).await.1).unwrap();
    let res = epi
        .client
        .post(format!("{}/api/v1/signals/{id}/triage", epi.base))
        .header("x-csrf-token", csrf)
        .json(&json!({"status": "dismissed", "reason": "x", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/problem+json"));
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["code"], "signal_stale", "{p}");

    // assessing → dismissed with a reason.
    let reason = "Mumps at one school, already under investigation";
    let res = epi.post_form(&path, &[("status", "dismissed"), ("reason", reason), ("version", "2")]).await;
    assert_eq!(res.status(), 303);
    let s = protection::signals::store::signal(db, &id).await.unwrap().unwrap();
    assert_eq!((s.status.as_str(), s.reason.as_str(), s.version), ("dismissed", reason, 3));
    let history = protection::signals::store::signal_events(db, &id).await.unwrap();
    let moves: Vec<(Option<&str>, &str)> = history.iter().map(|e| (e.from.as_deref(), e.to.as_str())).collect();
    assert_eq!(moves, [(None, "new"), (Some("new"), "assessing"), (Some("assessing"), "dismissed")]);
    let (_, html) = text(&epi, &format!("/staff/protection/signals/{id}")).await;
    assert!(html.contains(reason) && html.contains("This signal has been decided."));
    let (_, html) = text(&epi, "/staff/protection/dashboard?disease=mumps&district=KT").await;
    assert!(!html.contains(&format!("data-signal=\"{id}\"")), "a dismissed signal is no longer open");
    let audited = count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'signal.triage'").await;
    assert_eq!(audited, 2);

    // The duty officer: one summary of the run, a message per decision, in Chinese.
    let summaries: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM outbox WHERE template = 'protection-signals-raised' AND recipient = 'duty.lead@dh.test'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(summaries.len(), 1);
    assert!(summaries[0].contains("流行性腮腺炎") || summaries[0].contains("觀塘"), "{}", summaries[0]);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE template = 'protection-signal-triaged' AND recipient = 'duty.lead@dh.test'")
            .await,
        2
    );

    // An outbreak opened from a signal creates a cluster linked to it (through the API).
    let list = signal_json(&epi, "status=new").await;
    let new: Vec<String> = list["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["disease"], s["area"], s["method"]))
        .collect();
    assert!(new.iter().any(|s| s == "\"mumps\" \"HK\" \"ears-c2\""), "territory-wide too: {new:?}");
    {
        let other = &list["signals"][0];
        let oid = other["id"].as_str().unwrap();
        let csrf = csrf_of(&text(&epi, &format!("/staff/protection/signals/{oid}")).await.1).unwrap();
        let res = epi
            .client
            .post(format!("{}/api/v1/signals/{oid}/triage", epi.base))
            .header("x-csrf-token", csrf)
            .json(&json!({"status": "outbreak", "reason": "", "version": other["version"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let s: Value = res.json().await.unwrap();
        assert_eq!(s["status"], "outbreak");
        let reference = s["cluster_reference"].as_str().unwrap();
        assert!(protection::clusters::store::cluster_by_reference(db, reference).await.unwrap().is_some());
        // A signal cannot be linked to a cluster of another disease by a slip: refused with a
        // field error unless the link to another disease is confirmed.
        let res = epi
            .post_form(
                "/staff/protection/clusters",
                &[("name", "Measles, school"), ("disease", "measles"), ("setting", "school"), ("description", "")],
            )
            .await;
        let measles = res.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
        let third = list["signals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] != other["id"] && s["disease"] != "measles")
            .expect("another new signal");
        let tid = third["id"].as_str().unwrap();
        let reference = measles.as_str();
        let triage = |body: Value| {
            let epi = &epi;
            async move {
                let csrf = csrf_of(&text(epi, &format!("/staff/protection/signals/{tid}")).await.1).unwrap();
                epi.client
                    .post(format!("{}/api/v1/signals/{tid}/triage", epi.base))
                    .header("x-csrf-token", csrf)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = triage(json!({"status": "outbreak", "version": third["version"], "cluster": reference})).await;
        assert_eq!(res.status(), 422);
        let p: Value = res.json().await.unwrap();
        assert!(p.to_string().contains("cluster_other_disease"), "{p}");
        let t = protection::signals::store::signal(db, tid).await.unwrap().unwrap();
        assert_eq!(t.status, "new", "nothing written");
        let res = triage(
            json!({"status": "outbreak", "version": third["version"], "cluster": reference, "other_disease": true}),
        )
        .await;
        assert_eq!(res.status(), 200);
        let s: Value = res.json().await.unwrap();
        assert_eq!(s["cluster_reference"].as_str(), Some(reference), "linked once confirmed");
    }

    // Running again raises nothing twice.
    let before = count(&app, "SELECT COUNT(*) FROM protection_signals").await;
    let mut opts = protection::signals::service::RunOptions { last_week: Some(this_week), ..Default::default() };
    opts.scan.replicates = 99;
    let again = protection::signals::service::run(db, &opts, &Actor::System, &origin).await.unwrap();
    assert!(again.raised.is_empty());
    assert!(again.alarms >= 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_signals").await, before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM protection_signal_runs").await, 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE template = 'protection-signals-raised'").await,
        1,
        "no summary when nothing is new"
    );
    app.shutdown().await;
}

#[tokio::test]
async fn signals_pages_are_for_epidemiologists() {
    let app = spawn_app().await;
    let clerk = staff(&app, "clerk@dh.test", &[Role::ClinicStaff]).await;
    assert_eq!(clerk.get("/staff/protection/signals").await.status(), 403);
    assert_eq!(clerk.get("/api/v1/signals").await.status(), 403);
    let anon = app.browser();
    assert_ne!(anon.get("/api/v1/signals").await.status(), 200);
    let epi = staff(&app, "epi@dh.test", &[Role::Epidemiologist]).await;
    let (st, html) = text(&epi, "/staff/protection/signals").await;
    assert_eq!(st, 200);
    assert!(html.contains("No signals match.") && html.contains("Detection has not run yet."));
    assert!(!html.contains("action=\"/staff/protection/signals/duty-officer\""), "only leads edit the duty officer");
    assert_eq!(epi.get("/staff/protection/signals/nope").await.status(), 404);
    let (_, html) = text(&epi, "/staff/protection").await;
    assert!(html.contains("href=\"/staff/protection/signals\""));
    app.shutdown().await;
}

/// The space-time scan: cases spread over six districts for twelve weeks, then a jump in Kwun
/// Tong alone, becomes a `scan` signal naming Kwun Tong with its p-value.
#[tokio::test]
async fn the_scan_raises_a_cluster_signal() {
    let app = spawn_app().await;
    let db = &app.state.db;
    let this_week = protection::counts::weeks::week_start(kernel::hk::today());
    let mut csv = String::from("disease,week_start,district,n\n");
    for t in 0..12 {
        let week = this_week - Duration::weeks(t);
        for d in ["WC", "E", "S", "SSP", "TM", "YL"] {
            csv.push_str(&format!("mumps,{week},{d},3\n"));
        }
        csv.push_str(&format!("mumps,{week},KT,{}\n", if t == 0 { 15 } else { 1 }));
    }
    let origin = Origin::system();
    protection::signals::service::import_history(db, &csv, &Actor::System, &origin).await.unwrap().unwrap();
    let mut opts = protection::signals::service::RunOptions { last_week: Some(this_week), ..Default::default() };
    opts.scan.replicates = 99;
    let run = protection::signals::service::run(db, &opts, &Actor::System, &origin).await.unwrap();
    assert!(!run.raised.is_empty());
    let epi = staff(&app, "epi.scan@dh.test", &[Role::Epidemiologist]).await;
    let scan = signal_json(&epi, "disease=mumps&method=scan").await;
    assert_eq!(scan["total"], 1, "{scan}");
    let c = &scan["signals"][0];
    assert_eq!(c["area"], "KT");
    assert_eq!(c["week_start"], this_week.to_string());
    assert!(c["evidence"]["districts"].as_array().unwrap().iter().any(|d| d == "KT"), "{c}");
    assert!(c["evidence"]["p_value"].as_f64().unwrap() < 0.05);
    assert!(c["evidence"]["expected"].as_f64().unwrap() < c["observed"].as_f64().unwrap());
    let (st, html) = text(&epi, &format!("/staff/protection/signals/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(st, 200);
    assert!(
        html.contains("Space-time scan") && html.contains("Districts of the cluster") && html.contains("Kwun Tong")
    );
    // Too few history weeks for Farrington: the evidence says what it needs.
    let ears = signal_json(&epi, "disease=mumps&area=KT&method=ears-c2").await;
    let not_run = &ears["signals"][0]["evidence"]["not_run"][0];
    assert_eq!(not_run["method"], "farrington-flexible", "{ears}");
    assert!(not_run["needed_weeks"].as_u64().unwrap() > 5 * 52);
    app.shutdown().await;
}

fn phos_cli() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_phos"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PHOS_") {
            c.env_remove(k);
        }
    }
    c.env("PHOS_LOG", "warn");
    c
}

/// `phos protection history import` refuses a bad file naming its lines and writing nothing,
/// imports a good one; `phos protection signals run` runs detection and never raises twice.
#[test]
fn history_import_and_signals_run_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("phos-signals-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.to_str().unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "disease,week_start,district,n\nmumps,2025-01-06,KT,2\nmumps,2025-01-07,XX,1.5\n").unwrap();
    let out =
        phos_cli().args(["protection", "history", "import", "--data-dir", data, "--file"]).arg(&bad).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3: week_start 2025-01-07 is a Tuesday, not a Monday"), "{err}");
    assert!(err.contains("line 3: unknown district code \"XX\""), "{err}");
    assert!(err.contains("line 3: n \"1.5\" must be a whole number >= 0"), "{err}");
    assert!(err.contains("nothing imported"), "{err}");

    let this_week = protection::counts::weeks::week_start(kernel::hk::today());
    let mut csv = history_csv(this_week);
    csv.push_str(&format!("mumps,{this_week},KT,12\n"));
    let good = dir.join("good.csv");
    std::fs::write(&good, csv).unwrap();
    let out =
        phos_cli().args(["protection", "history", "import", "--data-dir", data, "--file"]).arg(&good).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("imported {} weekly counts", 2 * 6 * 52 + 1)));

    let week = this_week.to_string();
    let run = || {
        let out = phos_cli()
            .args(["protection", "signals", "run", "--data-dir", data, "--week", &week, "--replicates", "99"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    assert!(first.starts_with(&format!("week starting {week}: ")), "{first}");
    assert!(!first.contains(" 0 new signals"), "{first}");
    let second = run();
    assert!(second.contains(" 0 new signals"), "{second}");
    std::fs::remove_dir_all(&dir).ok();
}
