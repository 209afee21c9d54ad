//! Signals, the IO part: the daily detection run (every active disease × area with its
//! configured methods, and the space-time scan), the duty officer's summary through the outbox,
//! triage decisions (one transaction each, audited, the duty officer told), and the import of
//! past weekly counts from a legacy system.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{Duration, NaiveDate};
use kernel::audit::{self, Actor, Event, Origin};
use kernel::i18n::Locale;
use kernel::jobs::{JobCtx, JobError, Registry};
use kernel::notify::{self, Channel, Message};
use kernel::web::FieldError;
use kernel::{Db, Tx};
use serde::{Deserialize, Serialize};

use super::{self as signals, Alarm, HistoryRow, ScanSettings, TERRITORY};
use super::{Signal, SignalRun, store};
use crate::catalogue::{self, Disease};
use crate::clusters::{self, NewCluster};
use crate::counts::weeks;

pub const RUN_JOB: &str = "protection.signals";
/// The setting holding the duty officer's e-mail addresses and language.
pub const DUTY_SETTING: &str = "protection.duty_officer";

pub fn jobs(r: &mut Registry) {
    r.handle(RUN_JOB, run_job);
    // 07:00 Hong Kong time, after the night's notifications are in.
    r.every("protection.signals-daily", "0 0 7 * * *", RUN_JOB, serde_json::json!({}));
}

/// What the job's payload may change (tests and the CLI use it).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct RunPayload {
    /// Monte Carlo replicates of the scan (default 999).
    #[serde(default)]
    pub replicates: Option<usize>,
    /// The latest complete week to evaluate (a Monday; default last week).
    #[serde(default)]
    pub week: Option<NaiveDate>,
}

async fn run_job(ctx: JobCtx, payload: serde_json::Value) -> Result<(), JobError> {
    let p: RunPayload = serde_json::from_value(payload).map_err(|e| JobError::Permanent(format!("payload: {e}")))?;
    let mut opts = RunOptions { last_week: p.week, ..Default::default() };
    if let Some(r) = p.replicates {
        opts.scan.replicates = r;
    }
    let s = run(&ctx.state.db, &opts, &Actor::System, &Origin::system()).await?;
    tracing::info!(raised = s.raised.len(), series = s.series, ms = s.milliseconds, "signals run");
    Ok(())
}

/// How to run detection.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The latest complete week (a Monday); default the week before this one in Hong Kong.
    pub last_week: Option<NaiveDate>,
    /// Weeks at the end of the series that may raise signals (default 1: the latest).
    pub recent_weeks: usize,
    pub scan: ScanSettings,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { last_week: None, recent_weeks: 1, scan: ScanSettings::default() }
    }
}

/// What one run did.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub id: String,
    pub week_start: String,
    pub series: usize,
    pub weeks_evaluated: usize,
    /// Alarms found (new or already known).
    pub alarms: usize,
    /// Ids of the signals this run created (alarms already known are not raised twice).
    pub raised: Vec<String>,
    /// Methods that could not run on a series for want of history (each says so in its evidence).
    pub not_run: usize,
    pub milliseconds: i64,
}

/// The latest complete week: the Monday before this week's.
pub fn latest_complete_week(today: NaiveDate) -> NaiveDate {
    weeks::week_start(today) - Duration::weeks(1)
}

/// The pure part of a run over loaded rows: every alarm, the number of series and of methods
/// that could not run.
fn compute(
    diseases: &[Disease],
    rows: &[HistoryRow],
    first: NaiveDate,
    last: NaiveDate,
    opts: &RunOptions,
) -> (Vec<Alarm>, usize, usize) {
    let mut by_disease: BTreeMap<&str, Vec<(NaiveDate, String, i64)>> = BTreeMap::new();
    for (d, w, k, n) in rows {
        if let Ok(week) = w.parse::<NaiveDate>() {
            by_disease.entry(d.as_str()).or_default().push((week, k.clone(), *n));
        }
    }
    let mut alarms = vec![];
    let (mut series, mut not_run) = (0, 0);
    for d in diseases.iter().filter(|d| d.active) {
        let Some(rows) = by_disease.get(d.code.as_str()) else { continue };
        // The series starts with the disease's first counted week: weeks before any data are
        // unknown, not zeros (a method short of history says so instead of fitting zeros).
        let start = rows.iter().map(|r| r.0).min().unwrap_or(first).max(first);
        let areas = signals::area_series(rows, start, last);
        for (area, counts) in &areas {
            series += 1;
            if counts.iter().all(|v| *v == 0.0) {
                continue;
            }
            let (a, n) = signals::detect(&d.code, area, start, counts, &d.detection, opts.recent_weeks);
            alarms.extend(a);
            not_run += n.len();
        }
        if opts.scan.replicates > 0 && d.detection.methods.iter().any(|m| m != "threshold") {
            match signals::scan(&d.code, start, &areas, d.detection.threshold_min, &opts.scan) {
                Ok(a) => alarms
                    .extend(a.into_iter().filter(|a| a.week_start > last - Duration::weeks(opts.recent_weeks as i64))),
                Err(e) => tracing::warn!(disease = %d.code, error = %e, "scan failed"),
            }
        }
    }
    (alarms, series, not_run)
}

/// Runs detection for every active disease × area and the scan, inserts the new signals (an
/// alarm already raised for the same disease, area, method and week is not raised again),
/// records the run, and sends the duty officer one summary of the new signals, all in one
/// transaction.
pub async fn run(db: &Db, opts: &RunOptions, actor: &Actor, origin: &Origin) -> anyhow::Result<RunSummary> {
    kernel::i18n::register_catalogue(&crate::CATALOGUE);
    let started = Instant::now();
    let started_at = kernel::now_ms();
    let last = opts.last_week.map(weeks::week_start).unwrap_or_else(|| latest_complete_week(kernel::hk::today()));
    let diseases = catalogue::store::diseases(db).await?;
    let years = diseases.iter().filter_map(|d| d.detection.baseline_years).max().unwrap_or(5).clamp(1, 20);
    let first = last - Duration::weeks((years + 1) * 52 + signals::SHOWN_WEEKS as i64);
    let rows = store::detection_counts(db, &first.to_string(), &last.to_string()).await?;
    let weeks_evaluated = signals::weeks_between(first, last);
    let (alarms, series, not_run) = {
        let (diseases, opts) = (diseases.clone(), opts.clone());
        tokio::task::spawn_blocking(move || compute(&diseases, &rows, first, last, &opts)).await?
    };
    let run_id = kernel::new_id();
    let mut tx = db.begin().await?;
    let mut raised = vec![];
    let at = kernel::now_ms();
    for a in &alarms {
        let id = kernel::new_id();
        let evidence = a.evidence.to_string();
        let week = a.week_start.to_string();
        let new = store::NewSignal {
            id: &id,
            disease: &a.disease,
            area: &a.area,
            method: &a.method,
            week_start: &week,
            observed: a.observed,
            upperbound: a.upperbound,
            evidence: &evidence,
            run_id: &run_id,
            at,
        };
        if store::insert_signal(&mut tx, &new).await? {
            store::insert_signal_event(&mut tx, &id, None, "new", "", actor.id(), at).await?;
            raised.push(id);
        }
    }
    let ms = started.elapsed().as_millis() as i64;
    let by = actor.id().to_string();
    let record = SignalRun {
        id: run_id.clone(),
        started_at,
        week_start: last.to_string(),
        weeks_evaluated: weeks_evaluated as i64,
        series: series as i64,
        signals_raised: raised.len() as i64,
        milliseconds: ms,
        started_by: by,
    };
    store::insert_signal_run(&mut tx, &record).await?;
    let detail = format!("week {last}: {} alarms, {} new signals", alarms.len(), raised.len());
    audit::record(db, &mut tx, actor, origin, Event::new("signals.run", "signal_run", &run_id).detail(&detail)).await?;
    if !raised.is_empty() {
        tell_duty_officer_of_run(db, &mut tx, &diseases, &raised, &last.to_string()).await?;
    }
    tx.commit().await?;
    Ok(RunSummary {
        id: run_id,
        week_start: last.to_string(),
        series,
        weeks_evaluated,
        alarms: alarms.len(),
        raised,
        not_run,
        milliseconds: ms,
    })
}

/// The duty officer: who is told of new signals and triage decisions, and in which language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DutyOfficer {
    pub emails: Vec<String>,
    /// `en` or `zh-Hant-HK`.
    pub locale: String,
}

impl DutyOfficer {
    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or(Locale::En)
    }
}

pub async fn duty_officer(db: &Db) -> sqlx::Result<DutyOfficer> {
    Ok(kernel::settings::get(db, DUTY_SETTING)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or(DutyOfficer { emails: vec![], locale: "en".into() }))
}

/// Parses the duty-officer form: e-mails separated by commas, spaces or new lines, each a
/// staff account's; a language among `en` and `zh-Hant-HK`.
pub async fn parse_duty_officer(db: &Db, emails: &str, locale: &str) -> sqlx::Result<Result<DutyOfficer, FieldError>> {
    let mut list: Vec<String> = vec![];
    for e in emails.split([',', ';', ' ', '\n', '\r', '\t']).map(str::trim).filter(|s| !s.is_empty()) {
        let e = e.to_lowercase();
        if kernel::identity::staff::by_email(db, &e).await?.is_none() {
            return Ok(Err(FieldError::new("emails", "not_staff_email", &[("value", e.chars().take(80).collect())])));
        }
        if !list.contains(&e) {
            list.push(e);
        }
    }
    if list.len() > 10 {
        return Ok(Err(FieldError::new("emails", "too_many", &[("max", "10".into())])));
    }
    if Locale::parse(locale).is_none() {
        return Ok(Err(FieldError::new("locale", "invalid_choice", &[])));
    }
    Ok(Ok(DutyOfficer { emails: list, locale: Locale::parse(locale).unwrap_or(Locale::En).tag().to_string() }))
}

/// Saves the duty officer, audited.
pub async fn save_duty_officer(db: &Db, duty: &DutyOfficer, actor: &Actor, origin: &Origin) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    kernel::settings::set(&mut tx, DUTY_SETTING, &serde_json::to_string(duty)?).await?;
    let detail = format!("{} ({})", duty.emails.join(", "), duty.locale);
    audit::record(
        db,
        &mut tx,
        actor,
        origin,
        Event::new("signals.duty_officer", "setting", DUTY_SETTING).detail(&detail),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An area's name in `locale`: a district, or the territory.
pub fn area_name(code: &str, locale: Locale) -> String {
    if code == TERRITORY {
        locale.t("prot-sig-area-hk")
    } else {
        kernel::hk::district(code).map(|d| d.name(locale).to_string()).unwrap_or_else(|| code.to_string())
    }
}

/// One line of a summary: disease, area, method, week and count.
fn signal_line(diseases: &[Disease], s: &Signal, locale: Locale) -> String {
    format!(
        "- {} · {} · {} · {} {}: {}",
        catalogue::disease_name(diseases, &s.disease, locale == Locale::ZhHant),
        area_name(&s.area, locale),
        locale.t(&format!("prot-sig-method-{}", s.method)),
        locale.t("prot-sig-week"),
        s.week_start,
        s.observed
    )
}

async fn tell_duty_officer_of_run(
    db: &Db,
    tx: &mut Tx,
    diseases: &[Disease],
    ids: &[String],
    week: &str,
) -> anyhow::Result<()> {
    let duty = duty_officer(db).await?;
    if duty.emails.is_empty() {
        return Ok(());
    }
    let signals = store::signals_by_ids_in(tx, ids).await?;
    let locale = duty.locale();
    let list: Vec<String> = signals.iter().take(50).map(|s| signal_line(diseases, s, locale)).collect();
    let mut list = list.join("\n");
    if signals.len() > 50 {
        list.push_str(&format!("\n… (+{})", signals.len() - 50));
    }
    let count = signals.len().to_string();
    let values = [
        ("count", count.as_str()),
        ("week", week),
        ("list", list.as_str()),
        ("link", "/staff/protection/signals?status=new"),
    ];
    let msgs: Vec<Message> = duty
        .emails
        .iter()
        .map(|e| Message {
            channel: Channel::Email,
            recipient: e,
            locale,
            template: "protection-signals-raised",
            values: &values,
        })
        .collect();
    notify::enqueue_many(tx, &msgs).await?;
    Ok(())
}

/// A triage decision as a form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TriageInput {
    /// `assessing`, `outbreak` or `dismissed`.
    #[serde(default)]
    pub status: String,
    /// Required to dismiss; kept with the decision otherwise.
    #[serde(default)]
    pub reason: String,
    /// The signal's version as read: a stale version is refused.
    #[serde(default)]
    pub version: i64,
    /// For `outbreak`: an existing cluster's reference to link; empty opens a new cluster.
    #[serde(default)]
    pub cluster: String,
    /// Links the signal to a cluster of another disease; without it that link is refused (a
    /// slip in the list of open clusters must not merge two outbreaks).
    #[serde(default)]
    pub other_disease: bool,
}

/// Why a triage decision was refused.
#[derive(Debug)]
pub enum TriageError {
    NotFound,
    /// Someone decided since the form was read.
    Stale(Box<Signal>),
    Invalid(Vec<FieldError>),
    Other(anyhow::Error),
}

impl<E: Into<anyhow::Error>> From<E> for TriageError {
    fn from(e: E) -> Self {
        TriageError::Other(e.into())
    }
}

/// Decides on a signal: checks the move and the reason, opens or links a cluster for an
/// outbreak, writes the decision with its history and audit entry, and tells the duty officer,
/// in one transaction.
pub async fn triage(
    db: &Db,
    id: &str,
    input: &TriageInput,
    actor: &Actor,
    origin: &Origin,
) -> Result<Signal, TriageError> {
    let signal = store::signal(db, id).await?.ok_or(TriageError::NotFound)?;
    if input.version != signal.version {
        return Err(TriageError::Stale(Box::new(signal)));
    }
    let mut errors = vec![];
    let to = input.status.trim();
    if !signals::can_move(&signal.status, to) {
        errors.push(FieldError::new("status", "invalid_choice", &[]));
    }
    let reason = input.reason.trim().to_string();
    if to == "dismissed" && reason.is_empty() {
        errors.push(FieldError::new("reason", "required", &[]));
    }
    if reason.chars().count() > 1000 {
        errors.push(FieldError::new("reason", "too_long", &[("max", "1000".into())]));
    }
    let wanted = input.cluster.trim().to_uppercase();
    let existing = if to == "outbreak" && !wanted.is_empty() {
        match clusters::store::cluster_by_reference(db, &wanted).await? {
            Some(c) if c.status == "open" => {
                let same = c.disease.as_deref().is_none_or(|d| d == signal.disease);
                if !same && !input.other_disease {
                    errors.push(FieldError::new("cluster", "cluster_other_disease", &[("value", c.reference.clone())]));
                }
                Some(c)
            }
            Some(_) => {
                errors.push(FieldError::new("cluster", "cluster_closed", &[]));
                None
            }
            None => {
                errors.push(FieldError::new(
                    "cluster",
                    "unknown_cluster",
                    &[("value", wanted.chars().take(30).collect())],
                ));
                None
            }
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(TriageError::Invalid(errors));
    }
    let diseases = catalogue::store::diseases(db).await?;
    let duty = duty_officer(db).await?;
    let by = actor.id().to_string();
    // The duty officer reads a name, not an id.
    let by_name = match actor {
        Actor::Staff(id) => kernel::identity::staff::by_id(db, id).await?.map(|u| u.display_name).unwrap_or(by.clone()),
        other => other.id().to_string(),
    };
    let mut tx = db.begin().await?;
    let mut cluster_ref = existing.as_ref().map(|c| c.reference.clone());
    let mut cluster_id = existing.as_ref().map(|c| c.id.clone());
    if to == "outbreak" && existing.is_none() {
        let name = format!(
            "{} · {} · {}",
            catalogue::disease_name(&diseases, &signal.disease, false),
            area_name(&signal.area, Locale::En),
            signal.week_start
        );
        let description = if reason.is_empty() { format!("@signal {}", signal.id) } else { reason.clone() };
        let new =
            NewCluster { name: &name, disease: Some(&signal.disease), setting: "unknown", description: &description };
        let (cid, reference) = clusters::service::open_in(db, &mut tx, actor, origin, &new).await?;
        cluster_ref = Some(reference);
        cluster_id = Some(cid);
    }
    if !store::update_signal(&mut tx, &signal.id, signal.version, to, &reason, cluster_id.as_deref()).await? {
        tx.rollback().await?;
        let now = store::signal(db, id).await?.ok_or(TriageError::NotFound)?;
        return Err(TriageError::Stale(Box::new(now)));
    }
    let at = kernel::now_ms();
    store::insert_signal_event(&mut tx, &signal.id, Some(&signal.status), to, &reason, &by, at).await?;
    let mut detail = format!("{} -> {to}", signal.status);
    if let Some(r) = &cluster_ref {
        detail.push_str(&format!(" ({r})"));
    }
    if !reason.is_empty() {
        detail.push_str(&format!(": {reason}"));
    }
    audit::record(db, &mut tx, actor, origin, Event::new("signal.triage", "signal", &signal.id).detail(&detail))
        .await?;
    if !duty.emails.is_empty() {
        let locale = duty.locale();
        let line = signal_line(&diseases, &signal, locale);
        let to_label = locale.t(&format!("prot-sig-status-{to}"));
        let link = format!("/staff/protection/signals/{}", signal.id);
        let cluster = cluster_ref.clone().unwrap_or_else(|| "–".into());
        let reason_text = if reason.is_empty() { "–".to_string() } else { reason.clone() };
        let values = [
            ("signal", line.as_str()),
            ("status", to_label.as_str()),
            ("reason", reason_text.as_str()),
            ("by", by_name.as_str()),
            ("cluster", cluster.as_str()),
            ("link", link.as_str()),
        ];
        let msgs: Vec<Message> = duty
            .emails
            .iter()
            .map(|e| Message {
                channel: Channel::Email,
                recipient: e,
                locale,
                template: "protection-signal-triaged",
                values: &values,
            })
            .collect();
        notify::enqueue_many(&mut tx, &msgs).await?;
    }
    tx.commit().await?;
    store::signal(db, id).await?.ok_or(TriageError::NotFound)
}

/// Imports past weekly counts from CSV text (`disease,week_start,district,n`): every line is
/// checked first, and one bad line writes nothing. Returns the rows written.
pub async fn import_history(
    db: &Db,
    csv: &str,
    actor: &Actor,
    origin: &Origin,
) -> anyhow::Result<Result<usize, Vec<String>>> {
    let diseases: BTreeSet<String> = catalogue::store::diseases(db).await?.into_iter().map(|d| d.code).collect();
    let rows = match signals::parse_history(csv, &diseases) {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    write_history(db, &rows, actor, origin).await?;
    Ok(Ok(rows.len()))
}

/// Writes history rows in one transaction, audited.
pub async fn write_history(db: &Db, rows: &[HistoryRow], actor: &Actor, origin: &Origin) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    store::upsert_history(&mut tx, rows).await?;
    let detail = format!("{} rows", rows.len());
    audit::record(db, &mut tx, actor, origin, Event::new("signals.history_import", "history", "-").detail(&detail))
        .await?;
    tx.commit().await?;
    Ok(())
}
