//! Process instances: the token interpreter ([`rules`]), starting instances and delivering
//! messages ([`service`]), their SQL ([`store`]) and API ([`api`]).

pub mod api;
pub mod migrate;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;
pub mod timer_loop;

use axum::http::StatusCode;

use crate::definitions::{DeployError, Problem};

/// A user task as stored: the interpreter creates it when a token reaches a user task;
/// `crate::tasks` claims and completes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct TaskRow {
    pub id: String,
    pub instance_id: String,
    pub node_id: String,
    pub name: String,
    pub name_zh: Option<String>,
    /// Comma-separated candidate role codes.
    pub roles: String,
    pub status: String,
    pub assignee: Option<String>,
    pub created_at: i64,
    pub claimed_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub completed_by: Option<String>,
}

/// Why an engine use case did not happen.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("not found")]
    NotFound,
    /// Refused, with a stable code and an HTTP status.
    #[error("refused: {0}")]
    Refused(&'static str, StatusCode),
    #[error("the definition is invalid ({} problems)", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Run(#[from] rules::RunError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<DeployError> for EngineError {
    fn from(e: DeployError) -> Self {
        match e {
            DeployError::Invalid(problems) => EngineError::Invalid(problems),
            DeployError::Db(e) => EngineError::Db(e),
        }
    }
}

impl From<DeployError> for kernel::web::AppError {
    fn from(e: DeployError) -> Self {
        EngineError::from(e).into()
    }
}

impl From<EngineError> for kernel::web::AppError {
    fn from(e: EngineError) -> Self {
        use kernel::web::{AppError, FieldError};
        match e {
            EngineError::NotFound => AppError::NotFound,
            EngineError::Refused(code, status) => AppError::Code(status, code),
            EngineError::Invalid(problems) => AppError::Validation(
                problems
                    .iter()
                    .map(|p| {
                        let field = p.element.clone().unwrap_or_else(|| "bpmn".into());
                        FieldError::new(&field, &format!("bpmn_{}", p.code), &[])
                    })
                    .collect(),
            ),
            EngineError::Run(r) => AppError::Code(StatusCode::UNPROCESSABLE_ENTITY, r.code()),
            EngineError::Db(e) => AppError::Internal(e.into()),
        }
    }
}
