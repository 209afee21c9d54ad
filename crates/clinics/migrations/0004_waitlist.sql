-- Waitlists with automatic offers, and the no-show policy.
--
-- A waitlist entry waits for any place of a service at a service point (slot_id NULL), or for
-- one slot (a ballot's waitlist, ordered by the published draw). When a place frees up it is
-- held for the next person in an offer with an accept window; no answer passes it on.

CREATE TABLE clinic_waitlist (
    id TEXT PRIMARY KEY,
    service_point TEXT NOT NULL REFERENCES service_points (code),
    service TEXT NOT NULL REFERENCES clinic_services (code),
    slot_id TEXT REFERENCES clinic_slots (id),
    ballot_id TEXT REFERENCES clinic_ballots (id),
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    joined_by TEXT NOT NULL,
    tier BIGINT NOT NULL,
    ranking BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'offered', 'booked', 'left', 'removed')),
    joined_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    booking_reference TEXT
);
-- One place in a clinic's waitlist per person and service.
CREATE UNIQUE INDEX clinic_waitlist_one ON clinic_waitlist (citizen_id, service_point, service)
    WHERE slot_id IS NULL AND status IN ('waiting', 'offered');
CREATE UNIQUE INDEX clinic_waitlist_one_ballot ON clinic_waitlist (ballot_id, citizen_id);
CREATE INDEX clinic_waitlist_queue ON clinic_waitlist (service_point, service, status, tier, ranking);
CREATE INDEX clinic_waitlist_slot ON clinic_waitlist (slot_id, status, tier, ranking);
CREATE INDEX clinic_waitlist_citizen ON clinic_waitlist (citizen_id);

CREATE TABLE clinic_offers (
    id TEXT PRIMARY KEY,
    entry_id TEXT NOT NULL REFERENCES clinic_waitlist (id),
    slot_id TEXT NOT NULL REFERENCES clinic_slots (id),
    pool TEXT NOT NULL CHECK (pool IN ('general', 'elderly')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    offered_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    answered_at BIGINT,
    booking_reference TEXT
);
CREATE UNIQUE INDEX clinic_offers_one_pending ON clinic_offers (entry_id) WHERE status = 'pending';
CREATE INDEX clinic_offers_due ON clinic_offers (status, expires_at);
CREATE INDEX clinic_offers_slot ON clinic_offers (slot_id, status);

-- No-show policy: a no-show can be excused by a manager on appeal (it then stops counting).
ALTER TABLE clinic_bookings ADD COLUMN excused_at BIGINT;
ALTER TABLE clinic_bookings ADD COLUMN excused_by TEXT;
ALTER TABLE clinic_bookings ADD COLUMN excuse TEXT;
CREATE INDEX clinic_bookings_no_shows ON clinic_bookings (citizen_id, status);
