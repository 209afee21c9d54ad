//! SLA clock use cases: following an instance's steps (called inside the instance's own
//! transaction), recording milestones exactly once with escalation through the outbox (the
//! `workflow.sla-check` job, every minute), shifting running deadlines when a closure is
//! declared (the `workflow.sla-closure` job, subscribed to `closure.declared`), and the reads
//! that the API and worklists use (clocks of an instance, overdue and due-soon clocks, breaches
//! per ISO week).

use kernel::AppState;
use kernel::audit::{Actor, Origin};
use kernel::db::Tx;
use kernel::hk::Closure;
use kernel::hk::calendar::Calendar;
use kernel::i18n::Locale;
use kernel::notify::{self, Channel};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rules::{self, Clock, Office, Pause, Status, Step, Tracked};
use super::store::{self, ClockRow};
use crate::definitions::Definition;
use crate::definitions::timer::Wait;
use crate::mining::store::{LogRow, append};

/// The milestones recorded, in percent of the clock's time.
pub const MILESTONES: [u32; 3] = [50, 75, 100];
/// Milestones at which the escalation role is told.
pub const ESCALATE_AT: [u32; 2] = [75, 100];

/// A name in both languages.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Names {
    pub en: String,
    #[serde(rename = "zh-Hant-HK")]
    pub zh: String,
}

/// A milestone of a clock: when it falls, and when it was recorded.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    pub percent: u32,
    pub due_at: Option<i64>,
    pub reached_at: Option<i64>,
}

/// A deadline moved by a closure declared while the clock ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shift {
    /// When the deadline was moved.
    pub at: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// The closure: its id, kind (`typhoon_8`, `black_rainstorm`…), note and declaration time.
    pub closure: String,
    pub kind: String,
    pub note: String,
    pub declared_at: i64,
}

/// An SLA clock as the API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    pub id: String,
    pub instance_id: String,
    pub process_key: String,
    /// The SLA's id in the definition.
    pub sla: String,
    pub name: Names,
    /// `running`, `paused` or `stopped`.
    pub status: String,
    pub escalate_to: String,
    pub started_at: i64,
    pub stopped_at: Option<i64>,
    /// The deadline (null while paused).
    pub due_at: Option<i64>,
    pub milestones: Vec<MilestoneView>,
    pub shifts: Vec<Shift>,
}

impl From<&ClockRow> for ClockView {
    fn from(c: &ClockRow) -> ClockView {
        ClockView {
            id: c.id.clone(),
            instance_id: c.instance_id.clone(),
            process_key: c.process_key.clone(),
            sla: c.sla_id.clone(),
            name: Names { en: c.name.clone(), zh: c.name_zh.clone().unwrap_or_else(|| c.name.clone()) },
            status: c.status.clone(),
            escalate_to: c.escalate_to.clone(),
            started_at: c.started_at,
            stopped_at: c.stopped_at,
            due_at: c.due_at,
            milestones: vec![
                MilestoneView { percent: 50, due_at: c.m50_at, reached_at: c.reached_50 },
                MilestoneView { percent: 75, due_at: c.m75_at, reached_at: c.reached_75 },
                MilestoneView { percent: 100, due_at: c.due_at, reached_at: c.reached_100 },
            ],
            shifts: serde_json::from_str(&c.shifts).unwrap_or_default(),
        }
    }
}

fn wait_of(kind: &str, amount: i64) -> Wait {
    match kind {
        "business_days" => Wait::BusinessDays(amount as u32),
        "business_hours" => Wait::BusinessHours(amount as u32),
        _ => Wait::Calendar(amount),
    }
}

fn kind_of(w: Wait) -> (&'static str, i64) {
    match w {
        Wait::Calendar(s) => ("calendar", s),
        Wait::BusinessDays(n) => ("business_days", i64::from(n)),
        Wait::BusinessHours(n) => ("business_hours", i64::from(n)),
    }
}

fn pauses_of(json: &str) -> Vec<Pause> {
    let pairs: Vec<(i64, Option<i64>)> = serde_json::from_str(json).unwrap_or_default();
    pairs.into_iter().map(|(from, to)| Pause { from, to }).collect()
}

fn pauses_json(p: &[Pause]) -> String {
    let pairs: Vec<(i64, Option<i64>)> = p.iter().map(|p| (p.from, p.to)).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

fn tracked_of(c: &ClockRow) -> Tracked {
    Tracked {
        status: Status::parse(&c.status).unwrap_or(Status::Stopped),
        started_at: c.started_at,
        pauses: pauses_of(&c.pauses),
        stopped_at: c.stopped_at,
    }
}

/// The district whose closures apply to an instance: its `district` variable, if any.
pub fn district_of(vars: &Value) -> String {
    vars.get("district").and_then(Value::as_str).unwrap_or("").to_string()
}

/// Deadline, 50 % and 75 % instants of a clock (None while paused).
fn deadlines(t: &Tracked, wait: Wait, district: &str, closures: &[Closure]) -> (Option<i64>, Option<i64>, Option<i64>) {
    let calendar = Calendar::hong_kong(closures);
    let clock = Clock { calendar: &calendar, closures, district, office: Office::default(), pauses: &t.pauses };
    let Some(d) = clock.deadline(t.started_at, wait) else { return (None, None, None) };
    let ms = clock.milestones(t.started_at, d.at, wait, &[50, 75]);
    let at = |p: u32| ms.iter().find(|(q, _)| *q == p).map(|(_, at)| *at);
    (Some(d.at), at(50), at(75))
}

/// One step of an instance, for its clocks.
pub struct Moment<'a> {
    pub definition_id: &'a str,
    pub instance: &'a str,
    pub variables: &'a Value,
    pub first: bool,
    pub entered: &'a [&'a str],
    pub waiting: &'a [String],
    pub ended: bool,
    pub now: i64,
}

/// Moves the instance's SLA clocks on by one step, inside the instance's transaction: starts,
/// pauses, resumes and stops them and recomputes their deadlines (on the business calendar,
/// with `closures`). False when a clock was changed meanwhile (by a closure shift): the caller
/// rolls back.
pub async fn track(tx: &mut Tx, def: &Definition, m: &Moment<'_>, closures: &[Closure]) -> sqlx::Result<bool> {
    if def.slas.is_empty() {
        return Ok(true);
    }
    let existing = store::of_instance_in(tx, m.instance).await?;
    let step = Step { first: m.first, entered: m.entered, waiting: m.waiting, ended: m.ended, now: m.now };
    for s in &def.slas {
        let Ok(wait) = s.wait else { continue };
        let row = existing.iter().find(|c| c.sla_id == s.id);
        let before = row.map(tracked_of);
        let Some(t) = rules::track(s, before.as_ref(), &step) else { continue };
        let district = row.map(|r| r.district.clone()).unwrap_or_else(|| district_of(m.variables));
        let wait = row.map(|r| wait_of(&r.wait_kind, r.wait_amount)).unwrap_or(wait);
        let (due, m50, m75) = deadlines(&t, wait, &district, closures);
        match row {
            None => {
                let (wait_kind, wait_amount) = kind_of(wait);
                let c = ClockRow {
                    id: kernel::new_id(),
                    instance_id: m.instance.into(),
                    definition_id: m.definition_id.into(),
                    sla_id: s.id.clone(),
                    name: s.label(false).into(),
                    name_zh: s.name_zh.clone(),
                    escalate_to: s.escalate_to.clone().unwrap_or_default(),
                    wait_kind: wait_kind.into(),
                    wait_amount,
                    status: t.status.code().into(),
                    district,
                    started_at: t.started_at,
                    stopped_at: t.stopped_at,
                    pauses: pauses_json(&t.pauses),
                    due_at: due,
                    m50_at: m50,
                    m75_at: m75,
                    reached_50: None,
                    reached_75: None,
                    reached_100: None,
                    shifts: "[]".into(),
                    updated_at: m.now,
                    process_key: String::new(),
                    version: 0,
                    process_name: None,
                    process_name_zh: None,
                };
                store::insert(tx, &c).await?;
            }
            Some(r) => {
                let next = ClockRow {
                    status: t.status.code().into(),
                    stopped_at: t.stopped_at,
                    pauses: pauses_json(&t.pauses),
                    due_at: due,
                    m50_at: m50,
                    m75_at: m75,
                    updated_at: m.now.max(r.updated_at + 1),
                    ..r.clone()
                };
                if !store::update(tx, &next, r.updated_at).await? {
                    return Ok(false);
                }
            }
        }
    }
    Ok(true)
}

/// The clocks of an instance, for the API.
pub async fn clocks(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<ClockView>> {
    Ok(store::of_instance(db, instance).await?.iter().map(ClockView::from).collect())
}

/// Running clocks whose deadline has passed at `now` (the overdue worklist), soonest first.
pub async fn overdue_instances(db: &kernel::Db, now: i64, limit: i64) -> sqlx::Result<Vec<ClockView>> {
    Ok(store::due_by(db, now, limit).await?.iter().map(ClockView::from).collect())
}

/// Running clocks due by `until` (overdue ones included): the "due soon" worklist.
pub async fn due_soon(db: &kernel::Db, until: i64, limit: i64) -> sqlx::Result<Vec<ClockView>> {
    overdue_instances(db, until, limit).await
}

/// Breaches per ISO week, process and SLA, for deadlines in `[from, to)`.
pub async fn breach_trends(db: &kernel::Db, from: i64, to: i64) -> sqlx::Result<Vec<rules::WeekBreaches>> {
    Ok(rules::breaches_by_week(&store::breaches(db, from, to).await?))
}

fn show_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&kernel::hk::tz()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// Records the milestones due at `now` (each once, whichever replica gets there first: a
/// conditional UPDATE), each with an event in the log and an audit entry; at 75 % and 100 %
/// tells every active member of staff holding the escalation role through the outbox. Returns
/// how many milestones were recorded.
pub async fn check(state: &AppState, now: i64) -> anyhow::Result<usize> {
    let db = &state.db;
    let due = store::with_due_milestones(db, now, 500).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let staff = kernel::identity::staff::list(db).await?;
    let mut recorded = 0;
    for c in due {
        let vars: Value = store::instance_variables(db, &c.instance_id)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or(Value::Null);
        // Staff have no language of their own in the kernel: the case's (`language`), else English.
        let locale = vars.get("language").and_then(Value::as_str).and_then(Locale::parse).unwrap_or_default();
        let recipients: Vec<&str> = staff
            .iter()
            .filter(|s| s.status == "active" && s.roles.iter().any(|r| r.code() == c.escalate_to))
            .map(|s| s.email.as_str())
            .collect();
        let mut tx = db.begin().await?;
        let mut won = Vec::new();
        for (p, at, reached) in
            [(50, c.m50_at, c.reached_50), (75, c.m75_at, c.reached_75), (100, c.due_at, c.reached_100)]
        {
            if reached.is_none() && at.is_some_and(|a| a <= now) && store::reach(&mut tx, &c.id, p, now).await? {
                won.push(p);
            }
        }
        if won.is_empty() {
            tx.rollback().await?;
            continue;
        }
        for &p in &won {
            let data = serde_json::json!({ "sla": c.sla_id, "milestone": p, "due_at": c.due_at });
            append(
                &mut tx,
                &LogRow {
                    id: kernel::new_id(),
                    instance_id: c.instance_id.clone(),
                    definition_key: c.process_key.clone(),
                    definition_version: c.version,
                    node_id: format!("sla:{}", c.sla_id),
                    activity: format!("SLA {} {p}%", c.name),
                    lifecycle: "complete".into(),
                    actor: Some("system".into()),
                    role: None,
                    at: now,
                    data: data.to_string(),
                },
            )
            .await?;
            let escalate = ESCALATE_AT.contains(&p);
            if escalate {
                let zh = locale == Locale::ZhHant;
                let sla = if zh { c.name_zh.clone().unwrap_or_else(|| c.name.clone()) } else { c.name.clone() };
                let process =
                    if zh { c.process_name_zh.clone().or(c.process_name.clone()) } else { c.process_name.clone() }
                        .unwrap_or_else(|| c.process_key.clone());
                let percent = p.to_string();
                let due = c.due_at.map(show_time).unwrap_or_default();
                let link = format!("{}/api/v1/workflow/instances/{}", state.config.base_url(), c.instance_id);
                let values = [
                    ("percent", percent.as_str()),
                    ("sla", sla.as_str()),
                    ("process", process.as_str()),
                    ("instance", c.instance_id.as_str()),
                    ("due", due.as_str()),
                    ("link", link.as_str()),
                ];
                let msgs: Vec<notify::Message> = recipients
                    .iter()
                    .map(|to| notify::Message {
                        channel: Channel::Email,
                        recipient: to,
                        locale,
                        template: "workflow-sla-escalation",
                        values: &values,
                    })
                    .collect();
                if !msgs.is_empty() {
                    notify::enqueue_many(&mut tx, &msgs).await?;
                }
            }
            let detail = if escalate {
                format!("{} {p}% (to {} {})", c.sla_id, recipients.len(), c.escalate_to)
            } else {
                format!("{} {p}%", c.sla_id)
            };
            kernel::audit::record(
                db,
                &mut tx,
                &Actor::System,
                &Origin::system(),
                kernel::audit::Event::new("workflow.sla.milestone", "workflow_sla_clock", &c.id).detail(&detail),
            )
            .await?;
        }
        tx.commit().await?;
        recorded += won.len();
    }
    if recorded > 0 {
        state.wake_worker();
    }
    Ok(recorded)
}

/// The closures that can bear on clocks running around `now`.
pub async fn closures_around(db: &kernel::Db, now: i64) -> sqlx::Result<Vec<Closure>> {
    kernel::hk::store::closures_between(db, now - 400 * 86_400_000, now + 400 * 86_400_000).await
}

/// A closure was declared: recomputes the deadline of every running clock it applies to, and
/// keeps the reason with each one it moved (audited). Returns how many clocks moved.
pub async fn on_closure(db: &kernel::Db, closure_id: &str, now: i64) -> anyhow::Result<usize> {
    let Some(cl) = kernel::hk::store::closure(db, closure_id).await? else { return Ok(0) };
    let closures = closures_around(db, now).await?;
    let mut moved = 0;
    for c in store::live(db).await? {
        if cl.district.as_deref().is_some_and(|d| d != c.district) {
            continue;
        }
        let t = tracked_of(&c);
        let (due, m50, m75) = deadlines(&t, wait_of(&c.wait_kind, c.wait_amount), &c.district, &closures);
        if due == c.due_at {
            continue;
        }
        let mut shifts: Vec<Shift> = serde_json::from_str(&c.shifts).unwrap_or_default();
        shifts.push(Shift {
            at: now,
            from: c.due_at,
            to: due,
            closure: cl.id.clone(),
            kind: cl.kind.code().into(),
            note: cl.note.clone(),
            declared_at: cl.created_at,
        });
        let next = ClockRow {
            due_at: due,
            m50_at: m50,
            m75_at: m75,
            shifts: serde_json::to_string(&shifts).unwrap_or_else(|_| "[]".into()),
            updated_at: now.max(c.updated_at + 1),
            ..c.clone()
        };
        let mut tx = db.begin().await?;
        if !store::update(&mut tx, &next, c.updated_at).await? {
            // The instance moved it meanwhile, with every closure known then.
            tx.rollback().await?;
            continue;
        }
        let detail = format!(
            "{} {}: {} -> {}",
            cl.kind.code(),
            cl.id,
            c.due_at.map(show_time).unwrap_or_default(),
            due.map(show_time).unwrap_or_default()
        );
        kernel::audit::record(
            db,
            &mut tx,
            &Actor::System,
            &Origin::system(),
            kernel::audit::Event::new("workflow.sla.shift", "workflow_sla_clock", &c.id).detail(&detail),
        )
        .await?;
        tx.commit().await?;
        moved += 1;
    }
    Ok(moved)
}
