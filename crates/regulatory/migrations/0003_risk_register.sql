-- Risk scores and the public register (issue 13 items 6 and 10). Portable SQL for SQLite and
-- PostgreSQL (see ARCHITECTURE.md, Storage).

-- The risk weights as data: every change is a new version with who, when, why and the old and
-- new weights (JSON of risk::rules::Weights). The current weights are the highest version; with
-- no row the defaults apply. The unique version makes two concurrent changes collide.
CREATE TABLE reg_risk_weights (
    version BIGINT PRIMARY KEY,
    weights TEXT NOT NULL,
    old_weights TEXT,
    changed_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

-- The stored score of each premises with its factor breakdown (JSON array of risk::rules::Factor).
CREATE TABLE reg_risk_scores (
    premises_id TEXT PRIMARY KEY REFERENCES reg_premises (id),
    total DOUBLE PRECISION NOT NULL,
    band TEXT NOT NULL CHECK (band IN ('A', 'B', 'C')),
    frequency_months BIGINT NOT NULL,
    -- YYYY-MM-DD.
    last_inspection_on TEXT,
    next_due_on TEXT NOT NULL,
    factors TEXT NOT NULL,
    -- The weights version used (0: the defaults).
    weights_version BIGINT NOT NULL,
    computed_at BIGINT NOT NULL
);
CREATE INDEX reg_risk_scores_due ON reg_risk_scores (next_due_on);

-- Register search: filters by licence type and status, and ordering by premises name.
CREATE INDEX reg_licences_type_status ON reg_licences (type_code, status);
CREATE INDEX reg_licences_status ON reg_licences (status);
CREATE INDEX reg_premises_name ON reg_premises (name_en);
-- The latest published outcome of a premises.
CREATE INDEX reg_inspections_published ON reg_inspections (premises_id, status, publish_after);
