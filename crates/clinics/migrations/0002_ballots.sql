-- Ballots for over-subscribed slots: a registration window instead of first come, first served;
-- a commitment to the seed published before the window closes; the seed, rules and result hash
-- published after the draw.

CREATE TABLE clinic_ballots (
    id TEXT PRIMARY KEY,
    slot_id TEXT NOT NULL REFERENCES clinic_slots (id),
    service_point TEXT NOT NULL,
    service TEXT NOT NULL,
    places BIGINT NOT NULL CHECK (places > 0),
    opens_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    commitment TEXT NOT NULL,
    seed TEXT NOT NULL,
    cap_fraction DOUBLE PRECISION NOT NULL,
    no_show_rate DOUBLE PRECISION,
    winners BIGINT,
    overflow_risk DOUBLE PRECISION,
    result_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'drawn')),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    drawn_at BIGINT,
    CHECK (closes_at > opens_at)
);

CREATE TABLE clinic_ballot_entries (
    ballot_id TEXT NOT NULL REFERENCES clinic_ballots (id),
    registrant TEXT NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    registered_by TEXT NOT NULL,
    tier BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    ranking BIGINT,
    outcome TEXT CHECK (outcome IN ('won', 'waitlist')),
    booking_reference TEXT,
    PRIMARY KEY (ballot_id, citizen_id),
    UNIQUE (ballot_id, registrant)
);
