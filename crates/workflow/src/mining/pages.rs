//! The mining page: over the engine's own log for a chosen process, or over a pasted XES or
//! CSV log (bounded size; an unreadable log is refused naming the trace and event, or the
//! line): the directly-follows graph as SVG, variants with counts, throughput, and the
//! bottleneck table (median and p90 wait before each activity, by role).
//!
//! The graph and the variants count the events whose lifecycle is `complete` or absent (the
//! engine also records `schedule`, `start`, `reassign` and `ate_abort`, which would double every
//! step); waits and throughput use every event (see [`super::performance`]).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::AppState;
use kernel::web::page::render;
use kernel::web::{Access, AppResult, FieldError, Form, PageCtx, Routes};
use serde::Deserialize;

use super::performance::{Bottleneck, Throughput, performance};
use super::rules::DfgBuilder;
use super::{LogError, Trace, csv, engine_log, svg, xes};
use crate::definitions::store as defs;

/// The largest log accepted on the page, in bytes (larger logs: `phos workflow dfg`).
pub const MAX_LOG_BYTES: usize = 800_000;
/// The most events a pasted log may have.
pub const MAX_LOG_EVENTS: usize = 50_000;
/// Variants listed.
const VARIANTS_SHOWN: usize = 15;

/// What the page shows about a log.
pub struct Analysis {
    pub cases: u64,
    pub events: u64,
    pub svg: String,
    pub variants: Vec<(String, u64)>,
    pub more_variants: usize,
    pub throughput: Throughput,
    pub bottlenecks: Vec<Bottleneck>,
}

fn in_graph(e: &super::Event) -> bool {
    matches!(e.lifecycle.as_deref(), None | Some("complete"))
}

/// Mines ordered cases.
pub fn analyse(traces: &[Trace], title: &str) -> Analysis {
    let mut b = DfgBuilder::new();
    for t in traces {
        b.add(t.events.iter().filter(|e| in_graph(e)).map(|e| e.activity.as_str()));
    }
    let dfg = b.finish();
    let perf = performance(traces);
    let svg = svg::dfg_svg(&dfg, &perf.edges, title);
    let variants: Vec<(String, u64)> =
        dfg.variants.iter().take(VARIANTS_SHOWN).map(|v| (v.activities.join(" → "), v.count)).collect();
    Analysis {
        cases: dfg.cases(),
        events: traces.iter().map(|t| t.events.len() as u64).sum(),
        more_variants: dfg.variants.len().saturating_sub(VARIANTS_SHOWN),
        svg,
        variants,
        throughput: perf.throughput,
        bottlenecks: perf.bottlenecks,
    }
}

/// Reads a pasted log: ordered, non-empty cases, or a field error.
pub fn read_pasted(format: &str, text: &str) -> Result<Vec<Trace>, FieldError> {
    if text.trim().is_empty() {
        return Err(FieldError::new("log", "wf_log_required", &[]));
    }
    if text.len() > MAX_LOG_BYTES {
        return Err(FieldError::new("log", "wf_log_too_large", &[("max", (MAX_LOG_BYTES / 1000).to_string())]));
    }
    let mut traces = vec![];
    let mut events = 0usize;
    let mut each = |mut t: Trace| {
        if !t.events.is_empty() {
            events += t.events.len();
            t.order();
            if events <= MAX_LOG_EVENTS {
                traces.push(t);
            }
        }
    };
    let read = match format {
        "csv" => csv::read(text.as_bytes(), &mut each),
        _ => xes::read(text.as_bytes(), &mut each),
    };
    match read {
        Err(LogError::Invalid(detail)) | Err(LogError::Io { path: detail, .. }) => {
            return Err(FieldError::new("log", "wf_log_invalid", &[("detail", detail)]));
        }
        Ok(()) => {}
    }
    if events > MAX_LOG_EVENTS {
        return Err(FieldError::new("log", "wf_log_too_many_events", &[("max", MAX_LOG_EVENTS.to_string())]));
    }
    if traces.is_empty() {
        return Err(FieldError::new("log", "wf_log_empty", &[]));
    }
    Ok(traces)
}

#[derive(Template)]
#[template(path = "workflow/mining/page.html")]
struct MiningPage {
    page: PageCtx,
    keys: Vec<(String, String)>,
    definition: String,
    /// What was analysed: a process name, or the pasted log.
    source: Option<String>,
    truncated: bool,
    analysis: Option<Analysis>,
    format: String,
    log: String,
    errors: Vec<FieldError>,
}

impl MiningPage {
    fn dur(&self, s: &f64) -> String {
        kernel::web::text::duration_label(&self.page, (*s * 1000.0).round() as i64)
    }
    fn opt_dur(&self, s: &Option<f64>) -> String {
        s.map(|s| self.dur(&s)).unwrap_or_else(|| "–".into())
    }
}

/// The process keys and their names in the page's language.
pub async fn keys(db: &kernel::Db, page: &PageCtx) -> AppResult<Vec<(String, String)>> {
    let mut keys: Vec<(String, String)> = vec![];
    for d in defs::all(db).await? {
        if keys.last().is_none_or(|k| k.0 != d.process_key) {
            keys.push((d.process_key.clone(), crate::definitions::pages::name_of(page, &d).to_string()));
        }
    }
    Ok(keys)
}

#[derive(Deserialize, Default)]
struct Choose {
    #[serde(default)]
    definition: String,
}

async fn show(State(state): State<AppState>, page: PageCtx, Query(q): Query<Choose>) -> AppResult<Response> {
    let keys = keys(&state.db, &page).await?;
    let chosen = keys.iter().find(|k| k.0 == q.definition).cloned();
    let (mut source, mut analysis, mut truncated) = (None, None, false);
    if let Some((key, name)) = chosen {
        let (traces, cut) = engine_log::traces_of(&state.db, &key).await?;
        let title = page.t1("wfp-dfg-title", "name", name.clone());
        analysis = Some(analyse(&traces, &title));
        source = Some(name);
        truncated = cut;
    }
    let p = MiningPage {
        page,
        keys,
        definition: q.definition,
        source,
        truncated,
        analysis,
        format: "xes".into(),
        log: String::new(),
        errors: vec![],
    };
    Ok(render(&p)?.into_response())
}

#[derive(Deserialize, Default)]
struct Upload {
    #[serde(default)]
    format: String,
    #[serde(default)]
    log: String,
}

async fn upload(State(state): State<AppState>, page: PageCtx, Form(f): Form<Upload>) -> AppResult<Response> {
    let keys = keys(&state.db, &page).await?;
    let format = if f.format == "csv" { "csv" } else { "xes" }.to_string();
    let (status, analysis, source, errors, log) = match read_pasted(&format, &f.log) {
        Ok(traces) => {
            let source = page.t("wfp-mining-pasted");
            let title = page.t1("wfp-dfg-title", "name", source.clone());
            (StatusCode::OK, Some(analyse(&traces, &title)), Some(source), vec![], String::new())
        }
        Err(e) => {
            let keep = if f.log.len() <= MAX_LOG_BYTES { f.log } else { String::new() };
            (StatusCode::UNPROCESSABLE_ENTITY, None, None, vec![e], keep)
        }
    };
    let p =
        MiningPage { page, keys, definition: String::new(), source, truncated: false, analysis, format, log, errors };
    Ok((status, render(&p)?).into_response())
}

pub fn routes() -> Routes {
    Routes::new().page(
        "/staff/workflow/mining",
        Access::Staff(crate::definitions::PROCESS_STAFF),
        get(show).post(upload),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_logs_are_read_or_refused_naming_the_place() {
        kernel::i18n::register_catalogue(&crate::CATALOGUE);
        let csv = "case,activity,timestamp,lifecycle,role\n\
                   1,Register,2026-01-05T09:00:00Z,complete,clerk\n\
                   1,Review,2026-01-05T10:00:00Z,start,officer\n\
                   1,Review,2026-01-05T12:00:00Z,complete,officer\n\
                   2,Register,2026-01-05T09:30:00Z,complete,clerk\n";
        let t = read_pasted("csv", csv).unwrap();
        assert_eq!(t.len(), 2);
        let a = analyse(&t, "g");
        // Graph over complete events: case 1 Register → Review, case 2 Register.
        assert_eq!((a.cases, a.events), (2, 4));
        assert_eq!(a.variants, vec![("Register".to_string(), 1), ("Register → Review".to_string(), 1)]);
        // The wait before Review (officer): started 10:00, Register ended 09:00: one hour.
        let review = a.bottlenecks.iter().find(|b| b.activity == "Review").unwrap();
        assert_eq!((review.median_wait_s, review.role.as_deref()), (3600.0, Some("officer")));
        assert!(a.svg.starts_with("<svg"));

        assert_eq!(read_pasted("csv", "  ").unwrap_err().code, "wf_log_required");
        let bad = read_pasted("csv", "case,activity,timestamp\n1,A,yesterday\n").unwrap_err();
        assert_eq!(bad.code, "wf_log_invalid");
        assert!(bad.message.en.contains("line 2"), "{}", bad.message.en);
        let big = "x".repeat(MAX_LOG_BYTES + 1);
        assert_eq!(read_pasted("xes", &big).unwrap_err().code, "wf_log_too_large");
        let xes = "<log><trace><event><string key=\"concept:name\" value=\"A\"/></event></trace></log>";
        let e = read_pasted("xes", xes).unwrap_err();
        assert_eq!(e.code, "wf_log_invalid");
        assert!(e.message.en.contains("trace 1"), "{}", e.message.en);
        assert_eq!(read_pasted("xes", "<log></log>").unwrap_err().code, "wf_log_empty");
    }
}
