-- SLA clocks: one per instance and SLA declared in its definition (<phos:sla>), started,
-- paused, resumed and stopped as tokens enter and leave the named nodes. Milestones (50, 75,
-- 100 %) are recorded once each by a conditional UPDATE (reached_* IS NULL), whichever replica
-- runs the job. Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

CREATE TABLE workflow_sla_clocks (
    id TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL REFERENCES workflow_instances (id),
    definition_id TEXT NOT NULL REFERENCES workflow_definitions (id),
    -- The SLA's id in the definition, its names and the role it escalates to.
    sla_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_zh TEXT,
    escalate_to TEXT NOT NULL,
    -- The duration: 'calendar' (seconds), 'business_days' or 'business_hours'.
    wait_kind TEXT NOT NULL CHECK (wait_kind IN ('calendar', 'business_days', 'business_hours')),
    wait_amount BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'paused', 'stopped')),
    -- The district whose closures apply ('' for territory-wide closures only).
    district TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    stopped_at BIGINT,
    -- JSON array of [from, to] pairs (to null while paused).
    pauses TEXT NOT NULL,
    -- The deadline and the 50 % and 75 % instants; null while paused.
    due_at BIGINT,
    m50_at BIGINT,
    m75_at BIGINT,
    -- When each milestone was recorded (null until then).
    reached_50 BIGINT,
    reached_75 BIGINT,
    reached_100 BIGINT,
    -- JSON array of deadline shifts: {at, from, to, closure, kind, note, declared_at}.
    shifts TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (instance_id, sla_id)
);
CREATE INDEX workflow_sla_clocks_due ON workflow_sla_clocks (due_at) WHERE status = 'running';
CREATE INDEX workflow_sla_clocks_definition ON workflow_sla_clocks (definition_id, due_at);
