//! The audit log pages (auditors and administrators): search by person, by actor (a member of
//! staff's name or e-mail, or any actor's id), by action and by dates, one page of 50 at a
//! time, with actors' names and readable action names; and the CSV export. Every search and
//! export is itself audited.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Entry, Event, Origin, Search, actions};
use crate::AppState;
use crate::identity::{Identity, Role, staff};
use crate::web::page::render;
use crate::web::paging::Pager;
use crate::web::{Access, AppResult, FieldError, PageCtx, Routes};

const AUDIT: &[Role] = &[Role::Auditor, Role::Admin];
/// Entries a page.
pub const PAGE_SIZE: i64 = 50;
/// Staff accounts an actor search may match.
const MAX_ACTORS: i64 = 200;

#[derive(Template)]
#[template(path = "identity/staff/audit.html")]
struct AuditPage {
    page: PageCtx,
    entries: Vec<Entry>,
    /// `(id, "Name <email>")` of the staff among the entries' actors.
    names: Vec<(String, String)>,
    actions: Vec<(String, String)>,
    q: AuditQuery,
    errors: Vec<FieldError>,
    pager: Pager,
    verdict: String,
    csv_href: String,
}

impl AuditPage {
    fn actor(&self, e: &Entry) -> String {
        match self.names.iter().find(|(id, _)| *id == e.actor_id) {
            Some((_, name)) => name.clone(),
            None => format!("{} {}", self.page.t(&format!("audit-actor-{}", e.actor_type)), e.actor_id),
        }
    }
    fn action(&self, e: &Entry) -> String {
        actions::label(self.page.locale, &e.action)
    }
    fn selected(&self, code: &str) -> bool {
        self.q.action.as_deref() == Some(code)
    }
    fn error_for(&self, field: &str) -> Option<String> {
        self.errors.iter().find(|e| e.field == field).map(|e| self.page.field_message(e))
    }
}

#[derive(Deserialize, Default, Clone)]
struct AuditQuery {
    person: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<String>,
}

/// A day typed as `2025-06-30` or `30/06/2025`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d").or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y")).ok()
}

/// The start of a Hong Kong day in Unix milliseconds.
fn day_start(d: NaiveDate) -> i64 {
    crate::hk::start_of_day_ms(d)
}

impl AuditQuery {
    fn text(s: &Option<String>) -> Option<String> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(100).collect())
    }

    /// The dates, checked: field errors for a day that does not exist and for a start after
    /// the end.
    fn dates(&self) -> Result<(Option<i64>, Option<i64>), Vec<FieldError>> {
        let mut errors = vec![];
        let mut day = |field: &str, s: &Option<String>| match Self::text(s) {
            None => None,
            Some(t) => {
                let d = parse_day(&t);
                if d.is_none() {
                    errors.push(FieldError::new(field, "real_date", &[]));
                }
                d
            }
        };
        let (from, to) = (day("from", &self.from), day("to", &self.to));
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            errors.push(FieldError::new("to", "date_before_start", &[]));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((from.map(day_start), to.and_then(|t| t.succ_opt()).map(day_start)))
    }

    /// The search: an actor given as text matches staff names and e-mails, or an actor's id.
    async fn search(&self, state: &AppState) -> AppResult<Result<Search, Vec<FieldError>>> {
        let (from_ms, to_ms) = match self.dates() {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        let actor_ids = match Self::text(&self.actor) {
            None => None,
            Some(t) => {
                let mut ids = staff::store::ids_matching(&state.db, &t, MAX_ACTORS).await?;
                ids.push(t);
                Some(ids)
            }
        };
        Ok(Ok(Search {
            person_id: Self::text(&self.person),
            actor_id: None,
            actor_ids,
            action: Self::text(&self.action),
            from_ms,
            to_ms,
            limit: 0,
        }))
    }

    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("person", &self.person),
            ("actor", &self.actor),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().filter(|v| !v.is_empty()).map(|v| (k, v)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }

    fn v(&self, s: &Option<String>) -> String {
        s.clone().unwrap_or_default()
    }
}

/// `(code, name)` of every action, sorted by name in the page's language.
fn action_options(page: &PageCtx) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> =
        actions::CODES.iter().map(|c| (c.to_string(), actions::label(page.locale, c))).collect();
    v.sort_by(|a, b| a.1.cmp(&b.1));
    v
}

async fn audit_page(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let query = q.query_string();
    let csv_href = format!("/staff/audit.csv?{query}");
    let requested = q.page.as_deref().and_then(|p| p.parse().ok());
    let (entries, errors, total) = match q.search(&state).await? {
        Err(errors) => (vec![], errors, 0),
        Ok(search) => {
            let total = super::store::count(&state.db, &search).await?;
            let pager = Pager::new(total, requested, PAGE_SIZE, "/staff/audit", &query);
            let (entries, _) = super::search_page(&state.db, &search, PAGE_SIZE, pager.offset()).await?;
            super::record_now(
                &state.db,
                &identity.actor(),
                &origin,
                Event::new("audit.search", "audit_log", "-").detail(&query),
            )
            .await?;
            (entries, vec![], total)
        }
    };
    let pager = Pager::new(total, requested, PAGE_SIZE, "/staff/audit", &query);
    let ids: Vec<String> = entries.iter().filter(|e| e.actor_type == "staff").map(|e| e.actor_id.clone()).collect();
    let names = staff::store::names(&state.db, &ids)
        .await?
        .into_iter()
        .map(|(id, name, email)| (id, format!("{name} <{email}>")))
        .collect();
    let verdict = match super::verify(&state.db).await? {
        super::Verdict::Intact { entries } => page.t1("audit-intact", "count", entries),
        super::Verdict::Broken { seq, reason } => format!("{} #{seq}: {reason}", page.t("audit-broken")),
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let actions = action_options(&page);
    let html = render(&AuditPage { page, entries, names, actions, q, errors, pager, verdict, csv_href })?;
    Ok((status, html).into_response())
}

async fn audit_csv(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    let search = match q.search(&state).await? {
        Ok(s) => Search { limit: 100_000, ..s },
        Err(errors) => return Err(crate::web::AppError::Validation(errors)),
    };
    let entries = super::search(&state.db, &search).await?;
    let detail = q.query_string();
    super::record_now(
        &state.db,
        &identity.actor(),
        &origin,
        Event::new("audit.export", "audit_log", "-").detail(&detail),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"phos-audit.csv\""),
        ],
        super::to_csv(&entries),
    )
        .into_response())
}

pub fn routes() -> Routes {
    Routes::new().page("/staff/audit", Access::Staff(AUDIT), get(audit_page)).page(
        "/staff/audit.csv",
        Access::Staff(AUDIT),
        get(audit_csv),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        let q =
            |from: &str, to: &str| AuditQuery { from: Some(from.into()), to: Some(to.into()), ..Default::default() };
        assert!(q("2025-06-01", "30/06/2025").dates().is_ok());
        let bad = q("2025-02-30", "2025-13-01").dates().unwrap_err();
        assert_eq!(
            bad.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect::<Vec<_>>(),
            vec![("from", "real_date"), ("to", "real_date")]
        );
        let order = q("2025-06-02", "2025-06-01").dates().unwrap_err();
        assert_eq!(order[0].code, "date_before_start");
        assert_eq!(q("", "").dates().unwrap(), (None, None));
    }
}
