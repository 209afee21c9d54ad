-- The Department of Health's service points and the citizen register (seeded by `synth` in the demo).

CREATE TABLE service_points (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('dental', 'ehc', 'mchc', 'vaccination')),
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    district TEXT NOT NULL,
    address_en TEXT NOT NULL,
    address_zh TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX service_points_district ON service_points (district, kind);

CREATE TABLE citizens (
    id TEXT PRIMARY KEY,
    name_en TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    birth_date TEXT NOT NULL,
    district TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    preferred_lang TEXT NOT NULL CHECK (preferred_lang IN ('en', 'zh-Hant-HK')),
    hkid_masked TEXT,
    hkid_hmac TEXT UNIQUE,
    synthetic BIGINT NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
    created_at BIGINT NOT NULL
);
CREATE INDEX citizens_district ON citizens (district);
