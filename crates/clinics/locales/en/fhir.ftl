# FHIR R4 errors (OperationOutcome details.text; the Chinese goes in its translation extension).
fhir-error-unknown_type = This server has no resource type “{ $name }”. It serves Location, HealthcareService, Schedule, Slot and Appointment.
fhir-error-not_found = { $name }/{ $ref } was not found.
fhir-error-bad_value = The value “{ $value }” of search parameter { $name } is not valid.
fhir-error-unsupported_prefix = Search parameter { $name } does not support the prefix “{ $value }”. Use eq, ne, gt, lt, ge or le.
fhir-error-bad_modifier = Search parameter { $name } does not support the modifier “:{ $value }”.
fhir-error-unknown_parameter = Unknown search parameter “{ $name }” (refused because of Prefer: handling=strict).
fhir-error-ignored_parameters = These search parameters are not supported and were ignored: { $value }.
fhir-error-count_out_of_range = _count must be a whole number from 0 to 100, not “{ $value }”.
fhir-error-offset_out_of_range = _offset must be a whole number from 0 to 1000000, not “{ $value }”.
fhir-error-unsupported_format = Only JSON is supported (_format=json), not “{ $value }”.
fhir-error-bad_query = The query string could not be read.
fhir-error-internal = Sorry, there is a problem with the service. Please try again later.

# How a FHIR read shows in the person's "who accessed my record".
audit-action-fhir-appointment-read = Viewed an appointment (through the FHIR interface)
