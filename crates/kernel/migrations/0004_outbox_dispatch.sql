-- Notifications are delivered in batches straight from the outbox (no job per message): a
-- message is due at `next_attempt_at` (now when queued, later after a temporary failure), and a
-- claimed message is leased until `lease_until` so that one abandoned by a stopped process is
-- picked up again.
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN lease_until BIGINT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
