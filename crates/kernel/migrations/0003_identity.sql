-- People and trust: staff accounts, sessions, citizen sign-in codes and dependants, partners and
-- their API clients and tokens, rate-limit windows, and the hash-chained audit log.

CREATE TABLE staff_users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    failed_logins BIGINT NOT NULL DEFAULT 0,
    lockouts BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    invite_token_hash TEXT UNIQUE,
    invite_expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'citizen')),
    subject_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT
);
CREATE INDEX sessions_subject ON sessions (subject_id);

CREATE TABLE citizen_otps (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    destination TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    consumed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX citizen_otps_destination ON citizen_otps (destination, created_at);

CREATE TABLE caregiver_links (
    id TEXT PRIMARY KEY,
    caregiver_id TEXT NOT NULL REFERENCES citizens (id),
    dependant_id TEXT NOT NULL REFERENCES citizens (id),
    relationship TEXT NOT NULL CHECK (relationship IN ('child', 'parent', 'spouse', 'other')),
    consent_statement TEXT NOT NULL,
    consent_recorded_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    created_at BIGINT NOT NULL,
    UNIQUE (caregiver_id, dependant_id)
);

CREATE TABLE partner_orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('venture', 'university', 'ngo', 'government')),
    contact_email TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_clients (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES partner_orgs (id),
    client_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    scopes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'revoked')),
    rate_limit_per_minute BIGINT NOT NULL,
    token_ttl_seconds BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES api_clients (client_id),
    scopes TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX api_tokens_client ON api_tokens (client_id);

CREATE TABLE rate_windows (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_type TEXT NOT NULL CHECK (actor_type IN ('staff', 'citizen', 'partner', 'system', 'anonymous')),
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    person_id TEXT,
    purpose TEXT NOT NULL,
    request_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_person ON audit_log (person_id, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

ALTER TABLE citizens ADD COLUMN contact_channel TEXT NOT NULL DEFAULT 'email' CHECK (contact_channel IN ('email', 'sms'));
