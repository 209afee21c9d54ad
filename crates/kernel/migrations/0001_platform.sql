-- Kernel platform tables: settings, jobs, recurring schedules, notification outbox, closures.
-- Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    dedupe_key TEXT,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key);
CREATE INDEX jobs_ready ON jobs (run_at) WHERE status = 'queued';
CREATE INDEX jobs_running ON jobs (locked_until) WHERE status = 'running';

CREATE TABLE job_schedules (
    name TEXT PRIMARY KEY,
    cron TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    locale TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'delivered', 'temporary_failure', 'permanent_failure')),
    attempts BIGINT NOT NULL DEFAULT 0,
    provider TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX outbox_status ON outbox (status, created_at);

CREATE TABLE closures (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('typhoon_8', 'black_rainstorm', 'other')),
    district TEXT,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT,
    note TEXT NOT NULL,
    declared_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX closures_time ON closures (starts_at, ends_at);
