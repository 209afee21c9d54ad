-- Timer claims: the timer loop of each replica claims a batch of due timers for a short lease
-- before firing them, so that replicas share the work instead of racing for the same rows.
-- Firing stays exactly once through the conditional UPDATE of status (pending -> fired); the
-- lease only spreads the work, and a replica that dies leaves its claims to expire.
-- Portable SQL for SQLite and PostgreSQL.

ALTER TABLE workflow_timers ADD COLUMN claimed_until BIGINT;
