-- Certificate signing keys (regulatory::certificates): Ed25519, with rotation.
-- The newest key with signing = 1 signs (at most one: UNIQUE lets many NULLs through on both
-- engines); older keys keep being published for verification until removed_at is set.
-- private_key is the 32-byte seed wrapped with the installation secret `certificate-keys`
-- (settings table), hex; it is blanked when the key is removed.
CREATE TABLE reg_cert_keys (
    kid TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    private_key TEXT NOT NULL,
    signing BIGINT UNIQUE CHECK (signing IS NULL OR signing = 1),
    created_at BIGINT NOT NULL,
    retired_at BIGINT,
    removed_at BIGINT
);
CREATE INDEX reg_cert_keys_published ON reg_cert_keys (created_at) WHERE removed_at IS NULL;
