-- Admin tools and staff multi-factor sign-in: where a member of staff works (a list of scopes
-- such as `district:KT` or `service_point:<id>`), TOTP secrets (RFC 6238) with the last step
-- used (no replay), single-use recovery codes (hashes only), and password-checked sign-ins
-- waiting for their second factor.
ALTER TABLE staff_users ADD COLUMN scopes TEXT NOT NULL DEFAULT '';

CREATE TABLE staff_totp (
    staff_id TEXT PRIMARY KEY REFERENCES staff_users (id),
    secret TEXT NOT NULL,
    confirmed_at BIGINT,
    last_step BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE staff_recovery_codes (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff_users (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_recovery_codes_staff ON staff_recovery_codes (staff_id, code_hash);

CREATE TABLE staff_mfa_challenges (
    token_hash TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff_users (id),
    next_path TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_mfa_challenges_staff ON staff_mfa_challenges (staff_id);
