-- Licence actions that need a second officer (revocation): proposed by one, decided by another
-- licensing manager. And the renewal reminders sent (each once per licence and lead time).
CREATE TABLE reg_licence_proposals (
    id TEXT PRIMARY KEY,
    licence_id TEXT NOT NULL REFERENCES reg_licences (id),
    action TEXT NOT NULL CHECK (action IN ('revoke')),
    reason TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at BIGINT
);
-- At most one pending proposal per licence.
CREATE UNIQUE INDEX reg_licence_proposals_pending ON reg_licence_proposals (licence_id) WHERE status = 'pending';

CREATE TABLE reg_renewal_reminders (
    licence_id TEXT NOT NULL REFERENCES reg_licences (id),
    -- The licence's expiry the reminder was about, and how many days before it.
    expires_on TEXT NOT NULL,
    days BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (licence_id, expires_on, days)
);

-- The highest process step applied to an application (kernel::process::ServiceCall::seq):
-- the process's jobs may run out of order, and an older step never undoes a newer one.
ALTER TABLE reg_applications ADD COLUMN process_seq BIGINT NOT NULL DEFAULT 0;
