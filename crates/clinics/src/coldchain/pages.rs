//! Cold-chain pages and the device endpoint: a clinic's fridges (register a device, see each
//! one's state), a fridge's page (temperature chart for the last 24 hours or 7 days, minimum and
//! maximum, alarms with acknowledgement, vaccine lots with quarantine), every open alarm, and
//! `POST /api/v1/iot/fridges/{device}/readings` for devices that cannot speak MQTT.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::directory::ServicePoint;
use kernel::i18n::Arg;
use kernel::identity::{Identity, Role};
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::chart;
use super::rules::{self, Limits};
use super::service::{self, ColdChainError, NewFridge};
use super::store;
use super::{Fridge, FridgeAlarm, VaccineLot};

const FRONT_DESK: &[Role] = &[Role::ClinicStaff, Role::ClinicManager, Role::Admin];
const MANAGERS: &[Role] = &[Role::ClinicManager, Role::Admin];

fn is_manager(identity: &Identity) -> bool {
    identity.has_role(Role::ClinicManager) || identity.has_role(Role::Admin)
}

fn refused(field: &str, e: ColdChainError) -> AppResult<Vec<FieldError>> {
    match e {
        ColdChainError::Refused(code) => Ok(vec![FieldError::new(field, code, &[])]),
        ColdChainError::Other(e) => Err(AppError::Internal(e)),
    }
}

/// A fridge as listed, with what it needs.
struct FridgeLine {
    f: Fridge,
    status: &'static str,
}

fn status_of(f: &Fridge) -> &'static str {
    if f.offline_alarm_id.is_some() {
        "offline"
    } else {
        match f.excursion_kind.as_deref() {
            Some("high") => "high",
            Some("low") => "low",
            _ if f.last_reading_at.is_none() => "waiting",
            _ => "ok",
        }
    }
}

// ---- A clinic's fridges ----

#[derive(Template)]
#[template(path = "clinics/coldchain/list.html")]
struct FridgesPage {
    page: PageCtx,
    point: ServicePoint,
    fridges: Vec<FridgeLine>,
    alarms: Vec<FridgeAlarm>,
    can_manage: bool,
    registered: Option<(Fridge, String)>,
    form: RegisterForm,
    errors: Vec<FieldError>,
}

impl FridgesPage {
    fn topic_for(&self, device: &str) -> String {
        format!("{}{device}/temperature", rules::TOPIC_PREFIX)
    }
    fn fridge_name(&self, id: &str) -> String {
        self.fridges.iter().find(|l| l.f.id == id).map(|l| l.f.name.clone()).unwrap_or_default()
    }
    fn kind(&self, k: &str) -> String {
        self.page.t(&format!("fridge-kind-{k}"))
    }
    fn status(&self, s: &str) -> String {
        self.page.t(&format!("fridge-status-{s}"))
    }
    fn temp(&self, t: &Option<f64>) -> String {
        t.map(|t| format!("{t:.1} °C")).unwrap_or_else(|| "–".into())
    }
    fn when(&self, t: &Option<i64>) -> String {
        t.map(|t| self.page.datetime(&t)).unwrap_or_else(|| "–".into())
    }
}

#[derive(Deserialize, Default, Clone)]
struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    device_id: String,
    #[serde(default)]
    contact: String,
}

async fn point(state: &AppState, code: &str) -> AppResult<ServicePoint> {
    kernel::directory::service_point(&state.db, code).await?.ok_or(AppError::NotFound)
}

async fn fridges_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    code: &str,
    registered: Option<(Fridge, String)>,
    form: RegisterForm,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let point = point(state, code).await?;
    let fridges = store::fridges_at(&state.db, code)
        .await?
        .into_iter()
        .map(|f| FridgeLine { status: status_of(&f), f })
        .collect();
    let alarms = store::open_alarms_at(&state.db, code).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = FridgesPage { page, point, fridges, alarms, can_manage: is_manager(identity), registered, form, errors };
    Ok((status, render(&p)?).into_response())
}

async fn fridges(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(code): Path<String>,
) -> AppResult<Response> {
    fridges_page(&state, page, &identity, &code, None, RegisterForm::default(), vec![]).await
}

/// An e-mail address or a Hong Kong mobile number (stored as +852…), or nothing.
fn parse_contact(s: &str) -> Result<Option<String>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.contains('@') {
        return if kernel::identity::staff::valid_email(s) { Ok(Some(s.to_string())) } else { Err(()) };
    }
    let digits = s.replace(' ', "");
    let digits = digits.trim_start_matches("+852");
    if digits.len() == 8
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.starts_with(['4', '5', '6', '7', '8', '9'])
    {
        Ok(Some(format!("+852{digits}")))
    } else {
        Err(())
    }
}

async fn register(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(code): Path<String>,
    Form(f): Form<RegisterForm>,
) -> AppResult<Response> {
    point(&state, &code).await?;
    let mut errors = vec![];
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push(FieldError::new("name", "fridge_name", &[]));
    }
    let device = f.device_id.trim();
    if !rules::valid_device_id(device) {
        errors.push(FieldError::new("device_id", "device_id_format", &[]));
    }
    let contact = parse_contact(&f.contact).map_err(|_| errors.push(FieldError::new("contact", "fridge_contact", &[])));
    if !errors.is_empty() {
        return fridges_page(&state, page, &identity, &code, None, f.clone(), errors).await;
    }
    let contact = contact.ok().flatten();
    let new = NewFridge {
        point: &code,
        name,
        device_id: device,
        limits: rules::VACCINE,
        contact: contact.as_deref(),
        contact_lang: page.locale,
    };
    match service::register(&state, new, &identity.actor(), &origin).await {
        Ok(r) => fridges_page(&state, page, &identity, &code, Some(r), RegisterForm::default(), vec![]).await,
        Err(e) => {
            let errors = refused("device_id", e)?;
            fridges_page(&state, page, &identity, &code, None, f.clone(), errors).await
        }
    }
}

// ---- One fridge ----

struct AlarmLine {
    a: FridgeAlarm,
    duration: String,
}

#[derive(Template)]
#[template(path = "clinics/coldchain/fridge.html")]
struct FridgePage {
    page: PageCtx,
    point: ServicePoint,
    f: Fridge,
    status: &'static str,
    range: String,
    chart: String,
    stats: Option<(usize, f64, f64, f64)>,
    alarms: Vec<AlarmLine>,
    lots: Vec<VaccineLot>,
    can_manage: bool,
    errors: Vec<FieldError>,
}

impl FridgePage {
    fn status_label(&self) -> String {
        self.page.t(&format!("fridge-status-{}", self.status))
    }
    fn kind(&self, k: &str) -> String {
        self.page.t(&format!("fridge-kind-{k}"))
    }
    fn lot_status(&self, s: &str) -> String {
        self.page.t(&format!("lot-status-{s}"))
    }
    fn temp(&self, t: &Option<f64>) -> String {
        t.map(|t| format!("{t:.1} °C")).unwrap_or_else(|| "–".into())
    }
    fn when(&self, t: &Option<i64>) -> String {
        t.map(|t| self.page.datetime(&t)).unwrap_or_else(|| "–".into())
    }
    fn c(&self, t: &f64) -> String {
        format!("{t:.1} °C")
    }
}

#[derive(Deserialize)]
struct RangeQuery {
    range: Option<String>,
}

async fn fridge_page(
    state: &AppState,
    page: PageCtx,
    identity: &Identity,
    id: &str,
    range: Option<&str>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let db = &state.db;
    let f = store::fridge(db, id).await?.ok_or(AppError::NotFound)?;
    let point = point(state, &f.service_point).await?;
    let now = kernel::now_ms();
    let (range, span_ms) = match range {
        Some("7d") => ("7d", 7 * 86_400_000),
        _ => ("24h", 86_400_000),
    };
    let from = now - span_ms;
    let readings = store::readings(db, &f.id, from, now).await?;
    let stats = (!readings.is_empty()).then(|| {
        let (lo, hi, sum) =
            readings.iter().fold((f64::MAX, f64::MIN, 0.0), |(lo, hi, s), (_, t)| (lo.min(*t), hi.max(*t), s + t));
        (readings.len(), lo, hi, sum / readings.len() as f64)
    });
    let tz = kernel::hk::tz();
    let ticks: Vec<(i64, String)> = if range == "7d" {
        (0..=7)
            .filter_map(|d| {
                let day = (chrono::DateTime::from_timestamp_millis(from)?.with_timezone(&tz)
                    + chrono::Duration::days(d))
                .date_naive();
                let at = kernel::hk::day_range(day, 1).0;
                (at >= from && at <= now).then(|| (at, day.format("%m-%d").to_string()))
            })
            .collect()
    } else {
        let hour = 3_600_000;
        let first = (from / (3 * hour) + 1) * 3 * hour;
        (0..8)
            .map(|i| first + i * 3 * hour)
            .filter(|at| *at <= now)
            .map(|at| {
                let label = chrono::DateTime::from_timestamp_millis(at)
                    .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
                    .unwrap_or_default();
                (at, label)
            })
            .collect()
    };
    let title = page.t1("fridge-chart-title", "name", &f.name);
    let desc = match stats {
        Some((n, lo, hi, mean)) => page.locale.t_args(
            "fridge-chart-desc",
            &[
                ("count", Arg::from(n)),
                ("min", Arg::Text(format!("{lo:.1}"))),
                ("max", Arg::Text(format!("{hi:.1}"))),
                ("mean", Arg::Text(format!("{mean:.1}"))),
            ],
        ),
        None => page.t("fridge-no-readings"),
    };
    let no_data = page.t("fridge-no-readings");
    let labels = chart::Labels { title: &title, desc: &desc, no_data: &no_data };
    let chart = chart::svg(&readings, from, now, Limits { min_c: f.min_c, max_c: f.max_c }, &ticks, &labels);
    let alarms = store::alarms_of(db, &f.id, 50)
        .await?
        .into_iter()
        .map(|a| AlarmLine {
            duration: kernel::web::text::duration_label(&page, a.ended_at.unwrap_or(now) - a.started_at),
            a,
        })
        .collect();
    let lots = store::lots_of(db, &f.id).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let p = FridgePage {
        page,
        point,
        status: status_of(&f),
        f,
        range: range.into(),
        chart,
        stats,
        alarms,
        lots,
        can_manage: is_manager(identity),
        errors,
    };
    Ok((status, render(&p)?).into_response())
}

async fn fridge(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    Path(id): Path<String>,
    Query(q): Query<RangeQuery>,
) -> AppResult<Response> {
    fridge_page(&state, page, &identity, &id, q.range.as_deref(), vec![]).await
}

#[derive(Deserialize)]
struct AckForm {
    #[serde(default)]
    note: String,
}

async fn acknowledge(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<AckForm>,
) -> AppResult<Response> {
    let alarm = store::alarm(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let note = f.note.trim();
    let field = format!("note-{}", alarm.id);
    if note.is_empty() || note.chars().count() > 500 {
        let e = vec![FieldError::new(&field, "alarm_note", &[])];
        return fridge_page(&state, page, &identity, &alarm.fridge_id, None, e).await;
    }
    match service::acknowledge(&state, &alarm, note, &identity.actor(), &origin).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/fridges/{}", alarm.fridge_id)).into_response()),
        Err(e) => {
            let errors = refused(&field, e)?;
            fridge_page(&state, page, &identity, &alarm.fridge_id, None, errors).await
        }
    }
}

#[derive(Deserialize)]
struct LotForm {
    #[serde(default)]
    product: String,
    #[serde(default)]
    lot_number: String,
    #[serde(default)]
    doses: String,
    #[serde(default)]
    expiry: String,
}

async fn add_lot(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<LotForm>,
) -> AppResult<Response> {
    let fridge = store::fridge(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let mut errors = vec![];
    let (product, lot_number) = (f.product.trim(), f.lot_number.trim());
    if product.is_empty() || product.chars().count() > 100 {
        errors.push(FieldError::new("product", "lot_product", &[]));
    }
    if lot_number.is_empty() || lot_number.chars().count() > 40 {
        errors.push(FieldError::new("lot_number", "lot_number", &[]));
    }
    let doses = f.doses.trim().parse::<i64>().ok().filter(|d| (1..=100_000).contains(d));
    if doses.is_none() {
        errors.push(FieldError::new("doses", "lot_doses", &[]));
    }
    if f.expiry.parse::<chrono::NaiveDate>().is_err() {
        errors.push(FieldError::new("expiry", "lot_expiry", &[]));
    }
    if !errors.is_empty() {
        return fridge_page(&state, page, &identity, &id, None, errors).await;
    }
    let lot = VaccineLot {
        id: kernel::new_id(),
        fridge_id: fridge.id.clone(),
        product: product.into(),
        lot_number: lot_number.into(),
        doses: doses.unwrap_or(0),
        expiry: f.expiry.clone(),
        status: "available".into(),
        alarm_id: None,
        status_at: None,
        reason: None,
    };
    service::add_lot(&state, &lot, &fridge.name, &identity.actor(), &origin).await?;
    Ok(Redirect::to(&format!("/staff/fridges/{id}#lots")).into_response())
}

#[derive(Deserialize)]
struct LotStatusForm {
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    alarm_id: String,
}

async fn lot_status(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(id): Path<String>,
    Form(f): Form<LotStatusForm>,
) -> AppResult<Response> {
    let lot = store::lot(&state.db, &id).await?.ok_or(AppError::NotFound)?;
    let to = match f.action.as_str() {
        "quarantine" => "quarantined",
        "release" => "released",
        "discard" => "discarded",
        _ => return Err(AppError::BadRequest("unknown action".into())),
    };
    // Anyone at the clinic may quarantine; releasing or discarding is a manager's decision.
    if to != "quarantined" && !is_manager(&identity) {
        return Err(AppError::Forbidden);
    }
    let field = format!("reason-{}", lot.id);
    let reason = f.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let e = vec![FieldError::new(&field, "lot_reason", &[])];
        return fridge_page(&state, page, &identity, &lot.fridge_id, None, e).await;
    }
    let alarm = store::alarm(&state.db, f.alarm_id.trim()).await?.filter(|a| a.fridge_id == lot.fridge_id);
    match service::set_lot(
        &state,
        &lot.id,
        to,
        alarm.as_ref().map(|a| a.id.as_str()),
        reason,
        &identity.actor(),
        &origin,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/staff/fridges/{}#lots", lot.fridge_id)).into_response()),
        Err(e) => {
            let errors = refused(&field, e)?;
            fridge_page(&state, page, &identity, &lot.fridge_id, None, errors).await
        }
    }
}

// ---- Every open alarm ----

struct OpenAlarm {
    a: FridgeAlarm,
    fridge: String,
    clinic: String,
    duration: String,
}

#[derive(Template)]
#[template(path = "clinics/coldchain/alarms.html")]
struct AlarmsPage {
    page: PageCtx,
    alarms: Vec<OpenAlarm>,
}

impl AlarmsPage {
    fn kind(&self, k: &str) -> String {
        self.page.t(&format!("fridge-kind-{k}"))
    }
}

async fn all_alarms(State(state): State<AppState>, page: PageCtx) -> AppResult<Html<String>> {
    let now = kernel::now_ms();
    let mut alarms = vec![];
    for p in kernel::directory::service_points(&state.db, None, None).await? {
        let found = store::open_alarms_at(&state.db, &p.code).await?;
        if found.is_empty() {
            continue;
        }
        let fridges = store::fridges_at(&state.db, &p.code).await?;
        for a in found {
            alarms.push(OpenAlarm {
                fridge: fridges.iter().find(|f| f.id == a.fridge_id).map(|f| f.name.clone()).unwrap_or_default(),
                clinic: page.pick(&p.name_en, &p.name_zh).to_string(),
                duration: kernel::web::text::duration_label(&page, a.ended_at.unwrap_or(now) - a.started_at),
                a,
            });
        }
    }
    alarms.sort_by_key(|a| std::cmp::Reverse(a.a.started_at));
    render(&AlarmsPage { page, alarms })
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/clinics/{code}/fridges", Access::Staff(FRONT_DESK), get(fridges))
        .page("/staff/clinics/{code}/fridges/register", Access::Staff(MANAGERS), post(register))
        .page("/staff/fridges", Access::Staff(FRONT_DESK), get(all_alarms))
        .page("/staff/fridges/{id}", Access::Staff(FRONT_DESK), get(fridge))
        .page("/staff/fridges/{id}/lots", Access::Staff(FRONT_DESK), post(add_lot))
        .page("/staff/fridge-alarms/{id}/acknowledge", Access::Staff(FRONT_DESK), post(acknowledge))
        .page("/staff/vaccine-lots/{id}", Access::Staff(FRONT_DESK), post(lot_status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::i18n::Locale;

    #[test]
    fn contacts() {
        assert_eq!(parse_contact(""), Ok(None));
        assert_eq!(parse_contact("nurse@dh.example"), Ok(Some("nurse@dh.example".into())));
        assert_eq!(parse_contact("9123 4567"), Ok(Some("+85291234567".into())));
        assert_eq!(parse_contact("+852 61234567"), Ok(Some("+85261234567".into())));
        assert_eq!(parse_contact("2123 4567"), Err(()));
        assert_eq!(parse_contact("not@"), Err(()));
    }

    #[test]
    fn durations() {
        let en = PageCtx::new(Locale::En, "/");
        kernel::i18n::register_catalogue(&crate::CATALOGUE);
        assert_eq!(kernel::web::text::duration_label(&en, 45_000), "45 s");
        assert_eq!(kernel::web::text::duration_label(&en, 12 * 60_000 + 5_000), "12 min");
        assert_eq!(kernel::web::text::duration_label(&en, 2 * 3_600_000 + 5 * 60_000), "2 h 05 min");
    }
}
