//! User tasks: claim (one winner), release, complete with form data, the four-eyes rule,
//! delegation, comments, attachments (in the kernel file store) and bulk reassignment by a
//! manager ([`service`]); the worklists ([`rules`] for the views, [`store`] for their SQL);
//! the API ([`api`]) and the pages ([`pages`]).

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use serde::Serialize;
use utoipa::ToSchema;

/// A task as a worklist shows it: the task, its due time and its process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct WorkItem {
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
    /// When the task is due (its interrupting timer boundary event), if it has a due time.
    pub due_at: Option<i64>,
    /// The process key and version of its instance.
    pub definition: String,
    pub version: i64,
    pub definition_name: Option<String>,
    pub definition_name_zh: Option<String>,
}

/// A comment on a task; an instance's comments are shown with every task of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    pub task_id: String,
    pub instance_id: String,
    /// Staff id of the author.
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// An attachment's metadata (the bytes are in the kernel file store).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub task_id: String,
    pub instance_id: String,
    #[serde(skip)]
    pub file_key: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}
