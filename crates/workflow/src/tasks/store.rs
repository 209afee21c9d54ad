//! User tasks' SQL. Claims and completions are single conditional statements: of two people
//! claiming one task at once, exactly one statement changes the row.

use kernel::db::Tx;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use super::rules::{DUE_SOON_MS, Query, Sort, View};
use super::{Attachment, Comment, WorkItem};
use crate::instances::TaskRow;
use crate::instances::store::TASK_COLUMNS;

const COLS: &str = TASK_COLUMNS;

fn row(r: &AnyRow) -> sqlx::Result<TaskRow> {
    TaskRow::from_row(r)
}

pub async fn get(db: &kernel::Db, id: &str) -> sqlx::Result<Option<TaskRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_tasks WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?.as_ref().map(row).transpose()
}

pub async fn get_in(tx: &mut Tx, id: &str) -> sqlx::Result<Option<TaskRow>> {
    let sql = format!("SELECT {COLS} FROM workflow_tasks WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut **tx).await?.as_ref().map(row).transpose()
}

/// Claims an open task for `who`; false when it was not open (someone else was first).
pub async fn claim(tx: &mut Tx, id: &str, who: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'claimed', assignee = $1, claimed_at = $2 WHERE id = $3 AND status = 'open'",
    )
    .bind(who)
    .bind(now)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a task claimed by `who` back; false when it was not theirs.
pub async fn release(tx: &mut Tx, id: &str, who: &str) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'open', assignee = NULL, claimed_at = NULL \
         WHERE id = $1 AND status = 'claimed' AND assignee = $2",
    )
    .bind(id)
    .bind(who)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Completes a task claimed by `who`; false when it was not theirs (or no longer claimed).
pub async fn complete(tx: &mut Tx, id: &str, who: &str, form: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'completed', completed_at = $1, completed_by = $2, form = $3 \
         WHERE id = $4 AND status = 'claimed' AND assignee = $2",
    )
    .bind(now)
    .bind(who)
    .bind(form)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Who completed the latest completed task at `node` of an instance.
pub async fn last_completer(tx: &mut Tx, instance: &str, node: &str) -> sqlx::Result<Option<String>> {
    let r = sqlx::query(
        "SELECT completed_by FROM workflow_tasks WHERE instance_id = $1 AND node_id = $2 AND status = 'completed' \
         ORDER BY completed_at DESC LIMIT 1",
    )
    .bind(instance)
    .bind(node)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(r.map(|r| r.try_get("completed_by")).transpose()?.flatten())
}

/// Open and claimed tasks, oldest first (at most `limit`).
pub async fn active(db: &kernel::Db, limit: i64) -> sqlx::Result<Vec<TaskRow>> {
    let sql = format!(
        "SELECT {COLS} FROM workflow_tasks WHERE status IN ('open', 'claimed') ORDER BY created_at, id LIMIT $1"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(db.pool()).await?.iter().map(row).collect()
}

/// One bind of a statement built at run time.
enum Arg {
    S(String),
    I(i64),
}

/// A WHERE clause and its binds, numbered from `$1`.
#[derive(Default)]
struct Where {
    parts: Vec<String>,
    args: Vec<Arg>,
}

impl Where {
    fn s(&mut self, v: impl Into<String>) -> String {
        self.args.push(Arg::S(v.into()));
        format!("${}", self.args.len())
    }

    fn i(&mut self, v: i64) -> String {
        self.args.push(Arg::I(v));
        format!("${}", self.args.len())
    }

    /// The task has one of `roles` among its candidate roles (any task for a manager).
    fn roles(&mut self, roles: &[&str]) -> String {
        if super::rules::sees_all(roles) {
            return "1 = 1".into();
        }
        if roles.is_empty() {
            return "1 = 0".into();
        }
        let ors: Vec<String> = roles
            .iter()
            .map(|r| {
                let p = self.s(format!("%,{},%", kernel::db::contains_pattern(r).trim_matches('%')));
                format!("(',' || t.roles || ',') LIKE {p} ESCAPE '\\'")
            })
            .collect();
        format!("({})", ors.join(" OR "))
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Arg::S(s) => q.bind(s.clone()),
            Arg::I(i) => q.bind(*i),
        };
    }
    q
}

const ITEM_COLS: &str = "t.id, t.instance_id, t.node_id, t.name, t.name_zh, t.roles, t.status, t.assignee, \
     t.created_at, t.claimed_at, t.due_at, d.process_key, d.version, d.name AS definition_name, \
     d.name_zh AS definition_name_zh";
const ITEM_FROM: &str = "workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id \
     JOIN workflow_definitions d ON d.id = i.definition_id";

fn item(r: &AnyRow) -> sqlx::Result<WorkItem> {
    Ok(WorkItem {
        id: r.try_get("id")?,
        instance_id: r.try_get("instance_id")?,
        node_id: r.try_get("node_id")?,
        name: r.try_get("name")?,
        name_zh: r.try_get("name_zh")?,
        roles: r.try_get("roles")?,
        status: r.try_get("status")?,
        assignee: r.try_get("assignee")?,
        created_at: r.try_get("created_at")?,
        claimed_at: r.try_get("claimed_at")?,
        due_at: r.try_get("due_at")?,
        definition: r.try_get("process_key")?,
        version: r.try_get("version")?,
        definition_name: r.try_get("definition_name")?,
        definition_name_zh: r.try_get("definition_name_zh")?,
    })
}

/// One page of a worklist for `me` holding `roles`, at `now`, and how many tasks it has in all.
pub async fn worklist(
    db: &kernel::Db,
    q: &Query,
    me: &str,
    roles: &[&str],
    now: i64,
    limit: i64,
) -> sqlx::Result<(Vec<WorkItem>, i64)> {
    let mut w = Where::default();
    let active = "t.status IN ('open', 'claimed')".to_string();
    match q.view {
        View::All | View::Overdue | View::DueSoon => {
            let me_p = w.s(me);
            let r = w.roles(roles);
            w.parts.push(active);
            w.parts.push(format!("(t.assignee = {me_p} OR {r})"));
            if q.view == View::Overdue {
                let n = w.i(now);
                w.parts.push(format!("t.due_at < {n}"));
            } else if q.view == View::DueSoon {
                let (a, b) = (w.i(now), w.i(now + DUE_SOON_MS));
                w.parts.push(format!("t.due_at >= {a} AND t.due_at <= {b}"));
            }
        }
        View::Mine => {
            let me_p = w.s(me);
            w.parts.push(format!("t.status = 'claimed' AND t.assignee = {me_p}"));
        }
        View::Team => {
            let me_p = w.s(me);
            let r = w.roles(roles);
            w.parts.push(format!("t.status = 'claimed' AND t.assignee <> {me_p} AND {r}"));
        }
        View::Unassigned => {
            let r = w.roles(roles);
            w.parts.push(format!("t.status = 'open' AND {r}"));
        }
    }
    if let Some(d) = &q.definition {
        let p = w.s(d.as_str());
        w.parts.push(format!("d.process_key = {p}"));
    }
    if !q.text.is_empty() {
        let p = w.s(kernel::db::contains_pattern(&q.text));
        w.parts.push(format!(
            "(LOWER(t.name) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(t.name_zh, '')) LIKE {p} ESCAPE '\\' \
             OR LOWER(t.instance_id) LIKE {p} ESCAPE '\\' OR LOWER(i.variables) LIKE {p} ESCAPE '\\')"
        ));
    }
    let clause = w.parts.join(" AND ");
    let order = match q.sort {
        Sort::Created => "t.created_at, t.id",
        Sort::Newest => "t.created_at DESC, t.id DESC",
        Sort::Due => "CASE WHEN t.due_at IS NULL THEN 1 ELSE 0 END, t.due_at, t.created_at, t.id",
    };
    let count_sql = format!("SELECT COUNT(*) AS n FROM {ITEM_FROM} WHERE {clause}");
    let total: i64 =
        bind(sqlx::query(sqlx::AssertSqlSafe(count_sql)), &w.args).fetch_one(db.pool()).await?.try_get("n")?;
    let (l, o) = (w.i(limit), w.i((q.page - 1) * limit));
    let sql = format!("SELECT {ITEM_COLS} FROM {ITEM_FROM} WHERE {clause} ORDER BY {order} LIMIT {l} OFFSET {o}");
    let rows = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), &w.args).fetch_all(db.pool()).await?;
    Ok((rows.iter().map(item).collect::<sqlx::Result<_>>()?, total))
}

/// One task as a worklist shows it.
pub async fn item_by_id(db: &kernel::Db, id: &str) -> sqlx::Result<Option<WorkItem>> {
    let sql = format!("SELECT {ITEM_COLS} FROM {ITEM_FROM} WHERE t.id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(db.pool()).await?.as_ref().map(item).transpose()
}

/// The process keys that have instances with tasks (for the worklist's filter).
pub async fn definition_keys(db: &kernel::Db) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT process_key FROM workflow_definitions ORDER BY process_key")
        .fetch_all(db.pool())
        .await
}

/// Hands a task claimed by `from` to `to`; false when `from` no longer holds it.
pub async fn delegate(tx: &mut Tx, id: &str, from: &str, to: &str, now: i64) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET assignee = $1, claimed_at = $2 WHERE id = $3 AND status = 'claimed' AND assignee = $4",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a task to `to` (claimed by them), only if it is still as it was read (`status` and
/// `assignee`); false otherwise.
pub async fn reassign(
    tx: &mut Tx,
    id: &str,
    status: &str,
    assignee: Option<&str>,
    to: &str,
    now: i64,
) -> sqlx::Result<bool> {
    let r = sqlx::query(
        "UPDATE workflow_tasks SET status = 'claimed', assignee = $1, claimed_at = $2 \
         WHERE id = $3 AND status = $4 AND COALESCE(assignee, '') = $5",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(status)
    .bind(assignee.unwrap_or(""))
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn insert_comment(tx: &mut Tx, c: &Comment) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO workflow_task_comments (id, task_id, instance_id, author, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&c.id)
    .bind(&c.task_id)
    .bind(&c.instance_id)
    .bind(&c.author)
    .bind(&c.body)
    .bind(c.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The comments on every task of an instance, oldest first.
pub async fn comments_of_instance(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<Comment>> {
    let rows = sqlx::query(
        "SELECT id, task_id, instance_id, author, body, created_at FROM workflow_task_comments \
         WHERE instance_id = $1 ORDER BY created_at, id",
    )
    .bind(instance)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Comment {
                id: r.try_get("id")?,
                task_id: r.try_get("task_id")?,
                instance_id: r.try_get("instance_id")?,
                author: r.try_get("author")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

const ATTACHMENT_COLS: &str =
    "id, task_id, instance_id, file_key, file_name, media_type, size_bytes, sha256, uploaded_by, uploaded_at";

fn attachment(r: &AnyRow) -> sqlx::Result<Attachment> {
    Ok(Attachment {
        id: r.try_get("id")?,
        task_id: r.try_get("task_id")?,
        instance_id: r.try_get("instance_id")?,
        file_key: r.try_get("file_key")?,
        file_name: r.try_get("file_name")?,
        media_type: r.try_get("media_type")?,
        size_bytes: r.try_get("size_bytes")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

pub async fn insert_attachment(tx: &mut Tx, a: &Attachment) -> sqlx::Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO workflow_task_attachments ({ATTACHMENT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )))
    .bind(&a.id)
    .bind(&a.task_id)
    .bind(&a.instance_id)
    .bind(&a.file_key)
    .bind(&a.file_name)
    .bind(&a.media_type)
    .bind(a.size_bytes)
    .bind(&a.sha256)
    .bind(&a.uploaded_by)
    .bind(a.uploaded_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn attachment_by_id(db: &kernel::Db, id: &str) -> sqlx::Result<Option<Attachment>> {
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ATTACHMENT_COLS} FROM workflow_task_attachments WHERE id = $1")))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(attachment)
        .transpose()
}

/// The attachments of every task of an instance, oldest first.
pub async fn attachments_of_instance(db: &kernel::Db, instance: &str) -> sqlx::Result<Vec<Attachment>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ATTACHMENT_COLS} FROM workflow_task_attachments WHERE instance_id = $1 ORDER BY uploaded_at, id"
    )))
    .bind(instance)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(attachment)
    .collect()
}
