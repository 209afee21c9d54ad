//! Clusters and outbreaks: create one, link cases to it, mark who infected whom, and see the
//! transmission chain as an accessible SVG with the same information as a table. Cluster pages
//! show cases pseudonymised (reference, classification, onset, district, sex, age band).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::AppState;
use kernel::audit::Origin;
use kernel::identity::Identity;
use kernel::web::form::FieldErrors;
use kernel::web::page::render;
use kernel::web::{Access, Routes};
use kernel::web::{AppError, AppResult, FieldError, Form, PageCtx};
use serde::Deserialize;

use super::chain::{self, Node};
use super::service;
use super::{Cluster, Link, NewCluster as NewClusterIn, store};
use crate::cases::{self, Case, EPI, EXPOSURE_SETTINGS};
use crate::catalogue::DiseaseNames;
use crate::catalogue::{self, Disease};
use crate::ui::Labels;

#[derive(Template)]
#[template(path = "protection/clusters/list.html")]
struct ClustersPage {
    page: PageCtx,
    clusters: Vec<Cluster>,
    diseases: Vec<Disease>,
    errors: FieldErrors,
    form: NewCluster,
}

impl ClustersPage {
    fn settings(&self) -> &'static [&'static str] {
        &EXPOSURE_SETTINGS
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewCluster {
    #[serde(default)]
    name: String,
    #[serde(default)]
    disease: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    description: String,
}

async fn list_page(state: &AppState, page: PageCtx, errors: Vec<FieldError>, form: NewCluster) -> AppResult<Response> {
    let clusters = store::clusters(&state.db).await?;
    let diseases = catalogue::store::diseases(&state.db).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((status, render(&ClustersPage { page, clusters, diseases, errors, form })?).into_response())
}

async fn list(State(state): State<AppState>, page: PageCtx) -> AppResult<Response> {
    list_page(&state, page, vec![], NewCluster { setting: "unknown".into(), ..Default::default() }).await
}

async fn create(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Form(f): Form<NewCluster>,
) -> AppResult<Response> {
    let mut errors = vec![];
    let name = f.name.trim().to_string();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required", &[]));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new("name", "too_long", &[("max", "100".into())]));
    }
    let disease = f.disease.trim().to_string();
    if !disease.is_empty() && catalogue::store::disease(&state.db, &disease).await?.is_none() {
        errors.push(FieldError::new("disease", "unknown_disease", &[("value", disease.chars().take(40).collect())]));
    }
    if !EXPOSURE_SETTINGS.contains(&f.setting.as_str()) {
        errors.push(FieldError::new("setting", "invalid_choice", &[]));
    }
    let description = f.description.trim().to_string();
    if description.chars().count() > 1000 {
        errors.push(FieldError::new("description", "too_long", &[("max", "1000".into())]));
    }
    if !errors.is_empty() {
        return list_page(&state, page, errors, f).await;
    }
    let d = (!disease.is_empty()).then_some(disease.as_str());
    let new = NewClusterIn { name: &name, disease: d, setting: &f.setting, description: &description };
    let reference = service::create(&state.db, &identity.actor(), &origin, &new).await?;
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

/// A cluster's case as the cluster page shows it (pseudonymised).
struct Member {
    case: Case,
    sex: String,
    age_band: String,
    generation: usize,
}

#[derive(Template)]
#[template(path = "protection/clusters/cluster.html")]
struct ClusterPage {
    page: PageCtx,
    cluster: Cluster,
    disease: Option<Disease>,
    members: Vec<Member>,
    links: Vec<Link>,
    svg: String,
    errors: FieldErrors,
}

async fn cluster_page(
    state: &AppState,
    page: PageCtx,
    reference: &str,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let cluster = store::cluster_by_reference(&state.db, reference).await?.ok_or(AppError::NotFound)?;
    let today = kernel::hk::today();
    let cases = store::cluster_cases(&state.db, &cluster.id).await?;
    let links = store::links(&state.db, &cluster.id).await?;
    let edges: Vec<(String, String)> = links.iter().map(|l| (l.source.clone(), l.target.clone())).collect();
    let nodes: Vec<Node> = cases
        .iter()
        .map(|(c, _, _)| Node {
            id: c.reference.clone(),
            label: c.reference.clone(),
            detail: format!(
                "{} {} · {}",
                page.t("prot-onset-short"),
                c.onset_date.clone().unwrap_or_else(|| "–".into()),
                page.class_label(c.classification.code())
            ),
        })
        .collect();
    let gens = chain::generations(&nodes, &edges);
    let description = if links.is_empty() {
        page.t1("prot-chain-desc-none", "count", nodes.len())
    } else {
        let arrows: Vec<String> = links.iter().map(|l| format!("{} → {}", l.source, l.target)).collect();
        format!("{} {}", page.t1("prot-chain-desc", "count", nodes.len()), arrows.join("; "))
    };
    let title = page.t1("prot-chain-title", "ref", &cluster.reference);
    let svg = chain::svg(&nodes, &edges, &title, &description, "chain");
    let members = cases
        .into_iter()
        .map(|(c, sex, birth)| Member {
            generation: gens.get(&c.reference).copied().unwrap_or(0),
            age_band: cases::pseudonym::age_band(birth.and_then(|b| b.parse().ok()), today),
            sex,
            case: c,
        })
        .collect();
    let disease = match &cluster.disease {
        Some(d) => catalogue::store::disease(&state.db, d).await?,
        None => None,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let errors = page.errors(errors);
    Ok((status, render(&ClusterPage { page, cluster, disease, members, links, svg, errors })?).into_response())
}

async fn view(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
) -> AppResult<Response> {
    let res = cluster_page(&state, page, &reference, vec![]).await?;
    // The cluster page lists its cases (pseudonymised): the view is recorded like the line list.
    service::record_view(&state.db, &identity.actor(), &origin, &reference).await?;
    Ok(res)
}

#[derive(Deserialize)]
struct CaseRef {
    #[serde(default)]
    case: String,
}

async fn add_case(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<CaseRef>,
) -> AppResult<Response> {
    let cluster = store::cluster_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    let wanted = f.case.trim().to_uppercase();
    let Some(case) = cases::store::case_by_reference(&state.db, &wanted).await? else {
        let e = FieldError::new("case", "unknown_case", &[("value", wanted.chars().take(30).collect())]);
        return cluster_page(&state, page, &reference, vec![e]).await;
    };
    if let Some(other) = case.cluster_id.as_deref().filter(|c| *c != cluster.id) {
        let other = store::cluster_by_id(&state.db, other).await?.map(|c| c.reference).unwrap_or_default();
        let e = FieldError::new("case", "in_other_cluster", &[("ref", other)]);
        return cluster_page(&state, page, &reference, vec![e]).await;
    }
    if cluster.status != "open" {
        return cluster_page(&state, page, &reference, vec![FieldError::new("case", "cluster_closed", &[])]).await;
    }
    service::move_case(&state.db, &identity.actor(), &origin, &case, Some(&cluster)).await?;
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

async fn remove_case(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<CaseRef>,
) -> AppResult<Response> {
    let cluster = store::cluster_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    let case = cases::store::case_by_reference(&state.db, f.case.trim()).await?.ok_or(AppError::NotFound)?;
    if case.cluster_id.as_deref() != Some(cluster.id.as_str()) {
        return Err(AppError::NotFound);
    }
    service::move_case(&state.db, &identity.actor(), &origin, &case, None).await?;
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    source: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    note: String,
}

async fn add_link(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<LinkForm>,
) -> AppResult<Response> {
    let cluster = store::cluster_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    let cases = store::cluster_cases(&state.db, &cluster.id).await?;
    let find = |r: &str| cases.iter().map(|(c, _, _)| c).find(|c| c.reference == r.trim());
    let links = store::links(&state.db, &cluster.id).await?;
    let edges: Vec<(String, String)> = links.iter().map(|l| (l.source.clone(), l.target.clone())).collect();
    let mut errors = vec![];
    let source = find(&f.source);
    let target = find(&f.target);
    if source.is_none() {
        errors.push(FieldError::new("source", "not_in_cluster", &[]));
    }
    if target.is_none() {
        errors.push(FieldError::new("target", "not_in_cluster", &[]));
    }
    let note = f.note.trim().to_string();
    if note.chars().count() > 200 {
        errors.push(FieldError::new("note", "too_long", &[("max", "200".into())]));
    }
    if let (Some(s), Some(t)) = (source, target) {
        if s.id == t.id {
            errors.push(FieldError::new("target", "link_to_itself", &[]));
        } else if edges.iter().any(|(a, b)| *a == s.reference && *b == t.reference) {
            errors.push(FieldError::new("target", "link_exists", &[]));
        } else if chain::creates_cycle(&edges, &s.reference, &t.reference) {
            errors.push(FieldError::new("target", "link_cycle", &[]));
        }
    }
    let (Some(s), Some(t), true) = (source, target, errors.is_empty()) else {
        return cluster_page(&state, page, &reference, errors).await;
    };
    if !service::add_link(&state.db, &identity.actor(), &origin, &cluster, s, t, &note).await? {
        return cluster_page(&state, page, &reference, vec![FieldError::new("target", "link_exists", &[])]).await;
    }
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

async fn delete_link(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path((reference, link)): Path<(String, String)>,
) -> AppResult<Response> {
    let cluster = store::cluster_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    if !service::delete_link(&state.db, &identity.actor(), &origin, &cluster, &link).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn set_status(
    State(state): State<AppState>,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    if !matches!(f.status.as_str(), "open" | "closed") {
        return Err(AppError::Validation(vec![FieldError::new("status", "invalid_choice", &[])]));
    }
    let cluster = store::cluster_by_reference(&state.db, &reference).await?.ok_or(AppError::NotFound)?;
    service::set_status(&state.db, &identity.actor(), &origin, &cluster, &f.status).await?;
    Ok(Redirect::to(&format!("/staff/protection/clusters/{reference}")).into_response())
}

#[derive(Deserialize)]
struct ClusterChoice {
    #[serde(default)]
    cluster: String,
}

/// The case page's cluster choice: moves the case into an open cluster, or out of its cluster.
async fn set_cluster(
    State(state): State<AppState>,
    page: PageCtx,
    identity: Identity,
    origin: Origin,
    Path(reference): Path<String>,
    Form(f): Form<ClusterChoice>,
) -> AppResult<Response> {
    let case = cases::pages::case_to_change(&state, &identity, &reference).await?;
    let target = match f.cluster.trim() {
        "" => None,
        r => match store::cluster_by_reference(&state.db, r).await?.filter(|c| c.status == "open") {
            Some(c) => Some(c),
            None => {
                let e = FieldError::new("cluster", "unknown_cluster", &[("value", r.chars().take(30).collect())]);
                return cases::pages::case_page(&state, page, &identity, &origin, case, vec![e], None).await;
            }
        },
    };
    service::move_case(&state.db, &identity.actor(), &origin, &case, target.as_ref()).await?;
    Ok(cases::pages::back(&reference, "cluster"))
}

pub fn routes() -> Routes {
    Routes::new()
        .page("/staff/protection/clusters", Access::Staff(EPI), get(list).post(create))
        .page("/staff/protection/cases/{reference}/cluster", Access::Staff(EPI), post(set_cluster))
        .page("/staff/protection/clusters/{reference}", Access::Staff(EPI), get(view))
        .page("/staff/protection/clusters/{reference}/cases", Access::Staff(EPI), post(add_case))
        .page("/staff/protection/clusters/{reference}/cases/remove", Access::Staff(EPI), post(remove_case))
        .page("/staff/protection/clusters/{reference}/links", Access::Staff(EPI), post(add_link))
        .page("/staff/protection/clusters/{reference}/links/{id}/delete", Access::Staff(EPI), post(delete_link))
        .page("/staff/protection/clusters/{reference}/status", Access::Staff(EPI), post(set_status))
}
