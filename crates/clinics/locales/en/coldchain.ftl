# Cold chain: vaccine fridges, alarms and lots
fridge-list-title = Vaccine fridges
fridge-all-alarms = Fridge alarms
fridge-all-alarms-lead = Every fridge alarm that is still going on or that nobody has acknowledged, in every clinic.
fridge-no-open-alarms = No fridge alarms need attention.
fridge-registered = { $name } is registered
fridge-key-once = Copy the device key now and set it on the device. It is shown only this once; PHOS keeps only a fingerprint of it.
fridge-device-id = Device id
fridge-device-id-hint = 3 to 64 letters, digits, dots, dashes or underscores, as printed on the sensor (for example FR-KT-01).
fridge-device-key = Device key
fridge-mqtt-topic = MQTT topic
fridge-http-endpoint = HTTP endpoint (header X-Device-Key)
fridge-open-alarms = Alarms that need attention
fridge-since = since
fridge-not-acknowledged = not acknowledged
fridge-none = No fridges are registered at this clinic yet.
fridge-name = Fridge
fridge-last-temp = Last temperature
fridge-last-reading = Last reading
fridge-register = Register a fridge
fridge-register-hint = Fridges must hold vaccines between 2 °C and 8 °C. A reading outside that range opens an alarm at once; a sensor silent for 15 minutes opens an offline alarm. Alarms not acknowledged within 15 minutes go to the clinic managers.
fridge-contact = Who to tell when an alarm opens (optional)
fridge-contact-hint = An e-mail address or a Hong Kong mobile number.
fridge-register-button = Register fridge
fridge-status-ok = In range
fridge-status-high = Too warm
fridge-status-low = Too cold
fridge-status-offline = Sensor silent
fridge-status-waiting = No readings yet
fridge-kind-high = Too warm
fridge-kind-low = Too cold
fridge-kind-offline = Sensor silent
fridge-range = Safe range
fridge-temperature = Temperature
fridge-period = Period shown
fridge-last-24h = Last 24 hours
fridge-last-7d = Last 7 days
fridge-chart-title = Temperature of { $name }
fridge-chart-desc = { $count ->
    [one] 1 reading
   *[other] { $count } readings
}; lowest { $min } °C, highest { $max } °C, average { $mean } °C. The shaded band is the safe range; red dots mark readings outside it.
fridge-no-readings = No readings in this period.
fridge-readings-count = { $count ->
    [one] 1 reading
   *[other] { $count } readings
}
fridge-min = Lowest
fridge-max = Highest
fridge-mean = Average
fridge-alarms = Alarms
fridge-no-alarms = This fridge has had no alarms.
fridge-alarm-kind = Alarm
fridge-start = Started
fridge-end = Ended
fridge-duration = Duration
fridge-ongoing = Still going on
fridge-acknowledged = Acknowledged
fridge-ack-note = What was done
fridge-acknowledge = Acknowledge
fridge-escalated = Sent to clinic managers
lot-title = Vaccine lots in this fridge
lot-none = No vaccine lots recorded in this fridge.
lot-product = Vaccine
lot-number = Lot number
lot-doses = Doses
lot-expiry = Expiry date
lot-action = Action
lot-reason = Reason
lot-quarantine = Quarantine
lot-release = Release for use
lot-discard = Discard
lot-add = Record a vaccine lot
lot-add-button = Add lot
lot-status-available = Available
lot-status-quarantined = Quarantined
lot-status-released = Released after review
lot-status-discarded = Discarded
field-error-fridge_name = Enter the fridge's name (up to 80 characters)
field-error-device_id_format = Enter a device id of 3 to 64 letters, digits, dots, dashes or underscores
field-error-device_id_taken = Another fridge already uses this device id
field-error-fridge_contact = Enter an e-mail address or a Hong Kong mobile number, or leave it empty
field-error-alarm_note = Say what was done (up to 500 characters)
field-error-alarm_already_acknowledged = Someone has already acknowledged this alarm
field-error-lot_product = Enter the vaccine's name
field-error-lot_number = Enter the lot number (up to 40 characters)
field-error-lot_doses = Enter the number of doses (1 to 100,000)
field-error-lot_expiry = Enter the expiry date, like 2027-06-30
field-error-lot_reason = Give a reason (up to 500 characters)
field-error-lot_status_changed = This lot's status has already changed; the page shows it now
error-device_unauthorized-title = Unknown device or wrong device key
error-reading_malformed-title = The reading is not valid JSON of the expected shape
error-reading_implausible-title = A temperature is outside what any sensor reports (−60 to 60 °C)
error-reading_future_time-title = A reading is timed in the future
error-reading_empty-title = The message has no readings
error-reading_too_many-title = At most 1,000 readings per message
notify-fridge-alarm-subject = Fridge alarm: ((fridge)) at ((clinic)) – ((what))
notify-fridge-alarm-body =
    ((fridge)) at ((clinic)): ((what)) since ((since)), at ((temp)) °C.
    Check the fridge and its vaccines now, then acknowledge the alarm: ((link))
notify-fridge-escalation-subject = Unacknowledged fridge alarm: ((fridge)) at ((clinic))
notify-fridge-escalation-body =
    Nobody has acknowledged the alarm on ((fridge)) at ((clinic)) for 15 minutes: ((what)) since ((since)), at ((temp)) °C.
    Please make sure someone acts: ((link))
