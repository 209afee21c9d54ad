-- The process engine: deployed definitions (versioned), instances, user tasks and timers.
-- Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

CREATE TABLE workflow_definitions (
    id TEXT PRIMARY KEY,
    -- The BPMN process id; versions count up from 1 per key.
    process_key TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT,
    name_zh TEXT,
    bpmn TEXT NOT NULL,
    deployed_by TEXT NOT NULL,
    deployed_at BIGINT NOT NULL,
    UNIQUE (process_key, version)
);

CREATE TABLE workflow_instances (
    id TEXT PRIMARY KEY,
    -- Running instances keep the version they started on.
    definition_id TEXT NOT NULL REFERENCES workflow_definitions (id),
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'cancelled')),
    -- JSON array of the node ids where the instance waits.
    waiting TEXT NOT NULL,
    -- JSON object of the instance variables.
    variables TEXT NOT NULL,
    -- Bumped by every change; a change applies only to the revision it read.
    revision BIGINT NOT NULL,
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    reason TEXT
);
CREATE INDEX workflow_instances_status ON workflow_instances (status, started_at);

CREATE TABLE workflow_tasks (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    node_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    -- Comma-separated candidate role codes.
    roles TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'completed', 'cancelled')),
    assignee TEXT,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    completed_at BIGINT,
    completed_by TEXT,
    -- JSON object: the form data given on completion.
    form TEXT
);
CREATE INDEX workflow_tasks_status ON workflow_tasks (status, created_at);
CREATE INDEX workflow_tasks_instance ON workflow_tasks (instance_id, node_id);

CREATE TABLE workflow_timers (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    node_id TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'fired', 'cancelled')),
    created_at BIGINT NOT NULL
);
CREATE INDEX workflow_timers_due ON workflow_timers (due_at) WHERE status = 'pending';
