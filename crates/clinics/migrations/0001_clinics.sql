-- Smart clinics: services with their eligibility and booking rules, which service point offers
-- which service, recurring sessions, the slots they generate, and bookings.

CREATE TABLE clinic_services (
    code TEXT PRIMARY KEY,
    point_kind TEXT NOT NULL CHECK (point_kind IN ('dental', 'ehc', 'mchc', 'vaccination')),
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    eligibility_en TEXT NOT NULL,
    eligibility_zh TEXT NOT NULL,
    min_notice_minutes BIGINT NOT NULL,
    max_reschedules BIGINT NOT NULL,
    min_age BIGINT,
    max_age BIGINT
);

INSERT INTO clinic_services VALUES
('dental_gp', 'dental', 'Dental general public session', '牙科街症',
 'Pain relief and tooth extraction only, one tooth per visit. For holders of a Hong Kong identity card or a valid Hong Kong identity document. Free of charge. No fillings, scaling or dentures.',
 '只提供止痛及脫牙服務，每次應診處理一顆牙齒。供持有香港身份證或有效香港身份證明文件人士使用，免費。不提供補牙、洗牙或鑲牙。',
 60, 0, NULL, NULL),
('ehc_assessment', 'ehc', 'Elderly health assessment', '長者健康評估',
 'For members of the Elderly Health Centre aged 65 or above: a yearly health assessment with a nurse and a doctor, about two hours. Bring your member card and your medicines.',
 '供年滿65歲的長者健康中心會員：每年一次由護士及醫生進行的健康評估，約需兩小時。請帶同會員證及正在服用的藥物。',
 1440, 2, 65, NULL),
('mchc_child', 'mchc', 'Child health and immunisation', '兒童健康及免疫接種',
 'For children from birth to 5 years living in Hong Kong: growth and development checks and the vaccines of the Hong Kong Childhood Immunisation Programme. Bring the child''s immunisation record.',
 '供居於香港的初生至5歲兒童：生長及發展檢查，以及香港兒童免疫接種計劃的疫苗接種。請帶同兒童的針卡。',
 1440, 2, NULL, 5),
('mchc_antenatal', 'mchc', 'Antenatal check-up', '產前檢查',
 'For pregnant women who are Hong Kong residents: antenatal check-ups shared with public hospitals. Bring your maternity booking card.',
 '供懷孕的香港居民：與公立醫院合作的產前檢查。請帶同產科登記卡。',
 1440, 2, NULL, NULL);

CREATE TABLE clinic_sessions (
    id TEXT PRIMARY KEY,
    service_point TEXT NOT NULL REFERENCES service_points (code),
    service TEXT NOT NULL REFERENCES clinic_services (code),
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    slot_minutes BIGINT NOT NULL CHECK (slot_minutes > 0),
    capacity BIGINT NOT NULL CHECK (capacity >= 0),
    pool_walkin BIGINT NOT NULL DEFAULT 0 CHECK (pool_walkin >= 0),
    pool_elderly BIGINT NOT NULL DEFAULT 0 CHECK (pool_elderly >= 0),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (pool_walkin + pool_elderly <= capacity)
);

CREATE TABLE clinic_slots (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES clinic_sessions (id),
    service_point TEXT NOT NULL,
    service TEXT NOT NULL,
    district TEXT NOT NULL,
    day TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    capacity BIGINT NOT NULL CHECK (capacity >= 0),
    pool_walkin BIGINT NOT NULL DEFAULT 0,
    pool_elderly BIGINT NOT NULL DEFAULT 0,
    booked BIGINT NOT NULL DEFAULT 0,
    booked_elderly BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    UNIQUE (session_id, starts_at),
    CHECK (booked >= 0 AND booked <= capacity),
    CHECK (booked_elderly >= 0 AND booked_elderly <= pool_elderly)
);
CREATE INDEX clinic_slots_find ON clinic_slots (service_point, service, starts_at);
CREATE INDEX clinic_slots_day ON clinic_slots (service_point, day);

CREATE TABLE clinic_bookings (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    slot_id TEXT NOT NULL REFERENCES clinic_slots (id),
    service TEXT NOT NULL,
    service_point TEXT NOT NULL,
    citizen_id TEXT NOT NULL REFERENCES citizens (id),
    booked_by TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('online', 'counter')),
    pool TEXT NOT NULL CHECK (pool IN ('general', 'elderly')),
    status TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'attended', 'no_show', 'late')),
    reschedules BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- One active booking per person per service, whatever the concurrency.
CREATE UNIQUE INDEX clinic_bookings_one_active ON clinic_bookings (citizen_id, service) WHERE status = 'booked';
CREATE INDEX clinic_bookings_slot ON clinic_bookings (slot_id);
CREATE INDEX clinic_bookings_citizen ON clinic_bookings (citizen_id);
