-- The workflow event log: append-only, one row per change of a process instance or task
-- (activity, instance, actor, role, time, lifecycle). Process mining and the XES / OCEL 2.0
-- exports read it. Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

CREATE TABLE workflow_events (
    -- UUIDv7: also orders events written in the same millisecond.
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    definition_key TEXT NOT NULL,
    definition_version BIGINT NOT NULL,
    -- The node of the definition (BPMN element id) and its display name.
    node_id TEXT NOT NULL,
    activity TEXT NOT NULL,
    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('schedule', 'assign', 'reassign', 'start', 'suspend', 'resume', 'complete', 'ate_abort', 'pi_abort', 'withdraw')),
    -- Staff id (or 'system') and the role they acted in.
    actor TEXT,
    role TEXT,
    -- Unix milliseconds, UTC.
    at BIGINT NOT NULL,
    -- JSON object: form data or variables changed by the event.
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX workflow_events_instance ON workflow_events (instance_id, at, id);
CREATE INDEX workflow_events_at ON workflow_events (at);
