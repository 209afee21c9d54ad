-- Dashboards and open data: the day of a case's first contact follow-up record, and delays
-- (onset -> notification, notification -> first contact follow-up) counted per disease, report
-- week, classification and number of days (not per district: with a district the table would hold
-- nearly a row per case and reading a year of it would take seconds), kept in the same transaction as every change
-- to the cases and follow-ups they summarise, so timeliness KPIs never scan the cases.

ALTER TABLE protection_cases ADD COLUMN first_followup_date TEXT;

CREATE TABLE protection_delay_counts (
    disease TEXT NOT NULL,
    week_start TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('suspected', 'probable', 'confirmed', 'discarded')),
    kind TEXT NOT NULL CHECK (kind IN ('onset_to_notification', 'notification_to_followup')),
    delay_days BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (disease, week_start, classification, kind, delay_days)
);
-- The dashboards read a range of report weeks: covering indexes let both engines answer from
-- the index alone (no lookups into the table for each of the period's rows).
CREATE INDEX protection_delay_counts_week
    ON protection_delay_counts (week_start, disease, classification, kind, delay_days, n);
CREATE INDEX protection_weekly_counts_cover
    ON protection_weekly_counts (week_start, disease, district, classification, iso_week, n);
