-- Two-way reminders: when each reminder went out, and the person's answer.
ALTER TABLE clinic_bookings ADD COLUMN reminded_24h_at BIGINT;
ALTER TABLE clinic_bookings ADD COLUMN reminded_2h_at BIGINT;
ALTER TABLE clinic_bookings ADD COLUMN confirmed_at BIGINT;
CREATE INDEX clinic_bookings_status ON clinic_bookings (status, slot_id);
