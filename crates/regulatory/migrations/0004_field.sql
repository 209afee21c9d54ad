-- Inspections in the field and complaints (issue 13 items 8 and 9): how an outcome was
-- recorded (signature, lateness, the client's submission id that makes a re-sync idempotent),
-- its photos, enforcement case notes, and why a complaint was rejected.

ALTER TABLE reg_inspections ADD COLUMN submission_id TEXT;
ALTER TABLE reg_inspections ADD COLUMN signed_by TEXT;
ALTER TABLE reg_inspections ADD COLUMN signature_key TEXT;
ALTER TABLE reg_inspections ADD COLUMN late_reason TEXT;
CREATE UNIQUE INDEX reg_inspections_submission ON reg_inspections (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX reg_inspections_inspector ON reg_inspections (inspector, due_on);

-- Photos taken during an inspection; the bytes are in the kernel file store under file_key.
CREATE TABLE reg_inspection_photos (
    id TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES reg_inspections (id),
    file_key TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX reg_inspection_photos_inspection ON reg_inspection_photos (inspection_id);

-- Enforcement case notes on a premises (a prosecution referral opens one).
CREATE TABLE reg_enforcement_notes (
    id TEXT PRIMARY KEY,
    premises_id TEXT NOT NULL REFERENCES reg_premises (id),
    inspection_id TEXT REFERENCES reg_inspections (id),
    kind TEXT NOT NULL CHECK (kind IN ('prosecution_referral', 'warning')),
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX reg_enforcement_notes_premises ON reg_enforcement_notes (premises_id, created_at);

CREATE INDEX reg_complaints_group ON reg_complaints (group_id);
CREATE INDEX reg_complaints_inspection ON reg_complaints (inspection_id);
