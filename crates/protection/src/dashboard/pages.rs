//! The epidemiologists' dashboard `/staff/protection/dashboard`: epidemic curve, district tile
//! map of rates per 100,000, top diseases this week against last and timeliness KPIs, for a
//! disease (or all), a period, a district and a classification set. It reads the weekly counts
//! and the delay counts only (five aggregate queries, run at once), never the cases.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use chrono::Duration;
use kernel::AppState;
use kernel::i18n::Arg;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppResult, PageCtx};
use serde::Deserialize;

use super::chart::{self as charts, ChartText, Series, Tile};
use super::{self as dashboard, Kpi, TopRow, store};
use crate::cases::EPI;
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease};
use crate::counts;
use crate::signals::pages::SignalLabels;
use crate::signals::{self, Signal, SignalFilter};
use crate::ui::{self, Labels};

#[derive(Deserialize, Default)]
pub struct DashQuery {
    pub disease: Option<String>,
    pub weeks: Option<String>,
    pub district: Option<String>,
    pub class: Option<String>,
    pub stack: Option<String>,
}

/// The filters after checking: unknown values fall back to the defaults.
pub struct Filters {
    pub disease: Option<String>,
    pub weeks: i64,
    pub district: Option<String>,
    pub class: String,
    pub by_region: bool,
}

fn filters(q: DashQuery, diseases: &[Disease]) -> Filters {
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Filters {
        disease: nonempty(q.disease).filter(|d| diseases.iter().any(|x| x.code == *d)),
        weeks: q.weeks.and_then(|w| w.trim().parse().ok()).filter(|w| dashboard::PERIODS.contains(w)).unwrap_or(12),
        district: nonempty(q.district).filter(|d| d == "UNK" || kernel::hk::district(d).is_some()),
        class: nonempty(q.class).filter(|c| dashboard::CLASS_SETS.contains(&c.as_str())).unwrap_or_else(|| "cp".into()),
        by_region: q.stack.as_deref() == Some("region"),
    }
}

/// Open signals shown on the dashboard (the signals page has them all).
const OPEN_SIGNALS: i64 = 10;

/// One district's line of the map's table.
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    pub population: u64,
    pub count: i64,
    pub rate: String,
}

#[derive(Template)]
#[template(path = "protection/dashboard/dashboard.html")]
struct DashboardPage {
    page: PageCtx,
    diseases: Vec<Disease>,
    districts: Vec<(String, String)>,
    f: Filters,
    from: String,
    to: String,
    curve_svg: String,
    /// (week label, values per series, total)
    curve_rows: Vec<(String, Vec<i64>, i64)>,
    curve_keys: Vec<String>,
    map_svg: String,
    district_rows: Vec<DistrictRow>,
    top: Vec<TopRow>,
    this_week: String,
    kpis: Vec<Kpi>,
    kpis_before: Option<Kpi>,
    /// Signals still to triage (new, then under assessment) for the disease and district chosen.
    open_signals: Vec<Signal>,
    /// How many there are in all (the table shows the latest few).
    open_total: i64,
}

impl DashboardPage {
    fn sel(&self, v: &Option<String>, x: &str) -> bool {
        v.as_deref() == Some(x)
    }
    fn periods(&self) -> &'static [i64] {
        &dashboard::PERIODS
    }
    fn class_sets(&self) -> &'static [&'static str] {
        &dashboard::CLASS_SETS
    }
    fn kpi_name(&self, k: &Kpi) -> String {
        if k.disease.is_empty() {
            self.page.t("prot-dash-all-diseases")
        } else {
            self.page.disease_name(&self.diseases, &k.disease)
        }
    }
    fn days(&self, v: &Option<f64>) -> String {
        dashboard::fmt_days(*v)
    }
    fn share(&self, v: &Option<f64>) -> String {
        dashboard::fmt_share(*v)
    }
    fn showing(&self) -> String {
        self.page.locale.t_args("prot-dash-showing", &[("from", self.from.clone()), ("to", self.to.clone())])
    }
    fn open_count_text(&self) -> String {
        self.page.locale.t_args(
            "prot-dash-signals-count",
            &[("count", Arg::from(self.open_total)), ("shown", Arg::from(self.open_signals.len()))],
        )
    }
    fn signed(&self, n: i64) -> String {
        if n > 0 { format!("+{n}") } else { n.to_string() }
    }
}

/// The label of a curve series: a classification or a region.
fn series_label(page: &PageCtx, key: &str, by_region: bool) -> String {
    if by_region { page.t(&format!("prot-dash-region-{key}")) } else { page.class_label(key) }
}

/// The five aggregates the dashboard reads, at once.
struct Figures {
    /// (week, district, classification, n) over the period.
    rows: Vec<(String, String, String, i64)>,
    /// Per disease this report week and the one before.
    this_week: Vec<(String, String, i64)>,
    last_week: Vec<(String, String, i64)>,
    /// Delays over the period, and over the period before.
    delays: Vec<(String, String, String, i64, i64)>,
    delays_before: Vec<(String, String, String, i64, i64)>,
}

/// Reads the aggregates: they are independent, so each runs on its own connection at once.
async fn figures(db: &kernel::Db, f: &Filters, weeks: &[chrono::NaiveDate]) -> AppResult<Figures> {
    let from = weeks[0].to_string();
    let to = weeks[weeks.len() - 1].to_string();
    let (disease, district) = (f.disease.as_deref(), f.district.as_deref());
    let this_monday = weeks[weeks.len() - 1];
    let (this_week_s, last_week_s) = (this_monday.to_string(), (this_monday - Duration::weeks(1)).to_string());
    let before_to = (weeks[0] - Duration::weeks(1)).to_string();
    let before_from = (weeks[0] - Duration::weeks(f.weeks)).to_string();
    let (rows, this_week, last_week, delays, delays_before) = tokio::try_join!(
        // Epidemic curve and map: one aggregate over the period.
        store::week_district_sums(db, &from, &to, disease),
        // Top diseases: this report week against the one before.
        store::disease_sums(db, &this_week_s, district),
        store::disease_sums(db, &last_week_s, district),
        // Timeliness over the period, and all diseases over the period before.
        store::delay_sums(db, &from, &to, disease),
        store::delay_sums(db, &before_from, &before_to, disease),
    )?;
    Ok(Figures { rows, this_week, last_week, delays, delays_before })
}

/// The epidemic curve: its SVG, its table rows (week, values, total) and its series' labels.
struct Curve {
    svg: String,
    rows: Vec<(String, Vec<i64>, i64)>,
    keys: Vec<String>,
}

fn curve(page: &PageCtx, f: &Filters, weeks: &[chrono::NaiveDate], fig: &Figures, what: &str) -> Curve {
    let classes = dashboard::classes_of(&f.class);
    let district = f.district.as_deref();
    let labels = dashboard::week_labels(weeks);
    let series = dashboard::curve(weeks, &fig.rows, classes, district, f.by_region);
    let keys: Vec<String> = series.iter().map(|(k, _)| series_label(page, k, f.by_region)).collect();
    let rows: Vec<(String, Vec<i64>, i64)> = labels
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let v: Vec<i64> = series.iter().map(|(_, s)| s[i]).collect();
            let t = v.iter().sum();
            (w.clone(), v, t)
        })
        .collect();
    let where_ = match district {
        Some(d) => page.district_name(d),
        None => page.t("prot-dash-all-districts"),
    };
    let total: i64 = rows.iter().map(|r| r.2).sum();
    let args = vec![
        ("what", Arg::Text(what.to_string())),
        ("where", Arg::Text(where_)),
        ("from", Arg::Text(labels[0].clone())),
        ("to", Arg::Text(labels[labels.len() - 1].clone())),
        ("count", Arg::from(total)),
    ];
    let desc = page.locale.t_args("prot-dash-curve-desc", &args);
    let svg = charts::epi_curve(
        &labels,
        &series
            .iter()
            .zip(&keys)
            .map(|((_, values), label)| Series { label: label.clone(), values: values.clone() })
            .collect::<Vec<_>>(),
        &ChartText {
            title: &page.t("prot-dash-curve-title"),
            desc: &desc,
            x_label: &page.t("prot-dash-axis-week"),
            y_label: &page.t("prot-dash-axis-cases"),
        },
    );
    Curve { svg, rows, keys }
}

/// Cases and rates by district: the table's rows and the tile map.
fn district_map(
    page: &PageCtx,
    f: &Filters,
    weeks: &[chrono::NaiveDate],
    fig: &Figures,
    what: &str,
) -> (Vec<DistrictRow>, String) {
    let totals = dashboard::district_totals(&fig.rows, dashboard::classes_of(&f.class));
    let district_rows: Vec<DistrictRow> = kernel::hk::districts()
        .iter()
        .map(|d| {
            let count = totals.get(&d.code).copied().unwrap_or(0);
            DistrictRow {
                code: d.code.clone(),
                name: d.name(page.locale).to_string(),
                population: d.population,
                count,
                rate: charts::fmt_rate(charts::rate(count, d.population)),
            }
        })
        .collect();
    let tiles: Vec<Tile> = kernel::hk::districts()
        .iter()
        .map(|d| {
            let count = totals.get(&d.code).copied().unwrap_or(0);
            Tile {
                code: d.code.clone(),
                name: d.name(page.locale).to_string(),
                label: if page.is_zh() { d.name_zh.clone() } else { d.code.clone() },
                count,
                rate: charts::rate(count, d.population),
            }
        })
        .collect();
    let max_rate = tiles.iter().map(|t| t.rate).fold(0.0, f64::max);
    let breaks = charts::class_breaks(max_rate);
    let legend = charts::legend_labels(&breaks, &page.t("prot-dash-no-cases"));
    let labels = dashboard::week_labels(weeks);
    let args = vec![("what", what.to_string()), ("from", labels[0].clone()), ("to", labels[labels.len() - 1].clone())];
    let map_desc = page.locale.t_args("prot-dash-map-desc", &args);
    let map_svg = charts::tile_map(
        &tiles,
        &breaks,
        &legend,
        &page.t("prot-dash-map-legend"),
        &ChartText { title: &page.t("prot-dash-map-title"), desc: &map_desc, x_label: "", y_label: "" },
    );
    (district_rows, map_svg)
}

/// Signals still to triage for the same disease and district (the first few), and how many.
async fn open_signals(db: &kernel::Db, f: &Filters) -> AppResult<(Vec<Signal>, i64)> {
    let mut open_filter =
        SignalFilter { status: None, disease: f.disease.clone(), area: f.district.clone(), method: None };
    let mut open = vec![];
    for status in ["new", "assessing"] {
        open_filter.status = Some(status.into());
        open.extend(signals::store::signals(db, &open_filter, OPEN_SIGNALS, 0).await?);
    }
    open.truncate(OPEN_SIGNALS as usize);
    open_filter.status = None;
    let total = signals::store::signal_status_counts(db, &open_filter)
        .await?
        .iter()
        .filter(|(status, _)| status == "new" || status == "assessing")
        .map(|(_, n)| n)
        .sum();
    Ok((open, total))
}

async fn view(State(state): State<AppState>, page: PageCtx, Query(q): Query<DashQuery>) -> AppResult<Html<String>> {
    let diseases = catalogue::store::diseases(&state.db).await?;
    let f = filters(q, &diseases);
    let weeks = dashboard::period(kernel::hk::today(), f.weeks);
    let fig = figures(&state.db, &f, &weeks).await?;
    let what = match f.disease.as_deref() {
        Some(d) => page.disease_name(&diseases, d),
        None => page.t("prot-dash-all-diseases"),
    };
    let curve = curve(&page, &f, &weeks, &fig, &what);
    let (district_rows, map_svg) = district_map(&page, &f, &weeks, &fig, &what);
    let classes = dashboard::classes_of(&f.class);
    let top = dashboard::top_diseases(&fig.this_week, &fig.last_week, classes, 10);
    let within = |code: &str| {
        counts::delays::allowed_days(
            diseases.iter().find(|d| d.code == code).map(|d| d.notify_within.as_str()).unwrap_or("7d"),
        )
    };
    let kpis = dashboard::kpis(&fig.delays, classes, within);
    let kpis_before = dashboard::kpis(&fig.delays_before, classes, within).into_iter().next();
    let (open_signals, open_total) = open_signals(&state.db, &f).await?;
    let districts = ui::district_options(&page);
    let this_monday = weeks[weeks.len() - 1];
    render(&DashboardPage {
        page,
        diseases,
        districts,
        f,
        from: weeks[0].to_string(),
        to: (this_monday + Duration::days(6)).to_string(),
        curve_svg: curve.svg,
        curve_rows: curve.rows,
        curve_keys: curve.keys,
        map_svg,
        district_rows,
        top,
        this_week: dashboard::week_labels(&weeks)[weeks.len() - 1].clone(),
        kpis,
        kpis_before,
        open_signals,
        open_total,
    })
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/protection/dashboard", Access::Staff(EPI), get(view))
}
