-- Smart regulation: licence types as data, premises, licensees, the synthetic professional
-- registers, licences with their lifecycle events, applications with their documents, and
-- inspections. Portable SQL for SQLite and PostgreSQL (see ARCHITECTURE.md, Storage).

-- A licence type, configured as data: `definition` is JSON (see licence_types::Definition):
-- required documents, conditions, fee table, validity, renewal window, statutory time limits,
-- the workflow process that handles applications, the register its responsible person is on.
CREATE TABLE reg_licence_types (
    code TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    -- The ordinance, e.g. 'Cap. 138'.
    ordinance TEXT NOT NULL,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE reg_premises (
    id TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    address_en TEXT NOT NULL,
    address_zh TEXT NOT NULL,
    -- One of the 18 district codes (kernel::hk).
    district TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    -- Annual volume indicator (prescriptions, patients, turnover band), a risk signal.
    volume BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX reg_premises_district ON reg_premises (district);

-- A company or a person holding licences. `account` is the citizen account that acts for it
-- on the portal (NULL for licensees that came from paper).
CREATE TABLE reg_licensees (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('company', 'individual')),
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    -- Business registration number for a company.
    br_number TEXT,
    account TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX reg_licensees_account ON reg_licensees (account);

-- The synthetic world's professional registers (pharmacists, Chinese medicine practitioners,
-- medical practitioners), against which responsible persons are checked.
CREATE TABLE reg_professionals (
    register TEXT NOT NULL CHECK (register IN ('pharmacist', 'cmp', 'doctor')),
    number TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('registered', 'suspended', 'removed')),
    PRIMARY KEY (register, number)
);

CREATE TABLE reg_licences (
    id TEXT PRIMARY KEY,
    -- The public licence number, e.g. 'RP-2026-00123'.
    number TEXT NOT NULL UNIQUE,
    type_code TEXT NOT NULL REFERENCES reg_licence_types (code),
    premises_id TEXT NOT NULL REFERENCES reg_premises (id),
    licensee_id TEXT NOT NULL REFERENCES reg_licensees (id),
    responsible_register TEXT,
    responsible_number TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'surrendered', 'lapsed')),
    provisional BIGINT NOT NULL DEFAULT 0 CHECK (provisional IN (0, 1)),
    -- JSON array of condition texts {en, zh}.
    conditions TEXT NOT NULL DEFAULT '[]',
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    -- The case reference of the application that created it.
    case_ref TEXT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reg_licences_premises ON reg_licences (premises_id);
CREATE INDEX reg_licences_licensee ON reg_licences (licensee_id);
CREATE INDEX reg_licences_expiry ON reg_licences (expires_on) WHERE status = 'active';
-- A responsible person answers for one premises at a time.
CREATE UNIQUE INDEX reg_licences_responsible ON reg_licences (responsible_register, responsible_number)
    WHERE status IN ('active', 'suspended') AND responsible_number IS NOT NULL;

-- Every lifecycle transition, with its reason and legal basis.
CREATE TABLE reg_licence_events (
    id TEXT PRIMARY KEY,
    licence_id TEXT NOT NULL REFERENCES reg_licences (id),
    action TEXT NOT NULL CHECK (action IN ('new', 'renew', 'amend', 'suspend', 'reinstate', 'revoke', 'surrender', 'lapse')),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX reg_licence_events_licence ON reg_licence_events (licence_id, at);

CREATE TABLE reg_applications (
    id TEXT PRIMARY KEY,
    -- One case reference across all procedures, e.g. 'REG-2026-000123'.
    case_ref TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('new', 'renew', 'amend')),
    type_code TEXT NOT NULL REFERENCES reg_licence_types (code),
    -- The citizen account that applies.
    account TEXT NOT NULL,
    licence_id TEXT REFERENCES reg_licences (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'screening', 'assessment', 'inspection',
        'decision', 'info_requested', 'granted', 'refused', 'withdrawn')),
    -- JSON of the form answers (licensee, premises, responsible person, dates).
    data TEXT NOT NULL DEFAULT '{}',
    fee_cents BIGINT NOT NULL DEFAULT 0,
    payment_ref TEXT,
    paid_at BIGINT,
    -- What the department is waiting for, if anything (a request for information).
    waiting_for TEXT,
    created_at BIGINT NOT NULL,
    submitted_at BIGINT,
    decided_at BIGINT,
    updated_at BIGINT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX reg_applications_account ON reg_applications (account, updated_at);
CREATE INDEX reg_applications_status ON reg_applications (status);

-- The bytes are in the kernel file store under file_key.
CREATE TABLE reg_application_documents (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES reg_applications (id),
    -- Which required document this is (a code of the licence type's documents).
    requirement TEXT NOT NULL,
    file_key TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    -- What reading the document found: not_checked (no OCR here), matched, not_matched, unreadable.
    ocr_status TEXT NOT NULL DEFAULT 'not_checked' CHECK (ocr_status IN ('not_checked', 'matched', 'not_matched', 'unreadable')),
    ocr_text TEXT,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX reg_application_documents_application ON reg_application_documents (application_id);

-- Inspections: due (from the risk band or a complaint), planned, done with an outcome.
CREATE TABLE reg_inspections (
    id TEXT PRIMARY KEY,
    premises_id TEXT NOT NULL REFERENCES reg_premises (id),
    licence_id TEXT REFERENCES reg_licences (id),
    kind TEXT NOT NULL CHECK (kind IN ('routine', 'complaint', 'pre_licence', 'follow_up')),
    -- 1 urgent … 3 routine.
    priority BIGINT NOT NULL DEFAULT 3,
    due_on TEXT NOT NULL,
    -- Time window on the day, 'HH:MM'.
    window_start TEXT NOT NULL DEFAULT '09:00',
    window_end TEXT NOT NULL DEFAULT '17:00',
    inspector TEXT,
    planned_on TEXT,
    status TEXT NOT NULL CHECK (status IN ('due', 'planned', 'done', 'cancelled')),
    outcome TEXT CHECK (outcome IN ('compliant', 'advice', 'warning', 'prosecution')),
    -- JSON array of findings {item, provision, note}.
    findings TEXT NOT NULL DEFAULT '[]',
    -- The staff id of whoever recorded it, when.
    done_by TEXT,
    done_at BIGINT,
    -- Outcomes are published on the register once the appeal window has passed.
    publish_after TEXT,
    -- The application or complaint that asked for it.
    source_ref TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX reg_inspections_premises ON reg_inspections (premises_id, done_at);
CREATE INDEX reg_inspections_open ON reg_inspections (due_on) WHERE status IN ('due', 'planned');

-- Complaints from the public (anonymous allowed) about a premises: received → triaged →
-- inspection → closed (or rejected). Duplicates against the same premises share a group.
CREATE TABLE reg_complaints (
    id TEXT PRIMARY KEY,
    -- The reference the complainant is given, e.g. 'CMP-2026-7K3M9Q'.
    ref TEXT NOT NULL UNIQUE,
    -- The premises it is about, once matched (the complainant may only describe it).
    premises_id TEXT REFERENCES reg_premises (id),
    premises_text TEXT NOT NULL,
    district TEXT,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    anonymous BIGINT NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    contact_email TEXT,
    contact_phone TEXT,
    -- The complainant's language ('en' or 'zh-Hant-HK'): replies are written in it.
    lang TEXT NOT NULL,
    -- The citizen account, when signed in.
    account TEXT,
    status TEXT NOT NULL CHECK (status IN ('received', 'triaged', 'inspection', 'closed', 'rejected')),
    priority BIGINT NOT NULL DEFAULT 3,
    -- The id of the first complaint of its group (itself when it leads the group).
    group_id TEXT,
    inspection_id TEXT REFERENCES reg_inspections (id),
    outcome TEXT,
    outcome_note TEXT,
    triaged_by TEXT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reg_complaints_premises ON reg_complaints (premises_id, created_at);
CREATE INDEX reg_complaints_status ON reg_complaints (status, created_at);
