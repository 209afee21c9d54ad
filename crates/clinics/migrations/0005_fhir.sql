-- FHIR R4 search (/fhir/R4/Slot and /fhir/R4/Appointment): slots in start order across every
-- clinic and service, for `start=`/`date=` searches without a clinic and for the default sort
-- (starts_at, id) that offset paging relies on.
CREATE INDEX clinic_slots_starts ON clinic_slots (starts_at, id);
