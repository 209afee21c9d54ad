-- Signals: alarms of the daily detection run (aberration methods per disease × area and the
-- space-time scan), their triage history, the runs themselves, and past weekly counts imported
-- from a legacy system to give the methods years of baseline.
-- Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

CREATE TABLE protection_signals (
    id TEXT PRIMARY KEY,
    disease TEXT NOT NULL REFERENCES protection_diseases (code),
    -- a district code, or HK for territory-wide
    area TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('ears-c1', 'ears-c2', 'ears-c3', 'farrington-flexible', 'cusum', 'threshold', 'scan')),
    -- YYYY-MM-DD, the Monday of the week that alarmed
    week_start TEXT NOT NULL,
    observed DOUBLE PRECISION NOT NULL,
    upperbound DOUBLE PRECISION,
    -- JSON: the weeks shown, their bounds, the method and its parameters (scan: districts, expected, p-value)
    evidence TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('new', 'assessing', 'outbreak', 'dismissed')),
    reason TEXT NOT NULL DEFAULT '',
    cluster_id TEXT REFERENCES protection_clusters (id),
    run_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (disease, area, method, week_start)
);
CREATE INDEX protection_signals_status ON protection_signals (status, created_at);

CREATE TABLE protection_signal_events (
    id TEXT PRIMARY KEY,
    signal_id TEXT NOT NULL REFERENCES protection_signals (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX protection_signal_events_signal ON protection_signal_events (signal_id, changed_at);

CREATE TABLE protection_signal_runs (
    id TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    -- the latest complete week evaluated (a Monday)
    week_start TEXT NOT NULL,
    weeks_evaluated BIGINT NOT NULL,
    series BIGINT NOT NULL,
    signals_raised BIGINT NOT NULL,
    milliseconds BIGINT NOT NULL,
    -- who started it: system (the daily job) or a staff member / cli
    started_by TEXT NOT NULL
);

CREATE TABLE protection_history_counts (
    disease TEXT NOT NULL REFERENCES protection_diseases (code),
    week_start TEXT NOT NULL,
    district TEXT NOT NULL,
    n BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (disease, week_start, district)
);
