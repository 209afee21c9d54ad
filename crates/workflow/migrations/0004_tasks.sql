-- Tasks: due dates (for the worklists' overdue and due-soon views), comments and attachments.
-- Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

-- When the task is due: the due time of its interrupting timer boundary event, if it has one.
ALTER TABLE workflow_tasks ADD COLUMN due_at BIGINT;
CREATE INDEX workflow_tasks_due ON workflow_tasks (due_at) WHERE status IN ('open', 'claimed');
CREATE INDEX workflow_tasks_assignee ON workflow_tasks (assignee, status);

CREATE TABLE workflow_task_comments (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES workflow_tasks (id),
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    -- Staff id of the author.
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX workflow_task_comments_instance ON workflow_task_comments (instance_id, created_at);

-- The bytes are in the kernel file store under file_key; this is what they are.
CREATE TABLE workflow_task_attachments (
    id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES workflow_tasks (id),
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    file_key TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    -- Hex SHA-256 of the bytes.
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX workflow_task_attachments_instance ON workflow_task_attachments (instance_id, uploaded_at);
