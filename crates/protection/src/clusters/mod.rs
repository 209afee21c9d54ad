//! Clusters of cases with their transmission chains.

pub mod chain;
pub mod pages;
pub mod service;
pub mod store;

use kernel::area::HomeCard;
use kernel::web::Routes;
use serde::Serialize;

/// This sub-domain's cards on the home pages (staff cards show to those its routes allow).
pub fn cards() -> Vec<HomeCard> {
    vec![HomeCard::staff("prot-clusters-title", "prot-clusters-desc", "/staff/protection/clusters")]
}

pub fn routes() -> Routes {
    pages::routes()
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Cluster {
    pub id: String,
    pub reference: String,
    pub name: String,
    pub disease: Option<String>,
    pub setting: String,
    pub description: String,
    pub status: String,
    pub created_at: i64,
    pub cases: i64,
    pub links: i64,
}

/// A transmission link between two cases of a cluster, by case reference.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Link {
    pub id: String,
    pub source: String,
    pub target: String,
    pub note: String,
}

/// A cluster to open.
pub struct NewCluster<'a> {
    pub name: &'a str,
    pub disease: Option<&'a str>,
    pub setting: &'a str,
    pub description: &'a str,
}
