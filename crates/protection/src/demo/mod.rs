//! The demo world's health protection: twelve weeks of notifications of common diseases (some
//! merged: a laboratory confirming a doctor's notification, a second doctor notifying the same
//! person), reclassifications, a measles outbreak at a school with a transmission chain and
//! contacts under daily follow-up, a food-poisoning cluster, and cases assigned to the demo
//! epidemiologists while the rest stay unassigned. Deterministic by seed; the people are the
//! synthetic citizens passed in (fictitious). Idempotent: nothing is added twice.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use kernel::AppState;
use kernel::audit::{Actor, Origin};

use crate::cases::store::NewContact;
use crate::cases::{self, Case, Classification};
use crate::catalogue::{self, Disease, FieldKind};
use crate::clusters::Cluster;
use crate::notifications::Channel;
use crate::notifications::service::{self as intake, Outcome, Reporter};
use crate::notifications::validate::{self, LabIn, NotificationIn, PatientIn};
use crate::{assignments, clusters, signals};

pub mod store;

/// A fictitious person to notify about.
#[derive(Clone, Debug)]
pub struct DemoPerson {
    pub name_en: String,
    pub name_zh: String,
    pub sex: String,
    pub birth_date: NaiveDate,
    pub hkid: String,
    pub district: String,
    pub phone: Option<String>,
}

#[derive(Debug, Default)]
pub struct DemoReport {
    pub notifications: usize,
    pub cases: usize,
    pub already_seeded: bool,
}

/// SplitMix64: small, deterministic, good enough for demo data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Poisson by Knuth's method (small means).
    fn poisson(&mut self, mean: f64) -> usize {
        let l = (-mean).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.unit();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
}

/// Mean notifications per day of the background diseases.
const BACKGROUND: [(&str, f64); 16] = [
    ("chickenpox", 2.6),
    ("covid_19", 1.4),
    ("tuberculosis", 1.0),
    ("scarlet_fever", 0.7),
    ("viral_hepatitis", 0.3),
    ("food_poisoning", 0.25),
    ("ca_mrsa", 0.25),
    ("mumps", 0.2),
    ("ipd", 0.15),
    ("dengue_fever", 0.12),
    ("bacillary_dysentery", 0.08),
    ("typhus_rickettsial", 0.06),
    ("legionnaires_disease", 0.05),
    ("malaria", 0.05),
    ("leptospirosis", 0.04),
    ("typhoid_fever", 0.03),
];

fn answer(rng: &mut Rng, key: &str, kind: FieldKind, onset: NaiveDate) -> String {
    match kind {
        FieldKind::Date => onset.to_string(),
        FieldKind::YesNo => if rng.chance(0.3) { "yes" } else { "no" }.into(),
        FieldKind::Number => (2 + rng.below(10)).to_string(),
        FieldKind::Text => match key {
            "travel_history" => {
                ["None", "Bangkok, 10 days before onset", "Manila, 2 weeks before onset", "Shenzhen, day trips"]
                    [rng.below(4)]
                .into()
            }
            "site_of_disease" => if rng.chance(0.8) { "pulmonary" } else { "extrapulmonary" }.into(),
            "sputum_smear" => if rng.chance(0.5) { "positive" } else { "negative" }.into(),
            "hepatitis_type" => ["A", "B", "C", "E"][rng.below(4)].into(),
            "food_premises" => {
                ["Chinese restaurant, Mong Kok", "School canteen", "Wedding banquet, Tsuen Wan"][rng.below(3)].into()
            }
            "food_eaten" => ["Raw oysters at dinner", "Roast meat rice at lunch", "Sandwiches"][rng.below(3)].into(),
            "institution" => ["Primary school", "Kindergarten", "Residential care home"][rng.below(3)].into(),
            "occupation" => ["Clerk", "Construction worker", "Nurse", "Student", "Retired"][rng.below(5)].into(),
            _ => "Not known".into(),
        },
    }
}

fn patient(p: &DemoPerson, with_hkid: bool) -> PatientIn {
    PatientIn {
        hkid: with_hkid.then(|| p.hkid.clone()),
        name_en: Some(p.name_en.clone()),
        name_zh: Some(p.name_zh.clone()),
        sex: Some(p.sex.clone()),
        birth_date: Some(p.birth_date.to_string()),
        phone: p.phone.clone(),
        address: Some(format!(
            "Flat {}, Demo Building, {}",
            1 + p.name_en.len() % 30,
            kernel::hk::district(&p.district).map(|d| d.name_en.as_str()).unwrap_or("Hong Kong")
        )),
        district: Some(p.district.clone()),
    }
}

// One argument per trait of the synthetic notification, all different; a struct would only
// rename them at each of the dozen calls.
#[allow(clippy::too_many_arguments)]
fn notification(
    rng: &mut Rng,
    d: &Disease,
    p: &DemoPerson,
    onset: NaiveDate,
    lab: bool,
    classification: &str,
    setting: &str,
    with_hkid: bool,
) -> NotificationIn {
    let mut fields = BTreeMap::new();
    for f in &d.form_fields {
        if f.required || rng.chance(0.5) {
            fields.insert(f.key.clone(), serde_json::Value::String(answer(rng, &f.key, f.kind, onset)));
        }
    }
    NotificationIn {
        disease: Some(d.code.clone()),
        kind: Some(if lab { "laboratory" } else { "clinical" }.into()),
        classification: Some(classification.into()),
        patient: patient(p, with_hkid),
        onset_date: (!lab).then(|| onset.to_string()),
        exposure_setting: Some(setting.into()),
        lab: lab.then(|| LabIn {
            test: Some(if d.code == "tuberculosis" { "Culture" } else { "PCR" }.into()),
            specimen_date: Some((onset + Duration::days(1)).to_string()),
            result: Some("positive".into()),
            organism: Some(d.name_en.clone()),
        }),
        fields,
        ..Default::default()
    }
}

/// When, in milliseconds, `day` at `hour`:`minute` Hong Kong time.
fn at(day: NaiveDate, hour: u32, minute: u32) -> i64 {
    day.and_hms_opt(hour, minute.min(59), 0)
        .and_then(|t| t.and_local_timezone(kernel::hk::tz()).single())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0)
}

async fn staff_id(state: &AppState, email: &str) -> anyhow::Result<Option<String>> {
    Ok(kernel::identity::staff::by_email(&state.db, email).await?.map(|u| u.id))
}

/// What every step of the seeding shares.
struct Demo<'a> {
    state: &'a AppState,
    diseases: Vec<Disease>,
    /// Adults and children born well before the notifications.
    people: &'a [DemoPerson],
    clinic: Reporter,
    lab: Reporter,
    system: Actor,
    today: NaiveDate,
}

impl Demo<'_> {
    fn disease(&self, code: &str) -> Option<Disease> {
        self.diseases.iter().find(|d| d.code == code).cloned()
    }

    fn pick(&self, rng: &mut Rng) -> DemoPerson {
        self.people[rng.below(self.people.len())].clone()
    }

    /// Submits notifications received on one day; returns the case references, in order.
    async fn submit(
        &self,
        reporter: &Reporter,
        items: Vec<NotificationIn>,
        day: NaiveDate,
        hour: u32,
        report: &mut DemoReport,
    ) -> anyhow::Result<Vec<String>> {
        if items.is_empty() {
            return Ok(vec![]);
        }
        let today = kernel::hk::today();
        let checked: Vec<_> = items.iter().map(|n| validate::validate(n, &self.diseases, today)).collect();
        if let Some(Err(e)) = checked.iter().find(|c| c.is_err()) {
            anyhow::bail!("demo notification does not validate: {e:?}");
        }
        let out = intake::submit(
            self.state,
            &intake::Submission {
                diseases: &self.diseases,
                reporter,
                channel: Channel::Demo,
                actor: &self.system,
                origin: &Origin::system(),
                received_at: at(day, hour, 0),
                atomic: false,
            },
            checked,
        )
        .await?;
        let mut refs = vec![];
        for o in out {
            match o {
                Outcome::Created(a) => {
                    report.notifications += 1;
                    if !a.merged {
                        report.cases += 1;
                    }
                    refs.push(a.case_reference);
                }
                Outcome::Replayed(a) => refs.push(a.case_reference),
                Outcome::Rejected(e) => anyhow::bail!("demo notification refused: {e:?}"),
            }
        }
        Ok(refs)
    }
}

/// Seeds the demo's health-protection data.
pub async fn seed(state: &AppState, seed: u64, people: &[DemoPerson]) -> anyhow::Result<DemoReport> {
    let mut report = DemoReport::default();
    if store::has_demo_notifications(&state.db).await? {
        report.already_seeded = true;
        return Ok(report);
    }
    let today = kernel::hk::today();
    // Adults and children born well before the notifications (synthetic birth dates can be recent).
    let people: Vec<DemoPerson> =
        people.iter().filter(|p| p.birth_date < today - Duration::days(400)).cloned().collect();
    if people.len() < 50 {
        return Ok(report);
    }
    crate::seed_reference(&state.db).await?;
    let mut rng = Rng(seed ^ 0x5052_4f54_4543_5430);
    let doctor_id = staff_id(state, "reporter@phos.example").await?;
    let cx = Demo {
        state,
        diseases: catalogue::store::diseases(&state.db).await?,
        people: &people,
        clinic: Reporter {
            kind: if doctor_id.is_some() { "staff" } else { "system" },
            id: doctor_id.unwrap_or_else(|| "demo-doctor".into()),
            name: "Dr Demo Chan".into(),
            institution: "Demo Family Clinic".into(),
        },
        lab: Reporter {
            kind: "system",
            id: "demo-laboratory".into(),
            name: "Duty pathologist".into(),
            institution: "Demo Pathology Laboratory".into(),
        },
        system: Actor::System,
        today,
    };
    let epi = staff_id(state, "epidemiologist@phos.example").await?;
    let lead = staff_id(state, "lead.epidemiologist@phos.example").await?;
    let epi_actor = epi.clone().map(Actor::Staff).unwrap_or(Actor::System);
    let (confirmable, tb_cases) = background(&cx, &mut rng, &mut report).await?;
    investigate(&cx, &epi_actor, &confirmable).await?;
    let cluster = measles_outbreak(&cx, &mut rng, &mut report).await?;
    let fp = food_poisoning(&cx, &mut rng, &mut report).await?;
    assign(&cx, epi.as_deref(), lead.as_deref(), &cluster, &fp, &tb_cases).await?;
    Ok(report)
}

/// Twelve weeks of background notifications, one intake per day (and one for laboratories).
/// Returns some case references to work on, and a few to assign (tuberculosis or not).
async fn background(
    cx: &Demo<'_>,
    rng: &mut Rng,
    report: &mut DemoReport,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let mut confirmable: Vec<String> = vec![];
    let mut tb_cases: Vec<String> = vec![];
    for back in (1..=84).rev() {
        let day = cx.today - Duration::days(back);
        let mut clinical = vec![];
        let mut labs = vec![];
        for (code, mean) in BACKGROUND {
            let Some(d) = cx.disease(code) else { continue };
            // A gentle seasonal swell for chickenpox and scarlet fever in the most recent weeks.
            let mean = if matches!(code, "chickenpox" | "scarlet_fever") && back < 30 { mean * 1.5 } else { mean };
            for _ in 0..rng.poisson(mean) {
                let p = cx.pick(rng);
                let onset = day - Duration::days(rng.below(4) as i64);
                let with_hkid = rng.chance(0.85);
                let setting = if code == "food_poisoning" {
                    "food_premises"
                } else if code == "dengue_fever" {
                    "travel"
                } else {
                    "unknown"
                };
                if rng.chance(0.25) {
                    labs.push(notification(rng, &d, &p, onset, true, "confirmed", setting, with_hkid));
                } else {
                    let class = if rng.chance(0.75) { "suspected" } else { "probable" };
                    clinical.push(notification(rng, &d, &p, onset, false, class, setting, with_hkid));
                    // Sometimes the laboratory confirms it a day later: merged into the same case.
                    if rng.chance(0.12) && back > 1 {
                        labs.push(notification(rng, &d, &p, onset, true, "confirmed", setting, with_hkid));
                    }
                    // Sometimes a second doctor notifies the same person (HKID, else name + birth + sex).
                    if rng.chance(0.04) {
                        let second_hkid = !with_hkid || rng.chance(0.5);
                        clinical.push(notification(rng, &d, &p, onset, false, "suspected", setting, second_hkid));
                    }
                }
            }
        }
        let refs = cx.submit(&cx.clinic, clinical, day, 10, report).await?;
        cx.submit(&cx.lab, labs, day, 17, report).await?;
        for r in refs {
            if r.is_empty() {
                continue;
            }
            if rng.chance(0.08) {
                confirmable.push(r.clone());
            }
            if rng.chance(0.05) && tb_cases.len() < 3 {
                tb_cases.push(r);
            }
        }
    }
    Ok((confirmable, tb_cases))
}

/// The epidemiologists' work on some of them: confirmed on investigation, or discarded.
async fn investigate(cx: &Demo<'_>, epi_actor: &Actor, confirmable: &[String]) -> anyhow::Result<()> {
    for (i, r) in confirmable.iter().enumerate() {
        let Some(c) = cases::store::case_by_reference(&cx.state.db, r).await? else { continue };
        let (to, reason) = if i % 4 == 3 {
            (Classification::Discarded, "Alternative diagnosis on review; does not meet the case definition")
        } else {
            (Classification::Confirmed, "Clinically compatible and epidemiologically linked to a confirmed case")
        };
        cases::service::reclassify_case(&cx.state.db, epi_actor, &Origin::system(), &c.id, to, reason).await?.ok();
    }
    Ok(())
}

/// A measles outbreak at a primary school in Kwai Tsing: seven pupils and staff, linked into a
/// chain, with the contacts of the latest case followed daily.
async fn measles_outbreak(cx: &Demo<'_>, rng: &mut Rng, report: &mut DemoReport) -> anyhow::Result<Cluster> {
    let measles = cx.disease("measles").ok_or_else(|| anyhow::anyhow!("measles is in the catalogue"))?;
    let mut school: Vec<DemoPerson> = cx.people.iter().filter(|p| p.district == "KWT").take(7).cloned().collect();
    while school.len() < 7 {
        let mut p = cx.pick(rng);
        p.district = "KWT".into();
        school.push(p);
    }
    let onsets = [25i64, 16, 15, 8, 7, 7, 4];
    let mut measles_cases = vec![];
    for (p, days_ago) in school.iter().zip(onsets) {
        let onset = cx.today - Duration::days(days_ago);
        let day = onset + Duration::days(1);
        let n = notification(rng, &measles, p, onset, false, "suspected", "school", true);
        let r = cx.submit(&cx.clinic, vec![n], day, 11, report).await?;
        let l = notification(rng, &measles, p, onset, true, "confirmed", "school", true);
        cx.submit(&cx.lab, vec![l], (day + Duration::days(1)).min(cx.today), 9, report).await?;
        measles_cases.push(r[0].clone());
    }
    let cluster_ref = create_cluster(cx.state, "Measles at a primary school, Kwai Tsing", "measles", "school").await?;
    let cluster = clusters::store::cluster_by_reference(&cx.state.db, &cluster_ref)
        .await?
        .ok_or_else(|| anyhow::anyhow!("cluster"))?;
    let mut ids = vec![];
    for r in &measles_cases {
        let c = cases::store::case_by_reference(&cx.state.db, r).await?.ok_or_else(|| anyhow::anyhow!("case {r}"))?;
        let mut tx = cx.state.db.begin().await?;
        cases::store::set_case_cluster(&mut tx, &c.id, Some(&cluster.id)).await?;
        tx.commit().await?;
        ids.push(c);
    }
    let chain = [
        (0, 1, "Same class"),
        (0, 2, "Same class"),
        (1, 3, "Siblings"),
        (2, 4, "School bus"),
        (2, 5, "School bus"),
        (3, 6, "Household"),
    ];
    {
        let mut tx = cx.state.db.begin().await?;
        for (s, t, note) in chain {
            clusters::store::insert_link(&mut tx, &cluster.id, &ids[s].id, &ids[t].id, note, "system").await?;
        }
        tx.commit().await?;
    }
    measles_contacts(cx, &ids[6], measles.incubation_max_days).await?;
    Ok(cluster)
}

/// Contacts of the latest measles case, followed daily.
async fn measles_contacts(cx: &Demo<'_>, index: &Case, incubation_max_days: i64) -> anyhow::Result<()> {
    let exposure = cx.today - Duration::days(3);
    let until = cases::followup::follow_up_until(exposure, incubation_max_days);
    let contact_names = [
        ("CHEUNG Ka Yan", "Mother"),
        ("CHEUNG Ho Yin", "Brother"),
        ("LEE Mei Ling", "Classmate"),
        ("WONG Siu Fung", "Teacher"),
    ];
    for (i, (name, relationship)) in contact_names.iter().enumerate() {
        let id = kernel::new_id();
        let mut tx = cx.state.db.begin().await?;
        cx.state.db.lock_in_tx(&mut tx, "protection_intake").await?;
        cases::store::insert_contact(
            &mut tx,
            &NewContact {
                id: id.clone(),
                case_id: index.id.clone(),
                name: (*name).into(),
                phone: format!("5000 {:04}", 9000 + i),
                relationship: (*relationship).into(),
                last_exposure: exposure.to_string(),
                follow_up_until: until.to_string(),
                by: "system".into(),
                at: kernel::now_ms(),
            },
        )
        .await?;
        for back in 0..3 {
            let day = cx.today - Duration::days(back);
            if day > exposure {
                let symptoms = i == 1 && back == 0;
                let notes =
                    if symptoms { "Low-grade fever since this morning; advised to see a doctor" } else { "Well" };
                cases::store::insert_followup(
                    &mut tx,
                    &id,
                    &day.to_string(),
                    symptoms,
                    notes,
                    "system",
                    kernel::now_ms(),
                )
                .await?;
                crate::cases::service::record_followup_delay(&mut tx, &index.id, &day.to_string()).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A food-poisoning cluster after a banquet in Tsuen Wan: four people, no chain (common source).
async fn food_poisoning(cx: &Demo<'_>, rng: &mut Rng, report: &mut DemoReport) -> anyhow::Result<Cluster> {
    let food = cx.disease("food_poisoning").ok_or_else(|| anyhow::anyhow!("food poisoning"))?;
    let fp_ref = create_cluster(
        cx.state,
        "Food poisoning after a wedding banquet, Tsuen Wan",
        "food_poisoning",
        "food_premises",
    )
    .await?;
    let fp = clusters::store::cluster_by_reference(&cx.state.db, &fp_ref)
        .await?
        .ok_or_else(|| anyhow::anyhow!("cluster"))?;
    let day = cx.today - Duration::days(5);
    let items: Vec<NotificationIn> = (0..4)
        .map(|_| {
            let mut p = cx.pick(rng);
            p.district = "TW".into();
            notification(rng, &food, &p, day, false, "probable", "food_premises", true)
        })
        .collect();
    for r in cx.submit(&cx.clinic, items, day, 15, report).await? {
        if let Some(c) = cases::store::case_by_reference(&cx.state.db, &r).await? {
            let mut tx = cx.state.db.begin().await?;
            cases::store::set_case_cluster(&mut tx, &c.id, Some(&fp.id)).await?;
            tx.commit().await?;
        }
    }
    Ok(fp)
}

/// Need-to-know: the measles outbreak to the demo epidemiologist, a few tuberculosis cases
/// (and the food-poisoning cluster) to the lead; everything else stays unassigned.
async fn assign(
    cx: &Demo<'_>,
    epi: Option<&str>,
    lead: Option<&str>,
    cluster: &Cluster,
    fp: &Cluster,
    tb_cases: &[String],
) -> anyhow::Result<()> {
    let mut tx = cx.state.db.begin().await?;
    if let Some(e) = epi {
        assignments::store::assign(&mut tx, e, "cluster", &cluster.id, lead.unwrap_or("system")).await?;
    }
    if let Some(l) = lead {
        assignments::store::assign(&mut tx, l, "cluster", &fp.id, l).await?;
        for r in tb_cases {
            if let Some(c) = cases::store::case_by_reference(&cx.state.db, r).await? {
                assignments::store::assign(&mut tx, l, "case", &c.id, l).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Years of history the demo imports (enough for Farrington's five-year baseline).
const HISTORY_YEARS: usize = 6;

/// What the demo's signals seeding did.
#[derive(Clone, Debug, Default)]
pub struct SignalsReport {
    pub history_rows: usize,
    pub signals: usize,
    pub already_seeded: bool,
}

/// Signals for the demo: ~6 years of past weekly counts of the demo's diseases from the `synth`
/// generator (scaled to the demo's notification rates, ending where the demo's notifications
/// begin) imported as history, one detection run, the lead epidemiologist as duty officer, and a
/// few triage decisions (one signal under assessment, one dismissed with its reason), leaving
/// the rest new. Idempotent: nothing happens once history is there.
pub async fn seed_signals(state: &AppState, seed: u64) -> anyhow::Result<SignalsReport> {
    use crate::signals::service::{self as signal_run, RunOptions, TriageInput};
    let db = &state.db;
    let mut report = SignalsReport::default();
    if signals::store::history_rows(db).await? > 0 {
        report.already_seeded = true;
        return Ok(report);
    }
    let today = kernel::hk::today();
    // The demo's notifications cover the last twelve weeks; history ends the week before.
    let live_from = crate::counts::weeks::week_start(today - Duration::days(84));
    let weeks = HISTORY_YEARS * synth::series::WEEKS_PER_YEAR;
    let start = live_from - Duration::weeks(weeks as i64);
    let mut rates: Vec<(&str, f64)> = BACKGROUND.to_vec();
    rates.push(("measles", 0.05));
    let diseases: Vec<synth::series::DiseaseInput> = rates
        .iter()
        .filter_map(|(code, per_day)| {
            let mut d = synth::series::DiseaseInput::with_profile(code)?;
            d.profile.mean_weekly = per_day * 7.0;
            Some(d)
        })
        .collect();
    let config = synth::series::SeriesConfig { seed, years: HISTORY_YEARS, start, outbreaks: 2, ..Default::default() };
    let series = synth::series::WeeklySeries::generate(&config, &diseases, &synth::series::hk_districts())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut rows = vec![];
    for (d, disease) in series.diseases.iter().enumerate() {
        for (k, district) in series.districts.iter().enumerate() {
            for (t, n) in series.series(d, k).iter().enumerate() {
                if *n > 0 {
                    let week = (start + Duration::weeks(t as i64)).to_string();
                    rows.push((disease.code.clone(), week, district.code.clone(), *n as i64));
                }
            }
        }
    }
    let system = Origin::system();
    signal_run::write_history(db, &rows, &Actor::System, &system).await?;
    report.history_rows = rows.len();
    let lead = staff_id(state, "lead.epidemiologist@phos.example").await?;
    if lead.is_some() {
        let duty =
            signal_run::DutyOfficer { emails: vec!["lead.epidemiologist@phos.example".into()], locale: "en".into() };
        signal_run::save_duty_officer(db, &duty, &Actor::System, &system).await?;
    }
    let mut opts = RunOptions { recent_weeks: 4, ..Default::default() };
    opts.scan.replicates = 199;
    let run = signal_run::run(db, &opts, &Actor::System, &system).await?;
    report.signals = run.raised.len();
    let actor = lead.map(Actor::Staff).unwrap_or(Actor::System);
    let decisions = [
        ("assessing", "Asked the district office whether the schools report more absences."),
        ("dismissed", "Reporting delay after a public holiday: the counts caught up the week after."),
    ];
    for (id, (status, reason)) in run.raised.iter().zip(decisions) {
        let Some(s) = signals::store::signal(db, id).await? else { continue };
        let input = TriageInput {
            status: status.into(),
            reason: reason.into(),
            version: s.version,
            cluster: String::new(),
            other_disease: false,
        };
        if let Err(e) = signal_run::triage(db, id, &input, &actor, &system).await {
            anyhow::bail!("demo triage refused: {e:?}");
        }
    }
    Ok(report)
}

async fn create_cluster(state: &AppState, name: &str, disease: &str, setting: &str) -> anyhow::Result<String> {
    use chrono::Datelike;
    let year = kernel::hk::today().year();
    let mut tx = state.db.begin().await?;
    let n = crate::store::take_numbers(&mut tx, &format!("CL-{year}"), 1).await?;
    let reference = format!("CL-{year}-{n:04}");
    let c = clusters::NewCluster { name, disease: Some(disease), setting, description: "" };
    clusters::store::insert_cluster(&mut tx, &kernel::new_id(), &reference, &c, "system", kernel::now_ms()).await?;
    tx.commit().await?;
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn rng_is_deterministic_and_poisson_has_the_right_mean() {
        let mut a = Rng(7);
        let mut b = Rng(7);
        assert_eq!((0..10).map(|_| a.next()).collect::<Vec<_>>(), (0..10).map(|_| b.next()).collect::<Vec<_>>());
        let mut r = Rng(42);
        let n = 20_000;
        let mean = (0..n).map(|_| r.poisson(2.5)).sum::<usize>() as f64 / n as f64;
        assert!((mean - 2.5).abs() < 0.05, "{mean}");
    }
}
