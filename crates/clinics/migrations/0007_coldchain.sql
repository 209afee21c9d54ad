-- Cold chain: vaccine fridges as devices per clinic, their temperature readings (by MQTT or
-- HTTP), excursion and offline alarms with acknowledgement and escalation, and vaccine lots
-- that can be quarantined after an excursion.

CREATE TABLE clinic_fridges (
    id TEXT PRIMARY KEY,
    service_point TEXT NOT NULL REFERENCES service_points (code),
    name TEXT NOT NULL,
    -- The id the device publishes under (MQTT topic) and sends to the HTTP endpoint.
    device_id TEXT NOT NULL UNIQUE,
    -- SHA-256 of the device key (the key itself is shown once, at registration).
    key_hash TEXT NOT NULL,
    min_c DOUBLE PRECISION NOT NULL,
    max_c DOUBLE PRECISION NOT NULL,
    -- Told when an alarm opens (e-mail or HK mobile), in this language.
    contact TEXT,
    contact_lang TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- The alarm state between readings (see clinics::coldchain::State).
    last_reading_at BIGINT,
    last_temp DOUBLE PRECISION,
    excursion_alarm_id TEXT,
    excursion_kind TEXT,
    excursion_started_at BIGINT,
    excursion_min DOUBLE PRECISION,
    excursion_max DOUBLE PRECISION,
    offline_alarm_id TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX clinic_fridges_point ON clinic_fridges (service_point);

CREATE TABLE clinic_fridge_readings (
    fridge_id TEXT NOT NULL REFERENCES clinic_fridges (id),
    at BIGINT NOT NULL,
    temp_c DOUBLE PRECISION NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX clinic_fridge_readings_at ON clinic_fridge_readings (fridge_id, at);

CREATE TABLE clinic_fridge_alarms (
    id TEXT PRIMARY KEY,
    fridge_id TEXT NOT NULL REFERENCES clinic_fridges (id),
    service_point TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('high', 'low', 'offline')),
    -- Excursion: first reading outside the range … first reading back inside (NULL: ongoing).
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    min_c DOUBLE PRECISION,
    max_c DOUBLE PRECISION,
    -- When PHOS opened the alarm (time to alarm = opened_at - started_at).
    opened_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    note TEXT,
    escalated_at BIGINT
);
CREATE INDEX clinic_fridge_alarms_fridge ON clinic_fridge_alarms (fridge_id, started_at);
CREATE INDEX clinic_fridge_alarms_unacknowledged ON clinic_fridge_alarms (opened_at) WHERE acknowledged_at IS NULL;

CREATE TABLE clinic_vaccine_lots (
    id TEXT PRIMARY KEY,
    fridge_id TEXT NOT NULL REFERENCES clinic_fridges (id),
    product TEXT NOT NULL,
    lot_number TEXT NOT NULL,
    doses BIGINT NOT NULL CHECK (doses >= 0),
    expiry TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('available', 'quarantined', 'released', 'discarded')),
    -- The alarm a quarantine answers.
    alarm_id TEXT REFERENCES clinic_fridge_alarms (id),
    status_at BIGINT,
    status_by TEXT,
    reason TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX clinic_vaccine_lots_fridge ON clinic_vaccine_lots (fridge_id, status);
