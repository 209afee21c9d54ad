-- Health protection: the notifiable-disease catalogue, people notified, notifications, cases with
-- their classification history, laboratory results, contacts and daily follow-up, clusters with
-- transmission links, need-to-know assignments, and weekly counts kept in step with the cases.

CREATE TABLE protection_diseases (
    code TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    icd10 TEXT NOT NULL,
    icd10_other TEXT NOT NULL DEFAULT '',
    snomed TEXT NOT NULL DEFAULT '',
    case_definition_en TEXT NOT NULL,
    case_definition_zh TEXT NOT NULL,
    notify_within TEXT NOT NULL CHECK (notify_within IN ('immediately', '24h', '72h', '7d')),
    immediate_phone BIGINT NOT NULL CHECK (immediate_phone IN (0, 1)),
    episode_days BIGINT NOT NULL CHECK (episode_days >= 1),
    incubation_max_days BIGINT NOT NULL CHECK (incubation_max_days >= 0),
    person_to_person BIGINT NOT NULL CHECK (person_to_person IN (0, 1)),
    form_fields TEXT NOT NULL,
    detection TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    origin TEXT NOT NULL CHECK (origin IN ('reference', 'steward')),
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Reference numbers: one counter per prefix and year (NID-2026, CASE-2026, CL-2026).
CREATE TABLE protection_counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

-- The people cases are about (not citizens' accounts). HKID only masked and keyed-hashed; the
-- match key is a keyed hash of normalised name, date of birth and sex, for people without an HKID.
CREATE TABLE protection_persons (
    id TEXT PRIMARY KEY,
    hkid_hmac TEXT UNIQUE,
    hkid_masked TEXT,
    match_key TEXT,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M', 'U')),
    birth_date TEXT,
    phone TEXT,
    address TEXT,
    district TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX protection_persons_match ON protection_persons (match_key);

CREATE TABLE protection_clusters (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    disease TEXT REFERENCES protection_diseases (code),
    setting TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE protection_cases (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    person_id TEXT NOT NULL REFERENCES protection_persons (id),
    disease TEXT NOT NULL REFERENCES protection_diseases (code),
    classification TEXT NOT NULL CHECK (classification IN ('suspected', 'probable', 'confirmed', 'discarded')),
    onset_date TEXT,
    -- Hong Kong date of the first notification: the case's report week for the weekly counts.
    notified_date TEXT NOT NULL,
    -- The day the episode window counts from: onset when known, else the first notification.
    episode_date TEXT NOT NULL,
    district TEXT NOT NULL,
    exposure_setting TEXT NOT NULL,
    hospitalised BIGINT CHECK (hospitalised IN (0, 1)),
    outcome TEXT NOT NULL CHECK (outcome IN ('unknown', 'recovering', 'recovered', 'died')),
    imported BIGINT CHECK (imported IN (0, 1)),
    investigation_notes TEXT NOT NULL,
    details TEXT NOT NULL,
    cluster_id TEXT REFERENCES protection_clusters (id),
    notifications BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX protection_cases_person ON protection_cases (person_id, disease, episode_date);
CREATE INDEX protection_cases_list ON protection_cases (disease, notified_date);
CREATE INDEX protection_cases_cluster ON protection_cases (cluster_id);
CREATE INDEX protection_cases_notified ON protection_cases (notified_date);

CREATE TABLE protection_classifications (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES protection_cases (id),
    from_class TEXT,
    to_class TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX protection_classifications_case ON protection_classifications (case_id, changed_at);

CREATE TABLE protection_notifications (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    case_id TEXT NOT NULL REFERENCES protection_cases (id),
    merged BIGINT NOT NULL CHECK (merged IN (0, 1)),
    disease TEXT NOT NULL REFERENCES protection_diseases (code),
    kind TEXT NOT NULL CHECK (kind IN ('clinical', 'laboratory')),
    channel TEXT NOT NULL CHECK (channel IN ('web', 'api', 'fhir', 'demo')),
    reporter_type TEXT NOT NULL CHECK (reporter_type IN ('staff', 'partner', 'system')),
    reporter_id TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    institution TEXT NOT NULL,
    -- The reporter's own id for this notification (or an Idempotency-Key): a repeat is answered
    -- with the first acknowledgement instead of a second notification.
    reporter_ref TEXT,
    payload_hash TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('suspected', 'probable', 'confirmed')),
    onset_date TEXT,
    fields TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (reporter_ref, reporter_id)
);
CREATE INDEX protection_notifications_case ON protection_notifications (case_id);
CREATE INDEX protection_notifications_reporter ON protection_notifications (reporter_id, received_at);

CREATE TABLE protection_lab_results (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES protection_cases (id),
    notification_id TEXT REFERENCES protection_notifications (id),
    test TEXT NOT NULL,
    specimen_date TEXT,
    result TEXT NOT NULL CHECK (result IN ('positive', 'negative', 'pending', 'indeterminate')),
    organism TEXT NOT NULL,
    added_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX protection_lab_results_case ON protection_lab_results (case_id);

CREATE TABLE protection_contacts (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES protection_cases (id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    relationship TEXT NOT NULL,
    last_exposure TEXT NOT NULL,
    follow_up_until TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('following', 'became_case', 'lost_to_follow_up', 'completed')),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX protection_contacts_case ON protection_contacts (case_id);

CREATE TABLE protection_followups (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES protection_contacts (id),
    day TEXT NOT NULL,
    symptoms BIGINT NOT NULL CHECK (symptoms IN (0, 1)),
    notes TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    UNIQUE (contact_id, day)
);

CREATE TABLE protection_links (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL REFERENCES protection_clusters (id),
    source_case_id TEXT NOT NULL REFERENCES protection_cases (id),
    target_case_id TEXT NOT NULL REFERENCES protection_cases (id),
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (source_case_id, target_case_id),
    CHECK (source_case_id <> target_case_id)
);
CREATE INDEX protection_links_cluster ON protection_links (cluster_id);

-- Need-to-know: which epidemiologist is assigned to which case or cluster.
CREATE TABLE protection_assignments (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('case', 'cluster')),
    subject_id TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX protection_assignments_staff ON protection_assignments (staff_id, subject_type, subject_id);
CREATE INDEX protection_assignments_subject ON protection_assignments (subject_type, subject_id);

-- Cases per disease, report week (Monday, Hong Kong), district and classification, kept in the
-- same transaction as every change that moves a case between cells.
CREATE TABLE protection_weekly_counts (
    disease TEXT NOT NULL,
    week_start TEXT NOT NULL,
    iso_week TEXT NOT NULL,
    district TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('suspected', 'probable', 'confirmed', 'discarded')),
    n BIGINT NOT NULL,
    PRIMARY KEY (disease, week_start, district, classification)
);
CREATE INDEX protection_weekly_counts_week ON protection_weekly_counts (week_start);
