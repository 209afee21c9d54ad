-- Walk-in queue (e-ticketing): rooms (counters, consultation rooms) per service point, tickets
-- issued at the kiosk or the counter, called to a room by staff.

CREATE TABLE clinic_queue_rooms (
    id TEXT PRIMARY KEY,
    service_point TEXT NOT NULL REFERENCES service_points (code),
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    -- Queue services this room calls from, comma-separated (clinic service codes, `enquiry`).
    services TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX clinic_queue_rooms_point ON clinic_queue_rooms (service_point);

-- The last ticket number given per service point, day and letter.
CREATE TABLE clinic_queue_numbers (
    service_point TEXT NOT NULL,
    day TEXT NOT NULL,
    letter TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (service_point, day, letter)
);

CREATE TABLE clinic_tickets (
    id TEXT PRIMARY KEY,
    -- Random, in the link the person follows on their phone.
    token TEXT NOT NULL UNIQUE,
    service_point TEXT NOT NULL REFERENCES service_points (code),
    service TEXT NOT NULL,
    day TEXT NOT NULL,
    number TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('urgent', 'elderly', 'pregnant', 'disability', 'general')),
    rank BIGINT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'counter')),
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'done', 'skipped', 'cancelled')),
    -- While waiting: the room it was transferred to (NULL: any room serving its service).
    -- Once called: the room it was called to.
    room_id TEXT REFERENCES clinic_queue_rooms (id),
    lang TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    -- Order in the queue (kept when transferred, so nobody loses their place).
    queued_at BIGINT NOT NULL,
    first_called_at BIGINT,
    called_at BIGINT,
    done_at BIGINT,
    calls BIGINT NOT NULL DEFAULT 0,
    transfers BIGINT NOT NULL DEFAULT 0,
    issued_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX clinic_tickets_waiting ON clinic_tickets (service_point, status, rank, queued_at);
CREATE INDEX clinic_tickets_day ON clinic_tickets (service_point, day, service);
CREATE UNIQUE INDEX clinic_tickets_number ON clinic_tickets (service_point, day, number);
-- One ticket in a room's hands at a time.
CREATE UNIQUE INDEX clinic_tickets_room_called ON clinic_tickets (room_id) WHERE status = 'called';

-- Every call, recall, skip and transfer, for the display board and the analytics.
CREATE TABLE clinic_queue_events (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES clinic_tickets (id),
    service_point TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('issued', 'called', 'recalled', 'skipped', 'reinstated', 'transferred', 'done', 'cancelled')),
    room_id TEXT,
    service TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_actor TEXT NOT NULL
);
CREATE INDEX clinic_queue_events_point ON clinic_queue_events (service_point, at);
CREATE INDEX clinic_queue_events_calls ON clinic_queue_events (service_point, service, kind, at);

-- A counter bumped on every change at a service point: live pages on any replica poll it.
CREATE TABLE clinic_queue_versions (
    service_point TEXT PRIMARY KEY,
    version BIGINT NOT NULL
);
